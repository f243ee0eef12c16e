/**
 * The case map's cluster indexes on a worker thread (see case-map-tiles.ts for why). One thread
 * per server: it reads SQLite through its own connection, clusters and cuts tiles, while the
 * server's own thread goes on answering. If the thread ends (it ran out of memory, or was ended),
 * every index it held is gone: a build under way is made again on a new thread, tiles asked of a
 * lost index are refused with IndexGoneError (CaseMapTiles then builds the index again). A thread that cannot be
 * started at all (twice in a row, before answering anything) is given up: the indexes are then
 * kept in the server's own thread, as they were before, and the map goes on working.
 */
import { Worker } from 'node:worker_threads';
import { IndexGoneError, InProcessIndexer, type CaseMapLoad, type ClusterIndexer } from './case-map-tiles.ts';
import type { PointColumns, WorkerReply, WorkerRequest } from './case-cluster-worker.ts';

type Pending = { resolve: (r: WorkerReply & { ok: true }) => void; reject: (e: Error) => void };

export interface ThreadIndexerOptions {
  /** The worker's entry (tests give one that cannot start). */
  readonly entry?: URL;
  /** Told once when the thread cannot be started and the indexes are kept in this thread instead. */
  readonly onFallback?: (reason: Error) => void;
}

export class ThreadIndexer implements ClusterIndexer {
  #worker: Worker | null = null;
  readonly #pending = new Map<number, Pending>();
  #requests = 0;
  #closed = false;
  readonly #entry: URL;
  readonly #onFallback: (reason: Error) => void;
  /** Threads in a row that ended before answering anything: two, and the thread is given up. */
  #failedStarts = 0;
  /** Where the indexes go when no thread can be started: the map keeps working, only slower to rebuild. */
  #fallback: InProcessIndexer | null = null;

  constructor(opts: ThreadIndexerOptions = {}) {
    this.#entry = opts.entry ?? new URL('./case-cluster-worker.mjs', import.meta.url);
    this.#onFallback = opts.onFallback ?? (() => undefined);
  }

  /** Whether the indexes are on their own thread (false once it could not be started). */
  get threaded(): boolean {
    return this.#fallback === null;
  }

  async build(id: number, load: CaseMapLoad): Promise<{ count: number; truncated: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const fallback = this.#fallback as InProcessIndexer | null; // set when a thread ends, under the await below
      if (fallback) return fallback.build(id, load);
      try {
        return await this.#buildOnThread(id, load);
      } catch (e) {
        // The thread ended under the build, or could not be started: once more on a new thread, and
        // again only if the thread was given up (the build then runs here).
        if (!(e instanceof IndexGoneError) || (attempt > 0 && this.#fallback === null)) throw e;
      }
    }
  }

  async #buildOnThread(id: number, load: CaseMapLoad): Promise<{ count: number; truncated: boolean }> {
    if ('query' in load) {
      const r = await this.#ask({ op: 'build', req: 0, id, query: load.query });
      return { count: r.count ?? 0, truncated: r.truncated ?? false };
    }
    const n = load.points.length;
    const columns: PointColumns = { ids: new Array<string>(n), lng: new Float64Array(n), lat: new Float64Array(n), group: new Uint8Array(n), priority: new Uint8Array(n), truncated: load.truncated };
    load.points.forEach((p, i) => {
      (columns.ids as string[])[i] = p.id;
      columns.lng[i] = p.lng;
      columns.lat[i] = p.lat;
      columns.group[i] = p.group;
      columns.priority[i] = p.priority;
    });
    const r = await this.#ask({ op: 'build', req: 0, id, columns }, [columns.lng.buffer, columns.lat.buffer, columns.group.buffer, columns.priority.buffer] as ArrayBuffer[]);
    return { count: r.count ?? 0, truncated: r.truncated ?? false };
  }

  async tile(id: number, z: number, x: number, y: number): Promise<Uint8Array | null> {
    if (this.#fallback) return this.#fallback.tile(id, z, x, y);
    const r = await this.#ask({ op: 'tile', req: 0, id, z, x, y });
    return r.tile ?? null;
  }

  drop(id: number): void {
    if (this.#fallback) this.#fallback.drop(id);
    else this.#worker?.postMessage({ op: 'drop', id } satisfies WorkerRequest);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#fallback?.close();
    const w = this.#worker;
    this.#worker = null;
    if (w) await w.terminate();
  }

  /** Ends the thread as a crash would, taking its indexes with it (for tests of the recovery). */
  async endThread(): Promise<void> {
    await this.#worker?.terminate();
  }

  #ask(m: WorkerRequest & { req: number }, transfer: ArrayBuffer[] = []): Promise<WorkerReply & { ok: true }> {
    if (this.#closed) return Promise.reject(new Error('the case map indexer is closed'));
    const w = this.#thread();
    const req = ++this.#requests;
    return new Promise((resolve, reject) => {
      // While an answer is awaited the thread keeps the process alive; idle, it does not.
      if (this.#pending.size === 0) w.ref();
      this.#pending.set(req, { resolve, reject });
      w.postMessage({ ...m, req }, transfer);
    });
  }

  #thread(): Worker {
    if (this.#worker) return this.#worker;
    const w = new Worker(this.#entry);
    w.unref();
    let answered = false;
    w.on('message', (r: WorkerReply) => {
      answered = true;
      this.#failedStarts = 0;
      const p = this.#pending.get(r.req);
      if (!p) return;
      this.#pending.delete(r.req);
      if (this.#pending.size === 0) w.unref();
      if (r.ok) p.resolve(r);
      else p.reject(r.gone ? new IndexGoneError(r.message) : new Error(r.message));
    });
    const ended = (e: Error) => {
      if (this.#worker !== w) return;
      this.#worker = null;
      if (!answered && ++this.#failedStarts >= 2 && !this.#closed) {
        this.#fallback = new InProcessIndexer();
        this.#onFallback(e);
      }
      const waiting = [...this.#pending.values()];
      this.#pending.clear();
      for (const p of waiting) p.reject(e);
    };
    w.on('error', (e) => ended(new IndexGoneError(`the case map thread failed: ${e.message}`)));
    w.on('exit', (code) => ended(new IndexGoneError(`the case map thread ended (exit code ${code})`)));
    this.#worker = w;
    return w;
  }
}
