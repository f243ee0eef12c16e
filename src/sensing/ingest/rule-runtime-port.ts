/**
 * The rule engine as the ingest pipeline sees it (a port): the rules of a device, and a rule's
 * outcome for a reading or a tick, with the state treated as opaque. `rules-runtime.ts` adapts
 * the pure engine to it.
 */
import type { Reading, Severity } from '../sensing-model.ts';
import type { DeviceRecord } from '../devices/device-draft.ts';
import type { Tier } from '../../cases/case-model.ts';

/** What the pipeline needs to know of a rule (the rule engine's compiled rule satisfies it). */
export interface RuleRef {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly scope: 'device' | 'asset';
  readonly category: string | null;
  readonly trusted: boolean;
  readonly tier?: Tier | undefined;
}

export interface RuleSubjectInput {
  readonly key: string;
  readonly deviceType: string;
  readonly assetId: string | null;
  readonly params: Readonly<Record<string, number>>;
}

export type PipelineRuleEffect =
  | { type: 'raise'; severity: Severity; metric: string | null; value: number | null; readings: Record<string, number>; at: string; reason: { zh: string; en: string } }
  | { type: 'update'; severity: Severity; metric: string | null; value: number | null; readings: Record<string, number>; at: string }
  | { type: 'clear'; at: string; readings: Record<string, number> };

export interface PipelineRuleOutcome {
  readonly state: unknown;
  readonly effects: readonly PipelineRuleEffect[];
  readonly wakeAt: string | null;
  readonly changed: boolean;
}

/** The rule engine, as the pipeline sees it. */
export interface RuleRuntime {
  /** Rules evaluating readings of this device (device-scoped for its type, asset-scoped for its asset). */
  rulesFor(device: DeviceRecord): readonly RuleRef[];
  rule(id: string): RuleRef | undefined;
  onReading(rule: RuleRef, subject: RuleSubjectInput, state: unknown, reading: Reading): PipelineRuleOutcome;
  onTick(rule: RuleRef, subject: RuleSubjectInput, state: unknown, now: string): PipelineRuleOutcome;
}
