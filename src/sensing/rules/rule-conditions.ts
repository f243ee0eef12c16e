/**
 * The conditions of a compiled rule, evaluated (pure): whether each node of the condition tree
 * holds at the step's time, in 'raise' or 'hold' mode, with the per-node state it keeps (since
 * when a `for` has held, a change's latched reference); and the parameter and time arithmetic the
 * engine shares (a value for the subject, an absence's grain, epoch ms to ISO text).
 */
import type { CompiledRule, RuleNode, ValueRef } from './rule-definition.ts';

/**
 * What the engine remembers per condition node (by index): `for` → since (ms) | null; count →
 * times of matching readings; change → { w: [ts, value, ts, value, …] (a monotonic window), ref:
 * latched reference | null }; absence → last reading time (ms, kept coarse) | null; others → null.
 */
export type NodeState = number | null | readonly number[] | { readonly w: readonly number[]; readonly ref: number | null };

/** Matching readings kept per count. */
const MAX_COUNT_HITS = 1000;
/** Relative tolerance when comparing a change with its bound (0.4 → 0.28 is a 30 % fall). */
const EPSILON = 1e-9;

/** One step in progress: the state being built from the input state, copied only where it changes. */
export interface StepWork {
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

/** Sets node i's state (copying the node array once per step) and marks the state as changed. */
export function setNode(w: StepWork, i: number, s: NodeState): void {
  if (!w.nodesCopied) {
    w.n = [...w.n];
    w.nodesCopied = true;
  }
  w.n[i] = s;
  w.dirty = true;
}

/** The clear bound, never on the wrong side of the raise bound (an override may have moved one of them). */
export function clearBound(node: Extract<RuleNode, { kind: 'threshold' }>, raise: number, p: Readonly<Record<string, number>>): number {
  if (node.clear === null) return raise;
  const c = value(node.clear, p);
  return node.up ? Math.min(c, raise) : Math.max(c, raise);
}

export type Mode = 'raise' | 'hold';

/**
 * Whether node i holds at w.t. 'raise' (the rule is not active): bounds to raise, durations must
 * have passed. 'hold' (active): clear bounds, latched changes, a count's holdTimes, no duration.
 * Every child is evaluated (no short cut), so that each `for` and change keeps its state.
 */
export function evaluate(w: StepWork, i: number, mode: Mode): boolean {
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
export function timesOf(node: Extract<RuleNode, { kind: 'count' }>, p: Readonly<Record<string, number>>): number {
  return Math.min(MAX_COUNT_HITS, Math.max(1, Math.round(value(node.times, p))));
}

/** A count's `holdTimes`, never more than its `times` (an override may have moved one of them). */
export function holdTimesOf(node: Extract<RuleNode, { kind: 'count' }>, p: Readonly<Record<string, number>>): number {
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
export function grain(afterMs: number): number {
  return Math.min(60_000, Math.floor(afterMs / 15));
}

/** A parameter's value for the subject, else its default; scaled (percent, seconds → ms). */
export function value(ref: ValueRef, p: Readonly<Record<string, number>>): number {
  if (ref.param !== null) {
    const v = p[ref.param];
    if (typeof v === 'number' && Number.isFinite(v)) return v * ref.scale;
  }
  return ref.fallback * ref.scale;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
