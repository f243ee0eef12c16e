import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestPlatform, type TestPlatform } from '../../test/support/test-platform.ts';
import { ManualClock } from '../../src/clock.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/actions/mqtt/embedded-broker.ts';
import { DEMO_PASSWORD } from '../../cities/chongqing/demo/demo-city.ts';
import { runCli } from '../../src/cli/main.ts';
import { NORMAL_ENVELOPE } from './streams.ts';
import { parseCsvSeries } from './replay.ts';
import { BURST_MAIN, fetchDeviceList, parseDurationText, readDeviceList, readSecrets, runSimulation, scenarioProblems, selectDevices, simulateCommand, SimulationError, type SimDevice } from './simulator.ts';

async function until<T>(f: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const quiet = { log: () => {}, warn: () => {} };

describe('simulator inputs', () => {
  it('takes devices by type in turn, so a small fleet has every kind', () => {
    const list: SimDevice[] = [
      ...Array.from({ length: 5 }, (_, i) => ({ id: `pressure-${i}`, type: 'water_pressure' })),
      { id: 'gauge-b', type: 'water_gauge' },
      { id: 'gauge-a', type: 'water_gauge' },
      { id: 'cam-1', type: 'camera' },
      { id: 'signal-1', type: 'traffic_signal' },
      { id: 'fire-1', type: 'fire_detector' },
      { id: 'x-1', type: 'city_own_type' },
    ];
    expect(selectDevices(list, 4).map((d) => d.id)).toEqual(['gauge-a', 'pressure-0', 'fire-1', 'gauge-b']);
    expect(selectDevices(list, 100).map((d) => d.id)).toHaveLength(8); // cameras, signals and unknown types send no readings
    expect(selectDevices(list, 0)).toEqual([]);
  });

  it('reads durations, device lists and secrets files', () => {
    expect(parseDurationText('10m')).toBe(600_000);
    expect(parseDurationText('1h30m')).toBe(5_400_000);
    expect(parseDurationText('45')).toBe(45_000);
    expect(parseDurationText('0.5')).toBe(500);
    expect(parseDurationText('soon')).toBeNull();
    expect(parseDurationText('0s')).toBeNull();
    expect(readDeviceList({ items: [{ id: 'a', type: 'gas_detector', status: 'active' }, { id: 'b', type: 'gas_detector', status: 'disabled' }] }, 'f')).toEqual([{ id: 'a', type: 'gas_detector' }]);
    expect(readDeviceList([{ id: 'a', type: 'water_gauge' }], 'f')).toEqual([{ id: 'a', type: 'water_gauge' }]);
    expect(readDeviceList([{ id: 'a', type: 'water_pressure', assetId: null }], 'f')).toEqual([{ id: 'a', type: 'water_pressure', assetId: null }]);
    expect(() => readDeviceList({ devices: [] }, 'f.json')).toThrow(/f.json: expected an array/);
    expect(readSecrets({ a: 's1' }, 'f')).toEqual({ a: 's1' });
    expect(() => readSecrets({ a: 1 }, 'f')).toThrow(/secret of a/);
  });

  it('warns when the burst meter watches no main (the asset-scoped burst rule would not see it)', () => {
    const meter = (assetId: string | null): SimDevice[] => [{ id: 'pressure-yz-01', type: 'water_pressure', assetId }];
    expect(scenarioProblems(['burst'], meter(null))[0]).toMatch(/pressure-yz-01 watches no water main.*PUT \/api\/v1\/devices\/pressure-yz-01 with "assetId": "demo-wm-500103-changjiang-2"/);
    expect(scenarioProblems(['burst'], meter(BURST_MAIN))).toEqual([]);
    expect(scenarioProblems(['underpass'], meter(null))).toEqual([]);
  });

  it('refuses bad options as usage errors before connecting anything', async () => {
    const base = { user: 'admin', interval: '10', speed: '1', seed: '1', devices: '0', scenario: 'burst' };
    const usage = async (o: Partial<typeof base> & Record<string, string>) => {
      const e = await simulateCommand({ ...base, ...o }, quiet).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(SimulationError);
      expect((e as SimulationError).usage).toBe(true);
      return (e as Error).message;
    };
    expect(await usage({ speed: '0' })).toMatch(/--speed must be a number above 0/);
    expect(await usage({ speed: 'fast' })).toMatch(/--speed/);
    expect(await usage({ interval: '0' })).toMatch(/--interval/);
    expect(await usage({ devices: '-1' })).toMatch(/--devices must be a whole number/);
    expect(await usage({ scenario: 'flood' })).toMatch(/unknown scenario "flood"/);
    expect(await usage({ duration: 'soon' })).toMatch(/--duration must be a duration/);
    expect(await usage({ url: 'http://localhost:1883' })).toMatch(/--url must be an mqtt:\/\//);
    expect(await usage({ device: 'aq-1' })).toMatch(/go with --replay/);
    expect(await usage({ scenario: undefined as unknown as string })).toMatch(/nothing to simulate/);
  });

  it('exits 2 on wrong usage and 1 when the broker cannot be reached, with a clear message', async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => void errors.push(a.join(' '));
    try {
      expect(await runCli(['node', 'cityloop', 'simulate', '--speed', '0', '--devices', '0', '--scenario', 'all'])).toBe(2);
      expect(await runCli(['node', 'cityloop', 'simulate', '--scenario', 'truck', '--devices', '0', '--url', 'mqtt://127.0.0.1:9'])).toBe(1);
      const dir = mkdtempSync(join(tmpdir(), 'cityloop-sim-'));
      try {
        writeFileSync(join(dir, 's.csv'), 'time,pm25_mg_m3\n2021-01-01T00:00:00Z,0.05\n');
        // Without --device the replay needs the device list, and the API is not there.
        expect(await runCli(['node', 'cityloop', 'simulate', '--replay', join(dir, 's.csv'), '--api', 'http://127.0.0.1:9'])).toBe(2);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      console.error = original;
    }
    expect(errors[0]).toMatch(/--speed must be a number above 0/);
    expect(errors[1]).toMatch(/cannot reach the MQTT broker at mqtt:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/);
    expect(errors[2]).toMatch(/--device is required with --replay/);
  });
});

describe('the simulator against the platform', () => {
  let broker: EmbeddedBroker;
  let tp: TestPlatform;
  let api: string;

  beforeAll(async () => {
    broker = await startEmbeddedBroker({ port: 0, gated: true });
    // Readings carry the real time: the platform's clock starts at the real time too.
    tp = await openTestPlatform('sqlite', { clock: new ManualClock(new Date()), mqttUrl: broker.url, mqttCredentials: broker.platformCredentials });
    broker.setGate(tp.platform.sensing.gate());
    await tp.app.listen({ port: 0, host: '127.0.0.1' });
    api = `http://127.0.0.1:${(tp.app.server.address() as AddressInfo).port}`;
  }, 120_000);
  afterAll(async () => {
    await tp?.close();
    await broker?.close();
  });

  it('plays the flooded underpass through the real broker: the gauge alert goes up, the signals turn red, the alert clears', async () => {
    const list = await fetchDeviceList(api, 'admin', DEMO_PASSWORD);
    expect(list.some((d) => d.id === 'gauge-nankai-01')).toBe(true);
    const background = selectDevices(list, 8);
    expect(new Set(background.map((d) => d.type)).size).toBeGreaterThanOrEqual(4);
    const lines: string[] = [];
    const run = runSimulation({ url: broker.url, background, scenarios: ['underpass'], speed: 200, intervalMs: 500, durationMs: 8_000, log: (l) => lines.push(l) });
    const alert = await until(async () => (await tp.platform.sensing.alerts.activeAlerts()).find((a) => a.deviceId === 'gauge-nankai-01' && a.ruleId === 'underpass-water-level'), 15_000);
    expect(alert).toMatchObject({ severity: 'yellow', trusted: true, districtCode: '500106' });
    const summary = await run;
    expect(summary.failed).toBe(0);
    expect(summary.acknowledged).toBe(summary.sent);
    expect(summary.refused).toEqual([]);
    expect(summary.devices).toBe(new Set([...background.map((d) => d.id), 'gauge-nankai-01']).size);
    // 1200 scenario seconds at speed 200: 49 gauge readings in 6 s; the background every 0.5 s for 8 s.
    expect(summary.sent).toBeGreaterThanOrEqual(49 + 8 * 14);
    // The plan commanded the two signals at the underpass; the simulator played them.
    expect(summary.commands).toBeGreaterThanOrEqual(2);
    expect(lines.some((l) => /signal-nankai-n ← set_phase \{"phase":"red"\}/.test(l))).toBe(true);
    expect(lines.some((l) => /超过 0\.5 米限值/.test(l))).toBe(true);
    // Receded under 0.4 m: cleared.
    expect((await tp.platform.sensing.alerts.activeAlerts()).some((a) => a.id === alert.id)).toBe(false);
    const gauge = await tp.platform.sensing.readings('gauge-nankai-01', {});
    expect(Math.max(...gauge.map((r) => r.values.water_level!))).toBeGreaterThan(0.65);
    // Background readings arrived, inside the normal envelope.
    for (const d of background) {
      const rs = await tp.platform.sensing.readings(d.id, {});
      expect(rs.length, d.id).toBeGreaterThan(5);
      for (const [metric, v] of Object.entries(rs[0]!.values)) {
        const [lo, hi] = NORMAL_ENVELOPE[d.type]![metric]!;
        expect(v >= lo && v <= hi, `${d.id} ${metric}=${v}`).toBe(true);
      }
    }
  }, 60_000);

  it('plays the burst on the 长江二路 trunk main: water-main-burst goes up on the main, and clears when the pressure returns', async () => {
    const admin = await tp.signIn('admin');
    const meter = (await tp.app.inject({ method: 'GET', url: '/api/v1/devices/pressure-yz-01', headers: { authorization: `Bearer ${admin}` } })).json();
    // The demo meter watches the DN800 main it stands beside (matched to the main's segments).
    expect(meter.assetId).toBe(BURST_MAIN);
    const run = runSimulation({ url: broker.url, background: [], scenarios: ['burst'], speed: 40, intervalMs: 10_000, durationMs: null });
    const burst = await until(async () => (await tp.platform.sensing.alerts.activeAlerts()).find((a) => a.ruleId === 'water-main-burst'), 15_000);
    expect(burst).toMatchObject({ assetId: BURST_MAIN, severity: 'orange', categoryCode: 'municipal.water.burst', trusted: false });
    const summary = await run;
    expect(summary).toMatchObject({ failed: 0, refused: [] });
    expect(summary.acknowledged).toBe(summary.sent);
    expect((await tp.platform.sensing.alerts.activeAlerts()).some((a) => a.id === burst.id)).toBe(false);
  }, 60_000);

  it('replays a series as one device, in order, stamped now', async () => {
    // The last gas detector by id: the first ones streamed in the test before.
    const gas = (await fetchDeviceList(api, 'admin', DEMO_PASSWORD)).filter((d) => d.type === 'gas_detector').sort((a, b) => a.id.localeCompare(b.id)).pop()!;
    const series = parseCsvSeries('time,station,gas_lel\n2021-01-01T02:00:00Z,7,1.3\n2021-01-01T00:00:00Z,7,0.4\n2021-01-01T01:00:00Z,7,0.9\n');
    expect(series.metric).toBe('gas');
    const progress: number[] = [];
    const before = Date.now();
    const summary = await runSimulation({ url: broker.url, background: [], scenarios: [], speed: 20, intervalMs: 10_000, durationMs: null, replay: { series, deviceId: gas.id }, onReplayProgress: (d) => progress.push(d) });
    expect(summary).toMatchObject({ sent: 3, acknowledged: 3, failed: 0, replayed: 3 });
    expect(progress).toEqual([0, 1, 2, 3]);
    const rs = (await tp.platform.sensing.readings(gas.id, {})).filter((r) => Date.parse(r.ts) >= before);
    expect(rs.map((r) => r.values.gas).sort()).toEqual([0.4, 0.9, 1.3]);
    expect([...rs].sort((a, b) => a.ts.localeCompare(b.ts)).map((r) => r.values.gas)).toEqual([0.4, 0.9, 1.3]);
  }, 30_000);

  it('reports devices the broker refuses, and fails when it refuses every one', async () => {
    const e = await runSimulation({ url: broker.url, background: [{ id: 'gas-nowhere-99', type: 'gas_detector' }], scenarios: [], speed: 1, intervalMs: 1000, durationMs: 500 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SimulationError);
    expect((e as SimulationError).usage).toBe(false);
    expect((e as Error).message).toMatch(/refused every device/);
  });
});
