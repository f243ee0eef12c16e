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
import { ExpressionError, MAX_SOURCE_LENGTH, MAX_STEPS } from './errors.ts';
import { tokenize } from './tokenizer.ts';
import { Parser, collectPaths, positionOfPath, type PathReference } from './parser.ts';
import { Compiler } from './compiler.ts';
import { describeValue, typeName } from './values.ts';

export { ExpressionError, MAX_DEPTH, MAX_SOURCE_LENGTH, MAX_STEPS } from './errors.ts';
export type { PathReference, PathSegment } from './parser.ts';
export { EXPRESSION_FUNCTIONS } from './functions.ts';

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
