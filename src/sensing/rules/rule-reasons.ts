/**
 * Why a rule raised (pure): the parts of its condition that held, with their values, bounds and
 * durations, in Chinese and English, as the alert's reason.
 */
import { formatDuration, type ValueRef } from './rule-definition.ts';
import { iso, value, type StepWork } from './rule-conditions.ts';

/** Why the rule raised: the parts of the condition that held, in both languages. */
export function explain(w: StepWork, i: number): { zh: string; en: string } {
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
