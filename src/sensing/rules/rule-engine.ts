/**
 * The rule engine (pure): a compiled rule, a subject (a device, or an asset for asset-scoped
 * rules), the subject's state and either a reading or the clock's `now` go in; the new state,
 * the alert effects (raise, update, clear) and the time the clock must call again come out.
 * No I/O, no Date.now: time comes in with the reading (its `ts`) or with the tick.
 *
 * The state is plain JSON, small and bounded; the caller keeps it per (rule, subject), writes it
 * when `changed` and calls onTick at `wakeAt`. Reference: docs/reference/rules.md.
 *
 * This module is the state machine (a step: values in, conditions evaluated, raise / update /
 * clear, the next wake time); its parts are `rule-windows.ts` (values taken into count and change
 * windows), `rule-conditions.ts` (the condition tree evaluated), `rule-severity.ts` and
 * `rule-reasons.ts` (what an alert says).
 */
import type { Reading, Severity } from '../sensing-model.ts';
import type { CompiledRule } from './rule-definition.ts';
import { evaluate, grain, holdTimesOf, iso, setNode, value, type NodeState, type StepWork } from './rule-conditions.ts';
import { takeValue } from './rule-windows.ts';
import { levelReached, primaryValue, severityOf } from './rule-severity.ts';
import { explain } from './rule-reasons.ts';

export interface RuleSubject {
  /** The device id for a device-scoped rule, the asset id for an asset-scoped one (see subjectKey). */
  readonly key: string;
  readonly deviceType: string;
  readonly assetId: string | null;
  /** Overrides of the rule's parameters by name; names the rule does not declare are ignored. */
  readonly params: Readonly<Record<string, number>>;
}

/**
 * What the engine remembers about one subject under one rule. JSON-serialisable; treat it as
 * opaque. Times are epoch milliseconds.
 */
export interface RuleState {
  /** Format version. */
  readonly v: 1;
  /** The rule's condition signature this state was built for. */
  readonly sig: string;
  /** The engine's clock: the latest reading time or tick seen (never goes back). */
  readonly t: number | null;
  /** Last value of each metric the rule reads, and its reading time. */
  readonly vals: Readonly<Record<string, number>>;
  readonly vts: Readonly<Record<string, number>>;
  readonly active: boolean;
  readonly severity: Severity | null;
  /** While active: the worst value of the primary metric so far. */
  readonly peak: number | null;
  /** The wake time this state asked for (epoch ms), so that a change of it is a change of state. */
  readonly wake: number | null;
  /** Per condition node (by index): what it remembers (`NodeState` in rule-conditions.ts). */
  readonly n: readonly NodeState[];
}

export type RuleEffect =
  | {
      readonly type: 'raise';
      readonly severity: Severity;
      /** The metric the alert reports (the severity metric, else the first one of the condition); null for an absence. */
      readonly metric: string | null;
      readonly value: number | null;
      /** The last value of every metric the rule reads. */
      readonly readings: Record<string, number>;
      readonly at: string;
      readonly reason: { readonly zh: string; readonly en: string };
    }
  | { readonly type: 'update'; readonly severity: Severity; readonly metric: string | null; readonly value: number | null; readonly readings: Record<string, number>; readonly at: string }
  | { readonly type: 'clear'; readonly at: string; readonly readings: Record<string, number> };

export interface RuleOutcome {
  readonly state: RuleState;
  readonly effects: RuleEffect[];
  /** When onTick must run next if no reading comes (a duration, an absence, a count window); null: not needed. */
  readonly wakeAt: string | null;
  /**
   * The state differs from the input in a way that matters for a future outcome: persist it (with
   * wakeAt). When false the new state only carries fresher values; keep it in memory if you like.
   */
  readonly changed: boolean;
}

// ───────────────────────────── entry points ─────────────────────────────

/** Evaluates a rule for one reading of the subject (for an asset: of any device at the asset). */
export function onReading(rule: CompiledRule, subject: RuleSubject, state: RuleState | null, reading: Reading): RuleOutcome {
  const ts = Date.parse(reading.ts);
  const input = usable(rule, state);
  if (Number.isNaN(ts)) return unchanged(input, state);
  return step(rule, subject, state, input, ts, reading);
}

/** Evaluates a rule on the clock alone: durations and absences fire, count windows expire. */
export function onTick(rule: CompiledRule, subject: RuleSubject, state: RuleState | null, now: string): RuleOutcome {
  const ms = Date.parse(now);
  if (Number.isNaN(ms)) throw new TypeError(`onTick: now ${JSON.stringify(now)} is not a time`);
  return step(rule, subject, state, usable(rule, state), ms, null);
}

/** The rules that read devices of a type. */
export function rulesFor(rules: readonly CompiledRule[], deviceType: string): CompiledRule[] {
  return rules.filter((r) => appliesTo(r, deviceType));
}

export function appliesTo(rule: CompiledRule, deviceType: string): boolean {
  return rule.deviceTypes === null ? !rule.exceptDeviceTypes.has(deviceType) : rule.deviceTypes.has(deviceType);
}

/**
 * The subject a device's readings feed under a rule: the device itself, or its asset for an
 * asset-scoped rule (null when the device watches no asset: the rule does not apply).
 */
export function subjectKey(rule: CompiledRule, device: { readonly id: string; readonly assetId: string | null }): string | null {
  return rule.scope === 'asset' ? device.assetId : device.id;
}

/** A fresh state, as the engine starts from when given null. */
export function initialState(rule: CompiledRule): RuleState {
  return { v: 1, sig: rule.signature, t: null, vals: {}, vts: {}, active: false, severity: null, peak: null, wake: null, n: rule.nodes.map(() => null) };
}

// ───────────────────────────── the step ─────────────────────────────

/** A stored state for this rule, a state for another shape of condition reset but for its alert, or a fresh one. */
function usable(rule: CompiledRule, state: RuleState | null): RuleState {
  if (state === null || typeof state !== 'object' || state.v !== 1 || !Array.isArray(state.n)) return initialState(rule);
  if (state.sig === rule.signature && state.n.length === rule.nodes.length) return state;
  // A new version with another condition: windows and durations restart, an active alert stays
  // active and is judged by the new condition.
  return { ...initialState(rule), t: state.t ?? null, vals: { ...(state.vals ?? {}) }, vts: { ...(state.vts ?? {}) }, active: state.active === true, severity: state.severity ?? null, peak: state.peak ?? null };
}

function unchanged(input: RuleState, original: RuleState | null): RuleOutcome {
  return { state: input, effects: [], wakeAt: input.wake === null ? null : iso(input.wake), changed: original !== null && input !== original };
}

function step(rule: CompiledRule, subject: RuleSubject, original: RuleState | null, input: RuleState, time: number, reading: Reading | null): RuleOutcome {
  const w: StepWork = {
    rule,
    p: subject.params ?? {},
    t: input.t === null ? time : Math.max(input.t, time),
    active: input.active,
    vals: input.vals as Record<string, number>,
    n: input.n as NodeState[],
    nodesCopied: false,
    // A state reset for a new condition shape must be written.
    dirty: original !== null && input !== original,
    truth: [],
    wake: Infinity,
  };
  let vts = input.vts as Record<string, number>;

  if (reading !== null) {
    const values = reading.values ?? {};
    // While a tick may act (a pending duration, an active count), the values it would report
    // are written too, so that a restart changes nothing the tick does.
    const pending = input.wake !== null;
    const severityMetric = rule.severity.kind === 'levels' ? rule.severity.metric : null;
    let valsCopied = false;
    for (const metric of rule.metrics) {
      const v = values[metric];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      const last = vts[metric];
      if (last !== undefined && time <= last) continue; // not newer than what the rule knows of this metric (a redelivery, a late message)
      const old = w.vals[metric];
      if (!valsCopied) {
        w.vals = { ...w.vals };
        vts = { ...vts };
        valsCopied = true;
      }
      w.vals[metric] = v;
      vts[metric] = time;
      if (pending && old !== v) w.dirty = true;
      if (metric === severityMetric && levelReached(rule, old, w.p) !== levelReached(rule, v, w.p)) w.dirty = true;
      for (const i of rule.nodesByMetric.get(metric) ?? []) takeValue(w, i, old, v, time);
    }
    if (rule.hasAbsence) {
      for (const i of rule.timedNodes) {
        const node = rule.nodes[i]!;
        if (node.kind !== 'absence') continue;
        const seen = w.n[i] as number | null;
        // Kept coarse, so that a chatty device does not make every reading a write.
        if (seen === null || time >= seen + grain(value(node.after, w.p))) setNode(w, i, seen === null ? time : Math.max(seen, time));
      }
    }
  } else if (rule.hasAbsence) {
    // A subject never heard from: the watch starts with the first tick.
    for (const i of rule.timedNodes) if (rule.nodes[i]!.kind === 'absence' && w.n[i] === null) setNode(w, i, w.t);
  }

  const wasActive = input.active;
  const holds = evaluate(w, 0, wasActive ? 'hold' : 'raise');
  const effects: RuleEffect[] = [];
  let severity = input.severity;
  let peak = input.peak;
  if (!wasActive && holds) {
    severity = severityOf(rule, w.vals, w.p, null);
    const v = primaryValue(rule, w.vals);
    peak = v;
    w.active = true;
    w.dirty = true;
    effects.push({ type: 'raise', severity, metric: rule.primary?.metric ?? null, value: v, readings: { ...w.vals }, at: iso(w.t), reason: explain(w, 0) });
  } else if (wasActive && !holds) {
    severity = null;
    peak = null;
    w.active = false;
    w.dirty = true;
    effects.push({ type: 'clear', at: iso(w.t), readings: { ...w.vals } });
  } else if (wasActive) {
    const next = severityOf(rule, w.vals, w.p, severity);
    const v = primaryValue(rule, w.vals);
    const newPeak = v !== null && rule.primary !== null && (peak === null || (rule.primary.up ? v > peak : v < peak));
    if (next !== severity || newPeak) {
      if (newPeak) peak = v;
      severity = next;
      w.dirty = true;
      effects.push({ type: 'update', severity: next, metric: rule.primary?.metric ?? null, value: v, readings: { ...w.vals }, at: iso(w.t) });
    }
  }

  // When no reading comes, what could change the outcome on its own?
  for (const i of rule.timedNodes) {
    const node = rule.nodes[i]!;
    if (!w.active) {
      // Inactive: a duration completing, an absence starting.
      if (node.kind === 'for') {
        const since = w.n[i] as number | null;
        if (since !== null) {
          const due = since + value(node.after, w.p);
          if (due > w.t) w.wake = Math.min(w.wake, due);
        }
      } else if (node.kind === 'absence') {
        const seen = w.n[i] as number | null;
        if (seen !== null) {
          const due = seen + value(node.after, w.p) + grain(value(node.after, w.p));
          if (due > w.t) w.wake = Math.min(w.wake, due);
        }
      }
    } else if (node.kind === 'count') {
      // Active: a count's readings leaving its window.
      const hits = w.n[i] as readonly number[] | null;
      const need = holdTimesOf(node, w.p);
      if (hits !== null && hits.length >= need) {
        // The window includes its start: a reading leaves it just after `within` has passed.
        const due = hits[hits.length - need]! + value(node.within, w.p) + 1;
        if (due > w.t) w.wake = Math.min(w.wake, due);
      }
    }
  }
  const wake = w.wake === Infinity ? null : w.wake;
  if (wake !== input.wake) w.dirty = true;

  const state: RuleState = { v: 1, sig: rule.signature, t: w.t, vals: w.vals, vts, active: w.active, severity, peak, wake, n: w.n };
  return { state, effects, wakeAt: wake === null ? null : iso(wake), changed: w.dirty };
}
