/** The case routes' request and answer schemas, and the tables of the center's and the units' actions (one route each). */
import { Type, type TSchema } from '@sinclair/typebox';
import { CASE_SOURCES, CASE_STATES, PRIORITIES, TIERS } from '../../cases/case-model.ts';
import { CASE_SORTS } from '../../cases/case-list.ts';
import { UNSATISFIED_REASONS, type CaseCommand } from '../../cases/decide-case.ts';
import { toGcj02 } from '../../geo/crs.ts';

export const lit = <T extends string>(xs: readonly T[]) => Type.Union(xs.map((x) => Type.Literal(x)));
export const Version = { expectedVersion: Type.Optional(Type.Integer({ minimum: 1, description: 'refuse with 409 if the case has changed since this version' })) };
export const Reason = Type.String({ minLength: 1, maxLength: 2000 });
export const Note = Type.Optional(Type.String({ maxLength: 2000 }));

export const TaskView = Type.Object(
  {
    id: Type.String(),
    unitId: Type.String(),
    unitName: Type.String(),
    role: Type.String(),
    round: Type.Integer(),
    state: Type.String(),
    stateName: Type.String(),
    dispatchedAt: Type.String(),
    respondDue: Type.String(),
    deadline: Type.String(),
    overdue: Type.Boolean(),
    reminders: Type.Integer(),
  },
  { additionalProperties: true },
);

export const CaseView = Type.Object(
  {
    id: Type.String(),
    number: Type.String(),
    state: Type.String(),
    source: Type.String(),
    categoryCode: Type.String(),
    priority: Type.String(),
    title: Type.String(),
    description: Type.String(),
    location: Type.Object({ lng: Type.Number(), lat: Type.Number(), address: Type.String() }),
    chain: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), level: Type.String() })),
    centerId: Type.String(),
    tier: Type.String(),
    reporter: Type.Object({ userId: Type.Union([Type.String(), Type.Null()]), name: Type.Union([Type.String(), Type.Null()]), phone: Type.Union([Type.String(), Type.Null()]), anonymous: Type.Boolean() }),
    tasks: Type.Array(TaskView),
    round: Type.Integer(),
    respondDue: Type.Union([Type.String(), Type.Null()]),
    resolveDue: Type.Union([Type.String(), Type.Null()]),
    overdue: Type.Boolean(),
    stateName: Type.String(),
    publicState: Type.String({ description: 'the state as a citizen is told it: received, in_hand, on_hold, resolved, rated, not_accepted, merged' }),
    publicStateName: Type.String(),
    tierName: Type.String(),
    categoryName: Type.String(),
    actions: Type.Array(Type.String(), { description: 'what the asking user may do now (the allowed entries of allowedActions, and attachments)' }),
    allowedActions: Type.Array(
      Type.Object({
        action: Type.String(),
        name: Type.String({ description: 'the step, in the language of the answer' }),
        taskId: Type.Union([Type.String(), Type.Null()], { description: 'the task a task step or 催办 is about' }),
        allowed: Type.Boolean(),
        reason: Type.Union([Type.String(), Type.Null()], { description: 'why the server would refuse it now, in the language of the answer' }),
      }),
      { description: 'every step the caller may take on this case by role and state, dry-run through decideCase: allowed, or the reason it would be refused now' },
    ),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    version: Type.Integer(),
  },
  { $id: 'Case', additionalProperties: true },
);

export const EventView = Type.Object(
  {
    seq: Type.Integer(),
    id: Type.String(),
    type: Type.String(),
    streamVersion: Type.Integer(),
    actor: Type.Object({ id: Type.String(), name: Type.String(), roles: Type.Array(Type.String()) }),
    at: Type.String(),
    payload: Type.Object({}, { additionalProperties: true }),
  },
  { $id: 'CaseEvent' },
);

export const ReportBody = Type.Object(
  {
    categoryCode: Type.String({ minLength: 1, maxLength: 100 }),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 5000 })),
    lng: Type.Number({ minimum: -180, maximum: 180 }),
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    crs: Type.Union([Type.Literal('gcj02'), Type.Literal('wgs84')], { description: 'datum of lng/lat' }),
    address: Type.Optional(Type.String({ maxLength: 300 })),
    source: Type.Optional(lit(CASE_SOURCES)),
    priority: Type.Optional(lit(PRIORITIES)),
    tier: Type.Optional(lit(TIERS)),
    externalRef: Type.Optional(Type.String({ maxLength: 200 })),
    siteContact: Type.Optional(
      Type.Object(
        { name: Type.Optional(Type.String({ maxLength: 50 })), phone: Type.String({ minLength: 1, maxLength: 30 }) },
        { additionalProperties: false, description: '现场联系人: whom the crew may call on site; shown to everyone who handles the case (the reporter\'s own contact stays with the center)' },
      ),
    ),
    clientRequestId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'an id the client chose: resending the same report returns the same case (also the Idempotency-Key header)' })),
    reporter: Type.Optional(
      Type.Object({ name: Type.Optional(Type.String({ maxLength: 50 })), phone: Type.Optional(Type.String({ maxLength: 30 })), anonymous: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
    ),
    line: Type.Optional(Type.Array(Type.Tuple([Type.Number(), Type.Number()]), { minItems: 2, maxItems: 1000, description: 'the object when it is a line (a trail, a river bank), same datum as lng/lat' })),
  },
  { additionalProperties: false },
);

const Code = (description: string) => Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$', description });

/** The filters and the sort of the case list (and of its export and saved views). */
export const ListFilterProps = {
  state: Type.Optional(Type.Array(lit(CASE_STATES), { maxItems: CASE_STATES.length, description: 'any of these states (repeat the parameter)' })),
  category: Type.Optional(Code('a category code, or a family\'s prefix (municipal.water finds municipal.water.burst)')),
  jurisdiction: Type.Optional(Code('cases located in this jurisdiction or below it (district, street, community, grid)')),
  street: Type.Optional(Code('cases in this street (街道/镇)')),
  unit: Type.Optional(Code('cases with a task of this unit')),
  center: Type.Optional(Code('cases owned by this center')),
  tier: Type.Optional(lit(TIERS)),
  source: Type.Optional(lit(CASE_SOURCES)),
  overdue: Type.Optional(Type.Boolean()),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'reported at or after' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'reported before' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'full text over number, title, address and the reporter\'s text; 1–2 Chinese characters find too' })),
  bbox: Type.Optional(Type.String({ maxLength: 120, pattern: '^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$', description: 'minLng,minLat,maxLng,maxLat (GCJ-02): cases inside this box (a cluster on the map)' })),
  sort: Type.Optional(lit(CASE_SORTS)),
  order: Type.Optional(lit(['asc', 'desc'] as const)),
};

export const ListQuery = Type.Object(
  {
    ...ListFilterProps,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 500, description: 'nextCursor of the page before (valid for the same sort and order)' })),
    lang: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export interface CaseAction {
  readonly path: string;
  readonly summary: string;
  readonly body: TSchema;
  toCommand(body: any): CaseCommand;
}

/** The center's actions on a case: one table, one route each. */
export const CASE_ACTIONS: readonly CaseAction[] = [
  { path: 'register', summary: '立案 — register the case; starts its deadlines', body: Type.Object({ note: Note, ...Version }, { additionalProperties: false }), toCommand: (b) => ({ type: 'register', note: b.note }) },
  { path: 'decline', summary: '不予立案 — decline with a reason', body: Type.Object({ reason: Reason, ...Version }, { additionalProperties: false }), toCommand: (b) => ({ type: 'decline', reason: b.reason }) },
  {
    path: 'dispatch',
    summary: '派遣 — dispatch to units: exactly one lead (主办) and any assists (协办)',
    body: Type.Object(
      {
        tasks: Type.Array(Type.Object({ unitId: Type.String(), role: lit(['lead', 'assist'] as const), deadline: Type.Optional(Type.String({ format: 'date-time' })) }, { additionalProperties: false }), { minItems: 1, maxItems: 20 }),
        note: Note,
        ...Version,
      },
      { additionalProperties: false },
    ),
    toCommand: (b) => ({ type: 'dispatch', tasks: b.tasks, note: b.note }),
  },
  {
    path: 'apply-plan',
    summary: '一键调度 — run the plan that applies (or the one named): it sets the owning tier, registers and dispatches every task at once',
    body: Type.Object({ planId: Type.Optional(Type.String({ maxLength: 64 })), note: Note, ...Version }, { additionalProperties: false }),
    toCommand: (b) => ({ type: 'apply_plan', planId: b.planId }),
  },
  {
    path: 'agree-coordination',
    summary: '跨区域协同议定 — record which unit handles the matter now and which keeps it afterwards',
    body: Type.Object({ handledByUnitId: Type.String({ maxLength: 100 }), maintainedByUnitId: Type.String({ maxLength: 100 }), note: Reason, ...Version }, { additionalProperties: false }),
    toCommand: (b) => ({ type: 'agree_coordination', handledByUnitId: b.handledByUnitId, maintainedByUnitId: b.maintainedByUnitId, note: b.note }),
  },
  {
    path: 'accept-joint',
    summary: '联合受理 — a district center sharing a joint case accepts its part (the center is the signed-in operator\'s)',
    body: Type.Object({ ...Version }, { additionalProperties: false }),
    toCommand: (b) => ({ type: 'accept_joint', centerId: b.__centerId }),
  },
  {
    path: 'sensor-state',
    summary: '传感器状态 — the alert pipeline (or an operator) reports the sensor behind the case as abnormal or back to normal; a plan may require it normal for a while before reporting back',
    body: Type.Object(
      {
        state: Type.Union([Type.Literal('abnormal'), Type.Literal('normal')]),
        deviceId: Type.Optional(Type.String({ maxLength: 64 })),
        reading: Type.Optional(Type.Object({ name: Type.String({ maxLength: 50 }), value: Type.Number(), unit: Type.String({ maxLength: 20 }) }, { additionalProperties: false })),
        ...Version,
      },
      { additionalProperties: false },
    ),
    toCommand: (b) => ({ type: 'record_sensor_state', state: b.state, deviceId: b.deviceId, reading: b.reading }),
  },
  { path: 'report-back', summary: '反馈 — report the result back once the lead is done and assists have answered', body: Type.Object({ summary: Reason, ...Version }, { additionalProperties: false }), toCommand: (b) => ({ type: 'report_back', summary: b.summary }) },
  { path: 'check', summary: '核查 — on-site check; failing it reopens the case', body: Type.Object({ passed: Type.Boolean(), note: Note, ...Version }, { additionalProperties: false }), toCommand: (b) => ({ type: 'check', passed: b.passed, note: b.note }) },
  { path: 'close', summary: '结案 — close a checked case', body: Type.Object({ note: Note, ...Version }, { additionalProperties: false }), toCommand: (b) => ({ type: 'close', note: b.note }) },
  {
    path: 'evaluate',
    summary: '回访/评价 — the reporter (or an operator after a follow-up call) rates the result',
    body: Type.Object(
      {
        solved: Type.Optional(Type.Boolean({ description: '问题是否解决 — asked apart from satisfaction' })),
        satisfaction: lit(['satisfied', 'basically_satisfied', 'unsatisfied'] as const),
        reason: Type.Optional(lit(UNSATISFIED_REASONS)),
        comment: Note,
        ...Version,
      },
      { additionalProperties: false },
    ),
    toCommand: (b) => ({ type: 'evaluate', satisfaction: b.satisfaction, comment: b.comment, by: 'reporter', solved: b.solved, reason: b.reason }),
  },
  { path: 'reopen', summary: '重新办理 — reopen a closed case (unsatisfied reporter, new facts)', body: Type.Object({ reason: Reason, ...Version }, { additionalProperties: false }), toCommand: (b) => ({ type: 'reopen', reason: b.reason }) },
  { path: 'escalate', summary: '上报上级 — hand the case to the center one tier up', body: Type.Object({ reason: Reason, ...Version }, { additionalProperties: false }), toCommand: (b) => ({ type: 'escalate', reason: b.reason }) },
  { path: 'park', summary: '挂账 — park a case that cannot be solved now, with a review date', body: Type.Object({ reason: Reason, reviewAt: Type.String({ format: 'date-time' }), ...Version }, { additionalProperties: false }), toCommand: (b) => ({ type: 'park', reason: b.reason, reviewAt: b.reviewAt }) },
  { path: 'unpark', summary: '解除挂账 — take a parked case up again', body: Type.Object({ note: Note, ...Version }, { additionalProperties: false }), toCommand: (b) => ({ type: 'unpark', note: b.note }) },
  { path: 'supervise', summary: '督办 — the supervising center takes the case under supervision', body: Type.Object({ reason: Reason, ...Version }, { additionalProperties: false }), toCommand: (b) => ({ type: 'supervise', reason: b.reason }) },
  { path: 'remind', summary: '催办 — remind a unit of its task', body: Type.Object({ taskId: Type.String(), reason: Note, ...Version }, { additionalProperties: false }), toCommand: (b) => ({ type: 'remind', taskId: b.taskId, reason: b.reason }) },
];

export const TASK_ACTIONS: readonly CaseAction[] = [
  { path: 'accept', summary: '签收 — the unit accepts its task', body: Type.Object({ ...Version }, { additionalProperties: false }), toCommand: (b) => ({ type: 'accept_task', taskId: b.taskId }) },
  { path: 'start', summary: '开始处置 — the unit starts work on site', body: Type.Object({ ...Version }, { additionalProperties: false }), toCommand: (b) => ({ type: 'start_task', taskId: b.taskId }) },
  {
    path: 'arrive',
    summary:
      '到场 — the crew is on site: its position (crs: wgs84 from a phone\'s GPS, or gcj02) and, for an arrival queued offline, the time the position was taken. Recorded with the distance from the case\'s point; refused farther than 1,000 m (TASK_ARRIVAL_TOO_FAR). Meets the plan\'s arriveWithin deadline',
    body: Type.Object(
      {
        lng: Type.Number({ minimum: -180, maximum: 180 }),
        lat: Type.Number({ minimum: -90, maximum: 90 }),
        crs: Type.Union([Type.Literal('gcj02'), Type.Literal('wgs84')], { description: 'datum of lng/lat: a phone\'s GPS gives wgs84' }),
        accuracy: Type.Optional(Type.Number({ minimum: 0, maximum: 100_000, description: 'the position\'s accuracy in metres, as the device states it' })),
        at: Type.Optional(Type.String({ format: 'date-time', description: 'when the position was taken (an arrival queued offline); default: now' })),
        ...Version,
      },
      { additionalProperties: false },
    ),
    toCommand: (b) => {
      const [lng, lat] = toGcj02(b.lng, b.lat, b.crs);
      return { type: 'arrive_task', taskId: b.taskId, lng, lat, accuracyM: b.accuracy, at: b.at };
    },
  },
  {
    path: 'complete',
    summary: '办结 — the unit reports its task done, with the evidence its plan asks for (photos uploaded as attachments, a reading)',
    body: Type.Object(
      {
        note: Reason,
        evidence: Type.Optional(
          Type.Object(
            {
              attachmentIds: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20 })),
              reading: Type.Optional(Type.Object({ name: Type.String({ maxLength: 50 }), value: Type.Number(), unit: Type.String({ maxLength: 20 }) }, { additionalProperties: false })),
            },
            { additionalProperties: false },
          ),
        ),
        ...Version,
      },
      { additionalProperties: false },
    ),
    toCommand: (b) => ({ type: 'complete_task', taskId: b.taskId, note: b.note, evidence: b.evidence }),
  },
  { path: 'return', summary: '退回 — the unit returns the task with a reason (not ours, wrong place …)', body: Type.Object({ reason: Reason, ...Version }, { additionalProperties: false }), toCommand: (b) => ({ type: 'return_task', taskId: b.taskId, reason: b.reason }) },
];

export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
export const TaskParams = Type.Object({ id: Type.String({ maxLength: 64 }), taskId: Type.String({ maxLength: 64 }) });
