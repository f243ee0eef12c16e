/**
 * What the case lifecycle needs from the layers above it, as small interfaces (ports). Cases sit
 * below plans and sensing: they never import them; `platform.ts` wires the implementations in
 * (`src/plans/case-planner.ts`), so a case runs a plan without knowing what a plan is.
 */
import type { CaseEvent } from './case-events.ts';
import type { CaseDoc } from './case-model.ts';
import type { PlanRunForCase } from './decide-case.ts';

/** A durable effect: a row of the outbox, written in the transaction that decided it. */
export interface OutboxEffect {
  /** What the runner does (`device_command`, `notify`, …): the runner of that kind claims it. */
  readonly kind: string;
  /** What the runner needs, stored as JSON. */
  readonly payload: unknown;
}

/** Plans as the case lifecycle uses them. */
export interface CasePlans {
  /**
   * For `apply_plan`: what the plan (the newest version of `planId`, or the one that matches)
   * decides for this case, resolved to the center of its tier. Throws `PLAN_NO_MATCH`,
   * `PLAN_UNRESOLVED` or `NOT_FOUND`.
   */
  runFor(doc: CaseDoc, planId: string | undefined, supplied?: Readonly<Record<string, unknown>>): PlanRunForCase;
  /**
   * The effects the events just appended call for (a plan's device commands and notifications,
   * their undo at closing). `appliedActions` reads the actions of the plan last applied, when
   * needed (only a closing does).
   */
  effectsOf(events: readonly CaseEvent[], doc: CaseDoc, appliedActions: () => Promise<readonly unknown[]>): Promise<OutboxEffect[]>;
}

/** The districts near a place: a report within a boundary's reach becomes a joint case (跨区域). */
export interface DistrictsNear {
  districtsWithin(lng: number, lat: number, meters: number): readonly { code: string; name: string }[];
}
