import { type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { migration0012 } from './migration-0012.ts';

/**
 * Migrations are written once with Kysely's schema builder and run on every dialect. Only
 * portable column types are used (text, integer, bigint, double precision) so no branch on the
 * vendor is needed.
 */
const migrations: Record<string, Migration> = {
  '0001_core': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('jurisdictions')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('parent_code', 'text')
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('geometry', 'text')
        .addColumn('generated', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('properties', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('min_x', 'double precision')
        .addColumn('min_y', 'double precision')
        .addColumn('max_x', 'double precision')
        .addColumn('max_y', 'double precision')
        .execute();
      await db.schema.createIndex('jurisdictions_parent').on('jurisdictions').columns(['parent_code']).execute();
      await db.schema.createIndex('jurisdictions_level').on('jurisdictions').columns(['level']).execute();

      await db.schema
        .createTable('centers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tier', 'text', (c) => c.notNull())
        .addColumn('jurisdiction_code', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('parent_center_id', 'text')
        .execute();
      await db.schema.createIndex('centers_jurisdiction').on('centers').columns(['jurisdiction_code']).unique().execute();

      await db.schema
        .createTable('units')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('tier', 'text', (c) => c.notNull())
        .addColumn('jurisdiction_code', 'text', (c) => c.notNull())
        .addColumn('category_codes', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema.createIndex('units_jurisdiction').on('units').columns(['jurisdiction_code', 'kind']).execute();

      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('center_id', 'text')
        .addColumn('unit_id', 'text')
        .addColumn('jurisdiction_code', 'text')
        .addColumn('phone', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();

      await db.schema
        .createTable('auth_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('revoked_at', 'text')
        .execute();

      await db.schema
        .createTable('categories')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('parent_code', 'text')
        .addColumn('name_zh', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text', (c) => c.notNull())
        .addColumn('respond_within', 'text', (c) => c.notNull())
        .addColumn('resolve_within', 'text', (c) => c.notNull())
        .addColumn('basis', 'text', (c) => c.notNull())
        .addColumn('default_priority', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('cases')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('number', 'text', (c) => c.notNull().unique())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('category_code', 'text', (c) => c.notNull())
        .addColumn('priority', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('lng', 'double precision', (c) => c.notNull())
        .addColumn('lat', 'double precision', (c) => c.notNull())
        .addColumn('jurisdiction_code', 'text', (c) => c.notNull())
        .addColumn('district_code', 'text')
        .addColumn('street_code', 'text')
        .addColumn('chain', 'text', (c) => c.notNull())
        .addColumn('center_id', 'text', (c) => c.notNull())
        .addColumn('tier', 'text', (c) => c.notNull())
        .addColumn('reporter_user_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('respond_due', 'text')
        .addColumn('resolve_due', 'text')
        .addColumn('closed_at', 'text')
        .addColumn('overdue', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      for (const cols of [['state'], ['category_code'], ['district_code'], ['street_code'], ['center_id'], ['reporter_user_id'], ['created_at']]) {
        await db.schema.createIndex(`cases_${cols.join('_')}`).on('cases').columns(cols).execute();
      }

      await db.schema
        .createTable('tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('case_id', 'text', (c) => c.notNull())
        .addColumn('unit_id', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('deadline', 'text', (c) => c.notNull())
        .addColumn('dispatched_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('overdue', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('tasks_case').on('tasks').columns(['case_id']).execute();
      await db.schema.createIndex('tasks_unit').on('tasks').columns(['unit_id', 'state']).execute();

      await db.schema
        .createTable('attachments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('case_id', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('media_type', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('attachments_case').on('attachments').columns(['case_id']).execute();

      await db.schema
        .createTable('events')
        .addColumn('seq', 'bigint', (c) => c.primaryKey())
        // Not indexed: events are found by seq or by stream; every index costs each append.
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('stream_id', 'text', (c) => c.notNull())
        .addColumn('stream_version', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('schema_version', 'integer', (c) => c.notNull())
        .addColumn('actor_id', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('events_stream').on('events').columns(['stream_id', 'stream_version']).unique().execute();

      await db.schema
        .createTable('log_head')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await db.insertInto('log_head').values({ id: 1, seq: 0, hash: GENESIS_HASH }).execute();

      await db.schema
        .createTable('timers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('case_id', 'text', (c) => c.notNull())
        .addColumn('task_id', 'text')
        .addColumn('due_at', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('fired_at', 'text')
        .execute();
      await db.schema.createIndex('timers_due').on('timers').columns(['status', 'due_at']).execute();

      await db.schema
        .createTable('counters')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
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
  '0007_sensing': {
    async up(db: Kysely<any>) {
      // Sensing (issue 4): devices and their readings, rules and their state, alerts, warnings
      // from other systems, the muck-truck chain and camera events.
      await db.schema
        .createTable('rules')
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
        .addPrimaryKeyConstraint('rules_pk', ['id', 'version'])
        .execute();
      await db.schema
        .createTable('devices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('model', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('lon', 'double precision', (c) => c.notNull())
        .addColumn('lat', 'double precision', (c) => c.notNull())
        .addColumn('jurisdiction_code', 'text')
        .addColumn('district_code', 'text')
        .addColumn('asset_id', 'text')
        .addColumn('unit_id', 'text')
        .addColumn('thresholds', 'text', (c) => c.notNull())
        .addColumn('properties', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text')
        .execute();
      await db.schema.createIndex('devices_asset').on('devices').columns(['asset_id']).execute();
      await db.schema.createIndex('devices_district').on('devices').columns(['district_code']).execute();
      await db.schema
        .createTable('readings')
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('ts', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        // A QoS 1 message delivered twice carries the same stamp: the second insert does nothing.
        .addPrimaryKeyConstraint('readings_pk', ['device_id', 'ts'])
        .execute();
      await db.schema
        .createTable('dead_letters')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text')
        .addColumn('topic', 'text')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('dead_letters_received').on('dead_letters').columns(['received_at']).execute();
      await db.schema
        .createTable('rule_states')
        .addColumn('rule_id', 'text', (c) => c.notNull())
        .addColumn('subject_key', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('wake_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('rule_states_pk', ['rule_id', 'subject_key'])
        .execute();
      await db.schema.createIndex('rule_states_wake').on('rule_states').columns(['wake_at']).execute();
      await db.schema
        .createTable('alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('dedup_key', 'text', (c) => c.notNull())
        // The dedup key while the alert is active, null after: a unique index on it makes a twin
        // impossible even when two triggers race.
        .addColumn('active_key', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('rule_id', 'text')
        .addColumn('device_id', 'text')
        .addColumn('asset_id', 'text')
        .addColumn('district_code', 'text')
        .addColumn('jurisdiction_code', 'text')
        .addColumn('owner_center_id', 'text')
        .addColumn('case_id', 'text')
        .addColumn('first_at', 'text', (c) => c.notNull())
        .addColumn('last_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alerts_active_key').on('alerts').columns(['active_key']).unique().execute();
      await db.schema.createIndex('alerts_status').on('alerts').columns(['status', 'last_at']).execute();
      await db.schema.createIndex('alerts_district').on('alerts').columns(['district_code', 'status']).execute();
      await db.schema.createIndex('alerts_device').on('alerts').columns(['device_id', 'last_at']).execute();
      await db.schema
        .createTable('cap_messages')
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('identifier', 'text', (c) => c.notNull())
        .addColumn('sent', 'text', (c) => c.notNull())
        .addColumn('msg_type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('received_by', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('xml', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('cap_messages_pk', ['sender', 'identifier'])
        .execute();
      await db.schema
        .createTable('muck_sites')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('geometry', 'text', (c) => c.notNull())
        .addColumn('district_code', 'text')
        .addColumn('properties', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('muck_permits')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('company', 'text', (c) => c.notNull())
        .addColumn('excavation_site_id', 'text', (c) => c.notNull())
        .addColumn('disposal_site_id', 'text', (c) => c.notNull())
        .addColumn('route', 'text', (c) => c.notNull())
        .addColumn('valid_from', 'text', (c) => c.notNull())
        .addColumn('valid_to', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('properties', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('muck_permits_number').on('muck_permits').columns(['number']).unique().execute();
      await db.schema
        .createTable('muck_trucks')
        .addColumn('plate', 'text', (c) => c.primaryKey())
        .addColumn('permit_id', 'text')
        .addColumn('company', 'text', (c) => c.notNull())
        .addColumn('properties', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('camera_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('camera_id', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('plate', 'text')
        .addColumn('confidence', 'double precision', (c) => c.notNull())
        .addColumn('snapshot_sha256', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('enrichment', 'text', (c) => c.notNull())
        .addColumn('alert_id', 'text')
        .execute();
      await db.schema.createIndex('camera_events_camera').on('camera_events').columns(['camera_id', 'at']).execute();
    },
  },
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
};

/** The hash that the first event of the log points back to. */
export const GENESIS_HASH = '0'.repeat(64);

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
