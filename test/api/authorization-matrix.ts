/**
 * Who may call each operation: the expected side of the authorization matrix
 * (`authorization-matrix.test.ts`). One entry per operation of the OpenAPI document, keyed
 * `METHOD /path`. `allow(caller, where)` says whether the caller may, on a resource inside
 * (`in`: 渝中区 at 解放碑 — the district, street, grid, unit task and citizen report of every caller
 * bound to 渝中) or outside (`out`: 南岸区, another unit's task, another citizen's report).
 * `request` gives the path parameters, query and body; without a body the smallest valid one is
 * made from the operation's schema.
 */
import type { Role } from '../../src/auth/principal.ts';
import type { Tier } from '../../src/cases/case-model.ts';
import { readFileSync } from 'node:fs';

export type Where = 'in' | 'out';

export interface Caller {
  readonly label: string;
  readonly username: string;
  readonly userId: string;
  readonly role: Role | 'anonymous';
  readonly tier: Tier | null;
  readonly unitId: string | null;
  /** Bound to 渝中 (its district, a street, a grid, a unit, a citizen): `out` is outside for it. */
  readonly local: boolean;
  readonly token: string | null;
  /** The client address its requests come from. */
  readonly address: string;
  freshToken(): Promise<string | null>;
}

interface CaseRef {
  readonly id: string;
  readonly number: string;
  readonly leadTaskId: string;
  readonly assistTaskId: string;
}

export interface Fixture {
  point(w: Where): { lng: number; lat: number };
  readonly units: Record<Where, string>;
  districtOf(w: Where): string;
  readonly shared: { case: Record<Where, CaseRef>; device: Record<Where, string>; alert: Record<Where, string> };
  readonly attachments: Record<Where, string>;
  readonly planId: string;
  readonly ruleId: string;
  newCase(w: Where): Promise<CaseRef>;
  newDevice(w: Where): Promise<string>;
  newAlert(w: Where): Promise<string>;
  /** A saved view of the case list: the caller's own (`in`), or another person's (`out`). */
  newView(c: Caller, w: Where): Promise<string>;
  deviceBody(id: string): Record<string, unknown>;
  /** A user no caller is (an operator of the street), and API tokens it owns. */
  readonly targetUserId: string;
  newApiToken(): Promise<string>;
  /** A unit of its own under the district center (to disable and enable). */
  newUnit(w: Where): Promise<string>;
  readonly sharedApiToken: string;
  /** A raster of the district's center: 渝中's inside, 南岸's outside. */
  readonly rasters: Record<Where, string>;
  newRaster(w: Where): Promise<string>;
  /** A finished flood run on each district's raster (its layers, snapshots, arrival time). */
  readonly analyses: Record<Where, string>;
  /** A new run (to cancel) on the district's raster. */
  newAnalysis(w: Where): Promise<string>;
}

export interface MatrixRequest {
  readonly params?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
  readonly contentType?: string;
}

export interface MatrixEntry {
  allow(c: Caller, w: Where): boolean;
  request(fx: Fixture, c: Caller, w: Where, fresh: boolean): MatrixRequest | Promise<MatrixRequest>;
  /** Allowed callers get a fresh resource: the call changes the state or who may act next. */
  readonly fresh?: boolean;
  /** The call ends the caller's own token (sign-out): it gets a token of its own. */
  readonly ownToken?: boolean;
  /** A live stream: asked over a real connection, its status read, then closed. */
  readonly stream?: boolean;
  /** Refused as "not found" (404): another's resource whose very existence is not told. */
  readonly refusedAsNotFound?: boolean | ((c: Caller, w: Where) => boolean);
  /** A list: the outside resource's id (or number) must not be in a local caller's answer. */
  lists?(fx: Fixture, w: Where): string;
}

// ─── who ─────────────────────────────────────────────────────────────────────────────────
const inside = (c: Caller, w: Where) => w === 'in' || !c.local;
const is = (c: Caller, ...roles: (Role | 'anonymous')[]) => roles.includes(c.role);
const anyone = () => true;
const signedIn = (c: Caller) => c.role !== 'anonymous';
const admin = (c: Caller) => is(c, 'admin');
const adminOrSystem = (c: Caller) => is(c, 'admin', 'system');
/** Administrators and the staff of any center (operators, supervisors), wherever they are. */
const centerStaff = (c: Caller) => is(c, 'admin', 'operator', 'supervisor');
/** Those who work sensing data: centers, units, grid workers, systems. */
const sensingStaff = (c: Caller) => is(c, 'admin', 'system', 'operator', 'supervisor', 'unit_staff', 'grid_worker');
/** Everyone who may see the case: its centers, the units with a task, the grid worker of the grid, the reporter. */
const seesCase = (c: Caller, w: Where) => signedIn(c) && inside(c, w);
/** The center that owns the case (district tier) or one above it, inside. */
const steersCase = (c: Caller, w: Where) => adminOrSystem(c) || (is(c, 'operator', 'supervisor') && (c.tier === 'city' || c.tier === 'district') && inside(c, w));
const manageDevices = (c: Caller, w: Where) => admin(c) || (is(c, 'operator', 'supervisor') && (c.tier === 'city' || c.tier === 'district') && inside(c, w));
const seesDevice = (c: Caller, w: Where) => adminOrSystem(c) || (is(c, 'operator', 'supervisor', 'grid_worker', 'unit_staff') && inside(c, w));
/** A district alert (CAP): its district's and the city's centers see it. */
const seesAlert = (c: Caller, w: Where) => adminOrSystem(c) || (is(c, 'operator', 'supervisor') && c.tier !== 'street' && inside(c, w));
/** The muck-truck chain: center staff, and the units that enforce it (城管, 住建) — not a water company. */
const muckReaders = (c: Caller) => is(c, 'admin', 'operator', 'supervisor');
/** Rasters: center staff see their center's, those below it and the city's; the district's raster is inside only for 渝中's district and the city. */
const seesRaster = (c: Caller, w: Where) => adminOrSystem(c) || (is(c, 'operator', 'supervisor') && (c.tier === 'city' || (c.tier === 'district' && w === 'in')));
/** Uploads and removals: the operators (and administrators) of the owning center only. */
const changesRaster = (c: Caller, w: Where) => adminOrSystem(c) || (is(c, 'operator') && c.tier === 'district' && w === 'in');
const onRaster = (query?: Record<string, string>) => (fx: Fixture, _c: Caller, w: Where): MatrixRequest => ({ params: { id: fx.rasters[w] }, ...(query ? { query } : {}) });
const SMALL_GEOTIFF = readFileSync(new URL('../fixtures/rasters/int16-nodata-utm48n.tif', import.meta.url));
/**
 * Analyses: a run belongs to its district's center; readers (center staff, unit staff) see the runs
 * whose center lies in their ground (a street center's does not hold its district's), runners
 * (center staff) start and stop them. A run outside is not found; a role that reads none is refused.
 */
const analysisReader = (c: Caller) => is(c, 'admin', 'system', 'operator', 'supervisor', 'unit_staff');
const analysisRunner = (c: Caller) => is(c, 'admin', 'system', 'operator', 'supervisor');
const coversDistrict = (c: Caller, w: Where) => adminOrSystem(c) || c.tier === 'city' || (w === 'in' && (c.tier === 'district' || c.role === 'unit_staff'));
const seesAnalysis = (c: Caller, w: Where) => analysisReader(c) && coversDistrict(c, w);
const runsAnalysis = (c: Caller, w: Where) => analysisRunner(c) && coversDistrict(c, w);
const analysisNotFound = (c: Caller) => analysisReader(c);
const onAnalysis = (extra: Record<string, string> = {}, query?: Record<string, string>) => (fx: Fixture, _c: Caller, w: Where): MatrixRequest => ({ params: { id: fx.analyses[w], ...extra }, ...(query ? { query } : {}) });
const mapReaders = (c: Caller) => is(c, 'admin', 'system', 'operator', 'supervisor', 'grid_worker');

// ─── requests ────────────────────────────────────────────────────────────────────────────
const none = (): MatrixRequest => ({});
const caseOf = async (fx: Fixture, w: Where, fresh: boolean) => (fresh ? fx.newCase(w) : fx.shared.case[w]);
const onCase = (body?: unknown) => async (fx: Fixture, _c: Caller, w: Where, fresh: boolean): Promise<MatrixRequest> => ({ params: { id: (await caseOf(fx, w, fresh)).id }, ...(body !== undefined ? { body } : {}) });
/** A task command: the caller's own unit's task where it has one (the grid worker's community office). */
const onTask = (body?: unknown) => async (fx: Fixture, c: Caller, w: Where, fresh: boolean): Promise<MatrixRequest> => {
  const k = await caseOf(fx, w, fresh);
  return { params: { id: k.id, taskId: c.role === 'grid_worker' ? k.assistTaskId : k.leadTaskId }, ...(body !== undefined ? { body } : {}) };
};
const onDevice = async (fx: Fixture, _c: Caller, w: Where, fresh: boolean): Promise<MatrixRequest> => ({ params: { id: fresh ? await fx.newDevice(w) : fx.shared.device[w] } });
const onAlert = (body?: unknown) => async (fx: Fixture, _c: Caller, w: Where, fresh: boolean): Promise<MatrixRequest> => ({ params: { id: fresh ? await fx.newAlert(w) : fx.shared.alert[w] }, ...(body !== undefined ? { body } : {}) });
const onPlan = (extra: Record<string, string> = {}, query?: Record<string, string>) => (fx: Fixture): MatrixRequest => ({ params: { id: fx.planId, ...extra }, ...(query ? { query } : {}) });
const onRule = (extra: Record<string, string> = {}) => (fx: Fixture): MatrixRequest => ({ params: { id: fx.ruleId, ...extra } });
const tile = (fx: Fixture, w: Where): Record<string, string> => {
  const z = 12;
  const p = fx.point(w);
  const x = Math.floor(((p.lng + 180) / 360) * 2 ** z);
  const lat = (p.lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(lat) + 1 / Math.cos(lat)) / Math.PI) / 2) * 2 ** z);
  return { z: String(z), x: String(x), y: String(y) };
};
const yaml = (text: string): MatrixRequest => ({ body: text, contentType: 'text/yaml' });
const csvAt = (fx: Fixture, w: Where, id: string) => `id,type,name,lon,lat,unitId\n${id},water_gauge,矩阵导入水位计,${fx.point(w).lng},${fx.point(w).lat},${fx.units[w]}\n`;
let imports = 0;

export const MATRIX: Record<string, MatrixEntry> = {
  // ─── health, auth, people ──────────────────────────────────────────────────────────────
  'GET /healthz': { allow: anyone, request: none },
  'GET /livez': { allow: anyone, request: none },
  'GET /readyz': { allow: anyone, request: none },
  'POST /api/v1/auth/sign-in': { allow: anyone, request: () => ({ body: { username: 'citizen.li', password: 'cityloop-demo' } }) },
  'POST /api/v1/auth/sign-out': { allow: signedIn, request: () => ({ body: {} }), ownToken: true },
  'GET /api/v1/me': { allow: signedIn, request: none },
  // Tokens, passwords and second factors are a person's: an API token (the system's) cannot manage them.
  'POST /api/v1/auth/api-tokens': { allow: (c) => signedIn(c) && !is(c, 'citizen', 'system'), request: () => ({ body: { name: '矩阵测试令牌' } }) },
  'GET /api/v1/auth/api-tokens': { allow: signedIn, request: none },
  'DELETE /api/v1/auth/api-tokens/{id}': { allow: admin, request: async (fx, _c, _w, fresh) => ({ params: { id: fresh ? await fx.newApiToken() : fx.sharedApiToken } }), fresh: true, refusedAsNotFound: true },
  'POST /api/v1/me/password': { allow: (c) => signedIn(c) && !is(c, 'system'), request: () => ({ body: { oldPassword: 'unchanged-password-1', newPassword: 'unchanged-password-1' } }) },
  'GET /api/v1/me/second-factor': { allow: signedIn, request: none },
  'POST /api/v1/me/second-factor/totp': { allow: (c) => is(c, 'admin', 'supervisor'), request: () => ({ body: {} }) },
  'POST /api/v1/me/second-factor/totp/confirm': { allow: (c) => signedIn(c) && !is(c, 'system'), request: () => ({ body: { code: '000000' } }) },
  'POST /api/v1/me/second-factor/totp/disable': { allow: (c) => signedIn(c) && !is(c, 'system'), request: () => ({ body: { code: '000000' } }) },
  'POST /api/v1/users/{id}/disable': { allow: admin, request: (fx) => ({ params: { id: fx.targetUserId }, body: { reason: '矩阵测试' } }) },
  'POST /api/v1/users/{id}/enable': { allow: admin, request: (fx) => ({ params: { id: fx.targetUserId }, body: { reason: '矩阵测试' } }) },
  'POST /api/v1/users/{id}/second-factor/reset': { allow: admin, request: (fx) => ({ params: { id: fx.targetUserId }, body: { reason: '矩阵测试' } }) },
  'POST /api/v1/users': { allow: admin, request: () => ({ body: { username: `matrix.user.${++imports}`, displayName: '矩阵测试用户', password: 'matrix-password-1', roles: ['citizen'] } }) },

  // ─── geography and organisation ────────────────────────────────────────────────────────
  'GET /api/v1/geo/resolve': { allow: anyone, request: (fx, _c, w) => ({ query: { lng: String(fx.point(w).lng), lat: String(fx.point(w).lat), crs: 'gcj02' } }) },
  'GET /api/v1/jurisdictions': { allow: anyone, request: () => ({ query: { level: 'district' } }) },
  'GET /api/v1/categories': { allow: anyone, request: none },
  'PUT /api/v1/categories': { allow: admin, request: () => ({ body: { items: [] } }) },
  'POST /api/v1/categories/validate': { allow: centerStaff, request: () => ({ body: { items: [] } }) },
  'GET /api/v1/categories/versions': { allow: centerStaff, request: none },
  'GET /api/v1/categories/versions/{version}': { allow: centerStaff, request: () => ({ params: { version: '1' } }) },
  'GET /api/v1/centers': { allow: signedIn, request: none },
  // The administration of people: administrators (a district administrator inside its district: test/api/user-administration.test.ts).
  'GET /api/v1/users': { allow: admin, request: none },
  'GET /api/v1/users/{id}': { allow: admin, request: (fx) => ({ params: { id: fx.targetUserId } }) },
  'PATCH /api/v1/users/{id}': { allow: admin, request: (fx) => ({ params: { id: fx.targetUserId }, body: { displayName: '矩阵测试对象', reason: '矩阵测试' } }) },
  'POST /api/v1/users/{id}/password-reset': { allow: admin, request: (fx) => ({ params: { id: fx.targetUserId }, body: { reason: '矩阵测试' } }) },
  'GET /api/v1/unit-kinds': { allow: signedIn, request: none },
  'POST /api/v1/units': { allow: admin, request: (fx, _c, w) => ({ body: { name: '矩阵测试单位', kind: `matrix-kind-${++imports}`, centerId: `center-${fx.districtOf(w)}`, categoryCodes: ['municipal'] } }) },
  'PATCH /api/v1/units/{id}': { allow: admin, request: async (fx, _c, w) => ({ params: { id: await fx.newUnit(w) }, body: { name: '矩阵测试单位（改名）' } }) },
  'POST /api/v1/units/{id}/disable': { allow: admin, request: async (fx, _c, w) => ({ params: { id: await fx.newUnit(w) }, body: { reason: '矩阵测试' } }) },
  'POST /api/v1/units/{id}/enable': { allow: admin, request: async (fx, _c, w) => ({ params: { id: await fx.newUnit(w) }, body: { reason: '矩阵测试' } }) },
  // Every district has its center: an administrator's call gets past authorization to "already has a center".
  'POST /api/v1/centers': { allow: admin, request: (fx, _c, w) => ({ body: { name: '矩阵测试中心', jurisdictionCode: fx.districtOf(w) } }) },
  'GET /api/v1/units': { allow: signedIn, request: none },

  // ─── cases ─────────────────────────────────────────────────────────────────────────────
  'POST /api/v1/cases': { allow: signedIn, request: (fx, _c, w) => ({ body: { categoryCode: 'municipal.water.burst', title: '矩阵测试上报', ...fx.point(w), crs: 'gcj02' } }) },
  'GET /api/v1/cases': { allow: signedIn, request: none, lists: (fx, w) => fx.shared.case[w].id },
  'GET /api/v1/cases/export': { allow: (c) => is(c, 'admin', 'operator', 'supervisor', 'unit_staff', 'grid_worker'), request: () => ({ query: { format: 'csv' } }) },
  'GET /api/v1/case-views': { allow: signedIn, request: none },
  'POST /api/v1/case-views': { allow: signedIn, request: () => ({ body: { name: `矩阵测试视图 ${++imports}`, query: { state: ['reported'], sort: 'priority' } } }) },
  // Only the owner deletes a view; another's is "not found".
  'DELETE /api/v1/case-views/{id}': { allow: (c, w) => signedIn(c) && w === 'in', request: async (fx, c, w) => ({ params: { id: await fx.newView(c, w) } }), refusedAsNotFound: true },
  'GET /api/v1/cases/{id}': { allow: seesCase, request: onCase() },
  'GET /api/v1/cases/{id}/events': { allow: seesCase, request: onCase() },
  'GET /api/v1/cases/{id}/site': { allow: seesCase, request: onCase() },
  'POST /api/v1/cases/{id}/register': { allow: steersCase, request: onCase({}), fresh: true },
  'POST /api/v1/cases/{id}/decline': { allow: steersCase, request: onCase({ reason: '不属于本中心职责' }), fresh: true },
  'POST /api/v1/cases/{id}/dispatch': { allow: steersCase, request: async (fx, c, w, fresh) => ({ ...(await onCase()(fx, c, w, fresh)), body: { tasks: [{ unitId: fx.units[w], role: 'lead' }] } }), fresh: true },
  'POST /api/v1/cases/{id}/apply-plan': { allow: steersCase, request: onCase({}), fresh: true },
  'POST /api/v1/cases/{id}/agree-coordination': { allow: steersCase, request: async (fx, c, w, fresh) => ({ ...(await onCase()(fx, c, w, fresh)), body: { handledByUnitId: fx.units[w], maintainedByUnitId: fx.units[w], note: '议定' } }), fresh: true },
  'POST /api/v1/cases/{id}/accept-joint': { allow: steersCase, request: onCase({}), fresh: true },
  'POST /api/v1/cases/{id}/sensor-state': { allow: steersCase, request: onCase({ state: 'normal' }), fresh: true },
  'POST /api/v1/cases/{id}/report-back': { allow: steersCase, request: onCase({ summary: '已处置' }), fresh: true },
  'POST /api/v1/cases/{id}/check': { allow: (c, w) => steersCase(c, w) || (is(c, 'grid_worker') && inside(c, w)), request: onCase({ passed: true }), fresh: true },
  'POST /api/v1/cases/{id}/close': { allow: steersCase, request: onCase({}), fresh: true },
  'POST /api/v1/cases/{id}/evaluate': { allow: (c, w) => steersCase(c, w) || (is(c, 'citizen') && inside(c, w)), request: onCase({ satisfaction: 'satisfied' }), fresh: true },
  'POST /api/v1/cases/{id}/reopen': { allow: steersCase, request: onCase({ reason: '市民不满意' }), fresh: true },
  'POST /api/v1/cases/{id}/escalate': { allow: steersCase, request: onCase({ reason: '需市级协调' }), fresh: true },
  'POST /api/v1/cases/{id}/park': { allow: steersCase, request: onCase({ reason: '待改造工程', reviewAt: '2026-06-01T01:00:00.000Z' }), fresh: true },
  'POST /api/v1/cases/{id}/unpark': { allow: steersCase, request: onCase({}), fresh: true },
  'POST /api/v1/cases/{id}/supervise': { allow: (c, w) => adminOrSystem(c) || (is(c, 'supervisor') && inside(c, w)), request: onCase({ reason: '群众反映强烈，督办' }), fresh: true },
  'POST /api/v1/cases/{id}/remind': { allow: steersCase, request: async (fx, _c, w, fresh) => { const k = await caseOf(fx, w, fresh); return { params: { id: k.id }, body: { taskId: k.leadTaskId, reason: '请尽快处置' } }; }, fresh: true },
  'POST /api/v1/cases/{id}/merge': { allow: steersCase, request: async (fx, c, w, fresh) => ({ ...(await onCase()(fx, c, w, fresh)), body: { intoCaseId: (await fx.newCase(w)).id, reason: '同一爆管重复上报' } }), fresh: true },
  'POST /api/v1/cases/{id}/tasks/{taskId}/accept': { allow: (c, w) => adminOrSystem(c) || (is(c, 'unit_staff', 'grid_worker') && inside(c, w)), request: onTask({}), fresh: true },
  'POST /api/v1/cases/{id}/tasks/{taskId}/start': { allow: (c, w) => adminOrSystem(c) || (is(c, 'unit_staff', 'grid_worker') && inside(c, w)), request: onTask({}), fresh: true },
  // 到场: the task's own unit (a grid worker: the community office's task) — never another unit, never the center.
  'POST /api/v1/cases/{id}/tasks/{taskId}/arrive': { allow: (c, w) => adminOrSystem(c) || (is(c, 'unit_staff', 'grid_worker') && inside(c, w)), request: onTask({ lng: 106.5775, lat: 29.5575, crs: 'gcj02' }), fresh: true },
  'POST /api/v1/cases/{id}/tasks/{taskId}/complete': { allow: (c, w) => adminOrSystem(c) || (is(c, 'unit_staff', 'grid_worker') && inside(c, w)), request: onTask({ note: '已修复' }), fresh: true },
  'POST /api/v1/cases/{id}/tasks/{taskId}/return': { allow: (c, w) => adminOrSystem(c) || (is(c, 'unit_staff') && inside(c, w)), request: onTask({ reason: '不属于本单位' }), fresh: true },
  'POST /api/v1/cases/{id}/actions/{key}/override': { allow: steersCase, request: async (fx, c, w, fresh) => ({ params: { id: (await caseOf(fx, w, fresh)).id, key: 'no-such-action' }, body: { do: 'resend' } }), fresh: true },
  'GET /api/v1/cases/{id}/replies': { allow: seesCase, request: onCase() },
  'POST /api/v1/cases/duplicates': { allow: signedIn, request: (fx, _c, w) => ({ body: { categoryCode: 'municipal.water.burst', ...fx.point(w), crs: 'gcj02' } }) },
  'GET /api/v1/hotline/callers/{phone}/cases': { allow: centerStaff, request: () => ({ params: { phone: '13912345678' } }) },
  'GET /api/v1/cases/{id}/plan-preview': { allow: steersCase, request: onCase() },
  'POST /api/v1/cases/{id}/attachments': { allow: seesCase, request: async (fx, c, w, fresh) => ({ ...(await onCase()(fx, c, w, fresh)), query: { fileName: 'photo.png' }, body: Buffer.from('89504e470d0a1a0a', 'hex'), contentType: 'image/png' }) },
  'GET /api/v1/cases/{id}/attachments/{attachmentId}': { allow: seesCase, request: (fx, _c, w) => ({ params: { id: fx.shared.case[w].id, attachmentId: fx.attachments[w] } }) },
  'GET /api/v1/tasks': {
    allow: (c, w) => admin(c) || (is(c, 'unit_staff', 'grid_worker') && w === 'in'),
    request: (fx, c, w) => ({ query: { unit: w === 'in' ? (c.unitId ?? fx.units.in) : fx.units.out } }),
  },

  // ─── live feed and audit ───────────────────────────────────────────────────────────────
  'GET /api/v1/events/stream': { allow: signedIn, request: none, stream: true },
  // Everyone signed in reads the feed's history; what it holds is filtered (test/api/shift-history.test.ts).
  'GET /api/v1/feed/recent': { allow: signedIn, request: none },
  'GET /api/v1/handover': { allow: (c, w) => admin(c) || (is(c, 'operator', 'supervisor') && c.tier !== 'street' && inside(c, w)), request: (fx, _c, w) => ({ query: { jurisdiction: fx.districtOf(w) } }) },
  'GET /api/v1/audit/changes': { allow: admin, request: none },
  'GET /api/v1/admin/outbound': { allow: admin, request: none },
  'GET /api/v1/audit/verify': { allow: (c) => is(c, 'admin', 'supervisor'), request: none },

  // ─── plans ─────────────────────────────────────────────────────────────────────────────
  'GET /api/v1/plans/schema': { allow: anyone, request: none },
  'GET /api/v1/plans': { allow: centerStaff, request: none },
  'POST /api/v1/plans': { allow: admin, request: () => yaml('id: x\n') },
  'GET /api/v1/plans/{id}': { allow: centerStaff, request: onPlan() },
  'GET /api/v1/plans/{id}/versions': { allow: centerStaff, request: onPlan() },
  'GET /api/v1/plans/{id}/versions/{version}': { allow: centerStaff, request: onPlan({ version: '1' }) },
  'GET /api/v1/plans/{id}/review': { allow: centerStaff, request: onPlan() },
  'GET /api/v1/plans/{id}/diff': { allow: centerStaff, request: onPlan({}, { from: '1', to: '1' }) },
  'POST /api/v1/plans/{id}/simulate': { allow: centerStaff, request: (fx, _c, w) => ({ params: { id: fx.planId }, body: { categoryCode: 'municipal.water.burst', ...fx.point(w), crs: 'gcj02' } }) },

  // ─── KPIs, appeals and the routing table ──────────────────────────────────────────────
  'GET /api/v1/kpis': { allow: centerStaff, request: none },
  'POST /api/v1/appeals': { allow: signedIn, request: (fx, _c, w) => ({ body: { text: '解放碑路口自来水管爆了，水漫到马路上', ...fx.point(w), crs: 'gcj02' } }) },
  'POST /api/v1/appeals/classify': { allow: signedIn, request: () => ({ body: { text: '楼下广场舞噪音太大' } }) },
  'GET /api/v1/appeals/triage': { allow: centerStaff, request: none },
  'GET /api/v1/appeals/routing-stats': { allow: centerStaff, request: none },
  'GET /api/v1/routing-table': { allow: centerStaff, request: none },
  'POST /api/v1/routing-table': { allow: admin, request: () => yaml('rules: []\n') },
  'GET /api/v1/routing-table/versions': { allow: centerStaff, request: none },
  'GET /api/v1/routing-table/versions/{version}': { allow: centerStaff, request: () => ({ params: { version: '1' } }) },
  'POST /api/v1/routing-table/validate': { allow: centerStaff, request: () => yaml('rules: []\n') },
  'POST /api/v1/routing-table/dry-run': { allow: centerStaff, request: () => ({ body: { text: '楼下广场舞噪音太大' } }) },

  // ─── rules ─────────────────────────────────────────────────────────────────────────────
  'GET /api/v1/rules/schema': { allow: anyone, request: none },
  'GET /api/v1/rules': { allow: centerStaff, request: none },
  'POST /api/v1/rules': { allow: admin, request: () => yaml('id: x\n') },
  'POST /api/v1/rules/validate': { allow: centerStaff, request: () => yaml('id: x\n') },
  'POST /api/v1/rules/dry-run': { allow: centerStaff, request: () => ({ body: { source: 'id: x\n' } }) },
  'GET /api/v1/rules/{id}': { allow: centerStaff, request: onRule() },
  'POST /api/v1/rules/{id}/deactivate': { allow: admin, request: (fx) => ({ params: { id: fx.ruleId }, body: {} }) },
  'POST /api/v1/rules/{id}/activate': { allow: admin, request: (fx) => ({ params: { id: fx.ruleId }, body: {} }) },
  'GET /api/v1/rules/{id}/versions': { allow: centerStaff, request: onRule() },
  'GET /api/v1/rules/{id}/versions/{version}': { allow: centerStaff, request: onRule({ version: '1' }) },

  // ─── devices and telemetry ─────────────────────────────────────────────────────────────
  'GET /api/v1/device-types': { allow: anyone, request: none },
  'GET /api/v1/devices': { allow: sensingStaff, request: none, lists: (fx, w) => fx.shared.device[w] },
  'POST /api/v1/devices': { allow: manageDevices, request: (fx, _c, w) => ({ body: { id: `matrix-new-${++imports}`, type: 'water_gauge', name: '矩阵新水位计', lon: fx.point(w).lng, lat: fx.point(w).lat, crs: 'gcj02', unitId: fx.units[w] } }) },
  'POST /api/v1/devices/import': { allow: manageDevices, request: (fx, _c, w) => ({ query: { format: 'csv' }, body: csvAt(fx, w, `matrix-import-${++imports}`), contentType: 'text/csv' }) },
  'GET /api/v1/devices/{id}': { allow: seesDevice, request: onDevice },
  'PUT /api/v1/devices/{id}': { allow: manageDevices, request: async (fx, c, w, fresh) => { const r = await onDevice(fx, c, w, fresh); return { ...r, body: fx.deviceBody(r.params!.id!) }; }, fresh: true },
  'DELETE /api/v1/devices/{id}': { allow: manageDevices, request: onDevice, fresh: true },
  'POST /api/v1/devices/{id}/secret': { allow: manageDevices, request: async (fx, c, w, fresh) => ({ ...(await onDevice(fx, c, w, fresh)), body: {} }), fresh: true },
  'POST /api/v1/devices/{id}/telemetry': { allow: adminOrSystem, request: async (fx, c, w, fresh) => ({ ...(await onDevice(fx, c, w, fresh)), body: { ts: '2026-03-02T01:00:00.000Z', values: { level: 0.1 } } }) },
  'GET /api/v1/devices/{id}/readings': { allow: seesDevice, request: onDevice },
  'GET /api/v1/dead-letters': { allow: admin, request: none },
  'GET /api/v1/sensing/stats': { allow: centerStaff, request: none },

  // ─── alerts, cameras, CAP, vital signs ─────────────────────────────────────────────────
  'GET /api/v1/alerts': { allow: signedIn, request: none, lists: (fx, w) => fx.shared.alert[w] },
  'GET /api/v1/alerts/{id}': { allow: seesAlert, request: onAlert() },
  'GET /api/v1/alerts/{id}/timeline': { allow: seesAlert, request: onAlert() },
  'POST /api/v1/alerts/{id}/acknowledge': { allow: seesAlert, request: onAlert({}), fresh: true },
  'POST /api/v1/alerts/{id}/verify': { allow: seesAlert, request: onAlert({ categoryCode: 'safety.road-waterlogging' }), fresh: true },
  'POST /api/v1/alerts/{id}/dismiss': { allow: seesAlert, request: onAlert({ reason: '误报' }), fresh: true },
  'POST /api/v1/alerts/{id}/watch': { allow: seesAlert, request: async (fx, c, w, fresh) => ({ ...(await onAlert()(fx, c, w, fresh)), body: { unitId: fx.units[w] } }), fresh: true },
  'GET /api/v1/alerts/{id}/cap': { allow: seesAlert, request: onAlert() },
  'GET /api/v1/map/alerts/{id}/snapshot': { allow: seesAlert, request: onAlert() },
  'POST /api/v1/camera-events': { allow: adminOrSystem, request: () => ({ body: { eventId: `matrix-${++imports}`, type: 'muck_spill', at: '2026-03-02T01:00:00.000Z' } }) },
  'GET /api/v1/camera-events': { allow: muckReaders, request: none },
  'POST /api/v1/cap': { allow: (c) => adminOrSystem(c) || (is(c, 'operator', 'supervisor') && (c.tier === 'city' || c.tier === 'district')), request: () => ({ body: '<alert/>', contentType: 'application/cap+xml' }) },
  'GET /api/v1/indicators': { allow: (c, w) => adminOrSystem(c) || (((is(c, 'operator', 'supervisor') && c.tier !== 'street') || is(c, 'unit_staff')) && inside(c, w)), request: (fx, _c, w) => ({ query: { jurisdiction: fx.districtOf(w) } }) },

  // ─── the muck-truck chain ──────────────────────────────────────────────────────────────
  'POST /api/v1/muck/import': { allow: (c) => admin(c) || (is(c, 'operator') && (c.tier === 'city' || c.tier === 'district')), request: () => ({ body: {} }) },
  'POST /api/v1/muck/sites': { allow: (c) => admin(c) || (is(c, 'operator') && (c.tier === 'city' || c.tier === 'district')), request: () => ({ body: { items: [] } }) },
  'POST /api/v1/muck/permits': { allow: (c) => admin(c) || (is(c, 'operator') && (c.tier === 'city' || c.tier === 'district')), request: () => ({ body: { items: [] } }) },
  'POST /api/v1/muck/trucks': { allow: (c) => admin(c) || (is(c, 'operator') && (c.tier === 'city' || c.tier === 'district')), request: () => ({ body: { items: [] } }) },
  'GET /api/v1/muck/sites': { allow: muckReaders, request: none },
  'GET /api/v1/muck/permits': { allow: muckReaders, request: none },
  'GET /api/v1/muck/trucks': { allow: muckReaders, request: none },
  'GET /api/v1/muck/trucks/{plate}': { allow: muckReaders, request: () => ({ params: { plate: '渝A12345' } }) },

  // ─── the maps ──────────────────────────────────────────────────────────────────────────
  'GET /api/v1/map/boundaries/{z}/{x}/{y}': { allow: anyone, request: (fx, _c, w) => ({ params: tile(fx, w) }) },
  'GET /api/v1/map/boundary-labels/{z}/{x}/{y}': { allow: anyone, request: (fx, _c, w) => ({ params: tile(fx, w) }) },
  'GET /api/v1/map/cases/summary': { allow: mapReaders, request: none },
  'GET /api/v1/map/cases/tiles/{z}/{x}/{y}': { allow: mapReaders, request: (fx, _c, w) => ({ params: tile(fx, w) }) },
  'GET /api/v1/map/cases': { allow: mapReaders, request: none, lists: (fx, w) => fx.shared.case[w].id },
  'GET /api/v1/map/focus': { allow: signedIn, request: none },

  // ─── analyses ────────────────────────────────────────────────────────────────────────────
  'POST /api/v1/analyses': { allow: runsAnalysis, refusedAsNotFound: (c) => analysisRunner(c), request: (fx, _c, w) => ({ body: { model: 'fill', rasterId: fx.rasters[w] } }) },
  'GET /api/v1/analyses': { allow: analysisReader, request: none, lists: (fx, w) => fx.analyses[w] },
  'GET /api/v1/analyses/{id}': { allow: seesAnalysis, refusedAsNotFound: analysisNotFound, request: onAnalysis() },
  'GET /api/v1/analyses/{id}/layers/{file}': { allow: seesAnalysis, refusedAsNotFound: analysisNotFound, request: onAnalysis({ file: 'maxDepth.png' }) },
  'GET /api/v1/analyses/{id}/snapshots/{file}': { allow: seesAnalysis, refusedAsNotFound: analysisNotFound, request: onAnalysis({ file: '0.png' }) },
  'GET /api/v1/analyses/{id}/isochrones': { allow: seesAnalysis, refusedAsNotFound: analysisNotFound, request: onAnalysis({}, { stepMinutes: '1' }) },
  'POST /api/v1/analyses/{id}/cancel': { allow: runsAnalysis, refusedAsNotFound: (c, w) => analysisNotFound(c) && !(analysisReader(c) && coversDistrict(c, w)), request: async (fx, _c, w, fresh) => ({ params: { id: fresh ? await fx.newAnalysis(w) : fx.analyses[w] }, body: {} }), fresh: true },
  'POST /api/v1/analyses/{id}/rerun': { allow: runsAnalysis, refusedAsNotFound: (c, w) => analysisNotFound(c) && !(analysisReader(c) && coversDistrict(c, w)), request: onAnalysis() },
  // 灾害态势研判 / 避险转移: the run's readers see its impact and board (before a start the board is not found, 404 for everyone allowed);
  // its runners start it (the fixture's short flood reaches nobody: 422); a count is for whoever sees the case (the case policy then
  // lets only the community's task unit count — refusals per unit in flood-impact.test.ts; this case has no such community: 404).
  'GET /api/v1/analyses/{id}/impact': { allow: seesAnalysis, refusedAsNotFound: analysisNotFound, request: onAnalysis() },
  'GET /api/v1/analyses/{id}/evacuation': { allow: seesAnalysis, refusedAsNotFound: analysisNotFound, request: onAnalysis() },
  'POST /api/v1/analyses/{id}/evacuation': { allow: runsAnalysis, refusedAsNotFound: (c, w) => analysisNotFound(c) && !(analysisReader(c) && coversDistrict(c, w)), request: (fx, _c, w) => ({ params: { id: fx.analyses[w] }, body: {} }) },
  'POST /api/v1/cases/{caseId}/evacuation/{communityCode}': { allow: seesCase, request: (fx, _c, w) => ({ params: { caseId: fx.shared.case[w].id, communityCode: '000000000000' }, body: { moved: 1, staying: 0, missing: 0 } }) },
  // ─── rasters ─────────────────────────────────────────────────────────────────────────────
  'POST /api/v1/rasters': { allow: changesRaster, request: (fx, _c, w) => ({ query: { name: '矩阵测试地形', center: `center-${fx.districtOf(w)}` }, body: SMALL_GEOTIFF, contentType: 'image/tiff' }) },
  'GET /api/v1/rasters': { allow: (c) => adminOrSystem(c) || is(c, 'operator', 'supervisor'), request: none, lists: (fx, w) => fx.rasters[w] },
  'GET /api/v1/rasters/{id}': { allow: seesRaster, request: onRaster() },
  'GET /api/v1/rasters/{id}/image.png': { allow: seesRaster, request: onRaster({ ramp: 'terrain' }) },
  'GET /api/v1/rasters/{id}/contours': { allow: seesRaster, request: onRaster({ levels: '150,250' }) },
  'DELETE /api/v1/rasters/{id}': { allow: changesRaster, request: async (fx, _c, w, fresh) => ({ params: { id: fresh ? await fx.newRaster(w) : fx.rasters[w] } }), fresh: true },
};
