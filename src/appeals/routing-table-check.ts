/**
 * The routing table as an administrator edits it (pure): the text checked with every problem's
 * path, line and message in both languages, and the dry run of a draft — which category, rule
 * and units it would choose for a citizen's message — by the same steps as AppealIntake
 * (classify, refine by keyword, place, chooseRoute, the units of the place's chain).
 */
import type { ChainLink } from '../cases/case-model.ts';
import { readYaml, type LocatedProblem } from '../yaml-positions.ts';
import { decideRoute, parseRoutingTable, refineCategory, RoutingTableError, type RoutedUnit, type RoutingRule, type RoutingTable } from './routing-table.ts';

export type RoutingTableCheck = { readonly ok: true; readonly table: RoutingTable } | { readonly ok: false; readonly problems: LocatedProblem[] };

export interface RoutingTableOptions {
  readonly knownUnitKinds?: ReadonlySet<string>;
  readonly knownCategories?: ReadonlySet<string>;
}

/** Checks a routing table's text as `parseRoutingTable` does, each problem located in the text. */
export function checkRoutingTable(text: string, opts: RoutingTableOptions = {}): RoutingTableCheck {
  const read = readYaml(text, { maxAliasCount: 10 });
  if (!read.ok) return read;
  try {
    return { ok: true, table: parseRoutingTable(read.data ?? {}, opts) };
  } catch (e) {
    if (!(e instanceof RoutingTableError)) return { ok: false, problems: [{ path: '', message: (e as Error).message, messageZh: (e as Error).message }] };
    return { ok: false, problems: e.problems.map((p) => ({ path: p.path, message: p.message, messageZh: inChinese(p.message), ...read.locate(p.path) })) };
  }
}

/** The parser's messages (routing-table.ts), in Chinese. */
function inChinese(m: string): string {
  const table: [RegExp, (x: RegExpExecArray) => string][] = [
    [/^must be a list of rules$/, () => '须为规则列表'],
    [/^must be \{ kind, scope \}$/, () => '须为 { kind, scope }'],
    [/^must be a unit kind$/, () => '须为单位类型（小写字母、数字和 -）'],
    [/^unknown unit kind (.+)$/, (x) => `未知的单位类型 ${x[1]}`],
    [/^must be city, district or street$/, () => '须为 city、district 或 street'],
    [/^must be a category code$/, () => '须为事项类别代码'],
    [/^unknown category (.+)$/, (x) => `未知的事项类别 ${x[1]}`],
    [/^must be a jurisdiction code$/, () => '须为辖区代码（6 至 15 位数字）'],
    [/^must be a list$/, () => '须为列表'],
    [/^a second rule for (.+)$/, (x) => `${x[1]} 的规则重复`],
    [/^must be a non-empty list of words$/, () => '须为非空的关键词列表'],
  ];
  for (const [re, zh] of table) {
    const x = re.exec(m);
    if (x) return zh(x);
  }
  return m;
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
