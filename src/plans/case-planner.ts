/**
 * Plans applied to cases: the implementation of the cases' `CasePlans` port (wired in platform.ts),
 * and the dry run of a plan on a case or on a place. Plans sit above cases: this module reads cases,
 * cases never read it.
 */
import type { Clock } from '../clock.ts';
import { CityLoopError } from '../errors.ts';
import type { Crs } from '../geo/crs.ts';
import type { JurisdictionResolver } from '../geo/resolver.ts';
import type { OrgDirectory } from '../org/org-directory.ts';
import type { CaseEvent } from '../cases/case-events.ts';
import type { CaseDoc, ChainLink } from '../cases/case-model.ts';
import type { PlanRunForCase } from '../cases/decide-case.ts';
import type { CasePlans, OutboxEffect } from '../cases/case-ports.ts';
import { locate } from '../cases/place-case.ts';
import type { PlanRegistry } from './plan-registry.ts';
import { decidePlanRun, gatherFacts, selectPlan, type Candidate, type MapLookup, type PlanCase, type PlanRun, type ResolvedAction } from './plan-engine.ts';
import { effectsOfCaseClosed, effectsOfPlanApplied } from './plan-effects.ts';

/** A case as plans see it. */
export function planCaseOf(doc: CaseDoc): PlanCase {
  return {
    id: doc.id,
    number: doc.number,
    categoryCode: doc.categoryCode,
    source: doc.source,
    priority: doc.priority,
    title: doc.title,
    description: doc.description,
    lng: doc.location.lng,
    lat: doc.location.lat,
    address: doc.location.address,
    chain: doc.chain,
    district: doc.chain.find((l) => l.level === 'district')?.code ?? null,
    street: doc.chain.find((l) => l.level === 'street')?.code ?? null,
  };
}

/**
 * What a plan's conditions read as `alert`: the sensor behind the case and its latest reading
 * (`alert.readings.water_level`), or null for a case no sensor raised.
 */
export function alertOf(doc: CaseDoc): Record<string, unknown> | null {
  if (!doc.sensor) return null;
  return {
    deviceId: doc.sensor.deviceId,
    state: doc.sensor.state,
    since: doc.sensor.since,
    readings: doc.sensor.reading ? { [doc.sensor.reading.name]: doc.sensor.reading.value } : {},
  };
}

export interface CasePlannerDeps {
  readonly registry: PlanRegistry;
  readonly map: () => MapLookup;
  readonly org: OrgDirectory;
  readonly clock: Clock;
  readonly resolver: () => JurisdictionResolver;
}

export class CasePlanner implements CasePlans {
  readonly #d: CasePlannerDeps;
  constructor(deps: CasePlannerDeps) {
    this.#d = deps;
  }

  /** A case that does not exist, placed on the map, for dry runs of plans. */
  hypotheticalCase(input: { categoryCode: string; lng: number; lat: number; crs: Crs; source?: string | undefined; priority?: string | undefined; title?: string | undefined; description?: string | undefined }): PlanCase {
    const loc = locate(this.#d.resolver(), input.lng, input.lat, input.crs);
    return {
      id: null,
      number: null,
      categoryCode: input.categoryCode,
      source: input.source ?? 'inspection',
      priority: input.priority ?? 'normal',
      title: input.title ?? '',
      description: input.description ?? '',
      lng: loc.lng,
      lat: loc.lat,
      address: loc.chain.map((l) => l.name).join(''),
      chain: loc.chain,
      district: loc.chain.find((l) => l.level === 'district')?.code ?? null,
      street: loc.chain.find((l) => l.level === 'street')?.code ?? null,
    };
  }

  /**
   * Which plan applies and what it decides, without side effects (the dry run). With a plan id,
   * that plan (newest version, or the given version) is run even if its trigger does not match,
   * and `matched` says whether it would have.
   */
  planFor(c: PlanCase, planId?: string, caseNumber?: string | null, explicit?: Candidate, alert: unknown = null, supplied: Readonly<Record<string, unknown>> = {}): PlanRun & { matched: boolean } {
    const registry = this.#d.registry;
    const map = this.#d.map();
    const now = this.#d.clock.now().toISOString();
    const units = {
      unitOfKind: (kind: string, code: string) => this.#d.org.unitOfKind(kind, code),
      unit: (id: string) => this.#d.org.unit(id),
    };
    let chosen: { candidate: Candidate; facts: Record<string, unknown> } | null;
    let matched: boolean;
    if (planId !== undefined || explicit) {
      const cand = explicit ?? registry.latest(planId!);
      if (!cand) throw new CityLoopError('NOT_FOUND', { what: 'plan', id: planId });
      const auto = selectPlan([cand], c, map, { now, alert, supplied });
      matched = auto !== null;
      chosen = auto ?? { candidate: cand, facts: gatherFacts(cand.plan, c, map, { case: c, alert, now }, supplied) };
    } else {
      chosen = selectPlan(registry.candidates(), c, map, { now, alert, supplied });
      if (!chosen) throw new CityLoopError('PLAN_NO_MATCH');
      matched = true;
    }
    const run = decidePlanRun(chosen.candidate, c, chosen.facts, units, map, { now, alert, caseNumber: caseNumber ?? null });
    return { ...run, matched };
  }

  /** The dry run of the plan for an existing case (what apply_plan would do). */
  previewFor(doc: CaseDoc, planId?: string, supplied: Readonly<Record<string, unknown>> = {}): PlanRun & { matched: boolean } {
    return this.planFor(planCaseOf(doc), planId, doc.number, undefined, alertOf(doc), supplied);
  }

  runFor(doc: CaseDoc, planId: string | undefined, supplied: Readonly<Record<string, unknown>> = {}): PlanRunForCase {
    return this.#runForCase(doc.chain, this.previewFor(doc, planId, supplied));
  }

  async effectsOf(events: readonly CaseEvent[], doc: CaseDoc, appliedActions: () => Promise<readonly unknown[]>): Promise<OutboxEffect[]> {
    const out: OutboxEffect[] = [];
    for (const e of events) {
      if (e.type === 'PlanApplied') out.push(...effectsOfPlanApplied(e.payload.actions as ResolvedAction[]).map((ef) => ({ kind: ef.kind, payload: ef })));
      if (e.type === 'CaseClosed' && doc.plan) out.push(...effectsOfCaseClosed((await appliedActions()) as ResolvedAction[], doc.automaticSteps ?? []).map((ef) => ({ kind: ef.kind, payload: ef })));
    }
    return out;
  }

  #runForCase(chain: readonly ChainLink[], run: PlanRun): PlanRunForCase {
    if (run.problems.length > 0) {
      throw new CityLoopError('PLAN_UNRESOLVED', { plan: run.planId, detail: run.problems.map((p) => p.message).join('; ') }, { problems: run.problems });
    }
    const level = run.tier === 'city' ? 'city' : run.tier;
    const owner = [...chain].reverse().find((l) => l.level === level);
    const center = owner ? this.#d.org.centerOfJurisdiction(owner.code) : undefined;
    if (!center) throw new CityLoopError('PLAN_UNRESOLVED', { plan: run.planId, detail: `no ${run.tier} center serves this place` });
    return {
      planId: run.planId,
      version: run.version,
      name: run.name,
      tier: center.tier,
      centerId: center.id,
      facts: run.facts,
      actions: run.actions,
      tasks: run.tasks,
      escalation: run.escalation.map((e) => ({ afterMs: e.after.ms, unless: e.unless, do: e.do, repeat: e.repeat })),
      closure: { reportBackWhen: run.closure.reportBackWhen, requireEvidence: run.closure.requireEvidence, sensorNormalForMs: run.closure.sensorNormalFor?.ms ?? null },
      coCenterIds: run.coordination.map((d) => this.#d.org.centerOfJurisdiction(d.code)?.id).filter((x): x is string => x !== undefined),
    };
  }
}
