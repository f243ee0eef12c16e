import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Database } from '../schema.ts';
import type { StoreAdapter } from '../store-adapter.ts';

export interface PostgresOptions {
  readonly url: string;
  /** Use (and create) this schema instead of public: lets test suites run side by side. */
  readonly schema?: string;
  readonly poolSize?: number;
  /** STORE_TIMEOUT_MS: statement, query, connect and pool-wait bound. Default 10 s. */
  readonly timeoutMs?: number;
  /** Shown in pg_stat_activity: operators (and the fault tests) find the platform's connections by it. */
  readonly applicationName?: string;
  /** Where a lost connection is reported (it never crashes the process). */
  readonly log?: { warn(msg: string): void } | undefined;
}

/** application_name of the platform's connections unless told otherwise. */
export const DEFAULT_APPLICATION_NAME = 'cityloop';
/** TCP keepalive: a half-open connection (the server gone without a FIN) is noticed within about a minute. */
const KEEPALIVE_INITIAL_DELAY_MS = 10_000;

// int8 (20) and numeric (1700) come back from pg as strings; our sequence numbers and counters fit
// well inside 2^53, so they are parsed as numbers for one shape on every dialect.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export async function openPostgres(opts: PostgresOptions): Promise<StoreAdapter> {
  const schema = opts.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`invalid PostgreSQL schema name: ${schema}`);
  }
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const applicationName = opts.applicationName ?? DEFAULT_APPLICATION_NAME;
  // Every bound a connection can have: the server cancels a statement past statement_timeout; the
  // client gives up on an answer that never comes (a stalled server, a half-open socket) a little
  // later; connecting, and waiting for a free connection of the pool, are bounded too.
  const connectionBounds = {
    application_name: applicationName,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs + 1000,
    connectionTimeoutMillis: timeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
  };
  if (schema) {
    const setup = new pg.Client({ connectionString: opts.url, ...connectionBounds });
    // A connection that drops now rejects connect() or the query below; without a listener its
    // 'error' event would end the process.
    setup.on('error', () => {});
    await setup.connect();
    try {
      await setup.query(`create schema if not exists "${schema}"`);
    } finally {
      await setup.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    types,
    ...connectionBounds,
    ...(schema ? { options: `-c search_path="${schema}"` } : {}),
  });
  // An idle connection that the server ends (pg_terminate_backend, a restart, a reset) is reported
  // as an 'error' event of the pool; with no listener Node ends the process. pg-pool has already
  // dropped the connection; the next query opens a new one.
  pool.on('error', (err) => opts.log?.warn(`a PostgreSQL connection was lost while idle and is replaced on next use: ${err.message}`));
  // A connection in use that breaks emits 'error' on its client too; the query on it fails (and
  // is answered 503), the connection is then released as broken (see releasing below).
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: releasingBrokenConnections(pool) }) });
  const version = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(db);
  const safeUrl = redactUrl(opts.url);
  return {
    db,
    kind: 'postgres',
    description: `PostgreSQL ${version.rows[0]?.v ?? '?'} (${safeUrl}${schema ? `, schema ${schema}` : ''})`,
    capabilities: { rowLocks: true },
    // PostgreSQL commits concurrent transactions in parallel over the pool.
    transact: (fn) => db.transaction().execute(fn),
    async close() {
      await db.destroy();
    },
  };
}

type PoolClient = pg.PoolClient;

/**
 * The pool as Kysely sees it, with one difference: a connection whose query failed at the
 * connection level (lost, reset, or no answer within query_timeout) is released as broken, so the
 * pool closes it instead of handing it out again. After a query timeout pg leaves the connection
 * waiting for the answer that never came; given to the next caller, it would hang that one too.
 */
function releasingBrokenConnections(pool: pg.Pool) {
  const broken = new WeakSet<PoolClient>();
  const wrappers = new WeakMap<PoolClient, unknown>();
  return {
    async connect() {
      const client = await pool.connect();
      broken.delete(client);
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        wrapper = {
          query(...args: unknown[]) {
            const q = (client.query as (...a: unknown[]) => unknown)(...args);
            if (q && typeof (q as Promise<unknown>).then === 'function') {
              (q as Promise<unknown>).catch((e: unknown) => {
                if (isConnectionLevel(e)) broken.add(client);
              });
            }
            return q;
          },
          release(destroy?: boolean) {
            client.release(destroy || broken.has(client) ? true : undefined);
          },
        };
        wrappers.set(client, wrapper);
      }
      return wrapper as { query: PoolClient['query']; release(destroy?: boolean): void };
    },
    end: () => pool.end(),
  };
}

/** A failure of the connection itself rather than of the statement (which leaves it usable). */
function isConnectionLevel(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : '';
  const message = typeof err?.message === 'string' ? err.message : '';
  return code.startsWith('08') || code.startsWith('57P') || /^E[A-Z]+$/.test(code) || /^Connection terminated|^Query read timeout|not queryable/.test(message);
}

/** Never print a password from a connection URL. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
