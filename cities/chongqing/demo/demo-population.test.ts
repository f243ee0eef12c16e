import { beforeAll, describe, expect, it } from 'vitest';
import { generateDemoJurisdictions } from './demo-geography.ts';
import { RESOURCES_DIR } from './demo-city.ts';
import { CENSUS_2020_DISTRICT_TOTALS, generateDemoPopulation } from './demo-population.ts';
import type { JurisdictionRecord } from '../../../src/geo/jurisdiction.ts';

describe('the demo city\'s generated population', () => {
  let records: JurisdictionRecord[];
  beforeAll(() => {
    records = generateDemoJurisdictions({ resourcesDir: RESOURCES_DIR, districts: ['500103', '500108'] });
  });

  it('spreads each district\'s census total over its grids exactly, every grid a whole number from 0', () => {
    const rows = generateDemoPopulation(records);
    const byCode = new Map(records.map((r) => [r.code, r]));
    const districtOf = (code: string): string => {
      let r = byCode.get(code);
      while (r && r.level !== 'district') r = r.parentCode ? byCode.get(r.parentCode) : undefined;
      return r!.code;
    };
    const sums = new Map<string, number>();
    for (const r of rows) {
      expect(Number.isInteger(r.people) && r.people >= 0).toBe(true);
      sums.set(districtOf(r.gridCode), (sums.get(districtOf(r.gridCode)) ?? 0) + r.people);
    }
    expect(Object.fromEntries(sums)).toEqual({ '500103': CENSUS_2020_DISTRICT_TOTALS['500103'], '500108': CENSUS_2020_DISTRICT_TOTALS['500108'] });
    // Every grid of the two districts has a figure.
    expect(rows.length).toBe(records.filter((r) => r.level === 'grid').length);
  });

  it('is the same every time (seeded), and denser where the seeded factor says, not uniform', () => {
    const a = generateDemoPopulation(records);
    expect(generateDemoPopulation(records)).toEqual(a);
    const mean = a.reduce((s, r) => s + r.people, 0) / a.length;
    const sd = Math.sqrt(a.reduce((s, r) => s + (r.people - mean) ** 2, 0) / a.length);
    // The factor alone (uniform 0.5–1.5) gives a spread of 0.29 of the mean; areas add to it.
    expect(sd / mean).toBeGreaterThan(0.2);
  });

  it('a district without a known total gets no figure', () => {
    expect(generateDemoPopulation(records, { '500103': 1000 }).every((r) => r.gridCode.startsWith('500103'))).toBe(true);
  });
});
