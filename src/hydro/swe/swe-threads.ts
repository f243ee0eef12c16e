/**
 * Runs the kernel's phases over the active rows: on this thread alone, or split into row bands
 * between this thread and worker threads that share the state (SharedArrayBuffer). Each phase
 * ends at a barrier (Atomics): a phase reads what the previous one wrote in neighbouring bands.
 * Workers spin briefly before sleeping, because a phase lasts well under a millisecond on small
 * wet areas and waking a sleeping thread costs tens of microseconds.
 */
import { Worker } from 'node:worker_threads';
import { computeFluxes, computeSlopes, updateCells } from './swe-kernel.ts';
import { STATE_ARRAY_KEYS, type SweState } from './swe-state.ts';

export interface PhaseRunner {
  slopes(r0: number, r1: number): void;
  /** max wave speeds along x and y, and the outflow rate (m³/s) */
  fluxes(r0: number, r1: number): { ax: number; ay: number; outflow: number };
  /** returns the water added by clipping negative depths, m³ */
  update(r0: number, r1: number, dt: number, stage: number, tEnd: number): number;
  close(): Promise<void>;
}

/** ctrl slots: generation, command, done count, r0, r1, stage */
export const CTRL_GENERATION = 0;
export const CTRL_COMMAND = 1;
export const CTRL_DONE = 2;
export const CTRL_R0 = 3;
export const CTRL_R1 = 4;
export const CTRL_STAGE = 5;
export const CMD_SLOPES = 1;
export const CMD_FLUXES = 2;
export const CMD_UPDATE = 3;
export const CMD_QUIT = 4;
/** per band: ax, ay, outflow, clipped */
export const RESULT_SLOTS = 4;

/** The rows [r0, r1) split into `bands` nearly equal bands; band k is [start(k), start(k + 1)). */
export function bandStart(r0: number, r1: number, bands: number, k: number): number {
  return r0 + Math.floor(((r1 - r0) * k) / bands);
}

/** One band's share of a phase (the same code on the main thread and in the workers). */
export function runBand(s: SweState, cmd: number, band: number, bands: number, ctrl: Int32Array, params: Float64Array, results: Float64Array): void {
  const a = bandStart(ctrl[CTRL_R0]!, ctrl[CTRL_R1]!, bands, band);
  const b = bandStart(ctrl[CTRL_R0]!, ctrl[CTRL_R1]!, bands, band + 1);
  const k = band * RESULT_SLOTS;
  if (cmd === CMD_SLOPES) computeSlopes(s, a, b);
  else if (cmd === CMD_FLUXES) computeFluxes(s, a, b, results, k);
  else if (cmd === CMD_UPDATE) updateCells(s, a, b, params[0]!, ctrl[CTRL_STAGE]!, params[1]!, results, k + 3);
}

class SingleThreadRunner implements PhaseRunner {
  readonly #s: SweState;
  readonly #out = new Float64Array(RESULT_SLOTS);
  constructor(s: SweState) {
    this.#s = s;
  }
  slopes(r0: number, r1: number): void {
    computeSlopes(this.#s, r0, r1);
  }
  fluxes(r0: number, r1: number) {
    computeFluxes(this.#s, r0, r1, this.#out, 0);
    return { ax: this.#out[0]!, ay: this.#out[1]!, outflow: this.#out[2]! };
  }
  update(r0: number, r1: number, dt: number, stage: number, tEnd: number): number {
    updateCells(this.#s, r0, r1, dt, stage, tEnd, this.#out, 3);
    return this.#out[3]!;
  }
  async close(): Promise<void> {}
}

class ThreadedRunner implements PhaseRunner {
  readonly #s: SweState;
  readonly #workers: Worker[];
  readonly #ctrl: Int32Array;
  readonly #params: Float64Array;
  readonly #results: Float64Array;
  readonly #bands: number;
  constructor(s: SweState, workers: Worker[], ctrl: Int32Array, params: Float64Array, results: Float64Array) {
    this.#s = s;
    this.#workers = workers;
    this.#ctrl = ctrl;
    this.#params = params;
    this.#results = results;
    this.#bands = workers.length + 1;
  }
  #phase(cmd: number, r0: number, r1: number): void {
    const ctrl = this.#ctrl;
    ctrl[CTRL_COMMAND] = cmd;
    ctrl[CTRL_R0] = r0;
    ctrl[CTRL_R1] = r1;
    Atomics.store(ctrl, CTRL_DONE, 0);
    Atomics.add(ctrl, CTRL_GENERATION, 1);
    Atomics.notify(ctrl, CTRL_GENERATION);
    runBand(this.#s, cmd, 0, this.#bands, ctrl, this.#params, this.#results);
    const others = this.#bands - 1;
    for (let spin = 0; ; spin++) {
      const done = Atomics.load(ctrl, CTRL_DONE);
      if (done >= others) break;
      if (spin > 2000) Atomics.wait(ctrl, CTRL_DONE, done, 50);
    }
  }
  slopes(r0: number, r1: number): void {
    this.#phase(CMD_SLOPES, r0, r1);
  }
  fluxes(r0: number, r1: number) {
    this.#phase(CMD_FLUXES, r0, r1);
    let ax = 0;
    let ay = 0;
    let outflow = 0;
    for (let b = 0; b < this.#bands; b++) {
      ax = Math.max(ax, this.#results[b * RESULT_SLOTS]!);
      ay = Math.max(ay, this.#results[b * RESULT_SLOTS + 1]!);
      outflow += this.#results[b * RESULT_SLOTS + 2]!;
    }
    return { ax, ay, outflow };
  }
  update(r0: number, r1: number, dt: number, stage: number, tEnd: number): number {
    this.#params[0] = dt;
    this.#params[1] = tEnd;
    this.#ctrl[CTRL_STAGE] = stage;
    this.#phase(CMD_UPDATE, r0, r1);
    let clipped = 0;
    for (let b = 0; b < this.#bands; b++) clipped += this.#results[b * RESULT_SLOTS + 3]!;
    return clipped;
  }
  async close(): Promise<void> {
    this.#ctrl[CTRL_COMMAND] = CMD_QUIT;
    Atomics.add(this.#ctrl, CTRL_GENERATION, 1);
    Atomics.notify(this.#ctrl, CTRL_GENERATION);
    await Promise.all(this.#workers.map((w) => new Promise<void>((resolve) => {
      w.once('exit', () => resolve());
      setTimeout(() => void w.terminate(), 2000).unref();
    })));
  }
}

/** A runner for `threads` threads (this one included); a state to share must be on SharedArrayBuffers. */
export async function createPhaseRunner(s: SweState, threads: number): Promise<PhaseRunner> {
  if (threads <= 1) return new SingleThreadRunner(s);
  const ctrl = new Int32Array(new SharedArrayBuffer(8 * 4));
  const params = new Float64Array(new SharedArrayBuffer(2 * 8));
  const results = new Float64Array(new SharedArrayBuffer(threads * RESULT_SLOTS * 8));
  const arrays: Record<string, unknown> = {};
  for (const key of STATE_ARRAY_KEYS) arrays[key] = s[key];
  const scalars = { width: s.width, height: s.height, dx: s.dx, dy: s.dy, g: s.g, open: s.open, order: s.order, arrivalThresholdM: s.arrivalThresholdM, manningConst: s.manningConst };
  const workers: Worker[] = [];
  try {
    for (let band = 1; band < threads; band++) {
      const w = new Worker(new URL('./swe-worker.mjs', import.meta.url), { workerData: { scalars, arrays, ctrl, params, results, band, bands: threads } });
      workers.push(w);
      await new Promise<void>((resolve, reject) => {
        w.once('message', () => resolve());
        w.once('error', reject);
        w.once('exit', (code) => reject(new Error(`the shallow-water worker ended before starting (exit ${code})`)));
      });
    }
  } catch {
    // no worker thread could be started: the run goes on here alone (the shared arrays work as well)
    await Promise.all(workers.map((w) => w.terminate()));
    return new SingleThreadRunner(s);
  }
  return new ThreadedRunner(s, workers, ctrl, params, results);
}
