/**
 * The condition language's parser: tokens → a syntax tree, by Pratt parsing (binding powers after
 * matklad), with the depth bounded; and the paths a tree reads, for the loader's checks.
 */
import { ExpressionError, FORBIDDEN_NAMES, MAX_DEPTH } from './errors.ts';
import { FUNCTIONS } from './functions.ts';
import type { Token } from './tokenizer.ts';

// A path's segment is a value's concern too (values.ts reads through them): defined there, re-exported here.
import type { PathSegment } from './values.ts';
export type { PathSegment };

export interface PathReference {
  readonly root: string;
  readonly segments: readonly PathSegment[];
  /** The path as `paths` lists it, e.g. `facts.water_main.diameter_mm` or `facts.signals[0]`. */
  readonly text: string;
}

export type ComparisonOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in';
export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';

export interface NodeBase {
  readonly pos: number;
  readonly depth: number;
  /** Written in parentheses: lets the parser tell `(not a) in b` from `not a in b`. */
  grouped: boolean;
}
export type Node = NodeBase &
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

export class Parser {
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

export function childrenOf(n: Node): Node[] {
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

export function collectPaths(n: Node, out: PathReference[]): void {
  if (n.kind === 'path') {
    out.push(Object.freeze({ root: n.root, segments: Object.freeze([...n.segments]), text: renderPath(n.root, n.segments) }));
    return;
  }
  for (const child of childrenOf(n)) collectPaths(child, out);
}

export function positionOfPath(n: Node, ref: PathReference): number | null {
  if (n.kind === 'path') return renderPath(n.root, n.segments) === ref.text ? n.pos : null;
  for (const child of childrenOf(n)) {
    const found = positionOfPath(child, ref);
    if (found !== null) return found;
  }
  return null;
}
