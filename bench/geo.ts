/**
 * Point → grid lookup throughput over the full demo city (~62,000 generated grids inside the
 * 38 real districts). Seeded: the same points every run. One core: the timed loop is a plain
 * synchronous loop on the calling thread.
 */
import { fileURLToPath } from 'node:url';
import { generateDemoJurisdictions } from '../cities/chongqing/demo/demo-geography.ts';
import { buildGridLattice, lookupGridLattice } from '../src/geo/grid-lattice.ts';
import { buildPolygonStore } from '../src/geo/polygon-store.ts';
import { JurisdictionResolver } from '../src/geo/resolver.ts';
import { createRandom } from '../src/geo/seeded-random.ts';

const RESOURCES_DIR = fileURLToPath(new URL('../cities/chongqing', import.meta.url));

export interface GeoBenchResult {
  lookupsPerSecond: number;
  grids: number;
  buildMs: number;
  points: number;
  /** Time to generate the demo jurisdictions (not part of the lookup figure). */
  generateMs: number;
}

export async function runGeoBench(opts: { seconds?: number; onProgress?: (msg: string) => void } = {}): Promise<GeoBenchResult> {
  const seconds = opts.seconds ?? 3;
  const say = opts.onProgress ?? (() => {});

  say('generating the demo city');
  let t = performance.now();
  const records = generateDemoJurisdictions({ resourcesDir: RESOURCES_DIR });
  const generateMs = performance.now() - t;
  const grids = records.filter((r) => r.level === 'grid').length;
  say(`generated ${records.length} jurisdictions (${grids} grids) in ${generateMs.toFixed(0)} ms`);

  t = performance.now();
  const resolver = JurisdictionResolver.build(records);
  const buildMs = performance.now() - t;
  say(`resolver built in ${buildMs.toFixed(0)} ms`);

  // Uniform random points inside the city: rejection sampling in its bounding box against the
  // district polygons (through their own lattice, so sampling does not use the code measured).
  const districts = records.filter((r) => r.level === 'district');
  const districtStore = buildPolygonStore(districts.map((r) => r.geometry));
  const districtLattice = buildGridLattice(districtStore, Int32Array.from(districts.keys()), { targetCells: 1 << 20 });
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < districts.length; i++) {
    minX = Math.min(minX, districtStore.bbox[4 * i]!);
    minY = Math.min(minY, districtStore.bbox[4 * i + 1]!);
    maxX = Math.max(maxX, districtStore.bbox[4 * i + 2]!);
    maxY = Math.max(maxY, districtStore.bbox[4 * i + 3]!);
  }
  const points = 1_000_000;
  const xs = new Float64Array(points);
  const ys = new Float64Array(points);
  const random = createRandom(20240601);
  for (let n = 0; n < points; ) {
    const x = minX + random() * (maxX - minX);
    const y = minY + random() * (maxY - minY);
    if (lookupGridLattice(districtLattice, districtStore, x, y) < 0) continue;
    xs[n] = x;
    ys[n] = y;
    n++;
  }
  say(`sampled ${points} points inside the city`);

  // One warm-up pass for the JIT, then whole passes until the time is up.
  let misses = 0;
  for (let i = 0; i < points; i++) if (resolver.resolveLowest(xs[i]!, ys[i]!) === null) misses++;
  let lookups = 0;
  t = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < points; i++) if (resolver.resolveLowest(xs[i]!, ys[i]!) === null) misses++;
    lookups += points;
    elapsed = performance.now() - t;
  } while (elapsed < seconds * 1000);
  const lookupsPerSecond = Math.round((lookups / elapsed) * 1000);
  if (misses > 0) say(`warning: ${misses} lookups found no jurisdiction`);
  say(`${lookupsPerSecond} lookups/s`);
  return { lookupsPerSecond, grids, buildMs: Math.round(buildMs), points, generateMs: Math.round(generateMs) };
}
