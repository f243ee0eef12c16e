/**
 * SQLite under faults, through the real store and the API: a full database (a real SQLITE_FULL,
 * made by capping the file with PRAGMA max_page_count), a writer stuck behind a stalled
 * transaction, and a full file system (a small tmpfs, when this process may mount one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { openStore } from '../../src/store/store.ts';
import { classifyStoreFault } from '../../src/store/store-faults.ts';
import Fastify from 'fastify';
import { Writable } from 'node:stream';
import { handleError } from '../../src/http/problem.ts';

const JIEFANGBEI = { lng: 106.577, lat: 29.557, crs: 'gcj02' as const };
const CASE = { categoryCode: 'municipal.water.burst', title: '供水管道爆管', description: '路面积水', ...JIEFANGBEI };

describe('SQLite: a full database', () => {
  let t: TestPlatform;
  let token: string;
  const report = (title = CASE.title, description = CASE.description) => t.app.inject({ method: 'POST', url: '/api/v1/cases', headers: { authorization: `Bearer ${token}` }, payload: { ...CASE, title, description } });
  const pageCount = async () => Number((await sql<{ page_count: number }>`pragma page_count`.execute(t.platform.store.db)).rows[0]!.page_count);
  const capAt = async (pages: number) => sql.raw(`pragma max_page_count = ${pages}`).execute(t.platform.store.db);

  beforeAll(async () => {
    t = await openTestPlatform('sqlite');
    token = await t.signIn('yuzhong.operator');
  });
  afterAll(async () => t?.close());

  it('answers 503 STORE_FULL with Retry-After, keeps the real cause, says so in /readyz, and works again once there is room', async () => {
    expect((await report()).statusCode).toBe(201);
    await capAt(await pageCount());
    // Writes that fit in free pages of the file may still pass; the file cannot grow by one page.
    let refused: Awaited<ReturnType<typeof report>> | null = null;
    for (let i = 0; i < 200 && !refused; i++) {
      const r = await report(`爆管 ${i}`, '路面积水，影响通行。'.repeat(150));
      if (r.statusCode !== 201) refused = r;
    }
    expect(refused, 'no write was refused with the file capped at its size').not.toBeNull();
    expect(refused!.statusCode).toBe(503);
    expect(refused!.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused!.headers['retry-after']).toBe('60');
    expect(refused!.json()).toMatchObject({ code: 'STORE_FULL', status: 503 });

    // The store keeps the driver's own words: SQLITE_FULL, not "cannot rollback".
    const fault = t.platform.store.faults.current();
    expect(fault?.kind).toBe('full');
    expect(fault?.detail).toMatch(/SQLITE_FULL/);
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().failing).toContain('store');
    expect(ready.json().checks.store.detail).toMatch(/full/);
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({ status: 'unavailable', store: { kind: 'sqlite' }, ready: { ready: false } });
    expect((await t.app.inject({ method: 'GET', url: '/livez' })).statusCode).toBe(200);

    await capAt(1_073_741_823);
    expect((await report('空间恢复后')).statusCode).toBe(201);
    expect(t.platform.store.faults.current()).toBeNull();
    // /readyz answers from a cache of one second: wait for a fresh observation.
    await new Promise((r) => setTimeout(r, 1100));
    const again = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ ready: true, failing: [] });
  });

  it('rejects every write of a group-committed batch with SQLITE_FULL when SQLite rolls the batch back', async () => {
    await capAt(await pageCount());
    const big = 'x'.repeat(64 * 1024);
    const writes = Array.from({ length: 8 }, (_, i) =>
      t.platform.store.transact(async (tx) => {
        await tx.insertInto('settings').values({ key: `fault-test-${i}`, value: big }).execute();
      }),
    );
    const outcomes = await Promise.allSettled(writes);
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) {
      expect(String((f.reason as Error).message)).not.toMatch(/cannot rollback|no such savepoint/);
      expect(classifyStoreFault(f.reason)).toBe('full');
    }
    await capAt(1_073_741_823);
    // Nothing of a refused write is left behind, and the store takes writes again.
    const kept = await t.platform.store.db.selectFrom('settings').select('key').where('key', 'like', 'fault-test-%').execute();
    expect(kept.length).toBe(outcomes.length - failed.length);
    await t.platform.store.transact(async (tx) => {
      await tx.deleteFrom('settings').where('key', 'like', 'fault-test-%').execute();
    });
  });
});

describe('SQLite: the operator sees the real cause', () => {
  it('logs SQLITE_FULL and "database or disk is full" where the client gets STORE_FULL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cityloop-log-'));
    const store = await openStore({ dataDir: dir });
    const lines: string[] = [];
    const app = Fastify({ logger: { level: 'warn', stream: new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) }) } });
    try {
      const pages = Number((await sql<{ page_count: number }>`pragma page_count`.execute(store.db)).rows[0]!.page_count);
      await sql.raw(`pragma max_page_count = ${pages}`).execute(store.db);
      app.setErrorHandler(handleError);
      app.post('/write', async () => {
        await store.transact(async (tx) => {
          await tx.insertInto('settings').values({ key: 'big', value: 'z'.repeat(256 * 1024) }).execute();
        });
        return { ok: true };
      });
      const r = await app.inject({ method: 'POST', url: '/write' });
      expect(r.statusCode).toBe(503);
      expect(r.json().code).toBe('STORE_FULL');
      const log = lines.join('');
      expect(log).toMatch(/SQLITE_FULL/);
      expect(log).toMatch(/database or disk is full/);
      expect(log).not.toMatch(/cannot rollback/);
    } finally {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite: a stalled writer', () => {
  let t: TestPlatform;
  let token: string;
  beforeAll(async () => {
    t = await openTestPlatform('sqlite', { settings: { storeTimeoutMs: 300 } });
    token = await t.signIn('yuzhong.operator');
  });
  afterAll(async () => t?.close());

  it('answers a write stuck behind a transaction that does not end 503 STORE_UNAVAILABLE after STORE_TIMEOUT_MS, and the next one works', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const stalled = t.platform.store.transact(async () => held);
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/cases', headers: { authorization: `Bearer ${token}` }, payload: CASE });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(r.headers['retry-after']).toBe('5');
    // Liveness does no I/O; readiness names the store.
    expect((await t.app.inject({ method: 'GET', url: '/livez' })).statusCode).toBe(200);
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().failing).toEqual(['store']);
    release();
    await stalled;
    const next = await t.app.inject({ method: 'POST', url: '/api/v1/cases', headers: { authorization: `Bearer ${token}` }, payload: CASE });
    expect(next.statusCode, next.body).toBe(201);
  });
});

describe('SQLite: a full file system', () => {
  // A real ENOSPC needs a small file system of its own: a tmpfs mounted here (root only).
  const canMount = (() => {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'not root on Linux';
    const probe = mkdtempSync(join(tmpdir(), 'cityloop-mount-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'pipe' });
      execFileSync('umount', [probe], { stdio: 'pipe' });
      return null;
    } catch (e) {
      return `mount is not permitted here (${(e as Error).message.split('\n')[0]})`;
    } finally {
      rmSync(probe, { recursive: true, force: true });
    }
  })();
  if (canMount && process.env.CI === 'true') {
    it('mounts a small tmpfs (required under CI)', () => {
      throw new Error(`the full-disk test cannot run: ${canMount}`);
    });
  }

  it.skipIf(canMount !== null)(`answers STORE_FULL when the disk under the database is full${canMount ? ` — skipped: ${canMount}` : ''}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cityloop-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', dir]);
    try {
      const store = await openStore({ dataDir: dir, timeoutMs: 2000 });
      try {
        // Fill the file system to the last few KB, then write until the database cannot grow.
        try {
          writeFileSync(join(dir, 'ballast'), Buffer.alloc(3 * 1024 * 1024));
        } catch (e) {
          expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
        }
        let failure: unknown = null;
        for (let i = 0; i < 500 && failure === null; i++) {
          try {
            await store.transact(async (tx) => {
              await tx.insertInto('settings').values({ key: `fill-${i}`, value: 'y'.repeat(8192) }).execute();
            });
          } catch (e) {
            failure = e;
          }
        }
        expect(failure, 'the store never reported the full disk').not.toBeNull();
        expect(classifyStoreFault(failure)).toBe('full');
        expect(String((failure as Error).message)).not.toMatch(/cannot rollback/);
        expect(store.faults.current()?.kind).toBe('full');
      } finally {
        await store.close();
      }
    } finally {
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
