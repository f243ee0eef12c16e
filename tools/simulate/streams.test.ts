import { describe, expect, it } from 'vitest';
import { metricOf } from '../../src/sensing/devices/device-types.ts';
import { rulesFor } from '../../src/sensing/rules/rule-engine.ts';
import { localHour, normalValues, NORMAL_ENVELOPE, STREAM_TYPES, trafficLoad, waterDemand } from './streams.ts';
import { RuleFeeder, shippedRules } from './test-rules.ts';

const RULES = shippedRules();
/** Midnight in Chongqing. */
const DAY0 = Date.parse('2026-07-01T00:00:00+08:00');
const STEP = 10_000;

describe('normal streams', () => {
  it('covers every device type that reports readings, within its instrument range', () => {
    expect([...STREAM_TYPES].sort()).toEqual(['air_quality', 'bridge_monitor', 'fire_detector', 'gas_detector', 'traffic_counter', 'water_gauge', 'water_pressure']);
    for (const type of STREAM_TYPES) {
      for (const [metric, [lo, hi]] of Object.entries(NORMAL_ENVELOPE[type]!)) {
        const m = metricOf(type, metric);
        expect(m, `${type}.${metric}`).toBeDefined();
        expect(lo).toBeGreaterThanOrEqual(m!.min);
        expect(hi).toBeLessThanOrEqual(m!.max);
      }
    }
    expect(normalValues({ id: 'cam-1', type: 'camera' }, DAY0)).toBeNull();
  });

  it.each(STREAM_TYPES)('%s: a whole day every 10 s stays in range, moves, and raises no shipped rule', (type) => {
    for (const id of [`${type}-a`, `${type}-b`, `${type}-c`]) {
      const device = { id, type };
      const feeders = rulesFor([...RULES.values()], type)
        .filter((r) => r.id !== 'device-offline')
        .map((r) => new RuleFeeder(r, { key: r.scope === 'asset' ? `asset-of-${id}` : id, deviceType: type, assetId: `asset-of-${id}`, params: {} }));
      expect(feeders.length).toBe(1);
      const seen = new Map<string, Set<number>>();
      for (let t = DAY0; t < DAY0 + 24 * 3_600_000; t += STEP) {
        const v = normalValues(device, t)!;
        expect(Object.keys(v).sort()).toEqual(Object.keys(NORMAL_ENVELOPE[type]!).sort());
        for (const [metric, x] of Object.entries(v)) {
          const [lo, hi] = NORMAL_ENVELOPE[type]![metric]!;
          if (!(x >= lo && x <= hi)) expect.fail(`${id} ${metric}=${x} at ${new Date(t).toISOString()} is outside ${lo}…${hi}`);
          let s = seen.get(metric);
          if (!s) seen.set(metric, (s = new Set()));
          s.add(x);
        }
        for (const f of feeders) {
          const effects = f.reading(t, v);
          if (effects.length) expect.fail(`${f.rule.id} ${effects[0]!.type} for ${id} at ${new Date(t).toISOString()}: ${JSON.stringify(v)}`);
        }
      }
      // Not flat lines (the fire flag is 0 all day, battery moves slowly).
      for (const [metric, values] of seen) if (metric !== 'fire' && metric !== 'battery') expect(values.size, `${id} ${metric}`).toBeGreaterThan(20);
    }
  });

  it('follows the time of day: demand and traffic peak in the rush hours, the pressure sags with demand', () => {
    expect(localHour(DAY0)).toBe(0);
    expect(localHour(Date.parse('2026-07-01T00:30:00Z'))).toBeCloseTo(8.5);
    expect(waterDemand(19.8)).toBeGreaterThan(0.9);
    expect(waterDemand(3)).toBeLessThan(0.15);
    expect(trafficLoad(8.25)).toBeGreaterThan(0.9);
    expect(trafficLoad(3)).toBeLessThan(0.1);
    const at = (h: number) => DAY0 + h * 3_600_000;
    const meter = { id: 'pressure-x', type: 'water_pressure' };
    expect(normalValues(meter, at(3))!.pressure).toBeGreaterThan(normalValues(meter, at(19.8))!.pressure! + 0.05);
    expect(normalValues(meter, at(19.8))!.flow).toBeGreaterThan(normalValues(meter, at(3))!.flow! + 250);
    const road = { id: 'traffic-x', type: 'traffic_counter' };
    expect(normalValues(road, at(8.25))!.volume).toBeGreaterThan(normalValues(road, at(3))!.volume! * 5);
    expect(normalValues(road, at(8.25))!.speed).toBeLessThan(normalValues(road, at(3))!.speed! - 20);
    const forest = { id: 'fire-x', type: 'fire_detector' };
    expect(normalValues(forest, at(15))!.temperature).toBeGreaterThan(normalValues(forest, at(4))!.temperature! + 8);
  });

  it('is seeded: the same seed, device and time give the same values; another seed others', () => {
    const d = { id: 'gauge-x', type: 'water_gauge' };
    expect(normalValues(d, DAY0 + 12_345_000, 7)).toEqual(normalValues(d, DAY0 + 12_345_000, 7));
    const a = Array.from({ length: 50 }, (_, i) => normalValues(d, DAY0 + i * STEP, 1)!.water_level);
    const b = Array.from({ length: 50 }, (_, i) => normalValues(d, DAY0 + i * STEP, 2)!.water_level);
    expect(a).not.toEqual(b);
  });
});
