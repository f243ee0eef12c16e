/**
 * The authorization matrix (issue 14): every operation of the OpenAPI document, asked by every
 * kind of caller — administrator, city, district and street operators and supervisors, unit staff,
 * a grid worker, a citizen, a system token and nobody — about a resource inside and one outside
 * the caller's jurisdiction or unit. A refusal must be 401 (nobody) or 403; an allowed call must
 * get past authorization (any answer but 401/403, never a 5xx); a list must not show the outside
 * resource to a caller bound to 渝中. An operation without an entry here fails the test, so a new
 * route cannot ship without saying who may call it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL, type Role } from '../../src/auth/principal.ts';
import type { Tier } from '../../src/cases/case-model.ts';
import { centerIdOf, DEMO_PASSWORD, unitIdOf } from '../../cities/chongqing/demo/demo-city.ts';
import { openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { testHttp, type Method } from '../support/http.ts';
import { exampleOf, type JsonSchema } from '../support/schema-example.ts';
import { MATRIX, type Caller, type Fixture, type Where } from './authorization-matrix.ts';

/** The problem codes that refuse the caller (who it is, or what its token may do). */
const REFUSALS = new Set(['AUTH_REQUIRED', 'AUTH_INVALID_TOKEN', 'FORBIDDEN_ROLE', 'FORBIDDEN_JURISDICTION', 'SESSION_REQUIRED', 'TOKEN_SCOPE_MISSING']);

const IN = { lng: 106.577, lat: 29.557 }; // 解放碑, 渝中区 — inside every caller bound to 渝中
const OUT = { lng: 106.5637, lat: 29.5313 }; // 南坪, 南岸区

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly key: string;
  readonly bearer: boolean;
  readonly body: JsonSchema | undefined;
  readonly bodyType: string | undefined;
}

function operationsOf(doc: any): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const content = op.requestBody?.content as Record<string, { schema: JsonSchema }> | undefined;
      const bodyType = content ? (Object.keys(content).find((t) => t === 'application/json') ?? Object.keys(content)[0]) : undefined;
      out.push({ method: method.toUpperCase(), path, key: `${method.toUpperCase()} ${path}`, bearer: Array.isArray(op.security) && op.security.length > 0, body: bodyType ? content![bodyType]!.schema : undefined, bodyType });
    }
  }
  return out;
}

describe('authorization matrix: every operation, every kind of caller, inside and outside', () => {
  let tp: TestPlatform;
  let ops: Operation[] = [];
  let fx: Fixture;
  const callers: Caller[] = [];
  let baseUrl = '';

  // Requests name the bearer token itself; bodies go as the matrix builds them (JSON text, or as is).
  const http = testHttp(() => tp.app, (token) => token);
  const inject = (token: string | null, method: string, url: string, payload?: unknown, contentType?: string, remoteAddress = '127.0.0.1') =>
    http.request({
      method: method as Method,
      url,
      as: token,
      remoteAddress,
      headers: contentType ? { 'content-type': contentType } : {},
      ...(payload !== undefined ? { body: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload) } : {}),
    });
  const must = async (token: string, method: string, url: string, payload?: unknown, contentType?: string) => {
    const r = await inject(token, method, url, payload, contentType ?? (payload !== undefined && typeof payload !== 'string' ? 'application/json' : undefined));
    if (r.status >= 300) throw new Error(`${method} ${url} → ${r.status} ${r.text}`);
    return r.body;
  };

  beforeAll(async () => {
    tp = await openTestPlatform('sqlite');
    const doc = (await tp.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    ops = operationsOf(doc);
    const admin = await tp.signIn('admin');
    const me = async (token: string) => (await inject(token, 'GET', '/api/v1/me')).body;

    // A street supervisor (the demo has none) and a system account with an API token.
    const street = await me(await tp.signIn('street.operator'));
    await must(admin, 'POST', '/api/v1/users', { username: 'street.supervisor', displayName: '街道督办员', password: DEMO_PASSWORD, roles: ['supervisor'], centerId: street.centerId, jurisdictionCode: street.jurisdictionCode });
    const systemUser = await tp.platform.auth.createUser({ username: 'gateway.system', displayName: '物联网关', password: 'not-for-sign-in-0', roles: ['system'], centerId: null, unitId: null, jurisdictionCode: null, phone: null });
    const systemToken = async () => (await tp.platform.auth.createApiToken(SYSTEM_PRINCIPAL, systemUser, 'matrix', { scopes: ['read', 'write', 'ingest', 'open311'] })).token;

    const people: [string, string, boolean][] = [
      ['admin', 'admin', false],
      ['city operator', 'city.operator', false],
      ['city supervisor', 'city.supervisor', false],
      ['district operator', 'yuzhong.operator', true],
      ['district supervisor', 'yuzhong.supervisor', true],
      ['street operator', 'street.operator', true],
      ['street supervisor', 'street.supervisor', true],
      ['unit staff', 'yuzhong.water', true],
      ['grid worker', 'gridworker', true],
      ['citizen', 'citizen.zhang', true],
    ];
    // Each caller from an address of its own: the sign-in throttle counts failures by address, and a
    // wrong one-time code sent on purpose by one caller must not slow the others down.
    for (const [i, [label, username, local]] of people.entries()) {
      const token = await tp.signIn(username);
      const p = await me(token);
      callers.push({ label, username, userId: p.userId, role: p.roles[0] as Role, tier: p.tier as Tier | null, unitId: p.unitId, local, token, address: `127.0.1.${i + 1}`, freshToken: () => tp.signIn(username) });
    }
    callers.push({ label: 'system token', username: 'gateway.system', userId: systemUser, role: 'system', tier: null, unitId: null, local: false, token: await systemToken(), address: '127.0.2.1', freshToken: systemToken });
    callers.push({ label: 'anonymous', username: '', userId: '', role: 'anonymous', tier: null, unitId: null, local: false, token: null, address: '127.0.2.2', freshToken: async () => null });

    // The inside point lies in the street operator's street and the grid worker's grid.
    const chain = (await inject(null, 'GET', `/api/v1/geo/resolve?lng=${IN.lng}&lat=${IN.lat}&crs=gcj02`)).body.chain.map((l: { code: string }) => l.code);
    const grid = await me(callers.find((c) => c.role === 'grid_worker')!.token!);
    expect(chain).toContain(street.jurisdictionCode);
    expect(chain).toContain(grid.jurisdictionCode);

    const units = { in: unitIdOf('500103', 'water-supply'), out: unitIdOf('500108', 'water-supply') };
    const citizens = { in: await tp.signIn('citizen.zhang'), out: await tp.signIn('citizen.li') };
    const point = (w: Where) => (w === 'in' ? IN : OUT);
    let serial = 0;
    const newCase = async (w: Where) => {
      const c = await must(citizens[w], 'POST', '/api/v1/cases', { categoryCode: 'municipal.water.burst', title: `矩阵测试爆管 ${++serial}`, ...point(w), crs: 'gcj02' });
      await must(admin, 'POST', `/api/v1/cases/${c.id}/register`, {});
      const tasks = [{ unitId: units[w], role: 'lead' }, ...(w === 'in' ? [{ unitId: grid.unitId, role: 'assist' }] : [])];
      const d = await must(admin, 'POST', `/api/v1/cases/${c.id}/dispatch`, { tasks });
      const lead = d.tasks.find((t: any) => t.role === 'lead').id as string;
      const assist = (d.tasks.find((t: any) => t.role === 'assist')?.id ?? lead) as string;
      return { id: c.id as string, number: c.number as string, leadTaskId: lead, assistTaskId: assist };
    };
    const newDevice = async (w: Where) => {
      const id = `matrix-${w}-${++serial}`;
      await must(admin, 'POST', '/api/v1/devices', { id, type: 'water_gauge', name: `矩阵测试水位计${serial}`, lon: point(w).lng, lat: point(w).lat, crs: 'gcj02', unitId: units[w] });
      return id;
    };
    const newAlert = async (w: Where) => {
      const p = point(w);
      const d = 0.002;
      const ring = [[p.lat - d, p.lng - d], [p.lat - d, p.lng + d], [p.lat + d, p.lng + d], [p.lat + d, p.lng - d], [p.lat - d, p.lng - d]].map(([a, b]) => `${a},${b}`).join(' ');
      const xml = `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>MATRIX-${w}-${++serial}</identifier><sender>matrix@example.org</sender><sent>2026-03-02T09:00:00+08:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
<info><language>zh-CN</language><category>Met</category><event>暴雨</event><urgency>Immediate</urgency><severity>Severe</severity><certainty>Likely</certainty><headline>矩阵测试暴雨预警</headline>
<area><areaDesc>测试区域</areaDesc><polygon>${ring}</polygon></area></info></alert>`;
      const r = await must(admin, 'POST', '/api/v1/cap', xml, 'application/cap+xml');
      const raised = r.raised as { id: string; districtCode: string }[];
      expect(raised.map((a) => a.districtCode)).toEqual([w === 'in' ? '500103' : '500108']);
      return raised[0]!.id;
    };
    const shared = { case: { in: await newCase('in'), out: await newCase('out') }, device: { in: await newDevice('in'), out: await newDevice('out') }, alert: { in: await newAlert('in'), out: await newAlert('out') } };
    const attachment = async (caseId: string) => (await must(admin, 'POST', `/api/v1/cases/${caseId}/attachments?fileName=photo.png`, Buffer.from('89504e470d0a1a0a', 'hex'), 'image/png')).id as string;
    const attachments = { in: await attachment(shared.case.in.id), out: await attachment(shared.case.out.id) };
    // A user no caller is: the target of user administration, and the owner of tokens to revoke.
    const target = await tp.platform.auth.createUser({ username: 'matrix.target', displayName: '矩阵测试对象', password: DEMO_PASSWORD, roles: ['operator'], centerId: street.centerId, unitId: null, jurisdictionCode: street.jurisdictionCode, phone: null });
    const newApiToken = async () => (await tp.platform.auth.createApiToken(SYSTEM_PRINCIPAL, target, 'matrix', { scopes: ['read'] })).id;
    const plan = (await must(admin, 'GET', '/api/v1/plans')).items[0].id as string;
    const rule = (await must(admin, 'GET', '/api/v1/rules')).items[0].id as string;
    // A raster of each district's center (6 × 5 cells of UTM 48N), saved through the catalogue.
    const newRaster = async (w: Where) => {
      const data = new Float32Array(30).map((_, i) => 100 + i);
      const grid = { width: 6, height: 5, originX: 500000, originY: 3300000, cellWidth: 30, cellHeight: 30, crs: 'EPSG:32648', sourceNodata: null, data };
      return (await tp.platform.rasters.save(grid, { name: `矩阵测试栅格 ${++serial}`, kind: 'dem', ownerCenterId: centerIdOf(w === 'in' ? '500103' : '500108'), createdBy: 'matrix' })).id;
    };
    const rasters = { in: await newRaster('in'), out: await newRaster('out') };
    // A short flood on each district's raster, finished (its layers, snapshots and arrival times to read).
    const newAnalysis = async (w: Where) => (await must(admin, 'POST', '/api/v1/analyses', { model: 'fill', rasterId: rasters[w] }, 'application/json')).id as string;
    const flood = async (w: Where) => (await must(admin, 'POST', '/api/v1/analyses', { model: 'flood', rasterId: rasters[w], inputs: { rainfall: [{ hyetograph: [{ t: 0, value: 200 }] }], durationS: 120, outputIntervalS: 60, arrivalThresholdM: 0.001 } }, 'application/json')).id as string;
    const analyses = { in: await flood('in'), out: await flood('out') };
    await tp.platform.analyses.idle();
    fx = {
      rasters,
      newRaster,
      analyses,
      newAnalysis,
      point,
      units,
      districtOf: (w) => (w === 'in' ? '500103' : '500108'),
      shared,
      attachments,
      planId: plan,
      ruleId: rule,
      newCase,
      newDevice,
      newAlert,
      newView: async (c, w) => {
        // The caller's own view; another person's (a citizen of 南岸) outside, and for whoever has no account.
        const owner = w === 'in' && c.token ? c.token : citizens.out;
        return (await must(owner, 'POST', '/api/v1/case-views', { name: `矩阵测试视图 ${++serial}`, query: {} })).id as string;
      },
      targetUserId: target,
      newApiToken,
      newUnit: async (w) => (await tp.platform.orgAdmin.createUnit(SYSTEM_PRINCIPAL, { name: '矩阵测试单位', kind: `matrix-unit-${++serial}`, centerId: centerIdOf(w === 'in' ? '500103' : '500108'), categoryCodes: ['municipal'] })).id,
      sharedApiToken: await newApiToken(),
      deviceBody: (id) => {
        const d = tp.platform.sensing.devices.require(id);
        return { id: d.id, type: d.type, name: d.name, lon: d.lon, lat: d.lat, crs: 'gcj02', unitId: d.unitId, thresholds: { ...d.thresholds }, properties: { ...d.properties } };
      },
    };
    await tp.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = tp.app.server.address();
    baseUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  }, 180_000);
  afterAll(async () => tp?.close());

  it('has an entry for every operation of the OpenAPI document, and none for an operation that is gone', () => {
    const keys = new Set(ops.map((o) => o.key));
    expect(ops.length).toBeGreaterThan(100);
    expect(ops.filter((o) => !MATRIX[o.key]).map((o) => o.key), 'operations without an entry in test/api/authorization-matrix.ts').toEqual([]);
    expect(Object.keys(MATRIX).filter((k) => !keys.has(k)), 'entries for operations that no longer exist').toEqual([]);
  });

  it('refuses whom it must and lets in whom it should, inside and outside', async () => {
    const wrong: string[] = [];
    for (const op of ops) {
      const entry = MATRIX[op.key];
      if (!entry) continue;
      for (const where of ['in', 'out'] as const) {
        // Refusals first, on shared resources (a refusal writes nothing); then allowed callers,
        // each on a fresh resource where the call would change who may act next.
        const order = [...callers].sort((a, b) => Number(entry.allow(a, where)) - Number(entry.allow(b, where)));
        for (const caller of order) {
          const allowed = entry.allow(caller, where);
          const req = await entry.request(fx, caller, where, allowed && entry.fresh === true);
          const token = entry.ownToken ? await caller.freshToken() : caller.token;
          const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
            const v = req.params?.[name];
            if (v === undefined) throw new Error(`${op.key}: no value for {${name}}`);
            return encodeURIComponent(v);
          });
          const qs = req.query ? `?${new URLSearchParams(req.query).toString()}` : '';
          // The entry's body, or else the smallest one the schema accepts.
          let payload: unknown = req.body;
          if (payload === undefined && op.body && op.bodyType === 'application/json') payload = exampleOf(op.body);
          const contentType = req.contentType ?? (payload !== undefined ? (op.bodyType === 'application/json' || typeof payload !== 'string' ? 'application/json' : op.bodyType) : undefined);
          let status: number;
          let text: string;
          let code: string | undefined;
          if (entry.stream) {
            const ac = new AbortController();
            const res = await fetch(`${baseUrl}${path}${qs}`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: ac.signal });
            status = res.status;
            text = status >= 300 ? await res.text() : '';
            ac.abort();
          } else {
            const res = await inject(token, op.method, `${path}${qs}`, payload, contentType, caller.address);
            status = res.status;
            text = res.text;
          }
          try {
            code = (JSON.parse(text) as { code?: string }).code;
          } catch {
            code = undefined;
          }
          // A refusal of the caller, as opposed to a refusal of what it asked (a wrong old password is 403 too).
          const refused = (status === 401 || status === 403) && code !== undefined && REFUSALS.has(code);
          const label = `${op.key} by ${caller.label} ${where}side`;
          if (status >= 500) wrong.push(`${label}: ${status} ${text.slice(0, 200)}`);
          else if (!allowed) {
            const notFound = typeof entry.refusedAsNotFound === 'function' ? entry.refusedAsNotFound(caller, where) : entry.refusedAsNotFound === true;
            const want = caller.role === 'anonymous' ? 401 : notFound ? 404 : 403;
            if (status !== want || (want !== 404 && !refused)) wrong.push(`${label}: expected ${want}, got ${status} ${text.slice(0, 160)}`);
          } else if (refused) wrong.push(`${label}: expected to be allowed, got ${status} ${text.slice(0, 160)}`);
          else if (entry.lists && status === 200) {
            const shown = text.includes(entry.lists(fx, where));
            const mayShow = !caller.local || where === 'in';
            if (shown && !mayShow) wrong.push(`${label}: the list shows the outside resource`);
          }
        }
      }
    }
    if (process.env.MATRIX_REPORT) (await import('node:fs')).writeFileSync(process.env.MATRIX_REPORT, wrong.join('\n'));
    expect(wrong).toEqual([]);
  }, 300_000);
});
