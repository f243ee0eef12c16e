/**
 * The condition language of plans (预案): `facts.water_main.diameter_mm >= 500`,
 * `hour(case.reportedAt) >= 22 or hour(case.reportedAt) < 6`, `'burst' in lower(case.title)`.
 *
 * Plans are written by a city's staff and loaded into the running server, so a condition must not
 * be able to run code, read anything but the values it is given, or hang the process. Hence a
 * language of its own rather than JavaScript: a tokenizer and a Pratt parser build an AST once,
 * the AST is turned into closures once, and evaluating is then a few function calls (well under a
 * microsecond for a comparison). There is no `eval`, no `Function`, no method call and no dynamic
 * property name; functions come from a fixed list. Reference: docs/reference/expressions.md.
 */

/** Longer conditions belong in several rules; the bound also bounds parsing time. */
export const MAX_SOURCE_LENGTH = 2000;
/** Deeper trees only come from generated or hostile input, and would deepen the JS stack. */
export const MAX_DEPTH = 64;
/** Operators, calls and elements visited per evaluation, so that a plan cannot stall the server. */
export const MAX_STEPS = 10_000;
/** A `+` joining strings must not build unbounded text out of large facts. */
const MAX_STRING_LENGTH = 100_000;
/** Values nested deeper than this are not compared element by element (stack safety). */
const MAX_COMPARE_DEPTH = 64;

/** The property names that lead out of the data into JavaScript's object machinery. */
const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

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

/** One property step of a path: a name (`.diameter_mm`, `["名称"]`) or an array index (`[0]`). */
export type PathSegment = string | number;

export interface PathReference {
  readonly root: string;
  readonly segments: readonly PathSegment[];
  /** The path as `paths` lists it, e.g. `facts.water_main.diameter_mm` or `facts.signals[0]`. */
  readonly text: string;
}

export interface CompileOptions {
  /**
   * Called for every path the expression reads; a returned message refuses the expression at the
   * path's position. A loader uses it to allow only the roots and facts a plan provides.
   */
  readonly checkPath?: (path: PathReference) => string | null;
  /** Lower than MAX_STEPS to be stricter; cannot be raised above it. */
  readonly maxSteps?: number;
}

export interface CompiledExpression {
  readonly source: string;
  /** The paths the expression reads, each once, in order of appearance. */
  readonly paths: readonly string[];
  /**
   * Evaluates against the named values the expression may read (`{ case, facts, level, … }`).
   * Only plain objects (as JSON.parse makes them) and arrays can be looked into; anything missing
   * reads as null. Throws ExpressionError on a type error or when the step limit is reached.
   */
  evaluate(input: Readonly<Record<string, unknown>>): unknown;
  /** `evaluate`, requiring the result to be true or false. */
  evaluateBoolean(input: Readonly<Record<string, unknown>>): boolean;
  /** Serialises as its source, so a definition holding it can be written as JSON. */
  toJSON(): string;
}

/** Parses, checks and compiles `source` once; throws ExpressionError with the position of a problem. */
export function compileExpression(source: string, options: CompileOptions = {}): CompiledExpression {
  if (typeof source !== 'string') throw new ExpressionError(`an expression must be text, got ${typeName(source)}`, '', 0);
  if (source.length > MAX_SOURCE_LENGTH) {
    throw new ExpressionError(`the expression is ${source.length} characters long; the limit is ${MAX_SOURCE_LENGTH}`, source, MAX_SOURCE_LENGTH);
  }
  const tokens = tokenize(source);
  const ast = new Parser(source, tokens).parseAll();
  const references: PathReference[] = [];
  collectPaths(ast, references);
  const seen = new Set<string>();
  const paths: string[] = [];
  for (const ref of references) {
    const problem = options.checkPath?.(ref) ?? null;
    if (problem !== null) throw new ExpressionError(problem, source, positionOfPath(ast, ref) ?? 0);
    if (!seen.has(ref.text)) {
      seen.add(ref.text);
      paths.push(ref.text);
    }
  }
  const maxSteps = Math.min(options.maxSteps ?? MAX_STEPS, MAX_STEPS);
  const run = new Compiler(source, maxSteps).compile(ast);
  const evaluate = (input: Readonly<Record<string, unknown>>): unknown => run({ input, steps: 0 });
  return Object.freeze({
    source,
    paths: Object.freeze(paths),
    evaluate,
    evaluateBoolean(input: Readonly<Record<string, unknown>>): boolean {
      const value = evaluate(input);
      if (typeof value !== 'boolean') {
        throw new ExpressionError(`the condition must be true or false, got ${describeValue(value)}`, source, 0);
      }
      return value;
    },
    toJSON: () => source,
  });
}

// ───────────────────────────── tokens ─────────────────────────────

type TokenType = 'number' | 'string' | 'name' | 'op' | 'end';
interface Token {
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

function tokenize(source: string): Token[] {
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

// ───────────────────────────── syntax tree ─────────────────────────────

type ComparisonOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in';
type ArithmeticOp = '+' | '-' | '*' | '/' | '%';

interface NodeBase {
  readonly pos: number;
  readonly depth: number;
  /** Written in parentheses: lets the parser tell `(not a) in b` from `not a in b`. */
  grouped: boolean;
}
type Node = NodeBase &
  (
    | { readonly kind: 'literal'; readonly value: null | boolean | number | string }
    | { readonly kind: 'array'; readonly items: readonly Node[] }
    | { readonly kind: 'path'; readonly root: string; readonly segments: readonly PathSegment[] }
    | { readonly kind: 'member'; readonly object: Node; readonly segments: readonly PathSegment[] }
    | { readonly kind: 'not'; readonly operand: Node }
    | { readonly kind: 'negate'; readonly operand: Node }
    | { readonly kind: 'arithmetic'; readonly op: ArithmeticOp; readonly left: Node; readonly right: Node }
    | { readonly kind: 'comparison'; readonly op: ComparisonOp; readonly left: Node; readonly right: Node }
    | { readonly kind: 'and'; readonly left: Node; readonly right: Node }
    | { readonly kind: 'or'; readonly left: Node; readonly right: Node }
    | { readonly kind: 'conditional'; readonly test: Node; readonly then: Node; readonly otherwise: Node }
    | { readonly kind: 'call'; readonly name: string; readonly args: readonly Node[] }
  );
type NodeOf<K extends Node['kind']> = Extract<Node, { kind: K }>;
type NodeFields<K extends Node['kind']> = Omit<NodeOf<K>, keyof NodeBase | 'kind'>;

/** Binding powers (left, right) after matklad's Pratt parsing; higher binds tighter. */
const CONDITIONAL_BP = [2, 1] as const;
const OR_BP = [3, 4] as const;
const AND_BP = [5, 6] as const;
const COMPARISON_BP = [7, 8] as const;
const SUM_BP = [9, 10] as const;
const PRODUCT_BP = [11, 12] as const;
const PREFIX_BP = 13;
const POSTFIX_BP = 14;

class Parser {
  readonly #source: string;
  readonly #tokens: readonly Token[];
  #index = 0;
  #nesting = 0;

  constructor(source: string, tokens: readonly Token[]) {
    this.#source = source;
    this.#tokens = tokens;
  }

  parseAll(): Node {
    if (this.#peek().type === 'end') this.#fail('the expression is empty', 0);
    const node = this.#parse(0);
    const rest = this.#peek();
    if (rest.type !== 'end') this.#fail(`unexpected ${describeToken(rest)} after a complete expression`, rest.pos);
    return node;
  }

  #fail(reason: string, pos: number): never {
    throw new ExpressionError(reason, this.#source, pos);
  }

  #peek(offset = 0): Token {
    return this.#tokens[Math.min(this.#index + offset, this.#tokens.length - 1)]!;
  }

  #next(): Token {
    const t = this.#peek();
    if (t.type !== 'end') this.#index++;
    return t;
  }

  #isOp(t: Token, op: string): boolean {
    return t.type === 'op' && t.value === op;
  }

  #expectOp(op: string, context: string): Token {
    const t = this.#next();
    if (!this.#isOp(t, op)) this.#fail(`expected '${op}' ${context}, found ${describeToken(t)}`, t.pos);
    return t;
  }

  #node<K extends Node['kind']>(kind: K, pos: number, fields: NodeFields<K>): Node {
    let depth = 0;
    for (const child of childrenOf({ kind, ...fields } as unknown as Node)) depth = Math.max(depth, child.depth);
    if (depth + 1 > MAX_DEPTH) this.#fail(`the expression is nested deeper than ${MAX_DEPTH} levels`, pos);
    return { kind, pos, depth: depth + 1, grouped: false, ...fields } as unknown as Node;
  }

  #parse(minBp: number): Node {
    if (++this.#nesting > MAX_DEPTH) this.#fail(`the expression is nested deeper than ${MAX_DEPTH} levels`, this.#peek().pos);
    let left = this.#parsePrefix();
    for (;;) {
      const t = this.#peek();
      const infix = this.#infixAt(t);
      if (infix === null || infix.bp[0] < minBp) break;
      this.#index += infix.tokens;
      left = this.#parseInfix(left, infix.op, infix.bp[1], t);
    }
    this.#nesting--;
    return left;
  }

  #infixAt(t: Token): { op: string; bp: readonly [number, number]; tokens: number } | null {
    if (t.type === 'name') {
      if (t.value === 'or') return { op: 'or', bp: OR_BP, tokens: 1 };
      if (t.value === 'and') return { op: 'and', bp: AND_BP, tokens: 1 };
      if (t.value === 'in') return { op: 'in', bp: COMPARISON_BP, tokens: 1 };
      const n = this.#peek(1);
      if (t.value === 'not' && n.type === 'name' && n.value === 'in') return { op: 'not in', bp: COMPARISON_BP, tokens: 2 };
      return null;
    }
    if (t.type !== 'op') return null;
    switch (t.value) {
      case '?':
        return { op: '?', bp: CONDITIONAL_BP, tokens: 1 };
      case '||':
        return { op: 'or', bp: OR_BP, tokens: 1 };
      case '&&':
        return { op: 'and', bp: AND_BP, tokens: 1 };
      case '==': case '!=': case '<': case '<=': case '>': case '>=':
        return { op: t.value, bp: COMPARISON_BP, tokens: 1 };
      case '+': case '-':
        return { op: t.value, bp: SUM_BP, tokens: 1 };
      case '*': case '/': case '%':
        return { op: t.value, bp: PRODUCT_BP, tokens: 1 };
      case '.': case '[': case '(':
        return { op: t.value, bp: [POSTFIX_BP, POSTFIX_BP], tokens: 1 };
      default:
        return null;
    }
  }

  #parseInfix(left: Node, op: string, rightBp: number, t: Token): Node {
    switch (op) {
      case '.': {
        const name = this.#next();
        if (name.type !== 'name') this.#fail(`expected a property name after '.', found ${describeToken(name)}`, name.pos);
        return this.#extend(left, this.#checkName(name.value as string, name.pos), t.pos);
      }
      case '[': {
        const key = this.#next();
        const segment: PathSegment =
          key.type === 'string' ? this.#checkName(key.value as string, key.pos)
          : key.type === 'number' && Number.isSafeInteger(key.value) ? (key.value as number)
          : this.#fail(`only a quoted name or a whole number can stand in [ ], found ${describeToken(key)}`, key.pos);
        this.#expectOp(']', "to close '['");
        return this.#extend(left, segment, t.pos);
      }
      case '(': {
        const what = left.kind === 'path' ? `'${renderPath(left.root, left.segments)}' is not a function; ` : '';
        return this.#fail(`${what}only these functions can be called: ${[...FUNCTIONS.keys()].join(', ')}`, left.kind === 'path' ? left.pos : t.pos);
      }
      case '?': {
        const then = this.#parse(0);
        this.#expectOp(':', "after the 'then' branch of '?'");
        const otherwise = this.#parse(rightBp);
        return this.#node('conditional', t.pos, { test: left, then, otherwise });
      }
      case 'and':
      case 'or':
        return this.#node(op, t.pos, { left, right: this.#parse(rightBp) });
      case '+': case '-': case '*': case '/': case '%':
        return this.#node('arithmetic', t.pos, { op, left, right: this.#parse(rightBp) });
      default: {
        if (left.kind === 'comparison' && !left.grouped) {
          this.#fail(`comparisons cannot be chained; join them with 'and', e.g. a < b and b < c`, t.pos);
        }
        if (left.kind === 'not' && !left.grouped) {
          this.#fail(`'not' here applies only to the left side of '${op}'; write not (a ${op} b), or (not a) ${op} b if that is meant`, left.pos);
        }
        return this.#node('comparison', t.pos, { op: op as ComparisonOp, left, right: this.#parse(rightBp) });
      }
    }
  }

  /** `a.b` then `.c` stays one path node, so `paths` and the forbidden-name check see the whole path. */
  #extend(left: Node, segment: PathSegment, pos: number): Node {
    if (left.kind === 'path') return this.#node('path', left.pos, { root: left.root, segments: [...left.segments, segment] });
    if (left.kind === 'member' && !left.grouped) return this.#node('member', left.pos, { object: left.object, segments: [...left.segments, segment] });
    return this.#node('member', pos, { object: left, segments: [segment] });
  }

  #checkName(name: string, pos: number): string {
    if (FORBIDDEN_NAMES.has(name)) this.#fail(`'${name}' cannot be read: only the data given to the expression can`, pos);
    return name;
  }

  #parsePrefix(): Node {
    const t = this.#next();
    switch (t.type) {
      case 'number':
      case 'string':
        return this.#node('literal', t.pos, { value: t.value });
      case 'end':
        return this.#fail('unexpected end of the expression', t.pos);
      case 'name':
        return this.#parseName(t);
      default:
        break;
    }
    switch (t.value) {
      case '(': {
        const inner = this.#parse(0);
        const close = this.#peek();
        if (!this.#isOp(close, ')')) {
          this.#fail(`expected ')' to close the '(' at column ${t.pos + 1}, found ${describeToken(close)}`, close.pos);
        }
        this.#next();
        inner.grouped = true;
        return inner;
      }
      case '[': {
        const items: Node[] = [];
        if (!this.#isOp(this.#peek(), ']')) {
          for (;;) {
            items.push(this.#parse(0));
            const sep = this.#next();
            if (this.#isOp(sep, ']')) break;
            if (!this.#isOp(sep, ',')) this.#fail(`expected ',' or ']' in the list, found ${describeToken(sep)}`, sep.pos);
          }
        } else {
          this.#next();
        }
        return this.#node('array', t.pos, { items });
      }
      case '!':
        return this.#node('not', t.pos, { operand: this.#parse(PREFIX_BP) });
      case '-': {
        const operand = this.#parse(PREFIX_BP);
        if (operand.kind === 'literal' && typeof operand.value === 'number' && !operand.grouped) {
          return this.#node('literal', t.pos, { value: -operand.value });
        }
        return this.#node('negate', t.pos, { operand });
      }
      default:
        return this.#fail(`unexpected ${describeToken(t)}`, t.pos);
    }
  }

  #parseName(t: Token): Node {
    const name = t.value as string;
    switch (name) {
      case 'true':
        return this.#node('literal', t.pos, { value: true });
      case 'false':
        return this.#node('literal', t.pos, { value: false });
      case 'null':
        return this.#node('literal', t.pos, { value: null });
      case 'not':
        return this.#node('not', t.pos, { operand: this.#parse(PREFIX_BP) });
      case 'and':
      case 'or':
      case 'in':
        return this.#fail(`unexpected '${name}': a value must come first`, t.pos);
      default:
        break;
    }
    if (this.#isOp(this.#peek(), '(')) return this.#parseCall(name, t.pos);
    return this.#node('path', t.pos, { root: this.#checkName(name, t.pos), segments: [] });
  }

  #parseCall(name: string, pos: number): Node {
    const spec = FUNCTIONS.get(name);
    if (spec === undefined) this.#fail(`unknown function '${name}'; the functions are ${[...FUNCTIONS.keys()].join(', ')}`, pos);
    this.#next(); // '('
    const args: Node[] = [];
    if (!this.#isOp(this.#peek(), ')')) {
      for (;;) {
        args.push(this.#parse(0));
        const sep = this.#next();
        if (this.#isOp(sep, ')')) break;
        if (!this.#isOp(sep, ',')) this.#fail(`expected ',' or ')' in the call of ${name}(), found ${describeToken(sep)}`, sep.pos);
      }
    } else {
      this.#next();
    }
    if (args.length < spec.min || args.length > spec.max) {
      const wanted = spec.min === spec.max ? `${spec.min}` : spec.max === Infinity ? `at least ${spec.min}` : `${spec.min} or ${spec.max}`;
      this.#fail(`${name}() takes ${wanted} argument${wanted.endsWith('1') ? '' : 's'}, got ${args.length}`, pos);
    }
    return this.#node('call', pos, { name, args });
  }
}

function childrenOf(n: Node): Node[] {
  switch (n.kind) {
    case 'literal':
    case 'path':
      return [];
    case 'array':
      return [...n.items];
    case 'member':
      return [n.object];
    case 'not':
    case 'negate':
      return [n.operand];
    case 'arithmetic':
    case 'comparison':
    case 'and':
    case 'or':
      return [n.left, n.right];
    case 'conditional':
      return [n.test, n.then, n.otherwise];
    case 'call':
      return [...n.args];
  }
}

function describeToken(t: Token): string {
  switch (t.type) {
    case 'end':
      return 'the end of the expression';
    case 'number':
      return `number ${t.value}`;
    case 'string':
      return `string ${JSON.stringify(t.value)}`;
    case 'name':
      return `'${t.value}'`;
    default:
      return `'${t.value}'`;
  }
}

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function renderPath(root: string, segments: readonly PathSegment[]): string {
  let text = root;
  for (const s of segments) {
    if (typeof s === 'number') text += `[${s}]`;
    else text += PLAIN_NAME.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
  }
  return text;
}

function collectPaths(n: Node, out: PathReference[]): void {
  if (n.kind === 'path') {
    out.push(Object.freeze({ root: n.root, segments: Object.freeze([...n.segments]), text: renderPath(n.root, n.segments) }));
    return;
  }
  for (const child of childrenOf(n)) collectPaths(child, out);
}

function positionOfPath(n: Node, ref: PathReference): number | null {
  if (n.kind === 'path') return renderPath(n.root, n.segments) === ref.text ? n.pos : null;
  for (const child of childrenOf(n)) {
    const found = positionOfPath(child, ref);
    if (found !== null) return found;
  }
  return null;
}

// ───────────────────────────── values ─────────────────────────────

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};
const isList = (v: unknown): v is readonly unknown[] => Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype;
const INDEX_NAME = /^(?:0|[1-9]\d*)$/;

/**
 * The only way an expression looks into a value: own enumerable data properties of plain objects,
 * and the elements and length of arrays. Accessors are not called and functions read as null, so
 * no code of the host runs on behalf of a plan.
 */
function readProperty(target: unknown, key: PathSegment): unknown {
  if (target === null || typeof target !== 'object') return null;
  if (isList(target)) {
    if (key === 'length') return target.length;
    const index = typeof key === 'number' ? key : INDEX_NAME.test(key) ? Number(key) : -1;
    return index >= 0 && index < target.length ? normalize(target[index]) : null;
  }
  if (!isPlainObject(target)) return null;
  const d = Object.getOwnPropertyDescriptor(target, key);
  return d === undefined || !d.enumerable ? null : normalize(d.value);
}

const normalize = (v: unknown): unknown => (v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : v);

function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

function describeValue(v: unknown): string {
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return typeName(v);
}

// ───────────────────────────── evaluation ─────────────────────────────

interface EvalState {
  readonly input: Readonly<Record<string, unknown>>;
  steps: number;
}
type Evaluator = (s: EvalState) => unknown;
/** Builds the error for a node; the compiled closures call it only when something is wrong. */
type Fail = (reason: string) => ExpressionError;

interface FunctionSpec {
  readonly min: number;
  readonly max: number;
  readonly build: (args: readonly Evaluator[], fail: Fail, tick: (s: EvalState) => void) => Evaluator;
}

class Compiler {
  readonly #source: string;
  readonly #maxSteps: number;

  constructor(source: string, maxSteps: number) {
    this.#source = source;
    this.#maxSteps = maxSteps;
  }

  compile(n: Node): Evaluator {
    const source = this.#source;
    const maxSteps = this.#maxSteps;
    const fail: Fail = (reason) => new ExpressionError(reason, source, n.pos);
    const tick = (s: EvalState): void => {
      if (++s.steps > maxSteps) throw fail(`the expression took more than ${maxSteps} steps and was stopped`);
    };
    switch (n.kind) {
      case 'literal': {
        const value = n.value;
        return () => value;
      }
      case 'array': {
        const items = n.items.map((i) => this.compile(i));
        return (s) => {
          tick(s);
          return items.map((f) => f(s));
        };
      }
      case 'path': {
        const { root, segments } = n;
        if (segments.length === 1) {
          const a = segments[0]!;
          return (s) => readProperty(readProperty(s.input, root), a);
        }
        if (segments.length === 2) {
          const [a, b] = segments as [PathSegment, PathSegment];
          return (s) => readProperty(readProperty(readProperty(s.input, root), a), b);
        }
        return (s) => readSegments(readProperty(s.input, root), segments);
      }
      case 'member': {
        const object = this.compile(n.object);
        const segments = n.segments;
        return (s) => readSegments(object(s), segments);
      }
      case 'not': {
        const operand = this.compile(n.operand);
        return (s) => {
          tick(s);
          const v = operand(s);
          if (typeof v !== 'boolean') throw fail(`'not' needs true or false, got ${describeValue(v)}`);
          return !v;
        };
      }
      case 'negate': {
        const operand = this.compile(n.operand);
        return (s) => {
          tick(s);
          const v = operand(s);
          if (typeof v !== 'number') throw fail(`'-' needs a number, got ${describeValue(v)}`);
          return -v;
        };
      }
      case 'and':
      case 'or': {
        const left = this.compile(n.left);
        const right = this.compile(n.right);
        const op = n.kind;
        const stopAt = op === 'or';
        return (s) => {
          tick(s);
          const l = left(s);
          if (typeof l !== 'boolean') throw fail(`'${op}' needs true or false on its left, got ${describeValue(l)}`);
          if (l === stopAt) return l;
          const r = right(s);
          if (typeof r !== 'boolean') throw fail(`'${op}' needs true or false on its right, got ${describeValue(r)}`);
          return r;
        };
      }
      case 'conditional': {
        const test = this.compile(n.test);
        const then = this.compile(n.then);
        const otherwise = this.compile(n.otherwise);
        return (s) => {
          tick(s);
          const t = test(s);
          if (typeof t !== 'boolean') throw fail(`the condition before '?' must be true or false, got ${describeValue(t)}`);
          return t ? then(s) : otherwise(s);
        };
      }
      case 'arithmetic':
        return this.#compileArithmetic(n.op, this.compile(n.left), this.compile(n.right), fail, tick);
      case 'comparison':
        return this.#compileComparison(n.op, this.compile(n.left), this.compile(n.right), fail, tick);
      case 'call': {
        const spec = FUNCTIONS.get(n.name)!;
        return spec.build(n.args.map((a) => this.compile(a)), fail, tick);
      }
    }
  }

  #compileArithmetic(op: ArithmeticOp, left: Evaluator, right: Evaluator, fail: Fail, tick: (s: EvalState) => void): Evaluator {
    const mismatch = (l: unknown, r: unknown): ExpressionError =>
      fail(`'${op}' needs ${op === '+' ? 'two numbers or two strings' : 'numbers'}, got ${typeName(l)} and ${typeName(r)}`);
    const finite = (x: number): number => {
      if (!Number.isFinite(x)) throw fail(`'${op}' gave a number too large to use`);
      return x;
    };
    switch (op) {
      case '+':
        return (s) => {
          tick(s);
          const l = left(s);
          const r = right(s);
          if (typeof l === 'number' && typeof r === 'number') return finite(l + r);
          if (typeof l === 'string' && typeof r === 'string') {
            if (l.length + r.length > MAX_STRING_LENGTH) throw fail(`'+' would make a string longer than ${MAX_STRING_LENGTH} characters`);
            return l + r;
          }
          throw mismatch(l, r);
        };
      case '-':
      case '*':
        return (s) => {
          tick(s);
          const l = left(s);
          const r = right(s);
          if (typeof l !== 'number' || typeof r !== 'number') throw mismatch(l, r);
          return finite(op === '-' ? l - r : l * r);
        };
      case '/':
      case '%':
        return (s) => {
          tick(s);
          const l = left(s);
          const r = right(s);
          if (typeof l !== 'number' || typeof r !== 'number') throw mismatch(l, r);
          if (r === 0) throw fail(`'${op}' by zero`);
          return finite(op === '/' ? l / r : l % r);
        };
    }
  }

  #compileComparison(op: ComparisonOp, left: Evaluator, right: Evaluator, fail: Fail, tick: (s: EvalState) => void): Evaluator {
    switch (op) {
      case '==':
      case '!=': {
        const want = op === '==';
        return (s) => {
          tick(s);
          return equalValues(left(s), right(s), s, tick, fail, 0) === want;
        };
      }
      case 'in':
      case 'not in': {
        const want = op === 'in';
        return (s) => {
          tick(s);
          const needle = left(s);
          return containsValue(right(s), needle, s, tick, fail, `'${op}'`) === want;
        };
      }
      default: {
        // Ordering: numbers with numbers, strings with strings (ISO times sort as text). A null side
        // makes every ordering false, so a missing fact fails `<` and `>=` alike.
        const test = ORDERINGS[op];
        return (s) => {
          tick(s);
          const l = left(s);
          const r = right(s);
          if (typeof l === 'number' && typeof r === 'number') return test(l, r);
          if (l === null || r === null) return false;
          if (typeof l === 'string' && typeof r === 'string') return test(l, r);
          throw fail(`'${op}' cannot compare ${typeName(l)} with ${typeName(r)}`);
        };
      }
    }
  }
}

const ORDERINGS: Readonly<Record<'<' | '<=' | '>' | '>=', (a: number | string, b: number | string) => boolean>> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function readSegments(start: unknown, segments: readonly PathSegment[]): unknown {
  let v = start;
  for (let i = 0; i < segments.length && v !== null; i++) v = readProperty(v, segments[i]!);
  return v;
}

/** Equality without conversion (1 != '1'); lists and plain objects compare element by element. */
function equalValues(a: unknown, b: unknown, s: EvalState, tick: (s: EvalState) => void, fail: Fail, depth: number): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (depth >= MAX_COMPARE_DEPTH) throw fail(`values nested deeper than ${MAX_COMPARE_DEPTH} levels cannot be compared`);
  if (isList(a) || isList(b)) {
    if (!isList(a) || !isList(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      tick(s);
      if (!equalValues(readProperty(a, i), readProperty(b, i), s, tick, fail, depth + 1)) return false;
    }
    return true;
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    tick(s);
    if (!Object.prototype.propertyIsEnumerable.call(b, k)) return false;
    if (!equalValues(readProperty(a, k), readProperty(b, k), s, tick, fail, depth + 1)) return false;
  }
  return true;
}

/** `needle in hay`: an element of a list, a substring of a string, a key of an object; nothing is in null. */
function containsValue(hay: unknown, needle: unknown, s: EvalState, tick: (s: EvalState) => void, fail: Fail, what: string): boolean {
  if (hay === null) return false;
  if (typeof hay === 'string') {
    if (typeof needle !== 'string') throw fail(`${what} looks for a string inside a string, got ${typeName(needle)}`);
    return hay.includes(needle);
  }
  if (isList(hay)) {
    for (let i = 0; i < hay.length; i++) {
      tick(s);
      if (equalValues(readProperty(hay, i), needle, s, tick, fail, 0)) return true;
    }
    return false;
  }
  if (isPlainObject(hay)) {
    if (typeof needle !== 'string') throw fail(`${what} looks for a key of an object, which is a string, got ${typeName(needle)}`);
    return Object.prototype.propertyIsEnumerable.call(hay, needle);
  }
  throw fail(`${what} needs a list, a string or an object on its right, got ${typeName(hay)}`);
}

// ───────────────────────────── functions ─────────────────────────────

/** China has used UTC+8 all year since 1991: no daylight saving to account for. */
const CHINA_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Milliseconds since the epoch in Chinese local time, or null for text that is not an ISO time with a zone. */
function chinaLocalMs(text: string): number | null {
  const m = ISO_TIME.exec(text);
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  const zone = m[7]!;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(utc).getUTCDate() !== day) return null; // 2026-02-30 and the like
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    const hh = Number(digits.slice(1, 3));
    const mm = Number(digits.slice(3, 5));
    if (hh > 23 || mm > 59) return null;
    offsetMinutes = (digits[0] === '-' ? -1 : 1) * (hh * 60 + mm);
  }
  return utc - offsetMinutes * 60_000 + CHINA_OFFSET_MS;
}

const modulo = (a: number, b: number): number => ((a % b) + b) % b;

function timeFunction(name: string, pick: (localMs: number) => number): FunctionSpec {
  return {
    min: 1,
    max: 1,
    build: ([arg], fail, tick) => (s) => {
      tick(s);
      const v = arg!(s);
      if (v === null) return null;
      const local = typeof v === 'string' ? chinaLocalMs(v) : null;
      if (local === null) {
        throw fail(`${name}() needs an ISO-8601 time with a zone such as '2026-05-01T08:30:00+08:00', got ${describeValue(v)}`);
      }
      return pick(local);
    },
  };
}

function stringFunction(name: string, apply: (s: string) => string): FunctionSpec {
  return {
    min: 1,
    max: 1,
    build: ([arg], fail, tick) => (s) => {
      tick(s);
      const v = arg!(s);
      if (v === null) return null;
      if (typeof v !== 'string') throw fail(`${name}() needs a string, got ${typeName(v)}`);
      return apply(v);
    },
  };
}

function affixFunction(name: string, test: (s: string, part: string) => boolean): FunctionSpec {
  return {
    min: 2,
    max: 2,
    build: ([text, part], fail, tick) => (s) => {
      tick(s);
      const v = text!(s);
      const p = part!(s);
      if (v === null) return false;
      if (typeof v !== 'string' || typeof p !== 'string') throw fail(`${name}() needs two strings, got ${typeName(v)} and ${typeName(p)}`);
      return test(v, p);
    },
  };
}

function extremeFunction(name: string, pick: (a: number, b: number) => number): FunctionSpec {
  return {
    min: 1,
    max: Infinity,
    build: (args, fail, tick) => (s) => {
      tick(s);
      let values: readonly unknown[] = args.map((a) => a(s));
      // min(list) reads the elements: max(facts.gauges_levels) rather than spelling each one out.
      if (values.length === 1 && isList(values[0])) values = values[0];
      let best: number | null = null;
      for (let i = 0; i < values.length; i++) {
        tick(s);
        const v = normalize(values[i]);
        if (v === null) continue;
        if (typeof v !== 'number') throw fail(`${name}() needs numbers, got ${typeName(v)}`);
        best = best === null ? v : pick(best, v);
      }
      return best;
    },
  };
}

/** Half away from zero at `digits` decimals; toPrecision(15) first so 1.005 rounds to 1.01 as written. */
function roundTo(x: number, digits: number): number {
  const magnitude = Math.abs(x);
  const scaled = digits >= 0 ? magnitude * 10 ** digits : magnitude / 10 ** -digits;
  const whole = Math.round(Number(scaled.toPrecision(15)));
  const result = digits >= 0 ? whole / 10 ** digits : whole * 10 ** -digits;
  return x < 0 && result !== 0 ? -result : result;
}

const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  ['len', {
    min: 1,
    max: 1,
    build: ([arg], fail, tick) => (s) => {
      tick(s);
      const v = arg!(s);
      if (v === null) return 0;
      if (typeof v === 'string') {
        let n = 0;
        for (const _ of v) n++; // characters, not UTF-16 units
        return n;
      }
      if (isList(v)) return v.length;
      if (isPlainObject(v)) return Object.keys(v).length;
      throw fail(`len() needs a string, a list or an object, got ${typeName(v)}`);
    },
  }],
  ['lower', stringFunction('lower', (v) => v.toLowerCase())],
  ['upper', stringFunction('upper', (v) => v.toUpperCase())],
  ['contains', {
    min: 2,
    max: 2,
    build: ([hay, needle], fail, tick) => (s) => {
      tick(s);
      return containsValue(hay!(s), needle!(s), s, tick, fail, 'contains()');
    },
  }],
  ['startsWith', affixFunction('startsWith', (v, p) => v.startsWith(p))],
  ['endsWith', affixFunction('endsWith', (v, p) => v.endsWith(p))],
  ['min', extremeFunction('min', Math.min)],
  ['max', extremeFunction('max', Math.max)],
  ['abs', {
    min: 1,
    max: 1,
    build: ([arg], fail, tick) => (s) => {
      tick(s);
      const v = arg!(s);
      if (v === null) return null;
      if (typeof v !== 'number') throw fail(`abs() needs a number, got ${typeName(v)}`);
      return Math.abs(v);
    },
  }],
  ['round', {
    min: 1,
    max: 2,
    build: ([arg, digitsArg], fail, tick) => (s) => {
      tick(s);
      const v = arg!(s);
      const digits = digitsArg === undefined ? 0 : digitsArg(s);
      if (typeof digits !== 'number' || !Number.isInteger(digits) || digits < -10 || digits > 10) {
        throw fail(`round() takes a whole number of digits from -10 to 10, got ${describeValue(digits)}`);
      }
      if (v === null) return null;
      if (typeof v !== 'number') throw fail(`round() needs a number, got ${typeName(v)}`);
      return roundTo(v, digits);
    },
  }],
  ['exists', {
    min: 1,
    max: 1,
    build: ([arg], _fail, tick) => (s) => {
      tick(s);
      return arg!(s) !== null;
    },
  }],
  ['hour', timeFunction('hour', (ms) => Math.floor(modulo(ms, DAY_MS) / 3_600_000))],
  // 1970-01-01 was a Thursday, ISO weekday 4.
  ['weekday', timeFunction('weekday', (ms) => modulo(Math.floor(ms / DAY_MS) + 3, 7) + 1)],
  ['coalesce', {
    min: 1,
    max: Infinity,
    build: (args, _fail, tick) => (s) => {
      tick(s);
      for (const a of args) {
        const v = a(s);
        if (v !== null) return v;
      }
      return null;
    },
  }],
]);

/** The names of the functions an expression may call. */
export const EXPRESSION_FUNCTIONS: readonly string[] = Object.freeze([...FUNCTIONS.keys()]);
