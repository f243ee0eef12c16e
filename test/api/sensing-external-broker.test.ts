/**
 * Telemetry through an external broker (Mosquitto in CI, TEST_MQTT_URL): the platform holds a
 * persistent QoS 1 subscription, acknowledges each message once its effects are durable, and the
 * underpass gauge still turns the signals red through the same broker. Skipped without the broker.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAsync, type MqttClient } from 'mqtt';
import { until } from '../support/until.ts';
import { openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { connectSimulatedDevice } from '../../src/actions/simulated-device.ts';
import { ManualClock } from '../../src/clock.ts';

const URL = process.env.TEST_MQTT_URL;


describe.skipIf(!URL)(`sensing through the external broker ${URL ? '' : '(TEST_MQTT_URL not set: skipped)'}`, () => {
  let tp: TestPlatform;
  let device: MqttClient;
  beforeAll(async () => {
    // Real time: readings are stamped now, and a stamp far ahead of the platform's clock is refused.
    tp = await openTestPlatform('sqlite', { clock: new ManualClock(new Date()), settings: { mqttUrl: URL, mqttIngestClientId: `cityloop-test-${randomUUID().slice(0, 8)}` } });
    device = await connectAsync(URL!, { clientId: `gauge-${randomUUID().slice(0, 8)}`, reconnectPeriod: 0, log: () => {} });
  }, 120_000);
  afterAll(async () => {
    await device?.endAsync();
    await tp?.close();
  });

  it('stores telemetry published to the broker and dead-letters what is not a device of ours', async () => {
    const ts = new Date().toISOString();
    await device.publishAsync('cityloop/devices/gauge-nankai-01/telemetry', JSON.stringify({ ts, values: { water_level: 0.05 } }), { qos: 1 });
    const got = await until(async () => (await tp.platform.sensing.readings('gauge-nankai-01', {})).find((r) => r.ts === ts));
    expect(got.values.water_level).toBe(0.05);
    const stranger = `nobody-${randomUUID().slice(0, 8)}`;
    await device.publishAsync(`cityloop/devices/${stranger}/telemetry`, JSON.stringify({ values: { x: 1 } }), { qos: 1 });
    await until(async () => (await tp.platform.sensing.deadLetters(200)).items.some((d) => (d as { deviceId: string }).deviceId === stranger && (d as { reason: string }).reason === 'unknown device'));
  });

  it('turns the underpass signals red through the plan, devices and platform on the same external broker', async () => {
    const north = await connectSimulatedDevice({ url: URL!, deviceId: 'signal-nankai-n' });
    const south = await connectSimulatedDevice({ url: URL!, deviceId: 'signal-nankai-s' });
    try {
      const now = Date.now();
      await device.publishAsync('cityloop/devices/gauge-nankai-01/telemetry', JSON.stringify([{ ts: new Date(now + 1000).toISOString(), values: { water_level: 0.2 } }, { ts: new Date(now + 2000).toISOString(), values: { water_level: 0.7 } }]), { qos: 1 });
      const alert = await until(async () => (await tp.platform.sensing.alerts.activeAlerts()).find((a) => a.deviceId === 'gauge-nankai-01' && a.caseId));
      expect(alert.status).toBe('verified');
      await until(async () => north.state.phase === 'red' && south.state.phase === 'red');
    } finally {
      await north.close();
      await south.close();
    }
  });
});
