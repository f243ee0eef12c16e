import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Database } from '../schema.ts';
import type { StoreAdapter } from '../store.ts';

export interface PostgresOptions {
  readonly url: string;
  /** Use (and create) this schema instead of public: lets test suites run side by side. */
  readonly schema?: string;
  readonly poolSize?: number;
}

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
  if (schema) {
    const setup = new pg.Client({ connectionString: opts.url });
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
    ...(schema ? { options: `-c search_path="${schema}"` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
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
