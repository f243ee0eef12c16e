import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestPlatform, type TestPlatform } from '../../../test/support/test-platform.ts';
import { ManualClock } from '../../clock.ts';
import { IngestPipeline } from './ingest-pipeline.ts';

describe('the ingest pipeline under overload', () => {
  let tp: TestPlatform;
  beforeAll(async () => {
    tp = await openTestPlatform('sqlite', { clock: new ManualClock(new Date()), districts: ['500106'] });
  }, 120_000);
  afterAll(async () => tp?.close());

  it('makes submitters wait for room instead of dropping, and keeps each device\'s order', async () => {
    const s = tp.platform.sensing;
    const pipeline = new IngestPipeline({ store: tp.platform.store, clock: tp.clock, devices: s.devices, rules: () => ({ rulesFor: () => [], rule: () => undefined, onReading: () => { throw new Error('no rules'); }, onTick: () => { throw new Error('no rules'); } }), alerts: s.alerts, maxQueued: 5, batchMax: 5 });
    const t0 = Date.now() - 60_000;
    let maxQueued = 0;
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      pending.push(pipeline.submit('gauge-nankai-01', JSON.stringify({ ts: new Date(t0 + i).toISOString(), values: { water_level: i / 1000 } }), 'http'));
      maxQueued = Math.max(maxQueued, pipeline.stats.queued);
    }
    const results = (await Promise.all(pending)) as { accepted: number }[];
    expect(results.every((r) => r.accepted === 1)).toBe(true);
    expect(maxQueued).toBeLessThanOrEqual(5);
    expect(pipeline.stats.batches).toBeGreaterThanOrEqual(40);
    const stored = await s.readings('gauge-nankai-01', { limit: 1000 });
    expect(stored).toHaveLength(200);
    expect(stored.map((r) => r.values.water_level)).toEqual(Array.from({ length: 200 }, (_, i) => i / 1000));
    await pipeline.close();
  });

  it('stores a QoS 1 redelivery (same device, same stamp) once', async () => {
    const s = tp.platform.sensing;
    const ts = new Date(Date.now() - 5_000).toISOString();
    const body = JSON.stringify({ ts, values: { water_level: 0.01 } });
    await Promise.all([s.pipeline.submit('gauge-nankai-01', body, 'mqtt'), s.pipeline.submit('gauge-nankai-01', body, 'mqtt')]);
    expect((await s.readings('gauge-nankai-01', { from: ts, to: ts })).length).toBe(1);
  });
});
