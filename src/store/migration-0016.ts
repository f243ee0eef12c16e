/**
 * 0016: the raster catalogue (issue 17): one row per raster kept under DATA_DIR/rasters/ (a DEM
 * imported or uploaded, a model's result). Removing a raster keeps its row (deleted_at, deleted_by)
 * for the analyses that used it; only its cells go.
 */
import type { Kysely, Migration } from 'kysely';

export const migration0016: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('rasters')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('crs', 'text', (c) => c.notNull())
      .addColumn('width', 'integer', (c) => c.notNull())
      .addColumn('height', 'integer', (c) => c.notNull())
      .addColumn('origin_x', 'double precision', (c) => c.notNull())
      .addColumn('origin_y', 'double precision', (c) => c.notNull())
      .addColumn('cell_width', 'double precision', (c) => c.notNull())
      .addColumn('cell_height', 'double precision', (c) => c.notNull())
      .addColumn('min_value', 'double precision')
      .addColumn('max_value', 'double precision')
      .addColumn('west', 'double precision', (c) => c.notNull())
      .addColumn('south', 'double precision', (c) => c.notNull())
      .addColumn('east', 'double precision', (c) => c.notNull())
      .addColumn('north', 'double precision', (c) => c.notNull())
      .addColumn('source_nodata', 'double precision')
      .addColumn('source_file', 'text')
      .addColumn('tile_size', 'integer', (c) => c.notNull())
      .addColumn('owner_center_id', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('deleted_at', 'text')
      .addColumn('deleted_by', 'text')
      .addColumn('delete_reason', 'text')
      .execute();
    await db.schema.createIndex('rasters_owner_kind').on('rasters').columns(['owner_center_id', 'kind', 'created_at']).execute();
  },
};
