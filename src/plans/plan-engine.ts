import type { AssetRecord, AssetType } from '../assets/asset.ts';
import type { ChainLink, Tier, TaskRole } from '../cases/case-model.ts';
import type { EvidenceKind, PlanDefinition, PlanTask, PlanAction, EscalationStep, MessageTemplate } from './plan-definition.ts';

/**
 * The plan engine: which plan applies to a case, the facts it reads from the map, the tier that
 * owns the case, and each task's unit. Pure: the map and the organisation come in as small
 * interfaces, so the same code runs a real case, a dry run and a benchmark.
 */

/** What a plan's conditions see as `case`. */
export interface PlanCase {
  readonly id: string | null;
  readonly number: string | null;
  readonly categoryCode: string;
  readonly source: string;
  readonly priority: string;
  readonly title: string;
  readonly description: string;
  readonly lng: number;
  readonly lat: number;
  readonly address: string;
  readonly chain: readonly ChainLink[];
  readonly district: string | null;
  readonly street: string | null;
}

export interface MapLookup {
  nearest(type: AssetType, lng: number, lat: number, withinMeters: number, filter?: (a: AssetRecord) => boolean): { asset: AssetRecord; distanceMeters: number } | null;
  within(type: AssetType, lng: number, lat: number, withinMeters: number, filter?: (a: AssetRecord) => boolean): { asset: AssetRecord; distanceMeters: number }[];
  gridsWithin(lng: number, lat: number, withinMeters: number): string[];
  /** The code of the street (or district) a jurisdiction lies in, or null. */
  ancestorAt(code: string, level: 'street' | 'district'): string | null;
  /** Districts whose area lies within the distance of the point (the point's own included). */
  districtsWithin(lng: number, lat: number, withinMeters: number): { code: string; name: string }[];
}

export interface UnitLookup {
  /** The unit of a kind serving a jurisdiction (a district's traffic police). */
  unitOfKind(kind: string, jurisdictionCode: string): { id: string; name: string } | undefined;
  unit(id: string): { id: string; name: string } | undefined;
}

export interface ResolvedTask {
  readonly key: string;
  readonly role: TaskRole;
  readonly unitId: string;
  readonly unitName: string;
  readonly instructions: string;
  readonly deadlineMs: number;
  readonly arriveWithinMs: number | null;
  readonly dependsOn: readonly string[];
  readonly handBack: readonly EvidenceKind[];
  /** People the task must account for: a supplied place's `expected` (its people to move). */
  readonly expected?: number | undefined;
}

export type ResolvedAction =
  | { readonly type: 'device'; readonly key: string; readonly deviceIds: readonly string[]; readonly command: { name: string; params: Record<string, unknown> }; readonly undoOnClose: { name: string; params: Record<string, unknown> } | null; readonly retry: { times: number; everyMs: number } }
  | { readonly type: 'notify'; readonly key: string; readonly channel: string; readonly to: string; readonly message: string };

export interface PlanProblemReport {
  readonly path: string;
  readonly message: string;
}

/** Everything a plan decides for one case: shown by the dry run, applied by a real run. */
export interface PlanRun {
  readonly planId: string;
  readonly version: number;
  readonly name: string;
  readonly tier: Tier;
  readonly facts: Record<string, unknown>;
  readonly tasks: readonly ResolvedTask[];
  readonly actions: readonly ResolvedAction[];
  readonly escalation: readonly EscalationStep[];
  readonly closure: PlanDefinition['closure'];
  /** 跨区域协同: the other districts that share the case, with the assisting unit each sends. */
  readonly coordination: readonly { code: string; name: string }[];
  /** Roles that resolve to nobody and conditions that failed: a run with problems is not applied. */
  readonly problems: readonly PlanProblemReport[];
}

/** Category match: a plan's parent code (`municipal.water`) covers its children. */
export function categoryMatches(planCodes: readonly string[], code: string): boolean {
  return planCodes.some((c) => c === code || code.startsWith(`${c}.`));
}

/** An asset as a plan reads it: its properties flattened beside id, type, name, unitId, distance. */
function assetFact(a: AssetRecord, distanceMeters: number): Record<string, unknown> {
  return { ...a.properties, id: a.id, type: a.type, name: a.name, unitId: a.unitId, jurisdictionCode: a.jurisdictionCode, distanceMeters: Math.round(distanceMeters * 10) / 10, properties: a.properties };
}

/** A place of a `supplied` fact, as the caller hands it in: a jurisdiction code, and what else it knows. */
export interface SuppliedPlace {
  readonly code: string;
  readonly name?: string | undefined;
  readonly [more: string]: unknown;
}

/** The places of a supplied fact: entries without a string code are dropped (and reported by the run). */
function suppliedPlaces(value: unknown): SuppliedPlace[] {
  if (!Array.isArray(value)) return [];
  return value.filter((p): p is SuppliedPlace => typeof p === 'object' && p !== null && typeof (p as { code?: unknown }).code === 'string');
}

/**
 * The plan's facts: looked up on the map, or taken from `supplied` (what the caller of apply_plan
 * handed in: an absent supplied fact reads as an empty list).
 */
export function gatherFacts(plan: PlanDefinition, c: PlanCase, map: MapLookup, base: Record<string, unknown>, supplied: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const facts: Record<string, unknown> = {};
  for (const f of plan.facts) {
    if (f.lookup === 'supplied') {
      facts[f.name] = suppliedPlaces(supplied[f.name]);
      continue;
    }
    if (f.lookup === 'gridsWithin') {
      facts[f.name] = map.gridsWithin(c.lng, c.lat, f.withinMeters);
      continue;
    }
    const where = f.where;
    const filter = where ? (a: AssetRecord) => where.evaluateBoolean({ ...base, asset: a }) === true : undefined;
    if (f.lookup === 'nearest') {
      const hit = map.nearest(f.assetType as AssetType, c.lng, c.lat, f.withinMeters, filter);
      facts[f.name] = hit ? assetFact(hit.asset, hit.distanceMeters) : null;
    } else {
      facts[f.name] = map.within(f.assetType as AssetType, c.lng, c.lat, f.withinMeters, filter).map((h) => assetFact(h.asset, h.distanceMeters));
    }
  }
  return facts;
}

export interface Candidate {
  readonly plan: PlanDefinition;
  readonly version: number;
}

/**
 * The plan that applies to a case: category and source first (cheap), then the facts and the
 * trigger condition; the highest priority wins, then the smaller id (deterministic).
 */
export function selectPlan(
  candidates: readonly Candidate[],
  c: PlanCase,
  map: MapLookup,
  extra: { alert?: unknown; now: string; supplied?: Readonly<Record<string, unknown>> | undefined },
): { candidate: Candidate; facts: Record<string, unknown> } | null {
  const ordered = candidates
    .filter((x) => categoryMatches(x.plan.trigger.categories, c.categoryCode) && (x.plan.trigger.sources === null || x.plan.trigger.sources.includes(c.source as never)))
    .sort((a, b) => b.plan.priority - a.plan.priority || a.plan.id.localeCompare(b.plan.id));
  for (const cand of ordered) {
    const base = { case: c, alert: extra.alert ?? null, now: extra.now };
    const facts = gatherFacts(cand.plan, c, map, base, extra.supplied);
    if (!cand.plan.trigger.when || cand.plan.trigger.when.evaluateBoolean({ ...base, facts }) === true) return { candidate: cand, facts };
  }
  return null;
}

function scopeCode(c: PlanCase, scope: Tier): string | null {
  if (scope === 'city') return c.chain.find((l) => l.level === 'city')?.code ?? null;
  if (scope === 'district') return c.district;
  return c.street;
}

function renderTemplate(t: MessageTemplate, input: Record<string, unknown>): string {
  return t.parts.map((p) => (typeof p === 'string' ? p : String(p.evaluate(input) ?? ''))).join('');
}

/** Runs a plan's rules for a case: level, tasks with their units, actions. Never throws for a role that resolves to nobody: it reports it. */
export function decidePlanRun(
  cand: Candidate,
  c: PlanCase,
  facts: Record<string, unknown>,
  units: UnitLookup,
  map: Pick<MapLookup, 'districtsWithin' | 'ancestorAt'>,
  extra: { alert?: unknown; now: string; caseNumber?: string | null },
): PlanRun {
  const plan = cand.plan;
  const problems: PlanProblemReport[] = [];
  const base = { case: c, alert: extra.alert ?? null, facts, now: extra.now };
  const rule = plan.level.find((r) => !r.when || r.when.evaluateBoolean(base) === true) ?? plan.level[plan.level.length - 1]!;
  const level = { tier: rule.tier };
  const withLevel = { ...base, level };
  const tasks: ResolvedTask[] = [];
  // Tasks one per supplied place may share a unit (two communities of one street's office).
  const perPlace = new Set<string>();
  plan.tasks.forEach((t: PlanTask, i) => {
    if (t.when && t.when.evaluateBoolean(withLevel) !== true) return;
    let unit: { id: string; name: string } | undefined;
    const eachFact = t.unit.by === 'kind' && t.unit.forEachOf !== undefined ? plan.facts.find((f) => f.name === (t.unit as { forEachOf: string }).forEachOf) : undefined;
    if (t.unit.by === 'kind' && eachFact?.lookup === 'supplied') {
      const places = suppliedPlaces(facts[eachFact.name]);
      const scope = t.unit.scope === 'district' ? 'district' : 'street';
      if (places.length === 0) problems.push({ path: `/tasks/${i}/unit`, message: `task ${t.key}: the supplied fact ${eachFact.name} holds no place` });
      for (const place of places) {
        const served = map.ancestorAt(place.code, scope);
        const u = served === null ? undefined : units.unitOfKind(t.unit.kind, served);
        if (!u) {
          problems.push({ path: `/tasks/${i}/unit`, message: `task ${t.key}: no ${t.unit.kind} unit serves ${place.name ?? place.code} (${place.code})` });
          continue;
        }
        const key = `${t.key}@${place.code}`;
        perPlace.add(key);
        tasks.push({
          key,
          role: t.role,
          unitId: u.id,
          unitName: u.name,
          instructions: typeof place.name === 'string' && place.name !== '' ? `（${place.name}）${t.instructions}` : t.instructions,
          deadlineMs: t.deadline.ms,
          arriveWithinMs: t.arriveWithin?.ms ?? null,
          dependsOn: t.dependsOn,
          handBack: t.handBack,
          ...(typeof place.expected === 'number' && Number.isInteger(place.expected) && place.expected >= 0 ? { expected: place.expected } : {}),
        });
      }
      return;
    }
    if (t.unit.by === 'kind' && t.unit.forEachOf !== undefined) {
      // One task per street (or district) of the grids in the fact, e.g. the grid workers around.
      const grids = facts[t.unit.forEachOf];
      const scope = t.unit.scope === 'district' ? 'district' : 'street';
      const places = [...new Set((Array.isArray(grids) ? grids : []).map((g) => map.ancestorAt(String(g), scope)).filter((x): x is string => x !== null))].sort();
      if (places.length === 0) problems.push({ path: `/tasks/${i}/unit`, message: `task ${t.key}: no grid of ${t.unit.forEachOf} lies in a ${scope}` });
      for (const place of places) {
        const u = units.unitOfKind(t.unit.kind, place);
        if (!u) {
          problems.push({ path: `/tasks/${i}/unit`, message: `task ${t.key}: no ${t.unit.kind} unit serves ${place}` });
          continue;
        }
        tasks.push({
          key: places.length === 1 ? t.key : `${t.key}@${place}`,
          role: t.role,
          unitId: u.id,
          unitName: u.name,
          instructions: t.instructions,
          deadlineMs: t.deadline.ms,
          arriveWithinMs: t.arriveWithin?.ms ?? null,
          dependsOn: t.dependsOn,
          handBack: t.handBack,
        });
      }
      return;
    }
    if (t.unit.by === 'kind') {
      const code = scopeCode(c, t.unit.scope);
      unit = code ? units.unitOfKind(t.unit.kind, code) : undefined;
      if (!unit) problems.push({ path: `/tasks/${i}/unit`, message: `task ${t.key}: no ${t.unit.kind} unit serves the ${t.unit.scope} of this place (${code ?? 'none'})` });
    } else {
      const f = facts[t.unit.fact] as { unitId?: string | null } | null | undefined;
      unit = f?.unitId ? units.unit(f.unitId) : undefined;
      if (!unit) problems.push({ path: `/tasks/${i}/unit`, message: `task ${t.key}: the ${t.unit.fact} found on the map has no owning unit` });
    }
    if (!unit) return;
    tasks.push({
      key: t.key,
      role: t.role,
      unitId: unit.id,
      unitName: unit.name,
      instructions: t.instructions,
      deadlineMs: t.deadline.ms,
      arriveWithinMs: t.arriveWithin?.ms ?? null,
      dependsOn: t.dependsOn,
      handBack: t.handBack,
    });
  });
  // 跨区域协同: each neighbouring district within reach sends its unit of the lead's kind.
  const coordination: { code: string; name: string }[] = [];
  if (plan.coordination) {
    const lead = tasks.find((t) => t.role === 'lead');
    const leadDef = plan.tasks.find((t) => t.key === lead?.key);
    for (const d of map.districtsWithin(c.lng, c.lat, plan.coordination.districtsWithinMeters)) {
      if (d.code === c.district) continue;
      coordination.push(d);
      if (!lead || !leadDef || leadDef.unit.by !== 'kind') continue;
      const unit = units.unitOfKind(leadDef.unit.kind, d.code);
      if (!unit) {
        problems.push({ path: '/coordination', message: `no ${leadDef.unit.kind} unit serves ${d.name}` });
        continue;
      }
      tasks.push({ ...lead, key: `${lead.key}@${d.code}`, role: 'assist', unitId: unit.id, unitName: unit.name, instructions: `（跨区域协同）${lead.instructions}` });
    }
  }
  const leads = tasks.filter((t) => t.role === 'lead').length;
  if (leads !== 1 && !problems.some((p) => p.message.includes('lead'))) {
    problems.push({ path: '/tasks', message: `the plan gives this case ${leads} lead tasks; exactly one is needed` });
  }
  const seenUnits = new Set<string>();
  for (const t of tasks) {
    if (perPlace.has(t.key)) continue;
    if (seenUnits.has(t.unitId)) problems.push({ path: '/tasks', message: `unit ${t.unitName} would get two tasks on one case` });
    seenUnits.add(t.unitId);
  }
  const actions: ResolvedAction[] = [];
  const templateInput = { ...withLevel, case: { ...c, number: extra.caseNumber ?? c.number }, plan: { id: plan.id, name: plan.name, version: cand.version } };
  plan.actions.forEach((a: PlanAction, i) => {
    if (a.when && a.when.evaluateBoolean(withLevel) !== true) return;
    if (a.type === 'notify') {
      actions.push({ type: 'notify', key: a.key, channel: a.channel, to: a.to, message: renderTemplate(a.template, templateInput) });
      return;
    }
    let deviceIds: string[] = [];
    if (a.device.from === 'ids') deviceIds = [...a.device.ids];
    else {
      const f = facts[a.device.fact];
      const list = Array.isArray(f) ? f : f ? [f] : [];
      deviceIds = list.map((x) => (x as { device_id?: unknown }).device_id).filter((d): d is string => typeof d === 'string');
    }
    if (deviceIds.length === 0) {
      problems.push({ path: `/actions/${i}/device`, message: `action ${a.key}: no device found to send ${a.command.name} to` });
      return;
    }
    actions.push({
      type: 'device',
      key: a.key,
      deviceIds,
      command: { name: a.command.name, params: { ...a.command.params } },
      undoOnClose: a.undoOnClose ? { name: a.undoOnClose.name, params: { ...a.undoOnClose.params } } : null,
      retry: { times: a.retry.times, everyMs: a.retry.every.ms },
    });
  });
  return { planId: plan.id, version: cand.version, name: plan.name, tier: rule.tier, facts, tasks, actions, escalation: plan.escalation, closure: plan.closure, coordination, problems };
}
