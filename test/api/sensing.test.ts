/**
 * Sensing end to end: devices and their credentials on the embedded broker, telemetry over MQTT
 * and HTTP, dead letters, rules driven by readings and by the clock, alerts and their lifecycle,
 * the underpass gauge turning the signals red through its plan with no human step, restarts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAsync, type MqttClient } from 'mqtt';
import { until } from '../support/until.ts';
import { openGatedTestPlatform, DIALECTS, type TestPlatform } from '../support/test-platform.ts';
import { ManualClock } from '../../src/clock.ts';
import type { EmbeddedBroker } from '../../src/actions/mqtt/embedded-broker.ts';
import { connectSimulatedDevice } from '../../src/actions/simulated-device.ts';
import { demoDeviceSecret } from '../../cities/chongqing/demo/demo-devices.ts';
import type { AlertDoc } from '../../src/sensing/alerts/alert-model.ts';

const GAUGE = 'gauge-nankai-01';


async function deviceClient(broker: EmbeddedBroker, id: string, secret = demoDeviceSecret(id)): Promise<MqttClient> {
  return connectAsync(broker.url, { clientId: `t-${id}-${Math.random().toString(36).slice(2, 8)}`, username: id, password: secret, reconnectPeriod: 0, log: () => {} });
}

describe.each(DIALECTS)('sensing on %s', (dialect) => {
  let tp: TestPlatform;
  let broker: EmbeddedBroker;
  let clock: ManualClock;
  let admin: string;
  const inject = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: string | null, payload?: unknown, headers: Record<string, string> = {}) =>
    tp.app.inject({ method, url, ...(payload !== undefined ? { payload: payload as never } : {}), headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });

  let gated: Awaited<ReturnType<typeof openGatedTestPlatform>>;
  beforeAll(async () => {
    clock = new ManualClock(new Date());
    gated = await openGatedTestPlatform(dialect, clock);
    ({ tp, broker } = gated);
    admin = await tp.signIn('admin');
  }, 120_000);
  afterAll(async () => {
    await gated?.close();
  });

  it('seeds the demo devices with their place, asset and owner', async () => {
    const d = tp.platform.sensing.devices.get(GAUGE);
    expect(d).toMatchObject({ type: 'water_gauge', districtCode: '500106', assetId: 'demo-underpass-nankai', hasCredentials: true });
    // The burst meter watches the DN800 trunk main it stands beside (hundreds of metres from any vertex of it).
    expect(tp.platform.sensing.devices.get('pressure-yz-01')).toMatchObject({ type: 'water_pressure', assetId: 'demo-wm-500103-changjiang-2' });
    const res = await inject('GET', '/api/v1/devices?type=water_gauge', admin);
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((x: { id: string }) => x.id)).toContain(GAUGE);
    // A district operator elsewhere does not see 沙坪坝's devices.
    const yz = await tp.signIn('yuzhong.operator');
    const seen = (await inject('GET', '/api/v1/devices?type=water_gauge', yz)).json().items.map((x: { id: string }) => x.id);
    expect(seen).not.toContain(GAUGE);
  });

  it('lists the devices in a box (the map\'s view) and says when a list was cut short', async () => {
    const meter = tp.platform.sensing.devices.get('pressure-yz-01')!;
    const gauge = tp.platform.sensing.devices.get(GAUGE)!;
    const box = [meter.lon - 0.01, meter.lat - 0.01, meter.lon + 0.01, meter.lat + 0.01].join(',');
    const inBox = await inject('GET', `/api/v1/devices?bbox=${box}`, admin);
    expect(inBox.statusCode).toBe(200);
    const ids = inBox.json().items.map((x: { id: string }) => x.id);
    expect(ids).toContain('pressure-yz-01');
    expect(ids).not.toContain(GAUGE);
    for (const x of inBox.json().items as { location: { lon: number; lat: number } }[]) {
      expect(Math.abs(x.location.lon - meter.lon)).toBeLessThanOrEqual(0.01);
      expect(Math.abs(x.location.lat - meter.lat)).toBeLessThanOrEqual(0.01);
    }
    expect(inBox.json().truncated).toBe(false);
    // The box narrows what the caller may see; it never widens it.
    const yz = await tp.signIn('yuzhong.operator');
    const around = [gauge.lon - 0.01, gauge.lat - 0.01, gauge.lon + 0.01, gauge.lat + 0.01].join(',');
    expect((await inject('GET', `/api/v1/devices?bbox=${around}`, yz)).json().items.map((x: { id: string }) => x.id)).not.toContain(GAUGE);
    const cut = await inject('GET', '/api/v1/devices?limit=1', admin);
    expect(cut.json().items).toHaveLength(1);
    expect(cut.json().truncated).toBe(true);
    for (const bad of ['106.5,29.5,106.6', '106.6,29.5,106.5,29.6', 'x,29.5,106.6,29.6', '106.5,29.5,200,29.6']) {
      const r = await inject('GET', `/api/v1/devices?bbox=${encodeURIComponent(bad)}`, admin);
      expect(r.statusCode, bad).toBe(400);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json().detail).toMatch(/bbox /);
    }
  });

  it('registers a device over the API, shows its secret once and lets it log in with it only', async () => {
    const res = await inject('POST', '/api/v1/devices', admin, { id: 'gas-test-01', type: 'gas_detector', name: '测试燃气监测', lon: 106.55, lat: 29.56 });
    expect(res.statusCode).toBe(201);
    const { secret, device } = res.json();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(JSON.stringify(device)).not.toContain(secret);
    expect(device).toMatchObject({ districtCode: '500103', hasCredentials: true });
    const again = await inject('GET', '/api/v1/devices/gas-test-01', admin);
    expect(again.body).not.toContain(secret);
    const c = await deviceClient(broker, 'gas-test-01', secret);
    await c.endAsync();
    const before = tp.platform.sensing.pipeline.stats.refusedConnects;
    await expect(deviceClient(broker, 'gas-test-01', 'wrong-secret')).rejects.toThrow();
    expect(tp.platform.sensing.pipeline.stats.refusedConnects).toBe(before + 1);
    const dup = await inject('POST', '/api/v1/devices', admin, { id: 'gas-test-01', type: 'gas_detector', lon: 106.55, lat: 29.56 });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('ALREADY_EXISTS');
  });

  it('imports a CSV of devices all or nothing, naming every bad row', async () => {
    const bad = 'id,type,name,lon,lat,thresholds\nbr-1,bridge_monitor,桥1,106.55,29.55,\nbad id,bridge_monitor,桥2,106.55,29.55,\nbr-3,bridge_monitor,桥3,,,\n';
    const r1 = await inject('POST', '/api/v1/devices/import', admin, bad, { 'content-type': 'text/csv' });
    expect(r1.statusCode).toBe(400);
    expect(r1.json().errors.map((e: { index: number }) => e.index)).toEqual([2, 3]);
    expect(tp.platform.sensing.devices.get('br-1')).toBeUndefined();
    const good = 'id,type,name,lon,lat,crs,thresholds\nbr-1,bridge_monitor,桥1,106.55,29.55,gcj02,strain_limit=800\nbr-2,bridge_monitor,"桥, 二",106.551,29.551,wgs84,\n';
    const r2 = await inject('POST', '/api/v1/devices/import', admin, good, { 'content-type': 'text/csv' });
    expect(r2.statusCode).toBe(200);
    expect(r2.json()).toMatchObject({ created: 2, updated: 0 });
    expect(r2.json().secrets).toHaveLength(2);
    expect(tp.platform.sensing.devices.get('br-1')?.thresholds).toEqual({ strain_limit: 800 });
    expect(tp.platform.sensing.devices.get('br-2')?.name).toBe('桥, 二');
  });

  it('keeps a device to its own topics: another device\'s telemetry or commands are refused and counted', async () => {
    const stats = tp.platform.sensing.pipeline.stats;
    const subBefore = stats.refusedSubscribes;
    const gas = [...tp.platform.sensing.devices.all()].find((d) => d.type === 'gas_detector' && d.id.startsWith('gas-'))!;
    const dev = await deviceClient(broker, gas.id);
    // The broker answers SUBACK 0x80 (failure), which mqtt.js reports as an error.
    await expect(dev.subscribeAsync('cityloop/devices/signal-nankai-n/commands', { qos: 1 })).rejects.toThrow(/Subscribe error/);
    await expect(dev.subscribeAsync('cityloop/devices/+/commands', { qos: 1 })).rejects.toThrow(/Subscribe error/);
    expect(stats.refusedSubscribes).toBe(subBefore + 2);
    const ok = await dev.subscribeAsync(`cityloop/devices/${gas.id}/commands`, { qos: 1 });
    expect(ok[0]?.qos).toBe(1);
    const pubBefore = stats.refusedPublishes;
    const closed = new Promise<void>((r) => dev.once('close', () => r()));
    dev.publish(`cityloop/devices/${GAUGE}/telemetry`, JSON.stringify({ values: { water_level: 3 } }), { qos: 1 });
    await closed;
    expect(stats.refusedPublishes).toBe(pubBefore + 1);
    await dev.endAsync(true);
    expect((await tp.platform.sensing.readings(GAUGE, {})).length).toBe(0);
  });

  it('puts malformed or out-of-range telemetry in the dead letters with the reason, and goes on', async () => {
    const gas = [...tp.platform.sensing.devices.all()].find((d) => d.type === 'gas_detector' && d.id.startsWith('gas-'))!;
    const dev = await deviceClient(broker, gas.id);
    await dev.publishAsync(`cityloop/devices/${gas.id}/telemetry`, '{not json', { qos: 1 });
    await dev.publishAsync(`cityloop/devices/${gas.id}/telemetry`, JSON.stringify([{ values: { gas: 250 } }, { values: { gas: 3 } }]), { qos: 1 });
    // The PUBACK came after the effects were durable: the good reading is stored already.
    expect((await tp.platform.sensing.readings(gas.id, {})).map((r) => r.values.gas)).toEqual([3]);
    await dev.endAsync();
    const http = await inject('POST', `/api/v1/devices/${gas.id}/telemetry`, null, { values: { gas: 'high' } }, { 'x-device-secret': demoDeviceSecret(gas.id) });
    expect(http.statusCode).toBe(422);
    expect(http.json().code).toBe('TELEMETRY_REFUSED');
    const dl = (await inject('GET', '/api/v1/dead-letters', admin)).json();
    const reasons = dl.items.map((x: { reason: string }) => x.reason).join('\n');
    expect(reasons).toMatch(/not JSON/);
    expect(reasons).toMatch(/gas: 250 is outside the instrument's range/);
    expect(reasons).toMatch(/gas: "high" is not a finite number/);
    const wrongSecret = await inject('POST', `/api/v1/devices/${gas.id}/telemetry`, null, { values: { gas: 1 } }, { 'x-device-secret': 'nope' });
    expect(wrongSecret.statusCode).toBe(401);
  });

  it('turns the underpass signals red through the plan with no human step when the gauge passes its limit', async () => {
    const north = await connectSimulatedDevice({ url: broker.url, deviceId: 'signal-nankai-n', username: 'signal-nankai-n', password: demoDeviceSecret('signal-nankai-n') });
    const south = await connectSimulatedDevice({ url: broker.url, deviceId: 'signal-nankai-s', username: 'signal-nankai-s', password: demoDeviceSecret('signal-nankai-s') });
    try {
      const gauge = await deviceClient(broker, GAUGE);
      const at = clock.now().getTime();
      await gauge.publishAsync(`cityloop/devices/${GAUGE}/telemetry`, JSON.stringify({ ts: new Date(at).toISOString(), values: { water_level: 0.3 } }), { qos: 1 });
      await gauge.publishAsync(`cityloop/devices/${GAUGE}/telemetry`, JSON.stringify({ ts: new Date(at + 1000).toISOString(), values: { water_level: 0.62 } }), { qos: 1 });
      const alert = await until(async () => (await tp.platform.sensing.alerts.activeAlerts()).find((a) => a.deviceId === GAUGE && a.caseId));
      expect(alert).toMatchObject({ status: 'verified', trusted: true, severity: 'yellow', districtCode: '500106' });
      const c = await tp.platform.cases.get((await tp.platform.auth.authenticate(admin))!, alert.caseId!);
      expect(c.plan?.id).toBe('underpass-waterlogging');
      expect(c.state).toBe('dispatched');
      await until(() => north.state.phase === 'red' && south.state.phase === 'red');
      // A higher reading repeats the alert (no twin) and raises its colour.
      await gauge.publishAsync(`cityloop/devices/${GAUGE}/telemetry`, JSON.stringify({ ts: new Date(at + 2000).toISOString(), values: { water_level: 0.9 } }), { qos: 1 });
      const after = (await tp.platform.sensing.alerts.activeAlerts()).filter((a) => a.deviceId === GAUGE && a.source === 'rule' && a.ruleId === 'underpass-water-level');
      expect(after).toHaveLength(1);
      expect(after[0]).toMatchObject({ severity: 'orange', count: 2, peak: { metric: 'water_level', value: 0.9 } });
      // A list cut short (a dense district on the map) keeps the devices with an active alert first.
      const alertingIds = new Set((await tp.platform.sensing.alerts.activeAlerts()).map((a) => a.deviceId).filter((id): id is string => !!id));
      const capped = (await inject('GET', `/api/v1/devices?limit=${alertingIds.size}`, admin)).json() as { truncated: boolean; items: { id: string; alerting: boolean }[] };
      expect(capped.truncated).toBe(true);
      expect(capped.items.map((d) => d.id).sort()).toEqual([...alertingIds].sort());
      expect(capped.items.every((d) => d.alerting)).toBe(true);
      // Hysteresis: 0.45 is under the limit but above the clearing bound — still active; 0.3 clears.
      await gauge.publishAsync(`cityloop/devices/${GAUGE}/telemetry`, JSON.stringify({ ts: new Date(at + 3000).toISOString(), values: { water_level: 0.45 } }), { qos: 1 });
      expect((await tp.platform.sensing.alerts.activeAlerts()).some((a) => a.id === alert.id)).toBe(true);
      await gauge.publishAsync(`cityloop/devices/${GAUGE}/telemetry`, JSON.stringify({ ts: new Date(at + 4000).toISOString(), values: { water_level: 0.3 } }), { qos: 1 });
      const cleared = await tp.platform.sensing.alerts.get((await tp.platform.auth.authenticate(admin))!, alert.id);
      expect(cleared.status).toBe('cleared');
      // The case hears that its sensor is normal again (its plan waits 15 minutes of it).
      const c2 = await until(async () => {
        const d = await tp.platform.cases.get((await tp.platform.auth.authenticate(admin))!, alert.caseId!);
        return d.sensor?.state === 'normal' ? d : null;
      });
      expect(c2.sensor?.deviceId).toBe(GAUGE);
      await gauge.endAsync();
    } finally {
      await north.close();
      await south.close();
    }
  });

  it('fires a device-offline alert on the clock alone, also across a restart', async () => {
    const gas = [...tp.platform.sensing.devices.all()].filter((d) => d.type === 'gas_detector' && d.id.startsWith('gas-'))[1]!;
    const t0 = clock.now().getTime();
    const r = await inject('POST', `/api/v1/devices/${gas.id}/telemetry`, null, { ts: new Date(t0).toISOString(), values: { gas: 1 } }, { 'x-device-secret': demoDeviceSecret(gas.id) });
    expect(r.statusCode).toBe(202);
    clock.advance(10 * 60_000);
    await tp.platform.sensing.pipeline.tick();
    const offline = async () => (await tp.platform.sensing.alerts.activeAlerts()).find((a) => a.deviceId === gas.id && a.ruleId === 'device-offline');
    expect(await offline()).toBeUndefined();
    // Restart in the middle of the 15 minutes: the state is in the store.
    tp = await gated.restart();
    admin = await tp.signIn('admin');
    clock.advance(6 * 60_000);
    await tp.platform.sensing.pipeline.tick();
    const a = await offline();
    expect(a).toMatchObject({ status: 'raised', severity: 'blue', categoryCode: null });
    // Data again clears it.
    await inject('POST', `/api/v1/devices/${gas.id}/telemetry`, null, { values: { gas: 1 } }, { 'x-device-secret': demoDeviceSecret(gas.id) });
    expect(await offline()).toBeUndefined();
  });

  it('fires a duration rule when its time passes with no new message, also across a restart in the middle', async () => {
    const gas = [...tp.platform.sensing.devices.all()].filter((d) => d.type === 'gas_detector' && d.id.startsWith('gas-'))[2]!;
    const send = (values: Record<string, number>) =>
      inject('POST', `/api/v1/devices/${gas.id}/telemetry`, null, { ts: clock.now().toISOString(), values }, { 'x-device-secret': demoDeviceSecret(gas.id) });
    const leak = async () => (await tp.platform.sensing.alerts.activeAlerts()).find((a) => a.deviceId === gas.id && a.ruleId === 'gas-leak');
    expect((await send({ gas: 30 })).statusCode).toBe(202); // above 20 %LEL: must last a minute
    clock.advance(30_000);
    await tp.platform.sensing.pipeline.tick();
    expect(await leak()).toBeUndefined();
    tp = await gated.restart();
    admin = await tp.signIn('admin');
    clock.advance(31_000);
    await tp.platform.sensing.pipeline.tick(); // no message since: the clock alone raises it
    expect(await leak()).toMatchObject({ status: 'raised', severity: 'yellow', categoryCode: 'municipal.gas.leak', districtCode: gas.districtCode });
    // Severity follows the value, and hysteresis holds it until it falls under 10 %LEL.
    clock.advance(1_000);
    await send({ gas: 55 });
    expect((await leak())?.severity).toBe('red');
    clock.advance(1_000);
    await send({ gas: 15 });
    expect(await leak()).toBeDefined();
    clock.advance(1_000);
    await send({ gas: 5 });
    expect(await leak()).toBeUndefined();
  });

  it('shows alerts on the live feed, with the alert, to those who may see them', async () => {
    await tp.app.listen({ port: 0, host: '127.0.0.1' });
    const address = tp.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const yz = await tp.signIn('yuzhong.operator');
    // Reads a feed until the title shows or 3 s pass; `ready` settles once the header is in, which
    // the route writes right before it subscribes to the bus.
    const read = (token: string) => {
      let ready!: () => void;
      const isReady = new Promise<void>((r) => (ready = r));
      const text = (async () => {
        const ac = new AbortController();
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/events/stream?access_token=${token}&types=AlertRaised`, { signal: ac.signal });
        const reader = res.body!.getReader();
        let got = '';
        let until = Date.now() + 10_000;
        while (Date.now() < until && !got.includes('直播预警测试')) {
          const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), 300))]);
          if (chunk && !chunk.done) got += new TextDecoder().decode(chunk.value);
          if (got.includes('CityLoop live feed') && until - Date.now() > 3000) {
            ready();
            until = Date.now() + 3000;
          }
        }
        ready();
        ac.abort();
        return got;
      })();
      return { ready: isReady, text };
    };
    const adminRead = read(admin);
    const yzRead = read(yz);
    await Promise.all([adminRead.ready, yzRead.ready]);
    await tp.platform.sensing.alerts.raise({ dedupKey: 'test:feed', source: 'rule', severity: 'orange', title: '直播预警测试', location: { lon: 106.464, lat: 29.553 }, deviceId: GAUGE, metric: 'water_level', value: 0.7, readings: { water_level: 0.7 }, at: clock.now().toISOString() });
    const [adminText, yzText] = await Promise.all([adminRead.text, yzRead.text]);
    expect(adminText).toContain('event: AlertRaised');
    const data = JSON.parse(adminText.split('\n').find((l) => l.startsWith('data: ') && l.includes('直播预警测试'))!.slice(6));
    expect(data.alert).toMatchObject({ title: '直播预警测试', severity: 'orange', districtCode: '500106', readings: { water_level: 0.7 } });
    // 渝中's operator does not see 沙坪坝's alert.
    expect(yzText).not.toContain('直播预警测试');
  });

  it('keeps one active alert per dedup key when triggers race', async () => {
    const draft = (n: number) => ({ dedupKey: 'test:race', source: 'camera' as const, severity: 'yellow' as const, title: '竞争测试', location: { lon: 106.577, lat: 29.557 }, metric: 'n', value: n, at: clock.now().toISOString() });
    const all = await Promise.all(Array.from({ length: 8 }, (_, i) => tp.platform.sensing.alerts.raise(draft(i))));
    expect(new Set(all.map((a) => a.id)).size).toBe(1);
    const active = (await tp.platform.sensing.alerts.activeAlerts()).filter((a) => a.dedupKey === 'test:race');
    expect(active).toHaveLength(1);
    expect(active[0]!.count).toBe(8);
    expect(active[0]!.peak?.value).toBe(7);
  });

  it('lets the district center verify (a case opens) or dismiss with a reason; others may not', async () => {
    const yz = await tp.signIn('yuzhong.operator');
    const nanan = await tp.signIn('nanan.operator');
    const raise = (key: string) =>
      tp.platform.sensing.alerts.raise({ dedupKey: key, source: 'rule', severity: 'orange', title: '长江二路输水干管压力骤降', categoryCode: 'municipal.water.burst', location: { lon: 106.5355, lat: 29.5478 }, deviceId: 'pressure-yz-01', metric: 'pressure', value: 0.18, at: clock.now().toISOString() });
    const a = await raise('test:verify');
    expect(a).toMatchObject({ districtCode: '500103', tier: 'district' });
    expect((await inject('GET', `/api/v1/alerts/${a.id}`, nanan)).statusCode).toBe(403);
    const list = (await inject('GET', '/api/v1/alerts?status=raised', yz)).json();
    expect(list.items.map((x: AlertDoc) => x.id)).toContain(a.id);
    const ack = await inject('POST', `/api/v1/alerts/${a.id}/acknowledge`, yz, { note: '已接警' });
    expect(ack.json().status).toBe('acknowledged');
    const v = await inject('POST', `/api/v1/alerts/${a.id}/verify`, yz, { note: '现场核实属实' });
    expect(v.statusCode).toBe(200);
    expect(v.json().alert).toMatchObject({ status: 'verified' });
    expect(v.json().case).toMatchObject({ state: 'dispatched', planId: 'water-main-burst' });
    const again = await inject('POST', `/api/v1/alerts/${a.id}/dismiss`, yz, { reason: '误报' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('ALERT_INVALID_TRANSITION');
    const b = await raise('test:dismiss');
    const noReason = await inject('POST', `/api/v1/alerts/${b.id}/dismiss`, yz, { reason: '' });
    expect(noReason.statusCode).toBe(400);
    const d = await inject('POST', `/api/v1/alerts/${b.id}/dismiss`, yz, { reason: '阀门检修导致压力波动，误报' });
    expect(d.json()).toMatchObject({ status: 'dismissed', dismissed: { reason: '阀门检修导致压力波动，误报' } });
    const tl = (await inject('GET', `/api/v1/alerts/${b.id}/timeline`, yz)).json().items.map((e: { type: string }) => e.type);
    expect(tl).toEqual(['AlertRaised', 'AlertDismissed']);
    // The unit that owns the device sees it; another district's unit does not, until it watches.
    const water = await tp.signIn('yuzhong.water');
    expect((await inject('GET', `/api/v1/alerts/${b.id}`, water)).statusCode).toBe(200);
    const nananWater = await tp.signIn('nanan.water');
    expect((await inject('GET', `/api/v1/alerts/${a.id}`, nananWater)).statusCode).toBe(403);
    const watch = await inject('POST', `/api/v1/alerts/${a.id}/watch`, yz, { unitId: tp.platform.org.units().find((u) => u.kind === 'water-supply' && u.jurisdictionCode === '500108')!.id });
    expect(watch.statusCode).toBe(200);
    expect((await inject('GET', `/api/v1/alerts/${a.id}`, nananWater)).statusCode).toBe(200);
    // The audit chain still verifies with alert events in it.
    expect((await inject('GET', '/api/v1/audit/verify', admin)).json().ok).toBe(true);
  });

  it('computes the vital signs of a district from devices and cases', async () => {
    const res = await inject('GET', '/api/v1/indicators?jurisdiction=500106', admin);
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { key: string; category: string; value: number | null; level: string }[];
    expect(new Set(items.map((i) => i.category))).toEqual(new Set(['water_supply', 'drainage', 'gas', 'transport', 'bridges_tunnels', 'forest_fire']));
    expect(items.find((i) => i.key === 'drainage.open-waterlogging')!.value).toBeGreaterThanOrEqual(1);
  });
});
