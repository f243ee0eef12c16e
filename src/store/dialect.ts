/** Which engine a Kysely handle (or a transaction of it) speaks to, for the few statements that differ (full-text search). */
import { PostgresAdapter, type Kysely } from 'kysely';

export function isPostgres(db: Pick<Kysely<any>, 'getExecutor'>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
