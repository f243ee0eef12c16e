/** The rule engine's timed conditions: durations, counts in a window, rates of change, absences. */
import { describe, expect, it } from 'vitest';
import { appliesTo, onReading, onTick, rulesFor, type RuleState, type RuleSubject } from './rule-engine.ts';
import { at, BURST, device, feed, FIRE, GAS, kinds, OFFLINE, reading, rule, T0, UNDERPASS } from './rule-test-kit.ts';

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
