import { describe, expect, it } from 'vitest';
import type { Reading } from '../sensing-model.ts';
import { onReading, onTick, subjectKey, type RuleOutcome, type RuleState, type RuleSubject } from './rule-engine.ts';
import { at, BURST, device, feed, FIRE, GAS, kinds, OFFLINE, reading, rule, T0, UNDERPASS } from './rule-test-kit.ts';

// The timed conditions (for, count, change, absence) are in rule-windows.test.ts.

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
