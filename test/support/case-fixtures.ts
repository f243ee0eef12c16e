import type { CaseEvent, CaseEventBody } from '../../src/cases/case-events.ts';
import type { CaseDoc, CaseState, TaskDoc, TaskRole, TaskState } from '../../src/cases/case-model.ts';
import type { DecideContext, PlanRunForCase } from '../../src/cases/decide-case.ts';
import { evolveCase } from '../../src/cases/evolve-case.ts';

/**
 * Hand-made cases for the table-driven tests of the pure core (decide, evolve, timers). Cases are
 * built by evolving a CaseReported event and then set to the state a row needs, so a row tests one
 * function and not the whole lifecycle that would lead there.
 */

export const NOW = new Date('2026-03-02T01:00:00.000Z');
export const RESPOND_DUE = '2026-03-02T03:00:00.000Z';
export const RESOLVE_DUE = '2026-03-03T01:00:00.000Z';
export const CENTER = 'center-500103';
export const PARENT = { id: 'center-500000', tier: 'city' as const };

const REPORTED: Extract<CaseEventBody, { type: 'CaseReported' }>['payload'] = {
  number: 'YZ-0001',
  source: 'citizen',
  categoryCode: 'municipal.water.burst',
  priority: 'normal',
  title: '爆管',
  description: '路面积水',
  location: { lng: 106.58, lat: 29.56, address: '解放碑' },
  chain: [{ code: '500000', name: '重庆市', level: 'city' }, { code: '500103', name: '渝中区', level: 'district' }],
  centerId: CENTER,
  tier: 'district',
  reporter: { userId: 'u-zhang', name: '张三', phone: '13800000000', anonymous: false },
  externalRef: null,
};

let seq = 0;
/** A stored event around a body, as the log hands it to evolveCase. */
export function stored(body: CaseEventBody, opts: { at?: string; streamVersion?: number; streamId?: string } = {}): CaseEvent {
  seq += 1;
  return {
    ...body,
    seq,
    id: `ev-${seq}`,
    streamId: opts.streamId ?? 'case-1',
    streamVersion: opts.streamVersion ?? 2,
    schemaVersion: 1,
    actor: { id: 'u-op', name: '操作员', roles: ['operator'] },
    at: opts.at ?? NOW.toISOString(),
  } as CaseEvent;
}

/** A freshly reported case (state `reported`, version 1), created an hour before NOW. */
export function reportedCase(): CaseDoc {
  return evolveCase(null, stored({ type: 'CaseReported', payload: REPORTED }, { at: '2026-03-02T00:00:00.000Z', streamVersion: 1 }));
}

/** A case in a state, with optional changes (tasks, plan, coordination …). */
export function caseIn(state: CaseState, changes: Partial<CaseDoc> = {}): CaseDoc {
  return { ...reportedCase(), state, ...changes };
}

export function task(id: string, state: TaskState, opts: { role?: TaskRole; round?: number; unitId?: string; unitName?: string; plan?: TaskDoc['plan'] } = {}): TaskDoc {
  return {
    id,
    unitId: opts.unitId ?? `unit-${id}`,
    unitName: opts.unitName ?? `单位${id}`,
    role: opts.role ?? 'lead',
    round: opts.round ?? 1,
    state,
    dispatchedAt: '2026-03-02T00:30:00.000Z',
    respondDue: RESPOND_DUE,
    deadline: RESOLVE_DUE,
    acceptedAt: null,
    startedAt: null,
    doneAt: null,
    note: null,
    returnReason: null,
    overdue: false,
    reminders: 0,
    ...(opts.plan ? { plan: opts.plan } : {}),
  };
}

/** A deterministic context: ids id-1, id-2 …; respond in 2 h, resolve in 24 h; two known units. */
export function context(extra: Partial<DecideContext> = {}): DecideContext {
  let n = 0;
  return {
    now: NOW,
    newId: () => `id-${++n}`,
    deadlinesFrom: (from) => ({ respondDue: new Date(from.getTime() + 2 * 3_600_000).toISOString(), resolveDue: new Date(from.getTime() + 24 * 3_600_000).toISOString() }),
    units: new Map([
      ['unit-water', { name: '区水务' }],
      ['unit-traffic', { name: '区交警' }],
      ['unit-closed', { name: '已撤并单位', disabled: true }],
    ]),
    parentCenter: PARENT,
    supervisingCenterId: PARENT.id,
    ...extra,
  };
}

export const PLAN_RUN: PlanRunForCase = {
  planId: 'water-main-burst',
  version: 3,
  name: '供水爆管处置',
  tier: 'city',
  centerId: 'center-500000',
  facts: { water_main: { id: 'wm-1', diameter_mm: 600 } },
  actions: [{ type: 'notify', key: 'n', channel: 'webhook', to: 'hotline', message: 'm' }],
  escalation: [{ afterMs: 600_000, unless: 'accepted', do: 'remind', repeat: 1 }],
  closure: { reportBackWhen: 'leads_done', requireEvidence: false },
  coCenterIds: [],
  tasks: [
    { key: 'repair', role: 'lead', unitId: 'unit-water', unitName: '区水务', instructions: '抢修', deadlineMs: 3 * 3_600_000, arriveWithinMs: 600_000, dependsOn: ['traffic'], handBack: ['photo'] },
    { key: 'traffic', role: 'assist', unitId: 'unit-traffic', unitName: '区交警', instructions: '疏导', deadlineMs: 3_600_000, arriveWithinMs: null, dependsOn: [], handBack: [] },
  ],
};
