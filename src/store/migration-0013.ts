/**
 * 0013: the outbox holds the alerts' effects too (a trusted alert's verification, a case's sensor
 * back to normal), so a row names the stream it acts on — a case, or an alert whose case does not
 * exist yet: `case_id` becomes `stream_id`.
 */
import type { Kysely, Migration } from 'kysely';

export const migration0013: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('outbox').renameColumn('case_id', 'stream_id').execute();
  },
};
