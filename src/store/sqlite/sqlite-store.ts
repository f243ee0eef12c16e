import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection, type SqliteDialectConfig } from 'kysely';
import { StoreTimeoutError } from '../store-faults.ts';
import type { Database } from '../schema.ts';
import type { StoreAdapter } from '../store-adapter.ts';
import { GroupCommitter } from './group-commit.ts';

export interface SqliteOptions {
  /** A file path, or ':memory:'. */
  readonly file: string;
  /** FULL survives power loss; NORMAL (the default, with WAL) survives a process crash. */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /** STORE_TIMEOUT_MS: the longest wait for a write's turn; busy_timeout is capped below it. */
  readonly timeoutMs?: number;
}

/**
 * better-sqlite3 waits for a lock held by another process inside the one JavaScript thread: the
 * whole server stands still meanwhile. So the lock wait is capped well below STORE_TIMEOUT_MS;
 * SQLITE_BUSY after it is answered 503 STORE_UNAVAILABLE.
 */
const MAX_BUSY_TIMEOUT_MS = 5000;

export function openSqlite(opts: SqliteOptions): StoreAdapter {
  if (opts.file !== ':memory:') mkdirSync(dirname(opts.file), { recursive: true });
  const raw = new BetterSqlite3(opts.file);
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
  raw.pragma('foreign_keys = ON');
  raw.pragma(`busy_timeout = ${Math.min(opts.timeoutMs ?? MAX_BUSY_TIMEOUT_MS, MAX_BUSY_TIMEOUT_MS)}`);
  raw.pragma('cache_size = -65536');
  raw.pragma('wal_autocheckpoint = 4000');
  const config: SqliteDialectConfig = { database: withStatementCache(raw) };
  const db = new Kysely<Database>({ dialect: opts.timeoutMs ? new BoundedSqliteDialect(config, opts.timeoutMs) : new SqliteDialect(config) });
  const committer = new GroupCommitter(db, 64, opts.timeoutMs ?? null);
  // Changes when another connection commits; this connection's own commits leave it as it is.
  let dataVersion = raw.pragma('data_version', { simple: true });
  return {
    db,
    kind: 'sqlite',
    transact: (fn) => committer.transact(fn),
    description: `SQLite ${String((raw.prepare('select sqlite_version() as v').get() as { v: string }).v)} (${opts.file})`,
    // SQLite runs one writer at a time, so a transaction already holds the whole database.
    capabilities: { rowLocks: false },
    ...(opts.file !== ':memory:' ? { sqliteFile: opts.file } : {}),
    othersCommitted() {
      const now = raw.pragma('data_version', { simple: true });
      const changed = now !== dataVersion;
      dataVersion = now;
      return changed;
    },
    async close() {
      await db.destroy();
    },
  };
}

/**
 * Kysely serves SQLite through one connection behind a mutex: while a transaction runs, every
 * other query (reads too) waits for it. A transaction that never ends would make them wait for
 * ever; here the wait is bounded by STORE_TIMEOUT_MS (a StoreTimeoutError, answered 503). A
 * connection obtained after its caller gave up is handed straight back.
 */
class BoundedSqliteDriver extends SqliteDriver {
  readonly #waitMs: number;
  constructor(config: SqliteDialectConfig, waitMs: number) {
    super(config);
    this.#waitMs = waitMs;
  }
  override async acquireConnection(): Promise<DatabaseConnection> {
    const acquiring = super.acquireConnection();
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'gave up'>((resolve) => {
      timer = setTimeout(() => resolve('gave up'), this.#waitMs);
      timer.unref();
    });
    const first = await Promise.race([acquiring, gaveUp]);
    clearTimeout(timer);
    if (first !== 'gave up') return first;
    void acquiring.then(() => this.releaseConnection());
    throw new StoreTimeoutError('waiting for the SQLite connection', this.#waitMs);
  }
}

class BoundedSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #waitMs: number;
  constructor(config: SqliteDialectConfig, waitMs: number) {
    super(config);
    this.#config = config;
    this.#waitMs = waitMs;
  }
  override createDriver(): SqliteDriver {
    return new BoundedSqliteDriver(this.#config, this.#waitMs);
  }
}

/** What Kysely's SQLite driver reads of a statement that writes: not a reader, run() counts. */
const NOTHING_TO_ROLL_BACK = { reader: false, run: () => ({ changes: 0, lastInsertRowid: 0 }) } as unknown as BetterSqlite3.Statement;

/**
 * Kysely's SQLite driver prepares every statement anew; preparing costs more than running a small
 * statement. The same SQL text recurs for every command, so prepared statements are kept in a
 * small LRU keyed by the text. Safe because Kysely runs one statement at a time per connection.
 */
function withStatementCache(raw: BetterSqlite3.Database, capacity = 300) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => raw.close(),
    prepare(sql: string) {
      // When a statement or COMMIT fails with SQLITE_FULL or an I/O error, SQLite may already
      // have rolled the transaction back. Kysely then sends ROLLBACK, which fails with "cannot
      // rollback - no transaction is active" and replaces the error that says what went wrong.
      // With no transaction open there is nothing to roll back: the ROLLBACK is skipped.
      if (sql === 'rollback' && !raw.inTransaction) return NOTHING_TO_ROLL_BACK;
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql);
      } else {
        stmt = raw.prepare(sql);
        if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
      }
      cache.set(sql, stmt);
      return stmt;
    },
  };
}
