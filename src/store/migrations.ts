import { type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { migration0001 } from './migration-0001.ts';
import { migration0007 } from './migration-0007.ts';
import { migration0012 } from './migration-0012.ts';
import { migration0013 } from './migration-0013.ts';
import { migration0014 } from './migration-0014.ts';
import { migration0015 } from './migration-0015.ts';
import { migration0016 } from './migration-0016.ts';
import { migration0017 } from './migration-0017.ts';
import { migration0018 } from './migration-0018.ts';

/**
 * Migrations are written once with Kysely's schema builder and run on every dialect. Only
 * portable column types are used (text, integer, bigint, double precision) so no branch on the
 * vendor is needed.
 */
const migrations: Record<string, Migration> = {
  '0001_core': migration0001,
  '0002_assets_plans': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('assets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('geometry', 'text', (c) => c.notNull())
        .addColumn('properties', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('unit_id', 'text')
        .addColumn('jurisdiction_code', 'text')
        .addColumn('generated', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('min_x', 'double precision', (c) => c.notNull())
        .addColumn('min_y', 'double precision', (c) => c.notNull())
        .addColumn('max_x', 'double precision', (c) => c.notNull())
        .addColumn('max_y', 'double precision', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('assets_type').on('assets').columns(['type']).execute();

      await db.schema
        .createTable('plans')
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
        .addPrimaryKeyConstraint('plans_pk', ['id', 'version'])
        .execute();
    },
  },
  '0003_timer_detail': {
    async up(db: Kysely<any>) {
      // What a timer of a plan's escalation clock needs to know: which step, which firing.
      await db.schema.alterTable('timers').addColumn('detail', 'text').execute();
    },
  },
  '0004_client_request_id': {
    async up(db: Kysely<any>) {
      // A phone on a bad connection resends its report with the same id: the second is harmless.
      await db.schema.alterTable('cases').addColumn('client_request_id', 'text').execute();
      await db.schema.createIndex('cases_client_request').on('cases').columns(['client_request_id']).unique().execute();
    },
  },
  '0005_reporter_phone': {
    async up(db: Kysely<any>) {
      // The hotline finds a caller's earlier appeals by phone number.
      await db.schema.alterTable('cases').addColumn('reporter_phone', 'text').execute();
      await db.schema.createIndex('cases_reporter_phone').on('cases').columns(['reporter_phone']).execute();
    },
  },
  '0006_routing_tables': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('routing_tables')
        .addColumn('version', 'integer', (c) => c.primaryKey())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0007_sensing': migration0007,
  '0008_category_versions': {
    async up(db: Kysely<any>) {
      // The category list is edited as a whole (src/org/category-versions.ts): each saved list is
      // a version, kept with who saved it and what changed; `categories` stays the list in force.
      await db.schema
        .createTable('category_versions')
        .addColumn('version', 'integer', (c) => c.primaryKey())
        .addColumn('items', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0009_case_list_indexes': {
    async up(db: Kysely<any>) {
      // The cockpit's lists ask for "the newest 30 to register" and "the newest 50 overdue": with an
      // index on the filter alone, 100,000 matching cases were read and sorted (0.4–0.6 s); with the
      // order's columns behind the filter they are read newest first and the scan stops at 30.
      await db.schema.createIndex('cases_state_created').on('cases').columns(['state', 'created_at', 'id']).execute();
      await db.schema.createIndex('cases_overdue_created').on('cases').columns(['overdue', 'created_at', 'id']).execute();
      await db.schema.createIndex('cases_created_id').on('cases').columns(['created_at', 'id']).execute();
      // Vital signs count the open cases of each category in a jurisdiction: an index-only scan.
      await db.schema.createIndex('cases_category_state').on('cases').columns(['category_code', 'state', 'district_code', 'street_code']).execute();
      // The map's case layer reads position, state and priority of every open case in a jurisdiction:
      // covered by this index, the case documents (kilobytes each) are not read at all.
      await db.schema
        .createIndex('cases_map')
        .on('cases')
        .columns(['district_code', 'street_code', 'state', 'lng', 'lat', 'priority', 'overdue', 'id', 'jurisdiction_code'])
        .execute();
    },
  },
  '0010_sessions_tokens_totp': {
    async up(db: Kysely<any>) {
      // API tokens get scopes and an expiry (issue 14): tokens issued before had every power and
      // none expired; they keep their powers and expire 90 days after this migration, so that
      // no token lives for ever. `created_by` says who issued a token (an administrator may issue
      // one for a system account).
      await db.schema.alterTable('auth_tokens').addColumn('scopes', 'text').execute();
      await db.schema.alterTable('auth_tokens').addColumn('created_by', 'text').execute();
      await db.schema.createIndex('auth_tokens_user').on('auth_tokens').columns(['user_id', 'kind']).execute();
      const in90Days = new Date(Date.now() + 90 * 24 * 3600_000).toISOString();
      await db
        .updateTable('auth_tokens')
        .set({ scopes: JSON.stringify(['read', 'write', 'ingest', 'open311']) })
        .where('kind', '=', 'api')
        .execute();
      await db.updateTable('auth_tokens').set({ expires_at: in90Days }).where('kind', '=', 'api').where('expires_at', 'is', null).execute();
      // The second factor: the sealed secret (never in the clear), when it was confirmed (null:
      // enrolment begun, not yet in force), and the last step used (a code is good once).
      await db.schema.alterTable('users').addColumn('totp_secret', 'text').execute();
      await db.schema.alterTable('users').addColumn('totp_confirmed_at', 'text').execute();
      await db.schema.alterTable('users').addColumn('totp_last_step', 'bigint').execute();
    },
  },
  '0011_outbox': {
    async up(db: Kysely<any>) {
      // Effects decided in a transaction (a plan's device commands and notifications, the undo of
      // its device steps when the case closes), written with the events that decide them and
      // claimed by a runner: a crash between the commit and the effect loses nothing.
      await db.schema
        .createTable('outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('case_id', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('claimed_until', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('done_at', 'text')
        .execute();
      await db.schema.createIndex('outbox_pending').on('outbox').columns(['status', 'created_at']).execute();
    },
  },
  '0012_case_columns': migration0012,
  '0013_outbox_streams': migration0013,
  '0014_case_search_views': migration0014,
  '0015_unit_disabled': migration0015,
  '0016_rasters': migration0016,
  '0017_analyses': migration0017,
  '0018_population_evacuations': migration0018,
};

export { GENESIS_HASH } from './migration-0001.ts';

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
