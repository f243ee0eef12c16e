import { describe, expect, it } from 'vitest';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import BetterSqlite3 from 'better-sqlite3';
import { migrationProvider } from './migrations.ts';
import { fts5Match, searchPartsOf } from './search-terms.ts';

/** Migration 0014 on a store from before it: every stored case gets its search terms, indexed by FTS5. */
describe('migration 0014 (case search, saved views)', () => {
  it('backfills the search terms of the stored cases, and FTS5 finds them; the triggers keep the index', async () => {
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    try {
      const migrator = new Migrator({ db, provider: migrationProvider });
      expect((await migrator.migrateTo('0013_outbox_streams')).error).toBeUndefined();
      const row = (id: string, title: string, doc: Record<string, unknown>) => ({
        id, number: `CL2026030200000${id.slice(-1)}`, state: 'reported', source: 'citizen', category_code: 'x', priority: 'normal', title, lng: 0, lat: 0,
        jurisdiction_code: 'j', district_code: null, street_code: null, chain: '[]', center_id: 'c', tier: 'district',
        reporter_user_id: null, created_at: 'a', updated_at: 'a', respond_due: null, resolve_due: null, closed_at: null, overdue: 0, version: 1,
        doc: JSON.stringify({ id, title, ...doc }),
      });
      await db.insertInto('cases').values([
        row('case-1', '下水道井盖不见了', { description: '有人差点掉下去', location: { address: '解放碑步行街' } }),
        // An old document without description or address: the columns stand in.
        row('case-2', '供水管道爆管 DN200', {}),
      ]).execute();
      expect((await migrator.migrateToLatest()).error).toBeUndefined();

      const find = async (q: string) =>
        (await sql<{ case_id: string }>`select case_id from case_search where rowid in (select rowid from case_fts where case_fts match ${fts5Match(searchPartsOf(q))}) order by case_id`.execute(db)).rows.map((r) => r.case_id);
      expect(await find('解放碑')).toEqual(['case-1']);
      expect(await find('掉下')).toEqual(['case-1']);
      expect(await find('dn2')).toEqual(['case-2']);
      expect(await find('cl20260302')).toEqual(['case-1', 'case-2']);
      // The triggers: a changed row is found by its new words only, a deleted one not at all.
      await db.updateTable('case_search').set({ terms: '路灯 灯不 不亮' }).where('case_id', '=', 'case-2').execute();
      expect(await find('爆管')).toEqual([]);
      expect(await find('路灯不亮')).toEqual(['case-2']);
      await db.deleteFrom('case_search').where('case_id', '=', 'case-1').execute();
      expect(await find('解放碑')).toEqual([]);
      expect(await db.selectFrom('case_views').selectAll().execute()).toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});
