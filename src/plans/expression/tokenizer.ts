/**
 * The condition language's tokenizer: source text → tokens with their offsets. Full-width
 * punctuation typed by a Chinese input method and operators from other languages ('===', '=',
 * '&') are refused with a sentence that says what to write instead.
 */
import { ExpressionError } from './errors.ts';

export type TokenType = 'number' | 'string' | 'name' | 'op' | 'end';
export interface Token {
  readonly type: TokenType;
  /** Operator text, name, decoded string; the number for a number. */
  readonly value: string | number;
  readonly pos: number;
}

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '(', ')', '[', ']', ',', '.', '?', ':', '!', '-', '+', '*', '/', '%', '<', '>'];
/** Mistakes worth a sentence of their own. */
const OPERATOR_HINTS: ReadonlyMap<string, string> = new Map([
  ['===', "there is no '==='; '==' already compares without conversion"],
  ['!==', "there is no '!=='; '!=' already compares without conversion"],
  ['=', "use '==' to compare"],
  ['&', "use 'and' or '&&'"],
  ['|', "use 'or' or '||'"],
]);
/** Full-width punctuation that a Chinese input method types instead of the ASCII one. */
const FULL_WIDTH: ReadonlyMap<string, string> = new Map(
  Object.entries({
    '（': '(', '）': ')', '［': '[', '］': ']', '，': ',', '＝': '=', '！': '!', '＜': '<', '＞': '>',
    '＇': "'", '＂': '"', '‘': "'", '’': "'", '“': '"', '”': '"', '：': ':', '？': '?', '．': '.', '＋': '+', '－': '-',
  }),
);
const ESCAPES: ReadonlyMap<string, string> = new Map(Object.entries({ '\\': '\\', "'": "'", '"': '"', n: '\n', r: '\r', t: '\t' }));

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isNameStart = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
const isNamePart = (c: string | undefined): boolean => isNameStart(c) || isDigit(c);

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (reason: string, at: number): never => {
    throw new ExpressionError(reason, source, at);
  };
  while (i < source.length) {
    const c = source[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\u3000') {
      i++;
    } else if (isDigit(c)) {
      const start = i;
      while (isDigit(source[i])) i++;
      if (source[i] === '.' && isDigit(source[i + 1])) {
        i++;
        while (isDigit(source[i])) i++;
      }
      if ((source[i] === 'e' || source[i] === 'E') && (isDigit(source[i + 1]) || ((source[i + 1] === '+' || source[i + 1] === '-') && isDigit(source[i + 2])))) {
        i += 2;
        while (isDigit(source[i])) i++;
      }
      if (isNamePart(source[i])) fail(`a number cannot run into '${source[i]}'`, i);
      const value = Number(source.slice(start, i));
      if (!Number.isFinite(value)) fail('the number is too large', start);
      tokens.push({ type: 'number', value, pos: start });
    } else if (isNameStart(c)) {
      const start = i;
      while (isNamePart(source[i])) i++;
      tokens.push({ type: 'name', value: source.slice(start, i), pos: start });
    } else if (c === "'" || c === '"') {
      const start = i;
      let text = '';
      i++;
      for (;;) {
        if (i >= source.length) fail(`unclosed string: the ${c === "'" ? 'single' : 'double'} quote is never closed`, start);
        const d = source[i]!;
        if (d === c) break;
        if (d === '\\') {
          const e = source[i + 1];
          if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) {
            text += String.fromCharCode(parseInt(source.slice(i + 2, i + 6), 16));
            i += 6;
          } else if (e !== undefined && ESCAPES.has(e)) {
            text += ESCAPES.get(e);
            i += 2;
          } else {
            fail(`unknown escape '\\${e ?? ''}' (use \\\\, \\', \\", \\n, \\r, \\t or \\uXXXX)`, i);
          }
        } else {
          text += d;
          i++;
        }
      }
      i++;
      tokens.push({ type: 'string', value: text, pos: start });
    } else {
      const hint = OPERATOR_HINTS.get(source.slice(i, i + 3));
      if (hint !== undefined) fail(hint, i);
      const op = OPERATORS.find((o) => source.startsWith(o, i));
      if (op === undefined) {
        const ch = String.fromCodePoint(source.codePointAt(i)!);
        const ascii = FULL_WIDTH.get(ch);
        if (ascii !== undefined) fail(`full-width '${ch}' is not allowed here; type '${ascii}'`, i);
        fail(OPERATOR_HINTS.get(ch) ?? `unexpected character '${ch}'`, i);
      }
      tokens.push({ type: 'op', value: op!, pos: i });
      i += op!.length;
    }
  }
  tokens.push({ type: 'end', value: '', pos: source.length });
  return tokens;
}
