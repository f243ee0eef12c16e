/**
 * A batch of ingest work: what the queue holds (readings, dead letters, a tick), the rule states
 * cached per (rule, subject), and the evaluation of a batch into what one transaction will write
 * (readings, changed states, alert effects, dead letters, last-seen times).
 */
import type { Reading } from '../sensing-model.ts';
import type { DeviceRecord } from '../devices/device-draft.ts';
import type { PipelineRuleEffect, PipelineRuleOutcome, RuleRef, RuleRuntime, RuleSubjectInput } from './rule-runtime-port.ts';

export type IngestSource = 'mqtt' | 'http' | 'replay';

export interface DeadLetter {
  readonly source: IngestSource;
  readonly deviceId: string | null;
  readonly topic: string | null;
  readonly reason: string;
  readonly payload: string;
}

export interface Pending {
  readonly readings: readonly Reading[];
  readonly device: DeviceRecord | null;
  readonly dead: readonly DeadLetter[];
  readonly tickAt: string | null;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

export interface CachedState {
  readonly ruleId: string;
  readonly ruleVersion: number;
  readonly subjectKey: string;
  readonly state: unknown;
  readonly wakeAt: string | null;
}

export interface BatchEffect {
  readonly rule: RuleRef;
  readonly subject: RuleSubjectInput;
  readonly device: DeviceRecord | null;
  readonly effect: PipelineRuleEffect;
}

export interface BatchWork {
  readings: Reading[];
  /** New states by key; null = delete. */
  states: Map<string, CachedState | null>;
  effects: BatchEffect[];
  dead: DeadLetter[];
  lastSeen: Map<string, string>;
}

const SEP = '\u001f';

/** The key of a rule state in the cache and in a batch's changes: rule id and subject key. */
export function stateKey(ruleId: string, subjectKey: string): string {
  return ruleId + SEP + subjectKey;
}

/** The rule id and subject key of a state key. */
export function splitStateKey(key: string): [ruleId: string, subjectKey: string] {
  return key.split(SEP) as [string, string];
}

/** What evaluation needs of the device registry: a device, and the devices watching an asset. */
export interface RuleSubjects {
  get(id: string): DeviceRecord | undefined;
  atAsset(assetId: string): readonly DeviceRecord[];
}

/**
 * Evaluates a batch (no I/O: nothing is written and `known`, the cached states, is not
 * touched): every rule of each reading's device, in arrival order, and the due rule states of a
 * tick. New states are computed on the side, in `work.states`, for the caller to apply after commit.
 */
export function evaluateBatch(batch: readonly Pending[], known: ReadonlyMap<string, CachedState>, rt: RuleRuntime, devices: RuleSubjects): BatchWork {
  const work: BatchWork = { readings: [], states: new Map(), effects: [], dead: [], lastSeen: new Map() };
  const current = (key: string): CachedState | undefined => {
    const s = work.states.get(key);
    return s === null ? undefined : (s ?? known.get(key));
  };
  const run = (rule: RuleRef, subject: RuleSubjectInput, device: DeviceRecord | null, f: (state: unknown) => PipelineRuleOutcome) => {
    const key = stateKey(rule.id, subject.key);
    const cached = current(key);
    // A new version of a rule starts from a clean state: the old one may not fit its conditions.
    const prior = cached && cached.ruleVersion === rule.version ? cached.state : null;
    let outcome: PipelineRuleOutcome;
    try {
      outcome = f(prior);
    } catch (e) {
      work.dead.push({ source: 'replay', deviceId: device?.id ?? null, topic: null, reason: `rule ${rule.id} failed: ${(e as Error).message}`, payload: '' });
      return;
    }
    if (outcome.changed || !cached || cached.ruleVersion !== rule.version || cached.wakeAt !== outcome.wakeAt) {
      work.states.set(key, { ruleId: rule.id, ruleVersion: rule.version, subjectKey: subject.key, state: outcome.state, wakeAt: outcome.wakeAt });
    }
    for (const e of outcome.effects) work.effects.push({ rule, subject, device, effect: e });
  };

  for (const p of batch) {
    work.dead.push(...p.dead);
    if (p.tickAt !== null) {
      for (const s of [...known.values()]) {
        const live = current(stateKey(s.ruleId, s.subjectKey));
        if (!live || live.wakeAt === null || live.wakeAt > p.tickAt) continue;
        const rule = rt.rule(live.ruleId);
        const subject = rule ? subjectOf(devices, rule, live.subjectKey) : null;
        if (!rule || !subject) {
          work.states.set(stateKey(live.ruleId, live.subjectKey), null); // the rule or the device is gone
          continue;
        }
        run(rule, subject.subject, subject.device, (st) => rt.onTick(rule, subject.subject, st, p.tickAt!));
      }
      continue;
    }
    const device = p.device;
    if (!device) continue; // dead letters only
    const rules = rt.rulesFor(device);
    for (const r of p.readings) {
      work.readings.push(r);
      for (const rule of rules) {
        const subject = subjectFor(devices, rule, device);
        if (subject) run(rule, subject, device, (st) => rt.onReading(rule, subject, st, r));
      }
      const seen = work.lastSeen.get(device.id);
      if (!seen || r.ts > seen) work.lastSeen.set(device.id, r.ts);
    }
  }
  return work;
}

function subjectFor(devices: RuleSubjects, rule: RuleRef, device: DeviceRecord): RuleSubjectInput | null {
  if (rule.scope === 'device') return { key: device.id, deviceType: device.type, assetId: device.assetId, params: device.thresholds };
  if (!device.assetId) return null;
  return { key: device.assetId, deviceType: device.type, assetId: device.assetId, params: assetParams(devices, device.assetId) };
}

function subjectOf(devices: RuleSubjects, rule: RuleRef, key: string): { subject: RuleSubjectInput; device: DeviceRecord } | null {
  if (rule.scope === 'device') {
    const d = devices.get(key);
    return d ? { subject: { key, deviceType: d.type, assetId: d.assetId, params: d.thresholds }, device: d } : null;
  }
  const at = devices.atAsset(key);
  if (at.length === 0) return null;
  return { subject: { key, deviceType: at[0]!.type, assetId: key, params: assetParams(devices, key) }, device: at[0]! };
}

/** An asset's rule parameters: the overrides of the devices watching it, merged. */
function assetParams(devices: RuleSubjects, assetId: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of devices.atAsset(assetId)) Object.assign(out, d.thresholds);
  return out;
}
