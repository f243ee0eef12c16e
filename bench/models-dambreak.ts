/**
 * The dam-break model (水库溃坝分析, src/hydro/swe/): accuracy against the exact 1D solutions and the
 * Malpasset validation with its running time. Not part of `bench/run.ts` (the full Malpasset run
 * takes minutes); run it alone:
 *
 *   npx tsx bench/models-dambreak.ts [dataDir] [--threads=N] [--order=1|2] [--cell-factor=1]
 *
 * dataDir defaults to ../shared/data beside the project. Prints one JSON object.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMalpasset } from '../src/hydro/swe/malpasset-case.ts';
import { observedOrder, REFINEMENTS, stripL1 } from '../src/hydro/swe/strip-validation.ts';

const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../shared/data', import.meta.url));

export interface DamBreakBenchResult {
  /** cell updates per second of wall time in the Malpasset run (active cells × steps) */
  sweCellUpdatesPerSecond: number;
  /** wall seconds of the Malpasset run (4000 s simulated) */
  malpassetSeconds: number;
  /** L1 error of depth at 800 cells, m² (Ritter h = 1 m at 6 s; Stoker 1 / 0.1 m at 6 s) */
  ritterL1: number;
  stokerL1: number;
  /** observed order of convergence of Stoker 1 / 0.1 over 100, 200, 400, 800 cells */
  stokerOrder: number;
  /** the larger of the A→B and A→C travel-time errors, % */
  malpassetTravelTimeErrorPct: number;
  malpassetTravelTimeAB: number;
  malpassetTravelTimeAC: number;
}

export async function runDamBreakBench(opts: { log?: (msg: string) => void; dataDir?: string; threads?: number; order?: 1 | 2; cellFactor?: number; durationS?: number } = {}): Promise<DamBreakBenchResult> {
  const log = opts.log ?? (() => {});
  const dataDir = opts.dataDir ?? DEFAULT_DATA_DIR;
  log('1D strips against Ritter and Stoker');
  const stoker: number[] = [];
  for (const n of REFINEMENTS) stoker.push(await stripL1(n, 1, 0.1, 6, opts.order ?? 2));
  const ritterL1 = await stripL1(800, 1, 0, 6, opts.order ?? 2);
  const stokerOrder = observedOrder(REFINEMENTS, stoker);
  log(`Stoker L1 ${stoker.map((e) => e.toExponential(3)).join(' ')} (order ${stokerOrder.toFixed(2)}); Ritter L1 ${ritterL1.toExponential(3)}`);
  log('Malpasset');
  let last = -1;
  const { result, metrics, wallSeconds } = await runMalpasset(join(dataDir, 'benchmarks', 'malpasset'), {
    cellFactor: opts.cellFactor ?? 1,
    durationS: opts.durationS ?? 4000,
    order: opts.order ?? 2,
  }, {
    threads: opts.threads ?? 2,
    onProgress: (f, m) => {
      const pct = Math.floor(f * 10);
      if (pct !== last) log(`  ${(f * 100).toFixed(0)} % ${m ?? ''}`);
      last = pct;
    },
  });
  log(`Malpasset: ${wallSeconds.toFixed(1)} s wall, ${result.steps} steps, arrivals ${JSON.stringify(metrics.arrivalS)}`);
  for (const p of metrics.maxLevels) log(`  ${p.id}: max level ${p.modelledM.toFixed(1)} m (observed ${p.observedM} m, ${p.errorM >= 0 ? '+' : ''}${p.errorM.toFixed(1)} m)`);
  return {
    sweCellUpdatesPerSecond: Math.round(result.cellUpdates / wallSeconds),
    malpassetSeconds: wallSeconds,
    ritterL1,
    stokerL1: stoker[stoker.length - 1]!,
    stokerOrder,
    malpassetTravelTimeErrorPct: metrics.travelTimeErrorPct,
    malpassetTravelTimeAB: metrics.travelABS,
    malpassetTravelTimeAC: metrics.travelACS,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const dataDir = args.find((a) => !a.startsWith('--'));
  const result = await runDamBreakBench({
    log: (m) => process.stderr.write(`${m}\n`),
    ...(dataDir ? { dataDir } : {}),
    ...(flag('threads') ? { threads: Number(flag('threads')) } : {}),
    ...(flag('order') ? { order: Number(flag('order')) as 1 | 2 } : {}),
    ...(flag('cell-factor') ? { cellFactor: Number(flag('cell-factor')) } : {}),
    ...(flag('duration') ? { durationS: Number(flag('duration')) } : {}),
  });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
