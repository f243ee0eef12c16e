/**
 * The rule engine (pure): a compiled rule, a subject (a device, or an asset for asset-scoped
 * rules), the subject's state and either a reading or the clock's `now` go in; the new state,
 * the alert effects (raise, update, clear) and the time the clock must call again come out.
 * No I/O, no Date.now: time comes in with the reading (its `ts`) or with the tick.
 *
 * The state is plain JSON, small and bounded; the caller keeps it per (rule, subject), writes it
 * when `changed` and calls onTick at `wakeAt`. Reference: docs/reference/rules.md.
 */
import { severityRank, type Reading, type Severity } from '../sensing-model.ts';
import { formatDuration, type CompiledRule, type RuleNode, type ValueRef } from './rule-definition.ts';

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
  /**
   * Per condition node (by index): `for` → since (ms) | null; count → times of matching readings;
   * change → { w: [ts, value, ts, value, …] (a monotonic window), ref: latched reference | null };
   * absence → last reading time (ms, kept coarse) | null; others → null.
   */
  readonly n: readonly NodeState[];
}

export type NodeState = number | null | readonly number[] | { readonly w: readonly number[]; readonly ref: number | null };

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

/** Samples kept per change window; older ones are dropped first beyond this. */
export const MAX_WINDOW_SAMPLES = 512;
/** Matching readings kept per count. */
const MAX_COUNT_HITS = 1000;
/** Relative tolerance when comparing a change with its bound (0.4 → 0.28 is a 30 % fall). */
const EPSILON = 1e-9;

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

interface Work {
  readonly rule: CompiledRule;
  readonly p: Readonly<Record<string, number>>;
  t: number;
  active: boolean;
  vals: Record<string, number>;
  n: NodeState[];
  nodesCopied: boolean;
  dirty: boolean;
  /** Per node: did it hold in the evaluation (for the reason of a raise). */
  truth: boolean[];
  wake: number;
}

function step(rule: CompiledRule, subject: RuleSubject, original: RuleState | null, input: RuleState, time: number, reading: Reading | null): RuleOutcome {
  const w: Work = {
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
      for (const i of rule.nodesByMetric.get(metric) ?? []) ingest(w, i, old, v, time);
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

// ───────────────────────────── taking a value in ─────────────────────────────

function setNode(w: Work, i: number, s: NodeState): void {
  if (!w.nodesCopied) {
    w.n = [...w.n];
    w.nodesCopied = true;
  }
  w.n[i] = s;
  w.dirty = true;
}

/** A new value of a metric for node i: windows take the sample; a threshold marks the state dirty when the value crosses a bound. */
function ingest(w: Work, i: number, old: number | undefined, v: number, ts: number): void {
  const node = w.rule.nodes[i]!;
  switch (node.kind) {
    case 'threshold': {
      if (zone(node, old, w.p) !== zone(node, v, w.p)) w.dirty = true;
      return;
    }
    case 'count': {
      const bound = value(node.bound, w.p);
      if (!(node.up ? v > bound : v < bound)) return;
      const keep = timesOf(node, w.p);
      const hits = (w.n[i] as readonly number[] | null) ?? [];
      const next = [...hits, ts];
      setNode(w, i, next.length > keep ? next.slice(next.length - keep) : next);
      return;
    }
    case 'change': {
      const s = (w.n[i] as { w: readonly number[]; ref: number | null } | null) ?? { w: [], ref: null };
      const from = w.t - value(node.within, w.p);
      const win: number[] = [];
      for (let k = 0; k < s.w.length; k += 2) if (s.w[k]! >= from) win.push(s.w[k]!, s.w[k + 1]!);
      // A monotonic window: for a fall, the values left are decreasing, so the first is the window's
      // maximum; a sample is dropped once a newer one is at least as high (it can never be the max again).
      while (win.length > 0 && (node.up ? win[win.length - 1]! >= v : win[win.length - 1]! <= v)) win.length -= 2;
      win.push(ts, v);
      if (win.length > 2 * MAX_WINDOW_SAMPLES) win.splice(0, win.length - 2 * MAX_WINDOW_SAMPLES);
      setNode(w, i, { w: win, ref: s.ref });
      return;
    }
    default:
      return;
  }
}

/** 0 normal (or unknown: it holds in neither mode), 1 between the clear and the raise bound, 2 beyond the raise bound. */
function zone(node: Extract<RuleNode, { kind: 'threshold' }>, v: number | undefined, p: Readonly<Record<string, number>>): number {
  if (v === undefined) return 0;
  const raise = value(node.raise, p);
  const clear = clearBound(node, raise, p);
  if (node.up) return v > raise ? 2 : v >= clear ? 1 : 0;
  return v < raise ? 2 : v <= clear ? 1 : 0;
}

/** The clear bound, never on the wrong side of the raise bound (an override may have moved one of them). */
function clearBound(node: Extract<RuleNode, { kind: 'threshold' }>, raise: number, p: Readonly<Record<string, number>>): number {
  if (node.clear === null) return raise;
  const c = value(node.clear, p);
  return node.up ? Math.min(c, raise) : Math.max(c, raise);
}

// ───────────────────────────── evaluating ─────────────────────────────

type Mode = 'raise' | 'hold';

/**
 * Whether node i holds at w.t. 'raise' (the rule is not active): bounds to raise, durations must
 * have passed. 'hold' (active): clear bounds, latched changes, a count's holdTimes, no duration.
 * Every child is evaluated (no short cut), so that each `for` and change keeps its state.
 */
function evaluate(w: Work, i: number, mode: Mode): boolean {
  const node = w.rule.nodes[i]!;
  let result: boolean;
  switch (node.kind) {
    case 'threshold': {
      const v = w.vals[node.metric];
      if (v === undefined) result = false;
      else {
        const raise = value(node.raise, w.p);
        if (mode === 'raise') result = node.up ? v > raise : v < raise;
        else {
          const clear = clearBound(node, raise, w.p);
          result = node.up ? v >= clear : v <= clear;
        }
      }
      break;
    }
    case 'count': {
      const hits = w.n[i] as readonly number[] | null;
      const from = w.t - value(node.within, w.p);
      let inWindow = 0;
      if (hits !== null) for (let k = hits.length - 1; k >= 0 && hits[k]! >= from; k--) inWindow++;
      result = inWindow >= (mode === 'raise' ? timesOf(node, w.p) : holdTimesOf(node, w.p));
      break;
    }
    case 'change': {
      const s = w.n[i] as { w: readonly number[]; ref: number | null } | null;
      const cur = w.vals[node.metric];
      const from = w.t - value(node.within, w.p);
      let ref: number | null = null;
      if (s !== null) for (let k = 0; k < s.w.length; k += 2) if (s.w[k]! >= from) { ref = s.w[k + 1]!; break; }
      const raised = ref !== null && cur !== undefined && changed(node, ref, cur, value(node.amount, w.p));
      let latch = s?.ref ?? null;
      if (mode === 'raise') {
        latch = raised ? ref : null;
        result = raised;
      } else {
        if (raised) latch = latch === null ? ref : node.up ? Math.min(latch, ref!) : Math.max(latch, ref!);
        result = raised || (latch !== null && cur !== undefined && changed(node, latch, cur, value(node.hold, w.p)));
        if (!result) latch = null;
      }
      if (latch !== (s?.ref ?? null)) setNode(w, i, { w: s?.w ?? [], ref: latch });
      break;
    }
    case 'absence': {
      const seen = w.n[i] as number | null;
      const after = value(node.after, w.p);
      result = seen !== null && w.t - seen >= after + grain(after);
      break;
    }
    case 'all':
    case 'any': {
      let all = true;
      let any = false;
      for (const c of node.children) {
        const r = evaluate(w, c, mode);
        all &&= r;
        any ||= r;
      }
      result = node.kind === 'all' ? all : any;
      break;
    }
    case 'for': {
      // `since` follows the child as it would raise, also while active: after a clear caused by
      // something else, a child that has held all along needs no new wait.
      const r = evaluate(w, node.child, 'raise');
      const old = w.n[i] as number | null;
      const since = r ? (old ?? w.t) : null;
      if (since !== old) setNode(w, i, since);
      result = mode === 'raise' ? r && w.t - since! >= value(node.after, w.p) : evaluate(w, node.child, 'hold');
      break;
    }
  }
  w.truth[i] = result;
  return result;
}

/** A count's `times` for the subject: a whole number from 1 to MAX_COUNT_HITS. */
function timesOf(node: Extract<RuleNode, { kind: 'count' }>, p: Readonly<Record<string, number>>): number {
  return Math.min(MAX_COUNT_HITS, Math.max(1, Math.round(value(node.times, p))));
}

/** A count's `holdTimes`, never more than its `times` (an override may have moved one of them). */
function holdTimesOf(node: Extract<RuleNode, { kind: 'count' }>, p: Readonly<Record<string, number>>): number {
  return Math.min(timesOf(node, p), Math.max(1, Math.round(value(node.holdTimes, p))));
}

/** Whether a value has moved from `ref` by at least `amount` in the node's direction (`amount` is a fraction for a percentage). */
function changed(node: Extract<RuleNode, { kind: 'change' }>, ref: number, cur: number, amount: number): boolean {
  const delta = node.up ? cur - ref : ref - cur;
  if (node.percent) {
    if (ref === 0) return false; // a percentage of nothing: use an absolute amount for metrics that can be zero
    return delta / Math.abs(ref) >= amount * (1 - EPSILON);
  }
  return delta >= amount * (1 - EPSILON) && delta > 0;
}

/**
 * How coarsely an absence remembers the last reading: a fifteenth of its duration, at most a
 * minute. The absence fires between `for` and `for + grain` after the last reading, never early.
 */
function grain(afterMs: number): number {
  return Math.min(60_000, Math.floor(afterMs / 15));
}

/** A parameter's value for the subject, else its default; scaled (percent, seconds → ms). */
function value(ref: ValueRef, p: Readonly<Record<string, number>>): number {
  if (ref.param !== null) {
    const v = p[ref.param];
    if (typeof v === 'number' && Number.isFinite(v)) return v * ref.scale;
  }
  return ref.fallback * ref.scale;
}

// ───────────────────────────── severity, reasons ─────────────────────────────

function primaryValue(rule: CompiledRule, vals: Readonly<Record<string, number>>): number | null {
  return rule.primary === null ? null : (vals[rule.primary.metric] ?? null);
}

/** The rank of the most severe level a value of the severity metric reaches, -1 for none (or no value). */
function levelReached(rule: CompiledRule, v: number | undefined, p: Readonly<Record<string, number>>): number {
  const s = rule.severity;
  if (s.kind === 'fixed' || v === undefined) return -1;
  let best = -1;
  for (const l of s.levels) if ((s.up ? v >= value(l.bound, p) : v <= value(l.bound, p)) && severityRank(l.level) > best) best = severityRank(l.level);
  return best;
}

/** The most severe level whose bound the value reaches; else the least severe listed (or the current one when the value is unknown). */
function severityOf(rule: CompiledRule, vals: Readonly<Record<string, number>>, p: Readonly<Record<string, number>>, current: Severity | null): Severity {
  const s = rule.severity;
  if (s.kind === 'fixed') return s.level;
  const v = vals[s.metric];
  let least: Severity = s.levels[0]!.level;
  for (const l of s.levels) if (severityRank(l.level) < severityRank(least)) least = l.level;
  if (v === undefined) return current ?? least;
  let best: Severity | null = null;
  for (const l of s.levels) {
    const bound = value(l.bound, p);
    if ((s.up ? v >= bound : v <= bound) && (best === null || severityRank(l.level) > severityRank(best))) best = l.level;
  }
  return best ?? least;
}

/** Why the rule raised: the parts of the condition that held, in both languages. */
function explain(w: Work, i: number): { zh: string; en: string } {
  const node = w.rule.nodes[i]!;
  const p = w.p;
  switch (node.kind) {
    case 'threshold': {
      const v = w.vals[node.metric]!;
      const bound = num(value(node.raise, p));
      return node.up
        ? { zh: `${node.metric} 为 ${num(v)}，高于 ${bound}`, en: `${node.metric} ${num(v)} above ${bound}` }
        : { zh: `${node.metric} 为 ${num(v)}，低于 ${bound}`, en: `${node.metric} ${num(v)} below ${bound}` };
    }
    case 'count': {
      const hits = (w.n[i] as readonly number[] | null) ?? [];
      const within = value(node.within, p);
      const n = hits.filter((h) => h >= w.t - within).length;
      const bound = num(value(node.bound, p));
      const dur = durationText(node.within, p);
      return {
        zh: `${dur} 内 ${node.metric} ${n} 次${node.up ? '高于' : '低于'} ${bound}`,
        en: `${node.metric} ${node.up ? 'above' : 'below'} ${bound} ${n} times within ${dur}`,
      };
    }
    case 'change': {
      const s = w.n[i] as { w: readonly number[]; ref: number | null };
      const ref = s.ref!;
      const cur = w.vals[node.metric]!;
      const dur = durationText(node.within, p);
      const by = node.percent && ref !== 0 ? `${Math.round((Math.abs(cur - ref) / Math.abs(ref)) * 1000) / 10}%` : num(Math.abs(cur - ref));
      return node.up
        ? { zh: `${node.metric} 在 ${dur} 内上升 ${by}（${num(ref)} → ${num(cur)}）`, en: `${node.metric} rose by ${by} within ${dur} (${num(ref)} → ${num(cur)})` }
        : { zh: `${node.metric} 在 ${dur} 内下降 ${by}（${num(ref)} → ${num(cur)}）`, en: `${node.metric} fell by ${by} within ${dur} (${num(ref)} → ${num(cur)})` };
    }
    case 'absence': {
      const seen = w.n[i] as number;
      const silent = formatDuration(w.t - seen);
      return { zh: `${silent} 未收到数据（自 ${iso(seen)} 起）`, en: `no data for ${silent} (since ${iso(seen)})` };
    }
    case 'all':
    case 'any': {
      const parts = node.children.filter((c) => w.truth[c]).map((c) => explain(w, c));
      return { zh: parts.map((x) => x.zh).join('；'), en: parts.map((x) => x.en).join('; ') };
    }
    case 'for': {
      const inner = explain(w, node.child);
      const held = formatDuration(w.t - (w.n[i] as number));
      return { zh: `${inner.zh}，已持续 ${held}`, en: `${inner.en} for ${held}` };
    }
  }
}

function durationText(ref: ValueRef, p: Readonly<Record<string, number>>): string {
  return ref.param === null && ref.text !== undefined ? ref.text : formatDuration(value(ref, p));
}

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
