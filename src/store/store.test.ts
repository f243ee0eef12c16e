import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from './store.ts';
import { DIALECTS, PG_URL } from '../../test/support/test-platform.ts';

describe.each(DIALECTS)('store transactions on %s', (dialect) => {
  it('isolates concurrent writers: a failing one is rolled back alone, the others are durable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cityloop-store-'));
    const schema = `st_${process.pid}_${Date.now()}`;
    const store = await openStore(dialect === 'postgres' ? { databaseUrl: PG_URL, pgSchema: schema } : { dataDir: dir });
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          store.transact(async (tx) => {
            await tx.insertInto('counters').values({ name: `job-${i}`, value: i }).execute();
            if (i === 5) throw new Error('job 5 fails after writing');
            return i;
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array.from({ length: 10 }, (_, i) => (i === 5 ? 'rejected' : 'fulfilled')));
      const rows = await store.db.selectFrom('counters').select('name').where('name', 'like', 'job-%').orderBy('name').execute();
      expect(rows.map((r) => r.name)).toEqual(['job-0', 'job-1', 'job-2', 'job-3', 'job-4', 'job-6', 'job-7', 'job-8', 'job-9']);
      // A lone failing writer leaves nothing behind either.
      await expect(store.transact(async (tx) => {
        await tx.insertInto('counters').values({ name: 'lonely', value: 1 }).execute();
        throw new Error('no');
      })).rejects.toThrow('no');
      expect(await store.db.selectFrom('counters').select('name').where('name', '=', 'lonely').executeTakeFirst()).toBeUndefined();
    } finally {
      if (dialect === 'postgres') await store.db.schema.dropSchema(schema).ifExists().cascade().execute();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a DATABASE_URL of an unknown kind with a clear message', async () => {
    await expect(openStore({ databaseUrl: 'mysql://localhost/x' })).rejects.toThrow(/DATABASE_URL/);
  });
});
