/**
 * Taking a value in (pure): a new value of a metric for one condition node. A count keeps the
 * times of its matching readings, a change keeps a bounded monotonic window of samples, and a
 * threshold marks the state dirty when the value crosses one of its bounds.
 */
import type { RuleNode } from './rule-definition.ts';
import { clearBound, setNode, timesOf, value, type StepWork } from './rule-conditions.ts';

/** Samples kept per change window; older ones are dropped first beyond this. */
export const MAX_WINDOW_SAMPLES = 512;

/** A new value of a metric for node i: windows take the sample; a threshold marks the state dirty when the value crosses a bound. */
export function takeValue(w: StepWork, i: number, old: number | undefined, v: number, ts: number): void {
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
