/**
 * What the caller may do on a case now, as the server would judge it: for every step a person
 * takes from a page, the case's state (`ALLOWED_IN`), the policy (`assertMayCommand`) and a dry
 * run of the pure `decideCase` with the inputs a person would give (a summary, a reason, a review
 * date tomorrow …). A step the policy refuses is not listed (it is not the caller's to take); a
 * step the rules refuse now is listed with the refusal, whose message says why (协办单位尚未答复 …).
 * Pure: the caller hands in the decide context the writer would build.
 */
import { CityLoopError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { assertMayCommand } from './case-policy.ts';
import { isOpenTask, type AttachmentRef, type CaseDoc } from './case-model.ts';
import { ALLOWED_IN, decideCase, type CaseCommand, type CaseCommandType, type DecideContext } from './decide-case.ts';

/** The steps a page offers, in the order it shows them. */
export const OFFERED_COMMANDS = [
  'apply_plan',
  'register',
  'decline',
  'dispatch',
  'accept_joint',
  'agree_coordination',
  'accept_task',
  'start_task',
  'complete_task',
  'return_task',
  'report_back',
  'check',
  'close',
  'evaluate',
  'reopen',
  'escalate',
  'park',
  'unpark',
  'remind',
  'supervise',
] as const satisfies readonly CaseCommandType[];
export type OfferedCommand = (typeof OFFERED_COMMANDS)[number];

/** Steps whose inputs are chosen in a dialog that runs its own dry run (units, a plan): the state and the policy decide. */
const CHOSEN_IN_DIALOG: readonly CaseCommandType[] = ['apply_plan', 'dispatch', 'agree_coordination'];
const PER_TASK: readonly CaseCommandType[] = ['accept_task', 'start_task', 'complete_task', 'return_task', 'remind'];

export interface ActionCheck {
  readonly action: OfferedCommand;
  /** The task a task step (or 催办) is about. */
  readonly taskId: string | null;
  /** Why the server would refuse it now; null when it would accept it. */
  readonly refusal: CityLoopError | null;
}

const PROBE_ATTACHMENT: AttachmentRef = { id: '__probe_photo__', sha256: '0'.repeat(64), fileName: 'probe.jpg', mediaType: 'image/jpeg', size: 1 };

/** The command a person would send, with inputs that any rule about inputs accepts. */
function probe(doc: CaseDoc, type: OfferedCommand, taskId: string | null, p: Principal, now: Date): CaseCommand | null {
  const text = '—';
  const t = taskId ?? '';
  switch (type) {
    case 'register':
      return { type };
    case 'decline':
    case 'reopen':
    case 'escalate':
    case 'supervise':
      return { type, reason: text };
    case 'accept_joint':
      return p.centerId ? { type, centerId: p.centerId } : null;
    case 'accept_task':
    case 'start_task':
      return { type, taskId: t };
    case 'complete_task':
      return { type, taskId: t, note: text, evidence: { attachmentIds: [PROBE_ATTACHMENT.id], reading: { name: 'probe', value: 0, unit: '' } } };
    case 'return_task':
      return { type, taskId: t, reason: text };
    case 'remind':
      return { type, taskId: t };
    case 'report_back':
      return { type, summary: text };
    case 'check':
      return { type, passed: true };
    case 'close':
      return { type };
    case 'evaluate':
      return { type, satisfaction: 'satisfied', by: doc.reporter.userId === p.userId ? 'reporter' : 'follow_up' };
    case 'park':
      return { type, reason: text, reviewAt: new Date(now.getTime() + 86_400_000).toISOString() };
    case 'unpark':
      return { type };
    default:
      return null;
  }
}

function refusalOf(e: unknown): CityLoopError {
  if (e instanceof CityLoopError) return e;
  throw e;
}

/**
 * Every offered step the caller may take on this case, each with the server's refusal if it would
 * refuse it now. `contextFor` is the writer's (`CaseWriter.contextFor`).
 */
export function checkActions(p: Principal, doc: CaseDoc, contextFor: (doc: CaseDoc, cmd: CaseCommand) => DecideContext): ActionCheck[] {
  const out: ActionCheck[] = [];
  // Evidence is handed in with the step (a photo uploaded first): the dry run assumes it given.
  const probeDoc: CaseDoc = { ...doc, attachments: [...doc.attachments, PROBE_ATTACHMENT] };
  for (const action of OFFERED_COMMANDS) {
    if (!ALLOWED_IN[action].includes(doc.state)) continue;
    // The steps of a joint case (跨区协同) are offered on joint cases only.
    if ((action === 'accept_joint' || action === 'agree_coordination') && !doc.coordination?.centerIds.length) continue;
    const taskIds: (string | null)[] = PER_TASK.includes(action)
      ? doc.tasks.filter((t) => t.round === doc.round && (action !== 'remind' || isOpenTask(t))).map((t) => t.id)
      : [null];
    for (const taskId of taskIds) {
      try {
        assertMayCommand(p, doc, { type: action, ...(taskId ? { taskId } : {}) });
      } catch {
        continue;
      }
      let refusal: CityLoopError | null = null;
      if (!CHOSEN_IN_DIALOG.includes(action)) {
        try {
          const ctx = contextFor(doc, { type: 'register' });
          const cmd = probe(doc, action, taskId, p, ctx.now);
          if (!cmd) continue;
          decideCase(probeDoc, cmd, ctx);
        } catch (e) {
          refusal = refusalOf(e);
        }
      }
      out.push({ action, taskId, refusal });
    }
  }
  return out;
}
