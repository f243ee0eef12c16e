import { beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES_DIR } from '../../cities/chongqing/demo/demo-city.ts';
import { generateDemoJurisdictions } from '../../cities/chongqing/demo/demo-geography.ts';
import { JurisdictionResolver } from '../geo/resolver.ts';
import { createRandom } from '../geo/seeded-random.ts';
import { gridsWithin } from './grids-within.ts';

describe('gridsWithin', () => {
  let resolver: JurisdictionResolver;
  beforeAll(() => {
    resolver = JurisdictionResolver.build(generateDemoJurisdictions({ resourcesDir: RESOURCES_DIR, districts: ['500103', '500108'] }));
  });

  it('agrees with measuring every grid', () => {
    const grids = resolver.list('grid');
    const random = createRandom(3);
    let nonEmpty = 0;
    for (let q = 0; q < 60; q++) {
      // Around 渝中 and 南岸, including points in the river and outside the city.
      const x = 106.5 + random() * 0.3, y = 29.45 + random() * 0.15;
      const radius = [0, 200, 1000, 3000][q % 4]!;
      const expected = grids
        .map((g) => ({ code: g.code, d: resolver.distanceMeters(g.code, x, y) }))
        .filter((g) => g.d <= radius)
        .sort((a, b) => a.d - b.d || (a.code < b.code ? -1 : 1))
        .map((g) => g.code);
      expect(gridsWithin(resolver, x, y, radius)).toEqual(expected);
      if (expected.length > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(20);
  });

  it('starts with the grid containing the point', () => {
    const [x, y] = [106.577, 29.557];
    const found = gridsWithin(resolver, x, y, 500);
    expect(found[0]).toBe(resolver.resolveLowest(x, y));
    expect(found.length).toBeGreaterThan(1);
    expect(() => gridsWithin(resolver, x, y, -1)).toThrow(RangeError);
  });
});
