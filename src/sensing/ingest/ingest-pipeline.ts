/**
 * The ingest pipeline: telemetry in, rule state and alerts durable, then the acknowledgement.
 *
 *   MQTT publish / HTTP POST ─► parse (bad → dead letters) ─► queue ─► one flusher, in batches:
 *      for each reading, in arrival order: every rule of the device (and of its asset) evaluates
 *      ─► one transaction: readings, changed rule states, raised/repeated/cleared alerts, dead
 *         letters, last-seen times ─► commit ─► the callers' promises settle (the MQTT PUBACK
 *         goes out only now) ─► the alert service's after-commit work (feed, trusted verification)
 *
 * One flusher handles batches one after another, so readings of a device are evaluated in the
 * order they arrived, whichever door they came through. Under overload the queue fills and new
 * submissions wait for room (the broker stops reading the device's socket meanwhile): intake slows,
 * nothing is dropped. The clock drives rules too: `tick(now)` evaluates every rule state whose
 * wake time has passed (a duration that has lasted long enough, a device that fell silent) through
 * the same queue, so ticks and readings never interleave inside a batch.
 *
 * Rule states are held in memory and written through: a batch computes new states on the side and
 * they replace the cached ones only after the commit, so a failed transaction leaves memory and the
 * store agreeing.
 */
import { sql } from 'kysely';
import type { StoreAdapter, Tx } from '../../store/store.ts';
import type { Clock } from '../../clock.ts';
import type { Reading } from '../sensing-model.ts';
import type { Severity } from '../sensing-model.ts';
import type { DeviceRecord } from '../devices/device-draft.ts';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import type { AlertService } from '../alerts/alert-service.ts';
import { AlertOutbox } from '../alerts/alert-service.ts';
import type { Tier } from '../../cases/case-model.ts';
import { newId } from '../../ids.ts';
import { DEFAULT_TELEMETRY_LIMITS, decodeJson, parseTelemetry } from './telemetry.ts';
import { CityLoopError } from '../../errors.ts';
import { jsonValueDepth, printable, stringifyOrUndefined, type JsonLimits } from '../../guarded-json.ts';

/** What the pipeline needs to know of a rule (the rule engine's compiled rule satisfies it). */
export interface RuleRef {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly scope: 'device' | 'asset';
  readonly category: string | null;
  readonly trusted: boolean;
  readonly tier?: Tier | undefined;
}

export interface RuleSubjectInput {
  readonly key: string;
  readonly deviceType: string;
  readonly assetId: string | null;
  readonly params: Readonly<Record<string, number>>;
}

export type PipelineRuleEffect =
  | { type: 'raise'; severity: Severity; metric: string | null; value: number | null; readings: Record<string, number>; at: string; reason: { zh: string; en: string } }
  | { type: 'update'; severity: Severity; metric: string | null; value: number | null; readings: Record<string, number>; at: string }
  | { type: 'clear'; at: string; readings: Record<string, number> };

export interface PipelineRuleOutcome {
  readonly state: unknown;
  readonly effects: readonly PipelineRuleEffect[];
  readonly wakeAt: string | null;
  readonly changed: boolean;
}

/** The rule engine, as the pipeline sees it. */
export interface RuleRuntime {
  /** Rules evaluating readings of this device (device-scoped for its type, asset-scoped for its asset). */
  rulesFor(device: DeviceRecord): readonly RuleRef[];
  rule(id: string): RuleRef | undefined;
  onReading(rule: RuleRef, subject: RuleSubjectInput, state: unknown, reading: Reading): PipelineRuleOutcome;
  onTick(rule: RuleRef, subject: RuleSubjectInput, state: unknown, now: string): PipelineRuleOutcome;
}

export interface IngestPipelineDeps {
  readonly store: StoreAdapter;
  readonly clock: Clock;
  readonly devices: DeviceRegistry;
  readonly rules: () => RuleRuntime;
  readonly alerts: AlertService;
  readonly assetName?: ((assetId: string) => string | null) | undefined;
  readonly log?: { warn(o: unknown, msg?: string): void; error(o: unknown, msg?: string): void } | undefined;
  /** Readings waiting before submitters are made to wait (backpressure). */
  readonly maxQueued?: number | undefined;
  /**
   * How long an HTTP submission waits for room in a full queue before it is refused with 503
   * OVERLOADED and Retry-After (INGEST_MAX_WAIT_MS). MQTT publishes wait without this bound: the
   * held PUBACK is their backpressure, and the broker stops reading the device meanwhile.
   */
  readonly httpMaxWaitMs?: number | undefined;
  /** Readings evaluated and written per transaction at most. */
  readonly batchMax?: number | undefined;
  /** Keep every reading in `readings` (the charts' history); off for a store that must stay small. */
  readonly keepReadings?: boolean | undefined;
  /** Size and depth of a message (settings TELEMETRY_MAX_BYTES, JSON_MAX_DEPTH). */
  readonly limits?: JsonLimits | undefined;
}

export type IngestSource = 'mqtt' | 'http' | 'replay';

export interface IngestResult {
  readonly accepted: number;
  readonly deadLettered: number;
  readonly reasons: readonly string[];
}

interface DeadLetter {
  readonly source: IngestSource;
  readonly deviceId: string | null;
  readonly topic: string | null;
  readonly reason: string;
  readonly payload: string;
}

interface Pending {
  readonly readings: readonly Reading[];
  readonly device: DeviceRecord | null;
  readonly dead: readonly DeadLetter[];
  readonly tickAt: string | null;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

interface CachedState {
  readonly ruleId: string;
  readonly ruleVersion: number;
  readonly subjectKey: string;
  readonly state: unknown;
  readonly wakeAt: string | null;
}

export interface IngestStats {
  readingsAccepted: number;
  deadLetters: number;
  batches: number;
  queued: number;
  ruleStates: number;
  refusedConnects: number;
  refusedPublishes: number;
  refusedSubscribes: number;
  lastBatchMs: number;
  /** Device CONNECTs answered "server unavailable" because the platform was still starting. */
  refusedConnectsStarting: number;
  /** The bound of the queue (readings); past it submitters wait for room. */
  queueBound: number;
  /** Submitters waiting for room right now (MQTT: PUBACKs held back by the full queue). */
  waitingForRoom: number;
  /** The longest any submission has waited for room, in ms, since start. */
  longestWaitForRoomMs: number;
  /** HTTP submissions refused with 503 OVERLOADED after INGEST_MAX_WAIT_MS. */
  overloadRefusals: number;
}

const SEP = '\u001f';
const LAST_SEEN_EVERY_MS = 60_000;
const PAYLOAD_KEEP = 4096;

export class IngestPipeline {
  readonly #d: IngestPipelineDeps;
  readonly #queue: Pending[] = [];
  #queuedReadings = 0;
  #waitingForRoom: (() => void)[] = [];
  #flushing: Promise<void> | null = null;
  #states = new Map<string, CachedState>();
  #closed = false;
  readonly stats: IngestStats = { readingsAccepted: 0, deadLetters: 0, batches: 0, queued: 0, ruleStates: 0, refusedConnects: 0, refusedPublishes: 0, refusedSubscribes: 0, lastBatchMs: 0, refusedConnectsStarting: 0, queueBound: 0, waitingForRoom: 0, longestWaitForRoomMs: 0, overloadRefusals: 0 };

  constructor(deps: IngestPipelineDeps) {
    this.#d = deps;
    this.stats.queueBound = this.#maxQueued;
  }

  /** Whether the queue is full: new submissions wait (readiness reports it). */
  get saturated(): boolean {
    return this.#queuedReadings >= this.#maxQueued;
  }

  get #maxQueued(): number {
    return this.#d.maxQueued ?? 20_000;
  }

  /** Loads rule states from the store (on start, after a restart). */
  async load(): Promise<void> {
    const rows = await this.#d.store.db.selectFrom('rule_states').selectAll().execute();
    this.#states = new Map();
    for (const r of rows) {
      const parsed = JSON.parse(r.state) as { v: number; s: unknown };
      this.#states.set(r.rule_id + SEP + r.subject_key, { ruleId: r.rule_id, ruleVersion: parsed.v, subjectKey: r.subject_key, state: parsed.s, wakeAt: r.wake_at });
    }
    this.stats.ruleStates = this.#states.size;
  }

  /**
   * One message from a device (MQTT payload or HTTP body). Settles once its effects are durable:
   * the readings and what they did to rules and alerts, or the dead letter that explains why not.
   */
  async submit(deviceId: string, payload: Uint8Array | string | { json: unknown }, source: IngestSource, topic: string | null = null): Promise<IngestResult> {
    const device = this.#d.devices.get(deviceId);
    const limits = this.#d.limits ?? DEFAULT_TELEMETRY_LIMITS;
    const handedIn = typeof payload === 'object' && 'json' in payload;
    // A value handed in already parsed (the HTTP route) passed the body parser's limits; measured
    // again here, without recursion, so that nothing below can overflow the stack on it.
    const tooDeep = handedIn && jsonValueDepth(payload.json, limits.maxDepth) > limits.maxDepth;
    const raw = handedIn ? (tooDeep ? '' : (stringifyOrUndefined(payload.json) ?? '')) : typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
    const dead = (reason: string): DeadLetter => ({ source, deviceId, topic, reason, payload: raw.slice(0, PAYLOAD_KEEP) });
    if (!device) return this.#enqueue([], null, [dead('unknown device')]);
    if (device.status !== 'active') return this.#enqueue([], null, [dead('device is disabled')]);
    if (tooDeep) return this.#enqueue([], null, [dead(`JSON_TOO_DEEP: nested deeper than ${limits.maxDepth} levels`)]);
    const decoded = handedIn ? { ok: true as const, value: payload.json } : decodeJson(payload, limits);
    if (!decoded.ok) return this.#enqueue([], null, [dead(decoded.reason)]);
    let parsed: ReturnType<typeof parseTelemetry>;
    try {
      parsed = parseTelemetry(decoded.value, deviceId, device.type, this.#d.clock.now());
    } catch (e) {
      // Reading a message must never throw, but if it ever does, the message is at fault, not the
      // store: a dead letter, and the publish acknowledged, rather than a device resending forever.
      this.#d.log?.error({ err: e, deviceId }, 'telemetry could not be read; kept as a dead letter');
      return this.#enqueue([], null, [dead(`unreadable: ${(e as Error).message}`)]);
    }
    if (!parsed.ok) return this.#enqueue([], null, [dead(parsed.reason)]);
    const refused = parsed.refused.map((r) => ({ ...dead(`reading ${r.index}: ${r.reason}`), payload: (stringifyOrUndefined(r.raw) ?? '').slice(0, PAYLOAD_KEEP) }));
    return this.#enqueue(parsed.readings, device, refused, source === 'http' ? (this.#d.httpMaxWaitMs ?? null) : null);
  }

  /** Evaluates every rule whose wake time has come (a duration that lasted, a silent device). */
  async tick(now: Date = this.#d.clock.now()): Promise<void> {
    const at = now.toISOString();
    let due = false;
    for (const s of this.#states.values()) {
      if (s.wakeAt !== null && s.wakeAt <= at) {
        due = true;
        break;
      }
    }
    if (!due) return;
    await new Promise<void>((resolve, reject) => {
      this.#queue.push({ readings: [], device: null, dead: [], tickAt: at, resolve, reject });
      this.#kick();
    });
  }

  /** The next wake time of any rule state, for a scheduler that sleeps until then. */
  nextWake(): string | null {
    let min: string | null = null;
    for (const s of this.#states.values()) if (s.wakeAt !== null && (min === null || s.wakeAt < min)) min = s.wakeAt;
    return min;
  }

  /** Waits until everything submitted so far is durable. */
  async drain(): Promise<void> {
    while (this.#flushing || this.#queue.length > 0) {
      this.#kick();
      await this.#flushing;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.drain();
  }

  async #enqueue(readings: Reading[], device: DeviceRecord | null, dead: DeadLetter[], maxWaitMs: number | null = null): Promise<IngestResult> {
    if (this.#closed) throw new Error('the ingest pipeline is closed');
    // Backpressure: wait for the flusher to make room rather than drop. While others wait, a
    // newcomer waits too, behind them, so a device's messages keep their order. A caller with a
    // bound (HTTP) is refused past it: nothing of its message was taken, it sends it again later.
    const waitStarted = performance.now();
    while (readings.length > 0 && (this.#queuedReadings >= this.#maxQueued || this.#waitingForRoom.length > 0)) {
      const left = maxWaitMs === null ? null : maxWaitMs - (performance.now() - waitStarted);
      const gotRoom = await this.#waitForRoom(left);
      this.#noteWait(waitStarted);
      if (!gotRoom) {
        this.stats.overloadRefusals += 1;
        throw new CityLoopError('OVERLOADED');
      }
    }
    if (readings.length > 0) this.#noteWait(waitStarted);
    this.#queuedReadings += readings.length;
    this.stats.queued = this.#queuedReadings;
    await new Promise<void>((resolve, reject) => {
      this.#queue.push({ readings, device, dead, tickAt: null, resolve, reject });
      this.#kick();
    });
    return { accepted: readings.length, deadLettered: dead.length, reasons: dead.map((d) => d.reason) };
  }

  /** Resolves true when the flusher made room, false when leftMs ran out first (null: no bound). */
  #waitForRoom(leftMs: number | null): Promise<boolean> {
    if (leftMs !== null && leftMs <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      const wake = () => {
        if (timer) clearTimeout(timer);
        this.stats.waitingForRoom = this.#waitingForRoom.length;
        resolve(true);
      };
      this.#waitingForRoom.push(wake);
      this.stats.waitingForRoom = this.#waitingForRoom.length;
      if (leftMs !== null) {
        timer = setTimeout(() => {
          const i = this.#waitingForRoom.indexOf(wake);
          if (i >= 0) this.#waitingForRoom.splice(i, 1);
          this.stats.waitingForRoom = this.#waitingForRoom.length;
          resolve(false);
        }, leftMs);
      }
    });
  }

  #noteWait(since: number): void {
    const waited = Math.round(performance.now() - since);
    if (waited > this.stats.longestWaitForRoomMs) this.stats.longestWaitForRoomMs = waited;
  }

  #kick(): void {
    if (this.#flushing) return;
    this.#flushing = (async () => {
      try {
        // One turn of the event loop first: the socket reads already waiting add their readings,
        // so a busy moment makes one transaction of many readings rather than many of one.
        await new Promise((r) => setImmediate(r));
        while (this.#queue.length > 0) {
          await this.#flushOnce();
          if (this.#queue.length > 0 && this.#queue.length < 64) await new Promise((r) => setImmediate(r));
        }
      } finally {
        this.#flushing = null;
      }
    })();
  }

  async #flushOnce(): Promise<void> {
    const max = this.#d.batchMax ?? 4000;
    const batch: Pending[] = [];
    let n = 0;
    while (this.#queue.length > 0 && (batch.length === 0 || n + this.#queue[0]!.readings.length <= max)) {
      const p = this.#queue.shift()!;
      n += p.readings.length;
      batch.push(p);
    }
    const started = performance.now();
    const out = new AlertOutbox();
    let work: BatchWork;
    try {
      work = this.#evaluate(batch);
      await this.#d.store.transact((tx) => this.#write(tx, work, out));
    } catch (e) {
      this.#d.log?.error({ err: e }, 'ingest batch could not be written; its senders get an error and will resend');
      this.#release(n);
      for (const p of batch) p.reject(e);
      return;
    }
    for (const [k, s] of work.states) {
      if (s === null) this.#states.delete(k);
      else this.#states.set(k, s);
    }
    this.#d.devices.noteSeen(work.lastSeen);
    this.stats.readingsAccepted += n;
    this.stats.deadLetters += work.dead.length;
    this.stats.batches += 1;
    this.stats.ruleStates = this.#states.size;
    this.stats.lastBatchMs = performance.now() - started;
    this.#release(n);
    for (const p of batch) p.resolve();
    try {
      await this.#d.alerts.afterCommit(out);
    } catch (e) {
      this.#d.log?.error({ err: e }, 'after-commit work of alerts failed');
    }
  }

  #release(n: number): void {
    this.#queuedReadings -= n;
    this.stats.queued = this.#queuedReadings;
    if (this.#queuedReadings < this.#maxQueued) {
      const waiting = this.#waitingForRoom;
      this.#waitingForRoom = [];
      for (const w of waiting) w();
    }
  }

  #evaluate(batch: readonly Pending[]): BatchWork {
    const rt = this.#d.rules();
    const work: BatchWork = { readings: [], states: new Map(), effects: [], dead: [], lastSeen: new Map() };
    const current = (key: string): CachedState | undefined => {
      const s = work.states.get(key);
      return s === null ? undefined : (s ?? this.#states.get(key));
    };
    const run = (rule: RuleRef, subject: RuleSubjectInput, device: DeviceRecord | null, f: (state: unknown) => PipelineRuleOutcome) => {
      const key = rule.id + SEP + subject.key;
      const cached = current(key);
      // A new version of a rule starts from a clean state: the old one may not fit its conditions.
      const prior = cached && cached.ruleVersion === rule.version ? cached.state : null;
      let outcome: PipelineRuleOutcome;
      try {
        outcome = f(prior);
      } catch (e) {
        work.dead.push({ source: 'replay', deviceId: device?.id ?? null, topic: null, reason: `rule ${rule.id} failed: ${(e as Error).message}`, payload: '' });
        return;
      }
      if (outcome.changed || !cached || cached.ruleVersion !== rule.version || cached.wakeAt !== outcome.wakeAt) {
        work.states.set(key, { ruleId: rule.id, ruleVersion: rule.version, subjectKey: subject.key, state: outcome.state, wakeAt: outcome.wakeAt });
      }
      for (const e of outcome.effects) work.effects.push({ rule, subject, device, effect: e });
    };

    for (const p of batch) {
      work.dead.push(...p.dead);
      if (p.tickAt !== null) {
        for (const s of [...this.#states.values()]) {
          const live = current(s.ruleId + SEP + s.subjectKey);
          if (!live || live.wakeAt === null || live.wakeAt > p.tickAt) continue;
          const rule = rt.rule(live.ruleId);
          const subject = rule ? this.#subjectOf(rule, live.subjectKey) : null;
          if (!rule || !subject) {
            work.states.set(live.ruleId + SEP + live.subjectKey, null); // the rule or the device is gone
            continue;
          }
          run(rule, subject.subject, subject.device, (st) => rt.onTick(rule, subject.subject, st, p.tickAt!));
        }
        continue;
      }
      const device = p.device;
      if (!device) continue; // dead letters only
      const rules = rt.rulesFor(device);
      for (const r of p.readings) {
        work.readings.push(r);
        for (const rule of rules) {
          const subject = this.#subjectFor(rule, device);
          if (subject) run(rule, subject, device, (st) => rt.onReading(rule, subject, st, r));
        }
        const seen = work.lastSeen.get(device.id);
        if (!seen || r.ts > seen) work.lastSeen.set(device.id, r.ts);
      }
    }
    return work;
  }

  #subjectFor(rule: RuleRef, device: DeviceRecord): RuleSubjectInput | null {
    if (rule.scope === 'device') return { key: device.id, deviceType: device.type, assetId: device.assetId, params: device.thresholds };
    if (!device.assetId) return null;
    return { key: device.assetId, deviceType: device.type, assetId: device.assetId, params: this.#assetParams(device.assetId) };
  }

  #subjectOf(rule: RuleRef, key: string): { subject: RuleSubjectInput; device: DeviceRecord } | null {
    if (rule.scope === 'device') {
      const d = this.#d.devices.get(key);
      return d ? { subject: { key, deviceType: d.type, assetId: d.assetId, params: d.thresholds }, device: d } : null;
    }
    const at = this.#d.devices.atAsset(key);
    if (at.length === 0) return null;
    return { subject: { key, deviceType: at[0]!.type, assetId: key, params: this.#assetParams(key) }, device: at[0]! };
  }

  /** An asset's rule parameters: the overrides of the devices watching it, merged. */
  #assetParams(assetId: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const d of this.#d.devices.atAsset(assetId)) Object.assign(out, d.thresholds);
    return out;
  }

  async #write(tx: Tx, work: BatchWork, out: AlertOutbox): Promise<void> {
    const now = this.#d.clock.now().toISOString();
    if (this.#d.keepReadings !== false && work.readings.length > 0) {
      const rows = work.readings.map((r) => ({ device_id: r.deviceId, ts: r.ts, payload: JSON.stringify(r.values), received_at: now }));
      for (let i = 0; i < rows.length; i += 400) {
        // A QoS 1 duplicate carries the same device and stamp: it is written once.
        await tx.insertInto('readings').values(rows.slice(i, i + 400)).onConflict((oc) => oc.columns(['device_id', 'ts']).doNothing()).execute();
      }
    }
    const upserts: { rule_id: string; subject_key: string; state: string; wake_at: string | null; updated_at: string }[] = [];
    const deletes: [string, string][] = [];
    for (const [k, s] of work.states) {
      if (s === null) {
        const [ruleId, subjectKey] = k.split(SEP) as [string, string];
        deletes.push([ruleId, subjectKey]);
      } else upserts.push({ rule_id: s.ruleId, subject_key: s.subjectKey, state: JSON.stringify({ v: s.ruleVersion, s: s.state }), wake_at: s.wakeAt, updated_at: now });
    }
    for (let i = 0; i < upserts.length; i += 200) {
      await tx
        .insertInto('rule_states')
        .values(upserts.slice(i, i + 200))
        .onConflict((oc) =>
          oc.columns(['rule_id', 'subject_key']).doUpdateSet({ state: sql`excluded.state`, wake_at: sql`excluded.wake_at`, updated_at: sql`excluded.updated_at` }),
        )
        .execute();
    }
    for (const [ruleId, subjectKey] of deletes) await tx.deleteFrom('rule_states').where('rule_id', '=', ruleId).where('subject_key', '=', subjectKey).execute();
    for (const item of work.effects) await this.#applyEffect(tx, item, out);
    if (work.dead.length > 0) {
      await tx
        .insertInto('dead_letters')
        // Whatever a device sent is kept as printable text: PostgreSQL refuses NUL in text, and a
        // refused insert would fail the whole batch (and every sender in it would resend forever).
        .values(
          work.dead.map((d) => ({
            id: newId(),
            received_at: now,
            source: d.source,
            device_id: d.deviceId === null ? null : printable(d.deviceId).slice(0, 200),
            topic: d.topic === null ? null : printable(d.topic).slice(0, 400),
            reason: printable(d.reason.slice(0, 500)),
            payload: printable(d.payload),
          })),
        )
        .execute();
    }
    // Last-seen times are for people ("online 3 minutes ago"); the absence rule keeps its own.
    const stale = new Map<string, string>();
    for (const [id, at] of work.lastSeen) {
      const d = this.#d.devices.get(id);
      if (!d?.lastSeenAt || Date.parse(at) - Date.parse(d.lastSeenAt) >= LAST_SEEN_EVERY_MS) stale.set(id, at);
    }
    if (stale.size > 0) await this.#d.devices.touch(tx, stale);
    work.lastSeen = stale;
  }

  async #applyEffect(tx: Tx, item: BatchEffect, out: AlertOutbox): Promise<void> {
    const { rule, subject, device, effect } = item;
    const dedupKey = `rule:${rule.id}:${subject.key}`;
    if (effect.type === 'clear') {
      await this.#d.alerts.clearInTx(tx, dedupKey, effect.at, effect.readings, null, out);
      return;
    }
    const subjectName = rule.scope === 'asset' ? (this.#d.assetName?.(subject.key) ?? subject.key) : (device?.name ?? subject.key);
    await this.#d.alerts.raiseInTx(
      tx,
      {
        dedupKey,
        source: 'rule',
        severity: effect.severity,
        title: `${subjectName}：${rule.name}`,
        description: effect.type === 'raise' ? effect.reason.zh : null,
        ruleId: rule.id,
        ruleVersion: rule.version,
        trusted: rule.trusted,
        categoryCode: rule.category,
        deviceId: device?.id ?? null,
        assetId: subject.assetId,
        location: device ? { lon: device.lon, lat: device.lat } : null,
        tier: rule.tier,
        ownerUnitId: device?.unitId ?? null,
        metric: effect.metric,
        value: effect.value,
        readings: effect.readings,
        evidence: effect.type === 'raise' ? { reason: effect.reason, subject: subject.key, scope: rule.scope } : {},
        at: effect.at,
      },
      out,
    );
  }

  /** A dead letter that never reached a device's queue (a refused publish, a bad topic). */
  async deadLetter(d: DeadLetter): Promise<void> {
    await this.#enqueue([], null, [d]);
  }
}

interface BatchEffect {
  readonly rule: RuleRef;
  readonly subject: RuleSubjectInput;
  readonly device: DeviceRecord | null;
  readonly effect: PipelineRuleEffect;
}

interface BatchWork {
  readings: Reading[];
  /** New states by key; null = delete. */
  states: Map<string, CachedState | null>;
  effects: BatchEffect[];
  dead: DeadLetter[];
  lastSeen: Map<string, string>;
}
