/** 0007: sensing — devices, readings, rules, alerts, dead letters, CAP messages, muck-truck chain and camera events. Frozen: a migration once shipped is never edited (a change is a new migration). */
import type { Kysely, Migration } from 'kysely';

export const migration0007: Migration = {
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
};
