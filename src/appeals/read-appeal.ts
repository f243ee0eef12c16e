/**
 * What a citizen's message is about and how dangerous it sounds, found the one way the intake
 * (appeal-intake.ts) records it and the dry run (routing-table-check.ts) shows it (pure, given the
 * classifier): a hotline agent's category, else a keyword rule of the routing table (a rule, not a
 * guess: it beats the classifier when it matches), else the family classifier; and the danger words.
 */
import type { DangerFound, RoutingTable } from './routing-table.ts';
import { dangerIn, refineCategory } from './routing-table.ts';

export interface ClassifierAnswer {
  readonly categoryCode: string;
  readonly confidence: number;
  readonly top: readonly { categoryCode: string; confidence: number }[];
}

export interface AppealReading {
  /** Null only when there is neither a classifier nor a keyword rule that matches. */
  readonly categoryCode: string | null;
  readonly categoryBy: 'agent' | 'keyword' | 'classifier' | 'none';
  readonly keyword: string | null;
  /** The classifier's confidence, rounded, when it ran. */
  readonly confidence: number | null;
  readonly top: { categoryCode: string; confidence: number }[];
  readonly danger: DangerFound | null;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

export function readAppeal(
  table: RoutingTable | null,
  input: { readonly text: string; readonly title?: string | undefined; readonly categoryCode?: string | undefined },
  classify: (text: string, title?: string) => ClassifierAnswer | null,
): AppealReading {
  const whole = `${input.title ?? ''} ${input.text}`;
  const danger = table ? dangerIn(table, whole) : null;
  if (input.categoryCode) return { categoryCode: input.categoryCode, categoryBy: 'agent', keyword: null, confidence: null, top: [], danger };
  const c = classify(input.text, input.title);
  const confidence = c ? round(c.confidence) : null;
  const top = c ? c.top.map((x) => ({ categoryCode: x.categoryCode, confidence: round(x.confidence) })) : [];
  const refined = table ? refineCategory(table, whole) : null;
  if (refined) return { categoryCode: refined.category, categoryBy: 'keyword', keyword: refined.keyword, confidence, top, danger };
  if (c) return { categoryCode: c.categoryCode, categoryBy: 'classifier', keyword: null, confidence, top, danger };
  return { categoryCode: null, categoryBy: 'none', keyword: null, confidence: null, top: [], danger };
}
