import { describe, expect, it } from 'vitest';
import { CityLoopError, type ErrorCode } from '../errors.ts';
import type { CaseEventBody } from './case-events.ts';
import { CASE_STATES, TASK_STATES, type CaseDoc, type CaseState, type TaskDoc, type TaskState } from './case-model.ts';
import { ALLOWED_IN, availableCommands, decideCase, type CaseCommand, type CaseCommandType, type DecideContext } from './decide-case.ts';
import { CENTER, NOW, PARENT, PLAN_RUN, caseIn, context, task } from '../../test/support/case-fixtures.ts';

/**
 * decideCase, row by row: which states allow each command (the spec is written out here, not
 * read from ALLOWED_IN, so a changed table fails a row), the exact events each command emits, and
 * the code of every refusal. Who may act (roles) is not decided here: case-policy.ts decides that
 * before decideCase is called, so no row names a role.
 */

/** The states table as the process defines it (立案 → 派遣 → 处置 → 反馈 → 核查 → 结案 → 评价). */
const SPEC: Record<CaseCommandType, readonly CaseState[]> = {
  register: ['reported'],
  decline: ['reported'],
  dispatch: ['registered', 'returned', 'reopened', 'dispatched', 'in_progress'],
  accept_task: ['dispatched', 'in_progress', 'returned'],
  start_task: ['dispatched', 'in_progress', 'returned'],
  arrive_task: ['dispatched', 'in_progress', 'returned'],
  complete_task: ['dispatched', 'in_progress', 'returned'],
  return_task: ['dispatched', 'in_progress', 'returned'],
  report_back: ['in_progress'],
  check: ['reported_back'],
  close: ['checked'],
  evaluate: ['closed', 'evaluated'],
  reopen: ['closed', 'evaluated'],
  escalate: ['reported', 'registered', 'returned', 'reopened'],
  park: ['registered', 'dispatched', 'in_progress', 'returned', 'reopened'],
  unpark: ['parked'],
  remind: ['dispatched', 'in_progress', 'returned'],
  supervise: ['registered', 'dispatched', 'in_progress', 'returned', 'reopened', 'reported_back', 'parked'],
  add_attachment: ['reported', 'registered', 'dispatched', 'in_progress', 'returned', 'reported_back', 'checked', 'reopened', 'parked'],
  apply_plan: ['reported', 'registered'],
  agree_coordination: ['registered', 'dispatched', 'in_progress', 'returned', 'reported_back'],
  accept_joint: ['reported', 'registered', 'dispatched', 'in_progress', 'returned'],
  record_action: CASE_STATES,
  override_action: CASE_STATES,
  record_sensor_state: CASE_STATES,
  merge_into: ['reported', 'registered'],
  record_routing: ['reported', 'registered', 'dispatched'],
  add_supporter: ['reported', 'registered', 'dispatched', 'in_progress', 'returned', 'reported_back', 'checked', 'reopened', 'parked'],
  tally_task: ['dispatched', 'in_progress', 'returned'],
  override_tally: ['dispatched', 'in_progress', 'returned'],
};

const T1 = 't1';
/** A community's evacuation task (避险转移): 120 people to account for. */
const COUNTED = { key: 'evacuate@C1', instructions: '组织转移', arriveBy: null, dependsOn: [], handBack: ['reading'], expected: 120 };
const ACTION_RECORD: Extract<CaseEventBody, { type: 'ActionRecorded' }>['payload'] = {
  key: 'signals-red',
  kind: 'device',
  target: 'signal-1',
  phase: 'apply',
  outcome: 'confirmed',
  attempts: 1,
  detail: null,
  commandId: 'cmd-1',
  command: 'set_phase',
};
const ROUTING: Extract<CaseEventBody, { type: 'AppealRouted' }>['payload'] = {
  automatic: true,
  categoryCode: 'municipal.water.burst',
  confidence: 0.93,
  top: [{ categoryCode: 'municipal.water.burst', confidence: 0.93 }],
  routingVersion: 2,
  rule: 'water',
  why: '关键词：爆管',
  outcome: 'dispatched',
};
const ATTACHMENT = { attachmentId: 'att-1', sha256: 'ab'.repeat(32), fileName: 'photo.png', mediaType: 'image/png', size: 120 };

/** The dispatch of PLAN_RUN at NOW: ids id-1, id-2; the lead signs by its arrival time. */
const PLAN_DISPATCH: CaseEventBody = {
  type: 'CaseDispatched',
  payload: {
    round: 1,
    tasks: [
      {
        taskId: 'id-1',
        unitId: 'unit-water',
        unitName: '区水务',
        role: 'lead',
        respondDue: '2026-03-02T01:10:00.000Z',
        deadline: '2026-03-02T04:00:00.000Z',
        plan: { key: 'repair', instructions: '抢修', arriveBy: '2026-03-02T01:10:00.000Z', dependsOn: ['traffic'], handBack: ['photo'] },
      },
      {
        taskId: 'id-2',
        unitId: 'unit-traffic',
        unitName: '区交警',
        role: 'assist',
        respondDue: '2026-03-02T03:00:00.000Z',
        deadline: '2026-03-02T02:00:00.000Z',
        plan: { key: 'traffic', instructions: '疏导', arriveBy: null, dependsOn: [], handBack: [] },
      },
    ],
    note: '预案：供水爆管处置（第3版）',
  },
};
const PLAN_APPLIED: CaseEventBody = {
  type: 'PlanApplied',
  payload: {
    planId: 'water-main-burst',
    version: 3,
    name: '供水爆管处置',
    tier: 'city',
    centerId: 'center-500000',
    facts: { water_main: { id: 'wm-1', diameter_mm: 600 } },
    actions: [{ type: 'notify', key: 'n', channel: 'webhook', to: 'hotline', message: 'm' }],
    escalation: [{ afterMs: 600_000, unless: 'accepted', do: 'remind', repeat: 1 }],
    closure: { reportBackWhen: 'leads_done', requireEvidence: false },
  },
};

interface CommandRow {
  readonly cmd: CaseCommand;
  /** What the case needs besides its state for the command to succeed. */
  readonly with?: Partial<CaseDoc>;
  readonly ctx?: Partial<DecideContext>;
  readonly emits: (state: CaseState) => CaseEventBody[];
}

/** One row per command: a valid command on a valid case, and exactly what it emits. */
const COMMANDS: Record<CaseCommandType, CommandRow> = {
  register: {
    cmd: { type: 'register', note: ' 已核实 ' },
    emits: () => [{ type: 'CaseRegistered', payload: { respondDue: '2026-03-02T03:00:00.000Z', resolveDue: '2026-03-03T01:00:00.000Z', note: '已核实' } }],
  },
  decline: { cmd: { type: 'decline', reason: ' 不属于城市管理 ' }, emits: () => [{ type: 'CaseDeclined', payload: { reason: '不属于城市管理' } }] },
  dispatch: {
    cmd: { type: 'dispatch', tasks: [{ unitId: 'unit-water', role: 'lead' }, { unitId: 'unit-traffic', role: 'assist', deadline: '2026-03-02T15:00:00+08:00' }] },
    emits: () => [
      {
        type: 'CaseDispatched',
        payload: {
          round: 1,
          tasks: [
            { taskId: 'id-1', unitId: 'unit-water', unitName: '区水务', role: 'lead', respondDue: '2026-03-02T03:00:00.000Z', deadline: '2026-03-03T01:00:00.000Z' },
            { taskId: 'id-2', unitId: 'unit-traffic', unitName: '区交警', role: 'assist', respondDue: '2026-03-02T03:00:00.000Z', deadline: '2026-03-02T07:00:00.000Z' },
          ],
          note: null,
        },
      },
    ],
  },
  accept_task: { cmd: { type: 'accept_task', taskId: T1 }, with: { tasks: [task(T1, 'dispatched')] }, emits: () => [{ type: 'TaskAccepted', payload: { taskId: T1 } }] },
  start_task: { cmd: { type: 'start_task', taskId: T1 }, with: { tasks: [task(T1, 'accepted')] }, emits: () => [{ type: 'TaskStarted', payload: { taskId: T1 } }] },
  arrive_task: {
    // The case's point is 106.58, 29.56 (GCJ-02); the crew stands there.
    cmd: { type: 'arrive_task', taskId: T1, lng: 106.58, lat: 29.56, accuracyM: 12.4 },
    with: { tasks: [task(T1, 'accepted')] },
    emits: () => [{ type: 'TaskArrived', payload: { taskId: T1, arrivedAt: NOW.toISOString(), lng: 106.58, lat: 29.56, accuracyM: 12, distanceM: 0, arriveBy: null, late: false } }],
  },
  complete_task: {
    cmd: { type: 'complete_task', taskId: T1, note: ' 已修复 ' },
    with: { tasks: [task(T1, 'in_progress')] },
    emits: () => [{ type: 'TaskCompleted', payload: { taskId: T1, note: '已修复' } }],
  },
  return_task: {
    cmd: { type: 'return_task', taskId: T1, reason: '非本单位职责' },
    with: { tasks: [task(T1, 'dispatched')] },
    emits: () => [{ type: 'TaskReturned', payload: { taskId: T1, reason: '非本单位职责' } }],
  },
  report_back: {
    cmd: { type: 'report_back', summary: '已修复，路面已清理' },
    with: { tasks: [task(T1, 'done'), task('t2', 'done', { role: 'assist' })] },
    emits: () => [{ type: 'CaseReportedBack', payload: { summary: '已修复，路面已清理' } }],
  },
  check: { cmd: { type: 'check', passed: true }, emits: () => [{ type: 'CaseChecked', payload: { note: null } }] },
  close: { cmd: { type: 'close', note: '办结' }, emits: () => [{ type: 'CaseClosed', payload: { note: '办结' } }] },
  evaluate: {
    cmd: { type: 'evaluate', satisfaction: 'satisfied', by: 'reporter', comment: ' 很快 ' },
    emits: () => [{ type: 'CaseEvaluated', payload: { satisfaction: 'satisfied', comment: '很快', by: 'reporter', solved: null, reason: null } }],
  },
  reopen: { cmd: { type: 'reopen', reason: '问题复发' }, emits: () => [{ type: 'CaseReopened', payload: { cause: 'other', reason: '问题复发' } }] },
  escalate: {
    cmd: { type: 'escalate', reason: '需市级协调' },
    emits: () => [{ type: 'CaseEscalated', payload: { fromCenterId: CENTER, toCenterId: PARENT.id, toTier: 'city', reason: '需市级协调' } }],
  },
  park: {
    cmd: { type: 'park', reason: '待资金', reviewAt: '2026-04-01T09:00:00+08:00' },
    emits: () => [{ type: 'CaseParked', payload: { reason: '待资金', reviewAt: '2026-04-01T01:00:00.000Z' } }],
  },
  unpark: { cmd: { type: 'unpark' }, emits: () => [{ type: 'CaseUnparked', payload: { note: null } }] },
  remind: {
    cmd: { type: 'remind', taskId: T1 },
    with: { tasks: [task(T1, 'accepted')] },
    emits: () => [{ type: 'TaskReminded', payload: { taskId: T1, reason: '请尽快办理', automatic: false } }],
  },
  supervise: {
    cmd: { type: 'supervise', reason: '群众反映强烈' },
    emits: () => [{ type: 'CaseSupervised', payload: { centerId: PARENT.id, reason: '群众反映强烈', automatic: false, taskId: null } }],
  },
  add_attachment: { cmd: { type: 'add_attachment', ...ATTACHMENT }, emits: () => [{ type: 'AttachmentAdded', payload: ATTACHMENT }] },
  apply_plan: {
    cmd: { type: 'apply_plan' },
    ctx: { planRun: PLAN_RUN },
    emits: (state) =>
      state === 'reported'
        ? [PLAN_APPLIED, { type: 'CaseRegistered', payload: { respondDue: '2026-03-02T03:00:00.000Z', resolveDue: '2026-03-03T01:00:00.000Z', note: '按预案“供水爆管处置”立案' } }, PLAN_DISPATCH]
        : [PLAN_APPLIED, PLAN_DISPATCH],
  },
  agree_coordination: {
    cmd: { type: 'agree_coordination', handledByUnitId: 'unit-water', maintainedByUnitId: 'unit-traffic', note: '先修后养' },
    with: { coordination: { centerIds: ['center-500105'], agreement: null } },
    emits: () => [{ type: 'CoordinationAgreed', payload: { handledByUnitId: 'unit-water', handledByName: '区水务', maintainedByUnitId: 'unit-traffic', maintainedByName: '区交警', note: '先修后养' } }],
  },
  accept_joint: {
    cmd: { type: 'accept_joint', centerId: 'center-500105' },
    with: { coordination: { centerIds: ['center-500105'], agreement: null, accepted: [] } },
    emits: () => [{ type: 'JointCaseAccepted', payload: { centerId: 'center-500105' } }],
  },
  record_action: { cmd: { type: 'record_action', record: ACTION_RECORD }, emits: () => [{ type: 'ActionRecorded', payload: ACTION_RECORD }] },
  override_action: {
    cmd: { type: 'override_action', record: { ...ACTION_RECORD, phase: 'override' } },
    emits: () => [{ type: 'ActionRecorded', payload: { ...ACTION_RECORD, phase: 'override' } }],
  },
  record_sensor_state: {
    cmd: { type: 'record_sensor_state', deviceId: 'gauge-1', state: 'abnormal', reading: { name: 'water_level', value: 0.42, unit: 'm' } },
    emits: () => [{ type: 'SensorStateChanged', payload: { deviceId: 'gauge-1', state: 'abnormal', reading: { name: 'water_level', value: 0.42, unit: 'm' } } }],
  },
  merge_into: {
    cmd: { type: 'merge_into', intoCaseId: 'case-2', intoNumber: 'YZ-0002', reason: '同一爆管' },
    emits: () => [{ type: 'CaseMerged', payload: { intoCaseId: 'case-2', intoNumber: 'YZ-0002', reason: '同一爆管' } }],
  },
  add_supporter: {
    cmd: { type: 'add_supporter', caseId: 'case-3', number: 'YZ-0003', reporterUserId: null },
    emits: () => [{ type: 'SupporterAdded', payload: { caseId: 'case-3', number: 'YZ-0003', reporterUserId: null } }],
  },
  record_routing: { cmd: { type: 'record_routing', routing: ROUTING }, emits: () => [{ type: 'AppealRouted', payload: ROUTING }] },
  tally_task: {
    cmd: { type: 'tally_task', taskId: T1, moved: 80, staying: 30, missing: 10, note: ' 3栋未联系上 ' },
    with: { tasks: [task(T1, 'accepted', { plan: COUNTED })] },
    emits: () => [{ type: 'TaskTallied', payload: { taskId: T1, moved: 80, staying: 30, missing: 10, note: '3栋未联系上', override: null } }],
  },
  override_tally: {
    cmd: { type: 'override_tally', taskId: T1, reason: ' 10人外出务工，已电话确认 ' },
    with: { tasks: [{ ...task(T1, 'accepted', { plan: COUNTED }), tally: { moved: 80, staying: 30, missing: 10, note: null, override: null, at: '2026-03-02T00:50:00.000Z' } }] },
    emits: () => [
      { type: 'TaskTallied', payload: { taskId: T1, moved: 80, staying: 30, missing: 10, note: null, override: '10人外出务工，已电话确认' } },
      { type: 'TaskCompleted', payload: { taskId: T1, note: '清点结果由中心确认：10人外出务工，已电话确认（已转移 80，就地避险 30，失联 10）', evidence: { attachmentIds: [], reading: { name: 'unaccounted', value: 10, unit: '人' } } } },
    ],
  },
};

/** The code a call throws (a CityLoopError), or null when it returns. */
function refusal(f: () => unknown): { code: ErrorCode; params: Record<string, unknown> } | null {
  try {
    f();
    return null;
  } catch (e) {
    if (!(e instanceof CityLoopError)) throw e;
    return { code: e.code, params: e.params };
  }
}

const COMMAND_TYPES = Object.keys(SPEC) as CaseCommandType[];

describe('decideCase: the states table', () => {
  it('names every command, and ALLOWED_IN says what the table here says', () => {
    expect(Object.keys(COMMANDS).sort()).toEqual([...COMMAND_TYPES].sort());
    expect(Object.keys(ALLOWED_IN).sort()).toEqual([...COMMAND_TYPES].sort());
    for (const c of COMMAND_TYPES) expect([...ALLOWED_IN[c]].sort(), c).toEqual([...SPEC[c]].sort());
  });

  const allowed = COMMAND_TYPES.flatMap((c) => SPEC[c].map((s) => [c, s] as const));
  it.each(allowed)('%s in %s: emits exactly its events', (c, state) => {
    const row = COMMANDS[c];
    const doc = caseIn(state, row.with);
    const before = structuredClone(doc);
    expect(decideCase(doc, row.cmd, context(row.ctx))).toEqual(row.emits(state));
    // Pure: the case handed in is not changed.
    expect(doc).toEqual(before);
  });

  const refused = COMMAND_TYPES.flatMap((c) => CASE_STATES.filter((s) => !SPEC[c].includes(s)).map((s) => [c, s] as const));
  it.each(refused)('%s in %s: refused with CASE_INVALID_TRANSITION', (c, state) => {
    const row = COMMANDS[c];
    expect(refusal(() => decideCase(caseIn(state, row.with), row.cmd, context(row.ctx)))).toMatchObject({ code: 'CASE_INVALID_TRANSITION', params: { state, action: c } });
  });

  it.each(CASE_STATES.map((s) => [s]))('availableCommands in %s: the commands the table allows there', (state) => {
    expect(availableCommands(caseIn(state)).sort()).toEqual(COMMAND_TYPES.filter((c) => SPEC[c].includes(state)).sort());
  });
});

/** Which task states allow each task command (the case is in_progress, which allows all four). */
const TASK_SPEC: Record<'accept_task' | 'start_task' | 'arrive_task' | 'complete_task' | 'return_task', readonly TaskState[]> = {
  accept_task: ['dispatched'],
  start_task: ['accepted'],
  arrive_task: ['accepted', 'in_progress'],
  complete_task: ['accepted', 'in_progress'],
  return_task: ['dispatched', 'accepted'],
};
const TASK_EVENT = { accept_task: 'TaskAccepted', start_task: 'TaskStarted', arrive_task: 'TaskArrived', complete_task: 'TaskCompleted', return_task: 'TaskReturned' } as const;

describe('decideCase: the task states table', () => {
  const rows = (Object.keys(TASK_SPEC) as (keyof typeof TASK_SPEC)[]).flatMap((c) => TASK_STATES.map((s) => [c, s, TASK_SPEC[c].includes(s)] as const));
  it.each(rows)('%s on a task %s: allowed %s', (c, taskState, ok) => {
    const doc = caseIn('in_progress', { tasks: [task(T1, taskState)] });
    const run = () => decideCase(doc, COMMANDS[c].cmd, context());
    if (ok) expect(run().map((e) => e.type)).toEqual([TASK_EVENT[c]]);
    else expect(refusal(run)).toMatchObject({ code: 'TASK_INVALID_TRANSITION', params: { state: taskState, action: c } });
  });

  it.each(Object.keys(TASK_SPEC) as (keyof typeof TASK_SPEC)[])('%s on a task of an earlier round: TASK_INVALID_TRANSITION', (c) => {
    const state = TASK_SPEC[c][0]!;
    const doc = caseIn('in_progress', { round: 2, tasks: [task(T1, state, { round: 1 })] });
    expect(refusal(() => decideCase(doc, COMMANDS[c].cmd, context()))?.code).toBe('TASK_INVALID_TRANSITION');
  });
});

const waitingTask = task(T1, 'accepted', { plan: { key: 'repair', instructions: '抢修', arriveBy: null, dependsOn: ['traffic'], handBack: ['photo', 'reading'] } });
const trafficTask = (state: TaskState) => task('t2', state, { role: 'assist', plan: { key: 'traffic', instructions: '疏导', arriveBy: null, dependsOn: [], handBack: [] } });
const evidencePlan = { id: 'p', version: 1, name: 'p', tier: 'district' as const, appliedAt: NOW.toISOString(), closure: { reportBackWhen: 'leads_done' as const, requireEvidence: true } };

interface RefusalRow {
  readonly name: string;
  readonly state: CaseState;
  readonly cmd: CaseCommand;
  readonly with?: Partial<CaseDoc>;
  readonly ctx?: Partial<DecideContext>;
  readonly code: ErrorCode;
}

/** Refusals inside an allowed state: the rules each command checks, and the code it answers with. */
const REFUSALS: RefusalRow[] = [
  { name: 'decline without a reason', state: 'reported', cmd: { type: 'decline', reason: '  ' }, code: 'VALIDATION_FAILED' },
  { name: 'dispatch naming no unit', state: 'registered', cmd: { type: 'dispatch', tasks: [] }, code: 'VALIDATION_FAILED' },
  { name: 'dispatch with two leads', state: 'registered', cmd: { type: 'dispatch', tasks: [{ unitId: 'unit-water', role: 'lead' }, { unitId: 'unit-traffic', role: 'lead' }] }, code: 'CASE_RULE_VIOLATED' },
  { name: 'dispatch of assists only, no lead', state: 'registered', cmd: { type: 'dispatch', tasks: [{ unitId: 'unit-traffic', role: 'assist' }] }, code: 'CASE_RULE_VIOLATED' },
  { name: 'a second lead while one is active', state: 'in_progress', with: { tasks: [task(T1, 'accepted')] }, cmd: { type: 'dispatch', tasks: [{ unitId: 'unit-traffic', role: 'lead' }] }, code: 'CASE_RULE_VIOLATED' },
  { name: 'dispatch to a disabled unit', state: 'registered', cmd: { type: 'dispatch', tasks: [{ unitId: 'unit-closed', role: 'lead' }] }, code: 'CASE_RULE_VIOLATED' },
  { name: 'dispatch to an unknown unit', state: 'registered', cmd: { type: 'dispatch', tasks: [{ unitId: 'unit-nobody', role: 'lead' }] }, code: 'UNKNOWN_UNIT' },
  {
    name: 'dispatch to a unit with an open task',
    state: 'in_progress',
    with: { tasks: [task(T1, 'accepted', { unitId: 'unit-water' })] },
    cmd: { type: 'dispatch', tasks: [{ unitId: 'unit-water', role: 'assist' }] },
    code: 'CASE_RULE_VIOLATED',
  },
  { name: 'a task deadline that is no date', state: 'registered', cmd: { type: 'dispatch', tasks: [{ unitId: 'unit-water', role: 'lead', deadline: 'tomorrow' }] }, code: 'VALIDATION_FAILED' },
  { name: 'a task deadline in the past', state: 'registered', cmd: { type: 'dispatch', tasks: [{ unitId: 'unit-water', role: 'lead', deadline: '2026-03-01T00:00:00Z' }] }, code: 'CASE_RULE_VIOLATED' },
  { name: 'accept an unknown task', state: 'dispatched', cmd: { type: 'accept_task', taskId: 'nope' }, code: 'NOT_FOUND' },
  { name: 'start a task whose dependency is not done', state: 'in_progress', with: { tasks: [waitingTask, trafficTask('in_progress')] }, cmd: { type: 'start_task', taskId: T1 }, code: 'CASE_RULE_VIOLATED' },
  { name: 'complete a task whose dependency is not done', state: 'in_progress', with: { tasks: [waitingTask, trafficTask('accepted')] }, cmd: { type: 'complete_task', taskId: T1, note: '好了' }, code: 'CASE_RULE_VIOLATED' },
  { name: 'complete without a note', state: 'in_progress', with: { tasks: [task(T1, 'in_progress')] }, cmd: { type: 'complete_task', taskId: T1, note: ' ' }, code: 'VALIDATION_FAILED' },
  {
    name: 'complete naming an attachment the case does not have',
    state: 'in_progress',
    with: { tasks: [task(T1, 'in_progress')] },
    cmd: { type: 'complete_task', taskId: T1, note: '好了', evidence: { attachmentIds: ['att-x'] } },
    code: 'NOT_FOUND',
  },
  {
    name: 'complete a plan lead without the photo it must hand back',
    state: 'in_progress',
    with: { plan: evidencePlan, tasks: [waitingTask, trafficTask('done')] },
    cmd: { type: 'complete_task', taskId: T1, note: '好了', evidence: { reading: { name: 'pressure', value: 0.3, unit: 'MPa' } } },
    code: 'CASE_RULE_VIOLATED',
  },
  {
    name: 'complete a plan lead without the reading it must hand back',
    state: 'in_progress',
    with: { plan: evidencePlan, tasks: [waitingTask, trafficTask('done')], attachments: [{ id: 'att-1', sha256: 'x', fileName: 'a.png', mediaType: 'image/png', size: 1 }] },
    cmd: { type: 'complete_task', taskId: T1, note: '好了', evidence: { attachmentIds: ['att-1'] } },
    code: 'CASE_RULE_VIOLATED',
  },
  { name: 'report back before the lead is done', state: 'in_progress', with: { tasks: [task(T1, 'in_progress')] }, cmd: { type: 'report_back', summary: '好了' }, code: 'CASE_RULE_VIOLATED' },
  {
    name: 'report back while an assist has not answered',
    state: 'in_progress',
    with: { tasks: [task(T1, 'done'), task('t2', 'accepted', { role: 'assist' })] },
    cmd: { type: 'report_back', summary: '好了' },
    code: 'CASE_RULE_VIOLATED',
  },
  {
    name: 'report back before the sensor read normal long enough',
    state: 'in_progress',
    with: {
      tasks: [task(T1, 'done')],
      plan: { ...evidencePlan, closure: { reportBackWhen: 'leads_done', requireEvidence: false, sensorNormalForMs: 15 * 60_000 } },
      sensor: { deviceId: 'gauge-1', state: 'normal', since: '2026-03-02T00:50:00.000Z', reading: null },
    },
    cmd: { type: 'report_back', summary: '好了' },
    code: 'CASE_RULE_VIOLATED',
  },
  { name: 'report back without a summary', state: 'in_progress', with: { tasks: [task(T1, 'done')] }, cmd: { type: 'report_back', summary: '' }, code: 'VALIDATION_FAILED' },
  { name: 'a failed check without a note', state: 'reported_back', cmd: { type: 'check', passed: false }, code: 'VALIDATION_FAILED' },
  {
    name: 'a second evaluation of a satisfied case',
    state: 'evaluated',
    with: { evaluation: { satisfaction: 'satisfied', comment: null, at: NOW.toISOString() } },
    cmd: { type: 'evaluate', satisfaction: 'satisfied', by: 'follow_up' },
    code: 'CASE_RULE_VIOLATED',
  },
  { name: 'reopen without a reason', state: 'closed', cmd: { type: 'reopen', reason: '' }, code: 'VALIDATION_FAILED' },
  { name: 'escalate from the city center', state: 'registered', ctx: { parentCenter: null }, cmd: { type: 'escalate', reason: '需协调' }, code: 'CASE_RULE_VIOLATED' },
  { name: 'park until a date that is no date', state: 'registered', cmd: { type: 'park', reason: '待资金', reviewAt: 'soon' }, code: 'VALIDATION_FAILED' },
  { name: 'park until a past date', state: 'registered', cmd: { type: 'park', reason: '待资金', reviewAt: '2026-03-02T01:00:00Z' }, code: 'CASE_RULE_VIOLATED' },
  { name: 'arrive on an unknown task', state: 'in_progress', cmd: { type: 'arrive_task', taskId: 'nope', lng: 106.58, lat: 29.56 }, code: 'NOT_FOUND' },
  {
    name: 'arrive twice',
    state: 'in_progress',
    with: { tasks: [{ ...task(T1, 'in_progress'), arrival: { at: NOW.toISOString(), lng: 106.58, lat: 29.56, accuracyM: null, distanceM: 0, arriveBy: null, late: false } }] },
    cmd: { type: 'arrive_task', taskId: T1, lng: 106.58, lat: 29.56 },
    code: 'TASK_ALREADY_ARRIVED',
  },
  // 0.02° of longitude at 29.56° N is about 1.93 km: not on site.
  { name: 'arrive 1.9 km from the point', state: 'in_progress', with: { tasks: [task(T1, 'accepted')] }, cmd: { type: 'arrive_task', taskId: T1, lng: 106.6, lat: 29.56 }, code: 'TASK_ARRIVAL_TOO_FAR' },
  // 0.0105° ≈ 1,016 m: beyond the radius, but within it once 100 m of stated inaccuracy are credited.
  { name: 'arrive 1,016 m away, stated accurate to 10 m', state: 'in_progress', with: { tasks: [task(T1, 'accepted')] }, cmd: { type: 'arrive_task', taskId: T1, lng: 106.5905, lat: 29.56, accuracyM: 10 }, code: 'TASK_ARRIVAL_TOO_FAR' },
  // A phone that says it may be 5 km off gets at most 200 m of credit.
  { name: 'arrive 1.9 km away, stated accurate to 5 km', state: 'in_progress', with: { tasks: [task(T1, 'accepted')] }, cmd: { type: 'arrive_task', taskId: T1, lng: 106.6, lat: 29.56, accuracyM: 5000 }, code: 'TASK_ARRIVAL_TOO_FAR' },
  { name: 'arrive at a time that is no date', state: 'in_progress', with: { tasks: [task(T1, 'accepted')] }, cmd: { type: 'arrive_task', taskId: T1, lng: 106.58, lat: 29.56, at: 'now' }, code: 'VALIDATION_FAILED' },
  { name: 'arrive in the future (beyond clock drift)', state: 'in_progress', with: { tasks: [task(T1, 'accepted')] }, cmd: { type: 'arrive_task', taskId: T1, lng: 106.58, lat: 29.56, at: '2026-03-02T01:05:00.000Z' }, code: 'CASE_RULE_VIOLATED' },
  { name: 'arrive before the task was dispatched', state: 'in_progress', with: { tasks: [task(T1, 'accepted')] }, cmd: { type: 'arrive_task', taskId: T1, lng: 106.58, lat: 29.56, at: '2026-03-02T00:10:00.000Z' }, code: 'CASE_RULE_VIOLATED' },
  { name: 'arrive at no coordinates', state: 'in_progress', with: { tasks: [task(T1, 'accepted')] }, cmd: { type: 'arrive_task', taskId: T1, lng: Number.NaN, lat: 29.56 }, code: 'BAD_COORDINATES' },
  { name: 'remind an unknown task', state: 'dispatched', cmd: { type: 'remind', taskId: 'nope' }, code: 'NOT_FOUND' },
  { name: 'remind a task that is done', state: 'in_progress', with: { tasks: [task(T1, 'done')] }, cmd: { type: 'remind', taskId: T1 }, code: 'TASK_INVALID_TRANSITION' },
  { name: 'supervise with no center above', state: 'registered', ctx: { supervisingCenterId: null }, cmd: { type: 'supervise', reason: '督办' }, code: 'CASE_RULE_VIOLATED' },
  { name: 'apply a plan when none applies', state: 'reported', ctx: { planRun: null }, cmd: { type: 'apply_plan' }, code: 'CASE_RULE_VIOLATED' },
  { name: 'merge a case into itself', state: 'reported', cmd: { type: 'merge_into', intoCaseId: 'case-1', intoNumber: 'YZ-0001', reason: '重复' }, code: 'CASE_RULE_VIOLATED' },
  { name: 'accept a joint case not shared with the center', state: 'registered', cmd: { type: 'accept_joint', centerId: 'center-500105' }, code: 'CASE_RULE_VIOLATED' },
  {
    name: 'accept a joint case twice',
    state: 'registered',
    with: { coordination: { centerIds: ['center-500105'], agreement: null, accepted: ['center-500105'] } },
    cmd: { type: 'accept_joint', centerId: 'center-500105' },
    code: 'CASE_RULE_VIOLATED',
  },
  { name: 'agree coordination on a case not shared', state: 'registered', cmd: { type: 'agree_coordination', handledByUnitId: 'unit-water', maintainedByUnitId: 'unit-traffic', note: 'x' }, code: 'CASE_RULE_VIOLATED' },
  {
    name: 'agree coordination naming an unknown unit',
    state: 'registered',
    with: { coordination: { centerIds: ['center-500105'], agreement: null } },
    cmd: { type: 'agree_coordination', handledByUnitId: 'unit-water', maintainedByUnitId: 'unit-nobody', note: 'x' },
    code: 'UNKNOWN_UNIT',
  },
];

describe('decideCase: refusals inside an allowed state', () => {
  it.each(REFUSALS)('$name: $code', (row) => {
    expect(refusal(() => decideCase(caseIn(row.state, row.with), row.cmd, context(row.ctx)))?.code).toBe(row.code);
  });
});

interface OutcomeRow {
  readonly name: string;
  readonly state: CaseState;
  readonly cmd: CaseCommand;
  readonly with?: Partial<CaseDoc>;
  readonly emits: CaseEventBody[];
}

/** Commands whose events depend on their content or on the case beyond its state. */
const arrivingTask = task(T1, 'accepted', { plan: { key: 'repair', instructions: '抢修', arriveBy: '2026-03-02T00:55:00.000Z', dependsOn: [], handBack: [] } });
const OUTCOMES: OutcomeRow[] = [
  {
    // The phone queued the arrival offline at 00:50; the plan's deadline was 00:55: met, though sent at 01:00.
    name: 'an arrival queued offline keeps the device time and meets arriveBy',
    state: 'in_progress',
    with: { tasks: [arrivingTask] },
    cmd: { type: 'arrive_task', taskId: T1, lng: 106.581, lat: 29.56, at: '2026-03-02T00:50:00+00:00' },
    emits: [{ type: 'TaskArrived', payload: { taskId: T1, arrivedAt: '2026-03-02T00:50:00.000Z', lng: 106.581, lat: 29.56, accuracyM: null, distanceM: 97, arriveBy: '2026-03-02T00:55:00.000Z', late: false } }],
  },
  {
    name: 'an arrival after arriveBy is recorded late',
    state: 'in_progress',
    with: { tasks: [arrivingTask] },
    cmd: { type: 'arrive_task', taskId: T1, lng: 106.58, lat: 29.5605 },
    emits: [{ type: 'TaskArrived', payload: { taskId: T1, arrivedAt: NOW.toISOString(), lng: 106.58, lat: 29.5605, accuracyM: null, distanceM: 56, arriveBy: '2026-03-02T00:55:00.000Z', late: true } }],
  },
  {
    // 1,016 m away, the phone saying it may be 50 m off: the 50 m are credited, and the arrival stands.
    name: 'an arrival just beyond the radius within the stated accuracy',
    state: 'in_progress',
    with: { tasks: [task(T1, 'in_progress')] },
    cmd: { type: 'arrive_task', taskId: T1, lng: 106.5905, lat: 29.56, accuracyM: 50 },
    emits: [{ type: 'TaskArrived', payload: { taskId: T1, arrivedAt: NOW.toISOString(), lng: 106.5905, lat: 29.56, accuracyM: 50, distanceM: 1016, arriveBy: null, late: false } }],
  },
  { name: 'a failed check reopens the case', state: 'reported_back', cmd: { type: 'check', passed: false, note: ' 未修好 ' }, emits: [{ type: 'CaseReopened', payload: { cause: 'check_failed', reason: '未修好' } }] },
  {
    name: 'unsatisfied and not solved: evaluated, then reopened',
    state: 'closed',
    cmd: { type: 'evaluate', satisfaction: 'unsatisfied', by: 'follow_up', solved: false },
    emits: [
      { type: 'CaseEvaluated', payload: { satisfaction: 'unsatisfied', comment: null, by: 'follow_up', solved: false, reason: 'not_solved' } },
      { type: 'CaseReopened', payload: { cause: 'unsatisfied', reason: '回访不满意：not_solved' } },
    ],
  },
  {
    name: 'unsatisfied because it recurred: reopened with the comment as reason',
    state: 'closed',
    cmd: { type: 'evaluate', satisfaction: 'unsatisfied', by: 'reporter', reason: 'recurred', comment: '又漏了' },
    emits: [
      { type: 'CaseEvaluated', payload: { satisfaction: 'unsatisfied', comment: '又漏了', by: 'reporter', solved: null, reason: 'recurred' } },
      { type: 'CaseReopened', payload: { cause: 'unsatisfied', reason: '回访不满意：又漏了' } },
    ],
  },
  {
    name: 'unsatisfied with the speed only: recorded, not reopened',
    state: 'closed',
    cmd: { type: 'evaluate', satisfaction: 'unsatisfied', by: 'reporter', reason: 'slow', solved: true },
    emits: [{ type: 'CaseEvaluated', payload: { satisfaction: 'unsatisfied', comment: null, by: 'reporter', solved: true, reason: 'slow' } }],
  },
  {
    name: 'unsatisfied without a reason: "other", not reopened',
    state: 'closed',
    cmd: { type: 'evaluate', satisfaction: 'unsatisfied', by: 'reporter' },
    emits: [{ type: 'CaseEvaluated', payload: { satisfaction: 'unsatisfied', comment: null, by: 'reporter', solved: null, reason: 'other' } }],
  },
  {
    name: 'basically satisfied though not solved: no reason, not reopened',
    state: 'closed',
    cmd: { type: 'evaluate', satisfaction: 'basically_satisfied', by: 'reporter', solved: false },
    emits: [{ type: 'CaseEvaluated', payload: { satisfaction: 'basically_satisfied', comment: null, by: 'reporter', solved: false, reason: null } }],
  },
  {
    name: 'an evaluated case that was unsatisfied may be evaluated again',
    state: 'evaluated',
    with: { evaluation: { satisfaction: 'unsatisfied', comment: null, at: NOW.toISOString() } },
    cmd: { type: 'evaluate', satisfaction: 'satisfied', by: 'follow_up' },
    emits: [{ type: 'CaseEvaluated', payload: { satisfaction: 'satisfied', comment: null, by: 'follow_up', solved: null, reason: null } }],
  },
  {
    name: 'reopening after an unsatisfied evaluation: cause unsatisfied',
    state: 'evaluated',
    with: { evaluation: { satisfaction: 'unsatisfied', comment: null, at: NOW.toISOString() } },
    cmd: { type: 'reopen', reason: '回访不满意' },
    emits: [{ type: 'CaseReopened', payload: { cause: 'unsatisfied', reason: '回访不满意' } }],
  },
  {
    name: 'a dispatch in a new round keeps the case resolve deadline and numbers the round',
    state: 'reopened',
    with: { round: 2, resolveDue: '2026-03-05T01:00:00.000Z', tasks: [task(T1, 'cancelled', { unitId: 'unit-water' })] },
    cmd: { type: 'dispatch', tasks: [{ unitId: 'unit-water', role: 'lead' }], note: ' 重新派遣 ' },
    emits: [
      {
        type: 'CaseDispatched',
        payload: { round: 2, tasks: [{ taskId: 'id-1', unitId: 'unit-water', unitName: '区水务', role: 'lead', respondDue: '2026-03-02T03:00:00.000Z', deadline: '2026-03-05T01:00:00.000Z' }], note: '重新派遣' },
      },
    ],
  },
  {
    name: 'an assist added beside an active lead',
    state: 'in_progress',
    with: { tasks: [task(T1, 'accepted', { unitId: 'unit-water' })] },
    cmd: { type: 'dispatch', tasks: [{ unitId: 'unit-traffic', role: 'assist' }] },
    emits: [
      {
        type: 'CaseDispatched',
        payload: { round: 1, tasks: [{ taskId: 'id-1', unitId: 'unit-traffic', unitName: '区交警', role: 'assist', respondDue: '2026-03-02T03:00:00.000Z', deadline: '2026-03-03T01:00:00.000Z' }], note: null },
      },
    ],
  },
  {
    name: 'a task waiting for another may still be signed for',
    state: 'in_progress',
    with: { tasks: [{ ...waitingTask, state: 'dispatched' }, trafficTask('dispatched')] },
    cmd: { type: 'accept_task', taskId: T1 },
    emits: [{ type: 'TaskAccepted', payload: { taskId: T1 } }],
  },
  {
    name: 'completion with its evidence',
    state: 'in_progress',
    with: { plan: evidencePlan, tasks: [waitingTask, trafficTask('done')], attachments: [{ id: 'att-1', sha256: 'x', fileName: 'a.png', mediaType: 'image/png', size: 1 }] },
    cmd: { type: 'complete_task', taskId: T1, note: '已修复', evidence: { attachmentIds: ['att-1'], reading: { name: 'pressure', value: 0.3, unit: 'MPa' } } },
    emits: [{ type: 'TaskCompleted', payload: { taskId: T1, note: '已修复', evidence: { attachmentIds: ['att-1'], reading: { name: 'pressure', value: 0.3, unit: 'MPa' } } } }],
  },
  {
    name: 'report back once the sensor has read normal long enough',
    state: 'in_progress',
    with: {
      tasks: [task(T1, 'done')],
      plan: { ...evidencePlan, closure: { reportBackWhen: 'leads_done', requireEvidence: false, sensorNormalForMs: 15 * 60_000 } },
      sensor: { deviceId: 'gauge-1', state: 'normal', since: '2026-03-02T00:45:00.000Z', reading: null },
    },
    cmd: { type: 'report_back', summary: '水位已正常' },
    emits: [{ type: 'CaseReportedBack', payload: { summary: '水位已正常' } }],
  },
  {
    name: 'a returned assist counts as an answer for reporting back',
    state: 'in_progress',
    with: { tasks: [task(T1, 'done'), task('t2', 'returned', { role: 'assist' })] },
    cmd: { type: 'report_back', summary: '好了' },
    emits: [{ type: 'CaseReportedBack', payload: { summary: '好了' } }],
  },
  {
    name: 'the sensor state keeps the device already known when none is named',
    state: 'closed',
    with: { sensor: { deviceId: 'gauge-1', state: 'abnormal', since: '2026-03-02T00:00:00.000Z', reading: null } },
    cmd: { type: 'record_sensor_state', state: 'normal' },
    emits: [{ type: 'SensorStateChanged', payload: { deviceId: 'gauge-1', state: 'normal', reading: null } }],
  },
  {
    name: 'the owner center accepts a joint case it owns',
    state: 'registered',
    with: { coordination: { centerIds: ['center-500105'], agreement: null, accepted: [] } },
    cmd: { type: 'accept_joint', centerId: CENTER },
    emits: [{ type: 'JointCaseAccepted', payload: { centerId: CENTER } }],
  },
];

describe('decideCase: events that depend on what the command says', () => {
  it.each(OUTCOMES)('$name', (row) => {
    expect(decideCase(caseIn(row.state, row.with), row.cmd, context())).toEqual(row.emits);
  });

  it('a plan sharing the case with neighbours names their centers in PlanApplied', () => {
    const events = decideCase(caseIn('registered'), { type: 'apply_plan' }, context({ planRun: { ...PLAN_RUN, coCenterIds: ['center-500105', 'center-500112'] } }));
    expect(events.map((e) => e.type)).toEqual(['PlanApplied', 'CaseDispatched']);
    expect(events[0]).toEqual({ type: 'PlanApplied', payload: { ...PLAN_APPLIED.payload, coCenterIds: ['center-500105', 'center-500112'] } });
  });
});

describe('decideCase: 清点 (a task that accounts for people)', () => {
  const counted = (state: TaskState, tally: TaskDoc['tally'] = null): TaskDoc => ({ ...task(T1, state, { plan: COUNTED, role: 'assist' }), tally });
  const decide = (cmd: CaseCommand, t: TaskDoc = counted('accepted')) => decideCase(caseIn('in_progress', { tasks: [t] }), cmd, context());

  it('a count that accounts for everyone completes the task, signed for first if it was not', () => {
    expect(decide({ type: 'tally_task', taskId: T1, moved: 100, staying: 20, missing: 0 }, counted('dispatched'))).toEqual([
      { type: 'TaskTallied', payload: { taskId: T1, moved: 100, staying: 20, missing: 0, note: null, override: null } },
      { type: 'TaskAccepted', payload: { taskId: T1 } },
      { type: 'TaskCompleted', payload: { taskId: T1, note: '清点完毕：已转移 100，就地避险 20，失联 0', evidence: { attachmentIds: [], reading: { name: 'unaccounted', value: 0, unit: '人' } } } },
    ]);
  });

  it('more people found than expected also accounts for everyone; fewer, or anyone missing, does not', () => {
    expect(decide({ type: 'tally_task', taskId: T1, moved: 130, staying: 0, missing: 0 }).map((e) => e.type)).toEqual(['TaskTallied', 'TaskCompleted']);
    expect(decide({ type: 'tally_task', taskId: T1, moved: 119, staying: 0, missing: 0 }).map((e) => e.type)).toEqual(['TaskTallied']);
    expect(decide({ type: 'tally_task', taskId: T1, moved: 200, staying: 0, missing: 1 }).map((e) => e.type)).toEqual(['TaskTallied']);
  });

  it('the task cannot be completed by hand before its count accounts for everyone', () => {
    expect(refusal(() => decide({ type: 'complete_task', taskId: T1, note: '完成', evidence: { reading: { name: 'unaccounted', value: 0, unit: '人' } } }))).toMatchObject({ code: 'CASE_RULE_VIOLATED' });
    const full = counted('accepted', { moved: 120, staying: 0, missing: 0, note: null, override: null, at: '2026-03-02T00:50:00.000Z' });
    expect(decide({ type: 'complete_task', taskId: T1, note: '完成' }, full).map((e) => e.type)).toEqual(['TaskCompleted']);
  });

  it('refuses counts that are not whole numbers from 0, tasks that keep no count, and closed tasks', () => {
    expect(refusal(() => decide({ type: 'tally_task', taskId: T1, moved: -1, staying: 0, missing: 0 }))).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(refusal(() => decide({ type: 'tally_task', taskId: T1, moved: 1.5, staying: 0, missing: 0 }))).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(refusal(() => decide({ type: 'tally_task', taskId: T1, moved: 1, staying: 0, missing: 0 }, task(T1, 'accepted')))).toMatchObject({ code: 'CASE_RULE_VIOLATED' });
    expect(refusal(() => decide({ type: 'tally_task', taskId: T1, moved: 1, staying: 0, missing: 0 }, counted('done')))).toMatchObject({ code: 'TASK_INVALID_TRANSITION' });
    expect(refusal(() => decide({ type: 'override_tally', taskId: T1, reason: ' ' }))).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(refusal(() => decide({ type: 'tally_task', taskId: 'nope', moved: 1, staying: 0, missing: 0 }))).toMatchObject({ code: 'NOT_FOUND' });
  });
});
