/**
 * 0015: units can be disabled by an administrator (issue 16): a disabled unit keeps its tasks and
 * its history, but plans and the routing table no longer pick it for new work.
 */
import type { Kysely, Migration } from 'kysely';

export const migration0015: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('units').addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  },
};
