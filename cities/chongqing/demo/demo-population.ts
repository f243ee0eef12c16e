/**
 * The demo city's people per grid: GENERATED (stored with source `generated`), not counted. Each
 * district whose total we know is spread over its grids in proportion to each grid's area times a
 * seeded factor between 0.5 and 1.5 (a city is not evenly dense), then rounded by largest
 * remainder so the grids add up to the district's total exactly.
 *
 * District totals: the 7th national census (第七次全国人口普查, 2020), resident population —
 * 渝中区 588,717 · 沙坪坝区 1,479,941 · 南岸区 1,191,232. Other districts have no figure here: their
 * people are unknown to the demo until a city imports its own table (`cityloop import population`).
 */
import { geometryAreaKm2 } from '../../../src/geo/geometry.ts';
import type { JurisdictionRecord } from '../../../src/geo/jurisdiction.ts';
import { createRandom, hashSeed } from '../../../src/geo/seeded-random.ts';
import type { GridPopulation } from '../../../src/analyses/impact/grid-population.ts';

export const CENSUS_2020_DISTRICT_TOTALS: Readonly<Record<string, number>> = Object.freeze({
  '500103': 588_717, // 渝中区
  '500106': 1_479_941, // 沙坪坝区
  '500108': 1_191_232, // 南岸区
});

/** The district a record lies in, through its parents. */
function districtOf(rec: JurisdictionRecord, byCode: ReadonlyMap<string, JurisdictionRecord>): string | null {
  for (let r: JurisdictionRecord | undefined = rec; r; r = r.parentCode ? byCode.get(r.parentCode) : undefined) if (r.level === 'district') return r.code;
  return null;
}

export function generateDemoPopulation(records: readonly JurisdictionRecord[], totals: Readonly<Record<string, number>> = CENSUS_2020_DISTRICT_TOTALS): GridPopulation[] {
  const byCode = new Map(records.map((r) => [r.code, r]));
  const gridsOf = new Map<string, JurisdictionRecord[]>();
  for (const r of records) {
    if (r.level !== 'grid' || !r.geometry) continue;
    const d = districtOf(r, byCode);
    if (d === null || totals[d] === undefined) continue;
    const list = gridsOf.get(d) ?? [];
    list.push(r);
    gridsOf.set(d, list);
  }
  const out: GridPopulation[] = [];
  for (const [district, grids] of [...gridsOf].sort(([a], [b]) => (a < b ? -1 : 1))) {
    grids.sort((a, b) => (a.code < b.code ? -1 : 1));
    const random = createRandom(hashSeed(`population:${district}`));
    const weights = grids.map((g) => geometryAreaKm2(g.geometry!) * (0.5 + random()));
    const sum = weights.reduce((s, w) => s + w, 0);
    const total = totals[district]!;
    const exact = weights.map((w) => (sum > 0 ? (total * w) / sum : total / grids.length));
    const people = exact.map(Math.floor);
    let left = total - people.reduce((s, p) => s + p, 0);
    // Largest remainder: the grids closest to the next person get one each until the total is met.
    const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (let k = 0; left > 0; k = (k + 1) % order.length, left--) people[order[k]![1]]!++;
    grids.forEach((g, i) => out.push({ gridCode: g.code, people: people[i]! }));
  }
  return out;
}
