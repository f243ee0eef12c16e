/**
 * `cityloop bench ingest`: readings per second end to end — MQTT publish (QoS 1) → the embedded
 * broker's gate (device credentials, topic rights) → the ingest pipeline (rules evaluated, one
 * transaction per batch: readings, rule states, alerts) → PUBACK — with no alerts and with 1 % of
 * readings raising one (and the next clearing it); the latency from publish to the alert raised
 * (committed and on the live feed); and, as the ceiling, the plain broker's publish→subscribe rate
 * with the same load. The load comes from a second process (bench/ingest-load.mjs) so that it has
 * the other core; the platform, its broker and the store share this one, as under `npm start`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connectAsync } from 'mqtt';
import { readSettings } from '../src/config.ts';
import { openPlatform, type Platform } from '../src/platform.ts';
import { resetDemoCity } from '../cities/chongqing/demo/demo-city.ts';
import { startEmbeddedBroker } from '../src/actions/mqtt/embedded-broker.ts';
import { SYSTEM_PRINCIPAL } from '../src/auth/principal.ts';

const LOAD = fileURLToPath(new URL('./ingest-load.mjs', import.meta.url));

export interface IngestBenchResult {
  readingsPerSecond: number;
  readingsPerSecondWithAlerts: number;
  brokerMessagesPerSecond: number;
  alertLatencyMs: { p50: number; p99: number };
  alertsMeasured: number;
  /** The rate while the latency was measured (one reading in flight per device). */
  pacedReadingsPerSecond: number;
  alertLatencyMsAtFullLoad: { p50: number; p99: number };
  devices: number;
  inFlightPerDevice: number;
  shareOfBroker: number;
  store: string;
}

const BENCH_RULE = `
id: bench-level
name: 基准测试水位超限
description: bench ingest — a threshold with hysteresis on the bench gauges
deviceTypes: [bench_gauge]
scope: device
category: null
trusted: false
params: { limit_m: 0.5, clear_m: 0.4 }
condition:
  threshold: { metric: water_level, above: $limit_m, clearBelow: $clear_m }
severity: yellow
`;

function nearestRank(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

async function runLoad(cfg: Record<string, unknown>, dir: string, name: string): Promise<{ acked: number; failed: number; seconds: number; raises: [string, string, number][] }> {
  const inFile = join(dir, `${name}-in.json`);
  const outFile = join(dir, `${name}-out.json`);
  writeFileSync(inFile, JSON.stringify(cfg));
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [LOAD, inFile, outFile], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`load generator exited with ${code}`))));
  });
  return JSON.parse(readFileSync(outFile, 'utf8')) as never;
}

export async function runIngestBench(opts: { seconds: number; log: (m: string) => void; devices?: number; window?: number }): Promise<IngestBenchResult> {
  const devices = opts.devices ?? 200;
  const window = opts.window ?? Number(process.env.BENCH_WINDOW ?? 16);
  const warmupSeconds = 2;
  const dir = mkdtempSync(join(tmpdir(), 'cityloop-bench-ingest-'));
  let platform: Platform | null = null;
  try {
    // The ceiling: a plain broker (no gate, no pipeline), the same publishers, one subscriber here.
    opts.log('ingest: plain broker publish→subscribe …');
    const plain = await startEmbeddedBroker({ port: 0 });
    const sub = await connectAsync(plain.url, { clientId: 'bench-sub', log: () => {} });
    let received = 0;
    sub.on('message', () => void (received += 1));
    await sub.subscribeAsync('bench/#', { qos: 1 });
    const plainDevices = Array.from({ length: devices }, (_, i) => ({ id: `p${i}`, secret: null }));
    const t0 = { at: 0, n: 0 };
    const timer = setTimeout(() => Object.assign(t0, { at: performance.now(), n: received }), warmupSeconds * 1000);
    const plainRun = await runLoad({ url: plain.url, devices: plainDevices, topic: 'plain', seconds: opts.seconds, warmupSeconds, window, alertShare: 0 }, dir, 'plain');
    clearTimeout(timer);
    await sub.endAsync();
    await plain.close();
    const brokerMessagesPerSecond = Math.min(plainRun.acked / plainRun.seconds, t0.at ? received / ((performance.now() - t0.at) / 1000) : Infinity);

    opts.log('ingest: opening a platform (SQLite) with the demo district 渝中 and the bench devices …');
    const settings = { ...readSettings({}), dataDir: dir, demo: false, databaseUrl: undefined, logLevel: 'silent' };
    const broker = await startEmbeddedBroker({ port: 0, gated: true });
    platform = await openPlatform(settings, { mqttUrl: broker.url, mqttCredentials: broker.platformCredentials, classifier: null });
    await resetDemoCity(platform.store, { districts: ['500103'] });
    await platform.reload();
    await platform.rules.save(BENCH_RULE, 'bench');
    await platform.reload();
    const csv = ['id,type,name,lon,lat', ...Array.from({ length: devices }, (_, i) => `bench-${i},bench_gauge,基准测试水位计${i},${(106.55 + (i % 50) * 0.0008).toFixed(5)},${(29.555 + Math.floor(i / 50) * 0.0008).toFixed(5)}`)].join('\n');
    const imported = await platform.sensing.devices.importFile(csv, 'csv', {}, { actor: SYSTEM_PRINCIPAL });
    if (imported.errors.length) throw new Error(`bench devices refused: ${JSON.stringify(imported.errors.slice(0, 3))}`);
    const secrets = new Map(imported.secrets.map((s) => [s.id, s.secret]));
    const benchDevices = Array.from({ length: devices }, (_, i) => ({ id: `bench-${i}`, secret: secrets.get(`bench-${i}`)! }));
    broker.setGate(platform.sensing.gate());

    opts.log('ingest: readings with no alerts …');
    const quiet = await runLoad({ url: broker.url, devices: benchDevices, topic: 'telemetry', seconds: opts.seconds, warmupSeconds, window, alertShare: 0 }, dir, 'quiet');

    opts.log('ingest: readings with 1 % raising alerts …');
    const raisedAt = new Map<string, number>();
    const unsubscribe = platform.bus.subscribeAlerts((c) => {
      const at = performance.timeOrigin + performance.now();
      for (const e of c.events) if (e.type === 'AlertRaised' && c.alert.deviceId) raisedAt.set(`${c.alert.deviceId}|${c.alert.firstAt}`, at);
    });
    const loud = await runLoad({ url: broker.url, devices: benchDevices, topic: 'telemetry', seconds: opts.seconds, warmupSeconds, window, alertShare: 0.01, seed: 7 }, dir, 'loud');
    // Latency is a matter of queueing: at full load (every device keeping `window` readings in
    // flight) a reading waits behind thousands of others. Measured twice: at full load, and with
    // one reading in flight per device (the platform still busy, at a rate real devices send).
    opts.log('ingest: alert latency with one reading in flight per device …');
    const paced = await runLoad({ url: broker.url, devices: benchDevices, topic: 'telemetry', seconds: opts.seconds, warmupSeconds, window: 1, alertShare: 0.01, seed: 11 }, dir, 'paced');
    unsubscribe();
    const latenciesOf = (raises: [string, string, number][]) =>
      raises
        .map(([id, ts, sent]) => {
          const at = raisedAt.get(`${id}|${ts}`);
          return at === undefined ? null : at - sent;
        })
        .filter((x): x is number => x !== null)
        .sort((a, b) => a - b);
    const latencies = latenciesOf(paced.raises);
    const fullLoad = latenciesOf(loud.raises);
    await platform.close();
    platform = null;
    await broker.close();
    const readingsPerSecond = Math.round(quiet.acked / quiet.seconds);
    return {
      readingsPerSecond,
      readingsPerSecondWithAlerts: Math.round(loud.acked / loud.seconds),
      brokerMessagesPerSecond: Math.round(brokerMessagesPerSecond),
      alertLatencyMs: { p50: Math.round(nearestRank(latencies, 0.5) * 10) / 10, p99: Math.round(nearestRank(latencies, 0.99) * 10) / 10 },
      alertsMeasured: latencies.length,
      pacedReadingsPerSecond: Math.round(paced.acked / paced.seconds),
      alertLatencyMsAtFullLoad: { p50: Math.round(nearestRank(fullLoad, 0.5) * 10) / 10, p99: Math.round(nearestRank(fullLoad, 0.99) * 10) / 10 },
      devices,
      inFlightPerDevice: window,
      shareOfBroker: Math.round((readingsPerSecond / brokerMessagesPerSecond) * 1000) / 1000,
      store: 'sqlite',
    };
  } finally {
    await platform?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
