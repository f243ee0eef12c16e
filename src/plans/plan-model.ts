/**
 * A plan (预案) or "one thing" scenario (一件事) as the engine reads it: checked, typed, its
 * conditions compiled. plan-definition.ts makes one from a plan's text (plan-document.ts is the
 * text's shape and schema); plan-engine.ts runs it.
 */
import type { CaseSource, Tier, TaskRole } from '../cases/case-model.ts';
import type { CompiledExpression } from './expression/index.ts';

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
  | { readonly name: string; readonly lookup: 'gridsWithin'; readonly withinMeters: number }
  /**
   * Places the caller hands in with `apply_plan` (`[{ code, name, … }]`, jurisdictions of `level`):
   * what a capability found and the map cannot know, e.g. the communities a flood analysis
   * reaches. Recorded with the run's facts, so the log keeps what the plan was given.
   */
  | { readonly name: string; readonly lookup: 'supplied'; readonly level: 'district' | 'street' | 'community' | 'grid' };

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
       * A `supplied` fact: one task for each place in the list, to the unit of `kind` serving the
       * place's street (or district) — "each affected community, by its community office".
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
export type ExpressionContext = keyof typeof PLAN_EXPRESSION_ROOTS;
