/**
 * The words a case is found by (pure): its number, title, address and the reporter's text, cut
 * into terms that a stock tokenizer splits on spaces — CJK text as overlapping bigrams (解放碑 →
 * 解放 放碑) followed by its single characters, other text as lower-case words of letters and
 * digits. Both stores index these terms with their own full-text engine (SQLite FTS5 under
 * `unicode61`, PostgreSQL `to_tsvector('simple', …)`, migration 0014) and are asked the same query:
 * each CJK run of two or more characters as a phrase of its bigrams, a single character as itself
 * (the fallback of 1–2 character queries: one bigram or one character is one term), every other
 * word as a prefix. See docs/reference/api.md#searching-cases.
 */

/** Chinese (Han) characters and the other scripts written without spaces. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
/** A run of CJK characters, or a word of other letters and digits. */
const RUNS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+|[\p{L}\p{N}]+/gu;
/** Longest word kept (longer ones are cut: a term is a word, not a blob). */
const MAX_WORD = 40;

export interface SearchableCase {
  readonly number: string;
  readonly title: string;
  readonly description: string;
  readonly location: { readonly address: string };
}

function runsOf(text: string): string[] {
  return (text.normalize('NFKC').toLowerCase().match(RUNS) ?? []).map((r) => (CJK.test(r[0]!) ? r : r.slice(0, MAX_WORD)));
}

function isCjkRun(run: string): boolean {
  return CJK.test(run[0]!);
}

function bigrams(run: string): string[] {
  const chars = [...run];
  if (chars.length < 2) return chars;
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

/** The indexed text of a case: terms separated by spaces (bigrams of a run in order, so phrases match). */
export function searchTermsOf(doc: SearchableCase): string {
  const words: string[] = [];
  const singles = new Set<string>();
  for (const text of [doc.number, doc.title, doc.location.address, doc.description]) {
    for (const run of runsOf(text)) {
      if (isCjkRun(run)) {
        words.push(...bigrams(run));
        for (const ch of run) singles.add(ch);
      } else {
        words.push(run);
      }
    }
    // A break between fields: a phrase does not run from the title into the address.
    words.push('');
  }
  return [...words.filter((w) => w !== ''), ...singles].join(' ');
}

/** One part of a query: every part must match (AND). */
export type SearchPart =
  /** Consecutive terms (a CJK run's bigrams, or one bigram, or one character). */
  | { readonly kind: 'phrase'; readonly terms: readonly string[] }
  /** A word of letters and digits, matched as the start of an indexed word. */
  | { readonly kind: 'prefix'; readonly term: string };

/** The parts of what a user typed; empty when it holds no letter or digit. */
export function searchPartsOf(q: string): SearchPart[] {
  return runsOf(q).slice(0, 16).map((run): SearchPart => (isCjkRun(run) ? { kind: 'phrase', terms: bigrams(run) } : { kind: 'prefix', term: run }));
}

/** The parts as an FTS5 MATCH expression (terms hold only letters and digits: quoting is enough). */
export function fts5Match(parts: readonly SearchPart[]): string {
  return parts.map((p) => (p.kind === 'phrase' ? `"${p.terms.join(' ')}"` : `"${p.term}"*`)).join(' AND ');
}

/** The parts as a PostgreSQL tsquery text for to_tsquery('simple', …). */
export function tsQuery(parts: readonly SearchPart[]): string {
  return parts.map((p) => (p.kind === 'phrase' ? `(${p.terms.map((t) => `'${t}'`).join(' <-> ')})` : `'${p.term}':*`)).join(' & ');
}
