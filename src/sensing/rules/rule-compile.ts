/**
 * A checked rule turned into the engine's form (`rule-engine.ts` evaluates it): the condition as
 * a flat list of nodes, every value a reference to a parameter or its default, the metrics read.
 */
import type { Tier } from '../../cases/case-model.ts';
import { deepFreeze } from '../../documents/deep-freeze.ts';
import { durationMs } from '../../documents/duration.ts';
import type { Severity } from '../sensing-model.ts';
import type { AmountRef, ConditionDocument, DurationRef, NumberRef, RuleDefinition, RuleScope } from './rule-document.ts';

/**
 * A number the engine reads for a subject: the subject's parameter `param` when it has a finite
 * one, else `fallback`, times `scale` (0.01 for a percentage, 1000 for a duration parameter in
 * seconds, 0.5 for a default `holdBy`).
 */
export interface ValueRef {
  readonly param: string | null;
  readonly fallback: number;
  readonly scale: number;
  /** A duration as written ('60s'), for messages. */
  readonly text?: string;
}

/** The condition as a flat list of nodes, root first; children by index. Read by the engine. */
export type RuleNode =
  | { readonly kind: 'threshold'; readonly metric: string; readonly up: boolean; readonly raise: ValueRef; readonly clear: ValueRef | null }
  | { readonly kind: 'count'; readonly metric: string; readonly up: boolean; readonly bound: ValueRef; readonly times: ValueRef; readonly holdTimes: ValueRef; readonly within: ValueRef }
  | { readonly kind: 'change'; readonly metric: string; readonly up: boolean; readonly percent: boolean; readonly amount: ValueRef; readonly hold: ValueRef; readonly within: ValueRef }
  | { readonly kind: 'absence'; readonly after: ValueRef }
  | { readonly kind: 'all' | 'any'; readonly children: readonly number[] }
  | { readonly kind: 'for'; readonly child: number; readonly after: ValueRef };

export type CompiledSeverity =
  | { readonly kind: 'fixed'; readonly level: Severity }
  | { readonly kind: 'levels'; readonly metric: string; readonly up: boolean; readonly levels: readonly { readonly bound: ValueRef; readonly level: Severity }[] };

export interface CompiledRule {
  readonly id: string;
  readonly name: string;
  readonly scope: RuleScope;
  readonly category: string | null;
  readonly trusted: boolean;
  readonly tier: Tier | null;
  readonly definition: RuleDefinition;
  /** null: every device type (but `exceptDeviceTypes`). */
  readonly deviceTypes: ReadonlySet<string> | null;
  readonly exceptDeviceTypes: ReadonlySet<string>;
  /** Every metric the rule reads (condition and severity), in order of appearance. */
  readonly metrics: readonly string[];
  /** Changes when the shape of the condition changes: a state kept for another shape restarts its windows. */
  readonly signature: string;
  readonly nodes: readonly RuleNode[];
  readonly severity: CompiledSeverity;
  /** The metric an alert reports as its value, and which way is worse (its peak). null: absence only. */
  readonly primary: { readonly metric: string; readonly up: boolean } | null;
  /** Per metric, the indexes of the nodes that read it. */
  readonly nodesByMetric: ReadonlyMap<string, readonly number[]>;
  /** The nodes the clock acts on (for, count, absence), by index. */
  readonly timedNodes: readonly number[];
  readonly hasAbsence: boolean;
}

/** Turns a checked definition into the engine's form. Throws on a definition that was not checked. */
export function compileRule(def: RuleDefinition): CompiledRule {
  const nodes: RuleNode[] = [];
  const metrics: string[] = [];
  const addMetric = (m: string): void => void (metrics.includes(m) ? undefined : metrics.push(m));
  const num = (ref: NumberRef, scale = 1): ValueRef => {
    if (typeof ref === 'number') return { param: null, fallback: ref, scale };
    const name = ref.slice(1);
    const fallback = def.params[name];
    if (fallback === undefined) throw new Error(`rule ${def.id}: parameter ${name} is not declared (was the definition checked?)`);
    return { param: name, fallback, scale };
  };
  const duration = (ref: DurationRef): ValueRef => {
    if (ref.startsWith('$')) return num(ref, 1000);
    const ms = durationMs(ref);
    if (ms === null) throw new Error(`rule ${def.id}: invalid duration ${ref}`);
    return { param: null, fallback: ms, scale: 1, text: ref };
  };
  const amount = (ref: AmountRef, half = false): { ref: ValueRef; percent: boolean } => {
    const factor = half ? 0.5 : 1;
    if (typeof ref === 'number') return { ref: { param: null, fallback: ref, scale: factor }, percent: false };
    const percent = ref.endsWith('%');
    const body = percent ? ref.slice(0, -1) : ref;
    const scale = (percent ? 0.01 : 1) * factor;
    if (body.startsWith('$')) return { ref: num(body, scale), percent };
    return { ref: { param: null, fallback: Number(body), scale }, percent };
  };

  let hasAbsence = false;
  let firstLeaf: { metric: string; up: boolean } | null = null;
  const add = (c: ConditionDocument): number => {
    const index = nodes.length;
    nodes.push(null as unknown as RuleNode); // reserved for this condition (or for its `for`)
    let node: RuleNode;
    if (c.threshold) {
      const t = c.threshold;
      const up = t.above !== undefined;
      const clear = up ? t.clearBelow : t.clearAbove;
      node = { kind: 'threshold', metric: t.metric, up, raise: num((up ? t.above : t.below)!), clear: clear === undefined ? null : num(clear) };
    } else if (c.count) {
      const t = c.count;
      const up = t.above !== undefined;
      node = { kind: 'count', metric: t.metric, up, bound: num((up ? t.above : t.below)!), times: num(t.times), holdTimes: t.holdTimes === undefined ? { param: null, fallback: 1, scale: 1 } : num(t.holdTimes), within: duration(t.within) };
    } else if (c.change) {
      const t = c.change;
      const up = t.risesBy !== undefined;
      const a = amount((up ? t.risesBy : t.fallsBy)!);
      const hold = t.holdBy === undefined ? amount((up ? t.risesBy : t.fallsBy)!, true) : amount(t.holdBy);
      node = { kind: 'change', metric: t.metric, up, percent: a.percent, amount: a.ref, hold: hold.ref, within: duration(t.within) };
    } else if (c.absence) {
      hasAbsence = true;
      node = { kind: 'absence', after: duration(c.absence.for) };
    } else if (c.all || c.any) {
      const kind = c.all ? 'all' : 'any';
      // Children are added after the parent is reserved, so indexes grow down the tree.
      const children = (c.all ?? c.any)!.map((child) => add(child));
      node = { kind, children };
    } else {
      throw new Error(`rule ${def.id}: a condition without a kind (was the definition checked?)`);
    }
    if (node.kind === 'threshold' || node.kind === 'count' || node.kind === 'change') {
      addMetric(node.metric);
      firstLeaf ??= { metric: node.metric, up: node.up };
    }
    if (c.for !== undefined && !c.absence) {
      // The `for` wraps the node: it takes the reserved index, the node moves to the end.
      const inner = nodes.length;
      nodes.push(node);
      nodes[index] = { kind: 'for', child: inner, after: duration(c.for) };
    } else {
      nodes[index] = node;
    }
    return index;
  };
  add(def.condition);

  let severity: CompiledSeverity;
  let primary: { metric: string; up: boolean } | null = firstLeaf;
  if ('levels' in def.severity) {
    const up = def.severity.levels.every((l) => l.atMost === undefined);
    severity = { kind: 'levels', metric: def.severity.metric, up, levels: def.severity.levels.map((l) => ({ bound: num((up ? l.atLeast : l.atMost)!), level: l.level })) };
    addMetric(def.severity.metric);
    primary = { metric: def.severity.metric, up };
  } else {
    severity = { kind: 'fixed', level: def.severity.level };
  }

  const byMetric = new Map<string, number[]>();
  nodes.forEach((n, i) => {
    if (n.kind === 'threshold' || n.kind === 'count' || n.kind === 'change') {
      const list = byMetric.get(n.metric) ?? [];
      list.push(i);
      byMetric.set(n.metric, list);
    }
  });

  const star = def.deviceTypes.includes('*');
  return deepFreeze({
    id: def.id,
    name: def.name,
    scope: def.scope,
    category: def.category,
    trusted: def.trusted,
    tier: def.tier,
    definition: def,
    deviceTypes: star ? null : new Set(def.deviceTypes),
    exceptDeviceTypes: new Set(def.exceptDeviceTypes),
    metrics,
    signature: fnv1a(JSON.stringify(def.condition)),
    nodes,
    severity,
    primary,
    nodesByMetric: byMetric,
    timedNodes: nodes.flatMap((n, i) => (n.kind === 'for' || n.kind === 'count' || n.kind === 'absence' ? [i] : [])),
    hasAbsence,
  });
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
