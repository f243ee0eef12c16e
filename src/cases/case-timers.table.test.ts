import { describe, expect, it } from 'vitest';
import { CASE_EVENT_TYPES, type CaseEventBody, type CaseEventType } from './case-events.ts';
import { CASE_STATES, type CaseDoc, type CaseState } from './case-model.ts';
import { decideTimer, timersForEvents, WARN_AT_SHARE, type TimerKind, type TimerSpec } from './case-timers.ts';
import { PARENT, caseIn, stored, task } from '../../test/support/case-fixtures.ts';

/**
 * The deadline timers, as tables: which events create which timers (at what time), and what a
 * timer that has come due decides about the case as it is then. No event cancels a timer row: a
 * timer whose matter has moved on (task signed for, case parked or finished) decides nothing when
 * it fires; the `void` rows below are that cancellation.
 */

const AT = '2026-03-02T01:00:00.000Z';

/** The events that set deadlines, and the timers each creates. */
const CREATES: [string, CaseEventBody, TimerSpec[]][] = [
  [
    'CaseRegistered: the respond and resolve deadlines of the case',
    { type: 'CaseRegistered', payload: { respondDue: '2026-03-02T03:00:00.000Z', resolveDue: '2026-03-03T01:00:00.000Z', note: null } },
    [
      { kind: 'case_respond', taskId: null, dueAt: '2026-03-02T03:00:00.000Z' },
      { kind: 'case_resolve', taskId: null, dueAt: '2026-03-03T01:00:00.000Z' },
    ],
  ],
  [
    'CaseDispatched: per task its respond deadline, a warning at 80 % of its time, its deadline',
    {
      type: 'CaseDispatched',
      payload: {
        round: 1,
        tasks: [
          { taskId: 't1', unitId: 'u1', unitName: 'U1', role: 'lead', respondDue: '2026-03-02T02:00:00.000Z', deadline: '2026-03-02T11:00:00.000Z' },
          { taskId: 't2', unitId: 'u2', unitName: 'U2', role: 'assist', respondDue: '2026-03-02T01:30:00.000Z', deadline: '2026-03-02T06:00:00.000Z' },
        ],
        note: null,
      },
    },
    [
      { kind: 'task_respond', taskId: 't1', dueAt: '2026-03-02T02:00:00.000Z' },
      { kind: 'task_warn', taskId: 't1', dueAt: '2026-03-02T09:00:00.000Z' },
      { kind: 'task_due', taskId: 't1', dueAt: '2026-03-02T11:00:00.000Z' },
      { kind: 'task_respond', taskId: 't2', dueAt: '2026-03-02T01:30:00.000Z' },
      { kind: 'task_warn', taskId: 't2', dueAt: '2026-03-02T05:00:00.000Z' },
      { kind: 'task_due', taskId: 't2', dueAt: '2026-03-02T06:00:00.000Z' },
    ],
  ],
  [
    'CaseDispatched by a plan: a task with an arrival deadline also gets its arrival timer (met by arriving, not by signing)',
    {
      type: 'CaseDispatched',
      payload: {
        round: 1,
        tasks: [
          { taskId: 't1', unitId: 'u1', unitName: 'U1', role: 'lead', respondDue: '2026-03-02T01:10:00.000Z', deadline: '2026-03-02T11:00:00.000Z', plan: { key: 'repair', instructions: '抢修', arriveBy: '2026-03-02T01:30:00.000Z', dependsOn: [], handBack: [] } },
          { taskId: 't2', unitId: 'u2', unitName: 'U2', role: 'assist', respondDue: '2026-03-02T01:30:00.000Z', deadline: '2026-03-02T06:00:00.000Z', plan: { key: 'traffic', instructions: '疏导', arriveBy: null, dependsOn: [], handBack: [] } },
        ],
        note: null,
      },
    },
    [
      { kind: 'task_respond', taskId: 't1', dueAt: '2026-03-02T01:10:00.000Z' },
      { kind: 'task_arrive', taskId: 't1', dueAt: '2026-03-02T01:30:00.000Z' },
      { kind: 'task_warn', taskId: 't1', dueAt: '2026-03-02T09:00:00.000Z' },
      { kind: 'task_due', taskId: 't1', dueAt: '2026-03-02T11:00:00.000Z' },
      { kind: 'task_respond', taskId: 't2', dueAt: '2026-03-02T01:30:00.000Z' },
      { kind: 'task_warn', taskId: 't2', dueAt: '2026-03-02T05:00:00.000Z' },
      { kind: 'task_due', taskId: 't2', dueAt: '2026-03-02T06:00:00.000Z' },
    ],
  ],
  [
    'CaseParked: the review of the parked case',
    { type: 'CaseParked', payload: { reason: '待资金', reviewAt: '2026-04-01T01:00:00.000Z' } },
    [{ kind: 'park_review', taskId: null, dueAt: '2026-04-01T01:00:00.000Z' }],
  ],
  [
    'PlanApplied: each escalation step, then `repeat` more times `after` apart',
    {
      type: 'PlanApplied',
      payload: {
        planId: 'p',
        version: 1,
        name: 'P',
        tier: 'district',
        centerId: 'c',
        facts: {},
        actions: [],
        escalation: [
          { afterMs: 600_000, unless: 'accepted', do: 'remind', repeat: 2 },
          { afterMs: 1_200_000, unless: 'done', do: 'escalate', repeat: 0 },
        ],
      },
    },
    [
      { kind: 'plan_step', taskId: null, dueAt: '2026-03-02T01:10:00.000Z', detail: JSON.stringify({ step: 0, firing: 0, unless: 'accepted', do: 'remind', afterMs: 600_000 }) },
      { kind: 'plan_step', taskId: null, dueAt: '2026-03-02T01:20:00.000Z', detail: JSON.stringify({ step: 0, firing: 1, unless: 'accepted', do: 'remind', afterMs: 600_000 }) },
      { kind: 'plan_step', taskId: null, dueAt: '2026-03-02T01:30:00.000Z', detail: JSON.stringify({ step: 0, firing: 2, unless: 'accepted', do: 'remind', afterMs: 600_000 }) },
      { kind: 'plan_step', taskId: null, dueAt: '2026-03-02T01:20:00.000Z', detail: JSON.stringify({ step: 1, firing: 0, unless: 'done', do: 'escalate', afterMs: 1_200_000 }) },
    ],
  ],
  [
    'PlanApplied without an escalation clock: none',
    { type: 'PlanApplied', payload: { planId: 'p', version: 1, name: 'P', tier: 'district', centerId: 'c', facts: {}, actions: [] } },
    [],
  ],
];

/** One event of every other type: none sets a deadline. */
const NO_TIMER: Partial<Record<CaseEventType, CaseEventBody>> = {
  CaseDeclined: { type: 'CaseDeclined', payload: { reason: 'x' } },
  TaskAccepted: { type: 'TaskAccepted', payload: { taskId: 't1' } },
  TaskStarted: { type: 'TaskStarted', payload: { taskId: 't1' } },
  TaskArrived: { type: 'TaskArrived', payload: { taskId: 't1', arrivedAt: AT, lng: 106.58, lat: 29.56, accuracyM: null, distanceM: 0, arriveBy: null, late: false } },
  TaskArrivalOverdue: { type: 'TaskArrivalOverdue', payload: { taskId: 't1', arriveBy: AT } },
  TaskCompleted: { type: 'TaskCompleted', payload: { taskId: 't1', note: 'x' } },
  TaskReturned: { type: 'TaskReturned', payload: { taskId: 't1', reason: 'x' } },
  CaseReportedBack: { type: 'CaseReportedBack', payload: { summary: 'x' } },
  CaseChecked: { type: 'CaseChecked', payload: { note: null } },
  CaseReopened: { type: 'CaseReopened', payload: { cause: 'other', reason: 'x' } },
  CaseClosed: { type: 'CaseClosed', payload: { note: null } },
  CaseEvaluated: { type: 'CaseEvaluated', payload: { satisfaction: 'satisfied', comment: null, by: 'reporter' } },
  CaseEscalated: { type: 'CaseEscalated', payload: { fromCenterId: 'a', toCenterId: 'b', toTier: 'city', reason: 'x' } },
  CaseUnparked: { type: 'CaseUnparked', payload: { note: null } },
  CaseParkReviewDue: { type: 'CaseParkReviewDue', payload: { reviewAt: AT } },
  TaskReminded: { type: 'TaskReminded', payload: { taskId: 't1', reason: 'x', automatic: true } },
  TaskOverdue: { type: 'TaskOverdue', payload: { taskId: 't1', deadline: AT } },
  CaseOverdue: { type: 'CaseOverdue', payload: { kind: 'resolve', due: AT } },
  CaseSupervised: { type: 'CaseSupervised', payload: { centerId: 'c', reason: 'x', automatic: true, taskId: null } },
  ActionRecorded: { type: 'ActionRecorded', payload: { key: 'k', kind: 'notify', target: 't', phase: 'apply', outcome: 'delivered', attempts: 1, detail: null, commandId: null, command: null } },
  SensorStateChanged: { type: 'SensorStateChanged', payload: { deviceId: null, state: 'normal', reading: null } },
  AppealRouted: { type: 'AppealRouted', payload: { automatic: true, categoryCode: 'x', confidence: null, top: [], routingVersion: null, rule: null, why: 'x', outcome: 'dispatched' } },
  JointCaseOpened: { type: 'JointCaseOpened', payload: { centerIds: ['c'], districts: [], reason: 'x' } },
  JointCaseAccepted: { type: 'JointCaseAccepted', payload: { centerId: 'c' } },
  CaseMerged: { type: 'CaseMerged', payload: { intoCaseId: 'c2', intoNumber: 'N', reason: 'x' } },
  SupporterAdded: { type: 'SupporterAdded', payload: { caseId: 'c3', number: 'N', reporterUserId: null } },
  CoordinationAgreed: { type: 'CoordinationAgreed', payload: { handledByUnitId: 'a', handledByName: 'A', maintainedByUnitId: 'b', maintainedByName: 'B', note: 'x' } },
  AttachmentAdded: { type: 'AttachmentAdded', payload: { attachmentId: 'a', sha256: 'f', fileName: 'f', mediaType: 'image/png', size: 1 } },
  TaskTallied: { type: 'TaskTallied', payload: { taskId: 't1', moved: 1, staying: 0, missing: 0, note: null, override: null } },
};

describe('timersForEvents: which events create which timers', () => {
  it('the warning comes at 80 % of a task\'s time', () => expect(WARN_AT_SHARE).toBe(0.8));

  it.each(CREATES)('%s', (_name, body, timers) => {
    expect(timersForEvents([stored(body, { at: AT })])).toEqual(timers);
  });

  it('every other event type creates none', () => {
    const creating = new Set(CREATES.map(([, b]) => b.type));
    const rest = CASE_EVENT_TYPES.filter((t) => !creating.has(t) && t !== 'CaseReported');
    expect(rest.filter((t) => !NO_TIMER[t])).toEqual([]);
    for (const t of rest) expect(timersForEvents([stored(NO_TIMER[t]!, { at: AT })]), t).toEqual([]);
  });

  it('several events at once: their timers in order', () => {
    const [registered] = CREATES;
    const parked = CREATES.find(([, b]) => b.type === 'CaseParked');
    expect(timersForEvents([stored(registered![1], { at: AT }), stored(NO_TIMER.CaseChecked!), stored(parked![1], { at: AT })]).map((t) => t.kind)).toEqual(['case_respond', 'case_resolve', 'park_review']);
  });
});

const DUE = '2026-03-02T05:00:00.000Z';
const open = task('t1', 'accepted', { unitName: '区水务' });
const unsigned = task('t1', 'dispatched', { unitName: '区水务' });
const withPlan: Partial<CaseDoc> = { plan: { id: 'p', version: 1, name: '爆管处置', tier: 'district', appliedAt: AT } };
const stepDetail = (d: { step?: number; firing?: number; unless: 'accepted' | 'done'; do: 'remind' | 'escalate' | 'supervise'; afterMs?: number }) =>
  JSON.stringify({ step: d.step ?? 0, firing: d.firing ?? 0, unless: d.unless, do: d.do, afterMs: d.afterMs ?? 600_000 });

interface FireRow {
  readonly name: string;
  readonly doc: CaseDoc;
  readonly timer: { kind: TimerKind; taskId: string | null; detail?: string };
  readonly parent?: { id: string; tier: 'city' | 'district' | 'street' } | null;
  readonly decides: CaseEventBody[];
}

const FIRES: FireRow[] = [
  { name: 'case_respond, nobody signed for it: the case overdue', doc: caseIn('dispatched', { tasks: [unsigned] }), timer: { kind: 'case_respond', taskId: null }, decides: [{ type: 'CaseOverdue', payload: { kind: 'respond', due: DUE } }] },
  { name: 'case_respond, a unit signed for it: void', doc: caseIn('in_progress', { respondedAt: AT }), timer: { kind: 'case_respond', taskId: null }, decides: [] },
  { name: 'case_respond on a parked case: void', doc: caseIn('parked'), timer: { kind: 'case_respond', taskId: null }, decides: [] },
  {
    name: 'case_resolve: overdue, and supervised one tier up',
    doc: caseIn('in_progress'),
    timer: { kind: 'case_resolve', taskId: null },
    decides: [
      { type: 'CaseOverdue', payload: { kind: 'resolve', due: DUE } },
      { type: 'CaseSupervised', payload: { centerId: PARENT.id, reason: '事项超过办理时限', automatic: true, taskId: null } },
    ],
  },
  { name: 'case_resolve at the city center: overdue only', doc: caseIn('in_progress'), timer: { kind: 'case_resolve', taskId: null }, parent: null, decides: [{ type: 'CaseOverdue', payload: { kind: 'resolve', due: DUE } }] },
  { name: 'case_resolve on a parked case: void', doc: caseIn('parked'), timer: { kind: 'case_resolve', taskId: null }, decides: [] },
  {
    name: 'task_respond, the task not signed for: reminded',
    doc: caseIn('dispatched', { tasks: [unsigned] }),
    timer: { kind: 'task_respond', taskId: 't1' },
    decides: [{ type: 'TaskReminded', payload: { taskId: 't1', reason: '超时未签收，请立即签收', automatic: true } }],
  },
  { name: 'task_respond, the task signed for: void', doc: caseIn('in_progress', { tasks: [open] }), timer: { kind: 'task_respond', taskId: 't1' }, decides: [] },
  { name: 'task_respond for a task the case does not have: void', doc: caseIn('dispatched', { tasks: [unsigned] }), timer: { kind: 'task_respond', taskId: 'gone' }, decides: [] },
  { name: 'task_respond on a parked case: void', doc: caseIn('parked', { tasks: [unsigned] }), timer: { kind: 'task_respond', taskId: 't1' }, decides: [] },
  {
    name: 'task_arrive, signed for but not on site: overdue for arrival, reminded',
    doc: caseIn('in_progress', { tasks: [open] }),
    timer: { kind: 'task_arrive', taskId: 't1' },
    decides: [
      { type: 'TaskArrivalOverdue', payload: { taskId: 't1', arriveBy: DUE } },
      { type: 'TaskReminded', payload: { taskId: 't1', reason: '超过到场时限，尚未到场', automatic: true } },
    ],
  },
  {
    name: 'task_arrive, not even signed for: overdue for arrival (signing alone would not have met it)',
    doc: caseIn('dispatched', { tasks: [unsigned] }),
    timer: { kind: 'task_arrive', taskId: 't1' },
    decides: [
      { type: 'TaskArrivalOverdue', payload: { taskId: 't1', arriveBy: DUE } },
      { type: 'TaskReminded', payload: { taskId: 't1', reason: '超过到场时限，尚未到场', automatic: true } },
    ],
  },
  {
    name: 'task_arrive, the crew arrived: void',
    doc: caseIn('in_progress', { tasks: [{ ...open, arrival: { at: AT, lng: 106.58, lat: 29.56, accuracyM: null, distanceM: 0, arriveBy: DUE, late: false } }] }),
    timer: { kind: 'task_arrive', taskId: 't1' },
    decides: [],
  },
  { name: 'task_arrive, the task done: void', doc: caseIn('in_progress', { tasks: [task('t1', 'done')] }), timer: { kind: 'task_arrive', taskId: 't1' }, decides: [] },
  { name: 'task_arrive, the task returned: void', doc: caseIn('in_progress', { tasks: [task('t1', 'returned')] }), timer: { kind: 'task_arrive', taskId: 't1' }, decides: [] },
  { name: 'task_arrive, a task of an earlier round: void', doc: caseIn('dispatched', { round: 2, tasks: [task('t1', 'accepted', { round: 1 })] }), timer: { kind: 'task_arrive', taskId: 't1' }, decides: [] },
  { name: 'task_arrive on a parked case: void', doc: caseIn('parked', { tasks: [open] }), timer: { kind: 'task_arrive', taskId: 't1' }, decides: [] },
  {
    name: 'task_warn, the task open: reminded that the deadline is near',
    doc: caseIn('in_progress', { tasks: [open] }),
    timer: { kind: 'task_warn', taskId: 't1' },
    decides: [{ type: 'TaskReminded', payload: { taskId: 't1', reason: '办理时限即将到期', automatic: true } }],
  },
  { name: 'task_warn, the task done: void', doc: caseIn('in_progress', { tasks: [task('t1', 'done')] }), timer: { kind: 'task_warn', taskId: 't1' }, decides: [] },
  { name: 'task_warn, the task returned: void', doc: caseIn('returned', { tasks: [task('t1', 'returned')] }), timer: { kind: 'task_warn', taskId: 't1' }, decides: [] },
  { name: 'task_warn on a parked case: void', doc: caseIn('parked', { tasks: [open] }), timer: { kind: 'task_warn', taskId: 't1' }, decides: [] },
  {
    name: 'task_due, the task open: overdue, reminded, supervised one tier up',
    doc: caseIn('in_progress', { tasks: [open] }),
    timer: { kind: 'task_due', taskId: 't1' },
    decides: [
      { type: 'TaskOverdue', payload: { taskId: 't1', deadline: open.deadline } },
      { type: 'TaskReminded', payload: { taskId: 't1', reason: '已超过办理时限', automatic: true } },
      { type: 'CaseSupervised', payload: { centerId: PARENT.id, reason: '区水务任务超期', automatic: true, taskId: 't1' } },
    ],
  },
  {
    name: 'task_due at the city center: overdue and reminded',
    doc: caseIn('in_progress', { tasks: [open] }),
    timer: { kind: 'task_due', taskId: 't1' },
    parent: null,
    decides: [
      { type: 'TaskOverdue', payload: { taskId: 't1', deadline: open.deadline } },
      { type: 'TaskReminded', payload: { taskId: 't1', reason: '已超过办理时限', automatic: true } },
    ],
  },
  { name: 'task_due, the task done in time: void', doc: caseIn('in_progress', { tasks: [task('t1', 'done')] }), timer: { kind: 'task_due', taskId: 't1' }, decides: [] },
  { name: 'task_due, the task cancelled by a reopening: void', doc: caseIn('reopened', { round: 2, tasks: [task('t1', 'cancelled')] }), timer: { kind: 'task_due', taskId: 't1' }, decides: [] },
  { name: 'task_due of a task of an earlier round: void', doc: caseIn('in_progress', { round: 2, tasks: [task('t1', 'accepted', { round: 1 })] }), timer: { kind: 'task_due', taskId: 't1' }, decides: [] },
  { name: 'task_due on a parked case: void', doc: caseIn('parked', { tasks: [open] }), timer: { kind: 'task_due', taskId: 't1' }, decides: [] },
  { name: 'park_review of the parking in force: review due', doc: caseIn('parked', { parkedUntil: DUE }), timer: { kind: 'park_review', taskId: null }, decides: [{ type: 'CaseParkReviewDue', payload: { reviewAt: DUE } }] },
  { name: 'park_review of an earlier parking: void', doc: caseIn('parked', { parkedUntil: '2026-04-01T01:00:00.000Z' }), timer: { kind: 'park_review', taskId: null }, decides: [] },
  { name: 'park_review of a case no longer parked: void', doc: caseIn('in_progress'), timer: { kind: 'park_review', taskId: null }, decides: [] },
  {
    name: 'plan_step remind, unless accepted: each task not signed for is reminded',
    doc: caseIn('dispatched', { ...withPlan, tasks: [unsigned, task('t2', 'accepted', { role: 'assist' }), task('t3', 'dispatched', { role: 'assist' })] }),
    timer: { kind: 'plan_step', taskId: null, detail: stepDetail({ unless: 'accepted', do: 'remind' }) },
    decides: [
      { type: 'TaskReminded', payload: { taskId: 't1', reason: '预案“爆管处置”：10分钟未签收', automatic: true } },
      { type: 'TaskReminded', payload: { taskId: 't3', reason: '预案“爆管处置”：10分钟未签收', automatic: true } },
    ],
  },
  {
    name: 'plan_step remind, its second firing counts the minutes since the plan',
    doc: caseIn('dispatched', { ...withPlan, tasks: [unsigned] }),
    timer: { kind: 'plan_step', taskId: null, detail: stepDetail({ unless: 'accepted', do: 'remind', firing: 1 }) },
    decides: [{ type: 'TaskReminded', payload: { taskId: 't1', reason: '预案“爆管处置”：20分钟未签收', automatic: true } }],
  },
  { name: 'plan_step unless accepted, every task signed for: void', doc: caseIn('in_progress', { ...withPlan, tasks: [open] }), timer: { kind: 'plan_step', taskId: null, detail: stepDetail({ unless: 'accepted', do: 'remind' }) }, decides: [] },
  {
    name: 'plan_step supervise, unless done: the center one up supervises',
    doc: caseIn('in_progress', { ...withPlan, tasks: [open] }),
    timer: { kind: 'plan_step', taskId: null, detail: stepDetail({ unless: 'done', do: 'supervise', afterMs: 1_800_000 }) },
    decides: [{ type: 'CaseSupervised', payload: { centerId: PARENT.id, reason: '预案“爆管处置”：30分钟未办结', automatic: true, taskId: null } }],
  },
  { name: 'plan_step unless done, every task done or returned: void', doc: caseIn('in_progress', { ...withPlan, tasks: [task('t1', 'done'), task('t2', 'returned', { role: 'assist' })] }), timer: { kind: 'plan_step', taskId: null, detail: stepDetail({ unless: 'done', do: 'supervise' }) }, decides: [] },
  {
    name: 'plan_step escalate: to the center one tier up',
    doc: caseIn('dispatched', { ...withPlan, tasks: [unsigned] }),
    timer: { kind: 'plan_step', taskId: null, detail: stepDetail({ unless: 'accepted', do: 'escalate', afterMs: 1_200_000 }) },
    decides: [{ type: 'CaseEscalated', payload: { fromCenterId: 'center-500103', toCenterId: PARENT.id, toTier: 'city', reason: '预案“爆管处置”：20分钟未签收' } }],
  },
  { name: 'plan_step escalate at the city center: void', doc: caseIn('dispatched', { ...withPlan, tasks: [unsigned] }), timer: { kind: 'plan_step', taskId: null, detail: stepDetail({ unless: 'accepted', do: 'escalate' }) }, parent: null, decides: [] },
  { name: 'plan_step supervise at the city center: void', doc: caseIn('dispatched', { ...withPlan, tasks: [unsigned] }), timer: { kind: 'plan_step', taskId: null, detail: stepDetail({ unless: 'accepted', do: 'supervise' }) }, parent: null, decides: [] },
  { name: 'plan_step on a case without a plan: void', doc: caseIn('dispatched', { tasks: [unsigned] }), timer: { kind: 'plan_step', taskId: null, detail: stepDetail({ unless: 'accepted', do: 'remind' }) }, decides: [] },
  { name: 'plan_step on a parked case: void', doc: caseIn('parked', { ...withPlan, tasks: [unsigned] }), timer: { kind: 'plan_step', taskId: null, detail: stepDetail({ unless: 'accepted', do: 'remind' }) }, decides: [] },
];

describe('decideTimer: what a due timer decides about the case as it is now', () => {
  it.each(FIRES)('$name', ({ doc, timer, parent, decides }) => {
    expect(decideTimer(doc, { ...timer, dueAt: DUE }, parent === undefined ? PARENT : parent)).toEqual(decides);
  });

  /** States in which the matter is handled: every timer fires nothing. */
  const FINISHED: CaseState[] = ['declined', 'reported_back', 'checked', 'closed', 'evaluated', 'merged'];
  const KINDS: TimerKind[] = ['case_respond', 'case_resolve', 'task_respond', 'task_arrive', 'task_warn', 'task_due', 'park_review', 'plan_step'];
  const rows = CASE_STATES.flatMap((s) => KINDS.map((k) => [k, s, FINISHED.includes(s)] as const));
  it.each(rows)('%s in %s: void because finished = %s', (kind, state, finished) => {
    // A case that would be acted on in any open state: a task not signed for, a plan, parked until DUE.
    const doc = caseIn(state, { ...withPlan, tasks: [unsigned], parkedUntil: DUE });
    const decided = decideTimer(doc, { kind, taskId: kind.startsWith('task_') ? 't1' : null, dueAt: DUE, detail: stepDetail({ unless: 'accepted', do: 'remind' }) }, PARENT);
    if (finished) expect(decided).toEqual([]);
    else if (state === 'parked') expect(decided.map((e) => e.type)).toEqual(kind === 'park_review' ? ['CaseParkReviewDue'] : []);
    else expect(decided.length, `${kind} in ${state}`).toBe(kind === 'park_review' ? 0 : kind === 'case_resolve' || kind === 'task_arrive' ? 2 : kind === 'task_due' ? 3 : 1);
  });
});
