/**
 * The condition language's compiler: a syntax tree → closures, once, so that evaluating is a few
 * function calls. Every operator, call and element visited counts a step against the limit.
 */
import { ExpressionError, MAX_STRING_LENGTH } from './errors.ts';
import { FUNCTIONS } from './functions.ts';
import type { ArithmeticOp, ComparisonOp, Node, PathSegment } from './parser.ts';
import { containsValue, describeValue, equalValues, readProperty, typeName, type EvalState, type Evaluator, type Fail } from './values.ts';

export class Compiler {
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
