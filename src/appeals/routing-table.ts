import { parse } from 'yaml';
import type { ChainLink, Tier } from '../cases/case-model.ts';

/**
 * 派单目录: category × place → lead unit and assisting units, as data a city edits. Pure:
 * parsing, checking and choosing the rule; the store keeps the versions.
 */
export interface UnitRole {
  readonly kind: string;
  readonly scope: Tier;
}

export interface RoutingRule {
  /** A category code; a parent code covers its children. */
  readonly category: string;
  /** Only in this district or street (its code); absent: anywhere in the city. */
  readonly jurisdiction?: string | undefined;
  readonly lead: UnitRole;
  readonly assists: readonly UnitRole[];
}

/**
 * A keyword rule that names the exact category when the classifier's first-level answer is too
 * coarse (or, as the training data labels buses under 城乡建设, not what this city routes by).
 */
export interface RefineRule {
  readonly keywords: readonly string[];
  readonly category: string;
}

export interface RoutingTable {
  readonly refine: readonly RefineRule[];
  readonly rules: readonly RoutingRule[];
}

export class RoutingTableError extends Error {
  constructor(readonly problems: readonly { path: string; message: string }[]) {
    super(`the routing table is not valid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  }
}

const TIERS: readonly string[] = ['city', 'district', 'street'];

function readRole(x: unknown, path: string, problems: { path: string; message: string }[], kinds?: ReadonlySet<string>): UnitRole | null {
  if (!x || typeof x !== 'object') {
    problems.push({ path, message: 'must be { kind, scope }' });
    return null;
  }
  const { kind, scope } = x as { kind?: unknown; scope?: unknown };
  if (typeof kind !== 'string' || !/^[a-z][a-z0-9-]{1,63}$/.test(kind)) problems.push({ path: `${path}/kind`, message: 'must be a unit kind' });
  else if (kinds && !kinds.has(kind)) problems.push({ path: `${path}/kind`, message: `unknown unit kind ${kind}` });
  if (typeof scope !== 'string' || !TIERS.includes(scope)) problems.push({ path: `${path}/scope`, message: 'must be city, district or street' });
  return typeof kind === 'string' && typeof scope === 'string' ? { kind, scope: scope as Tier } : null;
}

/** Reads a table from YAML or JSON text (or an object), checking every rule; throws RoutingTableError. */
export function parseRoutingTable(input: string | unknown, opts: { knownUnitKinds?: ReadonlySet<string>; knownCategories?: ReadonlySet<string> } = {}): RoutingTable {
  const data: unknown = typeof input === 'string' ? parse(input, { maxAliasCount: 10 }) : input;
  const problems: { path: string; message: string }[] = [];
  const rulesIn = (data as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rulesIn)) throw new RoutingTableError([{ path: '/rules', message: 'must be a list of rules' }]);
  const rules: RoutingRule[] = [];
  const seen = new Set<string>();
  rulesIn.forEach((r: unknown, i) => {
    const base = `/rules/${i}`;
    const rule = (r ?? {}) as { category?: unknown; jurisdiction?: unknown; lead?: unknown; assists?: unknown };
    if (typeof rule.category !== 'string' || !/^[a-z0-9.-]{2,100}$/.test(rule.category)) problems.push({ path: `${base}/category`, message: 'must be a category code' });
    else if (opts.knownCategories && !opts.knownCategories.has(rule.category)) problems.push({ path: `${base}/category`, message: `unknown category ${rule.category}` });
    if (rule.jurisdiction !== undefined && (typeof rule.jurisdiction !== 'string' || !/^\d{6,15}$/.test(rule.jurisdiction))) problems.push({ path: `${base}/jurisdiction`, message: 'must be a jurisdiction code' });
    const lead = readRole(rule.lead, `${base}/lead`, problems, opts.knownUnitKinds);
    const assists = rule.assists === undefined ? [] : Array.isArray(rule.assists) ? rule.assists.map((a, j) => readRole(a, `${base}/assists/${j}`, problems, opts.knownUnitKinds)) : (problems.push({ path: `${base}/assists`, message: 'must be a list' }), []);
    const key = `${String(rule.category)}@${String(rule.jurisdiction ?? '*')}`;
    if (seen.has(key)) problems.push({ path: base, message: `a second rule for ${key}` });
    seen.add(key);
    if (lead && typeof rule.category === 'string') {
      rules.push({ category: rule.category, ...(typeof rule.jurisdiction === 'string' ? { jurisdiction: rule.jurisdiction } : {}), lead, assists: assists.filter((a): a is UnitRole => a !== null) });
    }
  });
  const refine: RefineRule[] = [];
  const refineIn = (data as { refine?: unknown } | null)?.refine;
  if (refineIn !== undefined && !Array.isArray(refineIn)) problems.push({ path: '/refine', message: 'must be a list' });
  (Array.isArray(refineIn) ? refineIn : []).forEach((r: unknown, i) => {
    const rule = (r ?? {}) as { keywords?: unknown; category?: unknown };
    const ok = Array.isArray(rule.keywords) && rule.keywords.length > 0 && rule.keywords.every((k) => typeof k === 'string' && k.trim().length > 0 && k.length <= 50);
    if (!ok) problems.push({ path: `/refine/${i}/keywords`, message: 'must be a non-empty list of words' });
    if (typeof rule.category !== 'string') problems.push({ path: `/refine/${i}/category`, message: 'must be a category code' });
    else if (opts.knownCategories && !opts.knownCategories.has(rule.category)) problems.push({ path: `/refine/${i}/category`, message: `unknown category ${rule.category}` });
    if (ok && typeof rule.category === 'string') refine.push({ keywords: (rule.keywords as string[]).map((k) => k.trim()), category: rule.category });
  });
  if (problems.length > 0) throw new RoutingTableError(problems);
  return { refine, rules };
}

/** The first keyword rule whose word appears in the text, or null. */
export function refineCategory(table: RoutingTable, text: string): { category: string; keyword: string } | null {
  for (const r of table.refine) {
    const keyword = r.keywords.find((k) => text.includes(k));
    if (keyword) return { category: r.category, keyword };
  }
  return null;
}

export interface RouteChoice {
  readonly rule: RoutingRule;
  /** Why, in words an operator reads: the category and place the rule was written for. */
  readonly why: string;
}

/** The most specific rule for a category at a place: longest category, then the deepest place. */
export function chooseRoute(table: RoutingTable, categoryCode: string, chain: readonly ChainLink[]): RouteChoice | null {
  const depth = new Map(chain.map((l, i) => [l.code, i]));
  let best: { rule: RoutingRule; score: number } | null = null;
  for (const rule of table.rules) {
    if (!(categoryCode === rule.category || categoryCode.startsWith(`${rule.category}.`))) continue;
    if (rule.jurisdiction !== undefined && !depth.has(rule.jurisdiction)) continue;
    const score = rule.category.length * 100 + (rule.jurisdiction !== undefined ? 1 + (depth.get(rule.jurisdiction) ?? 0) : 0);
    if (!best || score > best.score) best = { rule, score };
  }
  if (!best) return null;
  const r = best.rule;
  return { rule: r, why: `派单目录：${r.category}${r.jurisdiction ? `（${r.jurisdiction}）` : ''} → ${r.lead.kind}` };
}

/** A unit as routing names it. */
export interface RoutedUnit {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
}

/** What the intake decides for a categorised, placed message: its units, or the manual triage queue, and why. */
export type RouteDecision =
  | { readonly outcome: 'triage'; readonly why: string; readonly choice: RouteChoice | null }
  | { readonly outcome: 'dispatched'; readonly why: string; readonly choice: RouteChoice; readonly lead: RoutedUnit; readonly assists: readonly RoutedUnit[] };

export interface RouteFacts {
  readonly categoryCode: string;
  /** The place's chain, city first. */
  readonly chain: readonly ChainLink[];
  /** How the category was found: a hotline agent chose it, a keyword rule named it, or the classifier guessed it. */
  readonly categoryBy: 'agent' | 'keyword' | 'classifier';
  readonly keyword: string | null;
  /** The classifier's confidence (rounded), when it ran. */
  readonly confidence: number | null;
  /** Below it a classifier's guess goes to a person. */
  readonly threshold: number;
  unitOfKind(kind: string, jurisdictionCode: string): RoutedUnit | undefined;
}

/**
 * The routing decision itself, pure: the intake (appeal-intake.ts) records it on a case and the
 * administrator's dry run (routing-table-check.ts) shows it, so the two can never disagree.
 */
export function decideRoute(table: RoutingTable | null, f: RouteFacts): RouteDecision {
  if (f.categoryBy === 'classifier' && f.confidence !== null && f.confidence < f.threshold) {
    return { outcome: 'triage', why: `分类置信度${f.confidence}低于阈值${f.threshold}，转人工分拨`, choice: null };
  }
  const choice = table ? chooseRoute(table, f.categoryCode, f.chain) : null;
  if (!choice) return { outcome: 'triage', why: `派单目录中没有适用于${f.categoryCode}的规则，转人工分拨`, choice: null };
  const unitAt = (kind: string, scope: string) => {
    const code = scope === 'city' ? f.chain[0]?.code : f.chain.find((l) => l.level === scope)?.code;
    return code ? f.unitOfKind(kind, code) : undefined;
  };
  const lead = unitAt(choice.rule.lead.kind, choice.rule.lead.scope);
  if (!lead) return { outcome: 'triage', why: `${choice.why}：本地没有该单位，转人工分拨`, choice };
  const assists = choice.rule.assists.map((a) => unitAt(a.kind, a.scope)).filter((u): u is RoutedUnit => u !== undefined && u.id !== lead.id);
  const why = `${choice.why}${f.keyword !== null ? `；关键词“${f.keyword}”` : ''}${f.confidence !== null ? `；分类置信度${f.confidence}` : f.categoryBy === 'agent' ? '；坐席选定类别' : ''}`;
  return { outcome: 'dispatched', why, choice, lead, assists };
}
