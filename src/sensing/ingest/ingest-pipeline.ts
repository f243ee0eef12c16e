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
 *
 * This module is the parse stage, the queue and the flusher; the evaluate stage is
 * `ingest-batch.ts` (over the port `rule-runtime-port.ts`), the persist stage `batch-writer.ts`.
 */
import type { StoreAdapter } from '../../store/store.ts';
import type { Clock } from '../../clock.ts';
import type { Reading } from '../sensing-model.ts';
import type { DeviceRecord } from '../devices/device-draft.ts';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import type { AlertService } from '../alerts/alert-service.ts';
import { AlertOutbox } from '../alerts/alert-service.ts';
import { DEFAULT_TELEMETRY_LIMITS, decodeJson, parseTelemetry } from './telemetry.ts';
import { CityLoopError } from '../../errors.ts';
import { jsonValueDepth, stringifyOrUndefined, type JsonLimits } from '../../guarded-json.ts';
import type { RuleRuntime } from './rule-runtime-port.ts';
import { evaluateBatch, stateKey, type BatchWork, type CachedState, type DeadLetter, type IngestSource, type Pending } from './ingest-batch.ts';
import { writeBatch } from './batch-writer.ts';

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

export interface IngestResult {
  readonly accepted: number;
  readonly deadLettered: number;
  readonly reasons: readonly string[];
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
      this.#states.set(stateKey(r.rule_id, r.subject_key), { ruleId: r.rule_id, ruleVersion: parsed.v, subjectKey: r.subject_key, state: parsed.s, wakeAt: r.wake_at });
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
      work = evaluateBatch(batch, this.#states, this.#d.rules(), this.#d.devices);
      await this.#d.store.transact((tx) => writeBatch(tx, work, out, this.#d));
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

  /** A dead letter that never reached a device's queue (a refused publish, a bad topic). */
  async deadLetter(d: DeadLetter): Promise<void> {
    await this.#enqueue([], null, [d]);
  }
}
