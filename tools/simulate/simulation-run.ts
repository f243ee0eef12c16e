/**
 * The run of a simulation: background streams, scenarios and a replay over the devices' links,
 * until the duration, the end of what there is to play, or a stop; then the summary.
 */
import { setMaxListeners } from 'node:events';
import { demoDeviceSecret } from '../../cities/chongqing/demo/demo-devices.ts';
import { formatDuration } from '../../src/sensing/rules/rule-definition.ts';
import { connectSimulatedDevice, type SimulatedDevice } from '../../src/actions/simulated-device.ts';
import { connectDevice, DeviceLink, sleep, type Connected, type Stats } from './device-link.ts';
import { normalValues } from './streams.ts';
import { cameraPayload, programme, realOffsetMs, SCENARIO_DEVICES, type ScenarioName, type ScenarioStep, type Say } from './scenarios.ts';
import { playSeries, type CsvSeries } from './replay.ts';
import { SimulationError, type SimDevice } from './simulation-inputs.ts';

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
