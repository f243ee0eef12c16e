import type { CaseEvent, CaseEventBody } from './case-events.ts';
import { isOpenTask, TERMINAL_STATES, type CaseDoc, type CaseState, type Tier } from './case-model.ts';

/**
 * Deadlines become durable timers: rows written in the same transaction as the events that set
 * them, fired at most once (the firing claims the row in the transaction that appends the
 * consequences), and evaluated against the case as it is then — a timer whose matter has moved
 * on fires nothing.
 */
export type TimerKind = 'case_respond' | 'case_resolve' | 'task_warn' | 'task_respond' | 'task_arrive' | 'task_due' | 'park_review' | 'plan_step';

export interface TimerSpec {
  readonly kind: TimerKind;
  readonly taskId: string | null;
  readonly dueAt: string;
  /** JSON: for plan_step, the step of the plan's escalation clock and which firing. */
  readonly detail?: string;
}

interface PlanStepDetail {
  readonly step: number;
  readonly firing: number;
  readonly unless: 'accepted' | 'done';
  readonly do: 'remind' | 'escalate' | 'supervise';
  readonly afterMs: number;
}

/** Share of a task's time after which the handler is reminded (催办) that the deadline is near. */
export const WARN_AT_SHARE = 0.8;

export function timersForEvents(events: readonly CaseEvent[]): TimerSpec[] {
  const out: TimerSpec[] = [];
  for (const e of events) {
    switch (e.type) {
      case 'CaseRegistered':
        out.push({ kind: 'case_respond', taskId: null, dueAt: e.payload.respondDue });
        out.push({ kind: 'case_resolve', taskId: null, dueAt: e.payload.resolveDue });
        break;
      case 'CaseDispatched':
        for (const t of e.payload.tasks) {
          const start = Date.parse(e.at);
          const end = Date.parse(t.deadline);
          out.push({ kind: 'task_respond', taskId: t.taskId, dueAt: t.respondDue });
          // A plan's arriveWithin: met by arriving on site (TaskArrived), not by signing for the task.
          if (t.plan?.arriveBy) out.push({ kind: 'task_arrive', taskId: t.taskId, dueAt: t.plan.arriveBy });
          out.push({ kind: 'task_warn', taskId: t.taskId, dueAt: new Date(start + (end - start) * WARN_AT_SHARE).toISOString() });
          out.push({ kind: 'task_due', taskId: t.taskId, dueAt: t.deadline });
        }
        break;
      case 'CaseParked':
        out.push({ kind: 'park_review', taskId: null, dueAt: e.payload.reviewAt });
        break;
      case 'PlanApplied': {
        // The plan's escalation clock: each step fires `after`, then `repeat` more times `after` apart.
        const start = Date.parse(e.at);
        (e.payload.escalation ?? []).forEach((s, step) => {
          for (let firing = 0; firing <= s.repeat; firing++) {
            const detail: PlanStepDetail = { step, firing, unless: s.unless, do: s.do, afterMs: s.afterMs };
            out.push({ kind: 'plan_step', taskId: null, dueAt: new Date(start + s.afterMs * (firing + 1)).toISOString(), detail: JSON.stringify(detail) });
          }
        });
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/**
 * States in which no deadline runs any more: the terminal ones, and those where the work is
 * handed back and waits for the center (reported back, checked) — a later reopening sets new ones.
 */
const DEADLINES_ENDED_IN: ReadonlySet<CaseState> = new Set<CaseState>([...TERMINAL_STATES, 'reported_back', 'checked']);

/** What a timer that has come due does to the case now. Pure. */
export function decideTimer(
  doc: CaseDoc,
  timer: { kind: TimerKind; taskId: string | null; dueAt: string; detail?: string | null },
  parentCenter: { id: string; tier: Tier } | null,
): CaseEventBody[] {
  if (DEADLINES_ENDED_IN.has(doc.state)) return [];
  const supervisingCenterId = parentCenter?.id ?? null;
  const task = timer.taskId ? doc.tasks.find((t) => t.id === timer.taskId) : undefined;
  switch (timer.kind) {
    case 'case_respond':
      // Responded means a unit has signed for the matter.
      if (doc.respondedAt !== null || doc.state === 'parked') return [];
      return [{ type: 'CaseOverdue', payload: { kind: 'respond', due: timer.dueAt } }];
    case 'case_resolve': {
      if (doc.state === 'parked') return [];
      const out: CaseEventBody[] = [{ type: 'CaseOverdue', payload: { kind: 'resolve', due: timer.dueAt } }];
      if (supervisingCenterId) out.push({ type: 'CaseSupervised', payload: { centerId: supervisingCenterId, reason: '事项超过办理时限', automatic: true, taskId: null } });
      return out;
    }
    case 'task_respond':
      if (!task || task.state !== 'dispatched' || doc.state === 'parked') return [];
      return [{ type: 'TaskReminded', payload: { taskId: task.id, reason: '超时未签收，请立即签收', automatic: true } }];
    case 'task_arrive':
      // Only a crew that has not arrived is overdue; a task finished or sent back no longer needs anyone there.
      if (!task || task.arrival || task.round !== doc.round || doc.state === 'parked') return [];
      if (task.state !== 'dispatched' && task.state !== 'accepted' && task.state !== 'in_progress') return [];
      return [
        { type: 'TaskArrivalOverdue', payload: { taskId: task.id, arriveBy: timer.dueAt } },
        { type: 'TaskReminded', payload: { taskId: task.id, reason: '超过到场时限，尚未到场', automatic: true } },
      ];
    case 'task_warn':
      if (!task || !isOpenTask(task) || doc.state === 'parked') return [];
      return [{ type: 'TaskReminded', payload: { taskId: task.id, reason: '办理时限即将到期', automatic: true } }];
    case 'task_due': {
      if (!task || !isOpenTask(task) || task.round !== doc.round || doc.state === 'parked') return [];
      const out: CaseEventBody[] = [
        { type: 'TaskOverdue', payload: { taskId: task.id, deadline: task.deadline } },
        { type: 'TaskReminded', payload: { taskId: task.id, reason: '已超过办理时限', automatic: true } },
      ];
      if (supervisingCenterId) out.push({ type: 'CaseSupervised', payload: { centerId: supervisingCenterId, reason: `${task.unitName}任务超期`, automatic: true, taskId: task.id } });
      return out;
    }
    case 'park_review':
      if (doc.state !== 'parked' || doc.parkedUntil !== timer.dueAt) return [];
      return [{ type: 'CaseParkReviewDue', payload: { reviewAt: timer.dueAt } }];
    case 'plan_step':
      return decidePlanStep(doc, JSON.parse(timer.detail ?? '{}') as PlanStepDetail, parentCenter);
  }
}

/** A step of the plan's escalation clock: silent once every task it watches has answered. */
function decidePlanStep(doc: CaseDoc, step: PlanStepDetail, parent: { id: string; tier: Tier } | null): CaseEventBody[] {
  if (doc.state === 'parked' || !doc.plan) return [];
  const active = doc.tasks.filter((t) => t.round === doc.round && t.state !== 'returned' && t.state !== 'cancelled');
  const unanswered = active.filter((t) => (step.unless === 'accepted' ? t.state === 'dispatched' : t.state !== 'done'));
  if (unanswered.length === 0) return [];
  const minutes = Math.round((step.afterMs * (step.firing + 1)) / 60_000);
  const what = step.unless === 'accepted' ? '签收' : '办结';
  const reason = `预案“${doc.plan.name}”：${minutes}分钟未${what}`;
  switch (step.do) {
    case 'remind':
      return unanswered.map((t) => ({ type: 'TaskReminded' as const, payload: { taskId: t.id, reason, automatic: true } }));
    case 'supervise':
      return parent ? [{ type: 'CaseSupervised', payload: { centerId: parent.id, reason, automatic: true, taskId: null } }] : [];
    case 'escalate':
      // The city center has no tier above it; there the step supervises instead of escalating.
      if (!parent) return [];
      return [{ type: 'CaseEscalated', payload: { fromCenterId: doc.centerId, toCenterId: parent.id, toTier: parent.tier, reason } }];
  }
}
