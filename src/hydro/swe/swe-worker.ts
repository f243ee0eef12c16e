/**
 * A shallow-water worker thread: it owns one band of rows and runs each phase the main thread
 * announces (by bumping the generation in the shared control array), then reports done.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SweState } from './swe-state.ts';
import { CMD_QUIT, CTRL_COMMAND, CTRL_DONE, CTRL_GENERATION, runBand } from './swe-threads.ts';

const { scalars, arrays, ctrl, params, results, band, bands } = workerData as {
  scalars: Record<string, unknown>;
  arrays: Record<string, unknown>;
  ctrl: Int32Array;
  params: Float64Array;
  results: Float64Array;
  band: number;
  bands: number;
};
const state = { ...scalars, ...arrays } as unknown as SweState;

let generation = Atomics.load(ctrl, CTRL_GENERATION);
parentPort?.postMessage('ready');
for (;;) {
  for (let spin = 0; Atomics.load(ctrl, CTRL_GENERATION) === generation; spin++) {
    if (spin > 2000) Atomics.wait(ctrl, CTRL_GENERATION, generation, 50);
  }
  generation = Atomics.load(ctrl, CTRL_GENERATION);
  const cmd = ctrl[CTRL_COMMAND]!;
  if (cmd === CMD_QUIT) break;
  runBand(state, cmd, band, bands, ctrl, params, results);
  Atomics.add(ctrl, CTRL_DONE, 1);
  Atomics.notify(ctrl, CTRL_DONE);
}
process.exit(0);
