import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DIALECTS, openTestPlatform } from '../support/test-platform.ts';
import { unitIdOf } from '../../cities/chongqing/demo/demo-city.ts';
import { SYSTEM_PRINCIPAL } from '../../src/auth/principal.ts';
import { verifyEventLog } from '../../src/events/event-log.ts';
import { replayCase } from '../../src/cases/evolve-case.ts';

const JFB = { lng: 106.577, lat: 29.557, crs: 'gcj02' as const };
const WATER = unitIdOf('500103', 'water-supply');
const TRAFFIC = unitIdOf('500103', 'traffic-police');

describe.each(DIALECTS)('attachments, atomic dispatch and concurrent writers on %s', (dialect) => {
  it('stores an attachment by its hash and serves it back to those who may see the case', async () => {
    const t = await openTestPlatform(dialect);
    try {
      const yz = await t.signIn('yuzhong.operator');
      const na = await t.signIn('nanan.operator');
      const c = (await t.app.inject({ method: 'POST', url: '/api/v1/cases', headers: { authorization: `Bearer ${yz}` }, payload: { categoryCode: 'municipal.water.burst', title: '爆管现场照片', ...JFB } })).json();
      const photo = Buffer.from('\xff\xd8\xff\xe0 pretend jpeg 爆管现场', 'latin1');
      const up = await t.app.inject({ method: 'POST', url: `/api/v1/cases/${c.id}/attachments?fileName=${encodeURIComponent('现场.jpg')}`, headers: { authorization: `Bearer ${yz}`, 'content-type': 'image/jpeg' }, payload: photo });
      expect(up.statusCode, up.body).toBe(201);
      expect(up.json().sha256).toBe(createHash('sha256').update(photo).digest('hex'));
      const doc = (await t.app.inject({ method: 'GET', url: `/api/v1/cases/${c.id}`, headers: { authorization: `Bearer ${yz}` } })).json();
      expect(doc.attachments).toHaveLength(1);
      const down = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${c.id}/attachments/${up.json().id}`, headers: { authorization: `Bearer ${yz}` } });
      expect(down.statusCode).toBe(200);
      expect(down.rawPayload.equals(photo)).toBe(true);
      expect(down.headers['content-type']).toContain('image/jpeg');
      const denied = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${c.id}/attachments/${up.json().id}`, headers: { authorization: `Bearer ${na}` } });
      expect(denied.statusCode).toBe(403);
      const wrongType = await t.app.inject({ method: 'POST', url: `/api/v1/cases/${c.id}/attachments?fileName=x.html`, headers: { authorization: `Bearer ${yz}`, 'content-type': 'text/html' }, payload: '<script>' });
      expect(wrongType.statusCode).toBe(415);
    } finally {
      await t.close();
    }
  });

  it('reports, registers and dispatches in one transaction, or not at all', async () => {
    const t = await openTestPlatform(dialect);
    try {
      const doc = await t.platform.cases.reportAndRun(SYSTEM_PRINCIPAL, { categoryCode: 'municipal.water.burst', title: '自动派单', ...JFB }, [
        { type: 'register' },
        { type: 'dispatch', tasks: [{ unitId: WATER, role: 'lead' }, { unitId: TRAFFIC, role: 'assist' }] },
      ]);
      expect(doc.state).toBe('dispatched');
      expect(doc.tasks).toHaveLength(2);
      const events = await t.platform.cases.timeline(SYSTEM_PRINCIPAL, doc.id);
      expect(events.map((e) => e.type)).toEqual(['CaseReported', 'CaseRegistered', 'CaseDispatched']);
      // The projection equals the replayed log.
      expect(replayCase(events)).toEqual(doc);
      const before = await t.platform.store.db.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      await expect(
        t.platform.cases.reportAndRun(SYSTEM_PRINCIPAL, { categoryCode: 'municipal.water.burst', title: '失败的自动派单', ...JFB }, [{ type: 'register' }, { type: 'dispatch', tasks: [{ unitId: 'unit-missing', role: 'lead' }] }]),
      ).rejects.toMatchObject({ code: 'UNKNOWN_UNIT' });
      const after = await t.platform.store.db.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
      expect((await verifyEventLog(t.platform.store.db)).ok).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('keeps one unbroken chain and consistent cases under concurrent writers', async () => {
    const t = await openTestPlatform(dialect);
    try {
      const docs = await Promise.all(Array.from({ length: 12 }, (_, i) => t.platform.cases.report(SYSTEM_PRINCIPAL, { categoryCode: 'municipal.water.burst', title: `并发${i}`, ...JFB })));
      await Promise.all(docs.map((d) => t.platform.cases.execute(SYSTEM_PRINCIPAL, d.id, { type: 'register' })));
      // Two operators race to dispatch the same case: exactly one wins, the other is refused.
      const race = await Promise.allSettled([
        t.platform.cases.execute(SYSTEM_PRINCIPAL, docs[0]!.id, { type: 'dispatch', tasks: [{ unitId: WATER, role: 'lead' }] }, 2),
        t.platform.cases.execute(SYSTEM_PRINCIPAL, docs[0]!.id, { type: 'dispatch', tasks: [{ unitId: TRAFFIC, role: 'lead' }] }, 2),
      ]);
      expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = race.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason.code).toBe('CONFLICT_VERSION');
      const numbers = new Set(docs.map((d) => d.number));
      expect(numbers.size).toBe(12);
      const report = await verifyEventLog(t.platform.store.db);
      expect(report.ok).toBe(true);
      // The cases' own events (the log also holds the plans and rules read at start).
      const caseEvents = await t.platform.store.db.selectFrom('events').select('id').where('stream_id', 'in', docs.map((d) => d.id)).execute();
      expect(caseEvents.length).toBe(12 * 2 + 1);
      expect(report.events).toBeGreaterThanOrEqual(caseEvents.length);
    } finally {
      await t.close();
    }
  });
});

describe.each(DIALECTS)('field reports resent from a phone on %s', (dialect) => {
  it('stores a resent report once, even when the copies race', async () => {
    const t = await openTestPlatform(dialect);
    try {
      const gw = await t.signIn('gridworker');
      const send = () =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/cases',
          headers: { authorization: `Bearer ${gw}`, 'idempotency-key': 'phone-7f3a-0001' },
          payload: { categoryCode: 'environment.exposed-garbage', title: '巷口暴露垃圾', lng: 106.577, lat: 29.557, crs: 'gcj02' },
        });
      const [a, b] = await Promise.all([send(), send()]);
      const c = await send();
      expect([a.statusCode, b.statusCode, c.statusCode]).toEqual([201, 201, 201]);
      expect(new Set([a.json().id, b.json().id, c.json().id]).size).toBe(1);
      const rows = await t.platform.store.db.selectFrom('cases').select('id').where('title', '=', '巷口暴露垃圾').execute();
      expect(rows).toHaveLength(1);
      // Another worker's phone may use the same id for its own report.
      const other = await t.signIn('yuzhong.operator');
      const mine = await t.app.inject({ method: 'POST', url: '/api/v1/cases', headers: { authorization: `Bearer ${other}`, 'idempotency-key': 'phone-7f3a-0001' }, payload: { categoryCode: 'environment.exposed-garbage', title: '另一处垃圾', lng: 106.577, lat: 29.557, crs: 'gcj02' } });
      expect(mine.json().id).not.toBe(a.json().id);
      expect((await verifyEventLog(t.platform.store.db)).ok).toBe(true);
    } finally {
      await t.close();
    }
  });
});
