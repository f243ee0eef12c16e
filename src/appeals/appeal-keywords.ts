/**
 * The routing table's words read in a citizen's message (pure): which keyword rule names the
 * category, and which danger words raise the priority — both skipping a word said in the negative
 * ("没有人受伤", "未起火") and a rule whose `unless` phrase shows the message is about something else
 * ("火锅店" is not a fire). The intake records what they found; the dry run shows the same.
 */
import type { Priority } from '../cases/case-model.ts';

/** A keyword rule: the exact category when one of its words is in the message. */
export interface RefineRule {
  /** A word, or words joined by `+` that must all appear close together ("井盖+不见"). */
  readonly keywords: readonly string[];
  readonly category: string;
  /** Phrases that show the message is about something else: the rule does not apply then. */
  readonly unless?: readonly string[] | undefined;
}

/** Danger words: a life or a home at risk now raises the priority, whatever the category. */
export interface DangerRule {
  readonly words: readonly string[];
  readonly priority: 'high' | 'urgent';
  /** Why, in words an operator reads ("有人身危险"). */
  readonly reason: string;
  readonly unless?: readonly string[] | undefined;
}

/** Words that, just before a keyword, say the opposite ("没有", "未", "不是"). */
export const DEFAULT_NEGATIONS: readonly string[] = Object.freeze(['没有', '没', '未', '无', '不是', '并非', '不会']);
/** Words that end in a negation's character but say nothing negative ("被水淹没"). */
const NOT_NEGATIONS: readonly string[] = ['淹没', '埋没', '出没', '吞没', '湮没'];

/** How far apart the parts of a `a+b` keyword may stand, in characters. */
const COMBO_SPAN = 24;
/** How many characters before a word are read for a negation. */
const NEGATION_REACH = 3;

export interface WordsOptions {
  readonly negations?: readonly string[] | undefined;
  readonly hypotheticals?: readonly string[] | undefined;
}

function normalise(text: string): string {
  // Full-width letters and digits as half-width, letters in lower case, whitespace out.
  return text
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .toLowerCase()
    .replace(/\s+/g, '');
}

function negatedAt(text: string, at: number, negations: readonly string[]): boolean {
  const before = text.slice(Math.max(0, at - NEGATION_REACH), at);
  return negations.some((n) => before.endsWith(n)) && !NOT_NEGATIONS.some((w) => before.endsWith(w));
}

/** Words that, earlier in the same clause, make a danger word a worry rather than a fact ("担心哪天漏气"). */
export const DEFAULT_HYPOTHETICALS: readonly string[] = Object.freeze(['担心', '万一', '以防', '防止', '如果', '要是', '怕', '会不会', '容易', '以免']);
/** How many characters of the same clause before a danger word are read for a worry. */
const HYPOTHETICAL_REACH = 8;
const CLAUSE_END = /[，。！？；,.!?;\n]/;

function hypotheticalAt(text: string, at: number, hypotheticals: readonly string[]): boolean {
  let from = Math.max(0, at - HYPOTHETICAL_REACH);
  for (let i = at - 1; i >= from; i--) {
    if (CLAUSE_END.test(text[i]!)) {
      from = i + 1;
      break;
    }
  }
  const before = text.slice(from, at);
  return hypotheticals.some((h) => before.includes(h));
}

interface Reading {
  readonly negations: readonly string[];
  /** Only for danger words. */
  readonly hypotheticals: readonly string[];
}

/** Every place `word` stands in `text` not said in the negative (nor as a worry, when asked). */
function positions(text: string, word: string, r: Reading): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
    if (!negatedAt(text, i, r.negations) && !hypotheticalAt(text, i, r.hypotheticals)) out.push(i);
  }
  return out;
}

/**
 * Where the keyword (a word, or `a+b` parts close together) stands in the text, said positively:
 * the characters it covers, or null.
 */
function keywordSpans(text: string, keyword: string, r: Reading): number[] | null {
  const parts = keyword.split('+').map((p) => normalise(p)).filter((p) => p.length > 0);
  if (parts.length === 0) return null;
  const [first, ...rest] = parts;
  for (const at of positions(text, first!, r)) {
    const others: number[] = [];
    const ok = rest.every((p) => {
      const q = positions(text, p, r).find((x) => Math.abs(x - at) <= COMBO_SPAN);
      if (q === undefined) return false;
      others.push(q);
      return true;
    });
    if (!ok) continue;
    const covered: number[] = [];
    [at, ...others].forEach((start, k) => {
      for (let i = 0; i < parts[k]!.length; i++) covered.push(start + i);
    });
    return covered;
  }
  return null;
}

const weight = (keyword: string): number => keyword.split('+').reduce((n, p) => n + p.trim().length, 0);

/** An `unless` phrase (a word or `a+b`) present, said positively or not. */
function excluded(text: string, unless: readonly string[] | undefined): boolean {
  return (unless ?? []).some((u) => keywordSpans(text, u, { negations: [], hypotheticals: [] }) !== null);
}

export interface RefineMatch {
  readonly category: string;
  /** The weightiest word that matched, as the rule wrote it. */
  readonly keyword: string;
}

/**
 * The keyword rule that fits the message best: every rule whose words appear (not negated, no
 * `unless` phrase) scores the characters of the message its words cover (a word inside a longer
 * one adds nothing); the highest wins, the earlier rule on a tie. So "井盖不见了" goes to the rule
 * that knows "井盖不见", not to one that knows only "井盖".
 */
export function matchRefine(rules: readonly RefineRule[], message: string, opts: WordsOptions = {}): RefineMatch | null {
  const text = normalise(message);
  const reading: Reading = { negations: opts.negations ?? DEFAULT_NEGATIONS, hypotheticals: [] };
  let best: { match: RefineMatch; score: number } | null = null;
  for (const r of rules) {
    if (excluded(text, r.unless)) continue;
    const covered = new Set<number>();
    const hit: string[] = [];
    for (const k of new Set(r.keywords)) {
      const spans = keywordSpans(text, k, reading);
      if (!spans) continue;
      hit.push(k);
      for (const i of spans) covered.add(i);
    }
    if (hit.length === 0) continue;
    const score = covered.size;
    if (!best || score > best.score) {
      const keyword = hit.reduce((a, b) => (weight(b) > weight(a) ? b : a));
      best = { match: { category: r.category, keyword }, score };
    }
  }
  return best?.match ?? null;
}

export interface DangerFound {
  readonly priority: 'high' | 'urgent';
  /** The danger words found, as the rules wrote them. */
  readonly words: readonly string[];
  /** Why, as the case's routing record says it. */
  readonly why: string;
}

/** The danger words in a message, the highest priority they call for and why; null when none. */
export function findDanger(rules: readonly DangerRule[], message: string, opts: WordsOptions = {}): DangerFound | null {
  const text = normalise(message);
  const reading: Reading = { negations: opts.negations ?? DEFAULT_NEGATIONS, hypotheticals: opts.hypotheticals ?? DEFAULT_HYPOTHETICALS };
  let priority: 'high' | 'urgent' | null = null;
  const words: string[] = [];
  const reasons: string[] = [];
  for (const r of rules) {
    if (excluded(text, r.unless)) continue;
    const hit = r.words.filter((w) => keywordSpans(text, w, reading) !== null);
    if (hit.length === 0) continue;
    for (const w of hit) if (!words.includes(w)) words.push(w);
    if (!reasons.includes(r.reason)) reasons.push(r.reason);
    if (priority !== 'urgent') priority = r.priority;
  }
  if (priority === null) return null;
  const label = priority === 'urgent' ? '紧急' : '高';
  return { priority, words, why: `危险词${words.map((w) => `“${w.replaceAll('+', '…')}”`).join('、')}（${reasons.join('；')}）：优先级提至${label}` };
}

const RANK: Record<Priority, number> = { low: 0, normal: 1, high: 2, urgent: 3 };

/** The higher of two priorities. */
export function higherPriority(a: Priority, b: Priority): Priority {
  return RANK[b] > RANK[a] ? b : a;
}
