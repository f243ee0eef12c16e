/**
 * How an expression reads and describes the values it is given: only plain data is looked into,
 * no accessor or function of the host ever runs on a plan's behalf. And the shapes the compiled
 * closures share with the functions.
 */
import { MAX_COMPARE_DEPTH, type ExpressionError } from './errors.ts';

/** One step of a path: a key, or an index into a list. */
export type PathSegment = string | number;

export const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};
export const isList = (v: unknown): v is readonly unknown[] => Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype;
const INDEX_NAME = /^(?:0|[1-9]\d*)$/;

/**
 * The only way an expression looks into a value: own enumerable data properties of plain objects,
 * and the elements and length of arrays. Accessors are not called and functions read as null, so
 * no code of the host runs on behalf of a plan.
 */
export function readProperty(target: unknown, key: PathSegment): unknown {
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

export const normalize = (v: unknown): unknown => (v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : v);

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

export function describeValue(v: unknown): string {
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return typeName(v);
}

export interface EvalState {
  readonly input: Readonly<Record<string, unknown>>;
  steps: number;
}
export type Evaluator = (s: EvalState) => unknown;
/** Builds the error for a node; the compiled closures call it only when something is wrong. */
export type Fail = (reason: string) => ExpressionError;

export interface FunctionSpec {
  readonly min: number;
  readonly max: number;
  readonly build: (args: readonly Evaluator[], fail: Fail, tick: (s: EvalState) => void) => Evaluator;
}

/** Equality without conversion (1 != '1'); lists and plain objects compare element by element. */
export function equalValues(a: unknown, b: unknown, s: EvalState, tick: (s: EvalState) => void, fail: Fail, depth: number): boolean {
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
export function containsValue(hay: unknown, needle: unknown, s: EvalState, tick: (s: EvalState) => void, fail: Fail, what: string): boolean {
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
