/**
 * Reading JSON that came from outside (HTTP bodies, MQTT payloads, device acknowledgements, the
 * camera-event webhook) — pure, and without recursion anywhere, so no input can overflow the stack.
 *
 * Three checks, in this order:
 *  1. size: at most `maxBytes` UTF-8 bytes;
 *  2. depth: an iterative scan of the raw text counts `[` and `{` outside strings, and refuses
 *     anything nested deeper than `maxDepth` before JSON.parse builds it. (V8's JSON.parse itself
 *     copes with any depth; what does not is everything after it that recurses: JSON.stringify,
 *     structured clone, schema validation, our own walkers.)
 *  3. text: after parsing, every string and every key is checked by the one text rule below; a
 *     key `__proto__` is refused too (Object.assign or a spread into a class instance would take it
 *     as the prototype).
 *
 * The text rule (see docs/reference/security.md, "Hostile input"): C0 controls other than TAB, LF
 * and CR, DEL, C1 controls (U+0080–U+009F) and unpaired UTF-16 surrogates are *refused*, never
 * stripped. Free text and identifiers follow the same rule: stripping would silently change what
 * was signed, hashed into the event log or used as an idempotency key, and would let two different
 * inputs become the same identifier.
 */

export interface JsonLimits {
  /** Deepest nesting of arrays and objects accepted (a bare value is depth 0, `{}` is 1). */
  readonly maxDepth: number;
  /** Largest payload accepted, in UTF-8 bytes. */
  readonly maxBytes: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = { maxDepth: 64, maxBytes: 16 * 1024 * 1024 };

export type JsonRefusal =
  | { readonly kind: 'too_large'; readonly detail: string }
  | { readonly kind: 'too_deep'; readonly detail: string }
  | { readonly kind: 'not_json'; readonly detail: string }
  | { readonly kind: 'bad_text'; readonly detail: string; readonly path: string };

export type GuardedJson = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly refusal: JsonRefusal };

/**
 * The deepest nesting of `[`/`{` in a JSON text, scanning no further than needed to know that it
 * exceeds `limit` (then it answers limit + 1). Brackets inside strings do not count. The text need
 * not be valid JSON: JSON.parse judges that afterwards.
 */
export function jsonTextDepth(text: string, limit: number = Number.MAX_SAFE_INTEGER): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      if (depth > 0) depth--;
    }
  }
  return deepest;
}

/** The nesting depth of a value already in memory, without recursion (for values handed in by code). */
export function jsonValueDepth(value: unknown, limit: number = Number.MAX_SAFE_INTEGER): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (seen.has(v)) continue;
    seen.add(v);
    const here = d + 1;
    if (here > deepest) {
      deepest = here;
      if (deepest > limit) return deepest;
    }
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, here]);
  }
  return deepest;
}

/**
 * The first character the text rule refuses, or null: C0 controls except TAB, LF, CR; DEL; C1
 * controls; an unpaired surrogate.
 */
export function forbiddenCharacter(s: string): { readonly index: number; readonly codeUnit: number; readonly what: string } | null {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20) {
      if (c === 0x09 || c === 0x0a || c === 0x0d) continue;
      return { index: i, codeUnit: c, what: 'control character' };
    }
    if (c < 0x7f) continue;
    if (c <= 0x9f) return { index: i, codeUnit: c, what: 'control character' };
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return { index: i, codeUnit: c, what: 'unpaired surrogate' };
    }
    if (c >= 0xdc00 && c <= 0xdfff) return { index: i, codeUnit: c, what: 'unpaired surrogate' };
  }
  return null;
}

/** A JSON pointer segment (RFC 6901). */
function pointerSegment(key: string | number): string {
  return String(key).replaceAll('~', '~0').replaceAll('/', '~1');
}

function describe(found: { index: number; codeUnit: number; what: string }): string {
  return `${found.what} U+${found.codeUnit.toString(16).toUpperCase().padStart(4, '0')} at character ${found.index}`;
}

/**
 * Walks a parsed value (iteratively) and returns the first string or key that breaks the text
 * rule, or a `__proto__` key, as a JSON pointer and a reason; null when everything is clean.
 */
export function findBadText(value: unknown): { readonly path: string; readonly detail: string } | null {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const f = forbiddenCharacter(v);
      if (f) return { path: path || '/', detail: `${path || '/'}: ${describe(f)}` };
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}/${i}`]);
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i]!;
      const at = `${path}/${pointerSegment(k)}`;
      if (k === '__proto__') return { path: at, detail: `${at}: the key __proto__ is not accepted` };
      const f = forbiddenCharacter(k);
      if (f) return { path: at, detail: `${at}: the key has a ${describe(f)}` };
      stack.push([(v as Record<string, unknown>)[k], at]);
    }
  }
  return null;
}

/** Parses JSON from outside under `limits` and the text rule; never throws. */
export function parseGuardedJson(input: string | Uint8Array, limits: JsonLimits = DEFAULT_JSON_LIMITS): GuardedJson {
  const bytes = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (bytes > limits.maxBytes) return { ok: false, refusal: { kind: 'too_large', detail: `${bytes} bytes is over the limit of ${limits.maxBytes}` } };
  let text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const depth = jsonTextDepth(text, limits.maxDepth);
  if (depth > limits.maxDepth) return { ok: false, refusal: { kind: 'too_deep', detail: `nested deeper than ${limits.maxDepth} levels` } };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, refusal: { kind: 'not_json', detail: `not JSON: ${printable((e as Error).message).slice(0, 120)}` } };
  }
  const bad = findBadText(value);
  if (bad) return { ok: false, refusal: { kind: 'bad_text', detail: bad.detail, path: bad.path } };
  return { ok: true, value };
}

/**
 * Text made safe to store and to show (dead letters, log lines): what the text rule refuses is
 * written as \uXXXX. PostgreSQL cannot store NUL in text at all, so a raw payload must pass here
 * before it is kept.
 */
export function printable(s: string): string {
  if (forbiddenCharacter(s) === null) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const pairHigh = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
    if (pairHigh) {
      out += s[i]! + s[i + 1]!;
      i++;
    } else if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff)) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += s[i]!;
  }
  return out;
}

/** JSON.stringify that never throws (too deep, cycles, BigInt): undefined instead. */
export function stringifyOrUndefined(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
