/** What a dialect adapter (sqlite/, postgres/) hands to the rest of the platform. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

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

