/**
 * `cityloop simulate`: a fleet of devices on MQTT. A pure MQTT client of the platform, like real
 * field devices: one connection per device, logged in with the device's id and secret (the demo
 * recipe `demoDeviceSecret`, or a `--secrets` file for real devices), publishing QoS 1 readings
 * `{"ts", "values"}` to `cityloop/devices/{id}/telemetry` and camera events to
 * `cityloop/devices/{id}/events`.
 *
 *   background  every device streams normal readings (streams.ts) every `interval`, staggered
 *   scenarios   scripted incidents (scenarios.ts), compressed by `speed`; a scenario's device
 *               reports the scenario's values from its first step to its last, then its normal
 *               stream again; the devices that receive its commands (the underpass signals) are
 *               played too and acknowledge them
 *   replay      a CSV series as one device's readings, `speed` rows a second (replay.ts)
 *
 * Every reading is stamped with the real time it is sent (never earlier than the device's previous
 * one), so what the rules measure in time is real time. A device never has more than WINDOW
 * messages unacknowledged: a background reading due meanwhile is skipped (and counted), a
 * scenario step or a replay row waits.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import { connect, type MqttClient } from 'mqtt';
import { demoDeviceSecret } from '../../src/sensing/devices/demo-devices.ts';
import { DEVICE_TYPES } from '../../src/sensing/devices/device-types.ts';
import { durationMs, formatDuration } from '../../src/sensing/rules/rule-definition.ts';
import { DEMO_PASSWORD } from '../../src/demo/demo-city.ts';
import { connectSimulatedDevice, type SimulatedDevice } from '../../src/actions/simulated-device.ts';
import { hasStream, normalValues } from './streams.ts';
import { cameraPayload, parseScenarioNames, programme, realOffsetMs, SCENARIO_DEVICES, type ScenarioName, type ScenarioStep, type Say } from './scenarios.ts';
import { CsvSeriesError, parseCsvSeries, playSeries, type CsvSeries } from './replay.ts';

/** `usage`: wrong options (exit 2); otherwise the simulation could not run (exit 1). */
export class SimulationError extends Error {
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
  }
}

export interface SimDevice {
  readonly id: string;
  readonly type: string;
  /** What it watches, when the list says (asset-scoped rules, such as the burst, need it). */
  readonly assetId?: string | null;
}

export interface SimulationOptions {
  /** mqtt://host:port of the platform's broker. */
  readonly url: string;
  /** Devices with a normal stream (select them with selectDevices). */
  readonly background: readonly SimDevice[];
  readonly scenarios: readonly ScenarioName[];
  /** Scenario compression, and replay rows per second. */
  readonly speed: number;
  /** Real milliseconds between two background readings of a device. */
  readonly intervalMs: number;
  /** Stop after this many real milliseconds; null: when stopped (or when nothing is left to play without background). */
  readonly durationMs: number | null;
  readonly seed?: number;
  /** A device's MQTT password; default demoDeviceSecret. */
  readonly secretOf?: (id: string) => string;
  /** Types of devices known from the device list (for a scenario's or replay's device); defaults for the scenario devices. */
  readonly typeOf?: (id: string) => string | undefined;
  readonly replay?: { readonly series: CsvSeries; readonly deviceId: string } | undefined;
  /** Plays the devices that receive a scenario's commands (default true). */
  readonly responders?: boolean;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  readonly warn?: (line: string) => void;
  readonly onReplayProgress?: (done: number, total: number) => void;
  /** How long to wait for outstanding acknowledgements at the end (default 5 s). */
  readonly drainMs?: number;
}

export interface SimulationSummary {
  /** Devices connected (background, scenario and replay; responders not counted). */
  readonly devices: number;
  /** Devices the broker refused (unknown device or wrong secret), with the reason. */
  readonly refused: readonly { readonly id: string; readonly reason: string }[];
  readonly sent: number;
  readonly acknowledged: number;
  /** Refused by the broker, lost with the connection, or not acknowledged by the end. */
  readonly failed: number;
  /** Background readings not sent because the device still had WINDOW messages unacknowledged. */
  readonly skipped: number;
  /** Commands the responders received (the underpass plan's signal commands). */
  readonly commands: number;
  readonly replayed: number;
  readonly elapsedMs: number;
}

/** Unacknowledged messages a device may have at once. */
export const WINDOW = 32;
const CONNECT_TIMEOUT_MS = 5_000;
const RECONNECT_MS = 2_000;

// ───────────────────────────── choosing devices ─────────────────────────────

/**
 * Up to `n` devices that have a normal stream, taken by type in turn (every type appears before
 * any has two), each type's devices in id order: a small fleet shows the whole city's kinds.
 */
export function selectDevices(all: readonly SimDevice[], n: number): SimDevice[] {
  const order = [...DEVICE_TYPES.map((t) => t.type), ...new Set(all.map((d) => d.type))];
  const queues = new Map<string, SimDevice[]>();
  for (const d of [...all].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (!hasStream(d.type)) continue;
    let q = queues.get(d.type);
    if (!q) queues.set(d.type, (q = []));
    q.push(d);
  }
  const types = [...new Set(order)].filter((t) => queues.has(t));
  const out: SimDevice[] = [];
  const seen = new Set<string>();
  for (let round = 0; out.length < n; round++) {
    let took = false;
    for (const t of types) {
      const d = queues.get(t)![round];
      if (!d || out.length >= n) continue;
      took = true;
      if (!seen.has(d.id)) {
        seen.add(d.id);
        out.push(d);
      }
    }
    if (!took) break;
  }
  return out;
}

// ───────────────────────────── inputs ─────────────────────────────

/** `10m`, `90s`, `1h30m`, `2d`, or plain seconds (`45`, `0.5`) → milliseconds; null when it is none of these. */
export function parseDurationText(text: string): number | null {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const ms = durationMs(t);
  return ms === null || ms <= 0 ? null : ms;
}

/** A device list: the API's answer (`{"items": [...]}`) or an array of `{id, type}`; disabled devices left out. */
export function readDeviceList(json: unknown, source: string): SimDevice[] {
  const items = Array.isArray(json) ? json : typeof json === 'object' && json !== null && Array.isArray((json as { items?: unknown }).items) ? (json as { items: unknown[] }).items : null;
  if (items === null) throw new SimulationError(`${source}: expected an array of devices or {"items": [...]}`);
  const out: SimDevice[] = [];
  items.forEach((x, i) => {
    const d = x as { id?: unknown; type?: unknown; status?: unknown; assetId?: unknown };
    if (typeof d?.id !== 'string' || typeof d.type !== 'string') throw new SimulationError(`${source}: device ${i} has no string id and type`);
    if (d.status !== undefined && d.status !== 'active') return;
    out.push(d.assetId === undefined ? { id: d.id, type: d.type } : { id: d.id, type: d.type, assetId: typeof d.assetId === 'string' ? d.assetId : null });
  });
  return out;
}

/** `{"device-id": "secret", …}`. */
export function readSecrets(json: unknown, source: string): Record<string, string> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new SimulationError(`${source}: expected {"device-id": "secret", …}`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(json)) {
    if (typeof v !== 'string' || v === '') throw new SimulationError(`${source}: the secret of ${k} is not a string`);
    out[k] = v;
  }
  return out;
}

/** Signs in to the platform's API and lists the devices the account may see. */
export async function fetchDeviceList(api: string, username: string, password: string): Promise<SimDevice[]> {
  const base = api.replace(/\/+$/, '');
  const call = async (path: string, init: RequestInit): Promise<Response> => {
    try {
      return await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new SimulationError(`cannot reach the API at ${base} (${cause?.code ?? cause?.message ?? (e as Error).message}): start the platform (npm start), pass --api, or give the devices with --devices-file`);
    }
  };
  const signIn = await call('/api/v1/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!signIn.ok) throw new SimulationError(`signing in to ${base} as ${username} failed (HTTP ${signIn.status}): pass --user, and the password in CITYLOOP_PASSWORD`);
  const { token } = (await signIn.json()) as { token: string };
  const res = await call('/api/v1/devices?limit=100000', { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new SimulationError(`listing devices at ${base} failed (HTTP ${res.status})`);
  return readDeviceList(await res.json(), `${base}/api/v1/devices`);
}

/** The main the burst scenario's meter is on in the demo city. */
export const BURST_MAIN = 'demo-wm-500103-changjiang-2';

/**
 * What will keep a scenario from raising its alert, judged from the device list: the burst rule
 * combines the meters of one main (asset scope), so a meter that watches no main raises nothing.
 */
export function scenarioProblems(names: readonly ScenarioName[], list: readonly SimDevice[]): string[] {
  const out: string[] = [];
  const meter = list.find((d) => d.id === SCENARIO_DEVICES.burst.id);
  if (names.includes('burst') && meter && meter.assetId === null) {
    out.push(
      `${meter.id} watches no water main (assetId null), so the asset-scoped rule water-main-burst will not see the burst; ` +
        `attach it to ${BURST_MAIN} (PUT /api/v1/devices/${meter.id} with "assetId": "${BURST_MAIN}", see docs/guides/simulate.md)`,
    );
  }
  return out;
}

// ───────────────────────────── connections ─────────────────────────────

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

type Connected = { ok: true; client: MqttClient } | { ok: false; refused: boolean; reason: string };

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET']);

/** Connects once, without retrying: a refused login or an unreachable broker is reported, not retried for ever. */
function connectDevice(url: string, id: string, secret: string): Promise<Connected> {
  return new Promise((resolve) => {
    let settled = false;
    const client = connect(url, {
      clientId: `sim-${id}-${randomBytes(3).toString('hex')}`,
      username: id,
      password: secret,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
      log: () => {},
    });
    const finish = (r: Connected) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.removeListener('connect', onConnect);
      client.removeListener('error', onError);
      client.removeListener('close', onClose);
      if (!r.ok) {
        client.on('error', () => {});
        client.end(true);
      }
      resolve(r);
    };
    const onConnect = () => {
      // Connected once: from now on it reconnects by itself (mqtt.js reads the period when it closes).
      client.options.reconnectPeriod = RECONNECT_MS;
      finish({ ok: true, client });
    };
    const onError = (e: Error & { code?: string | number }) => {
      if (e.code === 5 || e.code === 4 || /not authori[sz]ed|bad user ?name or password/i.test(e.message)) finish({ ok: false, refused: true, reason: 'the broker refused the login (unknown device or wrong secret)' });
      else finish({ ok: false, refused: false, reason: typeof e.code === 'string' ? `${e.code}` : e.message });
    };
    const onClose = () => finish({ ok: false, refused: false, reason: 'the connection closed before the broker answered' });
    const timer = setTimeout(() => finish({ ok: false, refused: false, reason: `no answer within ${CONNECT_TIMEOUT_MS / 1000} s` }), CONNECT_TIMEOUT_MS + 500);
    client.once('connect', onConnect);
    client.once('error', onError);
    client.once('close', onClose);
  });
}

interface Stats {
  sent: number;
  acknowledged: number;
  failed: number;
  skipped: number;
}

/** One device's connection: its stamps never go back, and at most WINDOW messages are unacknowledged. */
class DeviceLink {
  #inflight = 0;
  #lastTs = 0;
  #waiters: (() => void)[] = [];
  #closed = false;
  constructor(
    readonly id: string,
    readonly type: string,
    readonly client: MqttClient,
    readonly stats: Stats,
  ) {}

  get inflight(): number {
    return this.#inflight;
  }

  /** The time to stamp a message with now: the real time, at least 1 ms after the previous stamp. */
  #stamp(): Date {
    const ms = Math.max(Date.now(), this.#lastTs + 1);
    this.#lastTs = ms;
    return new Date(ms);
  }

  /**
   * Publishes a body built at the moment it goes out. `skipIfBusy`: a full window skips it (a
   * background reading; the next one comes soon); otherwise it waits for room.
   */
  async publish(kind: 'telemetry' | 'events', build: (at: Date) => unknown, skipIfBusy: boolean): Promise<boolean> {
    if (this.#closed) return false;
    if (this.#inflight >= WINDOW) {
      if (skipIfBusy) {
        this.stats.skipped++;
        return false;
      }
      while (this.#inflight >= WINDOW && !this.#closed) await new Promise<void>((r) => this.#waiters.push(r));
      if (this.#closed) return false;
    }
    const body = JSON.stringify(build(this.#stamp()));
    this.#inflight++;
    this.stats.sent++;
    this.client.publish(`cityloop/devices/${this.id}/${kind}`, body, { qos: 1 }, (err) => {
      if (this.#closed) return;
      this.#inflight--;
      if (err) this.stats.failed++;
      else this.stats.acknowledged++;
      this.#waiters.shift()?.();
    });
    return true;
  }

  /** Stops counting: what is still unacknowledged is counted failed. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.stats.failed += this.#inflight;
    this.#inflight = 0;
    for (const w of this.#waiters.splice(0)) w();
    this.client.end(true);
  }
}

function say(line: Say): string {
  return `${line.zh} / ${line.en}`;
}

function formatValues(v: Readonly<Record<string, number>>): string {
  return Object.entries(v)
    .map(([k, x]) => `${k}=${x}`)
    .join(' ');
}

// ───────────────────────────── the run ─────────────────────────────

export async function runSimulation(o: SimulationOptions): Promise<SimulationSummary> {
  const log = o.log ?? (() => {});
  const warn = o.warn ?? log;
  const seed = o.seed ?? 1;
  const secretOf = o.secretOf ?? demoDeviceSecret;
  if (!(o.speed > 0) || !Number.isFinite(o.speed)) throw new SimulationError(`speed must be a positive number (got ${o.speed})`, true);
  if (!(o.intervalMs > 0)) throw new SimulationError(`interval must be positive (got ${o.intervalMs} ms)`, true);
  const plan = programme(o.scenarios);
  const scenarioType = new Map(plan.scenarios.map((s) => [SCENARIO_DEVICES[s.name].id, SCENARIO_DEVICES[s.name].type]));
  const typeOf = (id: string) => o.typeOf?.(id) ?? scenarioType.get(id) ?? o.background.find((d) => d.id === id)?.type ?? 'unknown';

  // Every device to connect: background first, then the scenarios' and the replay's.
  const wanted = new Map<string, string>();
  for (const d of o.background) wanted.set(d.id, d.type);
  for (const s of plan.scenarios) for (const id of s.devices) if (!wanted.has(id)) wanted.set(id, typeOf(id));
  if (o.replay && !wanted.has(o.replay.deviceId)) wanted.set(o.replay.deviceId, typeOf(o.replay.deviceId));
  if (wanted.size === 0) throw new SimulationError('nothing to simulate: no devices, no scenario, no replay', true);

  const stats: Stats = { sent: 0, acknowledged: 0, failed: 0, skipped: 0 };
  const links = new Map<string, DeviceLink>();
  const refused: { id: string; reason: string }[] = [];
  const ids = [...wanted.keys()];
  // The first connection tells whether the broker is there at all.
  const first = await connectDevice(o.url, ids[0]!, secretOf(ids[0]!));
  if (!first.ok && !first.refused) throw new SimulationError(`cannot reach the MQTT broker at ${o.url} (${first.reason}): start the platform (npm start) or pass --url`);
  const take = (id: string, r: Connected) => {
    if (r.ok) {
      r.client.on('error', () => {});
      links.set(id, new DeviceLink(id, wanted.get(id)!, r.client, stats));
    } else refused.push({ id, reason: r.reason });
  };
  take(ids[0]!, first);
  for (let i = 1; i < ids.length; i += 16) {
    const batch = ids.slice(i, i + 16);
    const rs = await Promise.all(batch.map((id) => connectDevice(o.url, id, secretOf(id))));
    batch.forEach((id, k) => take(id, rs[k]!));
  }
  for (const r of refused.slice(0, 10)) warn(`device ${r.id}: ${r.reason}`);
  if (refused.length > 10) warn(`… and ${refused.length - 10} more device(s) refused`);
  if (links.size === 0) {
    for (const l of links.values()) l.close();
    throw new SimulationError(`the broker at ${o.url} refused every device: are these the demo city's devices (else pass --secrets)?`);
  }
  if (o.replay && !links.has(o.replay.deviceId)) {
    for (const l of links.values()) l.close();
    throw new SimulationError(`cannot replay as ${o.replay.deviceId}: the broker refused it`);
  }

  // The devices that receive a scenario's commands acknowledge them, as the real signals would.
  const responders: SimulatedDevice[] = [];
  let commands = 0;
  if (o.responders !== false) {
    for (const s of plan.scenarios) {
      for (const id of s.responders) {
        try {
          responders.push(
            await connectSimulatedDevice({
              url: o.url,
              deviceId: id,
              username: id,
              password: secretOf(id),
              onCommand: (c) => {
                commands++;
                log(`${id} ← ${c.name} ${JSON.stringify(c.params)}${c.caseId ? ` (case ${c.caseId})` : ''}`);
              },
            }),
          );
        } catch (e) {
          warn(`${id} (receives the ${s.name} scenario's commands) could not connect: ${(e as Error).message}`);
        }
      }
    }
  }

  const t0 = Date.now();
  const stop = new AbortController();
  // Every background device sleeps on it.
  setMaxListeners(0, stop.signal);
  const onAbort = () => stop.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) stop.abort();
  const deadline = o.durationMs !== null ? setTimeout(() => stop.abort(), o.durationMs) : null;
  const elapsed = () => `+${((Date.now() - t0) / 1000).toFixed(1)}s`.padStart(8);

  const background = o.background.filter((d) => links.has(d.id) && d.id !== o.replay?.deviceId);
  log(
    `${links.size} device(s) connected to ${o.url}` +
      (background.length ? `; ${background.length} streaming every ${o.intervalMs / 1000} s` : '') +
      (plan.scenarios.length ? `; scenario(s) ${plan.scenarios.map((s) => `${s.name} (${s.zh})`).join(', ')} over ${Math.ceil(realOffsetMs(plan.length, o.speed) / 1000)} s at speed ${o.speed}` : '') +
      (o.replay ? `; replaying ${o.replay.series.values.length} ${o.replay.series.metric} value(s) as ${o.replay.deviceId} at ${o.speed} row(s)/s` : ''),
  );

  // A scenario's device reports the scenario's values until its last step.
  const overrides = new Map<string, Readonly<Record<string, number>>>();
  const reading = (link: DeviceLink, at: Date) => ({ ...(normalValues(link, at, seed) ?? {}), ...(overrides.get(link.id) ?? {}) });

  const backgroundTask = Promise.all(
    background.map(async (d, i) => {
      const link = links.get(d.id)!;
      const firstAt = t0 + (i / background.length) * o.intervalMs;
      for (let k = 0; !stop.signal.aborted; k++) {
        await sleep(firstAt + k * o.intervalMs - Date.now(), stop.signal);
        if (stop.signal.aborted) break;
        await link.publish('telemetry', (at) => ({ ts: at.toISOString(), values: reading(link, at) }), true);
      }
    }),
  );

  const playStep = async (step: ScenarioStep): Promise<void> => {
    const link = links.get(step.deviceId);
    if (!link) return;
    if (step.kind === 'camera') {
      await link.publish('events', (at) => cameraPayload(step, at), false);
      if (step.say) log(`${elapsed()} ${step.scenario}: ${say(step.say)}`);
      return;
    }
    overrides.set(step.deviceId, step.values);
    await link.publish('telemetry', (at) => ({ ts: at.toISOString(), values: reading(link, at) }), false);
    if (step.release) overrides.delete(step.deviceId);
    if (step.say) log(`${elapsed()} ${step.scenario}: ${say(step.say)} · ${step.deviceId} ${formatValues(step.values)}`);
  };
  const scenarioTask = (async () => {
    for (const step of plan.steps) {
      await sleep(t0 + realOffsetMs(step.at, o.speed) - Date.now(), stop.signal);
      if (stop.signal.aborted) return;
      await playStep(step);
    }
    if (plan.steps.length) log(`${elapsed()} scenario(s) played${background.length ? '; background streams go on' : ''}`);
  })();

  let replayed = 0;
  const replayTask = (async () => {
    if (!o.replay) return;
    const link = links.get(o.replay.deviceId)!;
    replayed = await playSeries(o.replay.series, {
      rowsPerSecond: o.speed,
      signal: stop.signal,
      sleep,
      send: async (values) => {
        await link.publish('telemetry', (at) => ({ ts: at.toISOString(), values }), false);
      },
      ...(o.onReplayProgress ? { onProgress: o.onReplayProgress } : {}),
    });
  })();

  // Without background streams the run ends when the scenarios and the replay are done.
  Promise.all([scenarioTask, replayTask]).then(
    () => background.length === 0 && stop.abort(),
    () => stop.abort(),
  );
  try {
    const results = await Promise.allSettled([scenarioTask, replayTask, backgroundTask]);
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  } finally {
    if (deadline) clearTimeout(deadline);
    o.signal?.removeEventListener('abort', onAbort);
    // Wait a little for the last acknowledgements, then close.
    const drainUntil = Date.now() + (o.drainMs ?? 5_000);
    while ([...links.values()].some((l) => l.inflight > 0) && Date.now() < drainUntil) await sleep(20);
    for (const l of links.values()) l.close();
    await Promise.all(responders.map((r) => r.close().catch(() => {})));
  }
  return { devices: links.size, refused, sent: stats.sent, acknowledged: stats.acknowledged, failed: stats.failed, skipped: stats.skipped, commands, replayed, elapsedMs: Date.now() - t0 };
}

/** One line for the console. */
export function formatSummary(s: SimulationSummary): string {
  return (
    `${s.devices} device(s) in ${formatDuration(Math.max(1000, Math.round(s.elapsedMs / 1000) * 1000))}: ${s.sent} message(s) sent, ${s.acknowledged} acknowledged, ${s.failed} failed` +
    (s.skipped ? `, ${s.skipped} skipped (device busy)` : '') +
    (s.replayed ? `; ${s.replayed} row(s) replayed` : '') +
    (s.commands ? `; ${s.commands} command(s) received by the simulated signals` : '') +
    (s.refused.length ? `; ${s.refused.length} device(s) refused by the broker` : '')
  );
}

// ───────────────────────────── the command ─────────────────────────────

/** The options of `cityloop simulate` as commander hands them over (strings). */
export interface SimulateCommandOptions {
  readonly url?: string;
  readonly api?: string;
  readonly user: string;
  readonly devicesFile?: string;
  readonly secrets?: string;
  readonly devices?: string;
  readonly interval: string;
  readonly scenario?: string;
  readonly speed: string;
  readonly duration?: string;
  readonly replay?: string;
  readonly device?: string;
  readonly column?: string;
  readonly metric?: string;
  readonly seed: string;
}

export interface SimulateIo {
  readonly log: (line: string) => void;
  readonly warn: (line: string) => void;
  readonly signal?: AbortSignal;
  readonly progress?: (done: number, total: number) => void;
  readonly env?: NodeJS.ProcessEnv;
}

const usage = (m: string) => new SimulationError(m, true);

function numberOption(name: string, text: string, ok: (n: number) => boolean, what: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !ok(n)) throw usage(`${name} must be ${what} (got ${JSON.stringify(text)})`);
  return n;
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new SimulationError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SimulationError(`${file} is not JSON: ${(e as Error).message}`);
  }
}

/** Checks the options, gathers devices (API or file), secrets and the series, and runs. */
export async function simulateCommand(opts: SimulateCommandOptions, io: SimulateIo): Promise<SimulationSummary> {
  const env = io.env ?? process.env;
  // Options first: a typo is exit 2 before anything connects.
  const speed = numberOption('--speed', opts.speed, (n) => n > 0 && n <= 100_000, 'a number above 0 and at most 100000');
  const interval = numberOption('--interval', opts.interval, (n) => n >= 0.1 && n <= 86_400, 'a number of seconds from 0.1 to 86400');
  const seed = numberOption('--seed', opts.seed, (n) => Number.isInteger(n), 'an integer');
  let count: number | null = null;
  if (opts.devices !== undefined) count = numberOption('--devices', opts.devices, (n) => Number.isInteger(n) && n >= 0 && n <= 100_000, 'a whole number from 0 to 100000');
  // Replaying alone is the usual wish: no background then unless --devices asks for it.
  count ??= opts.replay ? 0 : 50;
  let duration: number | null = null;
  if (opts.duration !== undefined) {
    duration = parseDurationText(opts.duration);
    if (duration === null) throw usage(`--duration must be a duration like 90s, 10m, 1h30m or a number of seconds (got ${JSON.stringify(opts.duration)})`);
  }
  let names: ScenarioName[] = [];
  if (opts.scenario !== undefined) {
    try {
      names = parseScenarioNames(opts.scenario);
    } catch (e) {
      throw usage((e as Error).message);
    }
  }
  const url = opts.url ?? env.MQTT_URL ?? `mqtt://127.0.0.1:${env.MQTT_PORT && env.MQTT_PORT !== 'off' ? env.MQTT_PORT : '1883'}`;
  if (!/^mqtts?:\/\/[^/\s]+/.test(url)) throw usage(`--url must be an mqtt:// or mqtts:// address (got ${JSON.stringify(url)})`);
  const api = opts.api ?? `http://localhost:${env.PORT ?? '8080'}`;
  if (!/^https?:\/\/[^/\s]+/.test(api)) throw usage(`--api must be an http:// or https:// address (got ${JSON.stringify(api)})`);
  if ((opts.column !== undefined || opts.metric !== undefined || opts.device !== undefined) && opts.replay === undefined) throw usage('--device, --column and --metric go with --replay <file.csv>');
  if (count === 0 && names.length === 0 && opts.replay === undefined) throw usage('nothing to simulate: --devices 0 with no --scenario and no --replay');
  if (speed < 0.5 && names.includes('burst')) io.warn(`at speed ${speed} the burst's fall takes over 50 s of real time: the 60-second burst rule may not see it`);

  const secrets = opts.secrets ? readSecrets(await readJson(opts.secrets, 'secrets file'), opts.secrets) : {};
  let series: CsvSeries | undefined;
  if (opts.replay) {
    let text: string;
    try {
      text = await readFile(opts.replay, 'utf8');
    } catch (e) {
      throw new SimulationError(`cannot read ${opts.replay}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      series = parseCsvSeries(text, { ...(opts.column !== undefined ? { column: opts.column } : {}), ...(opts.metric !== undefined ? { metric: opts.metric } : {}) });
    } catch (e) {
      if (e instanceof CsvSeriesError) throw usage(`${opts.replay}: ${e.message}`);
      throw e;
    }
  }

  // The device list: needed for background streams and to find the air-quality device of a replay.
  let list: SimDevice[] | null = null;
  if (opts.devicesFile) list = readDeviceList(await readJson(opts.devicesFile, 'devices file'), opts.devicesFile);
  else if (count > 0) list = await fetchDeviceList(api, opts.user, env.CITYLOOP_PASSWORD ?? DEMO_PASSWORD);
  else if (series) {
    // To find the air-quality device, or to check that the one named measures the series' metric.
    try {
      list = await fetchDeviceList(api, opts.user, env.CITYLOOP_PASSWORD ?? DEMO_PASSWORD);
    } catch (e) {
      if (!opts.device) throw usage(`--device is required with --replay when the device list is not at hand (${(e as Error).message})`);
      io.warn(`cannot check ${opts.device} against the platform's devices (${(e as Error).message}); replaying anyway`);
    }
  }
  const types = new Map((list ?? []).map((d) => [d.id, d.type]));

  // Scenarios whose device the platform does not have are left out (a demo city of a few districts).
  if (list) {
    const missing = names.filter((n) => !types.has(SCENARIO_DEVICES[n].id));
    for (const n of missing) io.warn(`scenario ${n} left out: the platform has no device ${SCENARIO_DEVICES[n].id} (a demo city loaded with --districts?)`);
    names = names.filter((n) => !missing.includes(n));
    for (const p of scenarioProblems(names, list)) io.warn(p);
    if (opts.scenario !== undefined && names.length === 0 && count === 0 && !series) throw new SimulationError('none of the scenarios\' devices is on the platform: nothing to play');
  }

  let replay: { series: CsvSeries; deviceId: string } | undefined;
  if (series) {
    let deviceId = opts.device;
    if (!deviceId) {
      deviceId = (list ?? []).filter((d) => d.type === 'air_quality').sort((a, b) => a.id.localeCompare(b.id))[0]?.id;
      if (!deviceId) throw usage('--device is required with --replay: the platform has no air-quality device to replay as');
    }
    const type = types.get(deviceId);
    if (list && type === undefined) throw usage(`--device ${deviceId}: no such device on the platform`);
    const metrics = type ? DEVICE_TYPES.find((t) => t.type === type)?.metrics : undefined;
    if (metrics) {
      const m = metrics.find((x) => x.name === series.metric);
      if (!m) throw usage(`${deviceId} is a ${type}, which does not measure ${series.metric} (it measures ${metrics.map((x) => x.name).join(', ')}): pass --metric or another --device`);
      const bad = series.values.filter((v) => v < m.min || v > m.max).length;
      if (bad > 0) io.warn(`${bad} value(s) of ${series.metric} lie outside the instrument's range ${m.min}…${m.max} ${m.unit}: the platform will refuse them (dead letters)`);
    }
    replay = { series, deviceId };
    io.log(`replaying ${series.values.length} value(s) of column ${series.column} as ${series.metric}${series.from ? ` (recorded ${series.from} … ${series.to}; the original times give the order only, readings are stamped now)` : ''}${series.skipped ? `; ${series.skipped} row(s) without a number skipped` : ''}`);
  }

  const background = list ? selectDevices(list, count) : [];
  if (count > 0 && list && background.length === 0) io.warn('the device list has no device with a stream (water gauges, pressure meters, fire, gas, bridge, traffic, air quality)');
  // A scenario's own device streams too, so it does not fall silent (and offline) afterwards.
  if (background.length > 0) {
    for (const n of names) {
      const d = SCENARIO_DEVICES[n];
      if (hasStream(d.type) && !background.some((b) => b.id === d.id)) background.push({ id: d.id, type: d.type });
    }
  }
  if (background.length === 0 && names.length === 0 && !replay) throw new SimulationError('nothing to simulate');

  return runSimulation({
    url,
    background,
    scenarios: names,
    speed,
    intervalMs: interval * 1000,
    durationMs: duration,
    seed,
    secretOf: (id) => secrets[id] ?? demoDeviceSecret(id),
    typeOf: (id) => types.get(id),
    replay,
    log: io.log,
    warn: io.warn,
    ...(io.signal ? { signal: io.signal } : {}),
    ...(io.progress ? { onReplayProgress: io.progress } : {}),
  });
}
