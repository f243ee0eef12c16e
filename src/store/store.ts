import { join } from 'node:path';
import { Migrator, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { migrationProvider } from './migrations.ts';

export interface StoreCapabilities {
  /** SELECT … FOR UPDATE is available and needed to serialise writers. */
  readonly rowLocks: boolean;
}

/** What a dialect adapter hands to the rest of the platform. */
export interface StoreAdapter {
  readonly db: Kysely<Database>;
  readonly kind: 'sqlite' | 'postgres';
  readonly description: string;
  readonly capabilities: StoreCapabilities;
  /** SQLite: whether another connection (another process) committed since the last call. */
  othersCommitted?(): boolean;
  /** SQLite on a file: its path, for readers with connections of their own (the case map's thread). */
  readonly sqliteFile?: string;
  /**
   * Runs fn in a write transaction. Adapters may run several callers' functions in one
   * transaction (SQLite group commit), each isolated by a savepoint; the promise settles after the
   * commit either way.
   */
  transact<T>(fn: (tx: Transaction<Database>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type Tx = Transaction<Database> | Kysely<Database>;

export interface StoreSettings {
  /** A postgres:// URL switches to PostgreSQL; otherwise SQLite under dataDir. */
  readonly databaseUrl?: string | undefined;
  readonly dataDir?: string;
  readonly sqliteFile?: string;
  readonly pgSchema?: string;
  readonly sqliteSynchronous?: 'NORMAL' | 'FULL';
}

export async function openStore(settings: StoreSettings): Promise<StoreAdapter> {
  const url = settings.databaseUrl;
  let store: StoreAdapter;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const { openPostgres } = await import('./postgres/postgres-store.ts');
    store = await openPostgres({ url, ...(settings.pgSchema ? { schema: settings.pgSchema } : {}) });
  } else if (url && !url.startsWith('sqlite:') && url !== ':memory:') {
    throw new Error(`DATABASE_URL must start with postgres:// or sqlite: (got a URL of another kind)`);
  } else {
    const { openSqlite } = await import('./sqlite/sqlite-store.ts');
    const file =
      url === ':memory:'
        ? ':memory:'
        : url?.startsWith('sqlite:')
          ? url.slice('sqlite:'.length)
          : (settings.sqliteFile ?? join(settings.dataDir ?? 'data', 'cityloop.sqlite'));
    store = openSqlite({ file, ...(settings.sqliteSynchronous ? { synchronous: settings.sqliteSynchronous } : {}) });
  }
  await migrateToLatest(store.db);
  return store;
}

export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String((error as Error | undefined)?.message ?? error)}`);
  }
}
