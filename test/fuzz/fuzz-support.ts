/**
 * What the fuzz tests share: their settings (runs, seed, time) from the environment, values made
 * from an OpenAPI document's JSON Schemas, and the hostile mutations of them.
 *
 *   npm test          a short run (FUZZ_RUNS defaults to a few per operation)
 *   npm run fuzz      the long run; FUZZ_RUNS, FUZZ_SEED and FUZZ_TIME_MS (a budget per test) set it;
 *                     FUZZ_DIALECT=postgres (with TEST_DATABASE_URL) runs it on PostgreSQL
 *
 * A failure prints the seed (and fast-check's path): FUZZ_SEED=<seed> npm run fuzz replays it.
 */
import fc from 'fast-check';
import { PG_URL, type Dialect } from '../support/test-platform.ts';

/** The store the fuzz runs on: SQLite, or PostgreSQL with FUZZ_DIALECT=postgres and TEST_DATABASE_URL set. */
export const FUZZ_DIALECT: Dialect = process.env.FUZZ_DIALECT === 'postgres' && PG_URL ? 'postgres' : 'sqlite';

export interface FuzzSettings {
  readonly runs: number;
  readonly seed: number;
  /** A time budget per property: once spent, its remaining runs return at once (never mid-request). */
  readonly timeMs: number;
  readonly long: boolean;
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return n;
}

export function fuzzSettings(short: { runs: number; timeMs: number }): FuzzSettings {
  const long = process.env.FUZZ_LONG === '1';
  return {
    runs: envInt('FUZZ_RUNS', long ? short.runs * 25 : short.runs),
    seed: envInt('FUZZ_SEED', Date.now() % 2_147_483_647),
    timeMs: envInt('FUZZ_TIME_MS', long ? short.timeMs * 30 : short.timeMs),
    long,
  };
}

/**
 * Runs `check` on values of `arbitrary` (fast-check, seeded) and, on failure, says how to replay.
 * Time is bounded by the runs and by `timeMs`: once the budget is spent the remaining runs return
 * at once (at least one run always checks). A request is never abandoned half-way, as fast-check's
 * own interruption would do, so one run never overlaps the next.
 */
export async function fuzzAssert<T>(name: string, s: FuzzSettings, arbitrary: fc.Arbitrary<T>, check: (value: T) => Promise<void>, timeMs = s.timeMs): Promise<void> {
  const deadline = Date.now() + timeMs;
  let checked = 0;
  const property = fc.asyncProperty(arbitrary, async (value) => {
    if (checked > 0 && Date.now() > deadline) return;
    checked++;
    await check(value);
  });
  try {
    await fc.assert(property, { numRuns: s.runs, seed: s.seed, endOnFailure: true });
  } catch (e) {
    const msg = `fuzz "${name}" failed; replay with FUZZ_SEED=${s.seed} FUZZ_RUNS=${s.runs}`;
    console.error(`${msg}\n${(e as Error).message.slice(0, 4000)}`);
    throw new Error(`${msg}\n${(e as Error).message}`, { cause: e });
  }
}

// ─── values from JSON Schema ────────────────────────────────────────────────────────────────────

type Schema = Record<string, unknown>;

/** Resolves `#/components/schemas/…` references against the OpenAPI document. */
export function resolver(doc: { components?: { schemas?: Record<string, Schema> } }): (s: Schema) => Schema {
  return (s) => {
    let cur = s;
    for (let i = 0; i < 10 && typeof cur.$ref === 'string'; i++) {
      const name = (cur.$ref as string).replace('#/components/schemas/', '');
      cur = doc.components?.schemas?.[name] ?? {};
    }
    return cur;
  };
}

const SHORT = 40;

/** Values that a schema admits (mostly: patterns and formats are honoured, the rest is best effort). */
export function valueOf(schema: Schema, resolve: (s: Schema) => Schema, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  if (depth > 6) return fc.constant(null);
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum) && s.enum.length > 0) return fc.constantFrom(...(s.enum as unknown[]));
  const alternatives = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (Array.isArray(alternatives) && alternatives.length > 0) return fc.oneof(...alternatives.map((a) => valueOf(a, resolve, depth + 1)));
  const type = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : [];
  if (type.length > 1) return fc.oneof(...type.map((t) => valueOf({ ...s, type: t }, resolve, depth)));
  switch (type[0]) {
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, Schema>;
      const required = new Set((s.required as string[] | undefined) ?? []);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) model[k] = valueOf(v, resolve, depth + 1);
      return fc.record(model, { requiredKeys: [...required].filter((k) => k in model) });
    }
    case 'array': {
      const items = (s.items ?? {}) as Schema;
      const min = typeof s.minItems === 'number' ? s.minItems : 0;
      const max = Math.max(min, Math.min(typeof s.maxItems === 'number' ? s.maxItems : 4, min + 4));
      return fc.array(valueOf(items, resolve, depth + 1), { minLength: min, maxLength: max });
    }
    case 'string': {
      if (s.format === 'date-time') return fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
      if (typeof s.pattern === 'string') return fc.stringMatching(new RegExp(s.pattern));
      const min = typeof s.minLength === 'number' ? s.minLength : 0;
      const max = Math.max(min, Math.min(typeof s.maxLength === 'number' ? s.maxLength : SHORT, min + SHORT));
      return fc.string({ minLength: min, maxLength: max, unit: 'grapheme' });
    }
    case 'integer': {
      const min = typeof s.minimum === 'number' ? s.minimum : -1000;
      const max = typeof s.maximum === 'number' ? s.maximum : 100_000;
      return fc.integer({ min: Math.ceil(min), max: Math.floor(Math.max(min, max)) });
    }
    case 'number': {
      const min = typeof s.minimum === 'number' ? s.minimum : -1e6;
      const max = typeof s.maximum === 'number' ? s.maximum : 1e6;
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

// ─── hostile values ─────────────────────────────────────────────────────────────────────────────

/** Characters the text rule refuses, and some that are fine but awkward. */
const NASTY_CHARS = ['\u0000', '\u0001', '\u001b', '\u007f', '\u0085', '\u009f', '\ud800', '\udfff', '\ufeff', '\u202e', '\u2028', '\t', '\n', '\r', '%', '_', '\\', '"', "'", '<', '>', '&', '🚧', '渝', '\u0301'];

const nastyString = fc
  .array(fc.oneof(fc.constantFrom(...NASTY_CHARS), fc.string({ maxLength: 6, unit: 'binary' })), { maxLength: 12 })
  .map((parts) => parts.join(''));

/**
 * A hostile JSON value as raw JSON text (so that depth can exceed what JSON.stringify could write):
 * wrong types, nulls, deep nesting, huge strings, control characters, odd numbers, unicode.
 */
export const hostileJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('null', 'true', 'false', '0', '-0', '1e308', '-1e308', '1e-324', '123456789012345678901234567890', '[]', '{}', '""', '"0"', '"106.577"', '"null"', '[null]', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}'),
  nastyString.map((s) => JSON.stringify(s)),
  fc.constantFrom(...NASTY_CHARS).map((c) => `"a${c === '"' || c === '\\' ? `\\${c}` : c}b"`),
  fc.integer({ min: 60, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 60, max: 20_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
  fc.integer({ min: 1_000, max: 400_000 }).map((n) => JSON.stringify('x'.repeat(n))),
  fc.integer({ min: 100, max: 5_000 }).map((n) => `[${Array.from({ length: n }, (_, i) => i).join(',')}]`),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
);

const HOLE = '"\u0091HOSTILE\u0091"';

/** A body: a valid one, or one mutated (a field changed, removed or added; the whole replaced). */
export function hostileBody(valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 2, arbitrary: valid.map((v) => JSON.stringify(v) ?? 'null') },
    {
      weight: 5,
      arbitrary: fc.tuple(valid, fc.nat(), fc.constantFrom('replace', 'remove', 'add', 'nullify'), hostileJsonText, fc.string({ maxLength: 12, unit: 'binary' })).map(([v, pick, how, hostile, extraKey]) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return hostile;
        const o = { ...(v as Record<string, unknown>) };
        const keys = Object.keys(o);
        const key = keys.length > 0 ? keys[pick % keys.length]! : null;
        if (how === 'remove' && key) delete o[key];
        else if (how === 'nullify' && key) o[key] = null;
        else if (how === 'replace' && key) o[key] = JSON.parse(HOLE);
        else Object.defineProperty(o, extraKey || 'extra', { value: JSON.parse(HOLE), enumerable: true, configurable: true, writable: true });
        return (JSON.stringify(o) ?? 'null').replace(HOLE, () => hostile);
      }),
    },
    { weight: 1, arbitrary: hostileJsonText },
    { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
  );
}

/** Odd values for path parameters and query strings (already URI-encoded where needed). */
export const oddSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('0', '-1', '999999999999999999999', '1e3', 'null', 'undefined', '%00', '%1b', '%ED%A0%80', '%F0%9F%9A%A7', '%E6%B8%9D', '..%2F..%2Fetc%2Fpasswd', '%25', '_', '%5F%25', "'%20OR%201%3D1%20--", '%22%3E%3Cscript%3E', 'a%2Fb', '%C0%AF', '%ZZ', '%', '.', '..', '~'),
  fc.integer({ min: 200, max: 3000 }).map((n) => 'x'.repeat(n)),
  fc.string({ maxLength: 20, unit: 'binary' }).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'))),
);

/**
 * Hostile text for the routes that take text (plans, rules, the routing table, categories as YAML;
 * device files as CSV): deep flow and block nesting, alias bombs, custom tags, duplicate keys,
 * control characters, huge scalars, and plain garbage.
 */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 50, max: 50_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 50, max: 20_000 }).map((n) => '{a: '.repeat(n) + '1' + '}'.repeat(n)),
  fc.integer({ min: 50, max: 400 }).map((n) => Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1'),
  fc.integer({ min: 50, max: 3_000 }).map((n) => Array.from({ length: n }, (_, i) => `${' '.repeat(i)}- `).join('\n') + '1'),
  fc.constant(['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n')),
  fc.constantFrom('!!js/function "function(){}"', '!!binary AAAA', 'id: !!python/object:os.system ls', 'id: a\nid: b', '? [a, b]\n: c', '%YAML 9.9\n---\na: 1', '---\n...\n---', '<<: *nope', 'id: "\\u0000"', 'a: 1e99999', 'a: .nan'),
  nastyString,
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => `id: ${'x'.repeat(n)}`),
  // Device files: a GeoJSON feature and a CSV row whose properties nest deep or hold a control character.
  fc.tuple(fc.integer({ min: 50, max: 20_000 }), fc.constantFrom('', '\\u0000', '\\ud800')).map(([n, c]) => `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[106.577,29.557]},"properties":{"id":"fz-${n}${c}","type":"gas_detector","properties":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}}]}`),
  fc.tuple(fc.integer({ min: 50, max: 20_000 }), fc.constantFrom('x', '\u0000', '\u001b')).map(([n, c]) => `id,type,lon,lat,properties\nfz-${n},gas_detector,106.577,29.557,"${'{""a"":'.repeat(n)}1${'}'.repeat(n)}"\nfz-b,gas_detector,106.577,29.557,${c}`),
  fc.string({ maxLength: 200, unit: 'binary' }),
);
