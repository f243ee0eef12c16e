import { mkdtempSync, rmSync } from 'node:fs';
import { strictBodySchemaController } from '../body-guards.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import { openStore, type StoreAdapter } from '../../store/store.ts';
import type { Principal } from '../../auth/principal.ts';
import { handleError } from '../problem.ts';
import { Problem } from '../schemas.ts';
import { parseCameraEvent } from '../../sensing/muck/camera-event.ts';
import { enrichCameraEvent } from '../../sensing/muck/muck-chain.ts';
import { MuckRegistry, recordCameraEvent } from '../../sensing/muck/muck-repository.ts';
import { DEMO_MUCK, demoMuckChainDocument, demoMuckSpillEvent } from '../../../cities/chongqing/demo/demo-muck-chain.ts';
import { canReadMuck, registerMuckRoutes } from './muck-routes.ts';
import { MUCK_READER_UNIT_KINDS } from '../../../cities/chongqing/mappings.ts';

const principal = (username: string, over: Partial<Principal>): Principal => ({ userId: username, username, displayName: username, roles: [], centerId: null, tier: null, unitId: null, jurisdictionCode: null, ...over });
/** Bearer token → principal: the same shapes AuthService hands out for the demo users. */
const PRINCIPALS: Record<string, Principal> = {
  admin: principal('admin', { roles: ['admin'] }),
  'city.operator': principal('city.operator', { roles: ['operator'], centerId: 'c-500000', tier: 'city', jurisdictionCode: '500000' }),
  'yuzhong.operator': principal('yuzhong.operator', { roles: ['operator'], centerId: 'c-500103', tier: 'district', jurisdictionCode: '500103' }),
  'yuzhong.supervisor': principal('yuzhong.supervisor', { roles: ['supervisor'], centerId: 'c-500103', tier: 'district', jurisdictionCode: '500103' }),
  'street.operator': principal('street.operator', { roles: ['operator'], centerId: 'c-500103001', tier: 'street', jurisdictionCode: '500103001' }),
  'yuzhong.urban': principal('yuzhong.urban', { roles: ['unit_staff'], unitId: 'unit-500103-urban-management', jurisdictionCode: '500103' }),
  'yuzhong.housing': principal('yuzhong.housing', { roles: ['unit_staff'], unitId: 'unit-500103-housing-construction', jurisdictionCode: '500103' }),
  'yuzhong.water': principal('yuzhong.water', { roles: ['unit_staff'], unitId: 'unit-500103-water-supply', jurisdictionCode: '500103' }),
  'citizen.zhang': principal('citizen.zhang', { roles: ['citizen'] }),
};
const UNIT_KINDS: Record<string, string> = {
  'unit-500103-urban-management': 'urban-management',
  'unit-500103-housing-construction': 'housing-construction',
  'unit-500103-water-supply': 'water-supply',
};

describe('who reads the muck-truck chain', () => {
  const org = { unit: (id: string) => (UNIT_KINDS[id] ? { kind: UNIT_KINDS[id]! } : undefined) };
  it("lets the pack's reader unit kinds in; a pack naming none leaves center staff and administrators only", () => {
    const chongqing = new Set(MUCK_READER_UNIT_KINDS);
    const none = new Set<string>();
    expect(canReadMuck(PRINCIPALS['yuzhong.urban']!, org, chongqing)).toBe(true);
    expect(canReadMuck(PRINCIPALS['yuzhong.water']!, org, chongqing)).toBe(false);
    expect(canReadMuck(PRINCIPALS['yuzhong.urban']!, org, none)).toBe(false);
    expect(canReadMuck(PRINCIPALS['yuzhong.housing']!, org, none)).toBe(false);
    for (const who of ['admin', 'city.operator', 'yuzhong.supervisor']) expect(canReadMuck(PRINCIPALS[who]!, org, none), who).toBe(true);
    expect(canReadMuck(PRINCIPALS['citizen.zhang']!, org, none)).toBe(false);
  });
});

describe('muck routes', () => {
  let store: StoreAdapter;
  let dir: string;
  let app: FastifyInstance;
  let muck: MuckRegistry;
  const clock = new ManualClock('2026-03-02T14:30:00Z');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cityloop-muck-routes-'));
    store = await openStore({ dataDir: dir });
    muck = new MuckRegistry(store);
    await muck.reload();
    // As buildApp sets it up: principal decoration, problem+json errors, the same validators (strict bodies).
    app = Fastify({ schemaController: strictBodySchemaController });
    app.decorateRequest('principal', null);
    app.setErrorHandler(handleError);
    app.addSchema(Problem);
    await app.register(swagger, { openapi: { openapi: '3.0.3', info: { title: 'test', version: '1' }, components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } } });
    app.addHook('onRequest', async (req) => {
      const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      req.principal = token ? (PRINCIPALS[token] ?? null) : null;
    });
    registerMuckRoutes(app, {
      store,
      clock,
      org: { unit: (id) => (UNIT_KINDS[id] ? { kind: UNIT_KINDS[id]! } : undefined) },
      muck,
      pack: { muckReaderUnitKinds: MUCK_READER_UNIT_KINDS },
      resolver: () => ({ findContaining: (lng) => (lng > 106.53 ? '500103' : '500107') }),
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('documents every route in OpenAPI with a summary', () => {
    const doc = app.swagger() as { paths: Record<string, Record<string, { summary?: string; tags?: string[] }>> };
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([m, op]) => ({ route: `${m.toUpperCase()} ${path}`, op })));
    expect(ops.map((o) => o.route).sort()).toEqual([
      'GET /api/v1/camera-events',
      'GET /api/v1/muck/permits',
      'GET /api/v1/muck/sites',
      'GET /api/v1/muck/trucks',
      'GET /api/v1/muck/trucks/{plate}',
      'POST /api/v1/muck/import',
      'POST /api/v1/muck/permits',
      'POST /api/v1/muck/sites',
      'POST /api/v1/muck/trucks',
    ]);
    for (const { route, op } of ops) {
      expect(op.summary, route).toBeTruthy();
      expect(op.tags, route).toEqual(['muck']);
    }
  });

  const call = async (who: string | null, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, ...(who ? { headers: { authorization: `Bearer ${who}` } } : {}), ...(payload !== undefined ? { payload: payload as object } : {}) });
    return { status: res.statusCode, body: res.json() as any, type: String(res.headers['content-type']) };
  };

  it('imports the chain: administrators and city/district operators only, dry run first', async () => {
    const doc = demoMuckChainDocument(clock.now());
    expect((await call(null, 'POST', '/api/v1/muck/import', doc)).status).toBe(401);
    for (const who of ['street.operator', 'yuzhong.supervisor', 'yuzhong.urban', 'citizen.zhang']) {
      const r = await call(who, 'POST', '/api/v1/muck/import', doc);
      expect(r.status, who).toBe(403);
      expect(r.body.code).toBe('FORBIDDEN_ROLE');
    }
    expect(await call('yuzhong.operator', 'POST', '/api/v1/muck/import?dryRun=true', doc)).toMatchObject({ status: 200, body: { sites: 2, permits: 2, trucks: 3, dryRun: true } });
    expect(muck.lookup().size).toEqual({ sites: 0, permits: 0, trucks: 0 });
    expect(await call('yuzhong.operator', 'POST', '/api/v1/muck/import', doc)).toMatchObject({ status: 201, body: { sites: 2, permits: 2, trucks: 3, dryRun: false } });
    // The registry enrichment reads is reloaded at once.
    expect(muck.lookup().size).toEqual({ sites: 2, permits: 2, trucks: 3 });
  });

  it('takes one section at a time, as an array or {items}, filling districts from the map', async () => {
    const site = { id: 'ex-2', kind: 'excavation', name: '大坪某工地', geometry: { type: 'Point', coordinates: [106.52, 29.54] } };
    expect(await call('city.operator', 'POST', '/api/v1/muck/sites', [site])).toMatchObject({ status: 201, body: { sites: 1, permits: 0, trucks: 0 } });
    expect(await call('admin', 'POST', '/api/v1/muck/trucks', { items: [{ plate: '渝A·50001', company: '个体', permitId: 'demo-muck-permit-1' }] })).toMatchObject({ status: 201, body: { trucks: 1 } });
    const sites = await call('admin', 'GET', '/api/v1/muck/sites?kind=excavation');
    expect(sites.body.items.map((s: any) => [s.id, s.districtCode])).toEqual([['demo-muck-site-xiaoshizi', '500103'], ['ex-2', '500107']]);
  });

  it('refuses a bad document whole, as problem+json with every error by place', async () => {
    const r = await call('admin', 'POST', '/api/v1/muck/permits', [{ id: 'p-x', number: 'X' }, { id: 'p-y' }]);
    expect(r.status).toBe(400);
    expect(r.type).toMatch(/^application\/problem\+json/);
    expect(r.body.code).toBe('VALIDATION_FAILED');
    expect(r.body.errors.map((e: any) => e.path)).toEqual(['permits/0', 'permits/1']);
    expect(r.body.detail).toMatch(/2 problem\(s\), nothing imported: permits\/0: company is required/);
    const refs = await call('admin', 'POST', '/api/v1/muck/trucks', [{ plate: '渝A50002', company: 'x', permitId: 'nope' }]);
    expect(refs.body.errors).toEqual([{ path: 'trucks/0', index: 0, message: 'permitId nope: no such permit' }]);
    expect((await call('admin', 'POST', '/api/v1/muck/import', { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { kind: 'boat' }, geometry: null }] })).body.errors[0].path).toBe('features/0');
    expect((await call('admin', 'POST', '/api/v1/muck/sites', { items: 'x' })).status).toBe(400);
  });

  it('shows the chain to center staff and the enforcing and tracing units, not to others', async () => {
    for (const who of ['admin', 'city.operator', 'street.operator', 'yuzhong.supervisor', 'yuzhong.urban', 'yuzhong.housing']) {
      expect((await call(who, 'GET', '/api/v1/muck/permits')).status, who).toBe(200);
    }
    for (const who of ['yuzhong.water', 'citizen.zhang']) expect((await call(who, 'GET', '/api/v1/muck/permits')).status, who).toBe(403);
    const permits = await call('yuzhong.urban', 'GET', '/api/v1/muck/permits?status=active');
    expect(permits.body.items.map((p: any) => [p.id, p.validNow, p.route.type])).toEqual([['demo-muck-permit-1', true, 'LineString'], ['demo-muck-permit-2', true, 'LineString']]);
    expect((await call('admin', 'GET', '/api/v1/muck/permits?siteId=ex-2')).body.items).toEqual([]);
    expect((await call('admin', 'GET', '/api/v1/muck/permits?status=closed')).status).toBe(400);
    const trucks = await call('admin', 'GET', '/api/v1/muck/trucks?unpermitted=true');
    expect(trucks.body.items.map((t: any) => t.plate)).toEqual(['渝A8Q602']);
    expect((await call('admin', 'GET', '/api/v1/muck/trucks?permitId=demo-muck-permit-1')).body.items.map((t: any) => t.plate)).toEqual(['渝A50001', '渝A73521']);
  });

  it('gives one truck with its permit, route and sites, whatever the spelling of the plate', async () => {
    const r = await call('yuzhong.urban', 'GET', `/api/v1/muck/trucks/${encodeURIComponent('渝a·73521')}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      truck: { plate: '渝A73521', permitId: 'demo-muck-permit-1' },
      permit: { id: 'demo-muck-permit-1', validNow: true, route: { type: 'LineString' } },
      excavationSite: { id: DEMO_MUCK.excavationSiteId, kind: 'excavation' },
      disposalSite: { id: DEMO_MUCK.disposalSiteId, kind: 'disposal' },
    });
    expect(await call('admin', 'GET', `/api/v1/muck/trucks/${encodeURIComponent('渝A8Q602')}`)).toMatchObject({ status: 200, body: { permit: null, excavationSite: null, disposalSite: null } });
    expect(await call('admin', 'GET', `/api/v1/muck/trucks/${encodeURIComponent('渝C99999')}`)).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect(await call('admin', 'GET', `/api/v1/muck/trucks/${encodeURIComponent('渝C9999')}`)).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });

  it('lists camera events with their enrichment, filtered and by cursor', async () => {
    const camera = { lon: DEMO_MUCK.camera[0], lat: DEMO_MUCK.camera[1] };
    const trucks = ['onRoute', 'offRoute', 'noPermit', 'onRoute'] as const;
    for (const [i, truck] of trucks.entries()) {
      const parsed = parseCameraEvent(demoMuckSpillEvent(truck, new Date(clock.now().getTime() - (10 - i) * 60_000)), { now: clock.now() });
      if (!parsed.ok) throw new Error(parsed.reason);
      await store.transact((tx) => recordCameraEvent(tx, parsed.event, enrichCameraEvent(parsed.event, camera, muck.lookup()), i === 1 ? 'alert-9' : null));
    }
    expect((await call('yuzhong.water', 'GET', '/api/v1/camera-events')).status).toBe(403);
    const all = await call('yuzhong.urban', 'GET', '/api/v1/camera-events');
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(4);
    expect(all.body.items[2]).toMatchObject({ cameraId: 'cam-jiefangbei-01', eventType: '渣土车撒漏', plate: '渝B36051D', alertId: 'alert-9', enrichment: { offRoute: true, flags: ['off_route'] } });
    const byPlate = await call('admin', 'GET', `/api/v1/camera-events?eventType=muck_spill&plate=${encodeURIComponent('渝A·73521')}`);
    expect(byPlate.body.items.map((e: any) => e.plate)).toEqual(['渝A73521', '渝A73521']);
    const page1 = await call('admin', 'GET', '/api/v1/camera-events?limit=3');
    expect(page1.body.items).toHaveLength(3);
    const page2 = await call('admin', 'GET', `/api/v1/camera-events?limit=3&cursor=${encodeURIComponent(page1.body.next)}`);
    expect(page2.body).toMatchObject({ items: [{ plate: '渝A73521' }], next: null });
    const since = await call('admin', 'GET', `/api/v1/camera-events?from=${encodeURIComponent('2026-03-02T22:22:00+08:00')}`);
    expect(since.body.items).toHaveLength(2);
    expect((await call('admin', 'GET', '/api/v1/camera-events?from=yesterday')).status).toBe(400);
    expect((await call('admin', 'GET', '/api/v1/camera-events?cursor=zzz')).status).toBe(400);
    expect((await call('admin', 'GET', '/api/v1/camera-events?plate=abc')).status).toBe(400);
  });
});
