/**
 * The severity of an alert a rule raises (pure): fixed, or the most severe level the severity
 * metric reaches for the subject; and the value of the primary metric the alert reports.
 */
import { severityRank, type Severity } from '../sensing-model.ts';
import type { CompiledRule } from './rule-definition.ts';
import { value } from './rule-conditions.ts';

export function primaryValue(rule: CompiledRule, vals: Readonly<Record<string, number>>): number | null {
  return rule.primary === null ? null : (vals[rule.primary.metric] ?? null);
}

/** The rank of the most severe level a value of the severity metric reaches, -1 for none (or no value). */
export function levelReached(rule: CompiledRule, v: number | undefined, p: Readonly<Record<string, number>>): number {
  const s = rule.severity;
  if (s.kind === 'fixed' || v === undefined) return -1;
  let best = -1;
  for (const l of s.levels) if ((s.up ? v >= value(l.bound, p) : v <= value(l.bound, p)) && severityRank(l.level) > best) best = severityRank(l.level);
  return best;
}

/** The most severe level whose bound the value reaches; else the least severe listed (or the current one when the value is unknown). */
export function severityOf(rule: CompiledRule, vals: Readonly<Record<string, number>>, p: Readonly<Record<string, number>>, current: Severity | null): Severity {
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

