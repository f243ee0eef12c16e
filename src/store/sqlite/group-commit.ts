import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { StoreTimeoutError } from '../store-faults.ts';

interface Job {
  readonly fn: (tx: Transaction<Database>) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  /** Rejects the job if it is still waiting for its turn when STORE_TIMEOUT_MS has passed. */
  timer: NodeJS.Timeout | null;
}

/**
 * Group commit for SQLite. SQLite has one writer, and each COMMIT writes every dirty page to the
 * WAL: with a dozen tables and indexes touched per command, the commit costs more than the
 * command. Writes that arrive while a transaction is running are queued and run together in the
 * next transaction, each inside its own SAVEPOINT: a command that fails is rolled back alone, the
 * others commit. Each caller's promise settles only after the COMMIT that made its writes durable,
 * so callers see the same guarantees as with one transaction each. A lone write is not delayed.
 */
export class GroupCommitter {
  readonly #db: Kysely<Database>;
  readonly #maxBatch: number;
  readonly #waitMs: number | null;
  #queue: Job[] = [];
  #running = false;

  /**
   * waitMs bounds the wait for a turn (STORE_TIMEOUT_MS): a caller behind a stalled transaction
   * gets a StoreTimeoutError instead of waiting for ever. A job that has started runs to its end:
   * its statements are bounded by busy_timeout, and a half-done job cannot be taken back.
   */
  constructor(db: Kysely<Database>, maxBatch = 64, waitMs: number | null = null) {
    this.#db = db;
    this.#maxBatch = maxBatch;
    this.#waitMs = waitMs;
  }

  transact<T>(fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const job: Job = { fn, resolve: resolve as (v: unknown) => void, reject, timer: null };
      if (this.#waitMs !== null) {
        const waitMs = this.#waitMs;
        job.timer = setTimeout(() => {
          const i = this.#queue.indexOf(job);
          if (i < 0) return;
          this.#queue.splice(i, 1);
          reject(new StoreTimeoutError('a write waiting for its turn', waitMs));
        }, waitMs);
        job.timer.unref();
      }
      this.#queue.push(job);
      if (!this.#running) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        for (const job of batch) if (job.timer) clearTimeout(job.timer);
        await this.#runBatch(batch);
      }
    } finally {
      this.#running = false;
    }
  }

  async #runBatch(batch: Job[]): Promise<void> {
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      await this.#db.transaction().execute(async (tx) => {
        if (batch.length === 1) {
          // Nothing to isolate from: skip the savepoint; an error rolls the whole transaction back.
          try {
            outcomes.push({ ok: true, value: await batch[0]!.fn(tx) });
          } catch (err) {
            outcomes.push({ ok: false, value: err });
            throw new BatchAborted();
          }
          return;
        }
        for (const job of batch) {
          await sql`savepoint cl_job`.execute(tx);
          try {
            const value = await job.fn(tx);
            await sql`release savepoint cl_job`.execute(tx);
            outcomes.push({ ok: true, value });
          } catch (err) {
            try {
              await sql`rollback to savepoint cl_job`.execute(tx);
              await sql`release savepoint cl_job`.execute(tx);
            } catch {
              // SQLite rolled the whole transaction back by itself (a full disk, an I/O error):
              // the savepoint is gone with it, and so is every job of this batch. The job's own
              // error is the one that says why.
              throw err;
            }
            outcomes.push({ ok: false, value: err });
          }
        }
      });
    } catch (err) {
      if (!(err instanceof BatchAborted)) {
        // The COMMIT itself failed: nothing of this batch is durable.
        for (const job of batch) job.reject(err);
        return;
      }
    }
    batch.forEach((job, i) => {
      const o = outcomes[i]!;
      if (o.ok) job.resolve(o.value);
      else job.reject(o.value);
    });
  }
}

class BatchAborted extends Error {}
