/**
 * The routing table as an administrator edits it (pure): the text checked with every problem
 * placed on its line in both languages (the document stack's problem shape), and the dry run of a
 * draft — which category, rule and units it would choose for a citizen's message — by the same
 * steps as AppealIntake (classify, refine by keyword, place, chooseRoute, the units of the place's chain).
 */
import type { ChainLink } from '../cases/case-model.ts';
import type { DocumentProblem } from '../documents/problem.ts';
import { decideRoute, parseRoutingTable, refineCategory, RoutingTableError, type RoutedUnit, type RoutingRule, type RoutingTable, type RoutingTableOptions } from './routing-table.ts';

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
}

/**
 * What the intake would decide for a message under `table`, without reporting anything: the
 * category found as AppealIntake.submit finds it, then the same decideRoute.
 */
export function dryRunRoute(table: RoutingTable, input: RouteDryRunInput, deps: RouteDryRunDeps): RouteDryRun {
  let categoryCode: string | null = input.categoryCode ?? null;
  let categoryBy: RouteDryRun['categoryBy'] = categoryCode ? 'agent' : 'none';
  let confidence: number | null = null;
  let top: { categoryCode: string; confidence: number }[] = [];
  if (!categoryCode) {
    const c = deps.classify(input.text, input.title);
    if (c) {
      categoryCode = c.categoryCode;
      categoryBy = 'classifier';
      confidence = Math.round(c.confidence * 1000) / 1000;
      top = c.top.map((x) => ({ categoryCode: x.categoryCode, confidence: Math.round(x.confidence * 1000) / 1000 }));
    }
  }
  let keyword: string | null = null;
  if (!input.categoryCode) {
    const refined = refineCategory(table, `${input.title ?? ''} ${input.text}`);
    if (refined) {
      categoryCode = refined.category;
      categoryBy = 'keyword';
      keyword = refined.keyword;
    }
  }
  const base = { categoryCode, categoryName: categoryCode ? deps.categoryName(categoryCode) : null, categoryBy, keyword, confidence, top };
  const triage = (why: string): RouteDryRun => ({ ...base, outcome: 'triage', why, rule: null, lead: null, assists: [] });
  if (!categoryCode || categoryBy === 'none') return triage('没有分类模型，也没有关键词规则命中，转人工分拨 / no classifier and no keyword rule: manual triage');
  if (!deps.chain) return triage('地点无法定位，转人工分拨 / the place could not be located: manual triage');
  const d = decideRoute(table, { categoryCode, chain: deps.chain, categoryBy, keyword, confidence, threshold: deps.threshold, unitOfKind: deps.unitOfKind });
  const rule = d.choice ? { category: d.choice.rule.category, jurisdiction: d.choice.rule.jurisdiction ?? null, lead: d.choice.rule.lead, assists: d.choice.rule.assists } : null;
  if (d.outcome === 'triage') return { ...triage(d.why), rule };
  const unit = (u: RoutedUnit) => ({ unitId: u.id, name: u.name, kind: u.kind });
  return { ...base, outcome: 'dispatched', why: d.why, rule, lead: unit(d.lead), assists: d.assists.map(unit) };
}
