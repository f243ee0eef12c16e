/**
 * The rule engine as the ingest pipeline sees it: the active version of every rule, indexed by
 * device type, and the engine's two entry points. Rebuilt whenever the rules change.
 */
import type { DeviceRecord } from './devices/device-draft.ts';
import type { PipelineRuleOutcome, RuleRef, RuleRuntime, RuleSubjectInput } from './ingest/rule-runtime-port.ts';
import type { CompiledRule } from './rules/rule-definition.ts';
import { appliesTo, onReading, onTick, type RuleState } from './rules/rule-engine.ts';
import type { Reading } from './sensing-model.ts';

interface Entry extends RuleRef {
  readonly compiled: CompiledRule;
}

export function buildRuleRuntime(rules: readonly { rule: CompiledRule; version: number }[]): RuleRuntime {
  const entries: Entry[] = rules.map(({ rule, version }) => ({
    id: rule.id,
    version,
    name: rule.name,
    scope: rule.scope,
    category: rule.category,
    trusted: rule.trusted,
    tier: rule.tier ?? undefined,
    compiled: rule,
  }));
  const byId = new Map(entries.map((e) => [e.id, e]));
  // Which rules read a device depends on its type and on whether it watches an asset: cached per pair.
  const cache = new Map<string, Entry[]>();
  return {
    rulesFor(device: DeviceRecord): readonly RuleRef[] {
      const key = `${device.type}|${device.assetId ? 1 : 0}`;
      let list = cache.get(key);
      if (!list) {
        list = entries.filter((e) => appliesTo(e.compiled, device.type) && (e.scope === 'device' || device.assetId !== null));
        cache.set(key, list);
      }
      return list;
    },
    rule(id: string): RuleRef | undefined {
      return byId.get(id);
    },
    onReading(rule: RuleRef, subject: RuleSubjectInput, state: unknown, reading: Reading): PipelineRuleOutcome {
      return onReading((rule as Entry).compiled, subject, state as RuleState | null, reading);
    },
    onTick(rule: RuleRef, subject: RuleSubjectInput, state: unknown, now: string): PipelineRuleOutcome {
      return onTick((rule as Entry).compiled, subject, state as RuleState | null, now);
    },
  };
}
