/**
 * The specific-routing evaluation: a labelled set of citizens' messages
 * (test/fixtures/appeals/specific-routing.jsonl — written by hand, never used to build the
 * keyword rules) sent through the intake that POST /api/v1/appeals uses, and scored: how many land
 * on their specific category, on their family, and how many dangerous ones were flagged.
 * `cityloop bench appeals` and test/api/appeal-routing-set.test.ts both run it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROUTING_SET_FILE = fileURLToPath(new URL('../test/fixtures/appeals/specific-routing.jsonl', import.meta.url));

export interface LabelledAppeal {
  readonly id: string;
  readonly text: string;
  /** The specific (leaf) category a person would file it under. */
  readonly category: string;
  /** A life, a home or a road user at risk now: the priority should rise. */
  readonly dangerous: boolean;
  /** dev: looked at while writing the rules' words; holdout: looked at only to report. */
  readonly split: 'dev' | 'holdout';
}

export function readRoutingSet(file = ROUTING_SET_FILE): LabelledAppeal[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const x = JSON.parse(l) as LabelledAppeal;
      if (typeof x.text !== 'string' || typeof x.category !== 'string' || typeof x.dangerous !== 'boolean' || (x.split !== 'dev' && x.split !== 'holdout')) {
        throw new Error(`${file}:${i + 1}: a labelled appeal needs text, category, dangerous and split`);
      }
      return x;
    });
}

/** What the intake made of one message. */
export interface RoutedAppeal {
  readonly categoryCode: string;
  readonly priority: string;
  /** The danger words' reason recorded on the case, or null. */
  readonly danger: string | null;
  readonly outcome: string | null;
}

export interface RoutingScore {
  readonly messages: number;
  readonly categories: number;
  readonly specificAccuracy: number;
  readonly familyAccuracy: number;
  /** Dangerous messages whose danger words were found (and the priority raised), of all dangerous ones. */
  readonly dangerRecall: number;
  /** Messages flagged dangerous that were, of all flagged. */
  readonly dangerPrecision: number;
  /** Dangerous messages whose case ended at high or urgent priority, by danger words or by the category. */
  readonly dangerousAtHighPriority: number;
  /** Messages dispatched to a unit without a person (the rest went to triage). */
  readonly dispatched: number;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : Math.round((a / b) * 1000) / 1000);

/** Scores what the intake did against the labels; `familyOf` names a category's family (its parent, or itself). */
export function scoreRouting(set: readonly LabelledAppeal[], routed: readonly RoutedAppeal[], familyOf: (code: string) => string): RoutingScore {
  let specific = 0;
  let family = 0;
  let dangerous = 0;
  let found = 0;
  let flagged = 0;
  let high = 0;
  let dispatched = 0;
  set.forEach((m, i) => {
    const r = routed[i]!;
    if (r.categoryCode === m.category) specific += 1;
    if (familyOf(r.categoryCode) === familyOf(m.category)) family += 1;
    if (r.danger !== null) flagged += 1;
    if (r.outcome === 'dispatched') dispatched += 1;
    if (m.dangerous) {
      dangerous += 1;
      if (r.danger !== null) found += 1;
      if (r.priority === 'high' || r.priority === 'urgent') high += 1;
    }
  });
  const trueFlags = set.filter((m, i) => m.dangerous && routed[i]!.danger !== null).length;
  return {
    messages: set.length,
    categories: new Set(set.map((m) => m.category)).size,
    specificAccuracy: ratio(specific, set.length),
    familyAccuracy: ratio(family, set.length),
    dangerRecall: ratio(found, dangerous),
    dangerPrecision: ratio(trueFlags, flagged),
    dangerousAtHighPriority: ratio(high, dangerous),
    dispatched: ratio(dispatched, set.length),
  };
}

/** The whole set's figures, and the dev and held-out parts' apart. */
export function scoreBySplit(set: readonly LabelledAppeal[], routed: readonly RoutedAppeal[], familyOf: (code: string) => string) {
  const part = (split: 'dev' | 'holdout') => {
    const idx = set.map((m, i) => (m.split === split ? i : -1)).filter((i) => i >= 0);
    return scoreRouting(idx.map((i) => set[i]!), idx.map((i) => routed[i]!), familyOf);
  };
  return { ...scoreRouting(set, routed, familyOf), dev: part('dev'), holdout: part('holdout') };
}
