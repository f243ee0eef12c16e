/**
 * What the rule engine's tests share: a clock of seconds from a fixed start, readings and subjects
 * in one line, a feeder that keeps the state between readings, and the rules they exercise.
 */
import type { Reading } from '../sensing-model.ts';
import { compileRule, parseRules, type CompiledRule } from './rule-definition.ts';
import { onReading, type RuleEffect, type RuleOutcome, type RuleState, type RuleSubject } from './rule-engine.ts';

export const T0 = Date.parse('2026-07-01T08:00:00Z');
/** Seconds after T0 as an ISO time. */
export const at = (s: number): string => new Date(T0 + s * 1000).toISOString();
export const rule = (yaml: string): CompiledRule => compileRule(parseRules(yaml)[0]!);
export const device = (key: string, params: Record<string, number> = {}, deviceType = 'water_gauge'): RuleSubject => ({ key, deviceType, assetId: null, params });
export const reading = (s: number, values: Record<string, number>, deviceId = 'g1'): Reading => ({ deviceId, ts: at(s), values });
export const kinds = (effects: readonly RuleEffect[]): string[] => effects.map((e) => (e.type === 'clear' ? 'clear' : `${e.type}:${e.severity}`));

/** Feeds readings in order, keeping the state; returns every outcome. */
export function feed(r: CompiledRule, subject: RuleSubject, steps: readonly Reading[], state: RuleState | null = null): { outcomes: RuleOutcome[]; state: RuleState | null } {
  const outcomes: RuleOutcome[] = [];
  for (const x of steps) {
    const o = onReading(r, subject, state, x);
    outcomes.push(o);
    state = o.state;
  }
  return { outcomes, state };
}

export const UNDERPASS = rule(`
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

export const GAS = rule(`
id: gas-leak
name: 燃气浓度超限
deviceTypes: [gas_detector]
params: { alarm: 20, clear: 10 }
condition:
  threshold: { metric: gas, above: $alarm, clearBelow: $clear }
  for: 2m
severity: { metric: gas, levels: [ { atLeast: $alarm, level: yellow }, { atLeast: 50, level: red } ] }
`);

export const FIRE = rule(`
id: forest-fire
name: 林区火情
deviceTypes: [fire_detector]
category: safety.forest-fire
condition:
  count: { metric: fire, above: 0.5, times: 3, within: 10m }
severity: red
`);

export const BURST = rule(`
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

export const OFFLINE = rule(`
id: device-offline
name: 设备离线
deviceTypes: ['*']
exceptDeviceTypes: [camera]
params: { offline_after: 15m }
condition: { absence: { for: $offline_after } }
severity: blue
`);
