import { deepFreeze } from '../documents/deep-freeze.ts';
import { problemAt, underPointer, type DocumentProblem } from '../documents/problem.ts';
import { schemaCheck } from '../documents/schema-check.ts';
import { placeProblems, readYaml } from '../documents/yaml-text.ts';
import type { ChainLink, Tier } from '../cases/case-model.ts';
import { findDanger, matchRefine, type DangerFound, type DangerRule, type RefineRule } from './appeal-keywords.ts';

export type { DangerFound, DangerRule, RefineRule } from './appeal-keywords.ts';

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
 * Keyword rules (`refine`) name the exact category when the classifier's first-level answer is too
 * coarse (or, as the training data labels buses under 城乡建设, not what this city routes by);
 * danger words raise the priority; negations say which words before a keyword turn it around.
 * Their reading is in appeal-keywords.ts.
 */
export interface RoutingTable {
  readonly refine: readonly RefineRule[];
  readonly danger: readonly DangerRule[];
  /** Absent: the default list (没有, 没, 未, 无, 不是 …). */
  readonly negations?: readonly string[] | undefined;
  /** Words that make a danger word a worry, not a fact (担心, 万一 …); absent: the default list. */
  readonly hypotheticals?: readonly string[] | undefined;
  readonly rules: readonly RoutingRule[];
}

/** A refused table: every problem in the documents' one shape, placed on its line when read from text. */
export class RoutingTableError extends Error {
  constructor(readonly problems: readonly DocumentProblem[]) {
    super(`the routing table is not valid: ${problems.map((p) => `${p.pointer}: ${p.text.en}`).join('; ')}`);
  }
}

const ROLE_SCHEMA = {
  type: 'object',
  required: ['kind', 'scope'],
  properties: { kind: { type: 'string', pattern: '^[a-z][a-z0-9-]{1,63}$' }, scope: { enum: ['city', 'district', 'street'] } },
};
const WORD_SCHEMA = { type: 'string', minLength: 1, maxLength: 50, pattern: '\\S' };
/**
 * The published shape of a table. Properties it does not name are let through (tables written
 * before it was published may carry notes); each rule is checked on its own, in order, so that
 * its problems and those of its meaning come out in the order of the text.
 */
export const ROUTING_TABLE_SCHEMA = deepFreeze({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://cityloop.dev/schemas/routing-table.json',
  title: 'CityLoop routing table (派单目录)',
  type: 'object',
  required: ['rules'],
  properties: {
    rules: {
      type: 'array',
      items: {
        type: 'object',
        required: ['category', 'lead'],
        properties: {
          category: { type: 'string', pattern: '^[a-z0-9.-]{2,100}$' },
          jurisdiction: { type: 'string', pattern: '^[0-9]{6,15}$' },
          lead: ROLE_SCHEMA,
          assists: { type: 'array', items: ROLE_SCHEMA },
        },
      },
    },
    refine: {
      type: 'array',
      items: {
        type: 'object',
        required: ['keywords', 'category'],
        properties: {
          keywords: { type: 'array', minItems: 1, items: WORD_SCHEMA },
          category: { type: 'string', minLength: 1 },
          unless: { type: 'array', items: WORD_SCHEMA },
        },
      },
    },
    danger: {
      type: 'array',
      items: {
        type: 'object',
        required: ['words', 'priority', 'reason'],
        properties: {
          words: { type: 'array', minItems: 1, items: WORD_SCHEMA },
          priority: { enum: ['high', 'urgent'] },
          reason: { type: 'string', minLength: 1, maxLength: 100 },
          unless: { type: 'array', items: WORD_SCHEMA },
        },
      },
    },
    negations: { type: 'array', items: WORD_SCHEMA },
    hypotheticals: { type: 'array', items: WORD_SCHEMA },
  },
} as const);

const FIELD_RULES = {
  category: { en: 'must be a category code', zh: '须为事项类别代码' },
  jurisdiction: { en: 'must be a jurisdiction code', zh: '须为辖区代码（6 至 15 位数字）' },
  kind: { en: 'must be a unit kind', zh: '须为单位类型（小写字母、数字和 -）' },
  keywords: { en: 'must be a word, not blank', zh: '关键词不能为空白' },
  words: { en: 'must be a word, not blank', zh: '危险词不能为空白' },
  unless: { en: 'must be a phrase, not blank', zh: '排除词不能为空白' },
  negations: { en: 'must be a word, not blank', zh: '否定词不能为空白' },
  hypotheticals: { en: 'must be a word, not blank', zh: '假设词不能为空白' },
};
const { rules: RULES_SCHEMA, refine: REFINE_SCHEMA, danger: DANGER_SCHEMA, negations: NEGATIONS_SCHEMA, hypotheticals: HYPOTHETICALS_SCHEMA } = ROUTING_TABLE_SCHEMA.properties;
const tableCheck = schemaCheck(
  { ...ROUTING_TABLE_SCHEMA, properties: { rules: { type: 'array' }, refine: { type: 'array' }, danger: { type: 'array' }, negations: NEGATIONS_SCHEMA, hypotheticals: HYPOTHETICALS_SCHEMA } },
  { fieldRules: FIELD_RULES },
);
const ruleCheck = schemaCheck(RULES_SCHEMA.items, { fieldRules: FIELD_RULES });
const refineCheck = schemaCheck(REFINE_SCHEMA.items, { fieldRules: FIELD_RULES });
const dangerCheck = schemaCheck(DANGER_SCHEMA.items, { fieldRules: FIELD_RULES });

export interface RoutingTableOptions {
  readonly knownUnitKinds?: ReadonlySet<string>;
  readonly knownCategories?: ReadonlySet<string>;
}

/**
 * Reads a table from YAML or JSON text (or an object), checking every rule; throws
 * RoutingTableError. Problems found in text carry their line and column.
 */
export function parseRoutingTable(input: string | unknown, opts: RoutingTableOptions = {}): RoutingTable {
  if (typeof input !== 'string') return checkTableData(input, opts);
  const read = readYaml(input, { maxAliasCount: 10 });
  if (!read.ok) throw new RoutingTableError(read.problems);
  try {
    return checkTableData(read.data ?? {}, opts);
  } catch (e) {
    if (e instanceof RoutingTableError) throw new RoutingTableError(placeProblems(read, e.problems));
    throw e;
  }
}

function checkTableData(data: unknown, opts: RoutingTableOptions): RoutingTable {
  const top = tableCheck.check(data);
  if (top.length > 0) throw new RoutingTableError(top);
  const table = data as { rules: unknown[]; refine?: unknown[]; danger?: unknown[]; negations?: string[]; hypotheticals?: string[] };
  const problems: DocumentProblem[] = [];
  const problem = (pointer: string, en: string, zh: string): void => void problems.push(problemAt(pointer, { en, zh }));
  const known = (pointer: string, what: { en: string; zh: string }, name: string, names: ReadonlySet<string> | undefined): void => {
    if (names !== undefined && !names.has(name)) problem(pointer, `unknown ${what.en} ${name}`, `未知的${what.zh} ${name}`);
  };
  const CATEGORY = { en: 'category', zh: '事项类别' };
  const UNIT_KIND = { en: 'unit kind', zh: '单位类型' };

  const rules: RoutingRule[] = [];
  const seen = new Set<string>();
  table.rules.forEach((r, i) => {
    const base = `/rules/${i}`;
    const shape = ruleCheck.check(r);
    if (shape.length > 0) {
      for (const p of shape) problems.push(underPointer(base, p));
      return;
    }
    const rule = r as { category: string; jurisdiction?: string; lead: UnitRole; assists?: UnitRole[] };
    known(`${base}/category`, CATEGORY, rule.category, opts.knownCategories);
    known(`${base}/lead/kind`, UNIT_KIND, rule.lead.kind, opts.knownUnitKinds);
    (rule.assists ?? []).forEach((a, j) => known(`${base}/assists/${j}/kind`, UNIT_KIND, a.kind, opts.knownUnitKinds));
    const key = `${rule.category}@${rule.jurisdiction ?? '*'}`;
    if (seen.has(key)) problem(base, `a second rule for ${key}`, `${key} 的规则重复`);
    seen.add(key);
    const role = (u: UnitRole): UnitRole => ({ kind: u.kind, scope: u.scope });
    rules.push({ category: rule.category, ...(rule.jurisdiction !== undefined ? { jurisdiction: rule.jurisdiction } : {}), lead: role(rule.lead), assists: (rule.assists ?? []).map(role) });
  });
  const refine: RefineRule[] = [];
  (table.refine ?? []).forEach((r, i) => {
    const base = `/refine/${i}`;
    const shape = refineCheck.check(r);
    if (shape.length > 0) {
      for (const p of shape) problems.push(underPointer(base, p));
      return;
    }
    const rule = r as { keywords: string[]; category: string; unless?: string[] };
    known(`${base}/category`, CATEGORY, rule.category, opts.knownCategories);
    refine.push({ keywords: rule.keywords.map((k) => k.trim()), category: rule.category, ...(rule.unless ? { unless: rule.unless.map((u) => u.trim()) } : {}) });
  });
  const danger: DangerRule[] = [];
  (table.danger ?? []).forEach((r, i) => {
    const shape = dangerCheck.check(r);
    if (shape.length > 0) {
      for (const p of shape) problems.push(underPointer(`/danger/${i}`, p));
      return;
    }
    const rule = r as { words: string[]; priority: 'high' | 'urgent'; reason: string; unless?: string[] };
    danger.push({ words: rule.words.map((w) => w.trim()), priority: rule.priority, reason: rule.reason.trim(), ...(rule.unless ? { unless: rule.unless.map((u) => u.trim()) } : {}) });
  });
  if (problems.length > 0) throw new RoutingTableError(problems);
  const words = (list: string[] | undefined) => list?.map((w) => w.trim());
  return {
    refine,
    danger,
    ...(table.negations ? { negations: words(table.negations) } : {}),
    ...(table.hypotheticals ? { hypotheticals: words(table.hypotheticals) } : {}),
    rules,
  };
}

/** The keyword rule that fits the text best (see matchRefine), or null. */
export function refineCategory(table: RoutingTable, text: string): { category: string; keyword: string } | null {
  return matchRefine(table.refine, text, { negations: table.negations });
}

/** The danger words in the text and the priority they call for, or null. */
export function dangerIn(table: RoutingTable, text: string): DangerFound | null {
  return findDanger(table.danger, text, { negations: table.negations, hypotheticals: table.hypotheticals });
}

export interface RouteChoice {
  readonly rule: RoutingRule;
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
  return best ? { rule: best.rule } : null;
}

/**
 * The rule in words an operator reads — the names of its category, its place and the unit it
 * sends to (or the kind of unit, when the place has none), never their codes: "派单目录：供水爆管（七星岗街道） →
 * 渝中区供水公司". The codes stay in the routing record's structured fields (`categoryCode`, `rule`).
 */
function ruleWords(rule: RoutingRule, f: RouteFacts, to: string): string {
  const place = rule.jurisdiction !== undefined ? (f.chain.find((l) => l.code === rule.jurisdiction)?.name ?? null) : null;
  return `派单目录：${categoryWords(rule.category, f)}${place ? `（${place}）` : ''} → ${to}`;
}
const categoryWords = (code: string, f: RouteFacts): string => f.categoryName(code) ?? '未命名类别';

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
  /** The danger words found in the message: said in the why. */
  readonly danger?: DangerFound | null | undefined;
  unitOfKind(kind: string, jurisdictionCode: string): RoutedUnit | undefined;
  /** A category's name (the why names categories, never codes); null when the list has none. */
  categoryName(code: string): string | null;
  /** A kind of unit's name (城市管理局); null when unknown. */
  unitKindName(kind: string): string | null;
}

/**
 * The routing decision itself, pure: the intake (appeal-intake.ts) records it on a case and the
 * administrator's dry run (routing-table-check.ts) shows it, so the two can never disagree.
 */
export function decideRoute(table: RoutingTable | null, f: RouteFacts): RouteDecision {
  const d = decideUnits(table, f);
  return f.danger ? { ...d, why: `${d.why}；${f.danger.why}` } : d;
}

function decideUnits(table: RoutingTable | null, f: RouteFacts): RouteDecision {
  if (f.categoryBy === 'classifier' && f.confidence !== null && f.confidence < f.threshold) {
    return { outcome: 'triage', why: `分类置信度${f.confidence}低于阈值${f.threshold}，转人工分拨`, choice: null };
  }
  const choice = table ? chooseRoute(table, f.categoryCode, f.chain) : null;
  if (!choice) return { outcome: 'triage', why: `派单目录中没有适用于“${categoryWords(f.categoryCode, f)}”的规则，转人工分拨`, choice: null };
  const unitAt = (kind: string, scope: string) => {
    const code = scope === 'city' ? f.chain[0]?.code : f.chain.find((l) => l.level === scope)?.code;
    return code ? f.unitOfKind(kind, code) : undefined;
  };
  const lead = unitAt(choice.rule.lead.kind, choice.rule.lead.scope);
  if (!lead) return { outcome: 'triage', why: `${ruleWords(choice.rule, f, f.unitKindName(choice.rule.lead.kind) ?? '该类单位')}：本地没有该单位，转人工分拨`, choice };
  const assists = choice.rule.assists.map((a) => unitAt(a.kind, a.scope)).filter((u): u is RoutedUnit => u !== undefined && u.id !== lead.id);
  const why = `${ruleWords(choice.rule, f, lead.name)}${f.keyword !== null ? `；关键词“${f.keyword}”` : ''}${f.confidence !== null ? `；分类置信度${f.confidence}` : f.categoryBy === 'agent' ? '；坐席选定类别' : ''}`;
  return { outcome: 'dispatched', why, choice, lead, assists };
}

/** The why of an appeal dispatched by a plan (预案) instead of the table's units: the plan, then the keyword, confidence and danger. */
export function planWhy(plan: { readonly name: string }, why: string): string {
  return `预案“${plan.name}”派遣；${why.replace(/^派单目录：[^；]*；?/, '')}`.replace(/；$/, '');
}
