/**
 * Overload of the ingest pipeline: the store is held (a transaction that does not end), so the
 * flusher cannot make room. HTTP submissions are refused with OVERLOADED after their bound; MQTT
 * submissions wait (their PUBACK is held), and the stats show both. Nothing accepted is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { ManualClock } from '../../src/clock.ts';
import { IngestPipeline } from '../../src/sensing/ingest/ingest-pipeline.ts';
import { CityLoopError } from '../../src/errors.ts';
import { handleError } from '../../src/http/problem.ts';

const GAUGE = 'gauge-nankai-01';

describe('ingest under overload', () => {
  let tp: TestPlatform;
  beforeAll(async () => {
    tp = await openTestPlatform('sqlite', { clock: new ManualClock(new Date()), districts: ['500106'] });
  });
  afterAll(async () => tp?.close());

  it('refuses HTTP past INGEST_MAX_WAIT_MS with OVERLOADED, holds MQTT, counts both, and loses nothing it took', async () => {
    const s = tp.platform.sensing;
    const pipeline = new IngestPipeline({
      store: tp.platform.store,
      clock: tp.clock,
      devices: s.devices,
      rules: () => ({ rulesFor: () => [], rule: () => undefined, onReading: () => { throw new Error('no rules'); }, onTick: () => { throw new Error('no rules'); } }),
      alerts: s.alerts,
      maxQueued: 2,
      batchMax: 2,
      httpMaxWaitMs: 150,
    });
    const t0 = Date.now() - 60_000;
    const body = (i: number) => JSON.stringify({ ts: new Date(t0 + i).toISOString(), values: { water_level: i / 1000 } });
    let release!: () => void;
    const held = tp.platform.store.transact(() => new Promise<void>((r) => (release = r)));
    try {
      // The flusher takes the first two into a batch that waits for the store; two more fill the queue.
      const first = [0, 1, 2, 3].map((i) => pipeline.submit(GAUGE, body(i), 'mqtt'));
      await new Promise((r) => setTimeout(r, 50));
      expect(pipeline.saturated).toBe(true);
      const mqttWaiting = pipeline.submit(GAUGE, body(4), 'mqtt');
      let mqttSettled = false;
      void mqttWaiting.finally(() => (mqttSettled = true));
      const refused = await pipeline.submit(GAUGE, body(5), 'http').then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(CityLoopError);
      expect((refused as CityLoopError).code).toBe('OVERLOADED');
      expect(mqttSettled).toBe(false);
      expect(pipeline.stats).toMatchObject({ overloadRefusals: 1, queueBound: 2 });
      expect(pipeline.stats.waitingForRoom).toBeGreaterThanOrEqual(1);
      expect(pipeline.stats.longestWaitForRoomMs).toBeGreaterThan(0);
      release();
      await held;
      const results = await Promise.all([...first, mqttWaiting]);
      expect(results.every((r) => r.accepted === 1)).toBe(true);
      expect(pipeline.stats.waitingForRoom).toBe(0);
      const stored = await s.readings(GAUGE, { from: new Date(t0).toISOString(), to: new Date(t0 + 10).toISOString() });
      // Every reading it took is stored; the refused one (5) is not, and its sender resends it.
      expect(stored.map((r) => r.values.water_level)).toEqual([0, 1, 2, 3, 4].map((i) => i / 1000));
    } finally {
      release?.();
      await pipeline.close();
    }
  });

  it('answers OVERLOADED 503 problem+json with Retry-After', async () => {
    const app = Fastify();
    app.setErrorHandler(handleError);
    app.post('/t', async () => {
      throw new CityLoopError('OVERLOADED');
    });
    const r = await app.inject({ method: 'POST', url: '/t?lang=en' });
    expect(r.statusCode).toBe(503);
    expect(r.headers['retry-after']).toBe('2');
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.json()).toMatchObject({ code: 'OVERLOADED', detail: 'The platform is busy; retry shortly' });
    await app.close();
  });
});
