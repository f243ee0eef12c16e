/**
 * The routing table as an administrator edits it (pure): the text checked with every problem
 * placed on its line in both languages (the document stack's problem shape), and the dry run of a
 * draft — which category, rule and units it would choose for a citizen's message — by the same
 * steps as AppealIntake (classify, refine by keyword, place, chooseRoute, the units of the place's chain).
 */
import type { ChainLink } from '../cases/case-model.ts';
import type { DocumentProblem } from '../documents/problem.ts';
import { decideRoute, parseRoutingTable, planWhy, RoutingTableError, type RoutedUnit, type RoutingRule, type RoutingTable, type RoutingTableOptions } from './routing-table.ts';
import { readAppeal } from './read-appeal.ts';

export type { RoutingTableOptions } from './routing-table.ts';

export type RoutingTableCheck = { readonly ok: true; readonly table: RoutingTable } | { readonly ok: false; readonly problems: DocumentProblem[] };

/** Checks a routing table's text as the intake reads it, each problem placed in the text. */
export function checkRoutingTable(text: string, opts: RoutingTableOptions = {}): RoutingTableCheck {
  try {
    return { ok: true, table: parseRoutingTable(text, opts) };
  } catch (e) {
    if (e instanceof RoutingTableError) return { ok: false, problems: [...e.problems] };
    throw e;
  }
}

export interface RouteDryRunInput {
  readonly text: string;
  readonly title?: string | undefined;
  /** A category a hotline agent chose: no classification then, no keyword refinement. */
  readonly categoryCode?: string | undefined;
}

export interface RouteDryRunDeps {
  /** The classifier's answer, or null when none is loaded. */
  classify(text: string, title?: string): { categoryCode: string; confidence: number; top: readonly { categoryCode: string; confidence: number }[] } | null;
  readonly threshold: number;
  /** The place's chain, city first; null when the message could not be placed. */
  readonly chain: readonly ChainLink[] | null;
  unitOfKind(kind: string, jurisdictionCode: string): { id: string; name: string; kind: string } | undefined;
  categoryName(code: string): string | null;
  /** A kind of unit's name (the why names kinds, never codes). */
  unitKindName(kind: string): string | null;
  /** The plan that would dispatch a case of this category and priority here (as the intake asks), or null. */
  planFor?(categoryCode: string, priority: 'high' | 'urgent' | null): { planId: string; name: string } | null;
}

export interface RouteDryRun {
  readonly categoryCode: string | null;
  readonly categoryName: string | null;
  /** How the category was found. */
  readonly categoryBy: 'agent' | 'classifier' | 'keyword' | 'none';
  readonly keyword: string | null;
  readonly confidence: number | null;
  readonly top: readonly { categoryCode: string; confidence: number }[];
  readonly outcome: 'dispatched' | 'triage';
  /** Why, as the case's routing record would say it. */
  readonly why: string;
  readonly rule: { readonly category: string; readonly jurisdiction: string | null; readonly lead: RoutingRule['lead']; readonly assists: RoutingRule['assists'] } | null;
  readonly lead: { readonly unitId: string; readonly name: string; readonly kind: string } | null;
  readonly assists: readonly { readonly unitId: string; readonly name: string; readonly kind: string }[];
  /** The danger words found and the priority they raise the case to; null when none. */
  readonly danger: { readonly priority: 'high' | 'urgent'; readonly words: readonly string[]; readonly why: string } | null;
  /** The plan (预案) that dispatches instead of the rule's units, when one applies. */
  readonly plan?: { readonly planId: string; readonly name: string } | null;
}

/**
 * What the intake would decide for a message under `table`, without reporting anything: the
 * category found as AppealIntake.submit finds it, then the same decideRoute.
 */
export function dryRunRoute(table: RoutingTable, input: RouteDryRunInput, deps: RouteDryRunDeps): RouteDryRun {
  const reading = readAppeal(table, input, (text, title) => deps.classify(text, title));
  const { categoryCode, categoryBy, keyword, confidence, top, danger } = reading;
  const base = { categoryCode, categoryName: categoryCode ? deps.categoryName(categoryCode) : null, categoryBy, keyword, confidence, top, danger };
  const triage = (why: string): RouteDryRun => ({ ...base, outcome: 'triage', why: danger ? `${why}；${danger.why}` : why, rule: null, lead: null, assists: [] });
  if (!categoryCode || categoryBy === 'none') return triage('没有分类模型，也没有关键词规则命中，转人工分拨');
  if (!deps.chain) return triage('地点无法定位，转人工分拨');
  const d = decideRoute(table, { categoryCode, chain: deps.chain, categoryBy, keyword, confidence, threshold: deps.threshold, danger, unitOfKind: deps.unitOfKind, categoryName: deps.categoryName, unitKindName: deps.unitKindName });
  const rule = d.choice ? { category: d.choice.rule.category, jurisdiction: d.choice.rule.jurisdiction ?? null, lead: d.choice.rule.lead, assists: d.choice.rule.assists } : null;
  if (d.outcome === 'triage') return { ...base, outcome: 'triage', why: d.why, rule, lead: null, assists: [] };
  const unit = (u: RoutedUnit) => ({ unitId: u.id, name: u.name, kind: u.kind });
  const plan = deps.planFor?.(categoryCode, danger?.priority ?? null) ?? null;
  if (plan) return { ...base, outcome: 'dispatched', why: planWhy(plan, d.why), rule, lead: unit(d.lead), assists: d.assists.map(unit), plan };
  return { ...base, outcome: 'dispatched', why: d.why, rule, lead: unit(d.lead), assists: d.assists.map(unit), plan: null };
}
