import { describe, expect, it } from 'vitest';
import { compileRule, parseRules } from './rule-definition.ts';
import { devicesOfRule, dryRunRule, type DryRunDevice } from './rule-dry-run.ts';

const rule = (yaml: string) => compileRule(parseRules(yaml)[0]!);
const T0 = Date.parse('2026-07-01T00:00:00Z');
const at = (min: number) => new Date(T0 + min * 60_000).toISOString();
const window = { from: at(0), to: at(24 * 60) };
const gauge = (id: string, assetId: string | null = null, thresholds: Record<string, number> = {}): DryRunDevice => ({ id, name: id, type: 'water_gauge', assetId, thresholds });

describe('dryRunRule', () => {
  it('replays readings in time order from a fresh state, per device, with its overrides', () => {
    const r = rule('id: high-water\nname: 积水\ndeviceTypes: [water_gauge]\nparams: { limit: 0.5 }\ncondition:\n  threshold: { metric: water_level, above: $limit }\nseverity: yellow\n');
    const devices = [gauge('g1'), gauge('g2', null, { limit: 0.2 }), { ...gauge('p1'), type: 'water_pressure' }];
    const readings = [
      { deviceId: 'g1', ts: at(20), values: { water_level: 0.4 } },
      { deviceId: 'g1', ts: at(10), values: { water_level: 0.6 } },
      { deviceId: 'g2', ts: at(15), values: { water_level: 0.3 } },
      { deviceId: 'p1', ts: at(15), values: { water_level: 9 } },
      { deviceId: 'g1', ts: at(-10), values: { water_level: 0.9 } }, // before the window
    ];
    const out = dryRunRule(r, devices, readings, window);
    expect(out).toMatchObject({ devices: 2, devicesWithReadings: 2, readings: 3, raised: 2, cleared: 1 });
    expect(out.events.map((e) => [e.type, e.deviceId, e.at, e.value])).toEqual([
      ['raise', 'g1', at(10), 0.6],
      ['raise', 'g2', at(15), 0.3],
      ['clear', 'g1', at(20), null],
    ]);
    expect(out.activeAtEnd).toEqual([{ subject: 'g2', severity: 'yellow' }]);
  });

  it('ticks the clock as the engine asks: a duration completes and a silent device is missed', () => {
    const held = rule('id: held-water\nname: 持续积水\ndeviceTypes: [water_gauge]\ncondition:\n  threshold: { metric: water_level, above: 0.5 }\n  for: 30m\nseverity: orange\n');
    const out = dryRunRule(held, [gauge('g1')], [{ deviceId: 'g1', ts: at(60), values: { water_level: 0.7 } }], window);
    expect(out.events.map((e) => [e.type, e.at])).toEqual([['raise', at(90)]]);
    const silent = rule('id: gauge-silent\nname: 离线\ndeviceTypes: [water_gauge]\ncondition:\n  absence: { for: 2h }\nseverity: blue\n');
    const quiet = dryRunRule(silent, [gauge('g1'), gauge('g2')], [{ deviceId: 'g2', ts: at(23 * 60), values: { water_level: 0.1 } }], window);
    const raisedFor = quiet.events.filter((e) => e.type === 'raise').map((e) => e.subject).sort();
    expect(raisedFor).toEqual(['g1', 'g2']);
    expect(quiet.events.find((e) => e.subject === 'g1')!.at >= at(120)).toBe(true);
    expect(quiet.events.filter((e) => e.subject === 'g2').map((e) => e.type)).toEqual(['raise', 'clear']);
  });

  it('an asset-scoped rule reads the devices watching an asset as one subject', () => {
    const r = rule('id: asset-water\nname: 资产积水\ndeviceTypes: [water_gauge]\nscope: asset\ncondition:\n  threshold: { metric: water_level, above: 0.5 }\nseverity: red\n');
    const devices = [gauge('g1', 'u1'), gauge('g2', 'u1'), gauge('g3')];
    expect(devicesOfRule(r, devices).map((d) => d.id)).toEqual(['g1', 'g2']);
    const out = dryRunRule(r, devices, [{ deviceId: 'g2', ts: at(5), values: { water_level: 0.8 } }], window);
    expect(out.events).toEqual([expect.objectContaining({ type: 'raise', subject: 'u1', deviceId: 'g2', severity: 'red' })]);
  });
});
