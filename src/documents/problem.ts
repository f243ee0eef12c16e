/**
 * The one shape of a problem in an edited document — a plan, a rule file, the routing table, the
 * category list: where (`pointer` into the data, `line` and `column` in the text) and what, in
 * Chinese and English (`text`). The editor marks the line; the API answers the list as is.
 *
 * `path`, `message` (English) and `messageZh` repeat `pointer` and `text` for the clients written
 * before the shape was shared (the admin page, scripts reading `errors[].message`): `message` was
 * a string there, so the two languages together are `text`. Build problems with `problemAt`, so
 * the repeated fields never disagree. Reference: docs/reference/documents.md.
 */
import { closestName } from '../closest-name.ts';
import { CityLoopError, type ErrorCode } from '../errors.ts';

export interface Bilingual {
  readonly zh: string;
  readonly en: string;
}

export interface DocumentProblem {
  /** JSON pointer into the document's data: `/tasks/2/deadline`; '' for the whole document. */
  readonly pointer: string;
  /** 1-based line and column in the text, when known (not for data given as JSON objects). */
  readonly line?: number;
  readonly column?: number;
  /** What is wrong, in both languages. */
  readonly text: Bilingual;
  /** A condition (plans) that does not compile: its source, and the 1-based column in it. */
  readonly expression?: string;
  readonly expressionColumn?: number;
  /** = pointer, for earlier clients. */
  readonly path: string;
  /** = text.en, for earlier clients. */
  readonly message: string;
  /** = text.zh, for earlier clients. */
  readonly messageZh: string;
}

export interface ProblemDetails {
  readonly line?: number | undefined;
  readonly column?: number | undefined;
  readonly expression?: string | undefined;
  readonly expressionColumn?: number | undefined;
}

/** A problem at a pointer, with its place when known. */
export function problemAt(pointer: string, text: Bilingual, details: ProblemDetails = {}): DocumentProblem {
  return {
    pointer,
    ...(details.line !== undefined ? { line: details.line } : {}),
    ...(details.column !== undefined ? { column: details.column } : {}),
    text: { zh: text.zh, en: text.en },
    ...(details.expression !== undefined ? { expression: details.expression } : {}),
    ...(details.expressionColumn !== undefined ? { expressionColumn: details.expressionColumn } : {}),
    path: pointer,
    message: text.en,
    messageZh: text.zh,
  };
}

/** The same problem, its pointer under `prefix` (a rule in a list of rules: `/3` + `/condition`). */
export function underPointer(prefix: string, p: DocumentProblem): DocumentProblem {
  return prefix === '' ? p : problemAt(prefix + p.pointer, p.text, p);
}

/** The same problem with a line and column, unless it has them already. */
export function placedAt(p: DocumentProblem, place: { line?: number; column?: number }): DocumentProblem {
  return p.line !== undefined || place.line === undefined ? p : problemAt(p.pointer, p.text, { ...p, line: place.line, column: place.column });
}

/** `  /tasks/2/deadline (line 30, column 15): …` lines for an Error's message and the server log. */
export function describeProblems(problems: readonly DocumentProblem[]): string[] {
  return problems.map((p) => `  ${p.pointer === '' ? '/' : p.pointer}${p.line !== undefined ? ` (line ${p.line}${p.column !== undefined ? `, column ${p.column}` : ''})` : ''}: ${p.text.en}`);
}

/**
 * The 422 for an edited text that does not read: the first five problems in `detail`, every problem
 * in `errors`, for the editor to mark in place.
 */
export function problemsError(code: ErrorCode, problems: readonly DocumentProblem[]): CityLoopError {
  const detail = problems
    .slice(0, 5)
    .map((p) => `${p.pointer || '/'}${p.line !== undefined ? ` (line ${p.line})` : ''}: ${p.text.en}`)
    .join('; ');
  return new CityLoopError(code, { detail: problems.length > 5 ? `${detail}; … (${problems.length} problems)` : detail }, { errors: problems.map((p) => ({ ...p, text: { ...p.text } })) });
}

/** " (did you mean \"x\"?)" in both languages, or empty when no candidate is close. */
export function didYouMean(name: string, candidates: readonly string[]): Bilingual {
  const hint = closestName(name, candidates);
  return hint === null ? { en: '', zh: '' } : { en: ` (did you mean ${JSON.stringify(hint)}?)`, zh: `（是否应为 ${JSON.stringify(hint)}？）` };
}
