import { canSeeReporterContact, assertMayCommand } from '../auth/case-policy.ts';
import type { Principal } from '../auth/principal.ts';
import type { Lang } from '../errors.ts';
import { CASE_STATE_NAMES, TASK_STATE_NAMES, type CaseDoc, type Reporter } from './case-model.ts';
import { availableCommands, type CaseCommandType } from './decide-case.ts';

/** 张三 → 张*, 13812345678 → 138****5678: enough to recognise, not enough to call. */
export function maskReporter(r: Reporter): Reporter {
  const name = r.name ? `${[...r.name][0] ?? ''}${'*'.repeat(Math.max(1, [...r.name].length - 1))}` : null;
  const phone = r.phone ? (r.phone.length >= 7 ? `${r.phone.slice(0, 3)}****${r.phone.slice(-4)}` : '****') : null;
  return { userId: null, name, phone, anonymous: r.anonymous };
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
  const anonymousToViewer = doc.reporter.anonymous && !canSeeReporterContact(p, doc);
  return {
    ...doc,
    reporter: canSeeReporterContact(p, doc) && !anonymousToViewer ? doc.reporter : maskReporter(doc.reporter),
    stateName: CASE_STATE_NAMES[doc.state][lang],
    tasks: doc.tasks.map((t) => ({ ...t, stateName: TASK_STATE_NAMES[t.state][lang] })),
    actions: commandsFor(p, doc),
  };
}
