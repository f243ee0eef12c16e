import { sql } from 'kysely';
import { likeContains, likeInOrder, likeStartsWith } from '../store/like-pattern.ts';
import type { Clock } from '../clock.ts';
import { CityLoopError } from '../errors.ts';
import { newId } from '../ids.ts';
import { parseDuration, type WorkingCalendar } from '../calendar/working-calendar.ts';
import { haversineMeters, toGcj02, type Crs } from '../geo/crs.ts';
import { geometryBBox } from '../geo/geometry.ts';
import { textSimilarity } from '../appeals/similar-text.ts';
import type { JurisdictionResolver } from '../geo/resolver.ts';
import type { OrgDirectory } from '../org/org-directory.ts';
import type { StoreAdapter, Tx } from '../store/store.ts';
import type { EventBus } from '../events/event-bus.ts';
import { appendEvents, type StoredEventRow } from '../events/event-log.ts';
import { assertMayCommand, assertMayReport, canSeeCase } from '../auth/case-policy.ts';
import { hasRole, SYSTEM_PRINCIPAL, type Principal } from '../auth/principal.ts';
import { SYSTEM_ACTOR, type Actor, type CaseEvent, type CaseEventBody } from './case-events.ts';
import { CASE_SOURCES, PRIORITIES, TERMINAL_STATES, type CaseDoc, type CaseSource, type ChainLink, type Priority, type Tier } from './case-model.ts';
import { decideCase, type CaseCommand, type DecideContext } from './decide-case.ts';
import { evolveCase } from './evolve-case.ts';
import { decideTimer, timersForEvents, type TimerKind } from './case-timers.ts';
import type { PlanRegistry } from '../plans/plan-registry.ts';
import { decidePlanRun, gatherFacts, selectPlan, type Candidate, type MapLookup, type PlanCase, type PlanRun, type ResolvedAction } from '../plans/plan-engine.ts';
import { effectsOfCaseClosed, effectsOfPlanApplied, type PlanEffect } from '../plans/plan-effects.ts';

export interface ReportCaseInput {
  readonly source?: CaseSource | undefined;
  readonly categoryCode: string;
  readonly title: string;
  readonly description?: string | undefined;
  readonly lng: number;
  readonly lat: number;
  readonly crs: Crs;
  readonly address?: string | undefined;
  readonly priority?: Priority | undefined;
  readonly reporter?: { name?: string | undefined; phone?: string | undefined; anonymous?: boolean | undefined } | undefined;
  readonly externalRef?: string | undefined;
  /** Which tier's center owns the case; default from settings (the district, as in the seed). */
  readonly tier?: Tier | undefined;
  /**
   * An id the client chose for this report (a grid worker's phone): sending the same report again
   * with the same id returns the case already made instead of a second one.
   */
  readonly clientRequestId?: string | undefined;
  /**
   * The place could not be found (an address nobody knows): the case is placed at the city as a
   * whole, owned by the city center, and waits for a person to place and route it.
   */
  readonly unplaced?: boolean | undefined;
  /** The object reported, when it is a line (a trail, a river bank), in the same datum as lng/lat. */
  readonly line?: readonly (readonly [number, number])[] | undefined;
}

/** A place within this distance of another district's boundary makes a joint case of both. */
export const JOINT_CASE_METERS = 100;

export interface CaseServiceDeps {
  readonly store: StoreAdapter;
  readonly clock: Clock;
  readonly calendar: WorkingCalendar;
  readonly resolver: () => JurisdictionResolver;
  readonly org: OrgDirectory;
  readonly bus: EventBus;
  readonly defaultTier?: Tier;
  readonly numberPrefix?: string;
  /** Plans and the map they read; without them apply_plan is refused. */
  readonly plans?: PlanRegistry;
  readonly map?: () => MapLookup;
}

export interface CaseListFilter {
  readonly state?: readonly string[] | undefined;
  readonly category?: string | undefined;
  readonly jurisdiction?: string | undefined;
  readonly unit?: string | undefined;
  readonly center?: string | undefined;
  readonly source?: string | undefined;
  readonly overdue?: boolean | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly q?: string | undefined;
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
}

const EVENT_SCHEMA_VERSION = 1;

function actorOf(p: Principal): Actor {
  return { id: p.userId, name: p.displayName, roles: p.roles };
}

function rowToEvent(r: StoredEventRow): CaseEvent {
  return {
    seq: Number(r.seq),
    id: r.id,
    streamId: r.stream_id,
    streamVersion: Number(r.stream_version),
    schemaVersion: Number(r.schema_version),
    type: r.type,
    actor: JSON.parse(r.actor) as Actor,
    at: r.at,
    payload: JSON.parse(r.payload),
  } as CaseEvent;
}

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

/** Applies event bodies to a case before they are written, so later commands see their effect. */
function provisional(doc: CaseDoc | null, caseId: string, bodies: readonly CaseEventBody[], now: Date): CaseDoc {
  let d = doc;
  let v = doc?.version ?? 0;
  for (const b of bodies) {
    d = evolveCase(d, { ...b, seq: 0, id: '', streamId: caseId, streamVersion: ++v, schemaVersion: EVENT_SCHEMA_VERSION, actor: SYSTEM_ACTOR, at: now.toISOString() } as CaseEvent);
  }
  if (!d) throw new Error('unreachable: no case after provisional events');
  return d;
}

/** Phone numbers compared as digits only (+86 and separators dropped). */
export function normalizePhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const digits = phone.replace(/\D/g, '').replace(/^86(?=1\d{10}$)/, '');
  return digits.length >= 5 ? digits : null;
}

/** Client ids are per user: two phones may both call their first report "1". */
function clientKey(p: Principal, clientRequestId: string): string {
  const id = clientRequestId.trim();
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(id)) throw new CityLoopError('VALIDATION_FAILED', { detail: 'clientRequestId: 1–64 letters, digits, dot, dash, colon or underscore' });
  return `${p.userId}:${id}`;
}

export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(`${createdAt}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const raw = Buffer.from(cursor, 'base64url').toString();
  const i = raw.indexOf('|');
  if (i < 0) throw new CityLoopError('VALIDATION_FAILED', { detail: 'cursor is not one this server issued' });
  return { createdAt: raw.slice(0, i), id: raw.slice(i + 1) };
}

/**
 * The case use cases: report, command, read, and fire deadlines. Each write is one transaction:
 * decide → append events to the log → update the projections and timers → commit → publish.
 */
export class CaseService {
  readonly #d: CaseServiceDeps;
  constructor(deps: CaseServiceDeps) {
    this.#d = deps;
  }

  get deps(): CaseServiceDeps {
    return this.#d;
  }

  deadlinesFor(categoryCode: string, from: Date): { respondDue: string; resolveDue: string } {
    const cat = this.#d.org.category(categoryCode);
    if (!cat) throw new CityLoopError('UNKNOWN_CATEGORY', { code: categoryCode });
    const cal = this.#d.calendar;
    const opts = { basis: cat.basis, workingMinutesPerDay: cal.workingMinutesPerDay };
    return {
      respondDue: cal.addDuration(from, parseDuration(cat.respondWithin, opts).minutes, cat.basis).toISOString(),
      resolveDue: cal.addDuration(from, parseDuration(cat.resolveWithin, opts).minutes, cat.basis).toISOString(),
    };
  }

  /**
   * 跨区域: the other districts a report concerns — those within JOINT_CASE_METERS of the place,
   * and those a reported line (a trail, a bank) passes through.
   */
  #jointDistricts(loc: { lng: number; lat: number; chain: ChainLink[] }, input: ReportCaseInput): { code: string; name: string }[] {
    const own = loc.chain.find((l) => l.level === 'district')?.code;
    const found = new Map<string, string>();
    for (const d of this.#d.map?.().districtsWithin(loc.lng, loc.lat, JOINT_CASE_METERS) ?? []) found.set(d.code, d.name);
    if (input.line) {
      if (input.line.length < 2 || input.line.length > 1000) throw new CityLoopError('VALIDATION_FAILED', { detail: 'line: 2 to 1000 positions' });
      for (const [x, y] of input.line) {
        if (!Number.isFinite(x) || !Number.isFinite(y)) throw new CityLoopError('BAD_COORDINATES', { detail: 'line positions must be numbers' });
        const [gx, gy] = toGcj02(x, y, input.crs);
        const d = this.#d.resolver().resolve(gx, gy)?.chain.find((l) => l.level === 'district');
        if (d) found.set(d.code, d.name);
      }
    }
    found.delete(own ?? '');
    return [...found].map(([code, name]) => ({ code, name })).sort((a, b) => a.code.localeCompare(b.code));
  }

  /** The city as a whole: the middle of its districts' extent, and a chain of the city alone. */
  #cityPlace(): { lng: number; lat: number; chain: ChainLink[] } {
    const r = this.#d.resolver();
    const city = r.list('city')[0];
    const boxes = r.list('district').map((d) => (d.geometry ? geometryBBox(d.geometry) : null)).filter((b): b is [number, number, number, number] => b !== null);
    if (!city || boxes.length === 0) throw new CityLoopError('GEO_OUTSIDE_CITY', { lng: '?', lat: '?' });
    const lng = (Math.min(...boxes.map((b) => b[0])) + Math.max(...boxes.map((b) => b[2]))) / 2;
    const lat = (Math.min(...boxes.map((b) => b[1])) + Math.max(...boxes.map((b) => b[3]))) / 2;
    return { lng, lat, chain: [{ code: city.code, name: city.name, level: 'city' }] };
  }

  /** Places a point on the map: GCJ-02 coordinates and the jurisdiction chain, or an error. */
  locate(lng: number, lat: number, crs: Crs): { lng: number; lat: number; chain: ChainLink[] } {
    if (!Number.isFinite(lng) || !Number.isFinite(lat) || lng < -180 || lng > 180 || lat < -90 || lat > 90) {
      throw new CityLoopError('BAD_COORDINATES', { detail: `lng=${lng}, lat=${lat}` });
    }
    const [gx, gy] = toGcj02(lng, lat, crs);
    const found = this.#d.resolver().resolve(gx, gy);
    if (!found) throw new CityLoopError('GEO_OUTSIDE_CITY', { lng, lat });
    return { lng: gx, lat: gy, chain: found.chain.map((l) => ({ code: l.code, name: l.name, level: l.level })) };
  }

  /** A case that does not exist, placed on the map, for dry runs of plans. */
  hypotheticalCase(input: { categoryCode: string; lng: number; lat: number; crs: Crs; source?: string | undefined; priority?: string | undefined; title?: string | undefined; description?: string | undefined }): PlanCase {
    const loc = this.locate(input.lng, input.lat, input.crs);
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

  async report(p: Principal, input: ReportCaseInput): Promise<CaseDoc> {
    return this.reportAndRun(p, input, []);
  }

  /**
   * Reports a case and runs further commands on it in the same transaction: the automatic path
   * (a verified alert or a hotline agent's direct dispatch registers and dispatches at once).
   * Either the case exists with all their events, or nothing was written.
   */
  async reportAndRun(p: Principal, input: ReportCaseInput, then: readonly CaseCommand[]): Promise<CaseDoc> {
    const key = input.clientRequestId !== undefined ? clientKey(p, input.clientRequestId) : null;
    if (key !== null) {
      const seen = await this.#byClientKey(key);
      if (seen) return seen;
      try {
        return await this.#reportAndRun(p, input, then, key);
      } catch (e) {
        // Two copies of one report raced: the one that lost finds the winner's case.
        const winner = await this.#byClientKey(key);
        if (winner) return winner;
        throw e;
      }
    }
    return this.#reportAndRun(p, input, then, null);
  }

  async #byClientKey(key: string): Promise<CaseDoc | null> {
    const row = await this.#d.store.db.selectFrom('cases').select('doc').where('client_request_id', '=', key).executeTakeFirst();
    return row ? (JSON.parse(row.doc) as CaseDoc) : null;
  }

  async #reportAndRun(p: Principal, input: ReportCaseInput, then: readonly CaseCommand[], clientRequestKey: string | null): Promise<CaseDoc> {
    assertMayReport(p);
    const cat = this.#d.org.category(input.categoryCode);
    if (!cat) throw new CityLoopError('UNKNOWN_CATEGORY', { code: input.categoryCode });
    const title = input.title?.trim();
    if (!title) throw new CityLoopError('VALIDATION_FAILED', { detail: 'title is required' });
    // A citizen or grid worker reports through their own channel, whatever they claim.
    let source: CaseSource = input.source ?? 'inspection';
    if (hasRole(p, 'citizen') && !hasRole(p, 'operator', 'admin', 'system')) source = 'citizen';
    else if (hasRole(p, 'grid_worker') && !hasRole(p, 'operator', 'admin', 'system')) source = 'grid_worker';
    if (!CASE_SOURCES.includes(source)) throw new CityLoopError('VALIDATION_FAILED', { detail: `unknown source ${source}` });
    const priority = input.priority ?? cat.defaultPriority;
    if (!PRIORITIES.includes(priority)) throw new CityLoopError('VALIDATION_FAILED', { detail: `unknown priority ${priority}` });
    const loc = input.unplaced ? this.#cityPlace() : this.locate(input.lng, input.lat, input.crs);
    const tier = input.unplaced ? 'city' : (input.tier ?? this.#d.defaultTier ?? 'district');
    const level = tier === 'city' ? 'city' : tier;
    const owner = [...loc.chain].reverse().find((l) => l.level === level) ?? loc.chain[0];
    const center = owner ? this.#d.org.centerOfJurisdiction(owner.code) : undefined;
    if (!center) throw new CityLoopError('CASE_RULE_VIOLATED', { detail: `no ${tier} center serves ${owner?.name ?? 'this place'}` });
    const self = hasRole(p, 'citizen', 'grid_worker') && !hasRole(p, 'operator', 'admin', 'system');
    const now = this.#d.clock.now();
    const id = newId(now.getTime());
    return this.#write(p, id, null, clientRequestKey, async (tx) => {
      const number = await this.#nextCaseNumber(tx, now);
      const body: CaseEventBody = {
        type: 'CaseReported',
        payload: {
          number,
          source,
          categoryCode: cat.code,
          priority,
          title: title.slice(0, 200),
          description: (input.description ?? '').slice(0, 5000),
          location: { lng: loc.lng, lat: loc.lat, address: (input.address ?? '').slice(0, 300) || loc.chain.map((l) => l.name).join('') },
          chain: loc.chain,
          centerId: center.id,
          tier: center.tier,
          reporter: {
            userId: self || source === 'citizen' ? p.userId : hasRole(p, 'grid_worker') ? p.userId : null,
            name: input.reporter?.name?.trim() || (self ? p.displayName : null),
            phone: input.reporter?.phone?.trim() || null,
            anonymous: input.reporter?.anonymous ?? false,
          },
          externalRef: input.externalRef ?? null,
        },
      };
      const bodies: CaseEventBody[] = [body];
      const joint = this.#jointDistricts(loc, input);
      if (joint.length > 0) {
        const centerIds = joint.map((d) => this.#d.org.centerOfJurisdiction(d.code)?.id).filter((x): x is string => x !== undefined);
        bodies.push({ type: 'JointCaseOpened', payload: { centerIds, districts: joint, reason: input.line ? '事项跨越区县边界' : `位于区县边界${JOINT_CASE_METERS}米内` } });
      }
      let doc = provisional(null, id, bodies, now);
      for (const cmd of then) {
        assertMayCommand(p, doc, cmd as { type: CaseCommand['type']; taskId?: string });
        const more = decideCase(doc, cmd, this.#contextFor(doc, cmd));
        doc = provisional(doc, id, more, now);
        bodies.push(...more);
      }
      return bodies;
    });
  }

  async execute(p: Principal, caseId: string, command: CaseCommand, expectedVersion?: number): Promise<CaseDoc> {
    return this.#write(p, caseId, expectedVersion ?? null, null, async (_tx, doc) => {
      if (!doc) throw new CityLoopError('NOT_FOUND', { what: 'case', id: caseId });
      // An evaluation given by anyone but the reporter is a follow-up call's record (回访).
      const cmd: CaseCommand = command.type === 'evaluate' ? { ...command, by: doc.reporter.userId === p.userId ? 'reporter' : 'follow_up' } : command;
      assertMayCommand(p, doc, cmd as { type: CaseCommand['type']; taskId?: string });
      return decideCase(doc, cmd, this.#contextFor(doc, cmd));
    });
  }

  /** Several commands on one case in one transaction, each deciding on the case as the one before left it. */
  async executeAll(p: Principal, caseId: string, commands: readonly CaseCommand[]): Promise<CaseDoc> {
    return this.#write(p, caseId, null, null, async (_tx, doc) => {
      if (!doc) throw new CityLoopError('NOT_FOUND', { what: 'case', id: caseId });
      const now = this.#d.clock.now();
      const bodies: CaseEventBody[] = [];
      let cur = doc;
      for (const cmd of commands) {
        assertMayCommand(p, cur, cmd as { type: CaseCommand['type']; taskId?: string });
        const more = decideCase(cur, cmd, this.#contextFor(cur, cmd));
        cur = provisional(cur, caseId, more, now);
        bodies.push(...more);
      }
      return bodies;
    });
  }

  #contextFor(doc: CaseDoc, cmd: CaseCommand): DecideContext {
    const org = this.#d.org;
    const center = org.center(doc.centerId);
    const parent = center?.parentCenterId ? org.center(center.parentCenterId) : undefined;
    const units = new Map<string, { name: string }>();
    const named = cmd.type === 'dispatch' ? (cmd.tasks ?? []).map((t) => t.unitId) : cmd.type === 'agree_coordination' ? [cmd.handledByUnitId, cmd.maintainedByUnitId] : [];
    for (const id of named) {
      const u = org.unit(id);
      if (u) units.set(u.id, { name: u.name });
    }
    let planRun: DecideContext['planRun'] = null;
    if (cmd.type === 'apply_plan') {
      const run = this.planFor(planCaseOf(doc), cmd.planId, doc.number, undefined, alertOf(doc));
      planRun = this.#runForCase(doc.chain, run);
    }
    return {
      now: this.#d.clock.now(),
      newId: () => newId(this.#d.clock.now().getTime()),
      deadlinesFrom: (from) => this.deadlinesFor(doc.categoryCode, from),
      units,
      parentCenter: parent ? { id: parent.id, tier: parent.tier } : null,
      supervisingCenterId: parent?.id ?? null,
      planRun,
    };
  }

  /**
   * Which plan applies and what it decides, without side effects (the dry run). With a plan id,
   * that plan (newest version, or the given version) is run even if its trigger does not match,
   * and `matched` says whether it would have.
   */
  planFor(c: PlanCase, planId?: string, caseNumber?: string | null, explicit?: Candidate, alert: unknown = null): PlanRun & { matched: boolean } {
    const registry = this.#d.plans;
    const map = this.#d.map?.();
    if (!registry || !map) throw new CityLoopError('PLAN_NO_MATCH');
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
      const auto = selectPlan([cand], c, map, { now, alert });
      matched = auto !== null;
      chosen = auto ?? { candidate: cand, facts: gatherFacts(cand.plan, c, map, { case: c, alert, now }) };
    } else {
      chosen = selectPlan(registry.candidates(), c, map, { now, alert });
      if (!chosen) throw new CityLoopError('PLAN_NO_MATCH');
      matched = true;
    }
    const run = decidePlanRun(chosen.candidate, c, chosen.facts, units, map, { now, alert, caseNumber: caseNumber ?? null });
    return { ...run, matched };
  }

  #runForCase(chain: readonly ChainLink[], run: PlanRun): NonNullable<DecideContext['planRun']> {
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

  async #nextCaseNumber(tx: Tx, now: Date): Promise<string> {
    // Case numbers count per local (UTC+8) day: 20261128 000042.
    const day = new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
    const row = await tx
      .insertInto('counters')
      .values({ name: `case:${day}`, value: 1 })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: sql`counters.value + 1` }))
      .returning('value')
      .executeTakeFirstOrThrow();
    return `${this.#d.numberPrefix ?? 'CL'}${day}${String(row.value).padStart(6, '0')}`;
  }

  async #loadForUpdate(tx: Tx, id: string): Promise<CaseDoc | null> {
    let q = tx.selectFrom('cases').select(['doc']).where('id', '=', id);
    if (this.#d.store.capabilities.rowLocks) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    return row ? (JSON.parse(row.doc) as CaseDoc) : null;
  }

  /** One write: decide inside a transaction, append, project, schedule; publish after commit. */
  async #write(
    p: Principal,
    caseId: string,
    expectedVersion: number | null,
    clientRequestKey: string | null,
    decide: (tx: Tx, doc: CaseDoc | null) => Promise<CaseEventBody[]>,
  ): Promise<CaseDoc> {
    const { doc, events } = await this.#d.store.transact(async (tx) => {
      const before = await this.#loadForUpdate(tx, caseId);
      if (expectedVersion !== null && before && before.version !== expectedVersion) {
        throw new CityLoopError('CONFLICT_VERSION', { expected: expectedVersion, actual: before.version });
      }
      const bodies = await decide(tx, before);
      const committed = await this.#commit(tx, caseId, before, bodies, actorOf(p));
      if (!before && clientRequestKey !== null) await tx.updateTable('cases').set({ client_request_id: clientRequestKey }).where('id', '=', caseId).execute();
      return committed;
    });
    if (events.length > 0) this.#d.bus.publish({ events, doc });
    return doc;
  }

  async #commit(tx: Tx, caseId: string, before: CaseDoc | null, bodies: CaseEventBody[], actor: Actor): Promise<{ doc: CaseDoc; events: CaseEvent[] }> {
    if (bodies.length === 0) {
      if (!before) throw new Error('a new case needs at least one event');
      return { doc: before, events: [] };
    }
    const at = this.#d.clock.now().toISOString();
    let version = before?.version ?? 0;
    const drafts = bodies.map((b) => ({
      id: newId(),
      streamId: caseId,
      streamVersion: ++version,
      type: b.type,
      schemaVersion: EVENT_SCHEMA_VERSION,
      actor,
      at,
      payload: b.payload,
    }));
    const rows = await appendEvents(tx, this.#d.store, drafts);
    // The events as written, without parsing back the JSON we just produced.
    const events = rows.map((r, i) => ({ ...bodies[i]!, seq: Number(r.seq), id: r.id, streamId: r.stream_id, streamVersion: r.stream_version, schemaVersion: r.schema_version, actor, at: r.at }) as CaseEvent);
    let doc = before;
    for (const e of events) doc = evolveCase(doc, e);
    if (!doc) throw new Error('unreachable: no case after applying events');
    await this.#project(tx, before, doc);
    for (const e of events) {
      if (e.type === 'AttachmentAdded') {
        const a = e.payload;
        await tx
          .insertInto('attachments')
          .values({ id: a.attachmentId, case_id: caseId, sha256: a.sha256, file_name: a.fileName, media_type: a.mediaType, size: a.size, created_at: e.at, created_by: actor.id })
          .execute();
      }
    }
    // A plan's automatic steps (and their undo at closing) go to the outbox with the events that
    // call for them; the runner carries them out after the commit (src/plans/plan-actions.ts).
    const effects: PlanEffect[] = [];
    for (const e of events) {
      if (e.type === 'PlanApplied') effects.push(...effectsOfPlanApplied(e.payload.actions as ResolvedAction[]));
      if (e.type === 'CaseClosed' && doc.plan) effects.push(...effectsOfCaseClosed(await this.appliedActions(caseId, tx), doc.automaticSteps ?? []));
    }
    if (effects.length > 0) {
      await tx
        .insertInto('outbox')
        .values(effects.map((ef) => ({ id: newId(), kind: ef.kind, case_id: caseId, payload: JSON.stringify(ef), status: 'pending', attempts: 0, claimed_until: null, created_at: at, done_at: null })))
        .execute();
    }
    const timers = timersForEvents(events);
    if (timers.length > 0) {
      await tx
        .insertInto('timers')
        .values(timers.map((t) => ({ id: newId(), kind: t.kind, case_id: caseId, task_id: t.taskId, due_at: t.dueAt, status: 'pending', created_at: at, fired_at: null, detail: t.detail ?? null })))
        .execute();
    }
    return { doc, events };
  }

  /** The automatic steps of the plan last applied to the case, as its PlanApplied event says. */
  async appliedActions(caseId: string, tx: Tx = this.#d.store.db): Promise<ResolvedAction[]> {
    const row = await tx.selectFrom('events').select('payload').where('stream_id', '=', caseId).where('type', '=', 'PlanApplied').orderBy('stream_version', 'desc').limit(1).executeTakeFirst();
    return row ? ((JSON.parse(row.payload) as { actions?: ResolvedAction[] }).actions ?? []) : [];
  }

  /**
   * Records the outcome of an effect from the outbox as an event of its case, in the transaction
   * that marks the effect done. `false`: the effect was done already (another runner, or this one
   * before a restart, got there first), and nothing is written — an outcome is recorded once.
   */
  async recordEffect(effectId: string, caseId: string, record: Extract<CaseCommand, { type: 'record_action' }>['record']): Promise<boolean> {
    let recorded = false;
    await this.#write(SYSTEM_PRINCIPAL, caseId, null, null, async (tx, doc) => {
      if (!doc) throw new CityLoopError('NOT_FOUND', { what: 'case', id: caseId });
      const marked = await tx.updateTable('outbox').set({ status: 'done', done_at: this.#d.clock.now().toISOString() }).where('id', '=', effectId).where('status', '=', 'pending').executeTakeFirst();
      if (Number(marked.numUpdatedRows) === 0) return [];
      recorded = true;
      return decideCase(doc, { type: 'record_action', record }, this.#contextFor(doc, { type: 'record_action', record }));
    });
    return recorded;
  }

  async #project(tx: Tx, before: CaseDoc | null, doc: CaseDoc): Promise<void> {
    const district = doc.chain.find((l) => l.level === 'district')?.code ?? null;
    const street = doc.chain.find((l) => l.level === 'street')?.code ?? null;
    const row = {
      state: doc.state,
      priority: doc.priority,
      center_id: doc.centerId,
      tier: doc.tier,
      updated_at: doc.updatedAt,
      respond_due: doc.respondDue,
      resolve_due: doc.resolveDue,
      closed_at: doc.closedAt,
      overdue: doc.overdue ? 1 : 0,
      version: doc.version,
      doc: JSON.stringify(doc),
    };
    if (!before) {
      await tx
        .insertInto('cases')
        .values({
          ...row,
          id: doc.id,
          number: doc.number,
          source: doc.source,
          category_code: doc.categoryCode,
          title: doc.title,
          lng: doc.location.lng,
          lat: doc.location.lat,
          jurisdiction_code: doc.chain[doc.chain.length - 1]?.code ?? '',
          district_code: district,
          street_code: street,
          chain: JSON.stringify(doc.chain.map((l) => l.code)),
          reporter_user_id: doc.reporter.userId,
          reporter_phone: normalizePhone(doc.reporter.phone),
          created_at: doc.createdAt,
        })
        .execute();
    } else {
      await tx.updateTable('cases').set(row).where('id', '=', doc.id).execute();
    }
    const old = new Map((before?.tasks ?? []).map((t) => [t.id, t]));
    const inserts = doc.tasks.filter((t) => !old.has(t.id));
    if (inserts.length > 0) {
      await tx
        .insertInto('tasks')
        .values(
          inserts.map((t) => ({
            id: t.id,
            case_id: doc.id,
            unit_id: t.unitId,
            role: t.role,
            state: t.state,
            round: t.round,
            deadline: t.deadline,
            dispatched_at: t.dispatchedAt,
            updated_at: doc.updatedAt,
            overdue: t.overdue ? 1 : 0,
          })),
        )
        .execute();
    }
    for (const t of doc.tasks) {
      const o = old.get(t.id);
      if (o && (o.state !== t.state || o.overdue !== t.overdue)) {
        await tx.updateTable('tasks').set({ state: t.state, overdue: t.overdue ? 1 : 0, updated_at: doc.updatedAt }).where('id', '=', t.id).execute();
      }
    }
  }

  /**
   * Fires timers that have come due. Each is claimed and its consequences appended in one
   * transaction, so a crash between the two is impossible and a timer never fires twice, even with
   * several server processes on one PostgreSQL.
   */
  async fireDueTimers(limit = 200): Promise<number> {
    const now = this.#d.clock.now().toISOString();
    const due = await this.#d.store.db
      .selectFrom('timers')
      .select(['id', 'kind', 'case_id', 'task_id', 'due_at', 'detail'])
      .where('status', '=', 'pending')
      .where('due_at', '<=', now)
      .orderBy('due_at')
      .limit(limit)
      .execute();
    let fired = 0;
    for (const t of due) {
      const result = await this.#d.store.transact(async (tx) => {
        const claim = await tx.updateTable('timers').set({ status: 'fired', fired_at: now }).where('id', '=', t.id).where('status', '=', 'pending').executeTakeFirst();
        if (Number(claim.numUpdatedRows) !== 1) return null;
        const doc = await this.#loadForUpdate(tx, t.case_id);
        if (!doc) return null;
        const center = this.#d.org.center(doc.centerId);
        const parent = center?.parentCenterId ? this.#d.org.center(center.parentCenterId) : undefined;
        const bodies = decideTimer(doc, { kind: t.kind as TimerKind, taskId: t.task_id, dueAt: t.due_at, detail: t.detail ?? null }, parent ? { id: parent.id, tier: parent.tier } : null);
        if (bodies.length === 0) {
          await tx.updateTable('timers').set({ status: 'void' }).where('id', '=', t.id).execute();
          return null;
        }
        return this.#commit(tx, doc.id, doc, bodies, { id: 'system', name: '系统', roles: ['system'] });
      });
      if (result && result.events.length > 0) {
        fired += 1;
        this.#d.bus.publish(result);
      }
    }
    return fired;
  }

  /**
   * Likely duplicates of a new report (查重): open cases of the same category reported within the
   * last 72 hours and 250 m whose text is alike (character-bigram Dice ≥ 0.3), most similar first.
   */
  async findDuplicates(
    p: Principal,
    input: { categoryCode: string; lng: number; lat: number; crs: Crs; text: string },
    opts: { withinMeters?: number; withinHours?: number; minSimilarity?: number } = {},
  ): Promise<{ case: CaseDoc; distanceMeters: number; similarity: number }[]> {
    const m = opts.withinMeters ?? 250;
    const since = new Date(this.#d.clock.now().getTime() - (opts.withinHours ?? 72) * 3600_000).toISOString();
    const [x, y] = toGcj02(input.lng, input.lat, input.crs);
    const dLat = m / 111_320;
    const dLng = m / (111_320 * Math.cos((y * Math.PI) / 180));
    const rows = await this.#d.store.db
      .selectFrom('cases')
      .select('doc')
      .where('category_code', '=', input.categoryCode)
      .where('created_at', '>=', since)
      .where('state', 'not in', [...TERMINAL_STATES])
      .where('lng', '>=', x - dLng)
      .where('lng', '<=', x + dLng)
      .where('lat', '>=', y - dLat)
      .where('lat', '<=', y + dLat)
      .limit(200)
      .execute();
    return rows
      .map((r) => JSON.parse(r.doc) as CaseDoc)
      .filter((d) => canSeeCase(p, d))
      .map((d) => ({ case: d, distanceMeters: Math.round(haversineMeters([x, y], [d.location.lng, d.location.lat])), similarity: Math.round(textSimilarity(input.text, `${d.title} ${d.description}`) * 1000) / 1000 }))
      .filter((c) => c.distanceMeters <= m && c.similarity >= (opts.minSimilarity ?? 0.3))
      .sort((a, b) => b.similarity - a.similarity || a.distanceMeters - b.distanceMeters);
  }

  /**
   * Merges a duplicate into the case it repeats, in one transaction: the duplicate is closed as
   * merged, and the other case records its reporter as a supporter ("me too"), who is answered
   * with it from then on.
   */
  async merge(p: Principal, duplicateId: string, intoId: string, reason: string): Promise<{ duplicate: CaseDoc; into: CaseDoc }> {
    const result = await this.#d.store.transact(async (tx) => {
      const dup = await this.#loadForUpdate(tx, duplicateId);
      const into = await this.#loadForUpdate(tx, intoId);
      if (!dup) throw new CityLoopError('NOT_FOUND', { what: 'case', id: duplicateId });
      if (!into) throw new CityLoopError('NOT_FOUND', { what: 'case', id: intoId });
      const mergeCmd: CaseCommand = { type: 'merge_into', intoCaseId: into.id, intoNumber: into.number, reason };
      const supportCmd: CaseCommand = { type: 'add_supporter', caseId: dup.id, number: dup.number, reporterUserId: dup.reporter.userId };
      assertMayCommand(p, dup, mergeCmd);
      assertMayCommand(p, into, supportCmd);
      if (into.mergedInto) throw new CityLoopError('CASE_RULE_VIOLATED', { detail: `case ${into.number} was itself merged into ${into.mergedInto.number}` });
      const a = await this.#commit(tx, dup.id, dup, decideCase(dup, mergeCmd, this.#contextFor(dup, mergeCmd)), actorOf(p));
      const b = await this.#commit(tx, into.id, into, decideCase(into, supportCmd, this.#contextFor(into, supportCmd)), actorOf(p));
      return { a, b };
    });
    this.#d.bus.publish(result.a);
    this.#d.bus.publish(result.b);
    return { duplicate: result.a.doc, into: result.b.doc };
  }

  /** A caller's earlier appeals (hotline), newest first, among the cases the agent may see. */
  async casesOfCaller(p: Principal, phone: string, limit = 50): Promise<CaseDoc[]> {
    const key = normalizePhone(phone);
    if (!key) throw new CityLoopError('VALIDATION_FAILED', { detail: 'phone must have at least 5 digits' });
    const rows = await this.#d.store.db.selectFrom('cases').select('doc').where('reporter_phone', '=', key).orderBy('created_at', 'desc').limit(limit).execute();
    return rows.map((r) => JSON.parse(r.doc) as CaseDoc).filter((d) => canSeeCase(p, d));
  }

  /** Throws unless the principal may give this command on the case (for steps done outside decide). */
  assertMay(p: Principal, doc: CaseDoc, type: CaseCommand['type']): void {
    assertMayCommand(p, doc, { type });
  }

  async get(p: Principal, id: string): Promise<CaseDoc> {
    const row = await this.#d.store.db.selectFrom('cases').select(['doc']).where('id', '=', id).executeTakeFirst();
    if (!row) throw new CityLoopError('NOT_FOUND', { what: 'case', id });
    const doc = JSON.parse(row.doc) as CaseDoc;
    if (!canSeeCase(p, doc)) throw new CityLoopError('FORBIDDEN_JURISDICTION');
    return doc;
  }

  /** The events of every case the user may see that ran a plan, for its review (复盘). */
  async eventsOfPlanCases(p: Principal, planId: string, limit = 5000): Promise<CaseEvent[][]> {
    const rows = await this.#d.store.db
      .selectFrom('cases')
      .select(['id', 'doc'])
      .where(likeInOrder('doc', [`"plan":{"id":${JSON.stringify(planId)}`]))
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    const visible = rows.filter((r) => canSeeCase(p, JSON.parse(r.doc) as CaseDoc)).map((r) => r.id);
    const out: CaseEvent[][] = [];
    for (let i = 0; i < visible.length; i += 500) {
      const chunk = visible.slice(i, i + 500);
      const events = await this.#d.store.db.selectFrom('events').selectAll().where('stream_id', 'in', chunk).orderBy('seq').execute();
      const byStream = new Map<string, CaseEvent[]>();
      for (const r of events) {
        const list = byStream.get(r.stream_id) ?? [];
        list.push(rowToEvent(r));
        byStream.set(r.stream_id, list);
      }
      out.push(...byStream.values());
    }
    return out;
  }

  async timeline(p: Principal, id: string): Promise<CaseEvent[]> {
    await this.get(p, id);
    const rows = await this.#d.store.db.selectFrom('events').selectAll().where('stream_id', '=', id).orderBy('stream_version').execute();
    return rows.map(rowToEvent);
  }

  async list(p: Principal, f: CaseListFilter): Promise<{ items: CaseDoc[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(f.limit ?? 50, 1), 200);
    const db = this.#d.store.db;
    const resolver = this.#d.resolver();
    let q = db.selectFrom('cases').select(['doc', 'created_at', 'id']);
    const byJurisdiction = (code: string) => {
      const level = resolver.get(code)?.level;
      return (eb: any) => {
        if (level === 'city') return eb(eb.val(1), '=', 1);
        if (level === 'district') return eb('district_code', '=', code);
        if (level === 'street') return eb('street_code', '=', code);
        if (level === 'grid') return eb('jurisdiction_code', '=', code);
        return likeInOrder('chain', [JSON.stringify(code)]);
      };
    };
    if (!hasRole(p, 'admin', 'system')) {
      q = q.where((eb) => {
        const ors: any[] = [];
        if (hasRole(p, 'operator', 'supervisor', 'grid_worker') && p.jurisdictionCode) ors.push(byJurisdiction(p.jurisdictionCode)(eb));
        if (hasRole(p, 'unit_staff') && p.unitId) {
          ors.push(eb.exists(eb.selectFrom('tasks').select('tasks.id').whereRef('tasks.case_id', '=', 'cases.id').where('tasks.unit_id', '=', p.unitId)));
        }
        ors.push(eb('reporter_user_id', '=', p.userId));
        // 跨区域协同: cases a neighbouring district shares with this center.
        if (hasRole(p, 'operator', 'supervisor') && p.centerId) ors.push(likeInOrder('doc', ['"centerIds":[', JSON.stringify(p.centerId)]));
        return eb.or(ors);
      });
    }
    if (f.state && f.state.length > 0) q = q.where('state', 'in', [...f.state]);
    if (f.category) {
      const c = f.category;
      q = q.where((eb) => eb.or([eb('category_code', '=', c), likeStartsWith('category_code', `${c}.`)]));
    }
    if (f.jurisdiction) {
      const jf = byJurisdiction(f.jurisdiction);
      q = q.where((eb) => jf(eb));
    }
    if (f.unit) {
      const u = f.unit;
      q = q.where((eb) => eb.exists(eb.selectFrom('tasks').select('tasks.id').whereRef('tasks.case_id', '=', 'cases.id').where('tasks.unit_id', '=', u)));
    }
    if (f.center) q = q.where('center_id', '=', f.center);
    if (f.source) q = q.where('source', '=', f.source);
    if (f.overdue !== undefined) q = q.where('overdue', '=', f.overdue ? 1 : 0);
    if (f.from) q = q.where('created_at', '>=', new Date(f.from).toISOString());
    if (f.to) q = q.where('created_at', '<', new Date(f.to).toISOString());
    if (f.q) q = q.where(likeContains('title', f.q));
    if (f.cursor) {
      const c = decodeCursor(f.cursor);
      q = q.where((eb) => eb.or([eb('created_at', '<', c.createdAt), eb.and([eb('created_at', '=', c.createdAt), eb('id', '<', c.id)])]));
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      // The SQL filter is the coarse cut; the policy has the last word on each case.
      items: page.map((r) => JSON.parse(r.doc) as CaseDoc).filter((d) => canSeeCase(p, d)),
      nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
    };
  }
}
