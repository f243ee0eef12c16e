/**
 * Alert rules (告警规则) as data, like plans: the YAML a city's staff write, its JSON Schema, and
 * the loader that turns text into checked `RuleDefinition`s and then into `CompiledRule`s that
 * the pure engine (`rule-engine.ts`) evaluates. A bad rule is refused at load time with every
 * problem, its JSON pointer and its line and column, in Chinese and English.
 * Reference: docs/reference/rules.md.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { closestName } from '../../closest-name.ts';
import { lineOfPointer, position } from '../../yaml-positions.ts';
import { Document, LineCounter, isCollection, isSeq, parseDocument, visit, type Node as YamlNode } from 'yaml';
import { TIERS, type Tier } from '../../cases/case-model.ts';
import { SEVERITIES, severityRank, type Severity } from '../sensing-model.ts';

// ───────────────────────────── the document (YAML / JSON shape) ─────────────────────────────

/** A number, or `$name`: a parameter of the rule that a device or an asset may override. */
export type NumberRef = number | string;
/** `'30s'`, `'2m'`, `'1h30m'`, or `$name` (a parameter in seconds). */
export type DurationRef = string;
/** An amount (`0.1`), a percentage (`'30%'`), or `$name` / `$name%` (a parameter). */
export type AmountRef = number | string;

export interface ThresholdDocument {
  metric: string;
  above?: NumberRef;
  below?: NumberRef;
  /** With `above`: once raised, the condition holds until the value drops below this. Default: `above`. */
  clearBelow?: NumberRef;
  /** With `below`: once raised, the condition holds until the value rises above this. Default: `below`. */
  clearAbove?: NumberRef;
}

export interface CountDocument {
  metric: string;
  above?: NumberRef;
  below?: NumberRef;
  /** Readings beyond the bound within `within` that raise. */
  times: NumberRef;
  within: DurationRef;
  /** Once raised, the condition holds while at least this many lie in the window. Default 1. */
  holdTimes?: NumberRef;
}

export interface ChangeDocument {
  metric: string;
  fallsBy?: AmountRef;
  risesBy?: AmountRef;
  within: DurationRef;
  /** Once raised, the condition holds while the value stays changed by at least this much from the reference. Default: half of the change. */
  holdBy?: AmountRef;
}

export interface AbsenceDocument {
  for: DurationRef;
}

/** One condition: exactly one kind, and an optional `for` (must hold continuously that long). */
export interface ConditionDocument {
  threshold?: ThresholdDocument;
  count?: CountDocument;
  change?: ChangeDocument;
  absence?: AbsenceDocument;
  all?: ConditionDocument[];
  any?: ConditionDocument[];
  for?: DurationRef;
}

export interface SeverityLevelDocument {
  atLeast?: NumberRef;
  atMost?: NumberRef;
  level: Severity;
}

export type SeverityDocument = Severity | { level: Severity } | { metric: string; levels: SeverityLevelDocument[] };

export const RULE_SCOPES = ['device', 'asset'] as const;
export type RuleScope = (typeof RULE_SCOPES)[number];

/** A rule as plain data, the shape of the YAML file. */
export interface RuleDocument {
  id: string;
  name: string;
  description?: string;
  /** Device types whose readings the rule reads; `['*']`: every type. */
  deviceTypes: string[];
  /** With `deviceTypes: ['*']`: the types left out (cameras send no readings). */
  exceptDeviceTypes?: string[];
  scope?: RuleScope;
  /** The case category a verified alert opens; null or absent: an alert only. */
  category?: string | null;
  /** The alert verifies itself: the case opens and the plan runs with no human step. */
  trusted?: boolean;
  /** The tier of the center that receives (and verifies) the alert; absent: the platform's default (district). */
  tier?: Tier;
  /** Defaults of the `$name` parameters; a number, or a duration (`'15m'`, kept in seconds). */
  params?: Record<string, number | string>;
  condition: ConditionDocument;
  severity: SeverityDocument;
}

/** A checked rule, defaults filled in: plain JSON data (the registry's `definition` column). */
export interface RuleDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly deviceTypes: readonly string[];
  readonly exceptDeviceTypes: readonly string[];
  readonly scope: RuleScope;
  readonly category: string | null;
  readonly trusted: boolean;
  /** null: the platform's default. */
  readonly tier: Tier | null;
  /** Every declared parameter and its default; durations in seconds. */
  readonly params: Readonly<Record<string, number>>;
  /** As written (checked). */
  readonly condition: ConditionDocument;
  readonly severity: { readonly level: Severity } | { readonly metric: string; readonly levels: readonly SeverityLevelDocument[] };
}

// ───────────────────────────── JSON Schema ─────────────────────────────

const NAME = '[A-Za-z][A-Za-z0-9_]{0,63}';
const PATTERNS = {
  ruleId: '^[a-z0-9-]{3,64}$',
  // The metric names telemetry accepts (src/sensing/ingest/telemetry.ts).
  metric: '^[A-Za-z][A-Za-z0-9_]{0,39}$',
  deviceType: '^([a-z][a-z0-9_]{0,39}|\\*)$',
  exceptDeviceType: '^[a-z][a-z0-9_]{0,39}$',
  category: '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*$',
  paramName: `^${NAME}$`,
  numberRef: `^\\$${NAME}$`,
  amountRef: `^(\\$${NAME}%?|(0|[1-9][0-9]{0,5})(\\.[0-9]{1,6})?%)$`,
  duration: `^(\\$${NAME}|(?=[0-9])([0-9]{1,6}d)?([0-9]{1,6}h)?([0-9]{1,6}m)?([0-9]{1,6}s)?)$`,
  paramDefault: '^(?=[0-9])([0-9]{1,6}d)?([0-9]{1,6}h)?([0-9]{1,6}m)?([0-9]{1,6}s)?$',
} as const;

type Bilingual = { readonly en: string; readonly zh: string };

/** What a field's pattern means, by the name of the field (or of the map whose keys are checked). */
const DURATION_RULE: Bilingual = { en: "must be a duration such as '30s', '2m' or '1h30m', or a $parameter", zh: "须为时长，如 '30s'、'2m'、'1h30m'，或 $参数" };
const NUMBER_RULE: Bilingual = { en: 'must be a number or a $parameter such as $limit', zh: '须为数字或 $参数（如 $limit）' };
const AMOUNT_RULE: Bilingual = { en: "must be an amount (0.1), a percentage ('30%') or a $parameter ('$drop', '$drop%')", zh: "须为数值（0.1）、百分比（'30%'）或 $参数（'$drop'、'$drop%'）" };
const FIELD_RULES: Readonly<Record<string, Bilingual>> = {
  id: { en: 'must be 3 to 64 lower-case letters, digits or -', zh: '须为 3 至 64 个小写字母、数字或 -' },
  metric: { en: 'must be a metric name such as water_level (letters, digits and _)', zh: '须为指标名，如 water_level（字母、数字、下划线）' },
  deviceTypes: { en: 'must be a device type such as water_gauge, or *', zh: '须为设备类型（如 water_gauge）或 *' },
  exceptDeviceTypes: { en: 'must be a device type such as camera', zh: '须为设备类型，如 camera' },
  category: { en: 'must be a category code such as safety.underpass-waterlogging', zh: '须为事项类别代码，如 safety.underpass-waterlogging' },
  params: { en: "must be a parameter name of letters, digits and _ that starts with a letter, with a number or a duration ('15m')", zh: "参数名须以字母开头，由字母、数字、下划线组成；值为数字或时长（'15m'）" },
  for: DURATION_RULE,
  within: DURATION_RULE,
  above: NUMBER_RULE,
  below: NUMBER_RULE,
  clearBelow: NUMBER_RULE,
  clearAbove: NUMBER_RULE,
  times: NUMBER_RULE,
  holdTimes: NUMBER_RULE,
  atLeast: NUMBER_RULE,
  atMost: NUMBER_RULE,
  fallsBy: AMOUNT_RULE,
  risesBy: AMOUNT_RULE,
  holdBy: AMOUNT_RULE,
};

const numberRef = { type: ['number', 'string'], pattern: PATTERNS.numberRef };
const amountRef = { type: ['number', 'string'], pattern: PATTERNS.amountRef, exclusiveMinimum: 0 };
const durationRef = { type: 'string', pattern: PATTERNS.duration };
const metric = { type: 'string', pattern: PATTERNS.metric };

/** The published schema of one rule (JSON Schema draft 2020-12). A file holds one rule or a list of them. */
export const RULE_SCHEMA = deepFreeze({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://cityloop.dev/schemas/rule.json',
  title: 'CityLoop alert rule (告警规则)',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'deviceTypes', 'condition', 'severity'],
  properties: {
    id: { type: 'string', pattern: PATTERNS.ruleId },
    name: { type: 'string', minLength: 1, maxLength: 100 },
    description: { type: 'string', maxLength: 4000 },
    deviceTypes: { type: 'array', minItems: 1, maxItems: 50, uniqueItems: true, items: { type: 'string', pattern: PATTERNS.deviceType } },
    exceptDeviceTypes: { type: 'array', maxItems: 50, uniqueItems: true, items: { type: 'string', pattern: PATTERNS.exceptDeviceType } },
    scope: { enum: [...RULE_SCOPES] },
    category: { type: ['string', 'null'], maxLength: 128, pattern: PATTERNS.category },
    trusted: { type: 'boolean' },
    tier: { enum: [...TIERS] },
    params: {
      type: 'object',
      maxProperties: 32,
      propertyNames: { pattern: PATTERNS.paramName },
      additionalProperties: { type: ['number', 'string'], pattern: PATTERNS.paramDefault },
    },
    condition: { $ref: '#/$defs/condition' },
    severity: {
      if: { type: 'string' },
      then: { enum: [...SEVERITIES] },
      else: { $ref: '#/$defs/severity' },
    },
  },
  $defs: {
    condition: {
      type: 'object',
      additionalProperties: false,
      properties: {
        threshold: {
          type: 'object',
          additionalProperties: false,
          required: ['metric'],
          properties: { metric, above: numberRef, below: numberRef, clearBelow: numberRef, clearAbove: numberRef },
        },
        count: {
          type: 'object',
          additionalProperties: false,
          required: ['metric', 'times', 'within'],
          properties: { metric, above: numberRef, below: numberRef, times: numberRef, within: durationRef, holdTimes: numberRef },
        },
        change: {
          type: 'object',
          additionalProperties: false,
          required: ['metric', 'within'],
          properties: { metric, fallsBy: amountRef, risesBy: amountRef, within: durationRef, holdBy: amountRef },
        },
        absence: {
          type: 'object',
          additionalProperties: false,
          required: ['for'],
          properties: { for: durationRef },
        },
        all: { type: 'array', minItems: 1, maxItems: 16, items: { $ref: '#/$defs/condition' } },
        any: { type: 'array', minItems: 1, maxItems: 16, items: { $ref: '#/$defs/condition' } },
        for: durationRef,
      },
    },
    severity: {
      type: 'object',
      additionalProperties: false,
      properties: {
        level: { enum: [...SEVERITIES] },
        metric,
        levels: {
          type: 'array',
          minItems: 1,
          maxItems: 4,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['level'],
            properties: { atLeast: numberRef, atMost: numberRef, level: { enum: [...SEVERITIES] } },
          },
        },
      },
    },
  },
} as const);

// ───────────────────────────── problems ─────────────────────────────

export interface RuleProblem {
  /** JSON pointer into the file: `/condition/threshold/above`, or `/1/condition/…` in a list; '' for the whole file. */
  readonly path: string;
  /** In English. */
  readonly message: string;
  /** 中文。 */
  readonly messageZh: string;
  /** 1-based line and column in the YAML text, when known. */
  readonly line?: number;
  readonly column?: number;
}

export class RuleError extends Error {
  readonly fileName: string | null;
  readonly problems: readonly RuleProblem[];
  constructor(what: string, fileName: string | null, problems: readonly RuleProblem[]) {
    const where = fileName !== null && fileName !== what ? ` (${fileName})` : '';
    const lines = problems.map((p) => `  ${p.path === '' ? '/' : p.path}${p.line !== undefined ? ` (line ${p.line}${p.column !== undefined ? `, column ${p.column}` : ''})` : ''}: ${p.message}`);
    super(`rule ${what}${where} is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.name = 'RuleError';
    this.fileName = fileName;
    this.problems = Object.freeze(problems.map((p) => Object.freeze({ ...p })));
  }
}

// ───────────────────────────── loading ─────────────────────────────

export interface ParseRuleOptions {
  /** When given, every category must be one of them. */
  readonly knownCategories?: ReadonlySet<string>;
  /**
   * The metrics a device type measures, or undefined for a type the city has not described (then
   * anything goes). When given, every metric a rule reads must be measured by one of its types.
   */
  readonly metricsOf?: (deviceType: string) => ReadonlySet<string> | undefined;
}

export type ParseRuleResult = { readonly ok: true; readonly rules: RuleDefinition[] } | { readonly ok: false; readonly problems: RuleProblem[] };

/** Far above any real rule file. */
export const MAX_RULE_TEXT_LENGTH = 256 * 1024;
/** A file may hold this many rules. */
export const MAX_RULES_PER_FILE = 100;
const MAX_ALIAS_COUNT = 50;
/** Conditions nest at most this deep, with at most this many nodes in all. */
const MAX_CONDITION_DEPTH = 8;
const MAX_CONDITION_NODES = 64;
/** A `for` or an absence may span a month; a count or change window a day (its samples are kept). */
const MAX_DURATION_MS = 30 * 86_400_000;
const MAX_WINDOW_MS = 86_400_000;
const MAX_TIMES = 1000;

/**
 * Reads a rule file: YAML (or JSON) → JSON Schema → meaning (parameters, hysteresis bounds, the
 * kinds a `for` may wrap, severities) → checked definitions. A file holds one rule or a list.
 */
export function parseRuleDocument(text: string, fileName?: string, opts: ParseRuleOptions = {}): ParseRuleResult {
  const refuse = (problems: RuleProblem[]): ParseRuleResult => ({ ok: false, problems });
  if (typeof text !== 'string') return refuse([mk('', 'a rule file must be YAML or JSON text', '规则文件须为 YAML 或 JSON 文本')]);
  if (text.length > MAX_RULE_TEXT_LENGTH) {
    return refuse([mk('', `the file is ${text.length} characters long; the limit is ${MAX_RULE_TEXT_LENGTH}`, `文件长 ${text.length} 个字符，上限为 ${MAX_RULE_TEXT_LENGTH}`)]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, version: '1.2', schema: 'core', lineCounter: lines, prettyErrors: false });
  const yamlProblems: RuleProblem[] = [...doc.errors, ...doc.warnings].map((e) => {
    const first = e.message.split('\n')[0];
    return { ...mk('', `YAML: ${first}`, `YAML 格式错误：${first}`), ...position(lines, e.pos[0]) };
  });
  visit(doc, {
    Pair(_, pair) {
      if (isCollection(pair.key)) yamlProblems.push({ ...mk('', 'YAML: a key must be plain text, not a list or a map', 'YAML 格式错误：键须为纯文本，不能是列表或映射'), ...nodePosition(lines, pair.key as YamlNode) });
    },
  });
  if (yamlProblems.length > 0) return refuse(yamlProblems);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    return refuse([
      e instanceof ReferenceError
        ? mk('', `YAML: aliases expand too far (more than ${MAX_ALIAS_COUNT}); write the blocks out instead`, `YAML 格式错误：别名展开过多（超过 ${MAX_ALIAS_COUNT} 个），请直接写出内容`)
        : mk('', `YAML: ${(e as Error).message}`, `YAML 格式错误：${(e as Error).message}`),
    ]);
  }
  // An unknown property is pointed at by its key, anything else by its value.
  const locate = (p: RuleProblem): RuleProblem => (p.line !== undefined ? p : { ...p, ...lineOfPointer(doc, lines, p.path, p.message.startsWith('unknown property')) });

  const list = Array.isArray(data);
  const items: unknown[] = list ? (data as unknown[]) : [data];
  if (list && items.length === 0) return refuse([mk('', 'the list holds no rule', '列表中没有规则')]);
  if (items.length > MAX_RULES_PER_FILE) return refuse([mk('', `a file holds at most ${MAX_RULES_PER_FILE} rules (got ${items.length})`, `一个文件最多 ${MAX_RULES_PER_FILE} 条规则（实际 ${items.length} 条）`)]);

  const problems: RuleProblem[] = [];
  const rules: RuleDefinition[] = [];
  const firstIndex = new Map<string, number>();
  const validate = ruleValidator();
  items.forEach((item, i) => {
    const prefix = list ? `/${i}` : '';
    const id = isRecord(item) && typeof item.id === 'string' ? item.id : null;
    if (id !== null) {
      const first = firstIndex.get(id);
      if (first !== undefined) problems.push(mk(`${prefix}/id`, `rule id "${id}" is already used by /${first}`, `规则编号 "${id}" 已被 /${first} 使用`));
      else firstIndex.set(id, i);
    }
    if (!validate(item)) {
      for (const p of explainSchemaErrors(validate.errors ?? [], item)) problems.push({ ...p, path: prefix + p.path });
      return;
    }
    const built = buildDefinition(item as unknown as RuleDocument, opts);
    for (const p of built.problems) problems.push({ ...p, path: prefix + p.path });
    if (built.problems.length === 0) rules.push(built.definition);
  });
  if (problems.length > 0) return refuse(problems.map(locate));
  void fileName; // names the file in the errors the caller builds (RuleError)
  return { ok: true, rules: rules.map((r) => deepFreeze(r)) };
}

/** parseRuleDocument that throws a RuleError listing every problem. */
export function parseRules(text: string, fileName?: string, opts: ParseRuleOptions = {}): RuleDefinition[] {
  const result = parseRuleDocument(text, fileName, opts);
  if (!result.ok) throw new RuleError(fileName ?? '(unnamed file)', fileName ?? null, result.problems);
  return result.rules;
}

/**
 * The text of each rule of a file on its own (for the registry's `source` column): the file
 * itself when it holds one rule, else each list item written out as YAML (comments kept).
 * Call only on text that parseRuleDocument accepted.
 */
export function splitRuleSources(text: string): string[] {
  const doc = parseDocument(text, { version: '1.2', schema: 'core' });
  if (!isSeq(doc.contents)) return [text];
  return doc.contents.items.map((item) => {
    const single = new Document(null, { version: '1.2' });
    single.contents = item as YamlNode;
    return single.toString({ lineWidth: 0 });
  });
}

let cachedValidator: ValidateFunction | null = null;
function ruleValidator(): ValidateFunction {
  cachedValidator ??= new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(RULE_SCHEMA as unknown as object);
  return cachedValidator;
}

function explainSchemaErrors(errors: readonly ErrorObject[], data: unknown): RuleProblem[] {
  const out: RuleProblem[] = [];
  const seen = new Set<string>();
  const add = (path: string, en: string, zh: string): void => {
    const key = `${path}\u0000${en}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(mk(path, en, zh));
    }
  };
  for (const e of errors) {
    const path = e.instancePath;
    const value = valueAtPointer(data, path);
    const got = describeData(value);
    const params = e.params as Record<string, unknown>;
    const propertyName = (e as ErrorObject & { propertyName?: string }).propertyName;
    if (propertyName !== undefined) {
      const rule = fieldRule(path);
      add(`${path}/${escapePointer(propertyName)}`, `name ${JSON.stringify(propertyName)} ${rule.en}`, `名称 ${JSON.stringify(propertyName)} ${rule.zh}`);
      continue;
    }
    switch (e.keyword) {
      case 'if':
      case 'propertyNames':
        break;
      case 'additionalProperties': {
        const name = String(params.additionalProperty);
        const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        const hint = closestName(name, allowed);
        add(
          `${path}/${escapePointer(name)}`,
          `unknown property ${JSON.stringify(name)}${hint !== null ? ` (did you mean ${JSON.stringify(hint)}?)` : allowed.length > 0 ? `; allowed: ${allowed.join(', ')}` : ''}`,
          `未知属性 ${JSON.stringify(name)}${hint !== null ? `（是否应为 ${JSON.stringify(hint)}？）` : allowed.length > 0 ? `；可用：${allowed.join('、')}` : ''}`,
        );
        break;
      }
      case 'required':
        add(`${path}/${escapePointer(String(params.missingProperty))}`, 'is required', '必填');
        break;
      case 'type': {
        const types = String(params.type).split(',');
        if (types.includes('number') && types.includes('string')) {
          const rule = fieldRule(path);
          add(path, `${rule.en}, got ${got.en}`, `${rule.zh}，实际为 ${got.zh}`);
        } else {
          add(path, `must be ${types.map(article).join(' or ')}, got ${got.en}`, `须为${types.map(typeZh).join('或')}，实际为 ${got.zh}`);
        }
        break;
      }
      case 'enum': {
        const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
        add(path, `must be one of ${allowed.join(', ')}, got ${got.en}`, `须为 ${allowed.join('、')} 之一，实际为 ${got.zh}`);
        break;
      }
      case 'pattern': {
        const rule = fieldRule(path);
        add(path, `${rule.en}, got ${got.en}`, `${rule.zh}，实际为 ${got.zh}`);
        break;
      }
      case 'minItems':
        add(path, `must list at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`, `至少须有 ${String(params.limit)} 项`);
        break;
      case 'maxItems':
        add(path, `must list at most ${String(params.limit)} items`, `最多 ${String(params.limit)} 项`);
        break;
      case 'minLength':
        add(path, 'must not be empty', '不能为空');
        break;
      case 'maxLength':
        add(path, `must be at most ${String(params.limit)} characters long`, `最多 ${String(params.limit)} 个字符`);
        break;
      case 'maxProperties':
        add(path, `must have at most ${String(params.limit)} entries`, `最多 ${String(params.limit)} 项`);
        break;
      case 'exclusiveMinimum':
        add(path, `must be greater than ${String(params.limit)}, got ${got.en}`, `须大于 ${String(params.limit)}，实际为 ${got.zh}`);
        break;
      case 'uniqueItems':
        add(path, `must not list the same value twice (items ${String(params.j)} and ${String(params.i)})`, `不得重复列出同一值（第 ${String(params.j)} 项与第 ${String(params.i)} 项）`);
        break;
      default:
        add(path, `${String(e.message)}, got ${got.en}`, `不符合要求（${String(e.message)}），实际为 ${got.zh}`);
    }
  }
  return out;
}

const article = (type: string): string => (type === 'object' ? 'a map' : type === 'array' ? 'a list' : type === 'integer' ? 'a whole number' : type === 'null' ? 'null' : `a ${type}`);
const typeZh = (type: string): string =>
  ({ object: '映射', array: '列表', integer: '整数', number: '数字', string: '文本', boolean: '布尔值（true/false）', null: 'null' })[type] ?? type;

function fieldRule(pointer: string): Bilingual {
  const field = pointer.split('/').reverse().find((s) => s !== '' && !/^\d+$/.test(s));
  const name = field === undefined ? '' : unescapePointer(field);
  return Object.hasOwn(FIELD_RULES, name) ? FIELD_RULES[name]! : { en: 'is not in the expected form', zh: '格式不正确' };
}

// ───────────────────────────── meaning ─────────────────────────────

const KINDS = ['threshold', 'count', 'change', 'absence', 'all', 'any'] as const;
type Kind = (typeof KINDS)[number];

interface Built {
  readonly definition: RuleDefinition;
  readonly problems: readonly RuleProblem[];
}

/** What a schema cannot check: parameters, one kind per condition, hysteresis bounds, severities. */
function buildDefinition(doc: RuleDocument, opts: ParseRuleOptions): Built {
  const problems: RuleProblem[] = [];
  const problem = (path: string, en: string, zh: string): void => void problems.push(mk(path, en, zh));

  // parameters: numbers as they are, durations in seconds
  const params: Record<string, number> = {};
  const durationParams = new Set<string>();
  for (const [name, value] of Object.entries(doc.params ?? {})) {
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) problem(`/params/${escapePointer(name)}`, 'must be a finite number', '须为有限数字');
      params[name] = value;
    } else {
      const ms = durationMs(value);
      if (ms === null || ms <= 0) problem(`/params/${escapePointer(name)}`, `duration ${JSON.stringify(value)} is not valid (units d, h, m, s in that order, more than zero)`, `时长 ${JSON.stringify(value)} 无效（单位依次为 d、h、m、s，且须大于零）`);
      params[name] = (ms ?? 0) / 1000;
      durationParams.add(name);
    }
  }
  const used = new Set<string>();
  const paramNames = Object.keys(params);
  let unknownParams = 0;
  const unknownParam = (path: string, name: string): void => {
    unknownParams++;
    problem(path, `no parameter is named ${JSON.stringify(name)}${suggestionEn(name, paramNames)}; declare it with its default under params`, `未声明参数 ${JSON.stringify(name)}${suggestionZh(name, paramNames)}；请在 params 中声明并给出默认值`);
  };

  /** The default value of a number field (a parameter's default for `$name`), or null after a problem. */
  const numberAt = (path: string, ref: NumberRef): number | null => {
    if (typeof ref === 'number') {
      if (!Number.isFinite(ref)) {
        problem(path, 'must be a finite number', '须为有限数字');
        return null;
      }
      return ref;
    }
    const name = ref.slice(1);
    if (!Object.hasOwn(params, name)) return (unknownParam(path, name), null);
    used.add(name);
    if (durationParams.has(name)) {
      problem(path, `parameter ${JSON.stringify(name)} is a duration; it cannot stand for a number here`, `参数 ${JSON.stringify(name)} 是时长，不能用作此处的数值`);
      return null;
    }
    return params[name]!;
  };
  const durationAt = (path: string, ref: DurationRef, max: number): number | null => {
    let ms: number | null;
    if (ref.startsWith('$')) {
      const name = ref.slice(1);
      if (!Object.hasOwn(params, name)) return (unknownParam(path, name), null);
      used.add(name);
      ms = params[name]! * 1000;
    } else {
      ms = durationMs(ref);
      if (ms === null) {
        problem(path, `duration ${JSON.stringify(ref)} is not valid: units d, h, m, s, each once, in that order ('1h30m')`, `时长 ${JSON.stringify(ref)} 无效：单位 d、h、m、s 各至多一次，依次书写（如 '1h30m'）`);
        return null;
      }
    }
    if (!(ms > 0)) problem(path, 'must be longer than zero', '须大于零');
    else if (ms > max) problem(path, `must be at most ${formatDuration(max)}`, `不得超过 ${formatDuration(max)}`);
    return ms;
  };
  /** An amount's default: { value, percent } (30% → 30). */
  const amountAt = (path: string, ref: AmountRef): { value: number; percent: boolean } | null => {
    if (typeof ref === 'number') return { value: ref, percent: false };
    const percent = ref.endsWith('%');
    const body = percent ? ref.slice(0, -1) : ref;
    if (body.startsWith('$')) {
      const v = numberAt(path, body);
      if (v === null) return null;
      if (!(v > 0)) problem(path, `parameter ${body} must default to more than zero`, `参数 ${body} 的默认值须大于零`);
      return { value: v, percent };
    }
    const v = Number(body);
    if (!(v > 0)) problem(path, 'must be more than zero', '须大于零');
    return { value: v, percent };
  };

  // the condition tree
  let nodeCount = 0;
  /** Returns whether the subtree holds a count, a change or an absence (which a `for` may not wrap). */
  const checkCondition = (c: ConditionDocument, path: string, depth: number): { timed: boolean; kinds: Set<Kind> } => {
    nodeCount++;
    const kinds = new Set<Kind>();
    if (depth > MAX_CONDITION_DEPTH) {
      problem(path, `conditions nest at most ${MAX_CONDITION_DEPTH} deep`, `条件最多嵌套 ${MAX_CONDITION_DEPTH} 层`);
      return { timed: false, kinds };
    }
    const present = KINDS.filter((k) => c[k] !== undefined);
    if (present.length === 0) {
      problem(path, `a condition names one of ${KINDS.join(', ')}`, `条件须为 ${KINDS.join('、')} 之一`);
      return { timed: false, kinds };
    }
    if (present.length > 1) {
      problem(path, `a condition names exactly one kind, here ${present.join(' and ')}: put them under all or any`, `一个条件只能有一种类型，此处有 ${present.join('、')}：请放在 all 或 any 之下`);
      return { timed: false, kinds };
    }
    const kind = present[0]!;
    kinds.add(kind);
    let timed = false;
    switch (kind) {
      case 'threshold': {
        const t = c.threshold!;
        const p = `${path}/threshold`;
        const dir = oneOf(t.above, t.below, p, 'above', 'below', problem);
        if (t.clearBelow !== undefined && dir !== 'first') problem(`${p}/clearBelow`, 'clearBelow goes with above (the value must drop below it to clear)', 'clearBelow 须与 above 搭配（数值降到其下方才解除）');
        if (t.clearAbove !== undefined && dir !== 'second') problem(`${p}/clearAbove`, 'clearAbove goes with below (the value must rise above it to clear)', 'clearAbove 须与 below 搭配（数值升到其上方才解除）');
        const raise = dir === 'first' ? numberAt(`${p}/above`, t.above!) : dir === 'second' ? numberAt(`${p}/below`, t.below!) : null;
        const clear = t.clearBelow !== undefined ? numberAt(`${p}/clearBelow`, t.clearBelow) : t.clearAbove !== undefined ? numberAt(`${p}/clearAbove`, t.clearAbove) : null;
        if (raise !== null && clear !== null) {
          if (dir === 'first' && clear > raise) problem(`${p}/clearBelow`, `clearBelow (${clear}) must not be above the raise bound (${raise})`, `clearBelow（${clear}）不得高于触发值（${raise}）`);
          if (dir === 'second' && clear < raise) problem(`${p}/clearAbove`, `clearAbove (${clear}) must not be below the raise bound (${raise})`, `clearAbove（${clear}）不得低于触发值（${raise}）`);
        }
        break;
      }
      case 'count': {
        const t = c.count!;
        const p = `${path}/count`;
        const dir = oneOf(t.above, t.below, p, 'above', 'below', problem);
        if (dir === 'first') numberAt(`${p}/above`, t.above!);
        if (dir === 'second') numberAt(`${p}/below`, t.below!);
        const times = numberAt(`${p}/times`, t.times);
        if (times !== null && !(Number.isInteger(times) && times >= 1 && times <= MAX_TIMES)) problem(`${p}/times`, `must be a whole number from 1 to ${MAX_TIMES}`, `须为 1 至 ${MAX_TIMES} 的整数`);
        const hold = t.holdTimes === undefined ? 1 : numberAt(`${p}/holdTimes`, t.holdTimes);
        if (hold !== null && !(Number.isInteger(hold) && hold >= 1)) problem(`${p}/holdTimes`, 'must be a whole number of at least 1', '须为不小于 1 的整数');
        else if (hold !== null && times !== null && hold > times) problem(`${p}/holdTimes`, `must not exceed times (${times})`, `不得大于 times（${times}）`);
        durationAt(`${p}/within`, t.within, MAX_WINDOW_MS);
        timed = true;
        break;
      }
      case 'change': {
        const t = c.change!;
        const p = `${path}/change`;
        const dir = oneOf(t.fallsBy, t.risesBy, p, 'fallsBy', 'risesBy', problem);
        const field = dir === 'first' ? 'fallsBy' : 'risesBy';
        const amount = dir === 'none' || dir === 'both' ? null : amountAt(`${p}/${field}`, (dir === 'first' ? t.fallsBy : t.risesBy)!);
        if (amount !== null && amount.percent && dir === 'first' && amount.value > 100) problem(`${p}/fallsBy`, 'a fall is at most 100%', '降幅最多 100%');
        if (t.holdBy !== undefined && amount !== null) {
          const hold = amountAt(`${p}/holdBy`, t.holdBy);
          if (hold !== null && hold.percent !== amount.percent) {
            problem(`${p}/holdBy`, `must be ${amount.percent ? 'a percentage' : 'an amount'} like ${field}`, `须与 ${field} 一样为${amount.percent ? '百分比' : '数值'}`);
          } else if (hold !== null && hold.value > amount.value) {
            problem(`${p}/holdBy`, `must not exceed ${field}: the change that raised must also hold`, `不得大于 ${field}：触发时的变化须能维持`);
          }
        }
        durationAt(`${p}/within`, t.within, MAX_WINDOW_MS);
        timed = true;
        break;
      }
      case 'absence': {
        durationAt(`${path}/absence/for`, c.absence!.for, MAX_DURATION_MS);
        if (c.for !== undefined) problem(`${path}/for`, 'an absence has its own for: write absence: { for: 15m }', 'absence 自带时长：写作 absence: { for: 15m }');
        timed = true;
        break;
      }
      case 'all':
      case 'any': {
        c[kind]!.forEach((child, i) => {
          const r = checkCondition(child, `${path}/${kind}/${i}`, depth + 1);
          if (r.timed) timed = true;
          for (const k of r.kinds) kinds.add(k);
        });
        break;
      }
    }
    if (c.for !== undefined && kind !== 'absence') {
      durationAt(`${path}/for`, c.for, MAX_DURATION_MS);
      if (timed) {
        problem(
          `${path}/for`,
          'for applies to thresholds (and all/any of thresholds) only: a count or a change holds for at most its window, an absence has its own for',
          'for 只能用于阈值条件（及仅由阈值组成的 all/any）：计数与变化率条件最多只在其时间窗内成立，absence 自带时长',
        );
      }
    }
    return { timed, kinds };
  };
  const tree = checkCondition(doc.condition, '/condition', 1);
  if (nodeCount > MAX_CONDITION_NODES) problem('/condition', `a condition has at most ${MAX_CONDITION_NODES} parts (here ${nodeCount})`, `条件最多 ${MAX_CONDITION_NODES} 个部分（此处 ${nodeCount} 个）`);

  // severity
  let severity: RuleDefinition['severity'];
  if (typeof doc.severity === 'string') severity = { level: doc.severity };
  else if ('levels' in doc.severity || 'metric' in doc.severity) {
    const s = doc.severity as { metric?: string; levels?: SeverityLevelDocument[]; level?: Severity };
    if (s.level !== undefined) problem('/severity/level', 'a severity is either a fixed level or levels by a metric, not both', '严重程度要么是固定级别，要么按指标分级，不能兼有');
    if (s.metric === undefined) problem('/severity/metric', 'is required with levels: the metric whose value picks the level', '使用 levels 时必填：按哪个指标的数值分级');
    if (s.levels === undefined) problem('/severity/levels', 'is required with metric', '使用 metric 时必填');
    const levels = s.levels ?? [];
    let direction: 'atLeast' | 'atMost' | null = null;
    const seen = new Set<Severity>();
    const bounds: { rank: number; bound: number; i: number }[] = [];
    levels.forEach((l, i) => {
      const p = `/severity/levels/${i}`;
      if (seen.has(l.level)) problem(`${p}/level`, `level ${l.level} is listed twice`, `级别 ${l.level} 重复`);
      seen.add(l.level);
      const d = oneOf(l.atLeast, l.atMost, p, 'atLeast', 'atMost', problem);
      if (d === 'none' || d === 'both') return;
      const dir = d === 'first' ? 'atLeast' : 'atMost';
      if (direction !== null && dir !== direction) problem(`${p}/${dir}`, `all levels use the same bound: ${direction} (as the first level)`, `各级别须使用同一种界限：${direction}（与第一个级别相同）`);
      direction ??= dir;
      const bound = numberAt(`${p}/${dir}`, (dir === 'atLeast' ? l.atLeast : l.atMost)!);
      if (bound !== null) bounds.push({ rank: severityRank(l.level), bound, i });
    });
    // A more severe level must need a worse value, else the levels contradict one another.
    const sorted = [...bounds].sort((a, b) => a.rank - b.rank);
    for (let k = 1; k < sorted.length; k++) {
      const lower = sorted[k - 1]!;
      const higher = sorted[k]!;
      const wrong = direction === 'atMost' ? higher.bound > lower.bound : higher.bound < lower.bound;
      if (wrong) {
        problem(
          `/severity/levels/${higher.i}`,
          `a more severe level needs a ${direction === 'atMost' ? 'lower' : 'higher'} value: ${levels[higher.i]!.level} (${higher.bound}) vs ${levels[lower.i]!.level} (${lower.bound})`,
          `级别越高，所需数值应越${direction === 'atMost' ? '低' : '高'}：${levels[higher.i]!.level}（${higher.bound}）与 ${levels[lower.i]!.level}（${lower.bound}）`,
        );
      }
    }
    severity = { metric: s.metric ?? '', levels: levels.map((l) => ({ ...l })) };
    if (tree.kinds.size === 1 && tree.kinds.has('absence')) {
      problem('/severity', 'an absence rule has no value to grade: give a fixed level (severity: yellow)', '数据缺失规则没有可分级的数值：请给出固定级别（severity: yellow）');
    }
  } else {
    severity = { level: (doc.severity as { level?: Severity }).level ?? 'yellow' };
    if ((doc.severity as { level?: Severity }).level === undefined) problem('/severity', 'give a level (severity: { level: orange }) or a metric with levels', '请给出固定级别（severity: { level: orange }）或按指标分级（metric 与 levels）');
  }

  // device types, category, trust
  const star = doc.deviceTypes.includes('*');
  if (star && doc.deviceTypes.length > 1) problem('/deviceTypes', "'*' stands alone: it already means every type", "'*' 须单独使用：它已表示所有类型");
  if (doc.exceptDeviceTypes !== undefined && doc.exceptDeviceTypes.length > 0 && !star) problem('/exceptDeviceTypes', "exceptDeviceTypes goes with deviceTypes: ['*']", "exceptDeviceTypes 只能与 deviceTypes: ['*'] 搭配");
  const category = doc.category ?? null;
  if (category !== null && opts.knownCategories !== undefined && !opts.knownCategories.has(category)) {
    const known = [...opts.knownCategories];
    problem('/category', `unknown category ${JSON.stringify(category)}${suggestionEn(category, known)}`, `未知的事项类别 ${JSON.stringify(category)}${suggestionZh(category, known)}`);
  }
  const trusted = doc.trusted ?? false;
  if (trusted && category === null) problem('/trusted', 'a trusted rule opens a case, so it needs a category', '可信规则会直接立案，须指定 category');

  // metrics the device types measure
  if (opts.metricsOf !== undefined && !star) {
    const known = doc.deviceTypes.map((t) => opts.metricsOf!(t)).filter((m): m is ReadonlySet<string> => m !== undefined);
    if (known.length === doc.deviceTypes.length) {
      const all = new Set(known.flatMap((m) => [...m]));
      for (const { path, metric: name } of metricFields(doc)) {
        if (!all.has(name)) {
          problem(path, `no device of type ${doc.deviceTypes.join(' or ')} measures ${JSON.stringify(name)}${suggestionEn(name, [...all])}`, `${doc.deviceTypes.join('、')} 类设备不测量 ${JSON.stringify(name)}${suggestionZh(name, [...all])}`);
        }
      }
    }
  }

  // After an unknown parameter (a typo, most likely) an unused one is the same mistake: said once.
  for (const name of unknownParams > 0 ? [] : paramNames) {
    if (!used.has(name)) problem(`/params/${escapePointer(name)}`, `parameter ${JSON.stringify(name)} is not used by the rule`, `规则未使用参数 ${JSON.stringify(name)}`);
  }

  return {
    problems,
    definition: {
      id: doc.id,
      name: doc.name,
      description: doc.description ?? null,
      deviceTypes: [...doc.deviceTypes],
      exceptDeviceTypes: [...(doc.exceptDeviceTypes ?? [])],
      scope: doc.scope ?? 'device',
      category,
      trusted,
      tier: doc.tier ?? null,
      params,
      condition: structuredClone(doc.condition),
      severity,
    },
  };
}

/** Exactly one of two exclusive fields. */
function oneOf(a: unknown, b: unknown, path: string, first: string, second: string, problem: (path: string, en: string, zh: string) => void): 'first' | 'second' | 'none' | 'both' {
  if (a !== undefined && b !== undefined) {
    problem(path, `give either ${first} or ${second}, not both`, `${first} 与 ${second} 只能二选一`);
    return 'both';
  }
  if (a === undefined && b === undefined) {
    problem(path, `give ${first} or ${second}`, `须给出 ${first} 或 ${second}`);
    return 'none';
  }
  return a !== undefined ? 'first' : 'second';
}

function metricFields(doc: RuleDocument): { path: string; metric: string }[] {
  const out: { path: string; metric: string }[] = [];
  const walk = (c: ConditionDocument, path: string): void => {
    for (const k of ['threshold', 'count', 'change'] as const) {
      const leaf = c[k];
      if (leaf !== undefined) out.push({ path: `${path}/${k}/metric`, metric: leaf.metric });
    }
    c.all?.forEach((x, i) => walk(x, `${path}/all/${i}`));
    c.any?.forEach((x, i) => walk(x, `${path}/any/${i}`));
  };
  walk(doc.condition, '/condition');
  if (typeof doc.severity === 'object' && 'metric' in doc.severity) out.push({ path: '/severity/metric', metric: doc.severity.metric });
  return out;
}

// ───────────────────────────── compiling ─────────────────────────────

/**
 * A number the engine reads for a subject: the subject's parameter `param` when it has a finite
 * one, else `fallback`, times `scale` (0.01 for a percentage, 1000 for a duration parameter in
 * seconds, 0.5 for a default `holdBy`).
 */
export interface ValueRef {
  readonly param: string | null;
  readonly fallback: number;
  readonly scale: number;
  /** A duration as written ('60s'), for messages. */
  readonly text?: string;
}

/** The condition as a flat list of nodes, root first; children by index. Read by the engine. */
export type RuleNode =
  | { readonly kind: 'threshold'; readonly metric: string; readonly up: boolean; readonly raise: ValueRef; readonly clear: ValueRef | null }
  | { readonly kind: 'count'; readonly metric: string; readonly up: boolean; readonly bound: ValueRef; readonly times: ValueRef; readonly holdTimes: ValueRef; readonly within: ValueRef }
  | { readonly kind: 'change'; readonly metric: string; readonly up: boolean; readonly percent: boolean; readonly amount: ValueRef; readonly hold: ValueRef; readonly within: ValueRef }
  | { readonly kind: 'absence'; readonly after: ValueRef }
  | { readonly kind: 'all' | 'any'; readonly children: readonly number[] }
  | { readonly kind: 'for'; readonly child: number; readonly after: ValueRef };

export type CompiledSeverity =
  | { readonly kind: 'fixed'; readonly level: Severity }
  | { readonly kind: 'levels'; readonly metric: string; readonly up: boolean; readonly levels: readonly { readonly bound: ValueRef; readonly level: Severity }[] };

export interface CompiledRule {
  readonly id: string;
  readonly name: string;
  readonly scope: RuleScope;
  readonly category: string | null;
  readonly trusted: boolean;
  readonly tier: Tier | null;
  readonly definition: RuleDefinition;
  /** null: every device type (but `exceptDeviceTypes`). */
  readonly deviceTypes: ReadonlySet<string> | null;
  readonly exceptDeviceTypes: ReadonlySet<string>;
  /** Every metric the rule reads (condition and severity), in order of appearance. */
  readonly metrics: readonly string[];
  /** Changes when the shape of the condition changes: a state kept for another shape restarts its windows. */
  readonly signature: string;
  readonly nodes: readonly RuleNode[];
  readonly severity: CompiledSeverity;
  /** The metric an alert reports as its value, and which way is worse (its peak). null: absence only. */
  readonly primary: { readonly metric: string; readonly up: boolean } | null;
  /** Per metric, the indexes of the nodes that read it. */
  readonly nodesByMetric: ReadonlyMap<string, readonly number[]>;
  /** The nodes the clock acts on (for, count, absence), by index. */
  readonly timedNodes: readonly number[];
  readonly hasAbsence: boolean;
}

/** Turns a checked definition into the engine's form. Throws on a definition that was not checked. */
export function compileRule(def: RuleDefinition): CompiledRule {
  const nodes: RuleNode[] = [];
  const metrics: string[] = [];
  const addMetric = (m: string): void => void (metrics.includes(m) ? undefined : metrics.push(m));
  const num = (ref: NumberRef, scale = 1): ValueRef => {
    if (typeof ref === 'number') return { param: null, fallback: ref, scale };
    const name = ref.slice(1);
    const fallback = def.params[name];
    if (fallback === undefined) throw new Error(`rule ${def.id}: parameter ${name} is not declared (was the definition checked?)`);
    return { param: name, fallback, scale };
  };
  const duration = (ref: DurationRef): ValueRef => {
    if (ref.startsWith('$')) return num(ref, 1000);
    const ms = durationMs(ref);
    if (ms === null) throw new Error(`rule ${def.id}: invalid duration ${ref}`);
    return { param: null, fallback: ms, scale: 1, text: ref };
  };
  const amount = (ref: AmountRef, half = false): { ref: ValueRef; percent: boolean } => {
    const factor = half ? 0.5 : 1;
    if (typeof ref === 'number') return { ref: { param: null, fallback: ref, scale: factor }, percent: false };
    const percent = ref.endsWith('%');
    const body = percent ? ref.slice(0, -1) : ref;
    const scale = (percent ? 0.01 : 1) * factor;
    if (body.startsWith('$')) return { ref: num(body, scale), percent };
    return { ref: { param: null, fallback: Number(body), scale }, percent };
  };

  let hasAbsence = false;
  let firstLeaf: { metric: string; up: boolean } | null = null;
  const add = (c: ConditionDocument): number => {
    const index = nodes.length;
    nodes.push(null as unknown as RuleNode); // reserved for this condition (or for its `for`)
    let node: RuleNode;
    if (c.threshold) {
      const t = c.threshold;
      const up = t.above !== undefined;
      const clear = up ? t.clearBelow : t.clearAbove;
      node = { kind: 'threshold', metric: t.metric, up, raise: num((up ? t.above : t.below)!), clear: clear === undefined ? null : num(clear) };
    } else if (c.count) {
      const t = c.count;
      const up = t.above !== undefined;
      node = { kind: 'count', metric: t.metric, up, bound: num((up ? t.above : t.below)!), times: num(t.times), holdTimes: t.holdTimes === undefined ? { param: null, fallback: 1, scale: 1 } : num(t.holdTimes), within: duration(t.within) };
    } else if (c.change) {
      const t = c.change;
      const up = t.risesBy !== undefined;
      const a = amount((up ? t.risesBy : t.fallsBy)!);
      const hold = t.holdBy === undefined ? amount((up ? t.risesBy : t.fallsBy)!, true) : amount(t.holdBy);
      node = { kind: 'change', metric: t.metric, up, percent: a.percent, amount: a.ref, hold: hold.ref, within: duration(t.within) };
    } else if (c.absence) {
      hasAbsence = true;
      node = { kind: 'absence', after: duration(c.absence.for) };
    } else if (c.all || c.any) {
      const kind = c.all ? 'all' : 'any';
      // Children are added after the parent is reserved, so indexes grow down the tree.
      const children = (c.all ?? c.any)!.map((child) => add(child));
      node = { kind, children };
    } else {
      throw new Error(`rule ${def.id}: a condition without a kind (was the definition checked?)`);
    }
    if (node.kind === 'threshold' || node.kind === 'count' || node.kind === 'change') {
      addMetric(node.metric);
      firstLeaf ??= { metric: node.metric, up: node.up };
    }
    if (c.for !== undefined && !c.absence) {
      // The `for` wraps the node: it takes the reserved index, the node moves to the end.
      const inner = nodes.length;
      nodes.push(node);
      nodes[index] = { kind: 'for', child: inner, after: duration(c.for) };
    } else {
      nodes[index] = node;
    }
    return index;
  };
  add(def.condition);

  let severity: CompiledSeverity;
  let primary: { metric: string; up: boolean } | null = firstLeaf;
  if ('levels' in def.severity) {
    const up = def.severity.levels.every((l) => l.atMost === undefined);
    severity = { kind: 'levels', metric: def.severity.metric, up, levels: def.severity.levels.map((l) => ({ bound: num((up ? l.atLeast : l.atMost)!), level: l.level })) };
    addMetric(def.severity.metric);
    primary = { metric: def.severity.metric, up };
  } else {
    severity = { kind: 'fixed', level: def.severity.level };
  }

  const byMetric = new Map<string, number[]>();
  nodes.forEach((n, i) => {
    if (n.kind === 'threshold' || n.kind === 'count' || n.kind === 'change') {
      const list = byMetric.get(n.metric) ?? [];
      list.push(i);
      byMetric.set(n.metric, list);
    }
  });

  const star = def.deviceTypes.includes('*');
  return deepFreeze({
    id: def.id,
    name: def.name,
    scope: def.scope,
    category: def.category,
    trusted: def.trusted,
    tier: def.tier,
    definition: def,
    deviceTypes: star ? null : new Set(def.deviceTypes),
    exceptDeviceTypes: new Set(def.exceptDeviceTypes),
    metrics,
    signature: fnv1a(JSON.stringify(def.condition)),
    nodes,
    severity,
    primary,
    nodesByMetric: byMetric,
    timedNodes: nodes.flatMap((n, i) => (n.kind === 'for' || n.kind === 'count' || n.kind === 'absence' ? [i] : [])),
    hasAbsence,
  });
}

// ───────────────────────────── durations ─────────────────────────────

const UNIT_MS: Readonly<Record<string, number>> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };

/** '1h30m' → 5 400 000; null when not a duration (units d, h, m, s, each at most once, in that order). */
export function durationMs(text: string): number | null {
  const m = /^(?:(\d{1,6})d)?(?:(\d{1,6})h)?(?:(\d{1,6})m)?(?:(\d{1,6})s)?$/.exec(text);
  if (m === null || text === '') return null;
  return Number(m[1] ?? 0) * UNIT_MS.d! + Number(m[2] ?? 0) * UNIT_MS.h! + Number(m[3] ?? 0) * UNIT_MS.m! + Number(m[4] ?? 0) * UNIT_MS.s!;
}

/** 5 400 000 → '1h30m'; 1500 → '1.5s'. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms);
  let out = '';
  for (const unit of ['d', 'h', 'm'] as const) {
    const n = Math.floor(rest / UNIT_MS[unit]!);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * UNIT_MS[unit]!;
  }
  if (rest > 0 || out === '') out += `${Number((rest / 1000).toFixed(3))}s`;
  return out;
}

// ───────────────────────────── small helpers ─────────────────────────────

function mk(path: string, message: string, messageZh: string): RuleProblem {
  return { path, message, messageZh };
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const escapePointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const unescapePointer = (segment: string): string => segment.replace(/~1/g, '/').replace(/~0/g, '~');

function valueAtPointer(data: unknown, pointer: string): unknown {
  let v = data;
  for (const raw of pointer.split('/').slice(1)) {
    const key = unescapePointer(raw);
    if (Array.isArray(v)) v = v[Number(key)];
    else if (isRecord(v) && Object.hasOwn(v, key)) v = v[key];
    else return undefined;
  }
  return v;
}

function describeData(v: unknown): Bilingual {
  if (v === undefined) return { en: 'nothing', zh: '空' };
  if (v === null) return { en: 'null', zh: 'null' };
  if (Array.isArray(v)) return { en: 'a list', zh: '列表' };
  if (typeof v === 'object') return { en: 'a map', zh: '映射' };
  const text = JSON.stringify(v);
  const short = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return { en: `${typeof v} ${short}`, zh: `${typeZh(typeof v)} ${short}` };
}

function nodePosition(lines: LineCounter, node: { range?: readonly [number, number, number] | null } | null | undefined): { line?: number; column?: number } {
  return position(lines, node?.range?.[0]);
}

function suggestionEn(name: string, candidates: readonly string[]): string {
  const hint = closestName(name, candidates);
  return hint === null ? '' : ` (did you mean ${JSON.stringify(hint)}?)`;
}

function suggestionZh(name: string, candidates: readonly string[]): string {
  const hint = closestName(name, candidates);
  return hint === null ? '' : `（是否应为 ${JSON.stringify(hint)}？）`;
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    if (value instanceof Map || value instanceof Set) {
      for (const v of value.values()) deepFreeze(v);
      Object.freeze(value);
      return value;
    }
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
