import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDemoJurisdictions } from './demo-geography.ts';
import { geometryAreaDeg2, geometryAreaKm2, geometryBBox, interiorPoint, listPolygons, pointInGeometry, validateAreaGeometry } from '../../../src/geo/geometry.ts';
import type { JurisdictionRecord } from '../../../src/geo/jurisdiction.ts';
import { JurisdictionResolver } from '../../../src/geo/resolver.ts';
import { createRandom } from '../../../src/geo/seeded-random.ts';

const RESOURCES_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The shipped real points (Vonng/adcode): [street code, lng, lat] of the streets' seats and of their communities. */
function realPoints(): { seats: [string, number, number][]; communities: [string, number, number][]; streetNames: string[] } {
  const rows = (file: string) => {
    const [head, ...lines] = fs.readFileSync(path.join(RESOURCES_DIR, 'geo', file), 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
    const keys = head!.split(',');
    return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i]!, v])) as Record<string, string>);
  };
  const streets = rows('chongqing_street_points_gcj02.csv');
  return {
    seats: streets.filter((r) => r['lng_gcj02']).map((r) => [r['code']!, Number(r['lng_gcj02']), Number(r['lat_gcj02'])]),
    communities: rows('chongqing_community_points_gcj02.csv').map((r) => [r['street_code']!, Number(r['lng_gcj02']), Number(r['lat_gcj02'])]),
    streetNames: streets.map((r) => r['name']!),
  };
}

describe('generateDemoJurisdictions for 渝中 and 南岸', () => {
  let records: JurisdictionRecord[];
  let resolver: JurisdictionResolver;
  beforeAll(() => {
    records = generateDemoJurisdictions({ resourcesDir: RESOURCES_DIR, districts: ['500103', '500108'] });
    resolver = JurisdictionResolver.build(records);
  });
  const ofLevel = (level: JurisdictionRecord['level']) => records.filter((r) => r.level === level);

  it('is deterministic, and a district does not depend on which others are generated', () => {
    const again = generateDemoJurisdictions({ resourcesDir: RESOURCES_DIR, districts: ['500108', '500103'] });
    expect(JSON.stringify(again)).toBe(JSON.stringify(records));
    const alone = generateDemoJurisdictions({ resourcesDir: RESOURCES_DIR, districts: ['500108'] });
    expect(JSON.stringify(alone.slice(1))).toBe(JSON.stringify(records.filter((r) => r.code.startsWith('500108'))));
  });

  it('has the city, the real districts and the real streets', () => {
    expect(records[0]).toMatchObject({ code: '500000', name: '重庆市', level: 'city', geometry: null, parentCode: null });
    expect(ofLevel('district').map((r) => [r.code, r.name, r.generated])).toEqual([
      ['500103', '渝中区', false],
      ['500108', '南岸区', false],
    ]);
    const streets = ofLevel('street');
    expect(streets.filter((s) => s.parentCode === '500103')).toHaveLength(11);
    expect(streets.filter((s) => s.parentCode === '500108')).toHaveLength(15);
    expect(streets.map((s) => s.name)).toContain('解放碑街道');
    expect(streets.every((s) => /^50010[38]\d{3}$/.test(s.code))).toBe(true);
  });

  it('generates 10–12 communities per street and plausible names and codes', () => {
    for (const street of ofLevel('street')) {
      const communities = ofLevel('community').filter((c) => c.parentCode === street.code);
      expect(communities.length).toBeGreaterThanOrEqual(10);
      expect(communities.length).toBeLessThanOrEqual(12);
      for (const c of communities) {
        expect(c.code).toMatch(new RegExp(`^${street.code}\\d{3}$`));
        expect(c.name).toMatch(street.name.endsWith('街道') ? /^\p{Script=Han}{2,4}社区$/u : /^\p{Script=Han}{2,4}(村|社区)$/u);
      }
      expect(new Set(communities.map((c) => c.name)).size).toBe(communities.length);
    }
    for (const grid of ofLevel('grid')) {
      expect(grid.code).toMatch(new RegExp(`^${grid.parentCode}\\d{3}$`));
      expect(grid.name).toMatch(/^第\d+网格$/);
    }
    // 南岸 has towns as well as 街道: their villages use the 200+ code range.
    expect(ofLevel('community').some((c) => c.name.endsWith('村') && c.code.slice(9) >= '200')).toBe(true);
  });

  it('grows each street around its real points: every seat and community point lies in its own street', () => {
    const { seats, communities } = realPoints();
    const ours = (code: string) => code.startsWith('500103') || code.startsWith('500108');
    const checked = [...seats, ...communities].filter(([code]) => ours(code));
    expect(checked.length).toBeGreaterThan(60);
    for (const [code, x, y] of checked) {
      expect(resolver.resolve(x, y)?.chain.find((l) => l.level === 'street')?.code, `${code} ${x},${y}`).toBe(code);
    }
    // 解放碑 is 解放碑街道 (it was 石油路街道 when streets were laid out in code order).
    expect(resolver.resolve(106.577, 29.557)?.chain.find((l) => l.level === 'street')?.name).toBe('解放碑街道');
  });

  it('names the community at the street seat after the street, and no other after a real place', () => {
    const { seats, streetNames } = realPoints();
    const [, x, y] = seats.find(([code]) => code === '500103003')!; // 解放碑街道
    const seatCommunity = resolver.resolve(x, y)!.chain.find((l) => l.level === 'community')!;
    expect(seatCommunity.name).toBe('解放碑社区');
    const stem = (name: string) => name.replace(/(街道|镇|乡|社区|村)$/, '');
    const real = [...streetNames, ...ofLevel('district').map((d) => d.name.replace(/(区|县)$/, '')), '观音桥', '南坪', '石桥铺', '杨家坪', '磁器口', '红岩']
      .map(stem).filter((n) => n.length >= 2);
    for (const c of ofLevel('community')) {
      const own = stem(records.find((r) => r.code === c.parentCode)!.name);
      const name = stem(c.name);
      if (name === own) continue;
      for (const r of real) expect(r.includes(name) || name.includes(r), `${c.name} (${c.code}) borrows ${r}`).toBe(false);
    }
  });

  it('marks everything generated and keeps every polygon valid', () => {
    for (const r of records) {
      if (r.level === 'city' || r.level === 'district') continue;
      expect(r.generated).toBe(true);
      expect(r.properties['generated']).toBe(true);
      expect(validateAreaGeometry(r.geometry), r.code).toBeNull();
    }
  });

  it('nests every street, community and grid in its parent', () => {
    for (const r of records) {
      if (r.level === 'city' || r.level === 'district') continue;
      const [x, y] = interiorPoint(r.geometry!);
      expect(resolver.containsPoint(r.parentCode!, x, y), r.code).toBe(true);
      for (const polygon of listPolygons(r.geometry!)) {
        for (const [vx, vy] of polygon[0]!) expect(resolver.distanceMeters(r.parentCode!, vx, vy), r.code).toBeLessThan(0.01);
      }
    }
  });

  it('tiles each district with its grids: areas add up and every point is in exactly one grid', () => {
    for (const d of ofLevel('district')) {
      const grids = ofLevel('grid').filter((g) => g.code.startsWith(d.code));
      // Square degrees add up exactly (km² would use each polygon's own latitude scale).
      const sum = grids.reduce((a, g) => a + geometryAreaDeg2(g.geometry!), 0);
      expect(Math.abs(sum - geometryAreaDeg2(d.geometry!)) / geometryAreaDeg2(d.geometry!)).toBeLessThan(1e-9);
      const boxes = grids.map((g) => geometryBBox(g.geometry!));
      const [x0, y0, x1, y1] = geometryBBox(d.geometry!);
      const random = createRandom(3);
      for (let k = 0; k < 1500; ) {
        const x = x0 + random() * (x1 - x0);
        const y = y0 + random() * (y1 - y0);
        if (!pointInGeometry(d.geometry!, x, y)) continue;
        k++;
        let hits = 0;
        grids.forEach((g, i) => {
          const b = boxes[i]!;
          if (x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3] && pointInGeometry(g.geometry!, x, y)) hits++;
        });
        expect(hits, `${x},${y}`).toBe(1);
      }
    }
  });

  it('makes 渝中 far denser than 南岸', () => {
    const density = (code: string) =>
      ofLevel('grid').filter((g) => g.code.startsWith(code)).length / geometryAreaKm2(records.find((r) => r.code === code)!.geometry!);
    expect(density('500103')).toBeGreaterThan(5 * density('500108'));
  });

  it('rejects an unknown district', () => {
    expect(() => generateDemoJurisdictions({ resourcesDir: RESOURCES_DIR, districts: ['110101'] })).toThrow(/unknown district/);
  });
});

describe('generateDemoJurisdictions for the whole city', () => {
  it('makes about 62,000 grids, and every point in the city resolves to one', () => {
    const phases: string[] = [];
    const records = generateDemoJurisdictions({ resourcesDir: RESOURCES_DIR, onProgress: (phase, done, total) => phases.push(`${phase} ${done}/${total}`) });
    expect(phases.at(-1)).toBe('districts 38/38');
    const count = (level: string) => records.filter((r) => r.level === level).length;
    expect(count('district')).toBe(38);
    expect(count('street')).toBe(1031);
    expect(count('community')).toBeGreaterThanOrEqual(10 * 1031);
    expect(count('community')).toBeLessThanOrEqual(12 * 1031);
    expect(Math.abs(count('grid') - 62_000)).toBeLessThan(620);

    const resolver = JurisdictionResolver.build(records);
    const districts = records.filter((r) => r.level === 'district');
    const random = createRandom(5);
    for (let k = 0; k < 20_000; ) {
      const x = 105.2 + random() * 5.1;
      const y = 28.1 + random() * 4.2;
      const district = resolver.findContaining(x, y, 'district');
      if (!district) continue;
      k++;
      const found = resolver.resolve(x, y)!;
      expect(found.snappedMeters).toBeUndefined();
      expect(found.chain).toHaveLength(5);
      expect(found.chain[1]!.code).toBe(district);
    }
    expect(districts.every((d) => !d.generated)).toBe(true);

    // All 891 street seats and 1,158 community points lie in their own street.
    const { seats, communities } = realPoints();
    expect(seats).toHaveLength(891);
    expect(communities.length).toBeGreaterThan(1100);
    const misplaced = [...seats, ...communities].filter(([code, x, y]) => resolver.resolve(x, y)?.chain[2]?.code !== code);
    expect(misplaced).toEqual([]);
  }, 240_000);
});
