import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES_DIR } from './demo-city.ts';
import { generateDemoJurisdictions } from './demo-geography.ts';
import { JurisdictionResolver } from '../../../src/geo/resolver.ts';
import { generateDemoAssets } from './demo-assets.ts';
import { representativePoint } from '../../../src/assets/asset-geometry.ts';
import { openStore, type StoreAdapter } from '../../../src/store/store.ts';
import { parseCameraEvent } from '../../../src/sensing/muck/camera-event.ts';
import { enrichCameraEvent, suggestAlert } from '../../../src/sensing/muck/muck-chain.ts';
import { listMuckPermits, listMuckSites, listMuckTrucks, MuckRegistry } from '../../../src/sensing/muck/muck-repository.ts';
import { DEMO_MUCK, demoMuckSpillEvent, seedDemoMuckChain } from './demo-muck-chain.ts';
import { CAMERA_EVENT_CATEGORIES } from '../mappings.ts';

describe('the demo muck chain', () => {
  let store: StoreAdapter;
  let dir: string;
  let resolver: JurisdictionResolver;
  const registry = () => new MuckRegistry(store);
  const now = new Date('2026-03-02T14:30:00Z'); // 22:30 in Chongqing, inside the permits' hours

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cityloop-demo-muck-'));
    store = await openStore({ dataDir: dir });
    resolver = JurisdictionResolver.build(generateDemoJurisdictions({ resourcesDir: RESOURCES_DIR, districts: ['500103', '500107'] }));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is stored through the import rules, marked generated, and seeding twice changes nothing', async () => {
    expect(await seedDemoMuckChain(store, { now })).toEqual({ sites: 2, permits: 2, trucks: 3 });
    expect(await seedDemoMuckChain(store, { now })).toEqual({ sites: 2, permits: 2, trucks: 3 });
    const [sites, permits, trucks] = await Promise.all([listMuckSites(store.db), listMuckPermits(store.db), listMuckTrucks(store.db)]);
    expect(sites).toHaveLength(2);
    expect(permits).toHaveLength(2);
    expect(trucks.map((t) => [t.plate, t.permitId])).toEqual([
      ['渝A73521', 'demo-muck-permit-1'],
      ['渝A8Q602', null],
      ['渝B36051D', 'demo-muck-permit-2'],
    ]);
    for (const r of [...sites, ...permits, ...trucks]) expect(r.properties['generated']).toBe(true);
    for (const s of sites) expect(s.name).toMatch(/（演示）$/);
    expect(permits[0]).toMatchObject({ validFrom: '2024-12-31T16:00:00.000Z', validTo: '2027-12-31T16:00:00.000Z', status: 'active' });
  });

  it('lies in 渝中 and 九龙坡, and its camera is the demo layer’s camera at 解放碑', () => {
    const camera = generateDemoAssets(resolver, { districts: ['500103'] }).find((a) => a.properties['device_id'] === DEMO_MUCK.cameraId);
    expect(camera?.geometry.type).toBe('Point');
    const [x, y] = camera!.geometry.coordinates as [number, number];
    expect(DEMO_MUCK.camera[0]).toBeCloseTo(x, 9);
    expect(DEMO_MUCK.camera[1]).toBeCloseTo(y, 9);
    return (async () => {
      const sites = await listMuckSites(store.db);
      for (const s of sites) {
        const [sx, sy] = representativePoint(s.geometry);
        expect(resolver.findContaining(sx, sy, 'district'), s.name).toBe(s.districtCode);
      }
      for (const p of await listMuckPermits(store.db)) {
        for (const [px, py] of p.route.coordinates) expect(['500103', '500107']).toContain(resolver.findContaining(px, py, 'district'));
      }
    })();
  });

  it('stages the scene: on route (yellow), off route (orange), no permit (orange)', async () => {
    const r = registry();
    await r.reload();
    const camera = { lon: DEMO_MUCK.camera[0], lat: DEMO_MUCK.camera[1] };
    const run = (truck: keyof typeof DEMO_MUCK.plates) => {
      const parsed = parseCameraEvent(demoMuckSpillEvent(truck, new Date(now.getTime() - 60_000)), { now });
      if (!parsed.ok) throw new Error(parsed.reason);
      const enrichment = enrichCameraEvent(parsed.event, camera, r.lookup());
      return { enrichment, alert: suggestAlert(parsed.event, enrichment, { categories: CAMERA_EVENT_CATEGORIES }) };
    };
    const on = run('onRoute');
    expect(on.enrichment).toMatchObject({ flags: [], offRoute: false, excavationSite: { id: DEMO_MUCK.excavationSiteId, districtCode: '500103' }, disposalSite: { id: DEMO_MUCK.disposalSiteId, districtCode: '500107' } });
    expect(on.enrichment.distanceToRouteMeters).toBeLessThan(10);
    expect(on.alert).toMatchObject({ severity: 'yellow', category: 'construction.muck-spillage', dedupKey: 'camera:cam-jiefangbei-01:muck_spill:渝A73521' });

    const off = run('offRoute');
    expect(off.enrichment.flags).toEqual(['off_route']);
    expect(off.enrichment.distanceToRouteMeters).toBeGreaterThan(500);
    expect(off.alert?.severity).toBe('orange');
    // docs/reference/muck-chain.md quotes this title.
    expect(off.alert?.title.zh).toBe('渣土车撒漏：渝B·36051D（偏离核准路线 652 米，来源 渝中区小什字片区城市更新项目出土工地（演示））');

    const none = run('noPermit');
    expect(none.enrichment).toMatchObject({ flags: ['no_permit'], truck: { plate: '渝A8Q602' } });
    expect(none.alert?.severity).toBe('orange');
  });
});
