import { describe, expect, it } from 'vitest';
import type { Reading } from '../sensing-model.ts';
import { compileRule, parseRules, type CompiledRule } from './rule-definition.ts';
import { appliesTo, onReading, onTick, rulesFor, subjectKey, type RuleEffect, type RuleOutcome, type RuleState, type RuleSubject } from './rule-engine.ts';

const T0 = Date.parse('2026-07-01T08:00:00Z');
/** Seconds after T0 as an ISO time. */
const at = (s: number): string => new Date(T0 + s * 1000).toISOString();
const rule = (yaml: string): CompiledRule => compileRule(parseRules(yaml)[0]!);
const device = (key: string, params: Record<string, number> = {}, deviceType = 'water_gauge'): RuleSubject => ({ key, deviceType, assetId: null, params });
const reading = (s: number, values: Record<string, number>, deviceId = 'g1'): Reading => ({ deviceId, ts: at(s), values });
const kinds = (effects: readonly RuleEffect[]): string[] => effects.map((e) => (e.type === 'clear' ? 'clear' : `${e.type}:${e.severity}`));

/** Feeds readings in order, keeping the state; returns every outcome. */
function feed(r: CompiledRule, subject: RuleSubject, steps: readonly Reading[], state: RuleState | null = null): { outcomes: RuleOutcome[]; state: RuleState | null } {
  const outcomes: RuleOutcome[] = [];
  for (const x of steps) {
    const o = onReading(r, subject, state, x);
    outcomes.push(o);
    state = o.state;
  }
  return { outcomes, state };
}

const UNDERPASS = rule(`
id: underpass-water-level
name: 下穿道积水超限
deviceTypes: [water_gauge]
category: safety.underpass-waterlogging
trusted: true
params: { raise: 0.5, clear: 0.4 }
condition:
  threshold: { metric: water_level, above: $raise, clearBelow: $clear }
severity:
  metric: water_level
  levels: [ { atLeast: $raise, level: yellow }, { atLeast: 0.8, level: orange }, { atLeast: 1.2, level: red } ]
`);

describe('threshold with hysteresis', () => {
  it('raises above 0.5 m and clears only below 0.4 m', () => {
    const { outcomes } = feed(UNDERPASS, device('g1'), [
      reading(0, { water_level: 0.3 }),
      reading(10, { water_level: 0.55 }),
      reading(20, { water_level: 0.45 }), // under the raise bound, above the clear bound: still active
      reading(30, { water_level: 0.41 }),
      reading(40, { water_level: 0.39 }),
      reading(50, { water_level: 0.45 }), // inactive again: 0.45 does not raise
      reading(60, { water_level: 0.5 }), // "above" is strict
      reading(70, { water_level: 0.51 }),
    ]);
    expect(outcomes.map((o) => kinds(o.effects))).toEqual([[], ['raise:yellow'], [], [], ['clear'], [], [], ['raise:yellow']]);
    const raise = outcomes[1]!.effects[0]!;
    expect(raise).toMatchObject({ type: 'raise', metric: 'water_level', value: 0.55, readings: { water_level: 0.55 }, at: at(10) });
    expect(raise.type === 'raise' && raise.reason).toEqual({ zh: 'water_level 为 0.55，高于 0.5', en: 'water_level 0.55 above 0.5' });
    expect(outcomes[4]!.effects[0]).toEqual({ type: 'clear', at: at(40), readings: { water_level: 0.39 } });
    expect(outcomes.every((o) => o.wakeAt === null)).toBe(true);
  });

  it('a falling threshold (below / clearAbove) mirrors it', () => {
    const low = rule(`
id: low-pressure
name: 低压
deviceTypes: [water_pressure]
condition: { threshold: { metric: pressure, below: 0.2, clearAbove: 0.25 } }
severity: { metric: pressure, levels: [ { atMost: 0.2, level: yellow }, { atMost: 0.1, level: red } ] }
`);
    const { outcomes } = feed(low, device('p1'), [
      reading(0, { pressure: 0.3 }),
      reading(1, { pressure: 0.15 }),
      reading(2, { pressure: 0.05 }),
      reading(3, { pressure: 0.22 }),
      reading(4, { pressure: 0.26 }),
    ]);
    expect(outcomes.map((o) => kinds(o.effects))).toEqual([[], ['raise:yellow'], ['update:red'], ['update:yellow'], ['clear']]);
  });

  it('a device override moves the bounds; a clear bound an override left above the raise bound is held to it', () => {
    const high = device('g1', { raise: 0.8 });
    expect(kinds(feed(UNDERPASS, high, [reading(0, { water_level: 0.6 })]).outcomes[0]!.effects)).toEqual([]);
    const lowered = device('g2', { raise: 0.3 }); // clear stays 0.4 > 0.3: the rule clears below 0.3
    const { outcomes } = feed(UNDERPASS, lowered, [reading(0, { water_level: 0.35 }), reading(1, { water_level: 0.32 }), reading(2, { water_level: 0.29 })]);
    expect(outcomes.map((o) => kinds(o.effects))).toEqual([['raise:yellow'], [], ['clear']]);
    // A parameter that is not a finite number is ignored.
    const junk = device('g3', { raise: Number.NaN });
    expect(kinds(feed(UNDERPASS, junk, [reading(0, { water_level: 0.55 })]).outcomes[0]!.effects)).toEqual(['raise:yellow']);
  });
});

describe('severity rises and falls with the value', () => {
  it('updates only when the level changes or the peak grows', () => {
    const { outcomes } = feed(UNDERPASS, device('g1'), [
      reading(0, { water_level: 0.55 }),
      reading(1, { water_level: 0.6 }), // new peak, same level
      reading(2, { water_level: 0.58 }), // nothing to say
      reading(3, { water_level: 0.9 }),
      reading(4, { water_level: 1.3 }),
      reading(5, { water_level: 1.25 }),
      reading(6, { water_level: 1.0 }),
      reading(7, { water_level: 0.45 }), // below every level but still active: the least severe
      reading(8, { water_level: 0.3 }),
    ]);
    expect(outcomes.map((o) => kinds(o.effects))).toEqual([
      ['raise:yellow'],
      ['update:yellow'],
      [],
      ['update:orange'],
      ['update:red'],
      [],
      ['update:orange'],
      ['update:yellow'],
      ['clear'],
    ]);
    expect(outcomes[1]!.effects[0]).toMatchObject({ value: 0.6 });
    expect(outcomes[2]!.changed).toBe(false);
    expect(outcomes[5]!.changed).toBe(false);
  });
});

describe('what is not a change', () => {
  it('a normal reading of an inactive threshold rule changes nothing worth writing, from null or from a state', () => {
    const first = onReading(UNDERPASS, device('g1'), null, reading(0, { water_level: 0.1 }));
    expect(first).toMatchObject({ effects: [], wakeAt: null, changed: false });
    const second = onReading(UNDERPASS, device('g1'), first.state, reading(1, { water_level: 0.2 }));
    expect(second).toMatchObject({ effects: [], wakeAt: null, changed: false });
    expect(second.state.vals).toEqual({ water_level: 0.2 }); // fresher values, in memory only
  });

  it('ignores a reading without the metric, and values that are not finite numbers', () => {
    const raised = onReading(UNDERPASS, device('g1'), null, reading(0, { water_level: 0.6 }));
    for (const values of [{ battery: 80 }, { water_level: Number.NaN }, { water_level: Number.POSITIVE_INFINITY }, {}]) {
      const o = onReading(UNDERPASS, device('g1'), raised.state, reading(5, values as Record<string, number>));
      expect(o).toMatchObject({ effects: [], changed: false });
      expect(o.state.vals).toEqual({ water_level: 0.6 });
    }
    // A reading whose time cannot be read is ignored as a whole.
    const bad = onReading(UNDERPASS, device('g1'), raised.state, { deviceId: 'g1', ts: 'yesterday', values: { water_level: 0.1 } });
    expect(bad).toMatchObject({ effects: [], changed: false, state: raised.state });
  });

  it('a redelivered reading (same time) counts once', () => {
    const twice = feed(FIRE, device('f1', {}, 'fire_detector'), [reading(0, { fire: 1 }), reading(0, { fire: 1 }), reading(0, { fire: 1 })]);
    expect(twice.outcomes.flatMap((o) => o.effects)).toEqual([]);
    expect(twice.outcomes.slice(1).every((o) => !o.changed)).toBe(true);
  });

  it('a reading older than the last one of its metric is ignored; the clock never goes back', () => {
    const { outcomes, state } = feed(UNDERPASS, device('g1'), [reading(100, { water_level: 0.6 }), reading(50, { water_level: 0.1 })]);
    expect(kinds(outcomes[1]!.effects)).toEqual([]);
    expect(state!.vals).toEqual({ water_level: 0.6 });
    const clear = onReading(UNDERPASS, device('g1'), state, reading(120, { water_level: 0.1 }));
    expect(clear.effects).toEqual([{ type: 'clear', at: at(120), readings: { water_level: 0.1 } }]);
    // A tick in the past evaluates at the engine's own time.
    expect(onTick(UNDERPASS, device('g1'), clear.state, at(0)).state.t).toBe(T0 + 120_000);
  });

  it('starts afresh from a state that is not its own (corrupt or of another format)', () => {
    const o = onReading(UNDERPASS, device('g1'), { v: 9 } as unknown as RuleState, reading(0, { water_level: 0.6 }));
    expect(kinds(o.effects)).toEqual(['raise:yellow']);
    expect(o.changed).toBe(true);
  });
});

const GAS = rule(`
id: gas-leak
name: 燃气浓度超限
deviceTypes: [gas_detector]
params: { alarm: 20, clear: 10 }
condition:
  threshold: { metric: gas, above: $alarm, clearBelow: $clear }
  for: 2m
severity: { metric: gas, levels: [ { atLeast: $alarm, level: yellow }, { atLeast: 50, level: red } ] }
`);

describe('duration (for)', () => {
  it('fires when its time passes, with no new message', () => {
    const s = device('d1', {}, 'gas_detector');
    const a = onReading(GAS, s, null, reading(0, { gas: 25 }));
    expect(a).toMatchObject({ effects: [], wakeAt: at(120), changed: true });
    const b = onReading(GAS, s, a.state, reading(30, { gas: 30 })); // pending: the value the tick will report is written
    expect(b).toMatchObject({ effects: [], wakeAt: at(120), changed: true });
    expect(onReading(GAS, s, b.state, reading(40, { gas: 30 })).changed).toBe(false); // the same value again
    const early = onTick(GAS, s, b.state, at(119));
    expect(early).toMatchObject({ effects: [], wakeAt: at(120), changed: false });
    const due = onTick(GAS, s, early.state, at(120));
    expect(kinds(due.effects)).toEqual(['raise:yellow']);
    expect(due.effects[0]).toMatchObject({ at: at(120), value: 30, readings: { gas: 30 } });
    expect(due.effects[0]!.type === 'raise' && due.effects[0]!.reason).toEqual({ zh: 'gas 为 30，高于 20，已持续 2m', en: 'gas 30 above 20 for 2m' });
    expect(due.wakeAt).toBeNull();
    // Once raised the duration is not needed again to stay up; the clear bound applies.
    const c = onReading(GAS, s, due.state, reading(200, { gas: 15 }));
    expect(kinds(c.effects)).toEqual([]);
    expect(kinds(onReading(GAS, s, c.state, reading(210, { gas: 9 })).effects)).toEqual(['clear']);
  });

  it('restarts when the condition breaks before the time is up', () => {
    const s = device('d1', {}, 'gas_detector');
    const { outcomes, state } = feed(GAS, s, [reading(0, { gas: 25 }), reading(60, { gas: 5 }), reading(90, { gas: 25 })]);
    expect(outcomes.map((o) => o.wakeAt)).toEqual([at(120), null, at(210)]);
    expect(kinds(onTick(GAS, s, state, at(120)).effects)).toEqual([]);
    expect(kinds(onTick(GAS, s, state, at(210)).effects)).toEqual(['raise:yellow']);
  });

  it('a reading that comes after the time has passed raises at once', () => {
    const s = device('d1', {}, 'gas_detector');
    const { outcomes } = feed(GAS, s, [reading(0, { gas: 25 }), reading(150, { gas: 26 })]);
    expect(kinds(outcomes[1]!.effects)).toEqual(['raise:yellow']);
    expect(outcomes[1]!.effects[0]).toMatchObject({ at: at(150) });
  });

  it('a restart in the middle of a duration (state to JSON and back) gives the same outcome', () => {
    const s = device('d1', {}, 'gas_detector');
    const a = onReading(GAS, s, null, reading(0, { gas: 25 }));
    const b = onReading(GAS, s, a.state, reading(45, { gas: 55 }));
    expect(b.changed).toBe(true); // while a duration is pending, new values are written
    const restored = JSON.parse(JSON.stringify(b.state)) as RuleState; // what the caller wrote, after a restart
    const live = onTick(GAS, s, b.state, b.wakeAt!);
    const afterRestart = onTick(GAS, s, restored, b.wakeAt!);
    expect(afterRestart).toEqual(live);
    expect(live.effects).toMatchObject([{ type: 'raise', severity: 'red', value: 55, at: at(120) }]);
  });
});

const FIRE = rule(`
id: forest-fire
name: 林区火情
deviceTypes: [fire_detector]
category: safety.forest-fire
condition:
  count: { metric: fire, above: 0.5, times: 3, within: 10m }
severity: red
`);

describe('count (3 times in 10 minutes)', () => {
  const s = device('f1', {}, 'fire_detector');

  it('raises at the third detection within the window, and clears when the last leaves it, with no new message', () => {
    const { outcomes, state } = feed(FIRE, s, [
      reading(0, { fire: 1 }),
      reading(60, { fire: 0 }),
      reading(180, { fire: 1 }),
      reading(300, { fire: 0 }),
      reading(420, { fire: 1 }),
      reading(480, { fire: 0 }),
    ]);
    expect(outcomes.map((o) => kinds(o.effects))).toEqual([[], [], [], [], ['raise:red'], []]);
    expect(outcomes[1]!.changed).toBe(false); // a reading that does not count changes nothing
    expect(outcomes[4]!.effects[0]!.type === 'raise' && outcomes[4]!.effects[0]!.reason.en).toBe('fire above 0.5 3 times within 10m');
    // Held while one detection lies in the window (holdTimes 1): the last one leaves it after 10 minutes.
    expect(outcomes[5]!.wakeAt).toBe(new Date(T0 + 1_020_000 + 1).toISOString());
    expect(kinds(onTick(FIRE, s, state, at(1000)).effects)).toEqual([]);
    const cleared = onTick(FIRE, s, state, outcomes[5]!.wakeAt!);
    expect(kinds(cleared.effects)).toEqual(['clear']);
    expect(cleared.wakeAt).toBeNull();
  });

  it('does not raise when the detections are spread wider than the window', () => {
    const { outcomes } = feed(FIRE, s, [reading(0, { fire: 1 }), reading(300, { fire: 1 }), reading(601, { fire: 1 }), reading(700, { fire: 1 })]);
    expect(outcomes.map((o) => kinds(o.effects))).toEqual([[], [], [], ['raise:red']]);
  });

  it('an override cannot make it clear as soon as it raised (holdTimes is held to times)', () => {
    const r = rule(`
id: vibration
name: 振动
deviceTypes: [bridge_monitor]
params: { times: 3, hold: 2 }
condition: { count: { metric: vibration, above: 20, times: $times, within: 10m, holdTimes: $hold } }
severity: orange
`);
    const { outcomes } = feed(r, device('b1', { hold: 5 }, 'bridge_monitor'), [reading(0, { vibration: 30 }), reading(10, { vibration: 30 }), reading(20, { vibration: 30 }), reading(30, { vibration: 1 })]);
    expect(outcomes.map((o) => kinds(o.effects))).toEqual([[], [], ['raise:orange'], []]);
  });

  it('keeps only as many detections as it needs', () => {
    const many = Array.from({ length: 50 }, (_, i) => reading(i, { fire: 1 }));
    const { state } = feed(FIRE, s, many);
    expect((state!.n[0] as number[]).length).toBe(3);
  });
});

const BURST = rule(`
id: water-main-burst
name: 供水管网疑似爆管
deviceTypes: [water_pressure]
scope: asset
category: municipal.water.burst
params: { pressure_drop: 30, flow_rise: 20 }
condition:
  all:
    - change: { metric: pressure, fallsBy: "$pressure_drop%", within: 60s }
    - change: { metric: flow, risesBy: "$flow_rise%", within: 60s }
severity: orange
`);

describe('rate of change (the burst signature) across the meters of one asset', () => {
  const main: RuleSubject = { key: 'main-7', deviceType: 'water_pressure', assetId: 'main-7', params: {} };

  it('raises when the pressure falls 30 % within 60 s while the flow rises 20 %, from two meters', () => {
    const { outcomes, state } = feed(BURST, main, [
      reading(0, { pressure: 0.4 }, 'pm-1'),
      reading(5, { flow: 300 }, 'fm-1'),
      reading(30, { pressure: 0.3 }, 'pm-1'), // -25 %: not yet
      reading(40, { pressure: 0.27 }, 'pm-1'), // -32.5 %, but the flow has not risen
      reading(50, { flow: 380 }, 'fm-1'), // +26.7 %
    ]);
    expect(outcomes.map((o) => kinds(o.effects))).toEqual([[], [], [], [], ['raise:orange']]);
    const raise = outcomes[4]!.effects[0]!;
    expect(raise).toMatchObject({ metric: 'pressure', value: 0.27, readings: { pressure: 0.27, flow: 380 }, at: at(50) });
    expect(raise.type === 'raise' && raise.reason.en).toBe('pressure fell by 32.5% within 60s (0.4 → 0.27); flow rose by 26.7% within 60s (300 → 380)');
    // The alert stays while the main is open (each change still at least half of it), long after the window…
    const later = feed(BURST, main, [reading(300, { pressure: 0.28 }, 'pm-1'), reading(310, { flow: 370 }, 'fm-1')], state);
    expect(later.outcomes.map((o) => kinds(o.effects))).toEqual([[], []]);
    // …and clears when the pressure comes back.
    const back = onReading(BURST, main, later.state, reading(400, { pressure: 0.37 }, 'pm-1'));
    expect(kinds(back.effects)).toEqual(['clear']);
  });

  it('does not raise for a slow fall, or for one change alone', () => {
    const slow = feed(BURST, main, [
      reading(0, { pressure: 0.4, flow: 300 }),
      reading(50, { pressure: 0.34, flow: 330 }),
      reading(100, { pressure: 0.3, flow: 360 }),
      reading(150, { pressure: 0.26, flow: 400 }), // 35 % down and 33 % up, but over 150 s
    ]);
    expect(slow.outcomes.flatMap((o) => o.effects)).toEqual([]);
    const pressureOnly = feed(BURST, main, [reading(0, { pressure: 0.4, flow: 300 }), reading(20, { pressure: 0.2, flow: 300 })]);
    expect(pressureOnly.outcomes.flatMap((o) => o.effects)).toEqual([]);
  });

  it('an absolute change works for metrics that can be zero; a percentage of zero never holds', () => {
    const abs = rule(`
id: flow-jump
name: 流量突增
deviceTypes: [water_pressure]
condition: { change: { metric: flow, risesBy: 50, within: 1m } }
severity: yellow
`);
    expect(kinds(feed(abs, main, [reading(0, { flow: 0 }), reading(30, { flow: 60 })]).outcomes[1]!.effects)).toEqual(['raise:yellow']);
    const pct = rule(`
id: flow-jump-pct
name: 流量突增
deviceTypes: [water_pressure]
condition: { change: { metric: flow, risesBy: 20%, within: 1m } }
severity: yellow
`);
    expect(feed(pct, main, [reading(0, { flow: 0 }), reading(30, { flow: 60 })]).outcomes[1]!.effects).toEqual([]);
  });

  it('keeps its window bounded', () => {
    const steps = Array.from({ length: 2000 }, (_, i) => reading(i * 0.01, { pressure: 1000 - i, flow: 1 })); // 100 Hz, always falling
    const { state } = feed(BURST, main, steps);
    for (const n of state!.n) if (n !== null && typeof n === 'object' && 'w' in n) expect(n.w.length).toBeLessThanOrEqual(1024);
  });
});

const OFFLINE = rule(`
id: device-offline
name: 设备离线
deviceTypes: ['*']
exceptDeviceTypes: [camera]
params: { offline_after: 15m }
condition: { absence: { for: $offline_after } }
severity: blue
`);

describe('absence (device offline)', () => {
  const s = device('g1');

  it('raises when 15 minutes pass with no reading, with no new message, and clears on the next reading', () => {
    const a = onReading(OFFLINE, s, null, reading(0, { battery: 90 }));
    // The last reading is remembered to the minute: the alert comes 15 to 16 minutes after it, never early.
    expect(a).toMatchObject({ effects: [], wakeAt: at(960), changed: true });
    expect(onTick(OFFLINE, s, a.state, at(900)).effects).toEqual([]);
    const due = onTick(OFFLINE, s, a.state, a.wakeAt!);
    expect(due.effects).toEqual([
      { type: 'raise', severity: 'blue', metric: null, value: null, readings: {}, at: at(960), reason: { zh: '16m 未收到数据（自 2026-07-01T08:00:00.000Z 起）', en: 'no data for 16m (since 2026-07-01T08:00:00.000Z)' } },
    ]);
    expect(due.wakeAt).toBeNull();
    const back = onReading(OFFLINE, s, due.state, reading(1500, { battery: 88 }));
    expect(back.effects).toEqual([{ type: 'clear', at: at(1500), readings: {} }]);
    expect(back.wakeAt).toBe(at(2460));
  });

  it('a chatty device writes about once a minute, not once per reading', () => {
    const steps = Array.from({ length: 600 }, (_, i) => reading(i, { battery: 90 })); // 1 Hz for 10 minutes
    const { outcomes } = feed(OFFLINE, s, steps);
    expect(outcomes.filter((o) => o.changed).length).toBeLessThanOrEqual(11);
    expect(outcomes.flatMap((o) => o.effects)).toEqual([]);
  });

  it('watches a device never heard from from its first tick', () => {
    const first = onTick(OFFLINE, s, null, at(0));
    expect(first).toMatchObject({ effects: [], wakeAt: at(960), changed: true });
    expect(kinds(onTick(OFFLINE, s, first.state, at(960)).effects)).toEqual(['raise:blue']);
  });

  it('a device that reports hourly overrides the duration (in seconds)', () => {
    const hourly = device('aq-1', { offline_after: 3600 }, 'air_quality');
    const a = onReading(OFFLINE, hourly, null, reading(0, { pm25: 0.05 }));
    expect(a.wakeAt).toBe(at(3660));
  });

  it('applies to every device type but the excepted ones', () => {
    expect(appliesTo(OFFLINE, 'water_gauge')).toBe(true);
    expect(appliesTo(OFFLINE, 'some_new_type')).toBe(true);
    expect(appliesTo(OFFLINE, 'camera')).toBe(false);
    expect(rulesFor([UNDERPASS, OFFLINE, GAS], 'water_gauge').map((r) => r.id)).toEqual(['underpass-water-level', 'device-offline']);
    expect(rulesFor([UNDERPASS, OFFLINE, GAS], 'camera')).toEqual([]);
  });
});

describe('AND / OR across the sensors at one asset', () => {
  const both = rule(`
id: underpass-flooding
name: 下穿道积水且降雨
deviceTypes: [water_gauge, rain_gauge]
scope: asset
condition:
  all:
    - threshold: { metric: water_level, above: 0.3 }
    - any:
        - threshold: { metric: rain_mm_h, above: 30 }
        - threshold: { metric: inflow, above: 5 }
severity: orange
`);
  const asset: RuleSubject = { key: 'underpass-1', deviceType: 'water_gauge', assetId: 'underpass-1', params: {} };

  it('combines the last value of each metric, whichever device sent it', () => {
    const { outcomes } = feed(both, asset, [
      reading(0, { water_level: 0.35 }, 'gauge'),
      reading(10, { rain_mm_h: 10 }, 'rain'),
      reading(20, { rain_mm_h: 40 }, 'rain'),
      reading(30, { rain_mm_h: 12 }, 'rain'),
      reading(40, { inflow: 8 }, 'pump'),
      reading(50, { inflow: 1 }, 'pump'),
    ]);
    expect(outcomes.map((o) => kinds(o.effects))).toEqual([[], [], ['raise:orange'], ['clear'], ['raise:orange'], ['clear']]);
    expect(outcomes[2]!.effects[0]).toMatchObject({ readings: { water_level: 0.35, rain_mm_h: 40 } });
    expect(outcomes[2]!.effects[0]!.type === 'raise' && outcomes[2]!.effects[0]!.reason.zh).toBe('water_level 为 0.35，高于 0.3；rain_mm_h 为 40，高于 30');
  });

  it('computes the subject key: the device, or its asset for an asset-scoped rule', () => {
    expect(subjectKey(both, { id: 'gauge', assetId: 'underpass-1' })).toBe('underpass-1');
    expect(subjectKey(both, { id: 'gauge', assetId: null })).toBeNull();
    expect(subjectKey(UNDERPASS, { id: 'gauge', assetId: 'underpass-1' })).toBe('gauge');
  });

  it('a duration inside a tree, and a raise that needs no new wait after a clear caused by something else', () => {
    const r = rule(`
id: combined-duration
name: 组合持续
deviceTypes: [water_gauge]
condition:
  all:
    - threshold: { metric: water_level, above: 0.5 }
      for: 2m
    - threshold: { metric: rain_mm_h, above: 30 }
severity: yellow
`);
    const s = device('g1');
    const a = feed(r, s, [reading(0, { water_level: 0.6, rain_mm_h: 40 })]);
    expect(a.outcomes[0]!.wakeAt).toBe(at(120));
    const b = onTick(r, s, a.state, at(120));
    expect(kinds(b.effects)).toEqual(['raise:yellow']);
    const c = feed(r, s, [reading(130, { rain_mm_h: 10 }), reading(140, { rain_mm_h: 50 })], b.state);
    expect(c.outcomes.map((o) => kinds(o.effects))).toEqual([['clear'], ['raise:yellow']]);
  });
});

describe('state', () => {
  it('is small JSON', () => {
    const { state } = feed(UNDERPASS, device('g1'), [reading(0, { water_level: 0.6 })]);
    const text = JSON.stringify(state);
    expect(JSON.parse(text)).toEqual(state);
    expect(text.length).toBeLessThan(200);
  });

  it('kept for an older shape of the rule: windows restart, an active alert stays active under the new condition', () => {
    const raised = onReading(UNDERPASS, device('g1'), null, reading(0, { water_level: 0.9 }));
    const v2 = rule(`
id: underpass-water-level
name: 下穿道积水超限
deviceTypes: [water_gauge]
condition:
  threshold: { metric: water_level, above: 0.7, clearBelow: 0.6 }
  for: 1m
severity: orange
`);
    const a = onReading(v2, device('g1'), raised.state, reading(10, { water_level: 0.65 }));
    expect(a.effects).toEqual([]);
    expect(a.changed).toBe(true);
    expect(a.state.active).toBe(true);
    expect(kinds(onReading(v2, device('g1'), a.state, reading(20, { water_level: 0.5 })).effects)).toEqual(['clear']);
  });

  /**
   * The promise behind `changed`: a caller that writes the state only when `changed` (and ticks at
   * `wakeAt`), and restarts from what it wrote at any moment, raises and clears at the same times
   * and with the same severities as one that never restarts.
   */
  it.each([
    ['threshold', UNDERPASS, ['water_level'], [0, 1.5]],
    ['duration', GAS, ['gas'], [0, 60]],
    ['count', FIRE, ['fire'], [0, 1]],
    ['change', BURST, ['pressure', 'flow'], [0.1, 0.5]],
    ['absence', OFFLINE, ['battery'], [0, 100]],
  ] as const)('restarting from the written state at any moment changes no outcome (%s)', (_, r, metrics, [lo, hi]) => {
    let seed = 42;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const events: Reading[] = [];
    let time = 0;
    let level = (lo + hi) / 2;
    for (let i = 0; i < 3000; i++) {
      time += random() < 0.02 ? 600 + random() * 1200 : 1 + random() * 40; // now and then a long silence
      level = Math.min(hi, Math.max(lo, level + (random() - 0.5) * (hi - lo) * 0.3));
      const values: Record<string, number> = {};
      for (const m of metrics) if (random() < 0.8) values[m] = r === FIRE ? (random() < 0.15 ? 1 : 0) : m === 'flow' ? 150 / level : level;
      events.push(reading(time, values));
    }
    const s = device('x1');
    const run = (restartEveryStep: boolean): string[] => {
      let memory: RuleState | null = null;
      let written = null as RuleState | null;
      let wake = null as string | null; // assigned in apply: the loop below must not narrow it to null
      const log: string[] = [];
      let severity: string | null = null;
      const apply = (o: RuleOutcome): void => {
        for (const e of o.effects) {
          // An update for a new peak alone may repeat after a restart (its value is right): left out.
          if (e.type === 'update' && e.severity === severity) continue;
          severity = e.type === 'clear' ? null : e.severity;
          log.push(`${e.at} ${e.type === 'clear' ? 'clear' : `${e.type} ${e.severity}`} ${e.type === 'raise' ? e.value : ''}`);
        }
        memory = o.state;
        if (o.changed) {
          written = JSON.parse(JSON.stringify(o.state)) as RuleState;
          wake = o.wakeAt;
        }
      };
      const current = (): RuleState | null => (restartEveryStep ? written : memory);
      for (const e of events) {
        while (wake !== null && wake <= e.ts) apply(onTick(r, s, current(), wake));
        apply(onReading(r, s, current(), e));
      }
      return log;
    };
    const live = run(false);
    expect(live.length).toBeGreaterThan(2);
    expect(run(true)).toEqual(live);
  });
});
