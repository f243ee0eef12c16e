/**
 * A plan back to plain data (the YAML shape, defaults filled in: the registry's `definition`
 * column, the API's answer) and what changed between two versions, field by field, for a reviewer.
 */
import { escapePointer, isRecord } from '../documents/json-pointer.ts';
import type { CompiledExpression } from './expression/index.ts';
import type { ActionDocument, CommandDocument, FactQueryDocument, PlanDocument } from './plan-document.ts';
import type { DeviceCommand, PlanDefinition } from './plan-model.ts';

/** The plan as plain data (the YAML shape, defaults filled in), e.g. for the `definition` column. */
export function planToJson(def: PlanDefinition): PlanDocument {
  const source = (e: CompiledExpression | null): { when?: string } => (e === null ? {} : { when: e.source });
  const command = (c: DeviceCommand): CommandDocument => ({ name: c.name, params: structuredClone(c.params) as Record<string, unknown> });
  return {
    id: def.id,
    name: def.name,
    ...(def.description !== null ? { description: def.description } : {}),
    priority: def.priority,
    trigger: {
      categories: [...def.trigger.categories],
      ...(def.trigger.sources !== null ? { sources: [...def.trigger.sources] } : {}),
      ...source(def.trigger.when),
    },
    facts: Object.fromEntries(
      def.facts.map((f): [string, FactQueryDocument] => {
        if (f.lookup === 'gridsWithin') return [f.name, { gridsWithin: { withinMeters: f.withinMeters } }];
        if (f.lookup === 'supplied') return [f.name, { supplied: { level: f.level } }];
        const spec = { type: f.assetType, withinMeters: f.withinMeters, ...(f.where !== null ? { where: f.where.source } : {}) };
        return [f.name, f.lookup === 'nearest' ? { nearest: spec } : { within: spec }];
      }),
    ),
    level: def.level.map((r) => ({ ...source(r.when), tier: r.tier })),
    tasks: def.tasks.map((t) => ({
      key: t.key,
      role: t.role,
      unit: t.unit.by === 'owner' ? { owner: t.unit.fact } : { kind: t.unit.kind, scope: t.unit.scope, ...(t.unit.forEachOf !== undefined ? { forEachOf: t.unit.forEachOf } : {}) },
      instructions: t.instructions,
      deadline: t.deadline.text,
      ...(t.arriveWithin !== null ? { arriveWithin: t.arriveWithin.text } : {}),
      dependsOn: [...t.dependsOn],
      handBack: [...t.handBack],
      ...source(t.when),
    })),
    actions: def.actions.map((a): ActionDocument =>
      a.type === 'notify'
        ? { key: a.key, notify: { channel: a.channel, to: a.to, template: a.template.text }, ...source(a.when) }
        : {
            key: a.key,
            device: a.device.from === 'fact' ? { fromFact: a.device.fact } : { ids: [...a.device.ids] },
            command: command(a.command),
            ...(a.undoOnClose !== null ? { undoOnClose: command(a.undoOnClose) } : {}),
            retry: { times: a.retry.times, every: a.retry.every.text },
            ...source(a.when),
          },
    ),
    escalation: def.escalation.map((s) => ({ after: s.after.text, unless: s.unless, do: s.do, repeat: s.repeat })),
    closure: {
      reportBackWhen: def.closure.reportBackWhen,
      requireEvidence: def.closure.requireEvidence,
      ...(def.closure.sensorNormalFor !== null ? { sensorNormalFor: def.closure.sensorNormalFor.text } : {}),
    },
    ...(def.coordination ? { coordination: { districtsWithinMeters: def.coordination.districtsWithinMeters } } : {}),
  };
}

export interface PlanChange {
  /** JSON pointer; tasks and actions are named by key (`/tasks/repair/deadline`), so a reordering is no change. */
  readonly path: string;
  /** undefined: absent in that version. */
  readonly before: unknown;
  readonly after: unknown;
}

/** What changed from version a to version b, field by field, for a reviewer. */
export function summarizePlanDiff(a: PlanDefinition, b: PlanDefinition): PlanChange[] {
  const out: PlanChange[] = [];
  diffValues(planToJson(a), planToJson(b), '', out);
  return out;
}

function diffValues(before: unknown, after: unknown, path: string, out: PlanChange[]): void {
  if (sameData(before, after)) return;
  if (isRecord(before) && isRecord(after)) {
    const keys = [...Object.keys(before), ...Object.keys(after).filter((k) => !Object.hasOwn(before, k))];
    for (const k of keys) diffValues(before[k], after[k], `${path}/${escapePointer(k)}`, out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const byKey = keyedItems(before) !== null && keyedItems(after) !== null;
    if (byKey) {
      const b = keyedItems(before)!;
      const a = keyedItems(after)!;
      const keys = [...b.keys(), ...[...a.keys()].filter((k) => !b.has(k))];
      for (const k of keys) diffValues(b.get(k), a.get(k), `${path}/${escapePointer(k)}`, out);
      return;
    }
    // Lists of objects (level rules, escalation steps) by position; lists of values as one value.
    if (before.some(isRecord) || after.some(isRecord)) {
      for (let i = 0; i < Math.max(before.length, after.length); i++) diffValues(before[i], after[i], `${path}/${i}`, out);
      return;
    }
  }
  out.push({ path, before, after });
}

function keyedItems(items: readonly unknown[]): Map<string, unknown> | null {
  const map = new Map<string, unknown>();
  for (const item of items) {
    if (!isRecord(item) || typeof item.key !== 'string' || map.has(item.key)) return null;
    map.set(item.key, item);
  }
  return map;
}

function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameData(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameData(a[k], b[k]));
  }
  return false;
}
