import type { Principal } from '../auth/principal.ts';
import type { CaseEvent } from './case-events.ts';
import type { CaseCommand } from './decide-case.ts';

/**
 * Resent task commands (签收, 到场, 开始处置, 办结, 退回) from a phone on a flaky connection. Pure.
 *
 * A phone that lost the answer sends the same command again; by then the task has moved on and the
 * command is refused (`TASK_INVALID_TRANSITION`, or `CASE_INVALID_TRANSITION` once the case has been
 * reported back, or `CONFLICT_VERSION` when it named the version it saw). The log already holds what
 * the first copy did, so the resend is recognised by its effect: an event of the command's type for
 * the same task, by the same person, with the same content (the note and evidence of a completion,
 * the reason of a return). A task id belongs to one round, so a later round never matches. Anything
 * else — a colleague finished first, a different note — is a real conflict and stays refused.
 */
export type TaskCommand = Extract<CaseCommand, { type: 'accept_task' | 'start_task' | 'arrive_task' | 'complete_task' | 'return_task' }>;

export const TASK_EVENT_OF = {
  accept_task: 'TaskAccepted',
  start_task: 'TaskStarted',
  arrive_task: 'TaskArrived',
  complete_task: 'TaskCompleted',
  return_task: 'TaskReturned',
} as const satisfies Record<TaskCommand['type'], CaseEvent['type']>;

/** The refusals a resent task command meets. */
export const REPLAY_REFUSALS: ReadonlySet<string> = new Set(['TASK_INVALID_TRANSITION', 'CASE_INVALID_TRANSITION', 'CONFLICT_VERSION', 'TASK_ALREADY_ARRIVED']);

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
const readingKey = (r: { name: string; value: number; unit: string } | null | undefined) => (r ? JSON.stringify([r.name, r.value, r.unit]) : null);

/** The event that an earlier copy of this command wrote, or null when the command is not a resend. */
export function findReplayedTaskEvent(events: readonly CaseEvent[], p: Principal, cmd: TaskCommand): CaseEvent | null {
  const type = TASK_EVENT_OF[cmd.type];
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.type !== type || e.payload.taskId !== cmd.taskId || e.actor.id !== p.userId) continue;
    if (e.type === 'TaskCompleted' && cmd.type === 'complete_task') {
      if (e.payload.note !== cmd.note.trim()) return null;
      if (!sameList(e.payload.evidence?.attachmentIds ?? [], cmd.evidence?.attachmentIds ?? [])) return null;
      if (readingKey(e.payload.evidence?.reading) !== readingKey(cmd.evidence?.reading)) return null;
    }
    if (e.type === 'TaskReturned' && cmd.type === 'return_task' && e.payload.reason !== cmd.reason.trim()) return null;
    // An arrival resent from the offline queue carries the device's time of the first copy.
    if (e.type === 'TaskArrived' && cmd.type === 'arrive_task' && (cmd.at === undefined || Date.parse(cmd.at) !== Date.parse(e.payload.arrivedAt))) return null;
    return e;
  }
  return null;
}
