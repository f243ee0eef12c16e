/**
 * The local-inertial kernel on several threads: the grid is cut into bands of rows, each thread owns
 * one (the calling thread the first), all work on the same shared arrays, and a barrier separates the
 * three phases of a step, since each phase reads what the neighbouring band wrote in the one before.
 * The calling thread blocks in the barrier (Atomics.wait) while a step runs: a step is milliseconds,
 * and the run yields to the event loop between steps.
 */
import { Worker } from 'node:worker_threads';
import type { BandStats, KernelArrays, KernelGeometry, Stepper } from './inertial-kernel.ts';
import { faceFluxes, outflowFactors, updateDepths } from './inertial-kernel.ts';
import type { PreparedModel } from './prepare.ts';

/** Slots of the control array (Int32). */
const COUNT = 0;
export const SENSE = 1;
export const COMMAND = 2;
export const FAILED = 3;
const CONTROL_SLOTS = 4;
export const COMMAND_STEP = 1;
export const COMMAND_EXIT = 2;
/** Slots of the parameter array (Float64): dt, tEnd, then the zone depths. */
const PARAM_ZONES = 2;
const STATS_SLOTS = 3;

/** What a worker is handed when it starts. */
export interface WorkerInit {
  geometry: KernelGeometry;
  arrays: KernelArrays;
  control: Int32Array;
  params: Float64Array;
  stats: Float64Array;
  threads: number;
  index: number;
  r0: number;
  r1: number;
}

/**
 * A sense-reversing barrier on shared memory for `parties` threads. Waits in slices of a second so a
 * failed worker (it sets FAILED) cannot hang the others for ever.
 */
export class Barrier {
  private sense = 0;
  constructor(
    private readonly control: Int32Array,
    private readonly parties: number,
  ) {}

  arrive(): void {
    this.sense ^= 1;
    if (Atomics.add(this.control, COUNT, 1) === this.parties - 1) {
      Atomics.store(this.control, COUNT, 0);
      Atomics.store(this.control, SENSE, this.sense);
      Atomics.notify(this.control, SENSE);
      return;
    }
    for (let spin = 0; spin < 2000; spin++) if (Atomics.load(this.control, SENSE) === this.sense) return;
    while (Atomics.load(this.control, SENSE) !== this.sense) {
      if (Atomics.load(this.control, FAILED) !== 0) throw new Error('a flood-model worker thread failed');
      Atomics.wait(this.control, SENSE, this.sense ^ 1, 1000);
    }
  }
}

/** One thread's share of a step: the three phases over its band, a barrier between them. */
export function stepBand(init: Pick<WorkerInit, 'geometry' | 'arrays' | 'params' | 'stats' | 'index' | 'r0' | 'r1'>, barrier: Barrier, zoneDepth: Float64Array, out: BandStats): void {
  const { geometry: g, arrays: a, params, r0, r1 } = init;
  const dt = params[0]!;
  const tEnd = params[1]!;
  faceFluxes(g, a, r0, r1, dt);
  barrier.arrive();
  outflowFactors(g, a, r0, r1, dt);
  barrier.arrive();
  updateDepths(g, a, r0, r1, dt, tEnd, zoneDepth, out);
  const base = init.index * STATS_SLOTS;
  init.stats[base] = out.hMax;
  init.stats[base + 1] = out.outflowM3;
  init.stats[base + 2] = out.wetCells;
}

/** The zone depths as the kernel reads them: a view into the shared parameters. */
export function zoneView(params: Float64Array): Float64Array {
  return params.subarray(PARAM_ZONES);
}

function shared64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(n * 8));
}

/** Starts `threads − 1` workers; the calling thread is the first band. */
export async function startThreadedStepper(model: PreparedModel, threads: number): Promise<Stepper> {
  const { geometry: g, arrays: a } = model;
  const parties = Math.min(threads, g.height);
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
  const params = shared64(PARAM_ZONES + 256);
  const stats = shared64(parties * STATS_SLOTS);
  const bandOf = (k: number): [number, number] => [Math.floor((k * g.height) / parties), Math.floor(((k + 1) * g.height) / parties)];
  const workers: Worker[] = [];
  const ready: Array<Promise<void>> = [];
  for (let k = 1; k < parties; k++) {
    const [r0, r1] = bandOf(k);
    const init: WorkerInit = { geometry: g, arrays: a, control, params, stats, threads: parties, index: k, r0, r1 };
    const worker = new Worker(new URL('./inertial-worker.mjs', import.meta.url), { workerData: init });
    workers.push(worker);
    ready.push(
      new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      }),
    );
    worker.on('error', () => Atomics.store(control, FAILED, 1));
  }
  await Promise.all(ready);
  const barrier = new Barrier(control, parties);
  const [r0, r1] = bandOf(0);
  const own = { geometry: g, arrays: a, params, stats, index: 0, r0, r1 };
  const zones = zoneView(params);
  const band: BandStats = { hMax: 0, outflowM3: 0, wetCells: 0 };
  const total: BandStats = { hMax: 0, outflowM3: 0, wetCells: 0 };
  let closed = false;
  return {
    step(dt, tEnd, zoneDepth) {
      params[0] = dt;
      params[1] = tEnd;
      zones.set(zoneDepth);
      Atomics.store(control, COMMAND, COMMAND_STEP);
      barrier.arrive(); // start
      stepBand(own, barrier, zones, band);
      barrier.arrive(); // every band done
      total.hMax = 0;
      total.outflowM3 = 0;
      total.wetCells = 0;
      for (let k = 0; k < parties; k++) {
        total.hMax = Math.max(total.hMax, stats[k * STATS_SLOTS]!);
        total.outflowM3 += stats[k * STATS_SLOTS + 1]!;
        total.wetCells += stats[k * STATS_SLOTS + 2]!;
      }
      return total;
    },
    async close() {
      if (closed) return;
      closed = true;
      const exits = workers.map((w) => new Promise<void>((resolve) => w.once('exit', () => resolve())));
      if (Atomics.load(control, FAILED) === 0) {
        Atomics.store(control, COMMAND, COMMAND_EXIT);
        barrier.arrive();
      } else for (const w of workers) void w.terminate();
      await Promise.all(exits);
    },
  };
}
