/**
 * Fuzz of the sensing doors that take input from machines: telemetry over HTTP and over MQTT (a
 * real client against the embedded broker, through the gate and the ingest pipeline), camera
 * events over MQTT, and CAP XML import (mutated real samples from test/fixtures/cap).
 *
 * Whatever comes in: HTTP never answers 5xx and its 4xx are problem+json; every MQTT publish at
 * QoS 1 gets its PUBACK and the connection stays up (refused input goes to the dead letters, so a
 * device never resends it forever); afterwards the server is healthy and the event log verifies.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { connectAsync, type MqttClient } from 'mqtt';
import { openGatedTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { ManualClock } from '../../src/clock.ts';
import type { EmbeddedBroker } from '../../src/actions/mqtt/embedded-broker.ts';
import { demoDeviceSecret } from '../../cities/chongqing/demo/demo-devices.ts';
import { FUZZ_DIALECT, fuzzAssert, fuzzSettings, hostileBody, hostileJsonText } from './fuzz-support.ts';


const SETTINGS = fuzzSettings({ runs: 40, timeMs: 4_000 });
const CAP_DIR = 'test/fixtures/cap';

describe('fuzz: telemetry, camera events and CAP', () => {
  let tp: TestPlatform;
  let broker: EmbeddedBroker;
  let gated: Awaited<ReturnType<typeof openGatedTestPlatform>>;
  let clock: ManualClock;
  let admin: string;
  /**
   * A gas detector: its rule raises untrusted alerts, so fuzzed readings exercise rules and alerts
   * without starting plans whose device commands would wait for acknowledgements at shutdown.
   */
  let GAS: string;

  beforeAll(async () => {
    clock = new ManualClock(new Date());
    gated = await openGatedTestPlatform(FUZZ_DIALECT, clock);
    ({ tp, broker } = gated);
    admin = await tp.signIn('admin');
    GAS = [...tp.platform.sensing.devices.all()].find((d) => d.type === 'gas_detector' && d.hasCredentials)!.id;
  }, 120_000);
  afterAll(async () => gated?.close());

  const expectFine = (res: { statusCode: number; headers: Record<string, unknown>; body: string }, where: string) => {
    expect(res.statusCode, `${where} → ${res.statusCode} ${res.body.slice(0, 400)}`).toBeLessThan(500);
    if (res.statusCode >= 400) expect(String(res.headers['content-type']), where).toContain('application/problem+json');
  };

  /** Readings as a device would send them: now-ish stamps (ISO or epoch), known and unknown metrics. */
  const reading = fc.record(
    {
      ts: fc.oneof(
        fc.integer({ min: -600_000, max: 60_000 }).map((d) => new Date(clock.now().getTime() + d).toISOString()),
        fc.integer({ min: -600_000, max: 60_000 }).map((d) => clock.now().getTime() + d),
        fc.constantFrom('2026-13-40T99:99:99Z', '', 'now', 0, -1, 1e20),
      ),
      values: fc.dictionary(fc.oneof(fc.constantFrom('gas', 'battery'), fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,8}$/)), fc.oneof(fc.double({ min: -10, max: 20, noNaN: true }), fc.boolean()), { minKeys: 1, maxKeys: 4 }),
    },
    { requiredKeys: ['values'] },
  );
  const telemetry = fc.oneof(reading, fc.array(reading, { minLength: 1, maxLength: 8 }), fc.record({ readings: fc.array(reading, { maxLength: 8 }) }));

  it('telemetry over HTTP: never a 5xx, 4xx as problem+json', async () => {
    await fuzzAssert(
      'telemetry over HTTP',
      SETTINGS,
      hostileBody(telemetry),
      async (body) => {
        clock.advance(1_000);
        const res = await tp.app.inject({ method: 'POST', url: `/api/v1/devices/${GAS}/telemetry`, headers: { 'content-type': 'application/json', 'x-device-secret': demoDeviceSecret(GAS) }, payload: body });
        expectFine(res, `telemetry ${body.slice(0, 200)}`);
      },
    );
  });

  it('telemetry and camera events over MQTT: every publish acknowledged, the connection kept, the refused dead-lettered', async () => {
    const camera = [...tp.platform.sensing.devices.all()].find((d) => d.type === 'camera' && d.hasCredentials)!;
    const connect = (id: string): Promise<MqttClient> => connectAsync(broker.url, { clientId: `fuzz-${id}-${Math.random().toString(36).slice(2, 8)}`, username: id, password: demoDeviceSecret(id), reconnectPeriod: 0, log: () => {} });
    const gauge = await connect(GAS);
    const cam = await connect(camera.id);
    const pubacks = new Set<string>();
    for (const [name, c] of [['gauge', gauge], ['cam', cam]] as const) {
      c.on('packetreceive', (p) => {
        if (p.cmd === 'puback' && typeof p.messageId === 'number') pubacks.add(`${name}:${p.messageId}`);
      });
    }
    const deadBefore = tp.platform.sensing.pipeline.stats.deadLetters;
    try {
      const payload = fc.oneof(
        { weight: 4, arbitrary: hostileBody(telemetry).map((s) => Buffer.from(s)) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
        { weight: 1, arbitrary: hostileJsonText.map((s) => Buffer.from(s)) },
      );
      await fuzzAssert(
        'MQTT telemetry and events',
        SETTINGS,
        fc.tuple(payload, fc.boolean()),
        async ([bytes, asEvent]) => {
          clock.advance(1_000);
          const [name, client, topic] = asEvent ? (['cam', cam, `cityloop/devices/${camera.id}/events`] as const) : (['gauge', gauge, `cityloop/devices/${GAS}/telemetry`] as const);
          const sent = await client.publishAsync(topic, bytes, { qos: 1 });
          expect(pubacks.has(`${name}:${sent!.messageId}`), `PUBACK for ${bytes.toString('utf8').slice(0, 200)}`).toBe(true);
          expect(client.connected).toBe(true);
        },
      );
      await tp.platform.sensing.pipeline.drain();
      expect(tp.platform.sensing.pipeline.stats.deadLetters).toBeGreaterThan(deadBefore);
    } finally {
      await gauge.endAsync();
      await cam.endAsync();
    }
  });

  it('CAP import of mutated real samples: never a 5xx, 4xx as problem+json', async () => {
    const samples = readdirSync(CAP_DIR).filter((f) => f.endsWith('.cap')).map((f) => readFileSync(join(CAP_DIR, f), 'utf8'));
    expect(samples.length).toBeGreaterThan(3);
    const nasty = fc.constantFrom('\u0000', '\u001b', '\ud800', '&', '&lt', '&#0;', '&#xD800;', '&bogus;', '<', ']]>', '<![CDATA[', '<!--', '<?pi?>', '"', "'", '渝', '\ufeff', 'x'.repeat(70_000));
    const mutated = fc.tuple(fc.constantFrom(...samples), fc.array(fc.tuple(fc.constantFrom('truncate', 'insert', 'duplicate', 'delete', 'deep', 'doctype', 'retag', 'encoding'), fc.nat(), fc.nat(), nasty, fc.integer({ min: 30, max: 20_000 })), { minLength: 1, maxLength: 4 })).map(([xml, edits]) => {
      let s = xml;
      for (const [how, a, b, text, n] of edits) {
        const i = s.length === 0 ? 0 : a % s.length;
        const j = s.length === 0 ? 0 : b % s.length;
        if (how === 'truncate') s = s.slice(0, i);
        else if (how === 'insert') s = s.slice(0, i) + text + s.slice(i);
        else if (how === 'duplicate') s = s.slice(0, Math.max(i, j)) + s.slice(Math.min(i, j), Math.max(i, j)) + s.slice(Math.max(i, j));
        else if (how === 'delete') s = s.slice(0, Math.min(i, j)) + s.slice(Math.max(i, j));
        else if (how === 'deep') s = s.replace('<info>', () => `<info>${'<x>'.repeat(n)}${'</x>'.repeat(n)}`);
        else if (how === 'doctype') s = s.replace('<alert', () => `<!DOCTYPE alert [<!ENTITY a "${'a'.repeat(10)}"><!ENTITY b "&a;&a;&a;&a;&a;">]><alert`);
        else if (how === 'retag') s = s.replace(/<(\w+)>/, (_m, tag: string) => `<${tag}${text.length < 20 ? text : ''}>`);
        else s = s.replace('UTF-8', () => (text.length < 20 ? `UTF-${text}` : 'UTF-16'));
      }
      return s;
    });
    await fuzzAssert(
      'CAP import',
      SETTINGS,
      mutated,
      async (xml) => {
        const res = await tp.app.inject({ method: 'POST', url: '/api/v1/cap', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/cap+xml' }, payload: xml });
        expectFine(res, `CAP ${xml.slice(0, 300)}`);
      },
    );
  });

  it('is healthy afterwards, and the event log verifies', async () => {
    expect((await tp.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const audit = await tp.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: { authorization: `Bearer ${admin}` } });
    expect(audit.statusCode, audit.body).toBe(200);
    expect(audit.json().ok, audit.body).toBe(true);
  });
});
