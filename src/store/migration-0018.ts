/**
 * 0018: what a flood's impact needs beside the map (issue 17 §6).
 *  - `grid_population`: people per grid, a layer the city supplies (`cityloop import population`);
 *    `source` says where a figure comes from — `census`, `survey`, `estimate` or `generated` (the
 *    demo's, spread from district totals), so a page never passes a generated figure off as counted.
 *  - `evacuations`: the one 避险转移 case opened for an analysis (the primary key makes a second
 *    start find the first), with the people to move per community as the analysis said when it
 *    started — the expected figures the tallies are held against.
 */
import type { Kysely, Migration } from 'kysely';

export const migration0018: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('grid_population')
      .addColumn('grid_code', 'text', (c) => c.primaryKey())
      .addColumn('people', 'integer', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('evacuations')
      .addColumn('analysis_id', 'text', (c) => c.primaryKey())
      .addColumn('case_id', 'text', (c) => c.notNull().unique())
      .addColumn('district_code', 'text', (c) => c.notNull())
      .addColumn('communities', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();
  },
};
