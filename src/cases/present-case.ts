import { canSeeReporterContact, assertMayCommand } from './case-policy.ts';
import type { Principal } from '../auth/principal.ts';
import type { Lang } from '../errors.ts';
import { hasRole } from '../auth/principal.ts';
import { TIER_NAMES } from '../org/tiers.ts';
import { CASE_STATE_NAMES, TASK_STATE_NAMES, type CaseDoc, type CaseState, type Reporter } from './case-model.ts';
import type { CaseEvent } from './case-events.ts';
import { availableCommands, COMMAND_NAMES, type CaseCommandType } from './decide-case.ts';
import type { ActionCheck, OfferedCommand } from './allowed-actions.ts';

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

/**
 * The state as a citizen is told it (已受理 → 处理中 → 已办结 → 已评价): the center's inner steps
 * (派遣, 退回, 核查 …) are its own business.
 */
export const PUBLIC_STATES = ['received', 'in_hand', 'on_hold', 'resolved', 'rated', 'not_accepted', 'merged'] as const;
export type PublicState = (typeof PUBLIC_STATES)[number];
export const PUBLIC_STATE_OF: Record<CaseState, PublicState> = {
  reported: 'received',
  registered: 'in_hand',
  dispatched: 'in_hand',
  in_progress: 'in_hand',
  returned: 'in_hand',
  reopened: 'in_hand',
  reported_back: 'in_hand',
  checked: 'in_hand',
  parked: 'on_hold',
  closed: 'resolved',
  evaluated: 'rated',
  declined: 'not_accepted',
  merged: 'merged',
};
export const PUBLIC_STATE_NAMES: Record<PublicState, { zh: string; en: string }> = {
  received: { zh: '已受理', en: 'received' },
  in_hand: { zh: '处理中', en: 'being handled' },
  on_hold: { zh: '暂缓办理', en: 'on hold' },
  resolved: { zh: '已办结', en: 'resolved' },
  rated: { zh: '已评价', en: 'rated' },
  not_accepted: { zh: '不予受理', en: 'not accepted' },
  merged: { zh: '已并案办理', en: 'handled with another report' },
};

/** A citizen (and no staff role besides) sees the public state only. */
function seesPublicStateOnly(p: Principal): boolean {
  return hasRole(p, 'citizen') && !hasRole(p, 'admin', 'operator', 'supervisor', 'unit_staff', 'grid_worker', 'system');
}

/** What a view of a case needs besides the case (`CaseService.viewContext`). */
export interface CaseViewContext {
  readonly checks: readonly ActionCheck[];
  readonly category: { zh: string; en: string } | null;
}

/** The case as the asking person may see it, with names of states, tier, category and steps in their language. */
export function presentCase(doc: CaseDoc, p: Principal, lang: Lang, view: CaseViewContext) {
  const publicState = PUBLIC_STATE_OF[doc.state];
  const publicStateName = PUBLIC_STATE_NAMES[publicState][lang];
  const refusedEverywhere = new Set(view.checks.filter((c) => c.refusal).map((c) => c.action));
  for (const c of view.checks) if (!c.refusal) refusedEverywhere.delete(c.action);
  return {
    ...doc,
    reporter: reporterSeenBy(p, doc),
    stateName: seesPublicStateOnly(p) ? publicStateName : CASE_STATE_NAMES[doc.state][lang],
    publicState,
    publicStateName,
    tierName: TIER_NAMES[doc.tier][lang],
    categoryName: view.category ? view.category[lang] : doc.categoryCode,
    tasks: doc.tasks.map((t) => ({ ...t, stateName: TASK_STATE_NAMES[t.state][lang] })),
    actions: commandsFor(p, doc).filter((c) => !refusedEverywhere.has(c as OfferedCommand)),
    allowedActions: view.checks.map((c) => ({
      action: c.action,
      name: COMMAND_NAMES[c.action][lang],
      taskId: c.taskId,
      allowed: c.refusal === null,
      reason: c.refusal ? c.refusal.localized(lang) : null,
    })),
  };
}
