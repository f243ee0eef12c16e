/**
 * The alert service: raising, repeating and clearing alerts (inside the caller's transaction, so
 * the ingest pipeline makes a reading's effects durable together), and the people's steps —
 * acknowledge, verify (a case opens and its plan runs), dismiss, watch. Every change is an event
 * in the one log (stream = the alert's id); the `alerts` table is its projection. Reading
 * alerts is `alert-queries.ts`; a new alert's document and number, `new-alert.ts`.
 */
import type { StoreAdapter, Tx } from '../../store/store.ts';
import type { AlertTable } from '../../store/schema.ts';
import type { Clock } from '../../clock.ts';
import type { CityBus } from './committed-alert.ts';
import type { OrgDirectory } from '../../org/org-directory.ts';
import type { JurisdictionResolver } from '../../geo/resolver.ts';
import type { CaseService } from '../../cases/case-service.ts';
import type { CaseCommand } from '../../cases/decide-case.ts';
import type { CaseDoc } from '../../cases/case-model.ts';
import { appendEvents } from '../../events/event-log.ts';
import { CityLoopError, isCityLoopError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { SYSTEM_PRINCIPAL, type Principal } from '../../auth/principal.ts';
import { metricOf } from '../devices/device-types.ts';
import {
  ACTION_ALLOWED_IN,
  ALERT_STATUS_NAMES,
  evolveAlert,
  priorityOfSeverity,
  type AlertDoc,
  type AlertDraft,
  type AlertEvent,
  type AlertEventBody,
  type AlertStatus,
} from './alert-model.ts';
import { assertMayAcknowledge, assertMayAddWatcher, assertMayDecide, canSeeAlert } from './alert-policy.ts';
import { activeAlerts, activeAlertsByDevice, alertsByIds, alertTimeline, unsettledDismissals, listVisibleAlerts, requireAlert, visibleAlert, type AlertListFilter } from './alert-queries.ts';
import { newAlertDoc } from './new-alert.ts';
import { AlertEffectRunner, writeAlertEffects, type AlertEffect } from './alert-effects.ts';

/** The note an automatic verification leaves on the alert. */
const AUTOMATIC_VERIFICATION_NOTE = '可信规则自动核实 / verified by a trusted rule';

export type { AlertListFilter };

const ALERT_EVENT_SCHEMA = 1;

export interface AlertServiceDeps {
  readonly store: StoreAdapter;
  readonly clock: Clock;
  readonly bus: CityBus;
  readonly org: OrgDirectory;
  readonly resolver: () => JurisdictionResolver;
  readonly cases: CaseService;
  readonly log?: { warn(o: unknown, msg?: string): void; error(o: unknown, msg?: string): void } | undefined;
  /** The type of a device, to name a reading's unit on the case. */
  readonly deviceType?: (deviceId: string) => string | undefined;
  /** The unit that owns a device: it sees the device's alerts. */
  readonly deviceOwner?: (deviceId: string) => string | null;
}

/** What a transaction did to alerts, to be finished once it has committed. */
export class AlertOutbox {
  readonly commits: { events: AlertEvent[]; alert: AlertDoc }[] = [];
  /**
   * Effects written to the outbox in the transaction (a trusted alert's verification, a case's
   * sensor back to normal — alert-effects.ts), carried out once it has committed.
   */
  readonly effects: string[] = [];
  get empty(): boolean {
    return this.commits.length === 0 && this.effects.length === 0;
  }
}

type Actor = { id: string; name: string; roles: readonly string[] };
const SYSTEM_ACTOR: Actor = { id: 'system', name: '系统', roles: ['system'] };

function actorOf(p: Principal): Actor {
  return { id: p.userId, name: p.displayName, roles: p.roles };
}

function rowOf(doc: AlertDoc, active: boolean): AlertTable {
  return {
    id: doc.id,
    number: doc.number,
    dedup_key: doc.dedupKey,
    active_key: active ? doc.dedupKey : null,
    source: doc.source,
    status: doc.status,
    severity: doc.severity,
    rule_id: doc.ruleId,
    device_id: doc.deviceId,
    asset_id: doc.assetId,
    district_code: doc.districtCode,
    jurisdiction_code: doc.jurisdictionCode,
    owner_center_id: doc.ownerCenterId,
    case_id: doc.caseId,
    first_at: doc.firstAt,
    last_at: doc.lastAt,
    updated_at: doc.lastAt,
    version: doc.version,
    doc: JSON.stringify(doc),
  };
}

const ACTIVE: readonly AlertStatus[] = ['raised', 'acknowledged', 'verified'];

export class AlertService {
  readonly #d: AlertServiceDeps;
  /** The runner of the alerts' outbox rows (verification, sensor back to normal); `start` polls it. */
  readonly effects: AlertEffectRunner;
  constructor(deps: AlertServiceDeps) {
    this.#d = deps;
    this.effects = new AlertEffectRunner({
      store: deps.store,
      clock: deps.clock,
      log: deps.log,
      handlers: {
        verify: async (alertId) => {
          await this.verify(SYSTEM_PRINCIPAL, alertId, { note: AUTOMATIC_VERIFICATION_NOTE });
        },
        sensorNormal: (effectId, effect) => this.#sensorNormal(effectId, effect),
      },
    });
  }

  // ─── raising and clearing, inside a caller's transaction ───────────────────────────────────

  /**
   * Raises an alert, or repeats the active one with the same dedup key (count, peak, severity).
   * Race-safe: the unique index on `active_key` lets one insert win; the loser updates instead.
   */
  async raiseInTx(tx: Tx, draft: AlertDraft, out: AlertOutbox, actor: Actor = SYSTEM_ACTOR): Promise<AlertDoc> {
    const existing = await this.#loadActive(tx, draft.dedupKey);
    if (existing) return this.#repeat(tx, existing, draft, out, actor);
    const doc = await newAlertDoc(tx, draft, this.#d);
    const inserted = await tx
      .insertInto('alerts')
      .values(rowOf(doc, true))
      .onConflict((oc) => oc.column('active_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) {
      // Another writer raised it between our look and our insert: repeat theirs.
      const theirs = await this.#loadActive(tx, draft.dedupKey);
      if (!theirs) throw new Error(`alert ${draft.dedupKey}: insert conflicted but no active alert was found`);
      return this.#repeat(tx, theirs, draft, out, actor);
    }
    const events = await this.#append(tx, doc.id, 0, [{ type: 'AlertRaised', payload: { alert: doc } }], actor, draft.at);
    out.commits.push({ events, alert: doc });
    if (doc.trusted && doc.categoryCode) out.effects.push(...(await writeAlertEffects(tx, [{ kind: 'alert_verify', alertId: doc.id }], draft.at)));
    return doc;
  }

  async #repeat(tx: Tx, doc: AlertDoc, draft: AlertDraft, out: AlertOutbox, actor: Actor): Promise<AlertDoc> {
    if (draft.standing) return this.#restate(tx, doc, draft, out, actor);
    const count = doc.count + 1;
    const metric = draft.metric ?? doc.peak?.metric ?? null;
    const value = draft.value ?? null;
    const peak = metric !== null && value !== null && (doc.peak === null || doc.peak.metric !== metric || value > doc.peak.value) ? { metric, value } : doc.peak;
    const readings = { ...doc.readings, ...(draft.readings ?? {}) };
    const lastAt = draft.at > doc.lastAt ? draft.at : doc.lastAt;
    if (draft.severity !== doc.severity || peak !== doc.peak) {
      // A change a person would want to know of: the colour, or a new worst value.
      const body: AlertEventBody = { type: 'AlertUpdated', payload: { severity: draft.severity, count, peak, readings, at: lastAt } };
      const events = await this.#append(tx, doc.id, doc.version, [body], actor, draft.at);
      const next = evolveAlert(doc, { ...events[0]!, payload: body.payload });
      await tx.updateTable('alerts').set(rowOf(next, true)).where('id', '=', doc.id).execute();
      out.commits.push({ events, alert: next });
      return next;
    }
    // A plain repeat: count and time only, no event (nothing a person decides on has changed).
    const next: AlertDoc = { ...doc, count, readings, lastAt };
    await tx.updateTable('alerts').set({ doc: JSON.stringify(next), last_at: lastAt, updated_at: lastAt }).where('id', '=', doc.id).execute();
    return next;
  }

  /** A standing state seen again: unchanged, nothing is written; changed, one `AlertUpdated` (count unchanged). */
  async #restate(tx: Tx, doc: AlertDoc, draft: AlertDraft, out: AlertOutbox, actor: Actor): Promise<AlertDoc> {
    const metric = draft.metric ?? doc.peak?.metric ?? null;
    const value = draft.value ?? null;
    const before = metric !== null ? (doc.readings[metric] ?? doc.peak?.value ?? null) : null;
    if (draft.severity === doc.severity && value === before && draft.title === doc.title) return doc;
    const peak = metric !== null && value !== null && (doc.peak === null || doc.peak.metric !== metric || value > doc.peak.value) ? { metric, value } : doc.peak;
    const readings = { ...doc.readings, ...(draft.readings ?? {}) };
    const lastAt = draft.at > doc.lastAt ? draft.at : doc.lastAt;
    const body: AlertEventBody = { type: 'AlertUpdated', payload: { severity: draft.severity, count: doc.count, peak, readings, at: lastAt, title: draft.title } };
    const events = await this.#append(tx, doc.id, doc.version, [body], actor, draft.at);
    const next = evolveAlert(doc, { ...events[0]!, payload: body.payload });
    await tx.updateTable('alerts').set(rowOf(next, true)).where('id', '=', doc.id).execute();
    out.commits.push({ events, alert: next });
    return next;
  }

  /**
   * Settles the dismissals of a standing state that is back to normal: each dismissed alert of the
   * key not settled yet gets its `AlertCleared` (it stays dismissed), so the next crossing raises anew.
   */
  async settleDismissed(dedupKey: string, reason: string, actor: Actor = SYSTEM_ACTOR): Promise<number> {
    const out = new AlertOutbox();
    const at = this.#d.clock.now().toISOString();
    const n = await this.#d.store.transact(async (tx) => {
      let settled = 0;
      for (const doc of await unsettledDismissals(tx, { dedupKey })) {
        const body: AlertEventBody = { type: 'AlertCleared', payload: { readings: {}, reason } };
        const events = await this.#append(tx, doc.id, doc.version, [body], actor, at);
        const next = evolveAlert(doc, { ...events[0]!, payload: body.payload });
        await tx.updateTable('alerts').set(rowOf(next, false)).where('id', '=', doc.id).execute();
        out.commits.push({ events, alert: next });
        settled += 1;
      }
      return settled;
    });
    await this.afterCommit(out);
    return n;
  }

  /** Clears the active alert of a dedup key, if there is one (the condition ended). */
  async clearInTx(tx: Tx, dedupKey: string, at: string, readings: Record<string, number>, reason: string | null, out: AlertOutbox, actor: Actor = SYSTEM_ACTOR): Promise<AlertDoc | null> {
    const doc = await this.#loadActive(tx, dedupKey);
    if (!doc) return null;
    const body: AlertEventBody = { type: 'AlertCleared', payload: { readings, reason } };
    const events = await this.#append(tx, doc.id, doc.version, [body], actor, at);
    const next = evolveAlert(doc, { ...events[0]!, payload: body.payload });
    await tx.updateTable('alerts').set(rowOf(next, false)).where('id', '=', doc.id).execute();
    out.commits.push({ events, alert: next });
    if (doc.caseId) {
      const metric = doc.peak?.metric ?? Object.keys(readings)[0] ?? null;
      out.effects.push(...(await writeAlertEffects(tx, [{ kind: 'sensor_normal', caseId: doc.caseId, deviceId: doc.deviceId, metric, value: metric !== null ? (readings[metric] ?? null) : null }], at)));
    }
    return next;
  }

  /** Raises in its own transaction (a camera event, a CAP warning, a vital sign). */
  async raise(draft: AlertDraft, actor: Actor = SYSTEM_ACTOR): Promise<AlertDoc> {
    const out = new AlertOutbox();
    const doc = await this.#d.store.transact((tx) => this.raiseInTx(tx, draft, out, actor));
    await this.afterCommit(out);
    return this.#latest(doc.id, doc);
  }

  async clear(dedupKey: string, reason: string | null, actor: Actor = SYSTEM_ACTOR): Promise<AlertDoc | null> {
    const out = new AlertOutbox();
    const at = this.#d.clock.now().toISOString();
    const doc = await this.#d.store.transact((tx) => this.clearInTx(tx, dedupKey, at, {}, reason, out, actor));
    await this.afterCommit(out);
    return doc;
  }

  /**
   * After the transaction committed: tell the live feed, and carry out the effects it wrote — verify
   * trusted alerts (the case opens and its plan runs, with no human step) and tell cases their
   * sensor is normal again. They are outbox rows: a failure here is logged, never thrown back at the
   * reading that caused it, and the row waits for the next pass.
   */
  async afterCommit(out: AlertOutbox): Promise<void> {
    if (out.empty) return;
    for (const c of out.commits) this.#d.bus.publishAlert(c);
    if (out.effects.length > 0) await this.effects.pass();
  }

  /**
   * On start: the effects a crash left in the outbox, and trusted alerts raised before effects were
   * rows (an older version) that still wait for their verification.
   */
  async recover(): Promise<number> {
    await this.effects.pass();
    const rows = await this.#d.store.db.selectFrom('alerts').select(['doc']).where('status', '=', 'raised').where('case_id', 'is', null).execute();
    let verified = 0;
    for (const r of rows) {
      const d = JSON.parse(r.doc) as AlertDoc;
      if (!d.trusted || !d.categoryCode) continue;
      try {
        await this.verify(SYSTEM_PRINCIPAL, d.id, { note: AUTOMATIC_VERIFICATION_NOTE });
        verified += 1;
      } catch (e) {
        this.#d.log?.error({ err: e, alertId: d.id }, 'automatic verification failed');
      }
    }
    return verified;
  }

  /** Records a case's sensor back to normal and marks its effect done, in one transaction. */
  async #sensorNormal(effectId: string, s: Extract<AlertEffect, { kind: 'sensor_normal' }>): Promise<boolean> {
    const cmd: CaseCommand = {
      type: 'record_sensor_state',
      state: 'normal',
      ...(s.deviceId ? { deviceId: s.deviceId } : {}),
      ...(s.metric !== null && s.value !== null ? { reading: { name: s.metric, value: s.value, unit: this.#unitOf(s.deviceId, s.metric) } } : {}),
    };
    return this.#d.cases.completeEffect(effectId, s.caseId, cmd);
  }

  // ─── people's steps ──────────────────────────────────────────────────────────────────────

  async acknowledge(p: Principal, id: string, note: string | null): Promise<AlertDoc> {
    return this.#step(p, id, 'acknowledge', (doc) => {
      assertMayAcknowledge(p, doc);
      return { type: 'AlertAcknowledged', payload: { note } };
    });
  }

  async dismiss(p: Principal, id: string, reason: string): Promise<AlertDoc> {
    if (!reason.trim()) throw new CityLoopError('VALIDATION_FAILED', { detail: 'reason: a dismissal needs a reason' });
    return this.#step(p, id, 'dismiss', (doc) => {
      assertMayDecide(p, doc, 'dismiss alert');
      return { type: 'AlertDismissed', payload: { reason: reason.trim() } };
    });
  }

  async watch(p: Principal, id: string, unitId: string): Promise<AlertDoc> {
    if (!this.#d.org.unit(unitId)) throw new CityLoopError('UNKNOWN_UNIT', { id: unitId });
    return this.#step(p, id, 'watch', (doc) => {
      assertMayAddWatcher(p, doc, unitId);
      return doc.watchers.includes(unitId) ? null : { type: 'AlertWatched', payload: { unitId } };
    });
  }

  /**
   * 核实: opens the case (category from the rule, or chosen by the verifier), records the sensor
   * behind it and runs the matching plan — one transaction on the case side. The case is made
   * with a request id derived from the alert, so a retry after a crash finds it instead of
   * opening a second one. Where no plan applies, the case is registered for a person to dispatch.
   */
  async verify(p: Principal, id: string, opts: { planId?: string | undefined; note?: string | null | undefined; categoryCode?: string | undefined } = {}): Promise<{ alert: AlertDoc; case: CaseDoc }> {
    const doc = await this.#require(id);
    assertMayDecide(p, doc, 'verify alert');
    if (doc.caseId) {
      const c = await this.#d.cases.get(SYSTEM_PRINCIPAL, doc.caseId);
      return { alert: doc, case: c };
    }
    this.#assertAllowed(doc, 'verify');
    const categoryCode = opts.categoryCode ?? doc.categoryCode;
    if (!categoryCode) throw new CityLoopError('VALIDATION_FAILED', { detail: 'categoryCode: this alert names no case category; choose one to verify it' });
    if (!this.#d.org.category(categoryCode)) throw new CityLoopError('UNKNOWN_CATEGORY', { code: categoryCode });
    const place = doc.location ?? this.#pointOf(doc.jurisdictionCode);
    if (!place) throw new CityLoopError('VALIDATION_FAILED', { detail: 'the alert has no place to open a case at' });
    const input = {
      source: doc.source === 'camera' ? ('camera' as const) : doc.source === 'cap' ? ('external' as const) : ('sensor' as const),
      categoryCode,
      title: doc.title,
      description: [doc.description, `预警 ${doc.number}（${ALERT_STATUS_NAMES[doc.status].zh}，${doc.count} 次）`].filter(Boolean).join('\n'),
      lng: place.lon,
      lat: place.lat,
      crs: 'gcj02' as const,
      priority: priorityOfSeverity(doc.severity),
      externalRef: doc.number,
      tier: doc.tier,
      clientRequestId: `alert-${doc.id}`,
    };
    const sensor: CaseCommand[] = doc.deviceId
      ? [{ type: 'record_sensor_state', state: 'abnormal', deviceId: doc.deviceId, ...(doc.peak ? { reading: { name: doc.peak.metric, value: doc.readings[doc.peak.metric] ?? doc.peak.value, unit: this.#unitOf(doc.deviceId, doc.peak.metric) } } : {}) }]
      : [];
    const opener = SYSTEM_PRINCIPAL; // the alert's verifier is recorded on the alert; the case is opened by the platform on their word
    let c: CaseDoc;
    try {
      c = await this.#d.cases.reportAndRun(opener, input, [...sensor, { type: 'apply_plan', ...(opts.planId ? { planId: opts.planId } : {}) } as CaseCommand]);
    } catch (e) {
      if (!isCityLoopError(e) || !['PLAN_NO_MATCH', 'PLAN_UNRESOLVED', 'PLAN_INVALID'].includes(e.code) || opts.planId) throw e;
      // No plan fits (or one cannot be staffed): the case waits, registered, for a person to dispatch.
      c = await this.#d.cases.reportAndRun(opener, input, [...sensor, { type: 'register' } as CaseCommand]);
    }
    const alert = await this.#stepAnyway(p, id, { type: 'AlertVerified', payload: { caseId: c.id, note: opts.note ?? null } });
    return { alert, case: c };
  }

  async #step(p: Principal, id: string, action: keyof typeof ACTION_ALLOWED_IN, decide: (doc: AlertDoc) => AlertEventBody | null): Promise<AlertDoc> {
    const out = new AlertOutbox();
    const doc = await this.#d.store.transact(async (tx) => {
      const cur = await this.#loadForUpdate(tx, id);
      if (!cur) throw new CityLoopError('NOT_FOUND', { what: '预警/alert', id });
      if (!canSeeAlert(p, cur)) throw new CityLoopError('FORBIDDEN_JURISDICTION');
      this.#assertAllowed(cur, action);
      const body = decide(cur);
      if (!body) return cur;
      const at = this.#d.clock.now().toISOString();
      const events = await this.#append(tx, id, cur.version, [body], actorOf(p), at);
      const next = evolveAlert(cur, { ...events[0]!, payload: body.payload });
      await tx.updateTable('alerts').set(rowOf(next, ACTIVE.includes(next.status))).where('id', '=', id).execute();
      out.commits.push({ events, alert: next });
      return next;
    });
    await this.afterCommit(out);
    return doc;
  }

  /** AlertVerified once the case exists, whatever happened to the alert meanwhile (it may have cleared). */
  async #stepAnyway(p: Principal, id: string, body: AlertEventBody & { type: 'AlertVerified' }): Promise<AlertDoc> {
    const out = new AlertOutbox();
    const doc = await this.#d.store.transact(async (tx) => {
      const cur = await this.#loadForUpdate(tx, id);
      if (!cur) throw new CityLoopError('NOT_FOUND', { what: '预警/alert', id });
      if (cur.caseId) return cur;
      const at = this.#d.clock.now().toISOString();
      const events = await this.#append(tx, id, cur.version, [body], actorOf(p), at);
      let next = evolveAlert(cur, { ...events[0]!, payload: body.payload });
      // Cleared or dismissed while the case was being opened: keep that status, note the case.
      if (cur.status === 'cleared' || cur.status === 'dismissed') next = { ...next, status: cur.status };
      await tx.updateTable('alerts').set(rowOf(next, ACTIVE.includes(next.status))).where('id', '=', id).execute();
      out.commits.push({ events, alert: next });
      return next;
    });
    await this.afterCommit(out);
    return doc;
  }

  #assertAllowed(doc: AlertDoc, action: keyof typeof ACTION_ALLOWED_IN): void {
    if (!ACTION_ALLOWED_IN[action].includes(doc.status)) {
      throw new CityLoopError('ALERT_INVALID_TRANSITION', { stateZh: ALERT_STATUS_NAMES[doc.status].zh, state: doc.status, action });
    }
  }

  // ─── reading ─────────────────────────────────────────────────────────────────────────────

  async get(p: Principal, id: string): Promise<AlertDoc> {
    return visibleAlert(this.#d.store.db, p, id);
  }

  /** Alerts by id, many at once, those the user may see (the feed's history). */
  async visibleByIds(p: Principal, ids: readonly string[]): Promise<Map<string, AlertDoc>> {
    const found = await alertsByIds(this.#d.store.db, ids);
    for (const [id, doc] of found) if (!canSeeAlert(p, doc)) found.delete(id);
    return found;
  }

  async timeline(p: Principal, id: string): Promise<AlertEvent[]> {
    return alertTimeline(this.#d.store.db, p, id);
  }

  /**
   * Alerts the caller may see, newest first. Filtering by visibility happens after the query, so
   * a page is fetched in rounds until it is full.
   */
  async list(p: Principal, f: AlertListFilter): Promise<{ items: AlertDoc[]; nextCursor: string | null }> {
    return listVisibleAlerts(this.#d.store.db, p, f);
  }

  /** Active alerts by device (for the map and vital signs). */
  async activeByDevice(): Promise<Map<string, AlertDoc>> {
    return activeAlertsByDevice(this.#d.store.db);
  }

  async activeAlerts(): Promise<AlertDoc[]> {
    return activeAlerts(this.#d.store.db);
  }
  // ─── internals ───────────────────────────────────────────────────────────────────────────

  async #require(id: string): Promise<AlertDoc> {
    return requireAlert(this.#d.store.db, id);
  }

  async #latest(id: string, fallback: AlertDoc): Promise<AlertDoc> {
    const r = await this.#d.store.db.selectFrom('alerts').select(['doc']).where('id', '=', id).executeTakeFirst();
    return r ? (JSON.parse(r.doc) as AlertDoc) : fallback;
  }

  async #loadActive(tx: Tx, key: string): Promise<AlertDoc | null> {
    let q = tx.selectFrom('alerts').select(['doc']).where('active_key', '=', key);
    if (this.#d.store.capabilities.rowLocks) q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r ? (JSON.parse(r.doc) as AlertDoc) : null;
  }

  async #loadForUpdate(tx: Tx, id: string): Promise<AlertDoc | null> {
    let q = tx.selectFrom('alerts').select(['doc']).where('id', '=', id);
    if (this.#d.store.capabilities.rowLocks) q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r ? (JSON.parse(r.doc) as AlertDoc) : null;
  }

  async #append(tx: Tx, streamId: string, version: number, bodies: AlertEventBody[], actor: Actor, at: string): Promise<AlertEvent[]> {
    const rows = await appendEvents(
      tx,
      this.#d.store,
      bodies.map((b, i) => ({ id: newId(), streamId, streamVersion: version + i + 1, type: b.type, schemaVersion: ALERT_EVENT_SCHEMA, actor, at, payload: b.payload, streamType: 'alert' })),
    );
    return rows.map((r, i) => ({ seq: Number(r.seq), id: r.id, streamId, streamVersion: r.stream_version, type: bodies[i]!.type, actor, at, payload: bodies[i]!.payload }));
  }


  #pointOf(code: string | null): { lon: number; lat: number } | null {
    if (!code) return null;
    const j = this.#d.resolver().get(code);
    if (!j) return null;
    const c = (j.properties.centroid ?? j.properties.center) as unknown;
    if (Array.isArray(c) && typeof c[0] === 'number' && typeof c[1] === 'number') return { lon: c[0], lat: c[1] as number };
    const g = j.geometry;
    if (!g) return null;
    let ring: unknown = g.coordinates;
    while (Array.isArray(ring) && Array.isArray(ring[0]) && Array.isArray((ring[0] as unknown[])[0])) ring = ring[0];
    const pts = ring as [number, number][];
    const lon = pts.reduce((s, p) => s + p[0], 0) / pts.length;
    const lat = pts.reduce((s, p) => s + p[1], 0) / pts.length;
    return { lon, lat };
  }

  #unitOf(deviceId: string | null, metric: string): string {
    const type = deviceId ? this.#d.deviceType?.(deviceId) : undefined;
    return (type ? metricOf(type, metric)?.unit : undefined) ?? '';
  }
}
