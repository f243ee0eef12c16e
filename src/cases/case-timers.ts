import type { CaseEvent, CaseEventBody } from './case-events.ts';
import { isOpenTask, type CaseDoc } from './case-model.ts';

/**
 * Deadlines become durable timers: rows written in the same transaction as the events that set
 * them, fired at most once (the firing claims the row in the transaction that appends the
 * consequences), and evaluated against the case as it is then — a timer whose matter has moved
 * on fires nothing.
 */
export type TimerKind = 'case_respond' | 'case_resolve' | 'task_warn' | 'task_respond' | 'task_due' | 'park_review';

export interface TimerSpec {
  readonly kind: TimerKind;
  readonly taskId: string | null;
  readonly dueAt: string;
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
          out.push({ kind: 'task_warn', taskId: t.taskId, dueAt: new Date(start + (end - start) * WARN_AT_SHARE).toISOString() });
          out.push({ kind: 'task_due', taskId: t.taskId, dueAt: t.deadline });
        }
        break;
      case 'CaseParked':
        out.push({ kind: 'park_review', taskId: null, dueAt: e.payload.reviewAt });
        break;
      default:
        break;
    }
  }
  return out;
}

const FINISHED = new Set(['declined', 'reported_back', 'checked', 'closed', 'evaluated']);

/** What a timer that has come due does to the case now. Pure. */
export function decideTimer(
  doc: CaseDoc,
  timer: { kind: TimerKind; taskId: string | null; dueAt: string },
  supervisingCenterId: string | null,
): CaseEventBody[] {
  if (FINISHED.has(doc.state)) return [];
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
  }
}
