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
 *
 * The simulator's files: simulation-inputs.ts (devices, secrets, durations), device-link.ts (one
 * device's connection), simulation-run.ts (the run and its summary), this file (the command, and
 * the simulator's public names for the CLI and tests).
 */
import { readFile } from 'node:fs/promises';
import { demoDeviceSecret } from '../../cities/chongqing/demo/demo-devices.ts';
import { DEVICE_TYPES } from '../../src/sensing/devices/device-types.ts';
import { DEMO_PASSWORD } from '../../cities/chongqing/demo/demo-city.ts';
import { hasStream } from './streams.ts';
import { parseScenarioNames, SCENARIO_DEVICES, type ScenarioName } from './scenarios.ts';
import { CsvSeriesError, parseCsvSeries, type CsvSeries } from './replay.ts';
import { fetchDeviceList, parseDurationText, readDeviceList, readSecrets, scenarioProblems, selectDevices, SimulationError, type SimDevice } from './simulation-inputs.ts';
import { runSimulation, type SimulationSummary } from './simulation-run.ts';

// The simulator's public names, for the CLI and the tests, in one place.
export { BURST_MAIN, fetchDeviceList, parseDurationText, readDeviceList, readSecrets, scenarioProblems, selectDevices, SimulationError, type SimDevice } from './simulation-inputs.ts';
export { formatSummary, runSimulation, type SimulationOptions, type SimulationSummary } from './simulation-run.ts';
export { WINDOW } from './device-link.ts';

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
