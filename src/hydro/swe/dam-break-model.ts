/**
 * 水库溃坝分析: the shallow-water finite-volume model (`swe-kernel.ts`) driven over time — set-up of
 * the bed, the dam and the reservoir, the adaptive time step, outputs and mass balance.
 *
 * Time step: the CFL condition dt = cfl / (max|S_x|/dx + max|S_y|/dy), with the wave speeds the
 * Riemann solver found at the faces of the step's first stage, so a front running onto a dry bed
 * (speed u + 2c) is counted. Steps are shortened to land on output times and the end.
 * Only the active region (wet cells ± ACTIVE_PAD, grown as the water spreads) is computed.
 */
import { availableParallelism } from 'node:os';
import { CityLoopError } from '../../errors.ts';
import type { DamBreakSetup, FloodResult, GaugeRecord, ModelRunOptions } from '../model-contracts.ts';
import { applyBreach, buildReservoir, crestCells, type DamCells } from './dam-breach.ts';
import { GRAVITY } from './exact-dam-break.ts';
import { STAGE_EULER, STAGE_HEUN_1, STAGE_HEUN_2 } from './swe-kernel.ts';
import { allocateSweState, growActiveRegion, type SweState } from './swe-state.ts';
import { createPhaseRunner } from './swe-threads.ts';

/** Gauges are sampled this many times over the run (and at its start). */
const GAUGE_SAMPLES = 500;

function invalid(detail: string): CityLoopError {
  return new CityLoopError('VALIDATION_FAILED', { detail });
}

function abortError(signal: AbortSignal): Error {
  if (signal.reason instanceof Error && signal.reason.name === 'AbortError') return signal.reason;
  const e = new Error('The dam-break run was aborted');
  e.name = 'AbortError';
  return e;
}

/** Check what a caller can get wrong; each message names the field. */
export function assertDamBreakSetup(setup: DamBreakSetup): void {
  const t = setup.terrain;
  if (!t || !Number.isInteger(t.width) || !Number.isInteger(t.height) || t.width < 1 || t.height < 1) throw invalid('terrain.width and terrain.height must be positive integers');
  if (!(t.data instanceof Float32Array) || t.data.length !== t.width * t.height) throw invalid(`terrain.data must be a Float32Array of ${t.width} × ${t.height} values`);
  if (!(t.dx > 0) || !(t.dy > 0)) throw invalid('terrain.dx and terrain.dy must be > 0 metres');
  const n = t.width * t.height;
  if (typeof setup.manning === 'number') {
    if (!(setup.manning >= 0)) throw invalid('manning must be ≥ 0');
  } else if (!(setup.manning instanceof Float32Array) || setup.manning.length !== n) throw invalid(`manning must be a number or a Float32Array of ${n} values`);
  for (const key of ['initialDepth', 'initialU', 'initialV'] as const) {
    const a = setup[key];
    if (a !== undefined && (!(a instanceof Float32Array) || a.length !== n)) throw invalid(`${key} must be a Float32Array of ${n} values`);
  }
  if (setup.initialDepth?.some((d) => d < 0)) throw invalid('initialDepth must not be negative');
  if (setup.boundary !== 'open' && setup.boundary !== 'closed') throw invalid("boundary must be 'open' or 'closed'");
  if (!(setup.durationS > 0) || !Number.isFinite(setup.durationS)) throw invalid('durationS must be > 0');
  if (!(setup.outputIntervalS >= 0)) throw invalid('outputIntervalS must be ≥ 0');
  if (setup.order !== undefined && setup.order !== 1 && setup.order !== 2) throw invalid('order must be 1 or 2');
  if (setup.cfl !== undefined && !(setup.cfl > 0 && setup.cfl <= 0.5)) throw invalid('cfl must lie in (0, 0.5]');
  if (setup.arrivalThresholdM !== undefined && !(setup.arrivalThresholdM > 0)) throw invalid('arrivalThresholdM must be > 0');
  for (const [k, gauge] of (setup.gauges ?? []).entries()) {
    if (!Number.isInteger(gauge.col) || !Number.isInteger(gauge.row) || gauge.col < 0 || gauge.row < 0 || gauge.col >= t.width || gauge.row >= t.height) {
      throw invalid(`gauges[${k}] (${gauge.name}) lies outside the raster`);
    }
  }
}

function initialState(setup: DamBreakSetup, shared: boolean): { s: SweState; dam: DamCells | null } {
  const t = setup.terrain;
  const n = t.width * t.height;
  const s = allocateSweState({
    width: t.width, height: t.height, dx: t.dx, dy: t.dy, g: GRAVITY,
    open: setup.boundary === 'open',
    order: setup.order ?? 2,
    arrivalThresholdM: setup.arrivalThresholdM ?? 0.05,
    manningConst: typeof setup.manning === 'number' ? setup.manning : 0,
    hasManningCells: typeof setup.manning !== 'number',
  }, shared);
  if (s.manningCells && typeof setup.manning !== 'number') s.manningCells.set(setup.manning);
  for (let i = 0; i < n; i++) {
    const zi = t.data[i]!;
    if (zi !== zi) {
      s.wall[i] = 1;
      s.z[i] = 0;
    } else {
      s.z[i] = zi;
      s.h[i] = setup.initialDepth ? setup.initialDepth[i]! : 0;
    }
  }
  let dam: DamCells | null = null;
  if (setup.dam) {
    dam = crestCells(setup.dam, t);
    buildReservoir(setup.dam, dam, s.z, s.h, t);
    if (setup.dam.breach.mode === 'sudden') applyBreach(setup.dam, dam, s.z, 0);
  }
  for (let i = 0; i < n; i++) {
    if (s.wall[i]) {
      s.h[i] = 0;
      continue;
    }
    const hi = s.h[i]!;
    if (hi > 1e-5) {
      s.u[i] = setup.initialU ? setup.initialU[i]! : 0;
      s.v[i] = setup.initialV ? setup.initialV[i]! : 0;
      s.hu[i] = hi * s.u[i]!;
      s.hv[i] = hi * s.v[i]!;
    }
  }
  s.maxVelocity.fill(0);
  s.arrivalTime.fill(NaN);
  for (let r = 0; r < t.height; r++) {
    let a = t.width;
    let b = -1;
    for (let c = 0; c < t.width; c++) {
      const i = r * t.width + c;
      if (s.wall[i]) {
        s.maxDepth[i] = NaN;
        s.maxVelocity[i] = NaN;
        continue;
      }
      const hi = s.h[i]!;
      s.maxDepth[i] = hi;
      if (hi > s.arrivalThresholdM) s.arrivalTime[i] = 0;
      if (hi > 0) {
        if (c < a) a = c;
        b = c;
      }
    }
    s.wetLo[r] = a;
    s.wetHi[r] = b;
  }
  return { s, dam };
}

function waterVolume(s: SweState): number {
  let sum = 0;
  for (let i = 0; i < s.h.length; i++) sum += s.h[i]!;
  return sum * s.dx * s.dy;
}

function depthCopy(s: SweState): Float32Array {
  const out = Float32Array.from(s.h);
  for (let i = 0; i < out.length; i++) if (s.wall[i]) out[i] = NaN;
  return out;
}

export async function runDamBreak(setup: DamBreakSetup, opts: ModelRunOptions = {}): Promise<FloodResult> {
  assertDamBreakSetup(setup);
  const threads = Math.max(1, Math.min(2, Math.floor(opts.threads ?? availableParallelism())));
  const { s, dam } = initialState(setup, threads > 1);
  const runner = await createPhaseRunner(s, threads);
  try {
    return await integrate(setup, opts, s, dam, runner);
  } finally {
    await runner.close();
  }
}

async function integrate(setup: DamBreakSetup, opts: ModelRunOptions, s: SweState, dam: DamCells | null, runner: Awaited<ReturnType<typeof createPhaseRunner>>): Promise<FloodResult> {
  const cfl = setup.cfl ?? 0.45;
  const duration = setup.durationS;
  const outEvery = setup.outputIntervalS;
  const gaugeEvery = duration / GAUGE_SAMPLES;
  const gauges: GaugeRecord[] = (setup.gauges ?? []).map((g) => ({ name: g.name, col: g.col, row: g.row, times: [], depths: [], levels: [] }));
  const sampleGauges = (t: number) => {
    for (const g of gauges) {
      const i = g.row * s.width + g.col;
      const d = s.wall[i] ? NaN : s.h[i]!;
      g.times.push(t);
      g.depths.push(d);
      g.levels.push(d + s.z[i]!);
    }
  };
  const initialM3 = waterVolume(s);
  const snapshots: FloodResult['snapshots'] = [];
  if (outEvery > 0) snapshots.push({ t: 0, depth: depthCopy(s) });
  sampleGauges(0);
  let nextOut = outEvery > 0 ? outEvery : Infinity;
  let nextGauge = gaugeEvery;
  let region = growActiveRegion(s);
  let t = 0;
  let steps = 0;
  let cellUpdates = 0;
  let outflowM3 = 0;
  let lastYield = performance.now();
  let nextProgress = 0;
  while (t < duration) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    if (dam && setup.dam && setup.dam.breach.mode === 'gradual') applyBreach(setup.dam, dam, s.z, t);
    const rows = { lo: region.rowLo, hi: Math.min(s.height, region.rowHi + 2) };
    runner.slopes(rows.lo, rows.hi);
    const first = runner.fluxes(rows.lo, rows.hi);
    const rate = first.ax / s.dx + first.ay / s.dy;
    let dt = rate > 0 ? cfl / rate : duration - t;
    const stop = Math.min(duration, nextOut);
    if (t + dt >= stop || stop - (t + dt) < 1e-9 * duration) dt = stop - t;
    let outflowRate = first.outflow;
    if (s.order === 1) {
      runner.update(rows.lo, rows.hi, dt, STAGE_EULER, t + dt);
    } else {
      runner.update(rows.lo, rows.hi, dt, STAGE_HEUN_1, t + dt);
      runner.slopes(rows.lo, rows.hi);
      const second = runner.fluxes(rows.lo, rows.hi);
      outflowRate = 0.5 * (outflowRate + second.outflow);
      runner.update(rows.lo, rows.hi, dt, STAGE_HEUN_2, t + dt);
    }
    outflowM3 += outflowRate * dt;
    t = t + dt >= stop ? stop : t + dt;
    steps++;
    cellUpdates += region.cells;
    region = growActiveRegion(s);
    if (t >= nextGauge || t >= duration) {
      sampleGauges(t);
      while (nextGauge <= t) nextGauge += gaugeEvery;
    }
    if (t >= nextOut) {
      snapshots.push({ t, depth: depthCopy(s) });
      nextOut += outEvery;
    }
    if (opts.onProgress && t >= nextProgress) {
      opts.onProgress(t / duration, `t = ${t.toFixed(1)} s, ${steps} steps`);
      nextProgress = t + duration / 100;
    }
    if (performance.now() - lastYield > 100) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
  }
  const finalM3 = waterVolume(s);
  const errorM3 = Math.abs(initialM3 - outflowM3 - finalM3);
  return {
    maxDepth: Float32Array.from(s.maxDepth),
    maxVelocity: Float32Array.from(s.maxVelocity),
    arrivalTime: Float32Array.from(s.arrivalTime),
    finalDepth: depthCopy(s),
    snapshots,
    gauges,
    massBalance: {
      inflowM3: 0,
      outflowM3,
      initialM3,
      finalM3,
      errorPct: initialM3 > 0 ? (100 * errorM3) / initialM3 : 0,
    },
    simulatedSeconds: t,
    steps,
    cellUpdates,
  };
}
