import { canSeeReporterContact, assertMayCommand } from './case-policy.ts';
import type { Principal } from '../auth/principal.ts';
import type { Lang } from '../errors.ts';
import { CASE_STATE_NAMES, TASK_STATE_NAMES, type CaseDoc, type Reporter } from './case-model.ts';
import type { CaseEvent } from './case-events.ts';
import { availableCommands, type CaseCommandType } from './decide-case.ts';

/** 张三 → 张*, 13812345678 → 138****5678: enough to recognise, not enough to call. */
export function maskReporter(r: Reporter): Reporter {
  const name = r.name ? `${[...r.name][0] ?? ''}${'*'.repeat(Math.max(1, [...r.name].length - 1))}` : null;
  const phone = r.phone ? (r.phone.length >= 7 ? `${r.phone.slice(0, 3)}****${r.phone.slice(-4)}` : '****') : null;
  return { userId: null, name, phone, anonymous: r.anonymous };
}

/**
 * What this viewer sees of a case's reporter: the contact in full for those the policy lets see it
 * (the center's staff in its jurisdiction, administrators, the reporter), a masked form for anyone
 * else — an anonymous reporter included. The one rule for the case, its timeline and the live feed,
 * so a viewer never sees in one what another hides.
 */
export function reporterSeenBy(p: Principal, doc: CaseDoc, reporter: Reporter = doc.reporter): Reporter {
  return canSeeReporterContact(p, doc) ? reporter : maskReporter(reporter);
}

/** An event of the case as this viewer may see it: the reporter inside `CaseReported` by `reporterSeenBy`. */
export function presentEvent(e: CaseEvent, doc: CaseDoc, p: Principal): CaseEvent {
  if (e.type !== 'CaseReported') return e;
  return { ...e, payload: { ...e.payload, reporter: reporterSeenBy(p, doc, e.payload.reporter) } };
}

export function commandsFor(p: Principal, doc: CaseDoc): CaseCommandType[] {
  const taskId = doc.tasks.find((t) => t.round === doc.round && t.unitId === p.unitId)?.id;
  return availableCommands(doc).filter((c) => {
    try {
      assertMayCommand(p, doc, { type: c, ...(taskId ? { taskId } : {}) });
      return true;
    } catch {
      return false;
    }
  });
}

/** The case as the asking person may see it, with names of states in their language. */
export function presentCase(doc: CaseDoc, p: Principal, lang: Lang) {
  return {
    ...doc,
    reporter: reporterSeenBy(p, doc),
    stateName: CASE_STATE_NAMES[doc.state][lang],
    tasks: doc.tasks.map((t) => ({ ...t, stateName: TASK_STATE_NAMES[t.state][lang] })),
    actions: commandsFor(p, doc),
  };
}
