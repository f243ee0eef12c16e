/**
 * Terrain kernels' throughput: Priority-Flood depression filling on a 4000 × 4000 DEM (16 M cells)
 * and the static lake (r.lake) on a 2000 × 2000 DEM. The DEMs are generated, the same every run:
 * the whitebox sample DEM (../shared/data) resampled bilinearly to half its cell size, tiled
 * mirror-wise (so the surface stays continuous across tile seams) and roughened with ±0.25 m of
 * seeded noise, which makes many small pits as a real high-resolution DEM has.
 * One core: the timed calls are plain synchronous calls on the calling thread.
 *
 * Run alone: npx tsx bench/models-terrain.ts [path/to/whitebox-sample-dem.tif]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MAX_RASTER_CELLS, readGeoTiff } from '../src/raster/geotiff-reader.ts';
import { createRandom } from '../src/geo/seeded-random.ts';
import { terrainOf, type TerrainGrid } from '../src/raster/grid.ts';
import { fillDepressions } from '../src/hydro/terrain/fill-depressions.ts';
import { fillDepressionsInParallel } from '../src/hydro/terrain/fill-depressions-parallel.ts';
import { lakeFill } from '../src/hydro/terrain/lake-fill.ts';

const DEFAULT_DEM = fileURLToPath(new URL('../../shared/data/dem/whitebox-sample-dem.tif', import.meta.url));

export interface TerrainBenchResult {
  /** DEM cells filled per second (all cells of the 4000 × 4000 grid / time) */
  fillCellsPerSecond: number;
  /** cells put under water per second by lakeFill */
  lakeCellsPerSecond: number;
  fillSeconds16M: number;
  lakeSeconds4M: number;
  /** the same fill on two worker threads (fillDepressionsInParallel), wall clock, workers' start included */
  fillSeconds16MTwoThreads: number;
  /** CPU seconds of the same calls (process.cpuUsage): on a busy machine they say more than the wall clock */
  fillCpuSeconds16M: number;
  lakeCpuSeconds4M: number;
  /** cells the fill raised, and cells under the lake: what the figures were measured on */
  fillRaisedCells: number;
  lakeWetCells: number;
}

async function readDem(path: string): Promise<TerrainGrid> {
  return terrainOf(await readGeoTiff(readFileSync(path), { maxCells: DEFAULT_MAX_RASTER_CELLS }));
}

/** The source DEM at half its cell size, tiled mirror-wise to width × height, with seeded noise. */
export function generateTerrain(source: TerrainGrid, width: number, height: number, seed: number): TerrainGrid {
  const random = createRandom(seed);
  const sw = source.width;
  const sh = source.height;
  // coordinate along a mirrored tiling: 0 … n−1, n−1 … 0, 0 … (period 2(n−1))
  const mirror = (x: number, n: number): number => {
    const period = 2 * (n - 1);
    const m = ((x % period) + period) % period;
    return m <= n - 1 ? m : period - m;
  };
  const data = new Float32Array(width * height);
  for (let r = 0; r < height; r++) {
    const y = mirror(r / 2, sh);
    const y0 = Math.min(Math.floor(y), sh - 2);
    const fy = y - y0;
    for (let c = 0; c < width; c++) {
      const x = mirror(c / 2, sw);
      const x0 = Math.min(Math.floor(x), sw - 2);
      const fx = x - x0;
      const i = y0 * sw + x0;
      const s = source.data;
      const z = (s[i]! * (1 - fx) + s[i + 1]! * fx) * (1 - fy) + (s[i + sw]! * (1 - fx) + s[i + sw + 1]! * fx) * fy;
      data[r * width + c] = z + (random() - 0.5) * 0.5;
    }
  }
  return { width, height, dx: source.dx / 2, dy: source.dy / 2, data };
}

export async function runTerrainBench(opts: { log?: (m: string) => void; demPath?: string } = {}): Promise<TerrainBenchResult> {
  const log = opts.log ?? (() => {});
  const source = await readDem(opts.demPath ?? DEFAULT_DEM);

  log('generating a 4000 × 4000 DEM');
  const big = generateTerrain(source, 4000, 4000, 20261208);
  let t = performance.now();
  let cpu = process.cpuUsage();
  const filled = fillDepressions(big);
  const fillSeconds16M = (performance.now() - t) / 1000;
  const fillCpu = process.cpuUsage(cpu);
  let fillRaisedCells = 0;
  for (let i = 0; i < filled.length; i++) if (filled[i] !== big.data[i]) fillRaisedCells++;
  log(`fill: ${fillSeconds16M.toFixed(2)} s, ${fillRaisedCells} cells raised`);
  t = performance.now();
  const filledInParallel = await fillDepressionsInParallel(big, { threads: 2 });
  const fillSeconds16MTwoThreads = (performance.now() - t) / 1000;
  for (let i = 0; i < filled.length; i++) {
    if (filled[i] !== filledInParallel[i]) throw new Error(`the fill on two threads differs from the one on one thread at cell ${i}`);
  }
  log(`fill on two threads: ${fillSeconds16MTwoThreads.toFixed(2)} s`);

  log('generating a 2000 × 2000 DEM');
  const mid = generateTerrain(source, 2000, 2000, 20261209);
  // seed at the lowest cell, level at the 90th percentile of the elevations: most of the grid floods
  let lowest = 0;
  for (let i = 1; i < mid.data.length; i++) if (mid.data[i]! < mid.data[lowest]!) lowest = i;
  const sorted = Float32Array.from(mid.data).sort();
  const level = sorted[Math.floor(sorted.length * 0.9)]!;
  t = performance.now();
  cpu = process.cpuUsage();
  const lake = lakeFill(mid, { col: lowest % mid.width, row: Math.floor(lowest / mid.width) }, level);
  const lakeSeconds4M = (performance.now() - t) / 1000;
  const lakeCpu = process.cpuUsage(cpu);
  log(`lake: ${lakeSeconds4M.toFixed(3)} s, ${lake.cells} cells under water at ${level.toFixed(1)} m`);

  return {
    fillCellsPerSecond: Math.round(big.data.length / fillSeconds16M),
    lakeCellsPerSecond: Math.round(lake.cells / lakeSeconds4M),
    fillSeconds16M,
    lakeSeconds4M,
    fillSeconds16MTwoThreads,
    fillCpuSeconds16M: (fillCpu.user + fillCpu.system) / 1e6,
    lakeCpuSeconds4M: (lakeCpu.user + lakeCpu.system) / 1e6,
    fillRaisedCells,
    lakeWetCells: lake.cells,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runTerrainBench({ log: (m) => console.error(m), ...(process.argv[2] ? { demPath: process.argv[2] } : {}) });
  console.log(JSON.stringify(result, null, 2));
}
