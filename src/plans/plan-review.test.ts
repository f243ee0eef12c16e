import { describe, expect, it } from 'vitest';
import type { CaseEvent, CaseEventBody, DispatchedTask } from '../cases/case-events.ts';
import { SYSTEM_ACTOR } from '../cases/case-events.ts';
import type { TaskRole } from '../cases/case-model.ts';
import { percentileNearestRank, reviewPlan, reviewPlans, summarizeDurations } from './plan-review.ts';

const T0 = Date.parse('2026-03-02T01:00:00.000Z');

/** Builds one case's log; `at` is seconds after T0. */
function caseLog(caseId: string) {
  const events: CaseEvent[] = [];
  let seq = 0;
  const add = (at: number, body: CaseEventBody) => {
    seq += 1;
    events.push({ ...body, seq, id: `${caseId}-e${seq}`, streamId: caseId, streamVersion: seq, schemaVersion: 1, actor: SYSTEM_ACTOR, at: new Date(T0 + at * 1000).toISOString() } as CaseEvent);
  };
  const task = (taskId: string, key: string | null, role: TaskRole = 'assist', unitId = `unit-${key ?? taskId}`): DispatchedTask => ({
    taskId,
    unitId,
    unitName: unitId,
    role,
    respondDue: '2026-03-02T02:00:00.000Z',
    deadline: '2026-03-02T09:00:00.000Z',
    ...(key !== null ? { plan: { key, instructions: '处置', arriveBy: null, dependsOn: [], handBack: [] } } : {}),
  });
  const b = {
    events,
    reported(at = 0) {
      add(at, {
        type: 'CaseReported',
        payload: {
          number: caseId,
          source: 'sensor',
          categoryCode: 'municipal.water.burst',
          priority: 'high',
          title: '爆管',
          description: '',
          location: { lng: 106.5455, lat: 29.5635, address: '' },
          chain: [],
          centerId: 'center-500103',
          tier: 'district',
          reporter: { userId: null, name: null, phone: null, anonymous: false },
          externalRef: null,
        },
      });
      return b;
    },
    applied(at: number, planId = 'water-main-burst', version = 1) {
      add(at, { type: 'PlanApplied', payload: { planId, version, name: `预案 ${planId}`, tier: 'district', centerId: 'center-500103', facts: {}, actions: [] } });
      add(at, { type: 'CaseRegistered', payload: { respondDue: '2026-03-02T02:00:00.000Z', resolveDue: '2026-03-02T09:00:00.000Z', note: null } });
      return b;
    },
    dispatched(at: number, round: number, tasks: DispatchedTask[]) {
      add(at, { type: 'CaseDispatched', payload: { round, tasks, note: null } });
      return b;
    },
    accepted: (at: number, taskId: string) => (add(at, { type: 'TaskAccepted', payload: { taskId } }), b),
    completed: (at: number, taskId: string) => (add(at, { type: 'TaskCompleted', payload: { taskId, note: '完成' } }), b),
    returned: (at: number, taskId: string) => (add(at, { type: 'TaskReturned', payload: { taskId, reason: '不属本单位' } }), b),
    reminded: (at: number, taskId: string) => (add(at, { type: 'TaskReminded', payload: { taskId, reason: '请尽快', automatic: true } }), b),
    overdue: (at: number, taskId: string) => (add(at, { type: 'TaskOverdue', payload: { taskId, deadline: '2026-03-02T02:00:00.000Z' } }), b),
    reportedBack: (at: number) => (add(at, { type: 'CaseReportedBack', payload: { summary: '已处置' } }), b),
    checked: (at: number) => (add(at, { type: 'CaseChecked', payload: { note: null } }), b),
    checkFailed: (at: number) => (add(at, { type: 'CaseReopened', payload: { cause: 'check_failed', reason: '仍在漏水' } }), b),
    reopened: (at: number) => (add(at, { type: 'CaseReopened', payload: { cause: 'unsatisfied', reason: '不满意' } }), b),
    closed: (at: number) => (add(at, { type: 'CaseClosed', payload: { note: null } }), b),
    evaluated: (at: number) => (add(at, { type: 'CaseEvaluated', payload: { satisfaction: 'satisfied', comment: null, by: 'reporter' } }), b),
    task,
  };
  return b;
}

/** A closed case: repair accepted after `acc` s and done after `done` s; traffic fixed times. */
function simpleCase(id: string, acc: number, done: number, opts: { planId?: string; version?: number; close?: boolean; reopenAfter?: boolean } = {}): CaseEvent[] {
  const c = caseLog(id).reported(0).applied(60, opts.planId, opts.version);
  c.dispatched(60, 1, [c.task(`${id}-r`, 'repair', 'lead'), c.task(`${id}-t`, 'traffic')]);
  c.accepted(60 + acc, `${id}-r`).accepted(70, `${id}-t`).completed(60 + done, `${id}-r`).completed(100, `${id}-t`);
  c.reportedBack(60 + done + 100);
  if (opts.close !== false) c.checked(60 + done + 400).closed(60 + done + 500);
  if (opts.reopenAfter) c.evaluated(60 + done + 600).reopened(60 + done + 700);
  return c.events;
}

describe('percentiles (nearest rank)', () => {
  it('takes the value at rank ⌈p·n⌉', () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentileNearestRank(ten, 50)).toBe(5);
    expect(percentileNearestRank(ten, 90)).toBe(9);
    expect(percentileNearestRank(ten, 100)).toBe(10);
    expect(percentileNearestRank([7], 90)).toBe(7);
    expect(percentileNearestRank([], 50)).toBeNull();
    // Lower middle for an even count: always a time that occurred.
    expect(percentileNearestRank([10, 20, 30, 40], 50)).toBe(20);
    expect(percentileNearestRank([10, 20, 30, 40], 90)).toBe(40);
    expect(() => percentileNearestRank([1], 0)).toThrow(RangeError);
  });

  it('summarizes unsorted times', () => {
    expect(summarizeDurations([30, 10, 20, 50, 40])).toEqual({ count: 5, medianSeconds: 30, p90Seconds: 50, maxSeconds: 50 });
    expect(summarizeDurations([])).toEqual({ count: 0, medianSeconds: null, p90Seconds: null, maxSeconds: null });
  });
});

describe('reviewPlan', () => {
  it('gives the median and 90th percentile per task key on known numbers', () => {
    // Repair accepted after 10, 20, …, 100 s and done after 1000, 2000, … 10000 s.
    const cases = Array.from({ length: 10 }, (_, i) => simpleCase(`c${i}`, (i + 1) * 10, (i + 1) * 1000));
    const r = reviewPlan(cases, { planId: 'water-main-burst' });
    expect(r.cases).toBe(10);
    expect(r.percentile).toBe('nearest-rank');
    expect(r.versions).toEqual([1]);
    expect(r.tasks.map((t) => t.key)).toEqual(['repair', 'traffic']);
    const repair = r.tasks.find((t) => t.key === 'repair')!;
    expect(repair).toMatchObject({ count: 10, accepted: 10, done: 10, returned: 0, reminded: 0, overdue: 0 });
    expect(repair.dispatchToAccept).toMatchObject({ count: 10, medianSeconds: 50, p90Seconds: 90 });
    expect(repair.dispatchToDone).toMatchObject({ count: 10, medianSeconds: 5000, p90Seconds: 9000 });
    expect(repair.acceptToDone).toMatchObject({ medianSeconds: 4950, p90Seconds: 8910 });
    const traffic = r.tasks.find((t) => t.key === 'traffic')!;
    expect(traffic.dispatchToAccept).toMatchObject({ medianSeconds: 10, p90Seconds: 10 });
    expect(traffic.dispatchToDone).toMatchObject({ medianSeconds: 40, p90Seconds: 40 });
    // Case spans: report → applied 60 s; applied → reported back done+100; reported back → closed 400 s.
    expect(r.caseSpans.reportToApplied).toMatchObject({ count: 10, medianSeconds: 60, p90Seconds: 60 });
    expect(r.caseSpans.appliedToReportedBack).toMatchObject({ medianSeconds: 5100, p90Seconds: 9100 });
    expect(r.caseSpans.reportedBackToClosed).toMatchObject({ medianSeconds: 400, p90Seconds: 400 });
    expect(r.casePhases.check).toMatchObject({ count: 10, medianSeconds: 300 });
    expect(r.casePhases.close).toMatchObject({ count: 10, medianSeconds: 100 });
    // Where cases waited: the repair work, then the check, the close, the report, the repair's acceptance.
    expect(r.longestWaits.map((w) => w.step)).toEqual(['repair/work', 'check', 'close', 'register', 'repair/accept']);
    expect(r.longestWaits[0]).toMatchObject({ phase: 'work', key: 'repair', planId: 'water-main-burst', medianSeconds: 4950, p90Seconds: 8910 });
    expect(r.longestWaits[1]).toMatchObject({ phase: 'check', key: null });
  });

  it('counts a returned task and the new lead that took over its part', () => {
    const c = caseLog('ret').reported(0).applied(0);
    c.dispatched(0, 1, [c.task('r1', 'repair', 'lead', 'unit-water-a'), c.task('t1', 'traffic')]);
    c.reminded(600, 'r1').reminded(900, 'r1').overdue(1200, 'r1').returned(1300, 'r1');
    c.accepted(30, 't1').completed(90, 't1');
    // The center dispatches another lead by hand: no plan info, same part of the plan.
    c.dispatched(1400, 1, [c.task('r2', null, 'lead', 'unit-water-b')]);
    c.accepted(1500, 'r2').completed(4400, 'r2').reportedBack(4500).checked(4600).closed(4700);
    const r = reviewPlan([c.events], { planId: 'water-main-burst' });
    const repair = r.tasks.find((t) => t.key === 'repair')!;
    expect(repair).toMatchObject({ count: 2, accepted: 1, done: 1, returned: 1, reminded: 1, reminders: 2, overdue: 1 });
    expect(repair.dispatchToAccept).toMatchObject({ count: 1, medianSeconds: 100 });
    expect(repair.dispatchToDone).toMatchObject({ count: 1, medianSeconds: 3000 });
    expect(r.unplannedTasks).toBe(0);
  });

  it('times each round of a reopened case from its own dispatch', () => {
    const c = caseLog('reo').reported(0).applied(100);
    c.dispatched(100, 1, [c.task('a1', 'repair', 'lead', 'unit-water'), c.task('b1', 'traffic', 'assist', 'unit-traffic')]);
    c.accepted(200, 'a1').completed(1100, 'a1').accepted(150, 'b1').completed(400, 'b1');
    c.reportedBack(1200).checkFailed(1800);
    // Round 2: the same units by hand, plus an unrelated helper.
    c.dispatched(2000, 2, [c.task('a2', null, 'lead', 'unit-water'), c.task('x2', null, 'assist', 'unit-sanitation')]);
    c.accepted(2100, 'a2').completed(2600, 'a2').accepted(2050, 'x2').completed(2300, 'x2');
    c.reportedBack(2700).checked(2900).closed(3000).evaluated(3100);
    const r = reviewPlan([c.events], { planId: 'water-main-burst' });
    expect(r.cases).toBe(1);
    expect(r.reopenedCases).toBe(1);
    const repair = r.tasks.find((t) => t.key === 'repair')!;
    expect(repair.count).toBe(2);
    // Round 1: 1000 s; round 2: 600 s from its own dispatch (not from the first).
    expect(repair.dispatchToDone).toMatchObject({ count: 2, medianSeconds: 600, p90Seconds: 1000 });
    expect(repair.dispatchToAccept).toMatchObject({ count: 2, medianSeconds: 100, p90Seconds: 100 });
    expect(r.tasks.find((t) => t.key === 'traffic')!.count).toBe(1);
    expect(r.unplannedTasks).toBe(1);
    // Checks: the failed one (600 s) and the passed one (200 s); spans to the final closure.
    expect(r.casePhases.check).toMatchObject({ count: 2, medianSeconds: 200, p90Seconds: 600 });
    expect(r.caseSpans.appliedToReportedBack).toMatchObject({ medianSeconds: 2600 });
    expect(r.caseSpans.reportedBackToClosed).toMatchObject({ medianSeconds: 300 });
  });

  it('marks a task still open when its round is voided as cancelled, and a returned one as returned', () => {
    const c = caseLog('void').reported(0).applied(0);
    c.dispatched(0, 1, [c.task('a1', 'repair', 'lead'), c.task('b1', 'traffic'), c.task('u1', 'utilities')]);
    c.accepted(10, 'a1').completed(20, 'a1').returned(15, 'b1').accepted(12, 'u1').reportedBack(40).checkFailed(50);
    c.dispatched(60, 2, [c.task('a2', 'repair', 'lead')]).accepted(70, 'a2').completed(80, 'a2');
    c.reportedBack(90).checked(95).closed(100);
    const r = reviewPlan([c.events]);
    expect(r.tasks.find((t) => t.key === 'traffic')).toMatchObject({ count: 1, returned: 1, cancelled: 0, accepted: 0, done: 0 });
    expect(r.tasks.find((t) => t.key === 'utilities')).toMatchObject({ count: 1, returned: 0, cancelled: 1, accepted: 1, done: 0 });
    expect(r.tasks.find((t) => t.key === 'repair')).toMatchObject({ count: 2, done: 2, cancelled: 0 });
  });

  it('leaves out cases of another plan, of another version when one is asked for, and open cases', () => {
    const mine = simpleCase('m1', 10, 100);
    const other = simpleCase('o1', 5000, 50000, { planId: 'manhole-cover' });
    const v2 = simpleCase('v2', 20, 200, { version: 2 });
    const open = simpleCase('open', 9000, 90000, { close: false });
    // Closed, evaluated, then reopened by an unsatisfied reporter: open again.
    const reopenedOpen = simpleCase('ro', 9000, 90000, { reopenAfter: true });
    const noPlan = caseLog('np').reported(0).events;

    const r = reviewPlan([mine, other, v2, open, reopenedOpen, noPlan], { planId: 'water-main-burst' });
    expect(r.cases).toBe(2);
    expect(r.openCases).toBe(2);
    expect(r.versions).toEqual([1, 2]);
    const repair = r.tasks.find((t) => t.key === 'repair')!;
    expect(repair.count).toBe(2);
    expect(repair.dispatchToDone).toMatchObject({ medianSeconds: 100, p90Seconds: 200 });

    const v1 = reviewPlan([mine, other, v2, open], { planId: 'water-main-burst', version: 1 });
    expect(v1).toMatchObject({ cases: 1, version: 1, versions: [1] });
    expect(v1.tasks.find((t) => t.key === 'repair')!.dispatchToDone.medianSeconds).toBe(100);

    const none = reviewPlan([other], { planId: 'water-main-burst' });
    expect(none.cases).toBe(0);
    expect(none.tasks).toEqual([]);
    expect(none.longestWaits).toEqual([]);
    expect(none.caseSpans.reportToApplied.medianSeconds).toBeNull();

    const all = reviewPlans([mine, other]);
    expect(all.map((x) => [x.planId, x.cases])).toEqual([['manhole-cover', 1], ['water-main-burst', 1]]);
    // Without a plan id, keys stay apart per plan.
    const together = reviewPlan([mine, other]);
    expect(together.tasks.map((t) => `${t.planId}/${t.key}`)).toEqual(['water-main-burst/repair', 'water-main-burst/traffic', 'manhole-cover/repair', 'manhole-cover/traffic']);
    expect(together.longestWaits[0]!.step).toBe('manhole-cover:repair/work');
  });
});
