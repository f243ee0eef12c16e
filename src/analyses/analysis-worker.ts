/**
 * One analysis run on its own thread (started by analysis-runner.ts through analysis-worker.mjs):
 * it gets the raster's cells and the placed inputs, runs the model and posts progress, then the
 * layers (their buffers transferred, not copied). The server's thread goes on answering meanwhile;
 * cancelling ends the thread, so nothing of a cancelled run is ever written.
 */
import { parentPort } from 'node:worker_threads';
import type { Grid } from '../raster/grid.ts';
import { runModel } from './models/run-model.ts';
import type { ModelOutput, PlacedJob } from './models/model-job.ts';

export interface WorkerJob {
  readonly grid: Grid;
  readonly job: PlacedJob;
  /** threads the model may use beside this one (ModelRunOptions.threads) */
  readonly threads: number;
}

export type WorkerMessage =
  | { readonly type: 'progress'; readonly fraction: number; readonly message: string | null }
  | { readonly type: 'done'; readonly output: ModelOutput; readonly wallSeconds: number }
  | { readonly type: 'error'; readonly code: string; readonly message: string; readonly field?: string };

const port = parentPort;
if (port) {
  port.once('message', (w: WorkerJob) => {
    const started = performance.now();
    runModel(w.grid, w.job, {
      threads: w.threads,
      onProgress: (fraction, message) => port.postMessage({ type: 'progress', fraction, message: message ?? null } satisfies WorkerMessage),
    }).then(
      (output) => {
        const buffers = [...new Set(output.layers.map((l) => l.data.buffer as ArrayBuffer))];
        port.postMessage({ type: 'done', output, wallSeconds: (performance.now() - started) / 1000 } satisfies WorkerMessage, buffers);
      },
      (e: unknown) => {
        const err = e as { code?: unknown; message?: unknown; extra?: { field?: unknown } };
        const field = typeof err.extra?.field === 'string' ? err.extra.field : undefined;
        port.postMessage({ type: 'error', code: typeof err.code === 'string' ? err.code : 'MODEL_ERROR', message: String(err.message ?? e), ...(field ? { field } : {}) } satisfies WorkerMessage);
      },
    );
  });
}
