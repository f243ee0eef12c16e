import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEMO_CATEGORIES } from '../../../cities/chongqing/categories.ts';
import { deviceType } from '../devices/device-types.ts';
import type { Reading } from '../sensing-model.ts';
import { compileRule, parseRuleDocument, type CompiledRule, type ParseRuleOptions } from './rule-definition.ts';
import { onReading, onTick, rulesFor, type RuleEffect, type RuleState, type RuleSubject } from './rule-engine.ts';

const SHIPPED_RULES_DIR = fileURLToPath(new URL('../../../cities/chongqing/rules', import.meta.url));
const OPTIONS: ParseRuleOptions = {
  knownCategories: new Set(DEMO_CATEGORIES.map((c) => c.code)),
  metricsOf: (type) => {
    const t = deviceType(type);
    return t === undefined ? undefined : new Set(t.metrics.map((m) => m.name));
  },
};

const files = readdirSync(SHIPPED_RULES_DIR).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
const shipped = new Map<string, CompiledRule>();
for (const file of files) {
  const r = parseRuleDocument(readFileSync(join(SHIPPED_RULES_DIR, file), 'utf8'), file, OPTIONS);
  if (r.ok) for (const def of r.rules) shipped.set(def.id, compileRule(def));
}
const rule = (id: string): CompiledRule => shipped.get(id) ?? expect.fail(`no shipped rule ${id}`);

const T0 = Date.parse('2026-07-01T08:00:00Z');
const at = (s: number): string => new Date(T0 + s * 1000).toISOString();
const kinds = (effects: readonly RuleEffect[]): string[] => effects.map((e) => (e.type === 'clear' ? 'clear' : `${e.type}:${e.severity}`));
function feed(r: CompiledRule, subject: RuleSubject, steps: [number, Record<string, number>][]): string[][] {
  let state: RuleState | null = null;
  return steps.map(([s, values]) => {
    const o = onReading(r, subject, state, { deviceId: subject.key, ts: at(s), values } satisfies Reading);
    state = o.state;
    return kinds(o.effects);
  });
}
const device = (key: string, deviceType: string, params: Record<string, number> = {}): RuleSubject => ({ key, deviceType, assetId: null, params });

describe('the shipped rules', () => {
  it.each(files)('%s reads and compiles against the demo categories and device types', (file) => {
    const r = parseRuleDocument(readFileSync(join(SHIPPED_RULES_DIR, file), 'utf8'), file, OPTIONS);
    expect(r.ok ? [] : r.problems).toEqual([]);
    if (r.ok) for (const def of r.rules) expect(compileRule(def).id).toBe(def.id);
  });

  it('cover the demo device types that report readings', () => {
    expect([...shipped.keys()].sort()).toEqual(['air-quality-pm25', 'bridge-structure', 'device-offline', 'forest-fire', 'gas-leak', 'traffic-congestion', 'underpass-water-level', 'water-main-burst']);
    expect(rulesFor([...shipped.values()], 'water_gauge').map((r) => r.id).sort()).toEqual(['device-offline', 'underpass-water-level']);
    expect(rulesFor([...shipped.values()], 'camera')).toEqual([]);
    expect(rule('underpass-water-level')).toMatchObject({ trusted: true, category: 'safety.underpass-waterlogging', scope: 'device' });
    expect(rule('water-main-burst')).toMatchObject({ trusted: false, category: 'municipal.water.burst', scope: 'asset' });
    expect(rule('device-offline')).toMatchObject({ category: null, trusted: false });
  });

  it('underpass: raise above 0.5 m, clear below 0.4 m; an underpass with its own limit_m moves both sides', () => {
    const r = rule('underpass-water-level');
    expect(feed(r, device('g1', 'water_gauge'), [[0, { water_level: 0.52 }], [60, { water_level: 0.85 }], [120, { water_level: 0.42 }], [180, { water_level: 0.38 }]])).toEqual([
      ['raise:yellow'],
      ['update:orange'],
      ['update:yellow'],
      ['clear'],
    ]);
    expect(feed(r, device('g2', 'water_gauge', { limit_m: 0.3, clear_m: 0.2 }), [[0, { water_level: 0.35 }], [60, { water_level: 0.25 }], [120, { water_level: 0.15 }]])).toEqual([['raise:yellow'], [], ['clear']]);
  });

  it('water main: the burst signature from the meters of one main', () => {
    const main: RuleSubject = { key: 'main-guobin', deviceType: 'water_pressure', assetId: 'main-guobin', params: {} };
    expect(feed(rule('water-main-burst'), main, [[0, { pressure: 0.42, flow: 310 }], [20, { pressure: 0.36, flow: 340 }], [40, { pressure: 0.27, flow: 410 }], [300, { pressure: 0.28, flow: 400 }], [900, { pressure: 0.41, flow: 315 }]])).toEqual([
      [],
      [],
      ['raise:orange'],
      [],
      ['clear'],
    ]);
  });

  it('forest fire: three detections in ten minutes, or heat with smoke at once', () => {
    const r = rule('forest-fire');
    expect(feed(r, device('f1', 'fire_detector'), [[0, { fire: 1, temperature: 25, smoke: 0 }], [120, { fire: 1, temperature: 26, smoke: 1 }], [240, { fire: 1, temperature: 26, smoke: 1 }]])).toEqual([[], [], ['raise:orange']]);
    expect(feed(r, device('f2', 'fire_detector'), [[0, { fire: 0, temperature: 75, smoke: 3 }], [30, { fire: 0, temperature: 80, smoke: 18 }], [60, { fire: 0, temperature: 350, smoke: 40 }]])).toEqual([[], ['raise:orange'], ['update:red']]);
  });

  it('gas: 20 %LEL held a minute, with no new message', () => {
    const r = rule('gas-leak');
    const s = device('gas-1', 'gas_detector');
    const a = onReading(r, s, null, { deviceId: 'gas-1', ts: at(0), values: { gas: 22 } });
    expect(a.wakeAt).toBe(at(60));
    expect(kinds(onTick(r, s, a.state, at(60)).effects)).toEqual(['raise:yellow']);
  });

  it('bridge: a lorry passing is not an alert, a strain held five minutes is', () => {
    const r = rule('bridge-structure');
    const s = device('b1', 'bridge_monitor');
    expect(feed(r, s, [[0, { strain: 1500, displacement: 2, vibration: 1 }], [5, { strain: 300, displacement: 1, vibration: 1 }]])).toEqual([[], []]);
    const a = onReading(r, s, null, { deviceId: 'b1', ts: at(0), values: { strain: -1400, displacement: 2, vibration: 1 } });
    expect(kinds(onTick(r, s, a.state, a.wakeAt!).effects)).toEqual(['raise:orange']);
    expect(a.wakeAt).toBe(at(300));
  });

  const BEIBEI = fileURLToPath(new URL('../../../../shared/data/sensors/beibei-grid-station-1483-pm25.csv', import.meta.url));
  it.skipIf(!existsSync(BEIBEI) && process.env.CI !== 'true')('air quality: the real Beibei PM2.5 series (2021–2023, hourly) raises a plausible number of episodes and writes little', () => {
    const r = rule('air-quality-pm25');
    const s = device('aq-1483', 'air_quality');
    const lines = readFileSync(BEIBEI, 'utf8').trim().split('\n').slice(1);
    let state = null as RuleState | null;
    let wake = null as string | null; // assigned in take: the loop must not narrow it to null
    let writes = 0;
    const effects: RuleEffect[] = [];
    const take = (o: ReturnType<typeof onTick>): void => {
      state = o.state;
      effects.push(...o.effects);
      if (o.changed) {
        writes++;
        wake = o.wakeAt;
      }
    };
    for (const line of lines) {
      const [time, , value] = line.split(',');
      const ts = new Date(time!).toISOString();
      while (wake !== null && wake <= ts) take(onTick(r, s, state, wake));
      take(onReading(r, s, state, { deviceId: 'aq-1483', ts, values: { pm25: Number(value) } }));
    }
    const raises = effects.filter((e) => e.type === 'raise');
    const clears = effects.filter((e) => e.type === 'clear');
    // About two episodes a week in winter: China's AQI puts 15 % of these hours at 轻度污染 or worse.
    expect(raises.length).toBeGreaterThan(150);
    expect(raises.length).toBeLessThan(450);
    expect(clears.length).toBeGreaterThanOrEqual(raises.length - 1);
    expect(new Set(effects.flatMap((e) => (e.type === 'clear' ? [] : [e.severity])))).toEqual(new Set(['blue', 'yellow', 'orange', 'red']));
    expect(writes).toBeLessThan(lines.length / 5);
  });
});
