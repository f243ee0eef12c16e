import { describe, expect, it } from 'vitest';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import BetterSqlite3 from 'better-sqlite3';
import { migrationProvider } from './migrations.ts';

/**
 * Migration 0012 on a store from before it: what the queries read from the case JSON with LIKE is
 * filled into the new columns and the `case_centers` table, and each event gets its stream's kind.
 */
describe('migration 0012 (columns, not JSON patterns)', () => {
  it('backfills plan, appeal outcome, community, sharing centers and stream types from what is stored', async () => {
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    try {
      const migrator = new Migrator({ db, provider: migrationProvider });
      expect((await migrator.migrateTo('0011_outbox')).error).toBeUndefined();
      const chain = [
        { code: '500000', name: '重庆市', level: 'city' },
        { code: '500103', name: '渝中区', level: 'district' },
        { code: '500103001', name: '街道', level: 'street' },
        { code: '500103001001', name: '社区', level: 'community' },
      ];
      const row = (id: string, doc: Record<string, unknown>) => ({
        id, number: id, state: 'reported', source: 'citizen', category_code: 'x', priority: 'normal', title: 't', lng: 0, lat: 0,
        jurisdiction_code: '500103001001', district_code: '500103', street_code: '500103001', chain: '[]', center_id: 'c', tier: 'district',
        reporter_user_id: null, created_at: 'a', updated_at: 'a', respond_due: null, resolve_due: null, closed_at: null, overdue: 0, version: 1,
        doc: JSON.stringify({ id, chain, ...doc }),
      });
      await db
        .insertInto('cases')
        .values([
          // Key order the LIKE patterns did not expect: the columns do not care.
          row('case-1', { plan: { version: 2, id: 'flood' }, routing: { outcome: 'triage', automatic: true, why: 'x', confidence: 0.2 }, coordination: { agreement: null, centerIds: ['center-500105', 'center-500112'] } }),
          row('case-2', { plan: null, routing: { automatic: false, outcome: 'dispatched', why: 'x', confidence: null } }),
          row('case-3', { chain: chain.slice(0, 2) }),
        ])
        .execute();
      const ev = (seq: number, stream: string) => ({ seq, id: `e${seq}`, stream_id: stream, stream_version: 1, type: 'T', schema_version: 1, actor_id: 'a', actor: '{}', at: 'a', payload: '{}', prev_hash: 'p', hash: 'h' });
      await db.insertInto('events').values([ev(1, 'case-1'), ev(2, 'device:gauge-1'), ev(3, 'rule:r1'), ev(4, 'case-2'), ev(5, 'orphan')]).execute();

      expect((await migrator.migrateToLatest()).error).toBeUndefined();

      const cases = await db.selectFrom('cases').select(['id', 'plan_id', 'appeal_outcome', 'appeal_automatic', 'community_code']).orderBy('id').execute();
      expect(cases).toEqual([
        { id: 'case-1', plan_id: 'flood', appeal_outcome: 'triage', appeal_automatic: 1, community_code: '500103001001' },
        { id: 'case-2', plan_id: null, appeal_outcome: 'dispatched', appeal_automatic: 0, community_code: '500103001001' },
        { id: 'case-3', plan_id: null, appeal_outcome: null, appeal_automatic: null, community_code: null },
      ]);
      expect(await db.selectFrom('case_centers').selectAll().orderBy('center_id').execute()).toEqual([
        { case_id: 'case-1', center_id: 'center-500105' },
        { case_id: 'case-1', center_id: 'center-500112' },
      ]);
      const events = await db.selectFrom('events').select(['stream_id', 'stream_type']).orderBy('seq').execute();
      expect(events.map((e) => e.stream_type)).toEqual(['case', 'device', 'rule', 'case', null]);
    } finally {
      await db.destroy();
    }
  });
});
