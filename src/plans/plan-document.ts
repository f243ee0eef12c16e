/**
 * A plan as its authors write it: the shape of the YAML (or JSON) file and its published JSON
 * Schema, with what each patterned field means in both languages for the schema step of the
 * shared document stack (src/documents/schema-check.ts). Reference: docs/reference/plans.md.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import { CASE_SOURCES, TIERS, type CaseSource, type Tier, type TaskRole } from '../cases/case-model.ts';
import { deepFreeze } from '../documents/deep-freeze.ts';
import { DURATION_PATTERN, DURATION_RULE } from '../documents/duration.ts';
import type { Bilingual } from '../documents/problem.ts';
import { ESCALATION_CONDITIONS, ESCALATION_STEPS, EVIDENCE_KINDS, REPORT_BACK_RULES, type EscalationStep, type EvidenceKind, type PlanClosure } from './plan-model.ts';

// ───────────────────────────── the document (YAML / JSON shape) ─────────────────────────────

export type FactQueryDocument =
  | { nearest: { type: string; withinMeters: number; where?: string } }
  | { within: { type: string; withinMeters: number; where?: string } }
  | { gridsWithin: { withinMeters: number } }
  | { supplied: { level: SuppliedPlaceLevel } };
/** The jurisdiction levels a supplied list of places may hold. */
export const SUPPLIED_PLACE_LEVELS = ['district', 'street', 'community', 'grid'] as const;
export type SuppliedPlaceLevel = (typeof SUPPLIED_PLACE_LEVELS)[number];
export type UnitDocument = { kind: string; scope: Tier; forEachOf?: string } | { owner: string };
export interface CommandDocument {
  name: string;
  params?: Record<string, unknown>;
}
export interface TaskDocument {
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
export type ActionDocument =
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
  // The documents' one grammar (90s, 10m, 1h30m, 2d); zero is refused when the plan is built.
  duration: DURATION_PATTERN,
} as const;

/**
 * What a field's pattern means, for people reading a refusal, by the name of the field (or of the
 * map whose keys are checked): several fields share a pattern but not a meaning.
 */
export const PLAN_FIELD_RULES: Readonly<Record<string, Bilingual>> = {
  id: { en: 'must be 3 to 64 lower-case letters, digits or -', zh: '须为 3 至 64 个小写字母、数字或 -' },
  key: { en: 'must be lower-case letters, digits or - (at most 64)', zh: '须为小写字母、数字或 -（最多 64 个）' },
  dependsOn: { en: 'must be a task key: lower-case letters, digits or -', zh: '须为任务的 key：小写字母、数字或 -' },
  facts: { en: 'must be a lower-case name of letters, digits and _ that starts with a letter', zh: '须为以字母开头、由小写字母、数字和 _ 组成的名称' },
  owner: { en: 'must name a fact: lower-case letters, digits and _', zh: '须为事实（fact）的名称：小写字母、数字和 _' },
  fromFact: { en: 'must name a fact: lower-case letters, digits and _', zh: '须为事实（fact）的名称：小写字母、数字和 _' },
  type: { en: 'must be an asset type such as water_main or traffic_signal', zh: '须为部件类型，如 water_main 或 traffic_signal' },
  categories: { en: 'must be a category code such as municipal.water.burst', zh: '须为事项类别代码，如 municipal.water.burst' },
  kind: { en: 'must be a unit kind such as water-supply or traffic-police', zh: '须为单位类型，如 water-supply 或 traffic-police' },
  ids: { en: "must be a device id of letters, digits, '_', '.', ':' or '-' (no '/', '+' or '#')", zh: "须为设备编号：字母、数字、'_'、'.'、':' 或 '-'（不能含 '/'、'+'、'#'）" },
  name: { en: 'must be a command name such as set_phase', zh: '须为指令名，如 set_phase' },
  params: { en: 'must be a parameter name of letters, digits and _ that starts with a letter', zh: '参数名须以字母开头，由字母、数字和 _ 组成' },
  channel: { en: 'must be a channel name such as webhook, sms or log', zh: '须为通知渠道名，如 webhook、sms 或 log' },
  deadline: DURATION_RULE,
  arriveWithin: DURATION_RULE,
  after: DURATION_RULE,
  sensorNormalFor: DURATION_RULE,
  every: DURATION_RULE,
};

/** The plan's own sentences for errors that the generic schema step would explain badly. */
export function explainPlanSchemaError(e: ErrorObject, pointer: string): Bilingual | null {
  if (e.keyword === 'false schema') {
    return /\/unit\/[^/]+$/.test(pointer)
      ? { en: "cannot stand beside 'owner': a unit is either { owner: <fact> } or { kind, scope }", zh: "不能与 'owner' 并列：单位要么是 { owner: <事实> }，要么是 { kind, scope }" }
      : { en: "cannot stand beside 'notify': an action either sends a device command or a notification", zh: "不能与 'notify' 并列：一个动作要么发送设备指令，要么发送通知" };
  }
  if (e.keyword === 'minProperties' || e.keyword === 'maxProperties') {
    if (/^\/facts\/[^/]+$/.test(pointer)) return { en: 'must name exactly one lookup: nearest, within, gridsWithin or supplied', zh: '须且只能指定一种查找：nearest、within、gridsWithin 或 supplied' };
    if (pointer.endsWith('/device')) return { en: 'must name either fromFact or ids', zh: '须指定 fromFact 或 ids 之一' };
  }
  return null;
}

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
        // A list of places the caller hands in with apply_plan (an analysis's affected communities).
        supplied: {
          type: 'object',
          additionalProperties: false,
          required: ['level'],
          properties: { level: { enum: [...SUPPLIED_PLACE_LEVELS] } },
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
            every: { $ref: '#/$defs/duration' },
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
