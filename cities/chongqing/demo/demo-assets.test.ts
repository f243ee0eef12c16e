import { beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES_DIR, unitIdOf } from './demo-city.ts';
import { generateDemoJurisdictions } from './demo-geography.ts';
import { JurisdictionResolver } from '../../../src/geo/resolver.ts';
import { ASSET_TYPES, type AssetRecord } from '../../../src/assets/asset.ts';
import { AssetIndex } from '../../../src/assets/asset-index.ts';
import { DEMO_POINTS, generateDemoAssets } from './demo-assets.ts';
import { parseAssetFeatureCollection } from '../../../src/assets/import-assets.ts';

describe('generateDemoAssets for 渝中, 沙坪坝 and 南岸', () => {
  let resolver: JurisdictionResolver;
  let records: AssetRecord[];
  let index: AssetIndex;
  beforeAll(() => {
    resolver = JurisdictionResolver.build(generateDemoJurisdictions({ resourcesDir: RESOURCES_DIR, districts: ['500103', '500106', '500108'] }));
    records = generateDemoAssets(resolver);
    index = AssetIndex.build(records);
  });

  it('is deterministic, and a district does not depend on which others are generated', () => {
    expect(JSON.stringify(generateDemoAssets(resolver))).toBe(JSON.stringify(records));
    const alone = generateDemoAssets(resolver, { districts: ['500106'] });
    expect(JSON.stringify(alone)).toBe(JSON.stringify(records.filter((r) => r.jurisdictionCode === '500106')));
    // Districts the resolver lacks are ignored.
    expect(generateDemoAssets(resolver, { districts: ['500119'] })).toEqual([]);
  });

  it('marks everything generated, names it in Chinese and passes the import rules', () => {
    for (const r of records) {
      expect(r.generated).toBe(true);
      expect(r.properties['generated']).toBe(true);
      expect(r.name).toMatch(/\p{Script=Han}/u);
      expect(['500103', '500106', '500108']).toContain(r.jurisdictionCode);
    }
    // Round trip through the importer: every generated record is valid import input.
    for (const type of ASSET_TYPES) {
      const ofType = records.filter((r) => r.type === type);
      const fc = {
        type: 'FeatureCollection',
        features: ofType.map((r) => ({ type: 'Feature', id: r.id, properties: { ...r.properties, name: r.name, unit_id: r.unitId }, geometry: r.geometry })),
      };
      const parsed = parseAssetFeatureCollection(fc, { type, resolver });
      expect(parsed.errors).toEqual([]);
      expect(parsed.records).toEqual(ofType);
    }
  });

  it('has a water network whose mains belong to their district water company', () => {
    const mains = records.filter((r) => r.type === 'water_main');
    expect(mains.length).toBeGreaterThan(2000);
    for (const m of mains) expect(m.unitId).toBe(unitIdOf(m.jurisdictionCode!, 'water-supply'));
    const trunk = mains.filter((m) => (m.properties['diameter_mm'] as number) >= 500).length;
    expect(trunk / mains.length).toBeGreaterThan(0.05);
    expect(trunk / mains.length).toBeLessThan(0.35);
    expect(new Set(mains.map((m) => m.properties['diameter_mm']))).toEqual(new Set([150, 200, 300, 400, 600, 800, 1000]));
  });

  it('puts a main under 500 mm by 国宾医院, a trunk main at the trunk point, and 太平洋广场 as the water point', () => {
    const [gx, gy] = DEMO_POINTS.guobinHospital;
    expect(resolver.resolve(gx, gy)!.chain[1]!.code).toBe('500103');
    const byHospital = index.nearest('water_main', gx, gy, 50)!;
    expect(byHospital.asset.properties['diameter_mm']).toBeLessThan(500);
    expect(byHospital.asset.unitId).toBe('unit-500103-water-supply');
    expect(index.nearest('place', gx, gy, 30, (a) => a.properties['kind'] === 'hospital')!.asset.name).toBe('国宾医院');
    expect(index.nearest('place', gx, gy, 0, (a) => a.properties['kind'] === 'community')!.asset.name).toBe('嘉西村社区');
    expect(index.nearest('water_point', gx, gy, 5000)!.asset.name).toBe('太平洋广场应急供水点');

    const [tx, ty] = DEMO_POINTS.trunkMainBurst;
    expect(index.nearest('water_main', tx, ty, 50)!.asset.properties['diameter_mm']).toBeGreaterThanOrEqual(500);
    const [jx, jy] = DEMO_POINTS.jiefangbei;
    expect(index.nearest('water_main', jx, jy, 50)!.asset.properties['diameter_mm']).toBeLessThan(500);
  });

  it('has 南开下穿道 with its gauge, camera and exactly the two signals outside it', () => {
    const [ux, uy] = DEMO_POINTS.nankaiUnderpass;
    const underpass = index.nearest('underpass', ux, uy, 300)!;
    expect(underpass).toMatchObject({ asset: { name: '南开下穿道', jurisdictionCode: '500106', properties: { limit_m: 0.5 } }, distanceMeters: 0 });
    expect(index.nearest('sensor', ux, uy, 50)!.asset.properties).toMatchObject({ device_id: 'gauge-nankai-01', sensor_kind: 'water_level' });
    expect(index.nearest('camera', ux, uy, 300)!.asset.properties['device_id']).toBe('cam-nankai-01');
    const signals = index.within('traffic_signal', ux, uy, 300);
    expect(signals.map((s) => s.asset.properties['device_id']).sort()).toEqual(['signal-nankai-n', 'signal-nankai-s']);
    for (const s of signals) expect(s.asset.unitId).toBe(unitIdOf('500106', 'traffic-police'));
    expect(index.nearest('place', ...DEMO_POINTS.sanxiaSquare, 10)!.asset.name).toBe('三峡广场');
  });

  it('has manholes with and without an owner, cameras at squares, and villages near the forest', () => {
    const owned = index.nearest('manhole', ...DEMO_POINTS.ownedManhole, 30)!.asset;
    expect(owned).toMatchObject({ unitId: unitIdOf('500103', 'urban-management'), properties: { owner_kind: 'urban-management' } });
    expect(index.nearest('manhole', ...DEMO_POINTS.unownedManhole, 30)!.asset.unitId).toBeNull();
    const manholes = records.filter((r) => r.type === 'manhole');
    expect(manholes.length).toBeGreaterThan(100);
    for (const m of manholes) {
      const kind = m.properties['owner_kind'];
      expect(m.unitId).toBe(typeof kind === 'string' ? unitIdOf(m.jurisdictionCode!, kind) : null);
    }
    for (const square of records.filter((r) => r.type === 'place' && r.properties['kind'] === 'square')) {
      const [x, y] = square.geometry.coordinates as [number, number];
      expect(index.nearest('camera', x, y, 100), square.name!).not.toBeNull();
    }
    const [fx, fy] = DEMO_POINTS.nanshanForestFire;
    expect(index.nearest('place', fx, fy, 0, (a) => a.properties['kind'] === 'forest')!.asset.name).toBe('南山森林公园');
    const villages = index.within('place', fx, fy, 5000, (a) => a.properties['kind'] === 'village');
    expect(villages.length).toBeGreaterThan(3);
    for (const v of villages) expect(v.asset.name).toMatch(/村$/);
  });
});
