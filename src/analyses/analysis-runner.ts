/**
 * Runs queued analyses, ANALYSIS_CONCURRENCY at a time, each on a worker thread of its own (so a
 * model of minutes never holds the server). The queue is the table: a run is claimed by moving it
 * from `queued` to `running` in a transaction (a second process cannot claim it twice). Progress
 * from the thread is written to the row and put on the bus at most twice a second. The result
 * layers are saved only once the model has finished, all of them, and the run is marked succeeded
 * after; a cancel ends the thread at once, and a cancel arriving while the layers are saved has
 * them removed again, so a cancelled run leaves nothing behind.
 */
import { Worker } from 'node:worker_threads';
import type { Grid } from '../raster/grid.ts';
import type { WorkerJob, WorkerMessage } from './analysis-worker.ts';
import type { ModelOutput, PlacedJob } from './models/model-job.ts';

/** How often progress reaches the row and the feed: at most every this many ms. */
export const PROGRESS_INTERVAL_MS = 500;

export interface RunHandlers {
  /** throttled by the runner */
  progress(fraction: number, message: string | null): Promise<void>;
}

export type RunOutcome =
  | { readonly kind: 'done'; readonly output: ModelOutput; readonly wallSeconds: number }
  | { readonly kind: 'error'; readonly code: string; readonly message: string }
  | { readonly kind: 'cancelled' };

/** One model run on its own thread; `cancel()` ends the thread. */
export class ThreadRun {
  readonly #worker: Worker;
  #cancelled = false;
  readonly outcome: Promise<RunOutcome>;

  constructor(grid: Grid, job: PlacedJob, handlers: RunHandlers, opts: { entry?: URL; threads?: number } = {}) {
    this.#worker = new Worker(opts.entry ?? new URL('./analysis-worker.mjs', import.meta.url));
    let lastProgress = 0;
    let pendingProgress: Promise<void> = Promise.resolve();
    this.outcome = new Promise<RunOutcome>((resolve) => {
      let settled = false;
      const settle = (o: RunOutcome) => {
        if (settled) return;
        settled = true;
        // The last progress write lands before the outcome is acted on (no stale progress after it).
        void pendingProgress.then(() => resolve(o));
        void this.#worker.terminate();
      };
      this.#worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'progress') {
          const now = performance.now();
          if (now - lastProgress < PROGRESS_INTERVAL_MS) return;
          lastProgress = now;
          pendingProgress = pendingProgress.then(() => handlers.progress(m.fraction, m.message)).catch(() => undefined);
        } else if (m.type === 'done') settle({ kind: 'done', output: m.output, wallSeconds: m.wallSeconds });
        else settle({ kind: 'error', code: m.code, message: m.message });
      });
      this.#worker.on('error', (e) => settle(this.#cancelled ? { kind: 'cancelled' } : { kind: 'error', code: 'MODEL_ERROR', message: e.message }));
      this.#worker.on('exit', (code) => settle(this.#cancelled ? { kind: 'cancelled' } : { kind: 'error', code: 'WORKER_EXITED', message: `the model's thread ended (exit code ${code})` }));
    });
    const message: WorkerJob = { grid, job, threads: opts.threads ?? 1 };
    // The cells are copied once into the thread (the caller keeps its grid for the results' georeference).
    this.#worker.postMessage(message);
  }

  cancel(): void {
    this.#cancelled = true;
    void this.#worker.terminate();
  }
}
