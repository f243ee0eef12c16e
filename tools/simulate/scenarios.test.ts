import { describe, expect, it } from 'vitest';
import { metricOf } from '../../src/sensing/devices/device-types.ts';
import { parseCameraEvent } from '../../src/sensing/muck/camera-event.ts';
import { DEMO_MUCK } from '../../cities/chongqing/demo/demo-muck-chain.ts';
import { cameraPayload, parseScenarioNames, programme, realOffsetMs, scenario, SCENARIO_DEVICES, SCENARIO_NAMES, type TelemetryStep } from './scenarios.ts';
import { RuleFeeder, shippedRules } from './test-rules.ts';

const RULES = shippedRules();
const T0 = Date.parse('2026-07-01T10:00:00Z');
const telemetry = (name: Parameters<typeof scenario>[0]) => scenario(name).steps.filter((s): s is TelemetryStep => s.kind === 'telemetry');

/** Plays a scenario's readings through a shipped rule at `speed`, stamped as the simulator stamps them. */
function play(ruleId: string, name: Parameters<typeof scenario>[0], speed: number, subjectKey: string): RuleFeeder {
  const f = new RuleFeeder(RULES.get(ruleId)!, { key: subjectKey, deviceType: SCENARIO_DEVICES[name].type, assetId: subjectKey, params: {} });
  for (const s of telemetry(name)) f.reading(T0 + realOffsetMs(s.at, speed), { ...s.values });
  return f;
}

describe('scenarios', () => {
  it('parses --scenario: a name, all, or a list in the order of all; refuses unknown names', () => {
    expect(parseScenarioNames('all')).toEqual(['burst', 'underpass', 'truck', 'fire']);
    expect(parseScenarioNames('fire, burst')).toEqual(['burst', 'fire']);
    expect(parseScenarioNames('UNDERPASS')).toEqual(['underpass']);
    expect(() => parseScenarioNames('flood')).toThrow(/unknown scenario "flood": burst, underpass, truck, fire, all/);
    expect(() => parseScenarioNames(' , ')).toThrow(/needs a name/);
  });

  it('keeps every value inside the instrument range, steps in time order from 0, and ends by releasing the device', () => {
    for (const name of SCENARIO_NAMES) {
      const s = scenario(name);
      expect(s.steps[0]!.at).toBe(0);
      expect(s.steps.every((st, i) => i === 0 || st.at >= s.steps[i - 1]!.at)).toBe(true);
      expect(s.length).toBe(s.steps[s.steps.length - 1]!.at);
      expect(s.steps.every((st) => st.deviceId === SCENARIO_DEVICES[name].id)).toBe(true);
      for (const st of s.steps) {
        if (st.kind !== 'telemetry') continue;
        for (const [metric, v] of Object.entries(st.values)) {
          const m = metricOf(SCENARIO_DEVICES[name].type, metric)!;
          expect(v >= m.min && v <= m.max, `${name} ${metric}=${v}`).toBe(true);
        }
      }
      const last = s.steps[s.steps.length - 1]!;
      if (last.kind === 'telemetry') expect(last.release).toBe(true);
    }
  });

  it('burst: the pressure falls ≥ 40 % and the flow rises ≥ 30 % within 30 s, holds, then recovers', () => {
    const steps = telemetry('burst');
    /** The largest fall of pressure and rise of flow reaching each step from within `window` seconds before it. */
    const signature = (window: number) =>
      steps.map((s) => {
        const w = steps.filter((x) => x.at >= s.at - window && x.at <= s.at);
        const pMax = Math.max(...w.map((x) => x.values.pressure!));
        const fMin = Math.min(...w.map((x) => x.values.flow!));
        return { at: s.at, fall: (pMax - s.values.pressure!) / pMax, rise: (s.values.flow! - fMin) / fMin };
      });
    // The shipped rule's signature: 30 % and 20 % within 60 s …
    expect(signature(60).some((x) => x.fall >= 0.3 && x.rise >= 0.2)).toBe(true);
    // … and the scenario's own promise: 40 % and 30 % within 30 s.
    const strong = signature(30).find((x) => x.fall >= 0.4 && x.rise >= 0.3);
    expect(strong?.at).toBeLessThanOrEqual(60);
    // It holds for minutes, then comes back to a normal pressure and flow.
    const held = steps.filter((s) => s.at >= 70 && s.at <= 360);
    expect(held.every((s) => s.values.pressure! < 0.22 && s.values.flow! > 1150)).toBe(true);
    const last = steps[steps.length - 1]!;
    expect(last.values.pressure).toBeGreaterThanOrEqual(0.3);
    expect(last.values.flow).toBeLessThanOrEqual(1000);
  });

  it.each([1, 10, 100])('burst raises water-main-burst and clears it at speed %i', (speed) => {
    const f = play('water-main-burst', 'burst', speed, 'demo-wm-500103-changjiang-2');
    const kinds = f.effects.map((e) => e.effect.type);
    expect(kinds[0]).toBe('raise');
    expect(kinds[kinds.length - 1]).toBe('clear');
    expect(kinds.filter((k) => k === 'raise')).toHaveLength(1);
    const raisedAt = (f.effects[0]!.atMs - T0) * (speed / 1000);
    expect(raisedAt).toBeGreaterThanOrEqual(35);
    expect(raisedAt).toBeLessThanOrEqual(60);
    // Cleared only once the valves are shut (the recovery begins at 360 s).
    const clearedAt = (f.effects[f.effects.length - 1]!.atMs - T0) * (speed / 1000);
    expect(clearedAt).toBeGreaterThan(360);
  });

  it('underpass: the water crosses 0.5 m, holds near 0.7 m, later falls under 0.4 m', () => {
    const steps = telemetry('underpass');
    const level = (s: TelemetryStep) => s.values.water_level!;
    const over = steps.findIndex((s) => level(s) > 0.5);
    expect(over).toBeGreaterThan(0);
    expect(steps[over]!.at).toBeLessThanOrEqual(300);
    const peak = Math.max(...steps.map(level));
    expect(peak).toBeGreaterThan(0.65);
    expect(peak).toBeLessThan(0.8); // yellow, not orange
    const under = steps.findIndex((s, i) => i > over && level(s) < 0.4);
    expect(under).toBeGreaterThan(over);
    expect(level(steps[steps.length - 1]!)).toBeLessThan(0.1);
    const f = play('underpass-water-level', 'underpass', 10, 'gauge-nankai-01');
    expect(f.effects.map((e) => (e.effect.type === 'clear' ? 'clear' : `${e.effect.type}:${e.effect.severity}`)).filter((k) => k !== 'update:yellow')).toEqual(['raise:yellow', 'clear']);
  });

  it('fire: raises forest-fire red at its height; the alert ends ten real minutes after the last detection', () => {
    const f = play('forest-fire', 'fire', 10, 'fire-yunyang-01');
    expect(f.effects[0]!.effect).toMatchObject({ type: 'raise', severity: 'orange' });
    expect(f.effects.some((e) => e.effect.type === 'update' && e.effect.severity === 'red')).toBe(true);
    const lastFlame = Math.max(...telemetry('fire').filter((s) => s.values.fire === 1).map((s) => T0 + realOffsetMs(s.at, 10)));
    // Temperature and smoke are back to normal, but the flame detections still count for 10 minutes.
    expect(f.active).toBe(true);
    f.tick(lastFlame + 9 * 60_000);
    expect(f.active).toBe(true);
    f.tick(lastFlame + 10 * 60_000 + 1_000);
    expect(f.active).toBe(false);
  });

  it('truck: one 渣土车撒漏 event of the 解放碑 camera, off its route, that the platform reads', () => {
    const [step] = scenario('truck').steps;
    expect(step).toMatchObject({ kind: 'camera', deviceId: DEMO_MUCK.cameraId, truck: 'offRoute' });
    const now = new Date(T0);
    const parsed = parseCameraEvent(cameraPayload(step as never, now), { now, cameraId: DEMO_MUCK.cameraId });
    expect(parsed.ok && parsed.event).toMatchObject({ cameraId: 'cam-jiefangbei-01', eventType: '渣土车撒漏', plate: '渝B36051D', at: now.toISOString() });
  });

  it('speed divides scenario time: a 5-minute rise at speed 10 takes 30 s; all is staggered', () => {
    expect(realOffsetMs(300, 10)).toBe(30_000);
    expect(realOffsetMs(300, 1)).toBe(300_000);
    expect(() => realOffsetMs(1, 0)).toThrow(RangeError);
    const rise = telemetry('underpass').filter((s) => s.at <= 300);
    expect(realOffsetMs(rise[rise.length - 1]!.at, 10) - realOffsetMs(rise[0]!.at, 10)).toBe(30_000);
    const all = programme(parseScenarioNames('all'));
    const firstOf = (n: string) => all.steps.find((s) => s.scenario === n)!.at;
    expect([firstOf('burst'), firstOf('underpass'), firstOf('truck'), firstOf('fire')]).toEqual([0, 120, 300, 420]);
    expect(all.length).toBe(420 + scenario('fire').length);
    expect(realOffsetMs(all.length, 10)).toBe(174_000);
    // A single scenario starts at once.
    expect(programme(['fire']).steps[0]!.at).toBe(0);
  });
});
