import { CityLoopError } from '../errors.ts';
import { haversineMeters } from '../geo/crs.ts';
import type { CaseEventBody, DispatchedTask } from './case-events.ts';
import { decideTally, TALLY_COMMAND_NAMES, type TallyCommand } from './decide-tally.ts';
import { activeTasks, isOpenTask, tallyAccountedFor, CASE_STATES, CASE_STATE_NAMES, TASK_STATE_NAMES, type CaseDoc, type CaseState, type PlanClosureRule, type PlanEscalationStep, type Satisfaction, type TaskDoc, type TaskRole, type Tier } from './case-model.ts';

/**
 * Why a reporter is unsatisfied. The first three are about the result and reopen the case; the
 * others are recorded for the unit's review but do not reopen it (a request beyond policy is not
 * solved by handling the case again).
 */
export const UNSATISFIED_REASONS = ['not_solved', 'solved_badly', 'recurred', 'slow', 'attitude', 'beyond_policy', 'other'] as const;
export type UnsatisfiedReason = (typeof UNSATISFIED_REASONS)[number];
export const REOPENING_REASONS: readonly UnsatisfiedReason[] = ['not_solved', 'solved_badly', 'recurred'];

/** What a person or system asks to do with an existing case. */
export type CaseCommand =
  | { type: 'register'; note?: string | undefined }
  | { type: 'decline'; reason: string }
  | { type: 'dispatch'; tasks: { unitId: string; role: TaskRole; deadline?: string | undefined }[]; note?: string | undefined }
  | { type: 'accept_task'; taskId: string }
  | { type: 'start_task'; taskId: string }
  /** 到场: the crew is on site. `lng`/`lat` GCJ-02 (the route converts); `at` the device's time of the position (an arrival queued offline), default now. */
  | { type: 'arrive_task'; taskId: string; lng: number; lat: number; accuracyM?: number | undefined; at?: string | undefined }
  | { type: 'complete_task'; taskId: string; note: string; evidence?: { attachmentIds?: string[] | undefined; reading?: { name: string; value: number; unit: string } | undefined } | undefined }
  | { type: 'return_task'; taskId: string; reason: string }
  | { type: 'report_back'; summary: string }
  | { type: 'check'; passed: boolean; note?: string | undefined }
  | { type: 'close'; note?: string | undefined }
  | { type: 'evaluate'; satisfaction: Satisfaction; comment?: string | undefined; by: 'reporter' | 'follow_up'; solved?: boolean | undefined; reason?: UnsatisfiedReason | undefined }
  | { type: 'reopen'; reason: string }
  | { type: 'escalate'; reason: string }
  | { type: 'park'; reason: string; reviewAt: string }
  | { type: 'unpark'; note?: string | undefined }
  | { type: 'remind'; taskId: string; reason?: string | undefined }
  | { type: 'supervise'; reason: string }
  | { type: 'add_attachment'; attachmentId: string; sha256: string; fileName: string; mediaType: string; size: number }
  /** `facts`: what the caller hands the plan's `supplied` facts (e.g. the communities a flood reaches). */
  | { type: 'apply_plan'; planId?: string | undefined; note?: string | undefined; facts?: Readonly<Record<string, unknown>> | undefined }
  | { type: 'agree_coordination'; handledByUnitId: string; maintainedByUnitId: string; note: string }
  /** A district center takes its part in a joint case (its center id comes from the principal). */
  | { type: 'accept_joint'; centerId: string }
  /** Records what an automatic step did (the action runner), or an operator's override of one. */
  | { type: 'record_action'; record: Extract<CaseEventBody, { type: 'ActionRecorded' }>['payload'] }
  | { type: 'override_action'; record: Extract<CaseEventBody, { type: 'ActionRecorded' }>['payload'] }
  /** On the duplicate: merge it into another case (the service adds the supporter there). */
  | { type: 'merge_into'; intoCaseId: string; intoNumber: string; reason: string }
  /** On the case merged into: the service records the supporter in the same transaction. */
  | { type: 'add_supporter'; caseId: string; number: string; reporterUserId: string | null }
  /** Records the routing decision of an appeal (the intake pipeline, in the reporting transaction). */
  | { type: 'record_routing'; routing: Extract<CaseEventBody, { type: 'AppealRouted' }>['payload'] }
  | { type: 'record_sensor_state'; deviceId?: string | undefined; state: 'abnormal' | 'normal'; reading?: { name: string; value: number; unit: string } | undefined }
  | TallyCommand;

export type CaseCommandType = CaseCommand['type'];

export const COMMAND_NAMES: Record<CaseCommandType, { zh: string; en: string }> = {
  register: { zh: '立案', en: 'register' },
  decline: { zh: '不予立案', en: 'decline' },
  dispatch: { zh: '派遣', en: 'dispatch' },
  accept_task: { zh: '签收', en: 'accept task' },
  start_task: { zh: '开始处置', en: 'start task' },
  arrive_task: { zh: '到场', en: 'arrive on site' },
  complete_task: { zh: '办结任务', en: 'complete task' },
  return_task: { zh: '退回', en: 'return task' },
  report_back: { zh: '反馈', en: 'report back' },
  check: { zh: '核查', en: 'check' },
  close: { zh: '结案', en: 'close' },
  evaluate: { zh: '评价', en: 'evaluate' },
  reopen: { zh: '重新办理', en: 'reopen' },
  escalate: { zh: '上报上级', en: 'escalate' },
  park: { zh: '挂账', en: 'park' },
  unpark: { zh: '解除挂账', en: 'unpark' },
  remind: { zh: '催办', en: 'remind' },
  supervise: { zh: '督办', en: 'supervise' },
  add_attachment: { zh: '添加附件', en: 'add attachment' },
  apply_plan: { zh: '按预案派遣', en: 'dispatch by plan' },
  agree_coordination: { zh: '协同议定', en: 'record coordination agreement' },
  accept_joint: { zh: '联合受理', en: 'accept a joint case' },
  record_action: { zh: '记录自动处置结果', en: 'record an automatic step' },
  override_action: { zh: '人工干预自动处置', en: 'override an automatic step' },
  record_sensor_state: { zh: '记录传感器状态', en: 'record the sensor state' },
  merge_into: { zh: '合并重复事项', en: 'merge into another case' },
  record_routing: { zh: '记录分拨', en: 'record routing' },
  add_supporter: { zh: '记录附议', en: 'add a supporter' },
  ...TALLY_COMMAND_NAMES,
};

/** Which case states allow each command: data, so the API can list the actions open now. */
export const ALLOWED_IN: Record<CaseCommandType, readonly CaseState[]> = {
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
  // A device answers whenever it answers, and signals are restored after closing.
  record_action: CASE_STATES,
  override_action: CASE_STATES,
  record_sensor_state: CASE_STATES,
  merge_into: ['reported', 'registered'],
  record_routing: ['reported', 'registered', 'dispatched'],
  add_supporter: ['reported', 'registered', 'dispatched', 'in_progress', 'returned', 'reported_back', 'checked', 'reopened', 'parked'],
  // Counted while the tasks are worked, like completing one.
  tally_task: ['dispatched', 'in_progress', 'returned'],
  override_tally: ['dispatched', 'in_progress', 'returned'],
};

/** Everything decide needs that is not in the case itself, resolved by the caller beforehand. */
export interface DecideContext {
  readonly now: Date;
  newId(): string;
  /** Respond and resolve deadlines of the case's category, counted from a moment. */
  deadlinesFrom(from: Date): { respondDue: string; resolveDue: string };
  /** Units named by a dispatch, looked up by the caller; a missing id is unknown. */
  readonly units?: ReadonlyMap<string, { name: string; disabled?: boolean }>;
  /** The center one tier up, for escalation. */
  readonly parentCenter?: { id: string; tier: Tier } | null;
  /** The center that supervises this case's owner (督办). */
  readonly supervisingCenterId?: string | null;
  /** For apply_plan: what the plan decided (resolved by the caller) and the center of its tier. */
  readonly planRun?: PlanRunForCase | null;
}

/** The part of a plan run that a case records and dispatches. */
export interface PlanRunForCase {
  readonly planId: string;
  readonly version: number;
  readonly name: string;
  readonly tier: Tier;
  readonly centerId: string;
  readonly facts: Record<string, unknown>;
  readonly actions: readonly unknown[];
  readonly escalation: readonly PlanEscalationStep[];
  readonly closure: PlanClosureRule;
  /** Centers of neighbouring districts that share the case (跨区域协同). */
  readonly coCenterIds: readonly string[];
  readonly tasks: readonly {
    key: string;
    role: TaskRole;
    unitId: string;
    unitName: string;
    instructions: string;
    deadlineMs: number;
    arriveWithinMs: number | null;
    dependsOn: readonly string[];
    handBack: readonly string[];
    expected?: number | undefined;
  }[];
}

function refuse(doc: CaseDoc, cmd: CaseCommandType): never {
  throw new CityLoopError('CASE_INVALID_TRANSITION', { state: doc.state, stateZh: CASE_STATE_NAMES[doc.state].zh, stateEn: CASE_STATE_NAMES[doc.state].en, action: cmd, actionZh: COMMAND_NAMES[cmd].zh, actionEn: COMMAND_NAMES[cmd].en });
}

function refuseTask(t: TaskDoc, cmd: CaseCommandType): never {
  throw new CityLoopError('TASK_INVALID_TRANSITION', { state: t.state, stateZh: TASK_STATE_NAMES[t.state].zh, stateEn: TASK_STATE_NAMES[t.state].en, action: cmd, actionZh: COMMAND_NAMES[cmd].zh, actionEn: COMMAND_NAMES[cmd].en });
}

/** A handling rule forbids the command: why, in Chinese and in English (the API answers in the caller's). */
function violated(zh: string, en: string): never {
  throw new CityLoopError('CASE_RULE_VIOLATED', { detail: en, detailZh: zh });
}

const FIELD_NAMES: Record<string, string> = { reason: '原因', summary: '办理结果', note: '说明' };

function requireText(value: string | undefined, field: string): string {
  const v = value?.trim();
  if (!v) throw new CityLoopError('VALIDATION_FAILED', { detail: `${field} is required`, detailZh: `请填写${FIELD_NAMES[field] ?? field}` });
  return v;
}

/** decide(state, command) → events | error. Pure: no I/O, no clock but ctx.now. */
export function decideCase(doc: CaseDoc, cmd: CaseCommand, ctx: DecideContext): CaseEventBody[] {
  if (!ALLOWED_IN[cmd.type].includes(doc.state)) refuse(doc, cmd.type);
  const at = ctx.now.toISOString();
  switch (cmd.type) {
    case 'register': {
      const { respondDue, resolveDue } = ctx.deadlinesFrom(ctx.now);
      return [{ type: 'CaseRegistered', payload: { respondDue, resolveDue, note: cmd.note?.trim() || null } }];
    }
    case 'decline':
      return [{ type: 'CaseDeclined', payload: { reason: requireText(cmd.reason, 'reason') } }];
    case 'dispatch':
      return [decideDispatch(doc, cmd, ctx)];
    case 'accept_task':
    case 'start_task':
    case 'complete_task':
    case 'return_task':
      return decideTaskCommand(doc, cmd);
    case 'arrive_task':
      return [decideArrival(doc, cmd, ctx)];
    case 'tally_task':
    case 'override_tally':
      return decideTally(doc, cmd);
    case 'report_back': {
      const active = activeTasks(doc);
      const lead = active.find((t) => t.role === 'lead');
      if (!lead || lead.state !== 'done') violated('主办单位办结后才能反馈', 'the lead task (主办) must be done before reporting back');
      const normalFor = doc.plan?.closure?.sensorNormalForMs;
      if (normalFor && doc.sensor) {
        const normalMs = doc.sensor.state === 'normal' ? ctx.now.getTime() - Date.parse(doc.sensor.since) : 0;
        if (normalMs < normalFor) {
          violated(
            `预案要求传感器恢复正常满 ${Math.round(normalFor / 60_000)} 分钟后才能反馈（目前正常 ${Math.floor(normalMs / 60_000)} 分钟）`,
            `the plan requires the sensor to read normal for ${Math.round(normalFor / 60_000)} minutes before reporting back (normal for ${Math.floor(normalMs / 60_000)} so far)`,
          );
        }
      }
      if (doc.plan?.closure?.reportBackWhen === 'all_done') {
        const open = active.filter((t) => t.state !== 'done');
        if (open.length > 0) violated(`预案要求全部任务办结后才能反馈，尚未办结：${open.map((t) => t.unitName).join('、')}`, `the plan requires every task done before reporting back: ${open.map((t) => t.unitName).join(', ')}`);
      }
      const silent = active.filter((t) => t.role === 'assist' && t.state !== 'done');
      if (silent.length > 0) violated(`协办单位尚未答复：${silent.map((t) => t.unitName).join('、')}`, `assisting units have not answered: ${silent.map((t) => t.unitName).join(', ')}`);
      return [{ type: 'CaseReportedBack', payload: { summary: requireText(cmd.summary, 'summary') } }];
    }
    case 'check':
      if (cmd.passed) return [{ type: 'CaseChecked', payload: { note: cmd.note?.trim() || null } }];
      return [{ type: 'CaseReopened', payload: { cause: 'check_failed', reason: requireText(cmd.note, 'note') } }];
    case 'close':
      return [{ type: 'CaseClosed', payload: { note: cmd.note?.trim() || null } }];
    case 'evaluate': {
      if (doc.evaluation && doc.evaluation.satisfaction !== 'unsatisfied' && doc.state === 'evaluated') {
        violated('该事项已评价', 'the case has already been evaluated');
      }
      const solved = cmd.solved ?? null;
      const reason = cmd.satisfaction === 'unsatisfied' ? (cmd.reason ?? (solved === false ? 'not_solved' : 'other')) : null;
      const out: CaseEventBody[] = [{ type: 'CaseEvaluated', payload: { satisfaction: cmd.satisfaction, comment: cmd.comment?.trim() || null, by: cmd.by, solved, reason } }];
      // An unsatisfied answer about the result itself reopens the case at once (重新办理).
      if (cmd.satisfaction === 'unsatisfied' && (solved === false || (reason !== null && REOPENING_REASONS.includes(reason as UnsatisfiedReason)))) {
        out.push({ type: 'CaseReopened', payload: { cause: 'unsatisfied', reason: `回访不满意：${cmd.comment?.trim() || reason}` } });
      }
      return out;
    }
    case 'reopen': {
      const cause = doc.evaluation?.satisfaction === 'unsatisfied' ? 'unsatisfied' : 'other';
      return [{ type: 'CaseReopened', payload: { cause, reason: requireText(cmd.reason, 'reason') } }];
    }
    case 'escalate': {
      const parent = ctx.parentCenter;
      if (!parent) violated('市级中心没有可上报的上级', 'the city center has no higher tier to escalate to');
      return [{ type: 'CaseEscalated', payload: { fromCenterId: doc.centerId, toCenterId: parent.id, toTier: parent.tier, reason: requireText(cmd.reason, 'reason') } }];
    }
    case 'park': {
      const review = new Date(cmd.reviewAt);
      if (Number.isNaN(review.getTime())) throw new CityLoopError('VALIDATION_FAILED', { detail: 'reviewAt must be an ISO date-time' });
      if (review.getTime() <= ctx.now.getTime()) violated('挂账复查日期必须晚于现在', 'the review date of a parked case must lie in the future');
      return [{ type: 'CaseParked', payload: { reason: requireText(cmd.reason, 'reason'), reviewAt: review.toISOString() } }];
    }
    case 'unpark':
      return [{ type: 'CaseUnparked', payload: { note: cmd.note?.trim() || null } }];
    case 'remind': {
      const t = doc.tasks.find((x) => x.id === cmd.taskId);
      if (!t) throw new CityLoopError('NOT_FOUND', { what: 'task', id: cmd.taskId });
      if (!isOpenTask(t)) refuseTask(t, 'remind');
      return [{ type: 'TaskReminded', payload: { taskId: t.id, reason: cmd.reason?.trim() || '请尽快办理', automatic: false } }];
    }
    case 'supervise': {
      const center = ctx.supervisingCenterId;
      if (!center) violated('该事项的承办中心没有上级督办中心', 'no supervising center above the owner of this case');
      return [{ type: 'CaseSupervised', payload: { centerId: center, reason: requireText(cmd.reason, 'reason'), automatic: false, taskId: null } }];
    }
    case 'apply_plan':
      return decideApplyPlan(doc, ctx);
    case 'record_routing':
      return [{ type: 'AppealRouted', payload: cmd.routing }];
    case 'merge_into':
      if (cmd.intoCaseId === doc.id) violated('事项不能合并到自身', 'a case cannot be merged into itself');
      return [{ type: 'CaseMerged', payload: { intoCaseId: cmd.intoCaseId, intoNumber: cmd.intoNumber, reason: requireText(cmd.reason, 'reason') } }];
    case 'add_supporter':
      return [{ type: 'SupporterAdded', payload: { caseId: cmd.caseId, number: cmd.number, reporterUserId: cmd.reporterUserId } }];
    case 'record_sensor_state':
      return [{ type: 'SensorStateChanged', payload: { deviceId: cmd.deviceId ?? doc.sensor?.deviceId ?? null, state: cmd.state, reading: cmd.reading ?? null } }];
    case 'record_action':
    case 'override_action':
      return [{ type: 'ActionRecorded', payload: cmd.record }];
    case 'accept_joint': {
      const c = doc.coordination;
      if (!c || (!c.centerIds.includes(cmd.centerId) && doc.centerId !== cmd.centerId)) violated('本中心不是该事项的协同方', 'this center does not share the case');
      if (c.accepted?.includes(cmd.centerId)) violated('本中心已受理该事项', 'this center has already accepted the case');
      return [{ type: 'JointCaseAccepted', payload: { centerId: cmd.centerId } }];
    }
    case 'agree_coordination': {
      if (!doc.coordination || doc.coordination.centerIds.length === 0) violated('该事项未与其他区县协同', 'this case is not shared with another district');
      const now = ctx.units?.get(cmd.handledByUnitId);
      const later = ctx.units?.get(cmd.maintainedByUnitId);
      if (!now) throw new CityLoopError('UNKNOWN_UNIT', { id: cmd.handledByUnitId });
      if (!later) throw new CityLoopError('UNKNOWN_UNIT', { id: cmd.maintainedByUnitId });
      return [
        {
          type: 'CoordinationAgreed',
          payload: { handledByUnitId: cmd.handledByUnitId, handledByName: now.name, maintainedByUnitId: cmd.maintainedByUnitId, maintainedByName: later.name, note: requireText(cmd.note, 'note') },
        },
      ];
    }
    case 'add_attachment':
      return [{ type: 'AttachmentAdded', payload: { attachmentId: cmd.attachmentId, sha256: cmd.sha256, fileName: cmd.fileName, mediaType: cmd.mediaType, size: cmd.size } }];
    default: {
      const never: never = cmd;
      void at;
      throw new Error(`unknown command ${(never as { type: string }).type}`);
    }
  }
}

function decideDispatch(doc: CaseDoc, cmd: Extract<CaseCommand, { type: 'dispatch' }>, ctx: DecideContext): CaseEventBody {
  if (!Array.isArray(cmd.tasks) || cmd.tasks.length === 0) throw new CityLoopError('VALIDATION_FAILED', { detail: 'a dispatch names at least one unit' });
  const active = activeTasks(doc);
  const seen = new Set(active.map((t) => t.unitId));
  const newLeads = cmd.tasks.filter((t) => t.role === 'lead').length;
  const activeLeads = active.filter((t) => t.role === 'lead').length;
  if (activeLeads + newLeads !== 1) {
    activeLeads === 1 ? violated('该事项已有主办单位', 'the case already has a lead unit (主办)') : violated('派遣必须指定且只指定一个主办单位', 'a dispatch must name exactly one lead unit (主办)');
  }
  const resolveDue = doc.resolveDue ?? ctx.deadlinesFrom(ctx.now).resolveDue;
  const { respondDue } = ctx.deadlinesFrom(ctx.now);
  const tasks: DispatchedTask[] = [];
  for (const t of cmd.tasks) {
    const unit = ctx.units?.get(t.unitId);
    if (!unit) throw new CityLoopError('UNKNOWN_UNIT', { id: t.unitId });
    if (unit.disabled) violated(`${unit.name}已停用，不再接收新任务`, `unit ${unit.name} is disabled and takes no new work`);
    if (seen.has(t.unitId)) violated(`${unit.name}在该事项上已有未办结的任务`, `unit ${unit.name} already has an open task on this case`);
    seen.add(t.unitId);
    let deadline = resolveDue;
    if (t.deadline !== undefined) {
      const d = new Date(t.deadline);
      if (Number.isNaN(d.getTime())) throw new CityLoopError('VALIDATION_FAILED', { detail: 'task deadline must be an ISO date-time' });
      if (d.getTime() <= ctx.now.getTime()) violated('任务时限必须晚于现在', 'a task deadline must lie in the future');
      deadline = d.toISOString();
    }
    // A reopened case starts a new round; earlier rounds stay on record.
    tasks.push({ taskId: ctx.newId(), unitId: t.unitId, unitName: unit.name, role: t.role, respondDue, deadline });
  }
  return { type: 'CaseDispatched', payload: { round: doc.round, tasks, note: cmd.note?.trim() || null } };
}

function decideApplyPlan(doc: CaseDoc, ctx: DecideContext): CaseEventBody[] {
  const run = ctx.planRun;
  if (!run) violated('没有适用于该事项的预案', 'no plan applies to this case');
  const now = ctx.now.getTime();
  const out: CaseEventBody[] = [
    {
      type: 'PlanApplied',
      payload: {
        planId: run.planId,
        version: run.version,
        name: run.name,
        tier: run.tier,
        centerId: run.centerId,
        facts: run.facts,
        actions: [...run.actions],
        escalation: [...run.escalation],
        closure: run.closure,
        ...(run.coCenterIds.length > 0 ? { coCenterIds: [...run.coCenterIds] } : {}),
      },
    },
  ];
  if (doc.state === 'reported') {
    const due = ctx.deadlinesFrom(ctx.now);
    out.push({ type: 'CaseRegistered', payload: { respondDue: due.respondDue, resolveDue: due.resolveDue, note: `按预案“${run.name}”立案` } });
  }
  const respondDue = ctx.deadlinesFrom(ctx.now).respondDue;
  const tasks: DispatchedTask[] = run.tasks.map((t) => ({
    taskId: ctx.newId(),
    unitId: t.unitId,
    unitName: t.unitName,
    role: t.role,
    // A unit cannot arrive before it signs for the task: the sign-for deadline is never later than
    // the arrival deadline. The arrival deadline itself is met by arriving (arrive_task), not by signing.
    respondDue: t.arriveWithinMs !== null && now + t.arriveWithinMs < Date.parse(respondDue) ? new Date(now + t.arriveWithinMs).toISOString() : respondDue,
    deadline: new Date(now + t.deadlineMs).toISOString(),
    plan: {
      key: t.key,
      instructions: t.instructions,
      arriveBy: t.arriveWithinMs !== null ? new Date(now + t.arriveWithinMs).toISOString() : null,
      dependsOn: [...t.dependsOn],
      handBack: [...t.handBack],
      ...(t.expected !== undefined ? { expected: t.expected } : {}),
    },
  }));
  out.push({ type: 'CaseDispatched', payload: { round: doc.round, tasks, note: `预案：${run.name}（第${run.version}版）` } });
  return out;
}

/** How far from the case's point an arrival on site may be recorded, in metres. */
export const ARRIVAL_RADIUS_M = 1000;
/** The share of a position's stated inaccuracy credited to the crew, at most (a phone indoors may say 2 km). */
export const ARRIVAL_ACCURACY_CREDIT_M = 200;
/** How far ahead of the server's clock a device's time of arrival may be (clocks drift). */
const ARRIVAL_CLOCK_SKEW_MS = 120_000;

/**
 * 到场: the crew signed for the task and is now on site. Recorded with the device's time and
 * position, its distance from the case's point, and whether it met the plan's arrival deadline —
 * which arriving meets, not signing for. Refused farther than the arrival radius from the point.
 */
function decideArrival(doc: CaseDoc, cmd: Extract<CaseCommand, { type: 'arrive_task' }>, ctx: DecideContext): CaseEventBody {
  const t = doc.tasks.find((x) => x.id === cmd.taskId);
  if (!t) throw new CityLoopError('NOT_FOUND', { what: 'task', id: cmd.taskId });
  if (t.round !== doc.round || (t.state !== 'accepted' && t.state !== 'in_progress')) refuseTask(t, 'arrive_task');
  if (t.arrival) throw new CityLoopError('TASK_ALREADY_ARRIVED', { at: t.arrival.at });
  if (!Number.isFinite(cmd.lng) || !Number.isFinite(cmd.lat) || Math.abs(cmd.lng) > 180 || Math.abs(cmd.lat) > 90) {
    throw new CityLoopError('BAD_COORDINATES', { detail: 'lng/lat of the arrival' });
  }
  const accuracyM = cmd.accuracyM === undefined || cmd.accuracyM === null ? null : Math.max(0, Math.round(cmd.accuracyM));
  let at = ctx.now;
  if (cmd.at !== undefined) {
    at = new Date(cmd.at);
    if (Number.isNaN(at.getTime())) throw new CityLoopError('VALIDATION_FAILED', { detail: 'at must be an ISO date-time' });
    if (at.getTime() > ctx.now.getTime() + ARRIVAL_CLOCK_SKEW_MS) violated('到场时间不能晚于现在', 'the time of arrival lies in the future');
    if (at.getTime() < Date.parse(t.dispatchedAt)) violated('到场时间不能早于任务派遣时间', 'the time of arrival lies before the task was dispatched');
  }
  const distanceM = Math.round(haversineMeters([cmd.lng, cmd.lat], [doc.location.lng, doc.location.lat]));
  if (distanceM - Math.min(accuracyM ?? 0, ARRIVAL_ACCURACY_CREDIT_M) > ARRIVAL_RADIUS_M) {
    throw new CityLoopError('TASK_ARRIVAL_TOO_FAR', { distance: distanceM, limit: ARRIVAL_RADIUS_M });
  }
  const arriveBy = t.plan?.arriveBy ?? null;
  return {
    type: 'TaskArrived',
    payload: { taskId: t.id, arrivedAt: at.toISOString(), lng: cmd.lng, lat: cmd.lat, accuracyM, distanceM, arriveBy, late: arriveBy !== null && at.getTime() > Date.parse(arriveBy) },
  };
}

function decideTaskCommand(
  doc: CaseDoc,
  cmd: Extract<CaseCommand, { type: 'accept_task' | 'start_task' | 'complete_task' | 'return_task' }>,
): CaseEventBody[] {
  const t = doc.tasks.find((x) => x.id === cmd.taskId);
  if (!t) throw new CityLoopError('NOT_FOUND', { what: 'task', id: cmd.taskId });
  const allowed: Record<typeof cmd.type, readonly string[]> = {
    accept_task: ['dispatched'],
    start_task: ['accepted'],
    complete_task: ['accepted', 'in_progress'],
    return_task: ['dispatched', 'accepted'],
  };
  if (t.round !== doc.round || !allowed[cmd.type].includes(t.state)) {
    refuseTask(t, cmd.type);
  }
  // A plan's task may depend on others (signals red before anyone enters): it may be signed for,
  // but not started or finished before they are done.
  if ((cmd.type === 'start_task' || cmd.type === 'complete_task') && t.plan && t.plan.dependsOn.length > 0) {
    const waiting = t.plan.dependsOn.filter((key) => !doc.tasks.some((x) => x.round === t.round && x.plan?.key === key && x.state === 'done'));
    const names = waiting.map((key) => doc.tasks.find((x) => x.round === t.round && x.plan?.key === key)?.unitName ?? key);
    if (waiting.length > 0) violated(`${t.unitName}须等待${names.join('、')}先完成`, `${t.unitName} waits for ${names.join(', ')} to be done first`);
  }
  switch (cmd.type) {
    case 'accept_task':
      return [{ type: 'TaskAccepted', payload: { taskId: t.id } }];
    case 'start_task':
      return [{ type: 'TaskStarted', payload: { taskId: t.id } }];
    case 'complete_task': {
      const note = requireText(cmd.note, 'note');
      const evidence = {
        attachmentIds: [...(cmd.evidence?.attachmentIds ?? [])],
        reading: cmd.evidence?.reading ?? null,
      };
      for (const id of evidence.attachmentIds) {
        if (!doc.attachments.some((a) => a.id === id)) throw new CityLoopError('NOT_FOUND', { what: 'attachment', id });
      }
      // A plan may require the lead to hand back evidence: checked here, when the unit reports done.
      if (doc.plan?.closure?.requireEvidence && t.role === 'lead' && t.plan) {
        if (t.plan.handBack.includes('photo') && evidence.attachmentIds.length === 0) violated(`${t.unitName}须回传现场照片（先上传照片再办结）`, `${t.unitName} must hand back a photo (upload it, then name it in evidence.attachmentIds)`);
      }
      // A reading is a count or a measure the case waits for (an evacuation's people unaccounted
      // for): any task of such a plan that lists it hands it back, assisting ones too.
      if (doc.plan?.closure?.requireEvidence && t.plan?.handBack.includes('reading') && !evidence.reading) violated(`${t.unitName}须回传读数`, `${t.unitName} must hand back a reading`);
      // A task that accounts for people is done when its count is (清点完毕), not before.
      if (t.plan?.expected !== undefined && !tallyAccountedFor(t.plan.expected, t.tally)) {
        violated(`${t.unitName}尚未清点完毕（应清点 ${t.plan.expected} 人），请先上报清点人数`, `${t.unitName} has not accounted for everyone yet (${t.plan.expected} expected): report the count first`);
      }
      const hasEvidence = evidence.attachmentIds.length > 0 || evidence.reading !== null;
      return [{ type: 'TaskCompleted', payload: { taskId: t.id, note, ...(hasEvidence ? { evidence } : {}) } }];
    }
    case 'return_task':
      return [{ type: 'TaskReturned', payload: { taskId: t.id, reason: requireText(cmd.reason, 'reason') } }];
  }
}

/** The commands the case's state allows now (the caller still checks the actor's rights). */
export function availableCommands(doc: CaseDoc): CaseCommandType[] {
  return (Object.keys(ALLOWED_IN) as CaseCommandType[]).filter((c) => ALLOWED_IN[c].includes(doc.state));
}
