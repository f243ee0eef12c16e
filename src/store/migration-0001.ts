/** 0001: the core tables — jurisdictions, centers, units, categories, users, tokens, cases, tasks, attachments, the event log, timers. Frozen: a migration once shipped is never edited (a change is a new migration). */
import type { Kysely, Migration } from 'kysely';

/** The hash that the first event of the log points back to (the log head's start). */
export const GENESIS_HASH = '0'.repeat(64);

export const migration0001: Migration = {
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
};
