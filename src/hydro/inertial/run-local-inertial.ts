/**
 * 山洪淹没分析: the local-inertial flood model's run. Time stepping, forcing, mass balance and the
 * outputs are here; the per-cell arithmetic is in `inertial-kernel.ts`, run on this thread or on
 * worker threads over shared memory (`inertial-threads.ts`) for big grids.
 */
import { availableParallelism } from 'node:os';
import type { FloodResult, GaugeRecord, InertialSetup, ModelRunOptions } from '../model-contracts.ts';
import { integrateLinear, integrateStepwise } from './forcing.ts';
import { type BandStats, faceFluxes, GRAVITY, outflowFactors, type Stepper, updateDepths } from './inertial-kernel.ts';
import { type PreparedModel, prepareModel } from './prepare.ts';
import { startThreadedStepper } from './inertial-threads.ts';

/**
 * Courant-like factor of the adaptive step (Bates et al. 2010). The step is α·min(dx, dy)/√(2·g·h_max):
 * the √2 is the two-dimensional limit of the staggered scheme; with 1-D's α·dx/√(g·h) alone the θ
 * weighting let a still pond slosh cell to cell without end (seen in the inflow-box test).
 */
export const TIME_STEP_ALPHA = 0.7;
/** de Almeida et al. (2012) θ: 0.7 damps the checkerboard oscillations of the pure Bates scheme at low friction */
export const THETA = 0.7;
/** the longest step while the domain is (nearly) dry, s */
const DT_MAX = 10;
/** grids smaller than this stay on one thread: the barriers would cost more than the split saves */
const THREAD_MIN_CELLS = 100_000;
/** yield to the event loop this often (ms) so an abort or a progress message can get through */
const YIELD_EVERY_MS = 50;

function singleThreadStepper(model: PreparedModel): Stepper {
  const { geometry: g, arrays: a } = model;
  const stats: BandStats = { hMax: 0, outflowM3: 0, wetCells: 0 };
  return {
    step(dt, tEnd, zoneDepth) {
      faceFluxes(g, a, 0, g.height, dt);
      outflowFactors(g, a, 0, g.height, dt);
      updateDepths(g, a, 0, g.height, dt, tEnd, zoneDepth, stats);
      return stats;
    },
    async close() {},
  };
}

function abortError(): Error {
  return new DOMException('the flood run was aborted', 'AbortError');
}

/** Runs the model to `setup.durationS`; rejects with an `InertialSetupError` on bad input, an AbortError on abort. */
export async function runLocalInertial(setup: InertialSetup, opts: ModelRunOptions = {}): Promise<FloodResult> {
  if (opts.signal?.aborted) throw abortError();
  const cells = (setup.terrain?.width ?? 0) * (setup.terrain?.height ?? 0);
  const threads = Math.max(1, Math.min(opts.threads ?? Math.min(2, availableParallelism()), 8));
  const useThreads = threads > 1 && cells >= THREAD_MIN_CELLS;
  const model = prepareModel(setup, { theta: THETA, shared: useThreads });
  const stepper = useThreads ? await startThreadedStepper(model, threads) : singleThreadStepper(model);
  try {
    return await timeLoop(setup, model, stepper, opts);
  } finally {
    await stepper.close();
  }
}

async function timeLoop(setup: InertialSetup, model: PreparedModel, stepper: Stepper, opts: ModelRunOptions): Promise<FloodResult> {
  const { geometry: g, arrays: a } = model;
  const { width: W, height: H, dx, dy } = g;
  const n = W * H;
  const area = dx * dy;
  const duration = setup.durationS;
  const rains = setup.rainfall ?? [];
  const inflows = setup.inflows ?? [];
  const gauges = setup.gauges ?? [];
  const outputEvery = setup.outputIntervalS;
  // gauges are read at least 200 times a run, and at least as often as the snapshots
  const gaugeEvery = outputEvery > 0 ? Math.min(outputEvery, duration / 200) : duration / 200;
  const eps = 1e-9 * Math.max(1, duration);

  let initialM3 = 0;
  let hMax = 0;
  for (let i = 0; i < n; i++) {
    const d = a.h[i]!;
    initialM3 += d * area;
    if (d > hMax) hMax = d;
  }
  let inflowM3 = 0;
  let outflowM3 = 0;
  let cellUpdates = 0;
  let steps = 0;
  let t = 0;
  const zoneDepth = new Float64Array(model.zoneRains.length);
  const snapshots: FloodResult['snapshots'] = [];
  const records: GaugeRecord[] = gauges.map((gauge) => ({ name: gauge.name, col: gauge.col, row: gauge.row, times: [], depths: [], levels: [] }));
  const readGauges = (time: number): void => {
    for (const rec of records) {
      const i = rec.row * W + rec.col;
      const wall = a.wall[i] === 1;
      rec.times.push(time);
      rec.depths.push(wall ? NaN : a.h[i]!);
      rec.levels.push(wall ? NaN : a.z[i]! + a.h[i]!);
    }
  };
  const depthCopy = (): Float32Array => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = model.outside[i] === 1 ? NaN : a.h[i]!;
    return out;
  };
  readGauges(0);
  let nextOutput = outputEvery > 0 ? outputEvery : Infinity;
  let nextGauge = gaugeEvery;
  let lastYield = Date.now();
  const minD = Math.min(dx, dy);

  while (t < duration - eps) {
    if (opts.signal?.aborted) throw abortError();
    // the step must also suit the depth the step's own inflow will make: on a dry start a 10 s step
    // would drop ten seconds of inflow at once and send a surge down the streets
    const until = Math.min(nextOutput, duration);
    let dt = DT_MAX;
    let hEstimate = hMax;
    for (let k = 0; k < 3; k++) {
      dt = hEstimate > 1e-6 ? Math.min(DT_MAX, (TIME_STEP_ALPHA * minD) / Math.sqrt(2 * GRAVITY * hEstimate)) : DT_MAX;
      if (t + dt > until - eps) dt = until - t;
      let added = 0;
      for (let j = 0; j < inflows.length; j++) added = Math.max(added, integrateLinear(inflows[j]!.hydrograph, t, t + dt) / (model.inflowCells[j]!.length * area));
      if (hMax + added <= hEstimate * 1.01) break;
      hEstimate = hMax + added;
    }
    const tEnd = t + dt;

    for (let zone = 1; zone < zoneDepth.length; zone++) {
      let depth = 0;
      for (const k of model.zoneRains[zone]!) depth += integrateStepwise(rains[k]!.hyetograph, t, tEnd) / 3.6e6;
      zoneDepth[zone] = depth;
      inflowM3 += depth * model.zoneCells[zone]! * area;
    }
    const stats = stepper.step(dt, tEnd, zoneDepth);
    hMax = stats.hMax;
    outflowM3 += stats.outflowM3;
    cellUpdates += stats.wetCells;

    for (let k = 0; k < inflows.length; k++) {
      const volume = integrateLinear(inflows[k]!.hydrograph, t, tEnd);
      if (volume <= 0) continue;
      inflowM3 += volume;
      const cellsOf = model.inflowCells[k]!;
      const add = volume / (cellsOf.length * area);
      for (let j = 0; j < cellsOf.length; j++) {
        const i = cellsOf[j]!;
        const d = a.h[i]! + add;
        a.h[i] = d;
        if (d > hMax) hMax = d;
        if (d > a.maxDepth[i]!) a.maxDepth[i] = d;
        if (d > g.arrivalThresholdM && Number.isNaN(a.arrival[i]!)) a.arrival[i] = tEnd;
      }
    }

    t = tEnd;
    steps++;
    if (t >= nextGauge - eps || t >= duration - eps) {
      readGauges(t);
      while (nextGauge <= t + eps) nextGauge += gaugeEvery;
    }
    if (t >= nextOutput - eps) {
      snapshots.push({ t, depth: depthCopy() });
      nextOutput += outputEvery;
    }
    const now = Date.now();
    if (now - lastYield >= YIELD_EVERY_MS) {
      opts.onProgress?.(Math.min(1, t / duration), `t = ${t.toFixed(1)} s`);
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = Date.now();
    }
  }
  opts.onProgress?.(1, `t = ${t.toFixed(1)} s`);

  let finalM3 = 0;
  for (let i = 0; i < n; i++) finalM3 += a.h[i]! * area;
  const imbalance = initialM3 + inflowM3 - outflowM3 - finalM3;
  const base = inflowM3 + initialM3;
  const maxDepth = new Float32Array(a.maxDepth);
  const maxVelocity = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (model.outside[i] === 1) {
      maxDepth[i] = NaN;
      maxVelocity[i] = NaN;
    } else maxVelocity[i] = Math.sqrt(a.maxSpeedSq[i]!);
  }
  return {
    maxDepth,
    maxVelocity,
    arrivalTime: new Float32Array(a.arrival),
    finalDepth: depthCopy(),
    snapshots,
    gauges: records,
    massBalance: { inflowM3, outflowM3, initialM3, finalM3, errorPct: base > 0 ? (Math.abs(imbalance) / base) * 100 : 0 },
    simulatedSeconds: t,
    steps,
    cellUpdates,
  };
}
