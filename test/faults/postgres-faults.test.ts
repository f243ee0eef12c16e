/**
 * PostgreSQL faults against the real server (TEST_DATABASE_URL): the platform's connections
 * terminated by the server (idle, and in the middle of a request), a statement stalled behind a
 * lock, and a half-open connection (a relay that stops passing bytes without closing). The process
 * must not crash, the failed request is answered 503 STORE_UNAVAILABLE, and the next one works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { sql } from 'kysely';
import { PG_URL, openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { until } from '../support/until.ts';

const JIEFANGBEI = { lng: 106.577, lat: 29.557, crs: 'gcj02' as const };
const CASE = { categoryCode: 'municipal.water.burst', title: '供水管道爆管', description: '路面积水', ...JIEFANGBEI };
const APP_NAME = `cl_faults_${process.pid}`;

describe.skipIf(!PG_URL)('PostgreSQL faults', () => {
  let t: TestPlatform;
  let proxy: TcpProxy;
  let admin: pg.Client;
  let token: string;
  let schema: string;
  const report = () => t.app.inject({ method: 'POST', url: '/api/v1/cases', headers: { authorization: `Bearer ${token}` }, payload: CASE });
  const terminatePlatformConnections = async () =>
    (await admin.query<{ n: string }>(`select count(pg_terminate_backend(pid)) as n from pg_stat_activity where application_name = $1`, [APP_NAME])).rows[0]!.n;
  const platformConnections = async (where = 'true') =>
    Number((await admin.query<{ n: string }>(`select count(*) as n from pg_stat_activity where application_name = $1 and ${where}`, [APP_NAME])).rows[0]!.n);
  /** Another session holds log_head (every case write takes it) until the returned function is called. */
  const holdLogHead = async () => {
    const locker = new pg.Client({ connectionString: PG_URL });
    await locker.connect();
    await locker.query('begin');
    await locker.query(`lock table "${schema}".log_head in access exclusive mode`);
    return async () => {
      await locker.query('rollback');
      await locker.end();
    };
  };

  beforeAll(async () => {
    const u = new URL(PG_URL!);
    proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port || 5432) });
    u.hostname = '127.0.0.1';
    u.port = String(proxy.port);
    t = await openTestPlatform('postgres', { districts: ['500103'], settings: { databaseUrl: u.toString(), storeTimeoutMs: 1000, databaseApplicationName: APP_NAME } });
    token = await t.signIn('yuzhong.operator');
    schema = (await sql<{ s: string }>`select current_schema() as s`.execute(t.platform.store.db)).rows[0]!.s;
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    proxy?.thaw();
    await t?.close();
    await proxy?.close();
  });

  it('names its connections with DATABASE_APPLICATION_NAME', async () => {
    expect((await report()).statusCode).toBe(201);
    expect(await platformConnections()).toBeGreaterThan(0);
  });

  it('survives pg_terminate_backend of its idle connections, and the next request works', async () => {
    await Promise.all([report(), report(), report()]);
    const terminated = Number(await terminatePlatformConnections());
    expect(terminated).toBeGreaterThan(0);
    await until(async () => (await platformConnections()) === 0);
    // The pool hears each connection end (an 'error' event that, unheard, ends the process) and
    // drops it. A request that races the news may still meet a dead connection: that one is
    // answered 503, never 500, and the connection is dropped; so at most one request per dead
    // connection is refused, and then they work.
    let r = await report();
    for (let i = 0; i < terminated && r.statusCode === 503; i++) r = await report();
    expect(r.statusCode, r.body).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('answers 503 when its connection is terminated in the middle of a request, and the next request works', async () => {
    const release = await holdLogHead();
    try {
      const pending = report();
      await until(async () => (await platformConnections(`wait_event_type = 'Lock'`)) > 0);
      await terminatePlatformConnections();
      const r = await pending;
      expect(r.statusCode, r.body).toBe(503);
      expect(r.json()).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect(r.headers['retry-after']).toBe('5');
    } finally {
      await release();
    }
    const next = await report();
    expect(next.statusCode, next.body).toBe(201);
  });

  it('answers a statement stalled behind a lock 503 after STORE_TIMEOUT_MS (statement_timeout), not a hang', async () => {
    const release = await holdLogHead();
    try {
      const r = await report();
      expect(r.statusCode, r.body).toBe(503);
      expect(r.json().code).toBe('STORE_UNAVAILABLE');
      expect((await t.app.inject({ method: 'GET', url: '/livez' })).statusCode).toBe(200);
    } finally {
      await release();
    }
    expect((await report()).statusCode).toBe(201);
  });

  for (const direction of ['both', 'answers'] as const) {
    it(`gives up on a half-open connection (${direction === 'both' ? 'nothing passes' : 'the answers are lost'}, nothing ends) with 503, drops it, and works once the network is back`, async () => {
      await report(); // connections in the pool
      proxy.freeze(direction);
      try {
        const r = await t.app.inject({ method: 'GET', url: '/api/v1/cases', headers: { authorization: `Bearer ${token}` } });
        expect(r.statusCode, r.body).toBe(503);
        expect(r.json().code).toBe('STORE_UNAVAILABLE');
        expect((await t.app.inject({ method: 'GET', url: '/livez' })).statusCode).toBe(200);
        const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
        expect(ready.statusCode).toBe(503);
        expect(ready.json().failing).toContain('store');
      } finally {
        proxy.thaw();
      }
      // A connection that missed its answer is out of step for ever (the next query would read the
      // old answer, or wait): it must not be handed out again. Each request gets its own case back.
      for (let i = 0; i < 5; i++) {
        const r = await report();
        expect(r.statusCode, r.body).toBe(201);
        const got = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${r.json().id}`, headers: { authorization: `Bearer ${token}` } });
        expect(got.statusCode, got.body).toBe(200);
        expect(got.json().id).toBe(r.json().id);
      }
    });
  }

  it('survives every connection being reset under load; requests during the cut are 503, never 500, and then all work', async () => {
    const during = Array.from({ length: 10 }, () => report());
    await new Promise((r) => setTimeout(r, 20));
    proxy.cut();
    const statuses = (await Promise.all(during)).map((r) => r.statusCode);
    expect(statuses.every((s) => s === 201 || s === 503), statuses.join()).toBe(true);
    const after = await Promise.all(Array.from({ length: 5 }, () => report()));
    expect(after.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201]);
  });
});
