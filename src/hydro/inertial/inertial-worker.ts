/**
 * A worker thread of the local-inertial model: waits at the start barrier, runs its band of a step,
 * and again, until told to exit. It flags a failure in the control array so the other threads stop
 * waiting for it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { BandStats } from './inertial-kernel.ts';
import { Barrier, COMMAND, COMMAND_EXIT, FAILED, SENSE, stepBand, type WorkerInit, zoneView } from './inertial-threads.ts';

const init = workerData as WorkerInit;
const barrier = new Barrier(init.control, init.threads);
const zones = zoneView(init.params);
const band: BandStats = { hMax: 0, outflowM3: 0, wetCells: 0 };
parentPort!.postMessage('ready');
try {
  for (;;) {
    barrier.arrive();
    if (Atomics.load(init.control, COMMAND) === COMMAND_EXIT) break;
    stepBand(init, barrier, zones, band);
    barrier.arrive();
  }
} catch (err) {
  Atomics.store(init.control, FAILED, 1);
  Atomics.notify(init.control, SENSE);
  throw err;
}
