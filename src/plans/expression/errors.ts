/**
 * The limits of the condition language and its one error, with the position of the problem in
 * the source: shared by the tokenizer, the parser, the compiler and the functions.
 */

/** Longer conditions belong in several rules; the bound also bounds parsing time. */
export const MAX_SOURCE_LENGTH = 2000;
/** Deeper trees only come from generated or hostile input, and would deepen the JS stack. */
export const MAX_DEPTH = 64;
/** Operators, calls and elements visited per evaluation, so that a plan cannot stall the server. */
export const MAX_STEPS = 10_000;
/** A `+` joining strings must not build unbounded text out of large facts. */
export const MAX_STRING_LENGTH = 100_000;
/** Values nested deeper than this are not compared element by element (stack safety). */
export const MAX_COMPARE_DEPTH = 64;

/** The property names that lead out of the data into JavaScript's object machinery. */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export class ExpressionError extends Error {
  /** The expression as written. */
  readonly source: string;
  /** Offset into `source` (UTF-16 units, 0-based) where the problem is. */
  readonly position: number;
  /** 1-based line and column (in characters) of `position`, for people. */
  readonly line: number;
  readonly column: number;
  /** The message without the quoted source, e.g. "unknown function 'sqrt'". */
  readonly reason: string;

  constructor(reason: string, source: string, position: number) {
    const at = Math.max(0, Math.min(position, source.length));
    const lineStart = source.lastIndexOf('\n', at - 1) + 1;
    const lineEndIndex = source.indexOf('\n', at);
    const lineText = source.slice(lineStart, lineEndIndex === -1 ? source.length : lineEndIndex);
    const before = Array.from(source.slice(lineStart, at));
    const line = countLines(source, lineStart);
    const column = before.length + 1;
    const where = source.includes('\n') ? `line ${line}, column ${column}` : `column ${column}`;
    super(`${reason} at ${where}:\n  ${lineText}\n  ${before.map(padFor).join('')}^`);
    this.name = 'ExpressionError';
    this.source = source;
    this.position = at;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

function countLines(source: string, upTo: number): number {
  let line = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < upTo; i = source.indexOf('\n', i + 1)) line++;
  return line;
}

/** Keeps the caret under the right character when the line holds Chinese (double-width) text. */
function padFor(ch: string): string {
  if (ch === '\t') return '\t';
  const cp = ch.codePointAt(0) ?? 0;
  const wide = (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) || cp >= 0x20000;
  return wide ? '\u3000' : ' ';
}

