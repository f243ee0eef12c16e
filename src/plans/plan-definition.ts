/**
 * Plans (预案) and "one thing" scenarios (一件事) as data: the YAML a city's staff write, its JSON
 * Schema, and the loader that turns text into a checked, typed `PlanDefinition` with its conditions
 * compiled. A bad plan is refused here, at load time, with every problem and its JSON pointer —
 * never at 3 a.m. when a pipe bursts. Reference: docs/reference/expressions.md for conditions.
 */
import { deepFreeze } from '../documents/deep-freeze.ts';
import { durationMs, durationProblem } from '../documents/duration.ts';
import { escapePointer, isRecord } from '../documents/json-pointer.ts';
import { describeProblems, didYouMean, problemAt, type Bilingual, type DocumentProblem } from '../documents/problem.ts';
import { schemaCheck } from '../documents/schema-check.ts';
import { placeProblems, readYaml } from '../documents/yaml-text.ts';
import { compileExpression, ExpressionError, type CompiledExpression, type PathReference } from './expression/index.ts';
import { explainPlanSchemaError, PLAN_FIELD_RULES, PLAN_JSON_SCHEMA, type CommandDocument, type PlanDocument, type TaskDocument } from './plan-document.ts';
import {
  PLAN_EXPRESSION_ROOTS,
  type DeviceCommand,
  type DeviceTarget,
  type Duration,
  type EscalationStep,
  type ExpressionContext,
  type LevelRule,
  type MessageTemplate,
  type PlanAction,
  type PlanClosure,
  type PlanDefinition,
  type PlanFact,
  type PlanTask,
  type PlanTrigger,
  type TaskUnit,
} from './plan-model.ts';

// Importers read the whole of a plan from here.
export * from './plan-model.ts';
export * from './plan-document.ts';
export * from './plan-diff.ts';

// ───────────────────────────── errors ─────────────────────────────

/**
 * A problem of a plan: the documents' one shape. A condition that does not compile also carries
 * its `expression` and the 1-based `expressionColumn` in it (`column` is the text's).
 */
export type PlanProblem = DocumentProblem;

export class PlanError extends Error {
  /** The plan's id when it could be read, else the file name, else '(unnamed plan)'. */
  readonly plan: string;
  readonly fileName: string | null;
  readonly errors: readonly PlanProblem[];

  constructor(plan: string, fileName: string | null, errors: readonly PlanProblem[]) {
    const where = fileName !== null && fileName !== plan ? ` (${fileName})` : '';
    super(`plan ${JSON.stringify(plan)}${where} is not valid (${errors.length} problem${errors.length === 1 ? '' : 's'}):\n${describeProblems(errors).join('\n')}`);
    this.name = 'PlanError';
    this.plan = plan;
    this.fileName = fileName;
    this.errors = Object.freeze(errors.map((e) => Object.freeze({ ...e })));
  }
}

// ───────────────────────────── loading ─────────────────────────────

export interface ParsePlanOptions {
  /** Names the plan in errors when its id cannot be read. */
  readonly fileName?: string;
  /** When given, every `unit.kind` must be one of them. */
  readonly knownUnitKinds?: ReadonlySet<string>;
  /** When given, every trigger category must be one of them. */
  readonly knownCategories?: ReadonlySet<string>;
}

/** Far above any real plan; refuses a pasted data dump before YAML parsing spends time on it. */
export const MAX_PLAN_TEXT_LENGTH = 256 * 1024;

/**
 * Reads a plan: YAML → JSON Schema → meaning (keys, dependencies, references, conditions) → a
 * frozen PlanDefinition with its conditions compiled. Throws PlanError listing every problem.
 */
export function parsePlan(text: string, opts: ParsePlanOptions = {}): PlanDefinition {
  const fileName = opts.fileName ?? null;
  const refuse = (plan: string | null, errors: readonly PlanProblem[]): never => {
    throw new PlanError(plan ?? fileName ?? '(unnamed plan)', fileName, errors);
  };
  const read = readYaml(text, { maxLength: MAX_PLAN_TEXT_LENGTH, what: { en: 'the plan', zh: '预案' } });
  if (!read.ok) return refuse(null, read.problems);
  const data = read.data;

  const planName = isRecord(data) && typeof data.id === 'string' && data.id.length > 0 && data.id.length <= 64 ? data.id : null;
  const schemaProblems = PLAN_SCHEMA_CHECK.check(data);
  if (schemaProblems.length > 0) return refuse(planName, placeProblems(read, schemaProblems));

  const checked = buildDefinition(data as unknown as PlanDocument, opts);
  if (checked.problems.length > 0) return refuse(planName, placeProblems(read, checked.problems));
  return deepFreeze(checked.definition);
}

const PLAN_SCHEMA_CHECK = schemaCheck(PLAN_JSON_SCHEMA, { fieldRules: PLAN_FIELD_RULES, explain: explainPlanSchemaError });

// ───────────────────────────── meaning ─────────────────────────────

interface Built {
  readonly definition: PlanDefinition;
  readonly problems: readonly PlanProblem[];
}

/** Checks what a schema cannot (references, uniqueness, cycles, conditions) while building the definition. */
function buildDefinition(doc: PlanDocument, opts: ParsePlanOptions): Built {
  const problems: PlanProblem[] = [];
  const problem = (path: string, en: string, zh: string): void => void problems.push(problemAt(path, { en, zh }));
  /** The schema has checked the grammar; a zero duration reads but means nothing here. */
  const duration = (path: string, text: string): Duration => {
    const wrong = durationProblem(text);
    if (wrong !== null) problem(path, wrong.en, wrong.zh);
    return readDuration(text);
  };

  const factDocs = Object.entries(doc.facts ?? {});
  const factLookup = new Map<string, 'nearest' | 'within' | 'gridsWithin' | 'supplied'>(
    factDocs.map(([name, q]) => [name, 'nearest' in q ? 'nearest' : 'within' in q ? 'within' : 'gridsWithin' in q ? 'gridsWithin' : 'supplied']),
  );

  const compile = (path: string, source: string | undefined, context: ExpressionContext): CompiledExpression | null => {
    if (source === undefined) return null;
    const roots = PLAN_EXPRESSION_ROOTS[context];
    // The plan's own refusal of a path, kept in both languages: the language's error carries one string.
    let refused: Bilingual | null = null;
    try {
      return compileExpression(source, {
        checkPath: (ref) => {
          refused = checkReference(ref, roots, factLookup);
          return refused?.en ?? null;
        },
      });
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      const own = refused as Bilingual | null; // set by checkPath, which TypeScript cannot follow
      // The language words its syntax errors in English; the Chinese then says where and quotes it.
      const reasonZh = own !== null && own.en === e.reason ? own.zh : e.reason;
      problems.push(problemAt(path, {
        en: `${e.reason} at column ${e.column} of ${JSON.stringify(source)}`,
        zh: `条件 ${JSON.stringify(source)} 第 ${e.column} 列有误：${reasonZh}`,
      }, { expression: source, expressionColumn: e.column }));
      return null;
    }
  };

  // trigger
  doc.trigger.categories.forEach((code, i) => {
    if (opts.knownCategories !== undefined && !opts.knownCategories.has(code)) {
      problem(`/trigger/categories/${i}`, ...unknownName({ en: 'category', zh: '事项类别' }, code, opts.knownCategories));
    }
  });
  const trigger: PlanTrigger = {
    categories: [...doc.trigger.categories],
    sources: doc.trigger.sources ? [...doc.trigger.sources] : null,
    when: compile('/trigger/when', doc.trigger.when, 'trigger'),
  };

  // facts
  const facts: PlanFact[] = factDocs.map(([name, q]): PlanFact => {
    const base = `/facts/${escapePointer(name)}`;
    if ('gridsWithin' in q) return { name, lookup: 'gridsWithin', withinMeters: q.gridsWithin.withinMeters };
    if ('supplied' in q) return { name, lookup: 'supplied', level: q.supplied.level };
    const lookup = 'nearest' in q ? 'nearest' : 'within';
    const spec = 'nearest' in q ? q.nearest : q.within;
    return { name, lookup, assetType: spec.type, withinMeters: spec.withinMeters, where: compile(`${base}/${lookup}/where`, spec.where, 'factWhere') };
  });

  // level: the first rule that holds wins, so only the last may be unconditional
  const level: LevelRule[] = doc.level.map((rule, i) => {
    const last = i === doc.level.length - 1;
    if (rule.when === undefined && !last) problem(`/level/${i}`, 'only the last rule may omit `when`: the rules after this one could never apply', '只有最后一条规则可以省略 `when`：否则其后的规则永远不会生效');
    if (rule.when !== undefined && last) problem(`/level/${i}/when`, 'the last rule must not have `when`, so that every case gets a tier', '最后一条规则不能有 `when`，以保证每个事件都有层级');
    return { when: compile(`/level/${i}/when`, rule.when, 'level'), tier: rule.tier };
  });

  // tasks
  const taskIndex = new Map<string, number>();
  doc.tasks.forEach((t, i) => {
    const first = taskIndex.get(t.key);
    if (first !== undefined) problem(`/tasks/${i}/key`, `task key ${JSON.stringify(t.key)} is already used by /tasks/${first}`, `任务 key ${JSON.stringify(t.key)} 已被 /tasks/${first} 使用`);
    else taskIndex.set(t.key, i);
  });
  const tasks: PlanTask[] = doc.tasks.map((t, i) => {
    const base = `/tasks/${i}`;
    (t.dependsOn ?? []).forEach((dep, j) => {
      if (!taskIndex.has(dep)) problem(`${base}/dependsOn/${j}`, `no task has the key ${JSON.stringify(dep)}${didYouMean(dep, [...taskIndex.keys()]).en}`, `没有 key 为 ${JSON.stringify(dep)} 的任务${didYouMean(dep, [...taskIndex.keys()]).zh}`);
    });
    let unit: TaskUnit;
    if ('owner' in t.unit) {
      const lookup = factLookup.get(t.unit.owner);
      if (lookup === undefined) problem(`${base}/unit/owner`, ...noFact(t.unit.owner, factLookup));
      else if (lookup !== 'nearest') problem(`${base}/unit/owner`, `fact ${JSON.stringify(t.unit.owner)} is a '${lookup}' lookup; an owner needs one asset, from a 'nearest' fact`, `事实 ${JSON.stringify(t.unit.owner)} 是 '${lookup}' 查找；owner 需要一个部件，须来自 'nearest' 事实`);
      unit = { by: 'owner', fact: t.unit.owner };
    } else {
      if (opts.knownUnitKinds !== undefined && !opts.knownUnitKinds.has(t.unit.kind)) {
        problem(`${base}/unit/kind`, ...unknownName({ en: 'unit kind', zh: '单位类型' }, t.unit.kind, opts.knownUnitKinds));
      }
      const each = t.unit.forEachOf;
      if (each !== undefined) {
        const lookup = factLookup.get(each);
        if (lookup === undefined) problem(`${base}/unit/forEachOf`, ...noFact(each, factLookup));
        else if (lookup !== 'gridsWithin' && lookup !== 'supplied') problem(`${base}/unit/forEachOf`, `fact ${JSON.stringify(each)} is a '${lookup}' lookup; forEachOf needs a 'gridsWithin' or 'supplied' fact`, `事实 ${JSON.stringify(each)} 是 '${lookup}' 查找；forEachOf 需要 'gridsWithin' 或 'supplied' 事实`);
        if (t.role === 'lead') problem(`${base}/unit/forEachOf`, 'a task sent to several units cannot be the lead', '派给多个单位的任务不能是主办');
        if (t.unit.scope === 'city') problem(`${base}/unit/forEachOf`, "forEachOf needs scope 'street' or 'district'", "forEachOf 需要 scope 为 'street' 或 'district'");
      }
      unit = { by: 'kind', kind: t.unit.kind, scope: t.unit.scope, ...(each !== undefined ? { forEachOf: each } : {}) };
    }
    return {
      key: t.key,
      role: t.role,
      unit,
      instructions: t.instructions,
      deadline: duration(`${base}/deadline`, t.deadline),
      arriveWithin: t.arriveWithin === undefined ? null : duration(`${base}/arriveWithin`, t.arriveWithin),
      dependsOn: [...(t.dependsOn ?? [])],
      handBack: [...(t.handBack ?? [])],
      when: compile(`${base}/when`, t.when, 'task'),
    };
  });
  checkDependencyCycles(doc.tasks, taskIndex, problem);
  checkLeads(doc.tasks, problem);

  // actions
  const actionIndex = new Map<string, number>();
  const actions: PlanAction[] = (doc.actions ?? []).map((a, i): PlanAction => {
    const base = `/actions/${i}`;
    const first = actionIndex.get(a.key);
    if (first !== undefined) problem(`${base}/key`, `action key ${JSON.stringify(a.key)} is already used by /actions/${first}`, `动作 key ${JSON.stringify(a.key)} 已被 /actions/${first} 使用`);
    else actionIndex.set(a.key, i);
    const when = compile(`${base}/when`, a.when, 'action');
    if ('notify' in a) {
      return {
        type: 'notify',
        key: a.key,
        when,
        channel: a.notify.channel,
        to: a.notify.to,
        template: readTemplate(a.notify.template, `${base}/notify/template`, compile, problems),
      };
    }
    let device: DeviceTarget;
    if ('fromFact' in a.device) {
      const lookup = factLookup.get(a.device.fromFact);
      if (lookup === undefined) problem(`${base}/device/fromFact`, ...noFact(a.device.fromFact, factLookup));
      else if (lookup === 'gridsWithin' || lookup === 'supplied') problem(`${base}/device/fromFact`, `fact ${JSON.stringify(a.device.fromFact)} finds grids, which have no devices; use a 'nearest' or 'within' fact`, `事实 ${JSON.stringify(a.device.fromFact)} 查找的是网格，网格没有设备；请使用 'nearest' 或 'within' 事实`);
      device = { from: 'fact', fact: a.device.fromFact };
    } else {
      device = { from: 'ids', ids: [...a.device.ids] };
    }
    return {
      type: 'device',
      key: a.key,
      when,
      device,
      command: readCommand(a.command),
      undoOnClose: a.undoOnClose === undefined ? null : readCommand(a.undoOnClose),
      retry: { times: a.retry?.times ?? DEFAULT_RETRY.times, every: duration(`${base}/retry/every`, a.retry?.every ?? DEFAULT_RETRY.every) },
    };
  });

  const escalation: EscalationStep[] = (doc.escalation ?? []).map((s, i) => ({
    after: duration(`/escalation/${i}/after`, s.after),
    unless: s.unless,
    do: s.do,
    repeat: s.repeat ?? 0,
  }));

  const closure: PlanClosure = {
    reportBackWhen: doc.closure?.reportBackWhen ?? 'leads_done',
    requireEvidence: doc.closure?.requireEvidence ?? false,
    sensorNormalFor: doc.closure?.sensorNormalFor === undefined ? null : duration('/closure/sensorNormalFor', doc.closure.sensorNormalFor),
  };

  return {
    problems,
    definition: {
      id: doc.id,
      name: doc.name,
      description: doc.description ?? null,
      priority: doc.priority ?? 0,
      trigger,
      facts,
      level,
      tasks,
      actions,
      escalation,
      closure,
      coordination: doc.coordination ? { districtsWithinMeters: doc.coordination.districtsWithinMeters } : null,
    },
  };
}

/** What a plan's condition may read: the roots of its context, and only the facts it declares. */
function checkReference(ref: PathReference, roots: readonly string[], facts: ReadonlyMap<string, unknown>): Bilingual | null {
  if (!roots.includes(ref.root)) {
    return { en: `'${ref.root}' cannot be read here; this condition can read ${roots.join(', ')}`, zh: `此处不能读取 '${ref.root}'；此条件可读取 ${roots.join('、')}` };
  }
  const fact = ref.segments[0];
  if (ref.root === 'facts' && fact !== undefined && !facts.has(String(fact))) {
    const hint = didYouMean(String(fact), [...facts.keys()]);
    return { en: `no fact is named ${JSON.stringify(fact)}; declare it under facts${hint.en}`, zh: `没有名为 ${JSON.stringify(fact)} 的事实（fact），请在 facts 下声明${hint.zh}` };
  }
  return null;
}

function checkDependencyCycles(tasks: readonly TaskDocument[], index: ReadonlyMap<string, number>, problem: (path: string, en: string, zh: string) => void): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visitTask = (key: string): void => {
    if (state.get(key) === 'done') return;
    if (state.get(key) === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(key)), key];
      const id = [...cycle.slice(0, -1)].sort().join(',');
      if (!reported.has(id)) {
        reported.add(id);
        problem(`/tasks/${index.get(cycle[0]!)!}/dependsOn`, `dependsOn makes a cycle: ${cycle.join(' → ')}`, `dependsOn 形成循环：${cycle.join(' → ')}`);
      }
      return;
    }
    state.set(key, 'visiting');
    stack.push(key);
    const task = tasks[index.get(key)!]!;
    for (const dep of task.dependsOn ?? []) if (index.has(dep)) visitTask(dep);
    stack.pop();
    state.set(key, 'done');
  };
  for (const key of index.keys()) visitTask(key);
}

/**
 * Exactly one lead must be dispatched: one unconditional lead, or only leads guarded by `when`s
 * that the author keeps mutually exclusive (the engine refuses a case where none or two hold).
 */
function checkLeads(tasks: readonly TaskDocument[], problem: (path: string, en: string, zh: string) => void): void {
  const leads = tasks.map((t, i) => ({ t, i })).filter(({ t }) => t.role === 'lead');
  if (leads.length === 0) {
    problem('/tasks', 'no task is the lead: give one task `role: lead`', '没有主办任务：请给一个任务设置 `role: lead`');
    return;
  }
  const unconditional = leads.filter(({ t }) => t.when === undefined);
  if (unconditional.length > 1) {
    for (const { i } of unconditional.slice(1)) {
      problem(`/tasks/${i}/role`, `a second lead without \`when\` (the first is /tasks/${unconditional[0]!.i}); a case has one lead`, `第二个没有 \`when\` 的主办任务（第一个是 /tasks/${unconditional[0]!.i}）；一个事件只有一个主办`);
    }
  } else if (unconditional.length === 1 && leads.length > 1) {
    const others = leads.filter(({ t }) => t.when !== undefined).map(({ i }) => `/tasks/${i}`);
    problem(`/tasks/${unconditional[0]!.i}/role`, `this lead has no \`when\` but ${others.join(', ')} may lead too; guard every lead with mutually exclusive \`when\`s`, `此主办任务没有 \`when\`，但 ${others.join('、')} 也可能主办；请为每个主办任务设置互斥的 \`when\``);
  }
}

const DEFAULT_RETRY = Object.freeze({ times: 3, every: '30s' });

/** The schema has checked the grammar; a day is 24 h here (working days are the calendar's business). */
function readDuration(text: string): Duration {
  const ms = durationMs(text);
  if (ms === null) throw new Error(`invalid duration ${JSON.stringify(text)} passed the schema`);
  return { text, ms };
}

function readCommand(c: CommandDocument): DeviceCommand {
  return { name: c.name, params: structuredClone(c.params ?? {}) };
}

/** Splits "…{{case.number}}…" into text and compiled placeholders. */
function readTemplate(
  text: string,
  path: string,
  compile: (path: string, source: string, context: ExpressionContext) => CompiledExpression | null,
  problems: PlanProblem[],
): MessageTemplate {
  const parts: (string | CompiledExpression)[] = [];
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf('{{', at);
    const strayClose = text.indexOf('}}', at);
    if (strayClose !== -1 && (open === -1 || strayClose < open)) {
      problems.push(problemAt(path, { en: `'}}' at character ${strayClose + 1} has no '{{' before it`, zh: `第 ${strayClose + 1} 个字符处的 '}}' 前面没有 '{{'` }));
      return { text, parts: [text] };
    }
    if (open === -1) {
      parts.push(text.slice(at));
      break;
    }
    if (open > at) parts.push(text.slice(at, open));
    const close = text.indexOf('}}', open + 2);
    if (close === -1) {
      problems.push(problemAt(path, { en: `'{{' at character ${open + 1} is never closed with '}}'`, zh: `第 ${open + 1} 个字符处的 '{{' 没有用 '}}' 闭合` }));
      return { text, parts: [text] };
    }
    const compiled = compile(path, text.slice(open + 2, close).trim(), 'template');
    if (compiled !== null) parts.push(compiled);
    at = close + 2;
  }
  return { text, parts };
}

/** "unknown unit kind "water" (did you mean "water-supply"?)", in both languages. */
function unknownName(what: Bilingual, name: string, known: ReadonlySet<string>): [string, string] {
  const hint = didYouMean(name, [...known]);
  return [`unknown ${what.en} ${JSON.stringify(name)}${hint.en}`, `未知的${what.zh} ${JSON.stringify(name)}${hint.zh}`];
}

function noFact(name: string, facts: ReadonlyMap<string, unknown>): [string, string] {
  const hint = didYouMean(name, [...facts.keys()]);
  return [`no fact is named ${JSON.stringify(name)}${hint.en}`, `没有名为 ${JSON.stringify(name)} 的事实（fact）${hint.zh}`];
}
