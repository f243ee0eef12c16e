/**
 * 0017: analysis runs (山洪淹没分析, 水库溃坝分析 …) as durable jobs. A row is the whole run: what
 * was asked (the normalised inputs, enough to repeat it exactly, and the input raster with the
 * SHA-256 of its cells), where it stands (state, progress), what came out (summary, the result
 * rasters by layer name) and who owns it (the center whose jurisdiction sees it). The queue is the
 * table itself: the runner picks the oldest `queued` row, so a restart loses nothing. Every change
 * of state is also an event of the run's `analysis:ID` stream (who, when, why).
 */
import type { Kysely, Migration } from 'kysely';

export const migration0017: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('analyses')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text')
      .addColumn('model', 'text', (c) => c.notNull())
      // A rerun is a new row of the same family: root_id is the first run's id, version counts up.
      .addColumn('root_id', 'text', (c) => c.notNull())
      .addColumn('parent_id', 'text')
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('progress', 'double precision', (c) => c.notNull().defaultTo(0))
      .addColumn('progress_message', 'text')
      .addColumn('inputs', 'text', (c) => c.notNull())
      .addColumn('raster_id', 'text', (c) => c.notNull())
      .addColumn('raster_sha256', 'text', (c) => c.notNull())
      // Every raster a run read, with its SHA-256 ({id, sha256}[]); raster_id is the terrain.
      .addColumn('input_rasters', 'text', (c) => c.notNull())
      .addColumn('owner_center_id', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      .addColumn('error_code', 'text')
      .addColumn('error_message', 'text')
      .addColumn('summary', 'text')
      .addColumn('result_rasters', 'text')
      .addColumn('cancel_requested_at', 'text')
      // What started it: a person (null) or a trigger (`cap:<alert id>`), so a warning starts one run.
      .addColumn('trigger_key', 'text')
      // Times the run was started: a run a crash interrupted is queued again once, then failed.
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('analyses_state').on('analyses').columns(['state', 'created_at']).execute();
    await db.schema.createIndex('analyses_owner').on('analyses').columns(['owner_center_id', 'created_at']).execute();
    await db.schema.createIndex('analyses_root').on('analyses').columns(['root_id', 'version']).unique().execute();
    await db.schema.createIndex('analyses_trigger').on('analyses').columns(['trigger_key']).unique().execute();
  },
};
