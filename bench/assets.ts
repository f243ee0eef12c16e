/**
 * Nearest-water-main throughput: 1,000,000 seeded main segments over the central urban area of
 * Chongqing (100,000 mains of 10 segments, random walks of 30–90 m steps, so ~28 km of main per
 * km² — denser than the real network, the harder case), then `nearest('water_main', …, 50)` at
 * seeded random points. One core: the timed loop is a plain synchronous loop on the calling thread.
 */
import { AssetIndex } from '../src/assets/asset-index.ts';
import type { AssetRecord } from '../src/assets/asset.ts';
import { METERS_PER_DEGREE, type Position } from '../src/geo/geometry.ts';
import { createRandom } from '../src/geo/seeded-random.ts';

export interface AssetBenchResult {
  nearestAssetQueriesPerSecond: number;
  segments: number;
  buildMs: number;
  /** Share of queries that found a main within 50 m. */
  hitRate: number;
  /** Time to generate the mains (not part of either figure). */
  generateMs: number;
}

/** The central urban area (主城区), GCJ-02. */
const BOX = { minX: 106.35, minY: 29.35, maxX: 106.75, maxY: 29.75 } as const;
const MAINS = 100_000;
const SEGMENTS_PER_MAIN = 10;
const DIAMETERS = [150, 200, 300, 400, 600, 800, 1000] as const;

function generateMains(seed: number): AssetRecord[] {
  const random = createRandom(seed);
  const kx = METERS_PER_DEGREE * Math.cos((((BOX.minY + BOX.maxY) / 2) * Math.PI) / 180);
  const records: AssetRecord[] = [];
  for (let m = 0; m < MAINS; m++) {
    let x = BOX.minX + random() * (BOX.maxX - BOX.minX);
    let y = BOX.minY + random() * (BOX.maxY - BOX.minY);
    let heading = random() * 2 * Math.PI;
    const line: Position[] = [[x, y]];
    for (let s = 0; s < SEGMENTS_PER_MAIN; s++) {
      heading += (random() - 0.5) * 0.7;
      const step = 30 + random() * 60;
      x += (Math.cos(heading) * step) / kx;
      y += (Math.sin(heading) * step) / METERS_PER_DEGREE;
      line.push([x, y]);
    }
    records.push({
      id: `bench-main-${m}`,
      type: 'water_main',
      name: null,
      geometry: { type: 'LineString', coordinates: line },
      properties: { diameter_mm: DIAMETERS[Math.floor(random() * DIAMETERS.length)]! },
      unitId: null,
      jurisdictionCode: null,
      generated: true,
    });
  }
  return records;
}

export async function runAssetBench(opts: { seconds?: number; onProgress?: (m: string) => void } = {}): Promise<AssetBenchResult> {
  const seconds = opts.seconds ?? 3;
  const say = opts.onProgress ?? (() => {});

  let t = performance.now();
  const records = generateMains(20240611);
  const generateMs = performance.now() - t;
  say(`generated ${MAINS} mains in ${generateMs.toFixed(0)} ms`);

  t = performance.now();
  const index = AssetIndex.build(records);
  const buildMs = performance.now() - t;
  const segments = index.entryCount('water_main');
  say(`indexed ${segments} segments in ${buildMs.toFixed(0)} ms`);

  const points = 200_000;
  const xs = new Float64Array(points);
  const ys = new Float64Array(points);
  const random = createRandom(7);
  for (let i = 0; i < points; i++) {
    xs[i] = BOX.minX + random() * (BOX.maxX - BOX.minX);
    ys[i] = BOX.minY + random() * (BOX.maxY - BOX.minY);
  }

  // One warm-up pass for the JIT, then whole passes until the time is up.
  let hits = 0;
  for (let i = 0; i < points; i++) if (index.nearest('water_main', xs[i]!, ys[i]!, 50)) hits++;
  const hitRate = hits / points;
  let queries = 0;
  let elapsed = 0;
  t = performance.now();
  do {
    for (let i = 0; i < points; i++) index.nearest('water_main', xs[i]!, ys[i]!, 50);
    queries += points;
    elapsed = performance.now() - t;
  } while (elapsed < seconds * 1000);
  const nearestAssetQueriesPerSecond = Math.round((queries / elapsed) * 1000);
  say(`${nearestAssetQueriesPerSecond} nearest queries/s, ${(hitRate * 100).toFixed(1)}% found a main within 50 m`);
  return { nearestAssetQueriesPerSecond, segments, buildMs: Math.round(buildMs), hitRate: Math.round(hitRate * 1000) / 1000, generateMs: Math.round(generateMs) };
}
