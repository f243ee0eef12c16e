/**
 * What running a model as a job costs beside calling it: a lake on a 2000 × 2000 bowl (4 M cells)
 * through the analyses' queue (the raster read from the catalogue, the cells copied to a worker
 * thread, the model, the layer saved, the row marked) against the same lakeFill called directly;
 * and the smallest job (fill on 20 × 20 cells), which is nearly all worker start (tsx in the thread)
 * and bookkeeping. The server's own thread stays free meanwhile: the largest gap between timer
 * ticks of this thread during the big job is reported too.
 *
 * Run alone: npx tsx bench/analyses-jobs.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSettings } from '../src/config.ts';
import { openPlatform, type Platform } from '../src/platform.ts';
import { SYSTEM_PRINCIPAL } from '../src/auth/principal.ts';
import { terrainOf, type Grid } from '../src/raster/grid.ts';
import { lakeFill } from '../src/hydro/terrain/lake-fill.ts';

export interface AnalysisJobBenchResult {
  /** lakeFill called directly on the 4 M-cell bowl, seconds */
  lakeDirectSeconds4M: number;
  /** the same lake as a job, from POST to succeeded, seconds */
  lakeJobSeconds4M: number;
  /** the smallest job (fill, 400 cells), asked to succeeded, seconds: the fixed cost of a job */
  tinyJobSeconds: number;
  /** the longest this thread waited for a 10 ms timer while the big job ran, ms */
  mainThreadMaxGapMs: number;
}

function bowl(size: number, cell: number): Grid {
  const data = new Float32Array(size * size);
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) data[r * size + c] = 200 + (((c - size / 2) * cell) ** 2 + ((r - size / 2) * cell) ** 2) / 2000;
  // UTM 48N around 渝中区: a real place, so the job's points are placed as in service.
  return { width: size, height: size, originX: 590_000, originY: 3_270_000, cellWidth: cell, cellHeight: cell, crs: 'EPSG:32648', sourceNodata: null, data };
}

async function runJob(p: Platform, req: { model: string; rasterId: string; inputs?: unknown }): Promise<number> {
  const t0 = performance.now();
  const run = await p.analyses.start(SYSTEM_PRINCIPAL, req);
  for (;;) {
    const r = await p.analyses.get(SYSTEM_PRINCIPAL, run.id);
    if (r.state === 'succeeded') return (performance.now() - t0) / 1000;
    if (r.state === 'failed' || r.state === 'cancelled') throw new Error(`${r.state}: ${r.error?.message}`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

export async function runAnalysisJobBench(opts: { log?: (m: string) => void } = {}): Promise<AnalysisJobBenchResult> {
  const log = opts.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'cityloop-bench-analyses-'));
  const p = await openPlatform({ ...readSettings({}), dataDir: dir, databaseUrl: undefined, demo: false }, { classifier: null, subscribeTelemetry: false });
  try {
    const owner = { kind: 'dem' as const, ownerCenterId: 'bench', createdBy: 'bench' };
    const big = bowl(2000, 2);
    const bigId = (await p.rasters.save(big, { name: 'bench bowl 2000', ...owner })).id;
    const tinyId = (await p.rasters.save(bowl(20, 10), { name: 'bench bowl 20', ...owner })).id;
    // The seed: the bowl's centre cell, as WGS-84 from the raster's own conversion.
    const { crsTransform } = await import('../src/raster/raster-crs.ts');
    const [lng, lat] = crsTransform('EPSG:32648').toWgs84(big.originX + 1000 * 2 + 1, big.originY - 1000 * 2 - 1);
    let t = performance.now();
    const direct = lakeFill(terrainOf(big), { col: 1000, row: 1000 }, 230);
    const lakeDirectSeconds4M = (performance.now() - t) / 1000;
    log(`direct lake: ${lakeDirectSeconds4M.toFixed(3)} s, ${direct.cells} cells`);
    await runJob(p, { model: 'fill', rasterId: tinyId }); // warms the catalogue and the module cache
    let maxGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 10);
    const lakeJobSeconds4M = await runJob(p, { model: 'lake', rasterId: bigId, inputs: { datum: 'wgs84', seed: { lng, lat }, levelM: 230 } });
    clearInterval(ticker);
    log(`lake as a job: ${lakeJobSeconds4M.toFixed(3)} s; this thread's longest timer gap ${maxGap.toFixed(1)} ms`);
    t = performance.now();
    const tinyJobSeconds = await runJob(p, { model: 'fill', rasterId: tinyId });
    log(`tiny job: ${tinyJobSeconds.toFixed(3)} s (${((performance.now() - t) / 1000).toFixed(3)})`);
    return { lakeDirectSeconds4M, lakeJobSeconds4M, tinyJobSeconds, mainThreadMaxGapMs: Math.round(maxGap) };
  } finally {
    await p.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runAnalysisJobBench({ log: (m) => console.error(m) });
  console.log(JSON.stringify(result, null, 2));
}
