import { describe, expect, it } from 'vitest';
import { CASE_EVENT_TYPES, type CaseEventBody, type CaseEventType } from './case-events.ts';
import type { CaseDoc } from './case-model.ts';
import { evolveCase, replayCase } from './evolve-case.ts';
import { CENTER, caseIn, reportedCase, stored, task } from '../../test/support/case-fixtures.ts';

/**
 * evolveCase, one row per event type: the case before, the event, and every field the event
 * changes. The row's expected case is the case before with exactly those changes (and the new
 * version and time), so a field changed by mistake fails the row as surely as a field missed.
 */

const AT = '2026-03-02T02:00:00.000Z';
const VERSION = 5;

interface Row {
  readonly name: string;
  readonly before: CaseDoc;
  readonly event: CaseEventBody;
  readonly changes: Partial<CaseDoc>;
}

const dispatched = task('t1', 'dispatched');
const plan = { id: 'water-main-burst', version: 3, name: '供水爆管处置', tier: 'city' as const, appliedAt: AT };
const step = { key: 'signals-red', kind: 'device' as const, target: 'signal-1', phase: 'apply' as const, outcome: 'confirmed' as const, command: 'set_phase', at: '2026-03-02T01:30:00.000Z', needsAttention: false };
const record = (outcome: 'confirmed' | 'failed', target = 'signal-1') =>
  ({ type: 'ActionRecorded', payload: { key: 'signals-red', kind: 'device', target, phase: 'apply', outcome, attempts: 3, detail: null, commandId: 'c', command: 'set_phase' } }) as const;

const ROWS: Row[] = [
  {
    name: 'CaseRegistered: registered, with its deadlines',
    before: caseIn('reported'),
    event: { type: 'CaseRegistered', payload: { respondDue: '2026-03-02T04:00:00.000Z', resolveDue: '2026-03-03T02:00:00.000Z', note: null } },
    changes: { state: 'registered', registeredAt: AT, respondDue: '2026-03-02T04:00:00.000Z', resolveDue: '2026-03-03T02:00:00.000Z' },
  },
  {
    name: 'CaseDeclined: declined and finished',
    before: caseIn('reported'),
    event: { type: 'CaseDeclined', payload: { reason: '重复上报' } },
    changes: { state: 'declined', declineReason: '重复上报', closedAt: AT },
  },
  {
    name: 'CaseDispatched: the tasks of the round, the case dispatched',
    before: caseIn('registered'),
    event: { type: 'CaseDispatched', payload: { round: 1, tasks: [{ taskId: 't1', unitId: 'unit-t1', unitName: '单位t1', role: 'lead', respondDue: '2026-03-02T03:00:00.000Z', deadline: '2026-03-03T01:00:00.000Z' }], note: null } },
    changes: { state: 'dispatched', round: 1, tasks: [{ ...task('t1', 'dispatched'), dispatchedAt: AT }] },
  },
  {
    name: 'CaseDispatched: a case already in progress stays in progress; the round is the event\'s',
    before: caseIn('in_progress', { tasks: [task('t1', 'accepted')] }),
    event: { type: 'CaseDispatched', payload: { round: 2, tasks: [{ taskId: 't2', unitId: 'unit-t2', unitName: '单位t2', role: 'assist', respondDue: '2026-03-02T03:00:00.000Z', deadline: '2026-03-03T01:00:00.000Z' }], note: '加派' } },
    changes: { round: 2, tasks: [task('t1', 'accepted'), { ...task('t2', 'dispatched', { role: 'assist', round: 2 }), dispatchedAt: AT }] },
  },
  {
    name: 'TaskAccepted: the task signed for, the case responded to and in progress',
    before: caseIn('dispatched', { tasks: [dispatched] }),
    event: { type: 'TaskAccepted', payload: { taskId: 't1' } },
    changes: { state: 'in_progress', respondedAt: AT, tasks: [{ ...dispatched, state: 'accepted', acceptedAt: AT }] },
  },
  {
    name: 'TaskAccepted: the first response time is kept',
    before: caseIn('in_progress', { respondedAt: '2026-03-02T01:10:00.000Z', tasks: [task('t1', 'accepted'), task('t2', 'dispatched', { role: 'assist' })] }),
    event: { type: 'TaskAccepted', payload: { taskId: 't2' } },
    changes: { tasks: [task('t1', 'accepted'), { ...task('t2', 'accepted', { role: 'assist' }), acceptedAt: AT }] },
  },
  {
    name: 'TaskArrived: the arrival on the task (device time, position, distance, late or not); states unchanged',
    before: caseIn('in_progress', { tasks: [task('t1', 'accepted')] }),
    event: { type: 'TaskArrived', payload: { taskId: 't1', arrivedAt: '2026-03-02T01:50:00.000Z', lng: 106.581, lat: 29.56, accuracyM: 15, distanceM: 97, arriveBy: '2026-03-02T01:40:00.000Z', late: true } },
    changes: { tasks: [{ ...task('t1', 'accepted'), arrival: { at: '2026-03-02T01:50:00.000Z', lng: 106.581, lat: 29.56, accuracyM: 15, distanceM: 97, arriveBy: '2026-03-02T01:40:00.000Z', late: true } }] },
  },
  {
    name: 'TaskArrivalOverdue: the task marked overdue for arrival, not overdue for its work',
    before: caseIn('in_progress', { tasks: [task('t1', 'accepted')] }),
    event: { type: 'TaskArrivalOverdue', payload: { taskId: 't1', arriveBy: '2026-03-02T01:40:00.000Z' } },
    changes: { tasks: [{ ...task('t1', 'accepted'), arrivalOverdue: true }] },
  },
  {
    name: 'TaskStarted: the task in progress, the case too',
    before: caseIn('dispatched', { tasks: [task('t1', 'accepted')] }),
    event: { type: 'TaskStarted', payload: { taskId: 't1' } },
    changes: { state: 'in_progress', tasks: [{ ...task('t1', 'in_progress'), startedAt: AT }] },
  },
  {
    name: 'TaskCompleted: the task done with its note and evidence; the case state unchanged',
    before: caseIn('in_progress', { tasks: [task('t1', 'in_progress')] }),
    event: { type: 'TaskCompleted', payload: { taskId: 't1', note: '已修复', evidence: { attachmentIds: ['a1'], reading: null } } },
    changes: { tasks: [{ ...task('t1', 'done'), doneAt: AT, note: '已修复', evidence: { attachmentIds: ['a1'], reading: null } }] },
  },
  {
    name: 'TaskReturned by the lead: the case returned',
    before: caseIn('dispatched', { tasks: [dispatched] }),
    event: { type: 'TaskReturned', payload: { taskId: 't1', reason: '非本单位职责' } },
    changes: { state: 'returned', tasks: [{ ...dispatched, state: 'returned', returnReason: '非本单位职责' }] },
  },
  {
    name: 'TaskReturned by an assist: the case state unchanged',
    before: caseIn('in_progress', { tasks: [task('t1', 'accepted'), task('t2', 'dispatched', { role: 'assist' })] }),
    event: { type: 'TaskReturned', payload: { taskId: 't2', reason: '不涉及' } },
    changes: { tasks: [task('t1', 'accepted'), { ...task('t2', 'returned', { role: 'assist' }), returnReason: '不涉及' }] },
  },
  {
    name: 'CaseReportedBack: reported back with the summary',
    before: caseIn('in_progress'),
    event: { type: 'CaseReportedBack', payload: { summary: '已修复' } },
    changes: { state: 'reported_back', summary: '已修复', reportedBackAt: AT },
  },
  { name: 'CaseChecked: checked', before: caseIn('reported_back'), event: { type: 'CaseChecked', payload: { note: null } }, changes: { state: 'checked' } },
  {
    name: 'CaseReopened: a new round; open work of the old one cancelled, done work kept',
    before: caseIn('closed', { overdue: true, closedAt: '2026-03-02T01:30:00.000Z', reportedBackAt: '2026-03-02T01:20:00.000Z', tasks: [task('t1', 'done'), task('t2', 'accepted', { role: 'assist' }), task('t3', 'returned', { role: 'assist' })] }),
    event: { type: 'CaseReopened', payload: { cause: 'unsatisfied', reason: '复发' } },
    changes: { state: 'reopened', round: 2, closedAt: null, reportedBackAt: null, tasks: [task('t1', 'done'), task('t2', 'cancelled', { role: 'assist' }), task('t3', 'returned', { role: 'assist' })] },
  },
  { name: 'CaseClosed: closed', before: caseIn('checked'), event: { type: 'CaseClosed', payload: { note: null } }, changes: { state: 'closed', closedAt: AT } },
  {
    name: 'CaseEvaluated on a closed case: evaluated',
    before: caseIn('closed'),
    event: { type: 'CaseEvaluated', payload: { satisfaction: 'satisfied', comment: '好', by: 'reporter' } },
    changes: { state: 'evaluated', evaluation: { satisfaction: 'satisfied', comment: '好', at: AT, solved: null, reason: null } },
  },
  {
    name: 'CaseEvaluated before a reopening in the same command: the state is left to the reopening',
    before: caseIn('evaluated'),
    event: { type: 'CaseEvaluated', payload: { satisfaction: 'unsatisfied', comment: null, by: 'follow_up', solved: false, reason: 'not_solved' } },
    changes: { evaluation: { satisfaction: 'unsatisfied', comment: null, at: AT, solved: false, reason: 'not_solved' } },
  },
  {
    name: 'CaseEscalated: the center and tier one up',
    before: caseIn('registered'),
    event: { type: 'CaseEscalated', payload: { fromCenterId: CENTER, toCenterId: 'center-500000', toTier: 'city', reason: '需协调' } },
    changes: { centerId: 'center-500000', tier: 'city' },
  },
  {
    name: 'CaseParked: parked, remembering the state before',
    before: caseIn('in_progress'),
    event: { type: 'CaseParked', payload: { reason: '待资金', reviewAt: '2026-04-01T01:00:00.000Z' } },
    changes: { state: 'parked', stateBeforePark: 'in_progress', parkedUntil: '2026-04-01T01:00:00.000Z' },
  },
  {
    name: 'CaseUnparked: back to the state before',
    before: caseIn('parked', { stateBeforePark: 'in_progress', parkedUntil: '2026-04-01T01:00:00.000Z' }),
    event: { type: 'CaseUnparked', payload: { note: null } },
    changes: { state: 'in_progress', stateBeforePark: null, parkedUntil: null },
  },
  {
    name: 'CaseUnparked with no state recorded: registered',
    before: caseIn('parked', { parkedUntil: '2026-04-01T01:00:00.000Z' }),
    event: { type: 'CaseUnparked', payload: { note: null } },
    changes: { state: 'registered', parkedUntil: null },
  },
  { name: 'CaseParkReviewDue: a note on the timeline, nothing else', before: caseIn('parked'), event: { type: 'CaseParkReviewDue', payload: { reviewAt: AT } }, changes: {} },
  {
    name: 'TaskReminded: one more reminder on the task',
    before: caseIn('dispatched', { tasks: [{ ...dispatched, reminders: 2 }] }),
    event: { type: 'TaskReminded', payload: { taskId: 't1', reason: '请尽快办理', automatic: true } },
    changes: { tasks: [{ ...dispatched, reminders: 3 }] },
  },
  {
    name: 'TaskOverdue: the task and the case overdue',
    before: caseIn('dispatched', { tasks: [dispatched] }),
    event: { type: 'TaskOverdue', payload: { taskId: 't1', deadline: AT } },
    changes: { overdue: true, tasks: [{ ...dispatched, overdue: true }] },
  },
  { name: 'CaseOverdue: the case overdue', before: caseIn('registered'), event: { type: 'CaseOverdue', payload: { kind: 'respond', due: AT } }, changes: { overdue: true } },
  {
    name: 'CaseSupervised: the center added to the supervisors',
    before: caseIn('registered'),
    event: { type: 'CaseSupervised', payload: { centerId: 'center-500000', reason: '超期', automatic: true, taskId: null } },
    changes: { supervisedBy: ['center-500000'] },
  },
  {
    name: 'CaseSupervised again by the same center: listed once',
    before: caseIn('registered', { supervisedBy: ['center-500000'] }),
    event: { type: 'CaseSupervised', payload: { centerId: 'center-500000', reason: '再次督办', automatic: false, taskId: null } },
    changes: {},
  },
  {
    name: 'PlanApplied: the plan reference, its center and tier',
    before: caseIn('reported'),
    event: { type: 'PlanApplied', payload: { planId: 'water-main-burst', version: 3, name: '供水爆管处置', tier: 'city', centerId: 'center-500000', facts: {}, actions: [] } },
    changes: { plan, centerId: 'center-500000', tier: 'city' },
  },
  {
    name: 'PlanApplied with neighbours and a closure rule: the case shared, the rule kept',
    before: caseIn('reported'),
    event: {
      type: 'PlanApplied',
      payload: { planId: 'water-main-burst', version: 3, name: '供水爆管处置', tier: 'district', centerId: CENTER, facts: {}, actions: [], closure: { reportBackWhen: 'all_done', requireEvidence: true }, coCenterIds: ['center-500105'] },
    },
    changes: { plan: { ...plan, tier: 'district', closure: { reportBackWhen: 'all_done', requireEvidence: true } }, coordination: { centerIds: ['center-500105'], agreement: null } },
  },
  {
    name: 'ActionRecorded: the outcome of a step, per key and target',
    before: caseIn('in_progress'),
    event: record('confirmed'),
    changes: { automaticSteps: [{ ...step, at: AT, phase: 'apply' }] },
  },
  {
    name: 'ActionRecorded failed: replaces the earlier outcome of that target and needs attention',
    before: caseIn('in_progress', { automaticSteps: [step, { ...step, target: 'signal-2' }] }),
    event: record('failed'),
    changes: { automaticSteps: [{ ...step, target: 'signal-2' }, { ...step, outcome: 'failed', at: AT, needsAttention: true }] },
  },
  {
    name: 'SensorStateChanged: a new state starts its clock',
    before: caseIn('in_progress', { sensor: { deviceId: 'g1', state: 'abnormal', since: '2026-03-02T00:00:00.000Z', reading: null } }),
    event: { type: 'SensorStateChanged', payload: { deviceId: 'g1', state: 'normal', reading: { name: 'water_level', value: 0.1, unit: 'm' } } },
    changes: { sensor: { deviceId: 'g1', state: 'normal', since: AT, reading: { name: 'water_level', value: 0.1, unit: 'm' } } },
  },
  {
    name: 'SensorStateChanged to the same state: the clock keeps running',
    before: caseIn('in_progress', { sensor: { deviceId: 'g1', state: 'normal', since: '2026-03-02T01:00:00.000Z', reading: null } }),
    event: { type: 'SensorStateChanged', payload: { deviceId: 'g1', state: 'normal', reading: { name: 'water_level', value: 0.05, unit: 'm' } } },
    changes: { sensor: { deviceId: 'g1', state: 'normal', since: '2026-03-02T01:00:00.000Z', reading: { name: 'water_level', value: 0.05, unit: 'm' } } },
  },
  {
    name: 'AppealRouted: how the appeal was placed',
    before: caseIn('reported'),
    event: { type: 'AppealRouted', payload: { automatic: false, categoryCode: 'x', confidence: 0.4, top: [], routingVersion: 1, rule: null, why: '置信度低', outcome: 'triage' } },
    changes: { routing: { automatic: false, outcome: 'triage', why: '置信度低', confidence: 0.4 } },
  },
  {
    name: 'JointCaseOpened: shared with the centers, none accepted yet',
    before: caseIn('reported'),
    event: { type: 'JointCaseOpened', payload: { centerIds: ['center-500105', 'center-500112'], districts: [], reason: '跨区' } },
    changes: { coordination: { centerIds: ['center-500105', 'center-500112'], agreement: null, accepted: [] } },
  },
  {
    name: 'JointCaseAccepted: the center listed once among those that accepted',
    before: caseIn('registered', { coordination: { centerIds: ['center-500105'], agreement: null, accepted: ['center-500105'] } }),
    event: { type: 'JointCaseAccepted', payload: { centerId: CENTER } },
    changes: { coordination: { centerIds: ['center-500105'], agreement: null, accepted: ['center-500105', CENTER] } },
  },
  {
    name: 'CaseMerged: merged into the other case and finished',
    before: caseIn('reported'),
    event: { type: 'CaseMerged', payload: { intoCaseId: 'case-2', intoNumber: 'YZ-0002', reason: '重复' } },
    changes: { state: 'merged', mergedInto: { id: 'case-2', number: 'YZ-0002' }, closedAt: AT },
  },
  {
    name: 'SupporterAdded: the duplicate listed among the supporters',
    before: caseIn('dispatched', { supporters: [{ caseId: 'case-2', number: 'YZ-0002', reporterUserId: null, at: '2026-03-02T01:00:00.000Z' }] }),
    event: { type: 'SupporterAdded', payload: { caseId: 'case-3', number: 'YZ-0003', reporterUserId: 'u-li' } },
    changes: { supporters: [{ caseId: 'case-2', number: 'YZ-0002', reporterUserId: null, at: '2026-03-02T01:00:00.000Z' }, { caseId: 'case-3', number: 'YZ-0003', reporterUserId: 'u-li', at: AT }] },
  },
  {
    name: 'CoordinationAgreed: the agreement recorded on the shared case',
    before: caseIn('registered', { coordination: { centerIds: ['center-500105'], agreement: null, accepted: [] } }),
    event: { type: 'CoordinationAgreed', payload: { handledByUnitId: 'u1', handledByName: '甲', maintainedByUnitId: 'u2', maintainedByName: '乙', note: '先修后养' } },
    changes: { coordination: { centerIds: ['center-500105'], accepted: [], agreement: { handledByUnitId: 'u1', handledByName: '甲', maintainedByUnitId: 'u2', maintainedByName: '乙', note: '先修后养', at: AT } } },
  },
  {
    name: 'AttachmentAdded: the attachment listed',
    before: caseIn('registered'),
    event: { type: 'AttachmentAdded', payload: { attachmentId: 'a1', sha256: 'ff', fileName: 'p.png', mediaType: 'image/png', size: 3 } },
    changes: { attachments: [{ id: 'a1', sha256: 'ff', fileName: 'p.png', mediaType: 'image/png', size: 3 }] },
  },
  {
    name: 'TaskTallied: the count replaces the last one on the task',
    before: caseIn('in_progress', { tasks: [{ ...task('t1', 'accepted'), tally: { moved: 1, staying: 0, missing: 5, note: null, override: null, at: '2026-03-02T00:40:00.000Z' } }] }),
    event: { type: 'TaskTallied', payload: { taskId: 't1', moved: 4, staying: 1, missing: 0, note: '全部找到', override: null } },
    changes: { tasks: [{ ...task('t1', 'accepted'), tally: { moved: 4, staying: 1, missing: 0, note: '全部找到', override: null, at: AT } }] },
  },
];

describe('evolveCase: each event type\'s effect on the case', () => {
  it('has a row for every event type', () => {
    const covered = new Set<CaseEventType>(['CaseReported', ...ROWS.map((r) => r.event.type)]);
    expect(CASE_EVENT_TYPES.filter((t) => !covered.has(t))).toEqual([]);
  });

  it.each(ROWS)('$name', ({ before, event, changes }) => {
    const copy = structuredClone(before);
    const after = evolveCase(before, stored(event, { at: AT, streamVersion: VERSION }));
    expect(after).toEqual({ ...before, updatedAt: AT, version: VERSION, ...changes });
    // Pure: the case before is not changed (the projection and the replay share it).
    expect(before).toEqual(copy);
  });

  it('CaseReported starts the case from nothing', () => {
    const doc = reportedCase();
    expect(doc).toMatchObject({ id: 'case-1', number: 'YZ-0001', state: 'reported', round: 1, tasks: [], supervisedBy: [], attachments: [], overdue: false, version: 1, createdAt: '2026-03-02T00:00:00.000Z', updatedAt: '2026-03-02T00:00:00.000Z' });
    expect([doc.registeredAt, doc.respondDue, doc.resolveDue, doc.closedAt, doc.evaluation, doc.stateBeforePark]).toEqual([null, null, null, null, null, null]);
  });

  it.each([
    ['an event before CaseReported', null, { type: 'CaseChecked', payload: { note: null } }, /must start with CaseReported/],
    ['an event naming an unknown task', caseIn('dispatched'), { type: 'TaskAccepted', payload: { taskId: 'nope' } }, /unknown task nope/],
  ] as const)('refuses %s', (_name, before, event, message) => {
    expect(() => evolveCase(before, stored(event as CaseEventBody))).toThrow(message);
  });

  it('replayCase folds a stream: reported, registered, dispatched, accepted', () => {
    const doc = replayCase([
      stored({ type: 'CaseReported', payload: reportedPayload() }, { streamVersion: 1, at: '2026-03-02T00:00:00.000Z' }),
      stored({ type: 'CaseRegistered', payload: { respondDue: 'r', resolveDue: 's', note: null } }, { streamVersion: 2 }),
      stored({ type: 'CaseDispatched', payload: { round: 1, tasks: [{ taskId: 't1', unitId: 'u', unitName: 'U', role: 'lead', respondDue: 'r', deadline: 's' }], note: null } }, { streamVersion: 3 }),
      stored({ type: 'TaskAccepted', payload: { taskId: 't1' } }, { streamVersion: 4, at: AT }),
    ]);
    expect(doc).toMatchObject({ state: 'in_progress', version: 4, respondedAt: AT, tasks: [{ id: 't1', state: 'accepted' }] });
    expect(replayCase([])).toBeNull();
  });
});

/** The payload of the fixture's CaseReported event, read back from a reported case. */
function reportedPayload(): Extract<CaseEventBody, { type: 'CaseReported' }>['payload'] {
  const d = reportedCase();
  return { number: d.number, source: d.source, categoryCode: d.categoryCode, priority: d.priority, title: d.title, description: d.description, location: d.location, chain: [...d.chain], centerId: d.centerId, tier: d.tier, reporter: d.reporter, externalRef: d.externalRef };
}
