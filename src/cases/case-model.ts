import type { JurisdictionLevel } from '../geo/jurisdiction.ts';
import type { Tier } from '../org/tiers.ts';

/**
 * The case lifecycle after the national digital city-management process (数字化城市管理):
 * 上报 → 立案 → 派遣 → 处置 → 反馈 → 核查 → 结案 → 评价, with 不予立案, 退回, 上报上级, 挂账 and 重新办理.
 */
export const CASE_STATES = [
  'reported', // 上报
  'registered', // 立案
  'declined', // 不予立案
  'dispatched', // 派遣
  'in_progress', // 处置
  'returned', // 退回 (the lead unit sent its task back; the center re-dispatches)
  'reported_back', // 反馈
  'checked', // 核查通过
  'closed', // 结案
  'evaluated', // 评价
  'parked', // 挂账
  'reopened', // 重新办理 (failed check or unsatisfied reporter)
  'merged', // 合并 (a duplicate: handled, and answered, with the case it was merged into)
] as const;
export type CaseState = (typeof CASE_STATES)[number];

/**
 * The states a case ends in: nothing more is done on it (reopening a closed case starts a new
 * round). The one definition of "finished" — the map, vital signs, duplicates and Open311's
 * open/closed all read it.
 */
export const TERMINAL_STATES: readonly CaseState[] = ['closed', 'evaluated', 'declined', 'merged'];

/** A case still being worked on (not in a terminal state). */
export function isOpenCase(state: CaseState): boolean {
  return !TERMINAL_STATES.includes(state);
}

export const CASE_STATE_NAMES: Record<CaseState, { zh: string; en: string }> = {
  reported: { zh: '上报', en: 'reported' },
  registered: { zh: '立案', en: 'registered' },
  declined: { zh: '不予立案', en: 'declined' },
  dispatched: { zh: '派遣', en: 'dispatched' },
  in_progress: { zh: '处置中', en: 'in progress' },
  returned: { zh: '退回', en: 'returned' },
  reported_back: { zh: '已反馈', en: 'reported back' },
  checked: { zh: '核查通过', en: 'checked' },
  closed: { zh: '结案', en: 'closed' },
  evaluated: { zh: '已评价', en: 'evaluated' },
  parked: { zh: '挂账', en: 'parked' },
  reopened: { zh: '重新办理', en: 'reopened' },
  merged: { zh: '已合并', en: 'merged' },
};

export const TASK_STATES = ['dispatched', 'accepted', 'in_progress', 'done', 'returned', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const TASK_STATE_NAMES: Record<TaskState, { zh: string; en: string }> = {
  dispatched: { zh: '已派遣', en: 'dispatched' },
  accepted: { zh: '已签收', en: 'accepted' },
  in_progress: { zh: '处置中', en: 'in progress' },
  done: { zh: '已办结', en: 'done' },
  returned: { zh: '已退回', en: 'returned' },
  cancelled: { zh: '已撤销', en: 'cancelled' },
};

export const CASE_SOURCES = ['sensor', 'camera', 'citizen', 'grid_worker', 'external', 'inspection', 'hotline'] as const;
export type CaseSource = (typeof CASE_SOURCES)[number];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

// Tiers belong to the organisation (org is below cases); re-exported for the case code that names them.
export { TIERS, type Tier } from '../org/tiers.ts';

export type TaskRole = 'lead' | 'assist';
export type Satisfaction = 'satisfied' | 'basically_satisfied' | 'unsatisfied';

export interface ChainLink {
  readonly code: string;
  readonly name: string;
  readonly level: JurisdictionLevel;
}

export interface CaseLocation {
  /** GCJ-02, the datum of the city's polygons; the API converts from WGS-84 on the way in. */
  readonly lng: number;
  readonly lat: number;
  readonly address: string;
}

/**
 * 现场联系人: whom a crew may call on site (a shop keeper, the property manager, the reporter who
 * chose to be called), given with the report for those handling it — unlike the reporter's own
 * contact, which the policy keeps for the center.
 */
export interface SiteContact {
  readonly name: string | null;
  readonly phone: string;
}

/** Who reported the matter. Contact details are shown only to roles that need them. */
export interface Reporter {
  readonly userId: string | null;
  readonly name: string | null;
  readonly phone: string | null;
  readonly anonymous: boolean;
}

export interface TaskDoc {
  readonly id: string;
  readonly unitId: string;
  readonly unitName: string;
  readonly role: TaskRole;
  readonly round: number;
  state: TaskState;
  readonly dispatchedAt: string;
  readonly respondDue: string;
  readonly deadline: string;
  acceptedAt: string | null;
  startedAt: string | null;
  doneAt: string | null;
  note: string | null;
  evidence?: TaskEvidence | null | undefined;
  returnReason: string | null;
  overdue: boolean;
  reminders: number;
  /** 到场: where and when the crew recorded its arrival on site (absent until it did). */
  arrival?: TaskArrival | null | undefined;
  /** The plan's arrival deadline (arriveBy) passed before the crew arrived. */
  arrivalOverdue?: boolean | undefined;
  /** Set when a plan dispatched the task. */
  readonly plan?: PlanTaskInfo | undefined;
  /** 清点: the latest count of the people the task must account for (when `plan.expected` is set). */
  tally?: TaskTally | null | undefined;
}

/**
 * A count of people reported on a task (避险转移: moved, staying safely where they are, missing),
 * each report the whole current count, not an increment. `override`: the center accepted the task
 * as accounted for without the full count, and why.
 */
export interface TaskTally {
  readonly moved: number;
  readonly staying: number;
  readonly missing: number;
  readonly note: string | null;
  readonly override: string | null;
  readonly at: string;
}

/**
 * THE rule of an evacuation's count: everyone expected is moved or staying safely, and nobody is
 * missing — or the center overrode the count with a reason.
 */
export function tallyAccountedFor(expected: number, tally: Pick<TaskTally, 'moved' | 'staying' | 'missing' | 'override'> | null | undefined): boolean {
  if (!tally) return expected <= 0;
  if (tally.override !== null) return true;
  return tally.missing === 0 && tally.moved + tally.staying >= expected;
}

/** A crew's arrival on site, as recorded by `TaskArrived`. */
export interface TaskArrival {
  /** When the crew's device took the position (ISO, UTC); an arrival queued offline keeps it. */
  readonly at: string;
  /** The position, GCJ-02 like the case's point. */
  readonly lng: number;
  readonly lat: number;
  /** The position's accuracy as the device stated it, in metres. */
  readonly accuracyM: number | null;
  /** Straight-line distance from the case's point, in metres. */
  readonly distanceM: number;
  /** The plan's arrival deadline, if the task had one, and whether the arrival came after it. */
  readonly arriveBy: string | null;
  readonly late: boolean;
}

/** What a plan tells a unit with its task. */
export interface PlanTaskInfo {
  readonly key: string;
  readonly instructions: string;
  readonly arriveBy: string | null;
  readonly dependsOn: readonly string[];
  readonly handBack: readonly string[];
  /** People the task must account for (a community's people to move): it keeps a tally, and completes when it is accounted for. */
  readonly expected?: number | undefined;
}

/** The plan a case runs on: its version is fixed for the life of the case. */
export interface CasePlanRef {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly tier: Tier;
  readonly appliedAt: string;
  readonly closure?: PlanClosureRule | undefined;
}

export interface ActionState {
  readonly key: string;
  readonly kind: 'device' | 'notify';
  readonly target: string;
  readonly phase: 'apply' | 'undo' | 'override';
  readonly outcome: 'confirmed' | 'failed' | 'delivered' | 'undelivered';
  readonly command: string | null;
  readonly at: string;
  /** An automatic step that did not happen: shown to the operator until overridden. */
  readonly needsAttention: boolean;
}

export interface CaseCoordination {
  readonly centerIds: readonly string[];
  /** The centers (owner's included) that have accepted a joint case. */
  readonly accepted?: readonly string[] | undefined;
  readonly agreement: {
    readonly handledByUnitId: string;
    readonly handledByName: string;
    readonly maintainedByUnitId: string;
    readonly maintainedByName: string;
    readonly note: string;
    readonly at: string;
  } | null;
}

/** When a case run by a plan may be reported back. */
export interface PlanClosureRule {
  readonly reportBackWhen: 'leads_done' | 'all_done';
  readonly requireEvidence: boolean;
  /** The alerting sensor must read normal this long before the case may be reported back. */
  readonly sensorNormalForMs?: number | null;
}

/** The state of the sensor behind a case, as its alert pipeline (or an operator) reports it. */
export interface SensorState {
  readonly deviceId: string | null;
  readonly state: 'abnormal' | 'normal';
  readonly since: string;
  readonly reading: { readonly name: string; readonly value: number; readonly unit: string } | null;
}

/** One step of a plan's escalation clock, as the case records it. */
export interface PlanEscalationStep {
  readonly afterMs: number;
  readonly unless: 'accepted' | 'done';
  readonly do: 'remind' | 'escalate' | 'supervise';
  readonly repeat: number;
}

/** What a unit hands back with a finished task. */
export interface TaskEvidence {
  readonly attachmentIds: readonly string[];
  readonly reading: { readonly name: string; readonly value: number; readonly unit: string } | null;
}

export interface AttachmentRef {
  readonly id: string;
  readonly sha256: string;
  readonly fileName: string;
  readonly mediaType: string;
  readonly size: number;
}

/** The current state of one case: a projection of its events. */
export interface CaseDoc {
  readonly id: string;
  readonly number: string;
  state: CaseState;
  stateBeforePark: CaseState | null;
  readonly source: CaseSource;
  readonly categoryCode: string;
  priority: Priority;
  readonly title: string;
  readonly description: string;
  readonly location: CaseLocation;
  readonly chain: readonly ChainLink[];
  centerId: string;
  tier: Tier;
  supervisedBy: string[];
  readonly reporter: Reporter;
  /** 现场联系人, when the report gave one (shown to everyone who may see the case). */
  readonly siteContact?: SiteContact | null | undefined;
  readonly externalRef: string | null;
  tasks: TaskDoc[];
  round: number;
  registeredAt: string | null;
  respondDue: string | null;
  resolveDue: string | null;
  respondedAt: string | null;
  reportedBackAt: string | null;
  closedAt: string | null;
  parkedUntil: string | null;
  declineReason: string | null;
  summary: string | null;
  evaluation: { satisfaction: Satisfaction; comment: string | null; at: string; solved?: boolean | null; reason?: string | null } | null;
  attachments: AttachmentRef[];
  overdue: boolean;
  plan?: CasePlanRef | null | undefined;
  /** 跨区域协同: other districts' centers sharing the case, and what they agreed. */
  coordination?: CaseCoordination | null | undefined;
  /** The latest outcome of each automatic step per target; failures need an operator. */
  automaticSteps?: ActionState[] | undefined;
  sensor?: SensorState | null | undefined;
  /** How smart routing placed an appeal: automatically, or into the manual triage queue. */
  routing?:
    | { readonly automatic: boolean; readonly outcome: 'dispatched' | 'triage'; readonly why: string; readonly confidence: number | null; readonly danger?: string | null | undefined }
    | null
    | undefined;
  /** For a duplicate: the case it was merged into. */
  mergedInto?: { readonly id: string; readonly number: string } | null | undefined;
  /** "Me too": the duplicates merged into this case, whose reporters are answered with it. */
  supporters?: { readonly caseId: string; readonly number: string; readonly reporterUserId: string | null; readonly at: string }[] | undefined;
  readonly createdAt: string;
  updatedAt: string;
  version: number;
}

export function activeTasks(doc: CaseDoc): TaskDoc[] {
  return doc.tasks.filter((t) => t.round === doc.round && t.state !== 'returned' && t.state !== 'cancelled');
}

export function isOpenTask(t: TaskDoc): boolean {
  return t.state === 'dispatched' || t.state === 'accepted' || t.state === 'in_progress';
}
