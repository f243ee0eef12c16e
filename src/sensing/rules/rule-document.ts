/**
 * Alert rules (告警规则) as documents: the shape of the YAML a city's staff write, the checked
 * definition it becomes, and its published JSON Schema. Reading and checking is rule-definition.ts;
 * the engine's form is rule-compile.ts. Reference: docs/reference/rules.md.
 */
import { TIERS, type Tier } from '../../cases/case-model.ts';
import { deepFreeze } from '../../documents/deep-freeze.ts';
import { DURATION_PATTERN, DURATION_RULE, DURATION_SYNTAX } from '../../documents/duration.ts';
import type { Bilingual } from '../../documents/problem.ts';
import { SEVERITIES, type Severity } from '../sensing-model.ts';

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
  duration: `^(\\$${NAME}|${DURATION_SYNTAX})$`,
  paramDefault: DURATION_PATTERN,
} as const;

/** What a field's pattern means, by the name of the field (or of the map whose keys are checked). */
const DURATION_OR_PARAMETER: Bilingual = { en: `${DURATION_RULE.en}, or a $parameter`, zh: `${DURATION_RULE.zh}，或 $参数` };
const NUMBER_RULE: Bilingual = { en: 'must be a number or a $parameter such as $limit', zh: '须为数字或 $参数（如 $limit）' };
const AMOUNT_RULE: Bilingual = { en: "must be an amount (0.1), a percentage ('30%') or a $parameter ('$drop', '$drop%')", zh: "须为数值（0.1）、百分比（'30%'）或 $参数（'$drop'、'$drop%'）" };
export const RULE_FIELD_RULES: Readonly<Record<string, Bilingual>> = {
  id: { en: 'must be 3 to 64 lower-case letters, digits or -', zh: '须为 3 至 64 个小写字母、数字或 -' },
  metric: { en: 'must be a metric name such as water_level (letters, digits and _)', zh: '须为指标名，如 water_level（字母、数字、下划线）' },
  deviceTypes: { en: 'must be a device type such as water_gauge, or *', zh: '须为设备类型（如 water_gauge）或 *' },
  exceptDeviceTypes: { en: 'must be a device type such as camera', zh: '须为设备类型，如 camera' },
  category: { en: 'must be a category code such as safety.underpass-waterlogging', zh: '须为事项类别代码，如 safety.underpass-waterlogging' },
  params: { en: "must be a parameter name of letters, digits and _ that starts with a letter, with a number or a duration ('15m')", zh: "参数名须以字母开头，由字母、数字、下划线组成；值为数字或时长（'15m'）" },
  for: DURATION_OR_PARAMETER,
  within: DURATION_OR_PARAMETER,
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
