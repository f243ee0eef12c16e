/**
 * 灾害态势研判 throughput: `assessImpact` over a 1000 × 1000 raster of 10 m cells in UTM 48N
 * (10 km × 10 km around 解放碑, the whole of 渝中 and its neighbours' edges), with a seeded depth
 * field flooding about half the cells, the demo city's generated geography (渝中, 沙坪坝, 南岸),
 * population and assets. The projection is the platform's own (proj4 + GCJ-02). One thread.
 */
import { fileURLToPath } from 'node:url';
import { generateDemoJurisdictions } from '../cities/chongqing/demo/demo-geography.ts';
import { generateDemoPopulation } from '../cities/chongqing/demo/demo-population.ts';
import { generateDemoAssets } from '../cities/chongqing/demo/demo-assets.ts';
import { JurisdictionResolver } from '../src/geo/resolver.ts';
import { createRandom } from '../src/geo/seeded-random.ts';
import { gcj02ToWgs84 } from '../src/geo/crs.ts';
import { crsTransform } from '../src/raster/raster-crs.ts';
import { assessImpact } from '../src/analyses/impact/assess-impact.ts';
import { rasterToGcj02 } from '../src/platform-impact.ts';

const RESOURCES_DIR = fileURLToPath(new URL('../cities/chongqing', import.meta.url));
const SIZE = 1000;
const CELL_M = 10;

export interface ImpactBenchResult {
  cells: number;
  floodedCells: number;
  assessMs: number;
  cellsPerSecond: number;
  communities: number;
  peopleAffected: number;
  assetsAtRisk: number;
}

export async function runImpactBench(opts: { seconds: number; log: (m: string) => void }): Promise<ImpactBenchResult> {
  opts.log('impact: generating the demo geography of 渝中, 沙坪坝 and 南岸');
  const records = generateDemoJurisdictions({ resourcesDir: RESOURCES_DIR, districts: ['500103', '500106', '500108'] });
  const resolver = JurisdictionResolver.build(records);
  const population = new Map(generateDemoPopulation(records).map((r) => [r.gridCode, r.people]));
  const assets = generateDemoAssets(resolver, { districts: ['500103', '500106', '500108'] });
  const [cx, cy] = crsTransform('EPSG:32648').fromWgs84(...gcj02ToWgs84(106.577, 29.557));
  const raster = { width: SIZE, height: SIZE, originX: cx - (SIZE / 2) * CELL_M, originY: cy + (SIZE / 2) * CELL_M, cellWidth: CELL_M, cellHeight: CELL_M, crs: 'EPSG:32648' };
  const random = createRandom(17);
  const maxDepth = new Float32Array(SIZE * SIZE);
  const arrivalTime = new Float32Array(SIZE * SIZE);
  for (let i = 0; i < maxDepth.length; i++) {
    const d = random() * 1.2 - 0.4; // about half the cells at 0.15 m or more
    maxDepth[i] = d > 0 ? d : 0;
    arrivalTime[i] = d > 0.05 ? random() * 7200 : NaN;
  }
  const proj = rasterToGcj02('EPSG:32648');
  const input = { raster, maxDepth, arrivalTime, toLngLat: proj.toLngLat, fromLngLat: proj.fromLngLat, places: resolver, assets, population };
  opts.log('impact: assessing (one warm-up, then timed runs)');
  let report = assessImpact(input);
  const runs: number[] = [];
  const until = performance.now() + opts.seconds * 1000;
  do {
    const t0 = performance.now();
    report = assessImpact(input);
    runs.push(performance.now() - t0);
  } while (performance.now() < until && runs.length < 20);
  runs.sort((a, b) => a - b);
  const median = runs[Math.floor(runs.length / 2)]!;
  let flooded = 0;
  for (const d of maxDepth) if (d >= report.floodedDepthM) flooded++;
  return {
    cells: SIZE * SIZE,
    floodedCells: flooded,
    assessMs: Math.round(median),
    cellsPerSecond: Math.round((SIZE * SIZE) / (median / 1000)),
    communities: report.peopleToMove.length,
    peopleAffected: report.peopleAffected,
    assetsAtRisk: report.assets.length,
  };
}
