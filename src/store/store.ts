import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Migrator, sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { migrationProvider } from './migrations.ts';
import { StoreFaultMonitor, StoreTimeoutError } from './store-faults.ts';

// The adapter's contract is in a module of its own: the adapters implement it, and this module
// (which opens them) would otherwise form a cycle with each.
export type { StoreAdapter, StoreCapabilities } from './store-adapter.ts';
import type { StoreAdapter } from './store-adapter.ts';

/** A dialect adapter with the platform's watch over its faults (what `openStore` returns). */
export interface Store extends StoreAdapter {
  /** The bound of every store call (STORE_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /** The last full-or-unavailable fault of a write, until a write succeeds again (readiness). */
  readonly faults: StoreFaultMonitor;
  /**
   * Proves the store takes a write: one row written and rolled back in a transaction, within
   * timeoutMs. Leaves nothing behind; rejects with the store's fault or a StoreTimeoutError.
   */
  probeWrite(timeoutMs: number): Promise<void>;
}

/** Default of STORE_TIMEOUT_MS. */
export const DEFAULT_STORE_TIMEOUT_MS = 10_000;

export type Tx = Transaction<Database> | Kysely<Database>;

export interface StoreSettings {
  /** A postgres:// URL switches to PostgreSQL; otherwise SQLite under dataDir. */
  readonly databaseUrl?: string | undefined;
  readonly dataDir?: string;
  readonly sqliteFile?: string;
  readonly pgSchema?: string;
  readonly sqliteSynchronous?: 'NORMAL' | 'FULL';
  /** The bound of every store call, in ms (STORE_TIMEOUT_MS). */
  readonly timeoutMs?: number;
  /** PostgreSQL application_name of the platform's connections (operators and tests find them by it). */
  readonly applicationName?: string;
  readonly log?: { warn(msg: string): void } | undefined;
  /**
   * Open only a store that exists (`audit verify`): a missing SQLite file or a PostgreSQL database
   * without CityLoop's tables is refused with a StoreMissingError instead of being created empty.
   */
  readonly mustExist?: boolean;
}

/** The store asked for does not exist (and `mustExist` forbade creating it). */
export class StoreMissingError extends Error {
  constructor(readonly where: string) {
    super(`no CityLoop store at ${where}`);
  }
}

/** Where a store's settings point, without a password: the SQLite file, or the PostgreSQL URL. */
export function storeLocation(settings: Pick<StoreSettings, 'databaseUrl' | 'dataDir' | 'sqliteFile' | 'pgSchema'>): string {
  const url = settings.databaseUrl;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return `PostgreSQL ${u.toString()}${settings.pgSchema ? ` (schema ${settings.pgSchema})` : ''}`;
  }
  if (url === ':memory:') return 'SQLite :memory:';
  return `SQLite ${resolve(sqliteFileOf(settings))}`;
}

function sqliteFileOf(settings: Pick<StoreSettings, 'databaseUrl' | 'dataDir' | 'sqliteFile'>): string {
  const url = settings.databaseUrl;
  return url?.startsWith('sqlite:') ? url.slice('sqlite:'.length) : (settings.sqliteFile ?? join(settings.dataDir ?? 'data', 'cityloop.sqlite'));
}

export async function openStore(settings: StoreSettings): Promise<Store> {
  const timeoutMs = settings.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  const url = settings.databaseUrl;
  let store: StoreAdapter;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const { openPostgres } = await import('./postgres/postgres-store.ts');
    store = await openPostgres({ url, timeoutMs, ...(settings.pgSchema ? { schema: settings.pgSchema } : {}), ...(settings.applicationName ? { applicationName: settings.applicationName } : {}), log: settings.log });
  } else if (url && !url.startsWith('sqlite:') && url !== ':memory:') {
    throw new Error(`DATABASE_URL must start with postgres:// or sqlite: (got a URL of another kind)`);
  } else {
    const { openSqlite } = await import('./sqlite/sqlite-store.ts');
    const file = url === ':memory:' ? ':memory:' : sqliteFileOf(settings);
    if (settings.mustExist && (file === ':memory:' || !existsSync(file))) throw new StoreMissingError(storeLocation(settings));
    store = openSqlite({ file, timeoutMs, ...(settings.sqliteSynchronous ? { synchronous: settings.sqliteSynchronous } : {}) });
  }
  if (settings.mustExist && store.kind === 'postgres') {
    // The search path is the store's schema (when one is named): CityLoop's log is its events table.
    const found = await sql<{ t: string | null }>`select to_regclass('events')::text as t`.execute(store.db);
    if (!found.rows[0]?.t) {
      await store.close();
      throw new StoreMissingError(storeLocation(settings));
    }
  }
  await migrateToLatest(store.db, settings.pgSchema);
  return watchFaults(store, timeoutMs);
}

/** Marks the write of the probe as one to roll back. */
class ProbeRolledBack extends Error {}
const PROBE_KEY = 'readiness.write_probe';

/** Every write's outcome goes through the monitor, so readiness knows a full or absent store. */
export function watchFaults(store: StoreAdapter, timeoutMs: number, faults = new StoreFaultMonitor()): Store {
  const transact = async <T>(fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> => {
    try {
      const value = await store.transact(fn);
      faults.noteWriteOk();
      return value;
    } catch (e) {
      faults.noteError(e);
      throw e;
    }
  };
  return {
    ...store,
    timeoutMs,
    faults,
    transact,
    close: () => store.close(),
    ...(store.othersCommitted ? { othersCommitted: () => store.othersCommitted!() } : {}),
    async probeWrite(ms: number): Promise<void> {
      const probe = store
        .transact(async (tx) => {
          const at = new Date().toISOString();
          await tx.insertInto('settings').values({ key: PROBE_KEY, value: at }).onConflict((oc) => oc.column('key').doUpdateSet({ value: at })).execute();
          throw new ProbeRolledBack();
        })
        .catch((e: unknown) => {
          if (e instanceof ProbeRolledBack) return;
          faults.noteError(e);
          throw e;
        });
      await withTimeout(probe, ms, 'the write probe');
    },
  };
}

/** Settles as p does, or rejects with a StoreTimeoutError after ms (p keeps running; its outcome is dropped). */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreTimeoutError(what, ms)), ms);
    timer.unref();
  });
  p.catch(() => {}); // lost the race: its rejection is not news
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `schema`: a PostgreSQL schema of its own (tests, several stores in one database). The migrator's
 * own tables are then looked for there: unnamed, it finds another schema's `kysely_migration_lock`
 * among all the database's tables, skips creating its own and fails on it.
 */
export async function migrateToLatest(db: Kysely<Database>, schema?: string): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String((error as Error | undefined)?.message ?? error)}`);
  }
}
