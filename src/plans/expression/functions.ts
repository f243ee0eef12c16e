/**
 * The fixed list of functions a condition may call (len, lower, hour, min, round, coalesce …);
 * times are read on China's clock (UTC+8 all year). Reference: docs/reference/expressions.md.
 */
import { containsValue, describeValue, isList, isPlainObject, normalize, typeName, type FunctionSpec } from './values.ts';

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

export const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
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
