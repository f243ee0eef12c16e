import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { DIALECTS, openTestPlatform } from '../support/test-platform.ts';
import { unitIdOf } from '../../cities/chongqing/demo/demo-city.ts';
import { SYSTEM_PRINCIPAL } from '../../src/auth/principal.ts';
import { verifyEventLog } from '../../src/events/event-log.ts';
import { ManualClock, HOUR } from '../../src/clock.ts';

const run = promisify(execFile);
const JFB = { lng: 106.577, lat: 29.557, crs: 'gcj02' as const };
const WATER = unitIdOf('500103', 'water-supply');

describe.each(DIALECTS)('deadlines, durable timers and the audit trail on %s', (dialect) => {
  it('counts working time across the National Day holiday and its make-up Saturday', async () => {
    // Wednesday 2026-09-30 09:00 in Chongqing, the last working day before the break.
    const t = await openTestPlatform(dialect, { clock: new ManualClock('2026-09-30T01:00:00Z') });
    try {
      const cat = t.platform.org.categories().find((c) => c.basis === 'working' && c.resolveWithin === '5d');
      expect(cat, 'a working-time category with 5 days to resolve').toBeTruthy();
      const c = await t.platform.cases.report(SYSTEM_PRINCIPAL, { categoryCode: cat!.code, title: '占道经营', ...JFB });
      const reg = await t.platform.cases.execute(SYSTEM_PRINCIPAL, c.id, { type: 'register' });
      // 09-30 (1), holiday 10-01…10-07, 10-08 (2), 10-09 (3), Saturday 10-10 make-up day (4), Sunday off, 10-12 (5) → 18:00.
      expect(reg.resolveDue).toBe('2026-10-12T10:00:00.000Z');
    } finally {
      await t.close();
    }
  });

  it('fires overdue reminders and supervision once, even across a restart', async () => {
    let t = await openTestPlatform(dialect);
    try {
      const c = await t.platform.cases.report(SYSTEM_PRINCIPAL, { categoryCode: 'municipal.water.burst', title: '爆管', ...JFB });
      await t.platform.cases.execute(SYSTEM_PRINCIPAL, c.id, { type: 'register' });
      const d = await t.platform.cases.execute(SYSTEM_PRINCIPAL, c.id, { type: 'dispatch', tasks: [{ unitId: WATER, role: 'lead' }] });
      const task = d.tasks[0]!;
      expect(await t.platform.timers.runDue()).toBe(0);
      // Nobody signs for the task; the server goes down and comes back a day later.
      t = await t.restart();
      t.clock.advance(24 * HOUR);
      const fired = await t.platform.timers.runDue();
      expect(fired).toBeGreaterThan(0);
      expect(await t.platform.timers.runDue()).toBe(0);
      const events = await t.platform.cases.timeline(SYSTEM_PRINCIPAL, c.id);
      const types = events.map((e) => e.type);
      expect(types.filter((x) => x === 'TaskOverdue')).toHaveLength(1);
      expect(types.filter((x) => x === 'CaseSupervised')).toHaveLength(2); // the task's and the case's deadline
      expect(types).toContain('CaseOverdue');
      expect(events.filter((e) => e.type === 'TaskReminded').length).toBeGreaterThanOrEqual(2);
      const sup = events.find((e) => e.type === 'CaseSupervised');
      expect(sup?.type === 'CaseSupervised' && sup.payload.centerId).toBe('center-500000');
      expect(sup?.actor.id).toBe('system');
      const doc = await t.platform.cases.get(SYSTEM_PRINCIPAL, c.id);
      expect(doc.overdue).toBe(true);
      expect(doc.tasks.find((x) => x.id === task.id)?.overdue).toBe(true);
      const overdue = await t.platform.cases.list(SYSTEM_PRINCIPAL, { overdue: true });
      expect(overdue.items.map((x) => x.id)).toContain(c.id);
      // A timer whose matter has moved on fires nothing.
      const c2 = await t.platform.cases.report(SYSTEM_PRINCIPAL, { categoryCode: 'municipal.water.burst', title: '爆管2', ...JFB });
      await t.platform.cases.execute(SYSTEM_PRINCIPAL, c2.id, { type: 'register' });
      const d2 = await t.platform.cases.execute(SYSTEM_PRINCIPAL, c2.id, { type: 'dispatch', tasks: [{ unitId: WATER, role: 'lead' }] });
      await t.platform.cases.execute(SYSTEM_PRINCIPAL, c2.id, { type: 'accept_task', taskId: d2.tasks[0]!.id });
      await t.platform.cases.execute(SYSTEM_PRINCIPAL, c2.id, { type: 'complete_task', taskId: d2.tasks[0]!.id, note: '修好' });
      await t.platform.cases.execute(SYSTEM_PRINCIPAL, c2.id, { type: 'report_back', summary: '修好' });
      t.clock.advance(24 * HOUR);
      await t.platform.timers.runDue();
      const e2 = await t.platform.cases.timeline(SYSTEM_PRINCIPAL, c2.id);
      expect(e2.map((e) => e.type)).not.toContain('TaskOverdue');
      expect((await verifyEventLog(t.platform.store.db)).ok).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('finds an edited, a deleted and an inserted event', async () => {
    const t = await openTestPlatform(dialect);
    try {
      for (let i = 0; i < 3; i++) {
        const c = await t.platform.cases.report(SYSTEM_PRINCIPAL, { categoryCode: 'municipal.water.burst', title: `爆管${i}`, ...JFB });
        await t.platform.cases.execute(SYSTEM_PRINCIPAL, c.id, { type: 'register' });
      }
      const db = t.platform.store.db;
      expect((await verifyEventLog(db)).ok).toBe(true);
      // Someone with database access rewrites who registered a case.
      // (The first case registration: the plans and rules read at start come before it in the log.)
      const victim = await db.selectFrom('events').selectAll().where('type', '=', 'CaseRegistered').orderBy('seq').limit(1).executeTakeFirstOrThrow();
      expect(victim.actor).toContain('系统');
      await db.updateTable('events').set({ actor: victim.actor.replace('系统', '张三') }).where('seq', '=', victim.seq).execute();
      const edited = await verifyEventLog(db);
      expect(edited.ok).toBe(false);
      expect(edited.problems.map((p) => p.kind)).toContain('hash_mismatch');
      expect(edited.problems[0]?.seq).toBe(Number(victim.seq));
      await db.updateTable('events').set({ actor: victim.actor }).where('seq', '=', victim.seq).execute();
      expect((await verifyEventLog(db)).ok).toBe(true);
      // Deleting an event in the middle breaks the chain.
      const gone = await db.selectFrom('events').selectAll().where('seq', '=', 3).executeTakeFirstOrThrow();
      await db.deleteFrom('events').where('seq', '=', 3).execute();
      const deleted = await verifyEventLog(db);
      expect(deleted.problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['sequence_gap', 'chain_broken']));
      await db.insertInto('events').values(gone).execute();
      // Deleting the newest event leaves the head row pointing past the end.
      const last = await db.selectFrom('events').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
      await db.deleteFrom('events').where('seq', '=', last.seq).execute();
      expect((await verifyEventLog(db)).problems.map((p) => p.kind)).toContain('head_mismatch');
      await db.insertInto('events').values(last).execute();
      expect((await verifyEventLog(db)).ok).toBe(true);
      // An inserted event with a forged but self-consistent hash still breaks the next link.
      await db.updateTable('events').set({ seq: sql`seq + 1000` }).where('seq', '>', 4).execute();
      const forged = { ...gone, id: 'forged', seq: 5, stream_version: 99 };
      await db.insertInto('events').values(forged).execute();
      const inserted = await verifyEventLog(db);
      expect(inserted.ok).toBe(false);
      if (dialect === 'sqlite') {
        // The CLI reads the same store and says so with exit code 3.
        const file = join(t.settings.dataDir, 'cityloop.sqlite');
        const cli = await run(process.execPath, ['bin/cityloop.js', 'audit', 'verify', '--json'], { env: { ...process.env, DATABASE_URL: `sqlite:${file}` } }).then(
          () => ({ code: 0, stdout: '' }),
          (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
        );
        expect(cli.code).toBe(3);
        expect(JSON.parse(cli.stdout.trim().split('\n').at(-1)!).ok).toBe(false);
      }
    } finally {
      await t.close();
    }
  });
});
