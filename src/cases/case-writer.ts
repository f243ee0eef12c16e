/**
 * The one way a case changes, shared by every use case: in one transaction, load the case (FOR
 * UPDATE where the store has row locks) → decide (the use case's pure decision) → append the
 * events to the log → evolve the case → write the projections → the timers → the outbox; publish
 * on the bus after the commit.
 */
import { writeEffects } from '../store/outbox.ts';
import { sql } from 'kysely';
import type { Clock } from '../clock.ts';
import { CityLoopError } from '../errors.ts';
import { newId } from '../ids.ts';
import { parseDuration, type WorkingCalendar } from '../calendar/working-calendar.ts';
import type { JurisdictionResolver } from '../geo/resolver.ts';
import type { OrgDirectory } from '../org/org-directory.ts';
import type { StoreAdapter, Tx } from '../store/store.ts';
import type { CaseBus } from './committed.ts';
import { appendEvents } from '../events/event-log.ts';
import type { Principal } from '../auth/principal.ts';
import { SYSTEM_ACTOR, type Actor, type CaseEvent, type CaseEventBody } from './case-events.ts';
import type { CaseDoc, Tier } from './case-model.ts';
import { decideCase, type CaseCommand, type DecideContext } from './decide-case.ts';
import { evolveCase } from './evolve-case.ts';
import { timersForEvents } from './case-timers.ts';
import { projectCase } from './case-projection.ts';
import { appliedActions, loadCaseForUpdate } from './case-queries.ts';
import type { CasePlans, DistrictsNear, OutboxEffect } from './case-ports.ts';

export const EVENT_SCHEMA_VERSION = 1;

export interface CaseServiceDeps {
  readonly store: StoreAdapter;
  readonly clock: Clock;
  readonly calendar: WorkingCalendar;
  readonly resolver: () => JurisdictionResolver;
  readonly org: OrgDirectory;
  readonly bus: CaseBus;
  readonly defaultTier?: Tier;
  readonly numberPrefix?: string;
  /** Plans, through the cases' port (src/plans/case-planner.ts); without them apply_plan is refused. */
  readonly plans?: CasePlans;
  /** The districts near a place (for joint cases); without it only a reported line makes one. */
  readonly map?: () => DistrictsNear;
}

export function actorOf(p: Principal): Actor {
  return { id: p.userId, name: p.displayName, roles: p.roles };
}

/** Applies event bodies to a case before they are written, so later commands see their effect. */
export function provisional(doc: CaseDoc | null, caseId: string, bodies: readonly CaseEventBody[], now: Date): CaseDoc {
  let d = doc;
  let v = doc?.version ?? 0;
  for (const b of bodies) {
    d = evolveCase(d, { ...b, seq: 0, id: '', streamId: caseId, streamVersion: ++v, schemaVersion: EVENT_SCHEMA_VERSION, actor: SYSTEM_ACTOR, at: now.toISOString() } as CaseEvent);
  }
  if (!d) throw new Error('unreachable: no case after provisional events');
  return d;
}

export interface Committed {
  readonly doc: CaseDoc;
  readonly events: CaseEvent[];
}

export class CaseWriter {
  readonly d: CaseServiceDeps;
  constructor(deps: CaseServiceDeps) {
    this.d = deps;
  }

  deadlinesFor(categoryCode: string, from: Date): { respondDue: string; resolveDue: string } {
    const cat = this.d.org.category(categoryCode);
    if (!cat) throw new CityLoopError('UNKNOWN_CATEGORY', { code: categoryCode });
    const cal = this.d.calendar;
    const opts = { basis: cat.basis, workingMinutesPerDay: cal.workingMinutesPerDay };
    return {
      respondDue: cal.addDuration(from, parseDuration(cat.respondWithin, opts).minutes, cat.basis).toISOString(),
      resolveDue: cal.addDuration(from, parseDuration(cat.resolveWithin, opts).minutes, cat.basis).toISOString(),
    };
  }

  /** What `decideCase` needs besides the case: the clock, ids, deadlines, units, the center above, a plan's run. */
  contextFor(doc: CaseDoc, cmd: CaseCommand): DecideContext {
    const org = this.d.org;
    const center = org.center(doc.centerId);
    const parent = center?.parentCenterId ? org.center(center.parentCenterId) : undefined;
    const units = new Map<string, { name: string; disabled: boolean }>();
    const named = cmd.type === 'dispatch' ? (cmd.tasks ?? []).map((t) => t.unitId) : cmd.type === 'agree_coordination' ? [cmd.handledByUnitId, cmd.maintainedByUnitId] : [];
    for (const id of named) {
      const u = org.unit(id);
      if (u) units.set(u.id, { name: u.name, disabled: u.disabled });
    }
    let planRun: DecideContext['planRun'] = null;
    if (cmd.type === 'apply_plan') {
      if (!this.d.plans) throw new CityLoopError('PLAN_NO_MATCH');
      planRun = this.d.plans.runFor(doc, cmd.planId, cmd.facts);
    }
    return {
      now: this.d.clock.now(),
      newId: () => newId(this.d.clock.now().getTime()),
      deadlinesFrom: (from) => this.deadlinesFor(doc.categoryCode, from),
      units,
      parentCenter: parent ? { id: parent.id, tier: parent.tier } : null,
      supervisingCenterId: parent?.id ?? null,
      planRun,
    };
  }

  /** Decides one command on the case as it is. */
  decide(doc: CaseDoc, cmd: CaseCommand): CaseEventBody[] {
    return decideCase(doc, cmd, this.contextFor(doc, cmd));
  }

  async nextCaseNumber(tx: Tx, now: Date): Promise<string> {
    // Case numbers count per local (UTC+8) day: 20261128 000042.
    const day = new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
    const row = await tx
      .insertInto('counters')
      .values({ name: `case:${day}`, value: 1 })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: sql`counters.value + 1` }))
      .returning('value')
      .executeTakeFirstOrThrow();
    return `${this.d.numberPrefix ?? 'CL'}${day}${String(row.value).padStart(6, '0')}`;
  }

  loadForUpdate(tx: Tx, id: string): Promise<CaseDoc | null> {
    return loadCaseForUpdate(tx, id, this.d.store.capabilities.rowLocks);
  }

  /** One write: decide inside a transaction, append, project, schedule; publish after commit. */
  async write(
    p: Principal,
    caseId: string,
    expectedVersion: number | null,
    clientRequestKey: string | null,
    decide: (tx: Tx, doc: CaseDoc | null) => Promise<CaseEventBody[]>,
  ): Promise<CaseDoc> {
    const { doc, events } = await this.d.store.transact(async (tx) => {
      const before = await this.loadForUpdate(tx, caseId);
      if (expectedVersion !== null && before && before.version !== expectedVersion) {
        throw new CityLoopError('CONFLICT_VERSION', { expected: expectedVersion, actual: before.version });
      }
      const bodies = await decide(tx, before);
      const committed = await this.commit(tx, caseId, before, bodies, actorOf(p));
      if (!before && clientRequestKey !== null) await tx.updateTable('cases').set({ client_request_id: clientRequestKey }).where('id', '=', caseId).execute();
      return committed;
    });
    if (events.length > 0) this.d.bus.publish({ events, doc });
    return doc;
  }

  /** Appends the decided events and writes everything that follows from them, inside `tx`. */
  async commit(tx: Tx, caseId: string, before: CaseDoc | null, bodies: CaseEventBody[], actor: Actor): Promise<Committed> {
    if (bodies.length === 0) {
      if (!before) throw new Error('a new case needs at least one event');
      return { doc: before, events: [] };
    }
    const at = this.d.clock.now().toISOString();
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
      streamType: 'case',
    }));
    const rows = await appendEvents(tx, this.d.store, drafts);
    // The events as written, without parsing back the JSON we just produced.
    const events = rows.map((r, i) => ({ ...bodies[i]!, seq: Number(r.seq), id: r.id, streamId: r.stream_id, streamVersion: r.stream_version, schemaVersion: r.schema_version, actor, at: r.at }) as CaseEvent);
    let doc = before;
    for (const e of events) doc = evolveCase(doc, e);
    if (!doc) throw new Error('unreachable: no case after applying events');
    await projectCase(tx, before, doc);
    for (const e of events) {
      if (e.type === 'AttachmentAdded') {
        const a = e.payload;
        await tx
          .insertInto('attachments')
          .values({ id: a.attachmentId, case_id: caseId, sha256: a.sha256, file_name: a.fileName, media_type: a.mediaType, size: a.size, created_at: e.at, created_by: actor.id })
          .execute();
      }
    }
    // Effects (a plan's automatic steps, their undo at closing) go to the outbox with the events
    // that call for them; a runner carries them out after the commit (src/plans/plan-actions.ts).
    const effects = this.d.plans ? await this.d.plans.effectsOf(events, doc, () => appliedActions(tx, caseId)) : [];
    await writeOutbox(tx, caseId, effects, at);
    const timers = timersForEvents(events);
    if (timers.length > 0) {
      await tx
        .insertInto('timers')
        .values(timers.map((t) => ({ id: newId(), kind: t.kind, case_id: caseId, task_id: t.taskId, due_at: t.dueAt, status: 'pending', created_at: at, fired_at: null, detail: t.detail ?? null })))
        .execute();
    }
    return { doc, events };
  }
}

/** Writes effects to the outbox, pending, in the caller's transaction. Each row's id is the effect's id. */
export async function writeOutbox(tx: Tx, caseId: string, effects: readonly OutboxEffect[], at: string): Promise<void> {
  await writeEffects(tx, effects.map((ef) => ({ kind: ef.kind, streamId: caseId, payload: ef.payload })), at);
}
