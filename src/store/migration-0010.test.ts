import { describe, expect, it } from 'vitest';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import BetterSqlite3 from 'better-sqlite3';
import { migrationProvider } from './migrations.ts';

/**
 * Migration 0010 on a store that already holds API tokens from before issue 14: they keep every
 * power they had (all scopes) but no longer live for ever; sessions are left as they were.
 */
describe('migration 0010 (token scopes and expiry, TOTP columns)', () => {
  it('gives earlier API tokens every scope and an expiry 90 days out; leaves sessions alone', async () => {
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    try {
      const migrator = new Migrator({ db, provider: migrationProvider });
      const before = await migrator.migrateTo('0009_case_list_indexes');
      expect(before.error).toBeUndefined();
      const row = { user_id: 'u1', name: 'x', created_at: '2026-01-01T00:00:00.000Z', revoked_at: null };
      await db
        .insertInto('auth_tokens')
        .values([
          { ...row, id: 'api-old', token_hash: 'h1', kind: 'api', expires_at: null },
          { ...row, id: 'api-dated', token_hash: 'h2', kind: 'api', expires_at: '2026-02-01T00:00:00.000Z' },
          { ...row, id: 'session', token_hash: 'h3', kind: 'session', expires_at: '2026-01-01T12:00:00.000Z' },
        ])
        .execute();
      const started = Date.now();
      const after = await migrator.migrateToLatest();
      expect(after.error).toBeUndefined();
      const rows = await db.selectFrom('auth_tokens').select(['id', 'scopes', 'expires_at']).orderBy('id').execute();
      const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
      expect(JSON.parse(byId['api-old'].scopes)).toEqual(['read', 'write', 'ingest', 'open311']);
      const expiry = Date.parse(byId['api-old'].expires_at);
      expect(expiry).toBeGreaterThanOrEqual(started + 90 * 86_400_000);
      expect(expiry).toBeLessThanOrEqual(Date.now() + 90 * 86_400_000);
      // A token that already had an expiry keeps it.
      expect(byId['api-dated'].expires_at).toBe('2026-02-01T00:00:00.000Z');
      expect(byId['session']).toMatchObject({ scopes: null, expires_at: '2026-01-01T12:00:00.000Z' });
      await db.insertInto('users').values({ id: 'u1', username: 'a', display_name: 'a', roles: '[]', created_at: 'x' }).execute();
      expect(await db.selectFrom('users').select(['totp_secret', 'totp_confirmed_at', 'totp_last_step']).executeTakeFirst()).toEqual({ totp_secret: null, totp_confirmed_at: null, totp_last_step: null });
    } finally {
      await db.destroy();
    }
  });
});
