/**
 * The local-inertial flood model (山洪淹没分析): its cell-update rate on a big synthetic grid, and the
 * Merewether validation (1 m DEM, 1000 s) with its peak-stage RMSE against the observed levels, beside
 * TUFLOW's. Not part of `bench all` (minutes on a loaded machine); run it alone:
 *
 *   npx tsx bench/models-flood.ts [dataDir] [--size 2000] [--seconds 60] [--threads 2]
 */
import { fileURLToPath } from 'node:url';
import { buildMerewetherCase, loadMerewether, scoreMerewether } from '../src/hydro/inertial/merewether-case.ts';
import { runLocalInertial } from '../src/hydro/inertial/run-local-inertial.ts';
import type { InertialSetup } from '../src/hydro/model-contracts.ts';

const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../shared/data', import.meta.url));

export interface FloodBenchResult {
  /** cell updates per second on the synthetic grid (every cell wet: rain on all of it), wall time */
  inertialCellUpdatesPerSecond: number;
  /** the same per second of CPU time summed over the threads: what a loaded machine cannot hide */
  inertialCellUpdatesPerCpuSecond: number;
  merewetherSeconds: number;
  merewetherPeakStageRmseM: number;
  tuflowPeakStageRmseM: number;
  merewetherMassErrorPct: number;
}

export interface FloodBenchOptions {
  log?: (message: string) => void;
  /** the shared data folder (holding benchmarks/merewether) */
  dataDir?: string;
  /** side of the synthetic grid in cells (default 2000) */
  size?: number;
  /** simulated seconds on the synthetic grid (default 60) */
  syntheticSeconds?: number;
  threads?: number;
}

/** A 2 m grid of rolling, tilted ground under 50 mm/h of rain with wet initial ground: every cell is worked each step. */
export function syntheticRainSetup(size: number, durationS: number): InertialSetup {
  const data = new Float32Array(size * size);
  const initialDepth = new Float32Array(size * size).fill(0.05);
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) data[r * size + c] = 0.002 * c + 0.001 * r + 0.5 * Math.sin(c / 37) * Math.cos(r / 23);
  return {
    terrain: { width: size, height: size, dx: 2, dy: 2, data },
    manning: 0.035,
    boundary: 'open',
    initialDepth,
    rainfall: [{ hyetograph: [{ t: 0, value: 50 }] }],
    durationS,
    outputIntervalS: 0,
  };
}

export async function runFloodBench(opts: FloodBenchOptions = {}): Promise<FloodBenchResult> {
  const log = opts.log ?? (() => {});
  const dataDir = opts.dataDir ?? DEFAULT_DATA_DIR;
  const size = opts.size ?? 2000;
  const threads = opts.threads ?? 2;

  log(`synthetic ${size} × ${size} grid, ${opts.syntheticSeconds ?? 60} s of rain, ${threads} thread(s)`);
  const syntheticSetup = syntheticRainSetup(size, opts.syntheticSeconds ?? 60);
  const cpuBefore = process.cpuUsage();
  let started = performance.now();
  const synthetic = await runLocalInertial(syntheticSetup, { threads });
  let seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const inertialCellUpdatesPerSecond = synthetic.cellUpdates / seconds;
  const inertialCellUpdatesPerCpuSecond = synthetic.cellUpdates / cpuSeconds;
  log(`  ${synthetic.steps} steps, ${(synthetic.cellUpdates / 1e6).toFixed(0)} M cell updates in ${seconds.toFixed(1)} s (${cpuSeconds.toFixed(1)} CPU-s): ${(inertialCellUpdatesPerSecond / 1e6).toFixed(1)} M/s, ${(inertialCellUpdatesPerCpuSecond / 1e6).toFixed(1)} M per CPU-second`);

  const data = await loadMerewether(`${dataDir}/benchmarks/merewether`);
  const c = buildMerewetherCase(data, { factor: 1, durationS: 1000 });
  log(`Merewether ${c.grid.width} × ${c.grid.height} cells, 1000 s`);
  started = performance.now();
  const result = await runLocalInertial(c.setup, { threads });
  seconds = (performance.now() - started) / 1000;
  const score = scoreMerewether(c, result);
  for (const p of score.points) log(`  point ${p.id}: observed ${p.observedM.toFixed(2)} m, ours ${p.modelM.toFixed(2)} m, TUFLOW ${p.tuflowM.toFixed(2)} m`);
  log(`  ${result.steps} steps in ${seconds.toFixed(1)} s; RMSE ours ${score.modelRmseM.toFixed(3)} m, TUFLOW ${score.tuflowRmseM.toFixed(3)} m; mass error ${result.massBalance.errorPct.toExponential(1)} %`);
  return {
    inertialCellUpdatesPerSecond,
    inertialCellUpdatesPerCpuSecond,
    merewetherSeconds: seconds,
    merewetherPeakStageRmseM: score.modelRmseM,
    tuflowPeakStageRmseM: score.tuflowRmseM,
    merewetherMassErrorPct: result.massBalance.errorPct,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const flag = (name: string): number | undefined => {
    const k = args.indexOf(name);
    return k >= 0 ? Number(args[k + 1]) : undefined;
  };
  const dataDir = args[0] && !args[0].startsWith('--') ? args[0] : undefined;
  const result = await runFloodBench({ log: (m) => console.log(m), dataDir, size: flag('--size'), syntheticSeconds: flag('--seconds'), threads: flag('--threads') });
  console.log(JSON.stringify(result, null, 2));
}
