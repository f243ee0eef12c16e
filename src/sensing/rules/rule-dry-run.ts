/**
 * A rule's dry run (pure): a compiled rule replayed from a fresh state over stored readings, as
 * the ingest pipeline would have evaluated it, with the clock's ticks at the times the engine
 * asks for. What it would have raised, changed and cleared comes out; nothing is written.
 * The caller reads the readings and the devices; this file only evaluates.
 */
import type { Reading, Severity } from '../sensing-model.ts';
import type { CompiledRule } from './rule-definition.ts';
import { appliesTo, onReading, onTick, type RuleEffect, type RuleState, type RuleSubject } from './rule-engine.ts';

export interface DryRunDevice {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly assetId: string | null;
  readonly thresholds: Readonly<Record<string, number>>;
}

export interface DryRunEvent {
  readonly type: 'raise' | 'update' | 'clear';
  /** The device id, or the asset id for an asset-scoped rule. */
  readonly subject: string;
  /** The device whose reading (or whose silence) caused it; for an asset, the last device heard from. */
  readonly deviceId: string | null;
  readonly deviceName: string | null;
  readonly at: string;
  readonly severity: Severity | null;
  readonly metric: string | null;
  readonly value: number | null;
  readonly reason: { readonly zh: string; readonly en: string } | null;
}

export interface DryRunOutcome {
  readonly ruleId: string;
  readonly name: string;
  /** Devices the rule applies to, and how many of them sent readings in the window. */
  readonly devices: number;
  readonly devicesWithReadings: number;
  readonly readings: number;
  /** In time order; at most `maxEvents` (then `eventsTruncated`). */
  readonly events: DryRunEvent[];
  readonly eventsTruncated: boolean;
  readonly raised: number;
  readonly cleared: number;
  /** Alerts that would still be active at the end of the window. */
  readonly activeAtEnd: { readonly subject: string; readonly severity: Severity | null }[];
}

/** The devices a rule reads: of its types, and watching an asset when the rule is asset-scoped. */
export function devicesOfRule<D extends DryRunDevice>(rule: CompiledRule, devices: Iterable<D>): D[] {
  const out: D[] = [];
  for (const d of devices) if (appliesTo(rule, d.type) && (rule.scope === 'device' || d.assetId !== null)) out.push(d);
  return out;
}

/** A guard against a rule that keeps asking for the clock: far more ticks than any window needs. */
const MAX_TICKS_PER_SUBJECT = 100_000;

interface Subject {
  readonly subject: RuleSubject;
  state: RuleState | null;
  wakeAt: string | null;
  lastDevice: DryRunDevice | null;
  ticks: number;
}

/**
 * Replays `readings` (any order; those of other devices are ignored) through `rule` between
 * `from` and `to`. Every subject starts fresh at `from` (an absence watch starts there, as it
 * does for a device never heard from).
 */
export function dryRunRule(rule: CompiledRule, devices: readonly DryRunDevice[], readings: readonly Reading[], window: { from: string; to: string }, opts: { maxEvents?: number } = {}): DryRunOutcome {
  const maxEvents = opts.maxEvents ?? 500;
  const applies = devicesOfRule(rule, devices);
  const byId = new Map(applies.map((d) => [d.id, d]));
  const subjects = new Map<string, Subject>();
  const atAsset = new Map<string, DryRunDevice[]>();
  for (const d of applies) if (d.assetId !== null) atAsset.set(d.assetId, [...(atAsset.get(d.assetId) ?? []), d]);
  for (const d of applies) {
    const key = rule.scope === 'asset' ? d.assetId! : d.id;
    if (subjects.has(key)) continue;
    // An asset's parameters: the overrides of the devices watching it, merged (as the pipeline does).
    const params = rule.scope === 'asset' ? Object.assign({}, ...(atAsset.get(key) ?? []).map((x) => x.thresholds)) : d.thresholds;
    subjects.set(key, { subject: { key, deviceType: d.type, assetId: d.assetId, params }, state: null, wakeAt: null, lastDevice: rule.scope === 'asset' ? null : d, ticks: 0 });
  }

  const events: DryRunEvent[] = [];
  let raised = 0;
  let cleared = 0;
  const record = (s: Subject, effects: readonly RuleEffect[]): void => {
    for (const e of effects) {
      if (e.type === 'raise') raised++;
      if (e.type === 'clear') cleared++;
      events.push({
        type: e.type,
        subject: s.subject.key,
        deviceId: s.lastDevice?.id ?? null,
        deviceName: s.lastDevice?.name ?? null,
        at: e.at,
        severity: e.type === 'clear' ? null : e.severity,
        metric: e.type === 'clear' ? null : e.metric,
        value: e.type === 'clear' ? null : e.value,
        reason: e.type === 'raise' ? e.reason : null,
      });
    }
  };
  const tickUntil = (s: Subject, until: string): void => {
    while (s.wakeAt !== null && s.wakeAt <= until && s.ticks < MAX_TICKS_PER_SUBJECT) {
      s.ticks++;
      const out = onTick(rule, s.subject, s.state, s.wakeAt);
      s.state = out.state;
      s.wakeAt = out.wakeAt;
      record(s, out.effects);
    }
  };
  // Everyone starts at the window's start.
  for (const s of subjects.values()) {
    const out = onTick(rule, s.subject, null, window.from);
    s.state = out.state;
    s.wakeAt = out.wakeAt;
    record(s, out.effects);
  }

  const ordered = readings.filter((r) => byId.has(r.deviceId) && r.ts >= window.from && r.ts <= window.to).sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  const heard = new Set<string>();
  for (const r of ordered) {
    const d = byId.get(r.deviceId)!;
    const s = subjects.get(rule.scope === 'asset' ? d.assetId! : d.id);
    if (!s) continue;
    heard.add(d.id);
    tickUntil(s, r.ts);
    s.lastDevice = d;
    const out = onReading(rule, s.subject, s.state, r);
    s.state = out.state;
    s.wakeAt = out.wakeAt;
    record(s, out.effects);
  }
  for (const s of subjects.values()) tickUntil(s, window.to);

  events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return {
    ruleId: rule.id,
    name: rule.name,
    devices: applies.length,
    devicesWithReadings: heard.size,
    readings: ordered.length,
    events: events.slice(0, maxEvents),
    eventsTruncated: events.length > maxEvents,
    raised,
    cleared,
    activeAtEnd: [...subjects.values()].filter((s) => s.state?.active === true).map((s) => ({ subject: s.subject.key, severity: s.state!.severity })),
  };
}
