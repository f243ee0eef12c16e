/**
 * Alert rules (告警规则) as data, like plans: the loader that turns a rule file's text into
 * checked `RuleDefinition`s, through the shared document stack (src/documents/: YAML with
 * positions, the schema step, the duration grammar, the problem shape). A bad rule is refused at
 * load time with every problem, its JSON pointer, line and column, in Chinese and English.
 * The document's shape and schema: rule-document.ts; the engine's form: rule-compile.ts.
 * Reference: docs/reference/rules.md.
 */
import { Document, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { deepFreeze } from '../../documents/deep-freeze.ts';
import { durationMs, durationProblem, formatDuration } from '../../documents/duration.ts';
import { escapePointer, isRecord } from '../../documents/json-pointer.ts';
import { describeProblems, didYouMean, problemAt, underPointer, type DocumentProblem } from '../../documents/problem.ts';
import { schemaCheck } from '../../documents/schema-check.ts';
import { placeProblems, readYaml } from '../../documents/yaml-text.ts';
import { severityRank, type Severity } from '../sensing-model.ts';
import { RULE_FIELD_RULES, RULE_SCHEMA, type AmountRef, type ConditionDocument, type DurationRef, type NumberRef, type RuleDefinition, type RuleDocument, type SeverityLevelDocument } from './rule-document.ts';

// Importers read the whole of a rule from here.
export * from './rule-document.ts';
export * from './rule-compile.ts';
export { durationMs, formatDuration } from '../../documents/duration.ts';

// ───────────────────────────── problems ─────────────────────────────

/** A problem of a rule file: the documents' one shape; a pointer such as `/1/condition/…` in a list of rules. */
export type RuleProblem = DocumentProblem;

export class RuleError extends Error {
  readonly fileName: string | null;
  readonly problems: readonly RuleProblem[];
  constructor(what: string, fileName: string | null, problems: readonly RuleProblem[]) {
    const where = fileName !== null && fileName !== what ? ` (${fileName})` : '';
    super(`rule ${what}${where} is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${describeProblems(problems).join('\n')}`);
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
  const read = readYaml(text, { maxLength: MAX_RULE_TEXT_LENGTH, what: { en: 'the rule file', zh: '规则文件' } });
  if (!read.ok) return refuse(read.problems);
  const data = read.data;

  const list = Array.isArray(data);
  const items: unknown[] = list ? (data as unknown[]) : [data];
  if (list && items.length === 0) return refuse([mk('', 'the list holds no rule', '列表中没有规则')]);
  if (items.length > MAX_RULES_PER_FILE) return refuse([mk('', `a file holds at most ${MAX_RULES_PER_FILE} rules (got ${items.length})`, `一个文件最多 ${MAX_RULES_PER_FILE} 条规则（实际 ${items.length} 条）`)]);

  const problems: RuleProblem[] = [];
  const rules: RuleDefinition[] = [];
  const firstIndex = new Map<string, number>();
  items.forEach((item, i) => {
    const prefix = list ? `/${i}` : '';
    const id = isRecord(item) && typeof item.id === 'string' ? item.id : null;
    if (id !== null) {
      const first = firstIndex.get(id);
      if (first !== undefined) problems.push(mk(`${prefix}/id`, `rule id "${id}" is already used by /${first}`, `规则编号 "${id}" 已被 /${first} 使用`));
      else firstIndex.set(id, i);
    }
    const schemaProblems = RULE_SCHEMA_CHECK.check(item);
    if (schemaProblems.length > 0) {
      for (const p of schemaProblems) problems.push(underPointer(prefix, p));
      return;
    }
    const built = buildDefinition(item as unknown as RuleDocument, opts);
    for (const p of built.problems) problems.push(underPointer(prefix, p));
    if (built.problems.length === 0) rules.push(built.definition);
  });
  if (problems.length > 0) return refuse(placeProblems(read, problems));
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


const RULE_SCHEMA_CHECK = schemaCheck(RULE_SCHEMA, { fieldRules: RULE_FIELD_RULES });

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
      const wrong = durationProblem(value);
      if (wrong !== null) problem(`/params/${escapePointer(name)}`, wrong.en, wrong.zh);
      params[name] = (durationMs(value) ?? 0) / 1000;
      durationParams.add(name);
    }
  }
  const used = new Set<string>();
  const paramNames = Object.keys(params);
  let unknownParams = 0;
  const unknownParam = (path: string, name: string): void => {
    unknownParams++;
    problem(path, `no parameter is named ${JSON.stringify(name)}${didYouMean(name, paramNames).en}; declare it with its default under params`, `未声明参数 ${JSON.stringify(name)}${didYouMean(name, paramNames).zh}；请在 params 中声明并给出默认值`);
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
        const wrong = durationProblem(ref)!;
        problem(path, wrong.en, wrong.zh);
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
    problem('/category', `unknown category ${JSON.stringify(category)}${didYouMean(category, known).en}`, `未知的事项类别 ${JSON.stringify(category)}${didYouMean(category, known).zh}`);
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
          problem(path, `no device of type ${doc.deviceTypes.join(' or ')} measures ${JSON.stringify(name)}${didYouMean(name, [...all]).en}`, `${doc.deviceTypes.join('、')} 类设备不测量 ${JSON.stringify(name)}${didYouMean(name, [...all]).zh}`);
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

function mk(path: string, en: string, zh: string): RuleProblem {
  return problemAt(path, { en, zh });
}
