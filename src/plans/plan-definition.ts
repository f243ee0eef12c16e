/**
 * Plans (预案) and "one thing" scenarios (一件事) as data: the YAML a city's staff write, its JSON
 * Schema, and the loader that turns text into a checked, typed `PlanDefinition` with its conditions
 * compiled. A bad plan is refused here, at load time, with every problem and its JSON pointer —
 * never at 3 a.m. when a pipe bursts. Reference: docs/reference/expressions.md for conditions.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { closestName } from '../closest-name.ts';
import { lineOfPointer } from '../yaml-positions.ts';
import { LineCounter, isCollection, parseDocument, visit, type Node as YamlNode } from 'yaml';
import { CASE_SOURCES, TIERS, type CaseSource, type Tier, type TaskRole } from '../cases/case-model.ts';
import { compileExpression, ExpressionError, type CompiledExpression, type PathReference } from './expression/index.ts';

// ───────────────────────────── the definition ─────────────────────────────

/** A duration as written ('10m', '3h', '2d', '30s') and in milliseconds, a day counted as 24 h. */
export interface Duration {
  /** As written; hand it to `WorkingCalendar.addDurationSpec` for working-time deadlines. */
  readonly text: string;
  readonly ms: number;
}

export interface PlanTrigger {
  /** Category codes; a parent code (`municipal.water`) also matches its children. */
  readonly categories: readonly string[];
  /** null: any source. */
  readonly sources: readonly CaseSource[] | null;
  /** Evaluated after the facts are looked up; null: always. */
  readonly when: CompiledExpression | null;
}

/** A fact looked up on the map before any condition is evaluated, read as `facts.<name>`. */
export type PlanFact =
  | {
      readonly name: string;
      /** nearest: the closest asset (or null); within: every asset in the radius, nearest first. */
      readonly lookup: 'nearest' | 'within';
      readonly assetType: string;
      readonly withinMeters: number;
      /** Filters candidate assets; reads `asset`. */
      readonly where: CompiledExpression | null;
    }
  | { readonly name: string; readonly lookup: 'gridsWithin'; readonly withinMeters: number };

export interface LevelRule {
  /** null only on the last rule. */
  readonly when: CompiledExpression | null;
  readonly tier: Tier;
}

/** Which unit gets a task, resolved when the plan runs. */
export type TaskUnit =
  /** The unit of this kind at `scope` in the case's place: "this district's traffic police". */
  | {
      readonly by: 'kind';
      readonly kind: string;
      readonly scope: Tier;
      /**
       * A `gridsWithin` fact: one task for each street (or district) those grids lie in — "the grid
       * workers of the grids within 300 m" through their streets' community offices. Assist only.
       */
      readonly forEachOf?: string | undefined;
    }
  /** The unit that owns the asset of a `nearest` fact: "the owner of this manhole". */
  | { readonly by: 'owner'; readonly fact: string };

export const EVIDENCE_KINDS = ['photo', 'text', 'reading'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export interface PlanTask {
  readonly key: string;
  readonly role: TaskRole;
  readonly unit: TaskUnit;
  /** In Chinese, shown to the unit. */
  readonly instructions: string;
  readonly deadline: Duration;
  readonly arriveWithin: Duration | null;
  /** Keys of tasks that must be done first. */
  readonly dependsOn: readonly string[];
  readonly handBack: readonly EvidenceKind[];
  /** null: always part of the plan. */
  readonly when: CompiledExpression | null;
}

export interface DeviceCommand {
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export type DeviceTarget =
  /** The devices (`properties.device_id`) of the assets of a fact. */
  | { readonly from: 'fact'; readonly fact: string }
  | { readonly from: 'ids'; readonly ids: readonly string[] };

export interface DeviceAction {
  readonly type: 'device';
  readonly key: string;
  readonly when: CompiledExpression | null;
  readonly device: DeviceTarget;
  readonly command: DeviceCommand;
  /** Sent when the case closes. */
  readonly undoOnClose: DeviceCommand | null;
  readonly retry: { readonly times: number; readonly every: Duration };
}

/** A message with `{{ expression }}` placeholders, split once so that sending costs no parsing. */
export interface MessageTemplate {
  readonly text: string;
  readonly parts: readonly (string | CompiledExpression)[];
}

export interface NotifyAction {
  readonly type: 'notify';
  readonly key: string;
  readonly when: CompiledExpression | null;
  readonly channel: string;
  readonly to: string;
  readonly template: MessageTemplate;
}

export type PlanAction = DeviceAction | NotifyAction;

export const ESCALATION_CONDITIONS = ['accepted', 'done'] as const;
export const ESCALATION_STEPS = ['remind', 'escalate', 'supervise'] as const;

export interface EscalationStep {
  readonly after: Duration;
  /** The step does not fire once every task it watches is accepted (or done). */
  readonly unless: (typeof ESCALATION_CONDITIONS)[number];
  /** remind (催办) the unit, escalate to the center one tier up, or have it supervise (督办). */
  readonly do: (typeof ESCALATION_STEPS)[number];
  /** How many more times the step fires, `after` apart, while still unanswered; 0: once. */
  readonly repeat: number;
}

export const REPORT_BACK_RULES = ['leads_done', 'all_done'] as const;

export interface PlanClosure {
  readonly reportBackWhen: (typeof REPORT_BACK_RULES)[number];
  /** Lead tasks must hand back what their `handBack` lists. */
  readonly requireEvidence: boolean;
  /** The alerting sensor must read normal this long before the case may be reported back. */
  readonly sensorNormalFor: Duration | null;
}

export interface PlanDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  /** When several plans match, higher wins, then the smaller id. Default 0. */
  readonly priority: number;
  readonly trigger: PlanTrigger;
  readonly facts: readonly PlanFact[];
  /** The first rule whose `when` holds decides the tier; the last has none. */
  readonly level: readonly LevelRule[];
  readonly tasks: readonly PlanTask[];
  readonly actions: readonly PlanAction[];
  readonly escalation: readonly EscalationStep[];
  readonly closure: PlanClosure;
  /**
   * 跨区域协同: when other districts lie within this distance of the place (a trail on the border),
   * their centers share the case and their units of the lead's kind assist. null: none.
   */
  readonly coordination: { readonly districtsWithinMeters: number } | null;
}

/**
 * The values each kind of condition may read. The engine provides them: `case` (the case being
 * planned), `alert` (the alert and its readings, or null), `facts` (the declared facts), `level`
 * (`{ tier }` once decided), `now` (ISO time of evaluation), `asset` (the candidate in a fact's
 * `where`) and `plan` (`{ id, name, version }`, templates only).
 */
export const PLAN_EXPRESSION_ROOTS = Object.freeze({
  trigger: Object.freeze(['case', 'alert', 'facts', 'now']),
  factWhere: Object.freeze(['asset', 'case', 'alert', 'now']),
  level: Object.freeze(['case', 'alert', 'facts', 'now']),
  task: Object.freeze(['case', 'alert', 'facts', 'level', 'now']),
  action: Object.freeze(['case', 'alert', 'facts', 'level', 'now']),
  template: Object.freeze(['case', 'plan', 'alert', 'facts', 'level', 'now']),
});
type ExpressionContext = keyof typeof PLAN_EXPRESSION_ROOTS;

// ───────────────────────────── the document (YAML / JSON shape) ─────────────────────────────

type FactQueryDocument =
  | { nearest: { type: string; withinMeters: number; where?: string } }
  | { within: { type: string; withinMeters: number; where?: string } }
  | { gridsWithin: { withinMeters: number } };
type UnitDocument = { kind: string; scope: Tier; forEachOf?: string } | { owner: string };
interface CommandDocument {
  name: string;
  params?: Record<string, unknown>;
}
interface TaskDocument {
  key: string;
  role: TaskRole;
  unit: UnitDocument;
  instructions: string;
  deadline: string;
  arriveWithin?: string;
  dependsOn?: string[];
  handBack?: EvidenceKind[];
  when?: string;
}
type ActionDocument =
  | {
      key: string;
      device: { fromFact: string } | { ids: string[] };
      command: CommandDocument;
      undoOnClose?: CommandDocument;
      retry?: { times?: number; every?: string };
      when?: string;
    }
  | { key: string; notify: { channel: string; to: string; template: string }; when?: string };

/** A plan as plain data, the shape of the YAML file; `planToJson` returns it with defaults filled. */
export interface PlanDocument {
  id: string;
  name: string;
  description?: string;
  priority?: number;
  trigger: { categories: string[]; sources?: CaseSource[]; when?: string };
  facts?: Record<string, FactQueryDocument>;
  level: { when?: string; tier: Tier }[];
  tasks: TaskDocument[];
  actions?: ActionDocument[];
  escalation?: { after: string; unless: EscalationStep['unless']; do: EscalationStep['do']; repeat?: number }[];
  closure?: { reportBackWhen?: PlanClosure['reportBackWhen']; requireEvidence?: boolean; sensorNormalFor?: string };
  coordination?: { districtsWithinMeters: number };
}

// ───────────────────────────── JSON Schema ─────────────────────────────

const PATTERNS = {
  planId: '^[a-z0-9-]{3,64}$',
  key: '^[a-z0-9-]{1,64}$',
  factName: '^[a-z][a-z0-9_]{0,63}$',
  assetType: '^[a-z][a-z0-9_]{0,63}$',
  category: '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*$',
  unitKind: '^[a-z][a-z0-9-]{0,63}$',
  // A device id becomes one level of the MQTT topic cityloop/devices/{id}/commands: no '/', '+', '#'.
  deviceId: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$',
  commandName: '^[a-z][a-z0-9_]{0,63}$',
  paramName: '^[A-Za-z][A-Za-z0-9_]{0,63}$',
  channel: '^[a-z][a-z0-9-]{0,31}$',
  duration: '^[1-9][0-9]{0,5}[mhd]$',
  retryInterval: '^[1-9][0-9]{0,5}[smh]$',
} as const;

/**
 * What a field's pattern means, for people reading a refusal, by the name of the field (or of the
 * map whose keys are checked): several fields share a pattern but not a meaning.
 */
const FIELD_RULES: Readonly<Record<string, string>> = {
  id: 'must be 3 to 64 lower-case letters, digits or -',
  key: 'must be lower-case letters, digits or - (at most 64)',
  dependsOn: 'must be a task key: lower-case letters, digits or -',
  facts: 'must be a lower-case name of letters, digits and _ that starts with a letter',
  owner: 'must name a fact: lower-case letters, digits and _',
  fromFact: 'must name a fact: lower-case letters, digits and _',
  type: 'must be an asset type such as water_main or traffic_signal',
  categories: 'must be a category code such as municipal.water.burst',
  kind: 'must be a unit kind such as water-supply or traffic-police',
  ids: "must be a device id of letters, digits, '_', '.', ':' or '-' (no '/', '+' or '#')",
  name: 'must be a command name such as set_phase',
  params: 'must be a parameter name of letters, digits and _ that starts with a letter',
  channel: 'must be a channel name such as webhook, sms or log',
  deadline: "must be a duration such as '10m', '3h' or '2d'",
  arriveWithin: "must be a duration such as '10m', '3h' or '2d'",
  after: "must be a duration such as '10m', '3h' or '2d'",
  sensorNormalFor: "must be a duration such as '10m', '3h' or '2d'",
  every: "must be an interval such as '30s', '5m' or '1h'",
};

const MAX_EXPRESSION_CHARS = 2000;
const expressionSchema = { type: 'string', minLength: 1, maxLength: MAX_EXPRESSION_CHARS, description: 'A condition; see docs/reference/expressions.md' };
const assetQuerySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'withinMeters'],
  properties: {
    type: { type: 'string', pattern: PATTERNS.assetType },
    withinMeters: { type: 'number', exclusiveMinimum: 0, maximum: 100_000 },
    where: { $ref: '#/$defs/expression' },
  },
};
const commandSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', pattern: PATTERNS.commandName },
    params: { type: 'object', maxProperties: 32, propertyNames: { pattern: PATTERNS.paramName } },
  },
};

/** The published schema of a plan file (JSON Schema draft 2020-12). */
export const PLAN_JSON_SCHEMA = deepFreeze({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://cityloop.dev/schemas/plan.json',
  title: 'CityLoop plan (预案)',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'trigger', 'level', 'tasks'],
  properties: {
    id: { type: 'string', pattern: PATTERNS.planId },
    name: { type: 'string', minLength: 1, maxLength: 100 },
    description: { type: 'string', maxLength: 4000 },
    priority: { type: 'integer', minimum: -1000, maximum: 1000 },
    trigger: {
      type: 'object',
      additionalProperties: false,
      required: ['categories'],
      properties: {
        categories: { type: 'array', minItems: 1, maxItems: 100, uniqueItems: true, items: { type: 'string', maxLength: 128, pattern: PATTERNS.category } },
        sources: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...CASE_SOURCES] } },
        when: { $ref: '#/$defs/expression' },
      },
    },
    facts: {
      type: 'object',
      maxProperties: 32,
      propertyNames: { pattern: PATTERNS.factName },
      additionalProperties: { $ref: '#/$defs/factQuery' },
    },
    level: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['tier'],
        properties: { when: { $ref: '#/$defs/expression' }, tier: { enum: [...TIERS] } },
      },
    },
    tasks: { type: 'array', minItems: 1, maxItems: 50, items: { $ref: '#/$defs/task' } },
    actions: { type: 'array', maxItems: 50, items: { $ref: '#/$defs/action' } },
    escalation: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['after', 'unless', 'do'],
        properties: {
          after: { $ref: '#/$defs/duration' },
          unless: { enum: [...ESCALATION_CONDITIONS] },
          do: { enum: [...ESCALATION_STEPS] },
          repeat: { type: 'integer', minimum: 0, maximum: 10 },
        },
      },
    },
    closure: {
      type: 'object',
      additionalProperties: false,
      properties: {
        reportBackWhen: { enum: [...REPORT_BACK_RULES] },
        requireEvidence: { type: 'boolean' },
        sensorNormalFor: { $ref: '#/$defs/duration' },
      },
    },
    coordination: {
      type: 'object',
      additionalProperties: false,
      required: ['districtsWithinMeters'],
      properties: { districtsWithinMeters: { type: 'number', exclusiveMinimum: 0, maximum: 5000 } },
    },
  },
  $defs: {
    expression: expressionSchema,
    duration: { type: 'string', pattern: PATTERNS.duration },
    factQuery: {
      type: 'object',
      minProperties: 1,
      maxProperties: 1,
      additionalProperties: false,
      properties: {
        nearest: assetQuerySchema,
        within: assetQuerySchema,
        gridsWithin: {
          type: 'object',
          additionalProperties: false,
          required: ['withinMeters'],
          properties: { withinMeters: { type: 'number', exclusiveMinimum: 0, maximum: 100_000 } },
        },
      },
    },
    unit: {
      type: 'object',
      additionalProperties: false,
      properties: {
        kind: { type: 'string', pattern: PATTERNS.unitKind },
        scope: { enum: [...TIERS] },
        forEachOf: { type: 'string', pattern: PATTERNS.factName },
        owner: { type: 'string', pattern: PATTERNS.factName },
      },
      if: { required: ['owner'] },
      then: { properties: { kind: false, scope: false, forEachOf: false } },
      else: { required: ['kind', 'scope'] },
    },
    task: {
      type: 'object',
      additionalProperties: false,
      required: ['key', 'role', 'unit', 'instructions', 'deadline'],
      properties: {
        key: { type: 'string', pattern: PATTERNS.key },
        role: { enum: ['lead', 'assist'] },
        unit: { $ref: '#/$defs/unit' },
        instructions: { type: 'string', minLength: 1, maxLength: 4000 },
        deadline: { $ref: '#/$defs/duration' },
        arriveWithin: { $ref: '#/$defs/duration' },
        dependsOn: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: PATTERNS.key } },
        handBack: { type: 'array', uniqueItems: true, items: { enum: [...EVIDENCE_KINDS] } },
        when: { $ref: '#/$defs/expression' },
      },
    },
    action: {
      type: 'object',
      additionalProperties: false,
      required: ['key'],
      properties: {
        key: { type: 'string', pattern: PATTERNS.key },
        device: {
          type: 'object',
          minProperties: 1,
          maxProperties: 1,
          additionalProperties: false,
          properties: {
            fromFact: { type: 'string', pattern: PATTERNS.factName },
            ids: { type: 'array', minItems: 1, maxItems: 100, uniqueItems: true, items: { type: 'string', pattern: PATTERNS.deviceId } },
          },
        },
        command: commandSchema,
        undoOnClose: commandSchema,
        retry: {
          type: 'object',
          additionalProperties: false,
          properties: {
            times: { type: 'integer', minimum: 0, maximum: 10 },
            every: { type: 'string', pattern: PATTERNS.retryInterval },
          },
        },
        notify: {
          type: 'object',
          additionalProperties: false,
          required: ['channel', 'to', 'template'],
          properties: {
            channel: { type: 'string', pattern: PATTERNS.channel },
            to: { type: 'string', minLength: 1, maxLength: 200 },
            template: { type: 'string', minLength: 1, maxLength: 2000 },
          },
        },
        when: { $ref: '#/$defs/expression' },
      },
      if: { required: ['notify'] },
      then: { properties: { device: false, command: false, undoOnClose: false, retry: false } },
      else: { required: ['device', 'command'] },
    },
  },
} as const);

// ───────────────────────────── errors ─────────────────────────────

export interface PlanProblem {
  /** JSON pointer into the plan, e.g. /tasks/2/unit/kind; '' for the whole file. */
  readonly path: string;
  readonly message: string;
  /** 1-based line in the YAML text, when known. */
  readonly line?: number;
  /** For a bad condition: the expression and the 1-based column in it. */
  readonly expression?: string;
  readonly column?: number;
}

export class PlanError extends Error {
  /** The plan's id when it could be read, else the file name, else '(unnamed plan)'. */
  readonly plan: string;
  readonly fileName: string | null;
  readonly errors: readonly PlanProblem[];

  constructor(plan: string, fileName: string | null, errors: readonly PlanProblem[]) {
    const where = fileName !== null && fileName !== plan ? ` (${fileName})` : '';
    const lines = errors.map((e) => `  ${e.path === '' ? '/' : e.path}${e.line !== undefined ? ` (line ${e.line})` : ''}: ${e.message}`);
    super(`plan ${JSON.stringify(plan)}${where} is not valid (${errors.length} problem${errors.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
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
/** Anchors and aliases are handy for repeated blocks; more than this is an expansion attack. */
const MAX_ALIAS_COUNT = 50;

/**
 * Reads a plan: YAML → JSON Schema → meaning (keys, dependencies, references, conditions) → a
 * frozen PlanDefinition with its conditions compiled. Throws PlanError listing every problem.
 */
export function parsePlan(text: string, opts: ParsePlanOptions = {}): PlanDefinition {
  const fileName = opts.fileName ?? null;
  const refuse = (plan: string | null, errors: readonly PlanProblem[]): never => {
    throw new PlanError(plan ?? fileName ?? '(unnamed plan)', fileName, errors);
  };
  if (typeof text !== 'string') return refuse(null, [{ path: '', message: 'a plan must be YAML text' }]);
  if (text.length > MAX_PLAN_TEXT_LENGTH) {
    return refuse(null, [{ path: '', message: `the plan is ${text.length} characters long; the limit is ${MAX_PLAN_TEXT_LENGTH}` }]);
  }

  // parseDocument + toJS is what yaml's `parse` does; calling them ourselves keeps the line of each
  // node for messages and lets warnings (an unknown tag such as !!js/function) refuse the file.
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, version: '1.2', schema: 'core', lineCounter: lines, prettyErrors: false });
  const yamlProblems: PlanProblem[] = [...doc.errors, ...doc.warnings].map((e) => ({
    path: '',
    message: `YAML: ${e.message.split('\n')[0]}`,
    line: lines.linePos(e.pos[0]).line,
  }));
  visit(doc, {
    Pair(_, pair) {
      if (isCollection(pair.key)) yamlProblems.push({ path: '', message: 'YAML: a key must be plain text, not a list or a map', ...lineAt(lines, pair.key as YamlNode) });
    },
  });
  if (yamlProblems.length > 0) return refuse(null, yamlProblems);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const message = e instanceof ReferenceError
      ? `YAML: aliases expand too far (more than ${MAX_ALIAS_COUNT}); write the blocks out instead`
      : `YAML: ${(e as Error).message}`;
    return refuse(null, [{ path: '', message }]);
  }

  const planName = isRecord(data) && typeof data.id === 'string' && data.id.length > 0 && data.id.length <= 64 ? data.id : null;
  const locate = (problem: PlanProblem): PlanProblem =>
    problem.line !== undefined ? problem : withLine(problem, lineOfPointer(doc, lines, problem.path).line);

  const validate = planValidator();
  if (!validate(data)) return refuse(planName, explainSchemaErrors(validate.errors ?? [], data).map(locate));

  const checked = buildDefinition(data as unknown as PlanDocument, opts);
  if (checked.problems.length > 0) return refuse(planName, checked.problems.map(locate));
  return deepFreeze(checked.definition);
}

let cachedValidator: ValidateFunction | null = null;
/**
 * Compiled on first use, so importing the types costs nothing. `verbose` gives each error its
 * schema, so an unknown property can be answered with the allowed ones; `strictRequired` is off
 * because the `if: { required: [owner] }` tests name properties defined beside them.
 */
function planValidator(): ValidateFunction {
  cachedValidator ??= new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false }).compile(PLAN_JSON_SCHEMA as unknown as object);
  return cachedValidator;
}

/** Turns ajv's errors into one readable problem per bad field. */
function explainSchemaErrors(errors: readonly ErrorObject[], data: unknown): PlanProblem[] {
  const out: PlanProblem[] = [];
  const seen = new Set<string>();
  const add = (path: string, message: string): void => {
    const id = `${path}\u0000${message}`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push({ path, message });
    }
  };
  for (const e of errors) {
    const path = e.instancePath;
    const got = describeData(valueAtPointer(data, path));
    const params = e.params as Record<string, unknown>;
    const propertyName = (e as ErrorObject & { propertyName?: string }).propertyName;
    if (propertyName !== undefined) {
      // An error inside `propertyNames`: the name itself is bad, so point at it.
      add(`${path}/${escapePointer(propertyName)}`, `name ${JSON.stringify(propertyName)} ${fieldRule(path, params.pattern)}`);
      continue;
    }
    switch (e.keyword) {
      case 'if':
      case 'propertyNames':
        break; // the errors of the branch or of the name say more
      case 'additionalProperties': {
        const name = String(params.additionalProperty);
        const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        const hint = closestName(name, allowed);
        add(`${path}/${escapePointer(name)}`, `unknown property ${JSON.stringify(name)}${hint !== null ? ` (did you mean ${JSON.stringify(hint)}?)` : allowed.length > 0 ? `; allowed: ${allowed.join(', ')}` : ''}`);
        break;
      }
      case 'required':
        add(`${path}/${escapePointer(String(params.missingProperty))}`, 'is required');
        break;
      case 'false schema':
        add(path, /\/unit\/[^/]+$/.test(path)
          ? "cannot stand beside 'owner': a unit is either { owner: <fact> } or { kind, scope }"
          : "cannot stand beside 'notify': an action either sends a device command or a notification");
        break;
      case 'type':
        add(path, `must be ${article(String(params.type))}, got ${got}`);
        break;
      case 'enum':
        add(path, `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${got}`);
        break;
      case 'pattern':
        add(path, `${fieldRule(path, params.pattern)}, got ${got}`);
        break;
      case 'minProperties':
      case 'maxProperties':
        if (/^\/facts\/[^/]+$/.test(path)) add(path, 'must name exactly one lookup: nearest, within or gridsWithin');
        else if (path.endsWith('/device')) add(path, 'must name either fromFact or ids');
        else add(path, String(e.message));
        break;
      case 'uniqueItems':
        add(path, `must not list the same value twice (items ${String(params.j)} and ${String(params.i)})`);
        break;
      default:
        add(path, `${String(e.message)}, got ${got}`);
    }
  }
  return out;
}

const article = (type: string): string => (type === 'object' ? 'a map' : type === 'array' ? 'a list' : type === 'integer' ? 'a whole number' : `a ${type}`);
/** The rule of the field a pointer names: its last property name, skipping list positions. */
function fieldRule(pointer: string, pattern: unknown): string {
  const field = pointer.split('/').reverse().find((s) => s !== '' && !/^\d+$/.test(s));
  const name = field === undefined ? '' : unescapePointer(field);
  return Object.hasOwn(FIELD_RULES, name) ? FIELD_RULES[name]! : `must match ${String(pattern)}`;
}

// ───────────────────────────── meaning ─────────────────────────────

interface Built {
  readonly definition: PlanDefinition;
  readonly problems: readonly PlanProblem[];
}

/** Checks what a schema cannot (references, uniqueness, cycles, conditions) while building the definition. */
function buildDefinition(doc: PlanDocument, opts: ParsePlanOptions): Built {
  const problems: PlanProblem[] = [];
  const problem = (path: string, message: string): void => void problems.push({ path, message });

  const factDocs = Object.entries(doc.facts ?? {});
  const factLookup = new Map<string, 'nearest' | 'within' | 'gridsWithin'>(
    factDocs.map(([name, q]) => [name, 'nearest' in q ? 'nearest' : 'within' in q ? 'within' : 'gridsWithin']),
  );

  const compile = (path: string, source: string | undefined, context: ExpressionContext): CompiledExpression | null => {
    if (source === undefined) return null;
    const roots = PLAN_EXPRESSION_ROOTS[context];
    try {
      return compileExpression(source, { checkPath: (ref) => checkReference(ref, roots, factLookup) });
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      problems.push({ path, message: `${e.reason} at column ${e.column} of ${JSON.stringify(source)}`, expression: source, column: e.column });
      return null;
    }
  };

  // trigger
  doc.trigger.categories.forEach((code, i) => {
    if (opts.knownCategories !== undefined && !opts.knownCategories.has(code)) {
      problem(`/trigger/categories/${i}`, unknownName('category', code, opts.knownCategories));
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
    const lookup = 'nearest' in q ? 'nearest' : 'within';
    const spec = 'nearest' in q ? q.nearest : q.within;
    return { name, lookup, assetType: spec.type, withinMeters: spec.withinMeters, where: compile(`${base}/${lookup}/where`, spec.where, 'factWhere') };
  });

  // level: the first rule that holds wins, so only the last may be unconditional
  const level: LevelRule[] = doc.level.map((rule, i) => {
    const last = i === doc.level.length - 1;
    if (rule.when === undefined && !last) problem(`/level/${i}`, 'only the last rule may omit `when`: the rules after this one could never apply');
    if (rule.when !== undefined && last) problem(`/level/${i}/when`, 'the last rule must not have `when`, so that every case gets a tier');
    return { when: compile(`/level/${i}/when`, rule.when, 'level'), tier: rule.tier };
  });

  // tasks
  const taskIndex = new Map<string, number>();
  doc.tasks.forEach((t, i) => {
    const first = taskIndex.get(t.key);
    if (first !== undefined) problem(`/tasks/${i}/key`, `task key ${JSON.stringify(t.key)} is already used by /tasks/${first}`);
    else taskIndex.set(t.key, i);
  });
  const tasks: PlanTask[] = doc.tasks.map((t, i) => {
    const base = `/tasks/${i}`;
    (t.dependsOn ?? []).forEach((dep, j) => {
      if (!taskIndex.has(dep)) problem(`${base}/dependsOn/${j}`, `no task has the key ${JSON.stringify(dep)}${suggestion(dep, [...taskIndex.keys()])}`);
    });
    let unit: TaskUnit;
    if ('owner' in t.unit) {
      const lookup = factLookup.get(t.unit.owner);
      if (lookup === undefined) problem(`${base}/unit/owner`, `no fact is named ${JSON.stringify(t.unit.owner)}${suggestion(t.unit.owner, [...factLookup.keys()])}`);
      else if (lookup !== 'nearest') problem(`${base}/unit/owner`, `fact ${JSON.stringify(t.unit.owner)} is a '${lookup}' lookup; an owner needs one asset, from a 'nearest' fact`);
      unit = { by: 'owner', fact: t.unit.owner };
    } else {
      if (opts.knownUnitKinds !== undefined && !opts.knownUnitKinds.has(t.unit.kind)) {
        problem(`${base}/unit/kind`, unknownName('unit kind', t.unit.kind, opts.knownUnitKinds));
      }
      const each = t.unit.forEachOf;
      if (each !== undefined) {
        const lookup = factLookup.get(each);
        if (lookup === undefined) problem(`${base}/unit/forEachOf`, `no fact is named ${JSON.stringify(each)}${suggestion(each, [...factLookup.keys()])}`);
        else if (lookup !== 'gridsWithin') problem(`${base}/unit/forEachOf`, `fact ${JSON.stringify(each)} is a '${lookup}' lookup; forEachOf needs a 'gridsWithin' fact`);
        if (t.role === 'lead') problem(`${base}/unit/forEachOf`, 'a task sent to several units cannot be the lead');
        if (t.unit.scope === 'city') problem(`${base}/unit/forEachOf`, "forEachOf needs scope 'street' or 'district'");
      }
      unit = { by: 'kind', kind: t.unit.kind, scope: t.unit.scope, ...(each !== undefined ? { forEachOf: each } : {}) };
    }
    return {
      key: t.key,
      role: t.role,
      unit,
      instructions: t.instructions,
      deadline: readDuration(t.deadline),
      arriveWithin: t.arriveWithin === undefined ? null : readDuration(t.arriveWithin),
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
    if (first !== undefined) problem(`${base}/key`, `action key ${JSON.stringify(a.key)} is already used by /actions/${first}`);
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
      if (lookup === undefined) problem(`${base}/device/fromFact`, `no fact is named ${JSON.stringify(a.device.fromFact)}${suggestion(a.device.fromFact, [...factLookup.keys()])}`);
      else if (lookup === 'gridsWithin') problem(`${base}/device/fromFact`, `fact ${JSON.stringify(a.device.fromFact)} finds grids, which have no devices; use a 'nearest' or 'within' fact`);
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
      retry: { times: a.retry?.times ?? DEFAULT_RETRY.times, every: readDuration(a.retry?.every ?? DEFAULT_RETRY.every) },
    };
  });

  const escalation: EscalationStep[] = (doc.escalation ?? []).map((s) => ({
    after: readDuration(s.after),
    unless: s.unless,
    do: s.do,
    repeat: s.repeat ?? 0,
  }));

  const closure: PlanClosure = {
    reportBackWhen: doc.closure?.reportBackWhen ?? 'leads_done',
    requireEvidence: doc.closure?.requireEvidence ?? false,
    sensorNormalFor: doc.closure?.sensorNormalFor === undefined ? null : readDuration(doc.closure.sensorNormalFor),
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
function checkReference(ref: PathReference, roots: readonly string[], facts: ReadonlyMap<string, unknown>): string | null {
  if (!roots.includes(ref.root)) return `'${ref.root}' cannot be read here; this condition can read ${roots.join(', ')}`;
  const fact = ref.segments[0];
  if (ref.root === 'facts' && fact !== undefined && !facts.has(String(fact))) {
    return `no fact is named ${JSON.stringify(fact)}; declare it under facts${suggestion(String(fact), [...facts.keys()])}`;
  }
  return null;
}

function checkDependencyCycles(tasks: readonly TaskDocument[], index: ReadonlyMap<string, number>, problem: (path: string, message: string) => void): void {
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
        problem(`/tasks/${index.get(cycle[0]!)!}/dependsOn`, `dependsOn makes a cycle: ${cycle.join(' → ')}`);
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
function checkLeads(tasks: readonly TaskDocument[], problem: (path: string, message: string) => void): void {
  const leads = tasks.map((t, i) => ({ t, i })).filter(({ t }) => t.role === 'lead');
  if (leads.length === 0) {
    problem('/tasks', 'no task is the lead: give one task `role: lead`');
    return;
  }
  const unconditional = leads.filter(({ t }) => t.when === undefined);
  if (unconditional.length > 1) {
    for (const { i } of unconditional.slice(1)) {
      problem(`/tasks/${i}/role`, `a second lead without \`when\` (the first is /tasks/${unconditional[0]!.i}); a case has one lead`);
    }
  } else if (unconditional.length === 1 && leads.length > 1) {
    const others = leads.filter(({ t }) => t.when !== undefined).map(({ i }) => `/tasks/${i}`);
    problem(`/tasks/${unconditional[0]!.i}/role`, `this lead has no \`when\` but ${others.join(', ')} may lead too; guard every lead with mutually exclusive \`when\`s`);
  }
}

const DEFAULT_RETRY = Object.freeze({ times: 3, every: '30s' });
const DURATION_UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The schema has checked the pattern; a day is 24 h here (working days are the calendar's business). */
function readDuration(text: string): Duration {
  const match = /^([1-9][0-9]{0,5})([smhd])$/.exec(text);
  if (match === null) throw new Error(`invalid duration ${JSON.stringify(text)} passed the schema`);
  return { text, ms: Number(match[1]) * DURATION_UNIT_MS[match[2]!]! };
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
      problems.push({ path, message: `'}}' at character ${strayClose + 1} has no '{{' before it` });
      return { text, parts: [text] };
    }
    if (open === -1) {
      parts.push(text.slice(at));
      break;
    }
    if (open > at) parts.push(text.slice(at, open));
    const close = text.indexOf('}}', open + 2);
    if (close === -1) {
      problems.push({ path, message: `'{{' at character ${open + 1} is never closed with '}}'` });
      return { text, parts: [text] };
    }
    const compiled = compile(path, text.slice(open + 2, close).trim(), 'template');
    if (compiled !== null) parts.push(compiled);
    at = close + 2;
  }
  return { text, parts };
}

// ───────────────────────────── back to data, and comparing versions ─────────────────────────────

/** The plan as plain data (the YAML shape, defaults filled in), e.g. for the `definition` column. */
export function planToJson(def: PlanDefinition): PlanDocument {
  const source = (e: CompiledExpression | null): { when?: string } => (e === null ? {} : { when: e.source });
  const command = (c: DeviceCommand): CommandDocument => ({ name: c.name, params: structuredClone(c.params) as Record<string, unknown> });
  return {
    id: def.id,
    name: def.name,
    ...(def.description !== null ? { description: def.description } : {}),
    priority: def.priority,
    trigger: {
      categories: [...def.trigger.categories],
      ...(def.trigger.sources !== null ? { sources: [...def.trigger.sources] } : {}),
      ...source(def.trigger.when),
    },
    facts: Object.fromEntries(
      def.facts.map((f): [string, FactQueryDocument] => {
        if (f.lookup === 'gridsWithin') return [f.name, { gridsWithin: { withinMeters: f.withinMeters } }];
        const spec = { type: f.assetType, withinMeters: f.withinMeters, ...(f.where !== null ? { where: f.where.source } : {}) };
        return [f.name, f.lookup === 'nearest' ? { nearest: spec } : { within: spec }];
      }),
    ),
    level: def.level.map((r) => ({ ...source(r.when), tier: r.tier })),
    tasks: def.tasks.map((t) => ({
      key: t.key,
      role: t.role,
      unit: t.unit.by === 'owner' ? { owner: t.unit.fact } : { kind: t.unit.kind, scope: t.unit.scope, ...(t.unit.forEachOf !== undefined ? { forEachOf: t.unit.forEachOf } : {}) },
      instructions: t.instructions,
      deadline: t.deadline.text,
      ...(t.arriveWithin !== null ? { arriveWithin: t.arriveWithin.text } : {}),
      dependsOn: [...t.dependsOn],
      handBack: [...t.handBack],
      ...source(t.when),
    })),
    actions: def.actions.map((a): ActionDocument =>
      a.type === 'notify'
        ? { key: a.key, notify: { channel: a.channel, to: a.to, template: a.template.text }, ...source(a.when) }
        : {
            key: a.key,
            device: a.device.from === 'fact' ? { fromFact: a.device.fact } : { ids: [...a.device.ids] },
            command: command(a.command),
            ...(a.undoOnClose !== null ? { undoOnClose: command(a.undoOnClose) } : {}),
            retry: { times: a.retry.times, every: a.retry.every.text },
            ...source(a.when),
          },
    ),
    escalation: def.escalation.map((s) => ({ after: s.after.text, unless: s.unless, do: s.do, repeat: s.repeat })),
    closure: {
      reportBackWhen: def.closure.reportBackWhen,
      requireEvidence: def.closure.requireEvidence,
      ...(def.closure.sensorNormalFor !== null ? { sensorNormalFor: def.closure.sensorNormalFor.text } : {}),
    },
    ...(def.coordination ? { coordination: { districtsWithinMeters: def.coordination.districtsWithinMeters } } : {}),
  };
}

export interface PlanChange {
  /** JSON pointer; tasks and actions are named by key (`/tasks/repair/deadline`), so a reordering is no change. */
  readonly path: string;
  /** undefined: absent in that version. */
  readonly before: unknown;
  readonly after: unknown;
}

/** What changed from version a to version b, field by field, for a reviewer. */
export function summarizePlanDiff(a: PlanDefinition, b: PlanDefinition): PlanChange[] {
  const out: PlanChange[] = [];
  diffValues(planToJson(a), planToJson(b), '', out);
  return out;
}

function diffValues(before: unknown, after: unknown, path: string, out: PlanChange[]): void {
  if (sameData(before, after)) return;
  if (isRecord(before) && isRecord(after)) {
    const keys = [...Object.keys(before), ...Object.keys(after).filter((k) => !Object.hasOwn(before, k))];
    for (const k of keys) diffValues(before[k], after[k], `${path}/${escapePointer(k)}`, out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const byKey = keyedItems(before) !== null && keyedItems(after) !== null;
    if (byKey) {
      const b = keyedItems(before)!;
      const a = keyedItems(after)!;
      const keys = [...b.keys(), ...[...a.keys()].filter((k) => !b.has(k))];
      for (const k of keys) diffValues(b.get(k), a.get(k), `${path}/${escapePointer(k)}`, out);
      return;
    }
    // Lists of objects (level rules, escalation steps) by position; lists of values as one value.
    if (before.some(isRecord) || after.some(isRecord)) {
      for (let i = 0; i < Math.max(before.length, after.length); i++) diffValues(before[i], after[i], `${path}/${i}`, out);
      return;
    }
  }
  out.push({ path, before, after });
}

function keyedItems(items: readonly unknown[]): Map<string, unknown> | null {
  const map = new Map<string, unknown>();
  for (const item of items) {
    if (!isRecord(item) || typeof item.key !== 'string' || map.has(item.key)) return null;
    map.set(item.key, item);
  }
  return map;
}

function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameData(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameData(a[k], b[k]));
  }
  return false;
}

// ───────────────────────────── small helpers ─────────────────────────────

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

function describeData(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  const text = JSON.stringify(v);
  return `${typeof v} ${text.length > 60 ? `${text.slice(0, 60)}…` : text}`;
}

function lineAt(lines: LineCounter, node: { range?: readonly [number, number, number] | null } | null | undefined): { line?: number } {
  const start = node?.range?.[0];
  return start === undefined ? {} : { line: lines.linePos(start).line };
}

/** Plan problems carry the line only (the shared locator also knows the column). */
function withLine(problem: PlanProblem, line: number | undefined): PlanProblem {
  return line === undefined ? problem : { ...problem, line };
}

/** "unknown unit kind 'water' (did you mean 'water-supply'?)" */
function unknownName(what: string, name: string, known: ReadonlySet<string>): string {
  return `unknown ${what} ${JSON.stringify(name)}${suggestion(name, [...known])}`;
}

function suggestion(name: string, candidates: readonly string[]): string {
  const hint = closestName(name, candidates);
  return hint === null ? '' : ` (did you mean ${JSON.stringify(hint)}?)`;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
