import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findBadText, forbiddenCharacter, jsonTextDepth, jsonValueDepth, parseGuardedJson, printable } from './guarded-json.ts';
import { decodeJson, parseTelemetry, parseTimestamp } from './sensing/ingest/telemetry.ts';

/** The depth of a value, the plain recursive way (for values fast-check makes: shallow). */
function depthOf(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  const kids = Array.isArray(v) ? v : Object.values(v);
  return 1 + Math.max(0, ...kids.map(depthOf));
}

describe('guarded JSON', () => {
  it('measures the depth of JSON text exactly as the parsed value has it, brackets in strings aside', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (v) => {
        const text = JSON.stringify(v);
        expect(jsonTextDepth(text)).toBe(depthOf(v));
        expect(jsonValueDepth(v)).toBe(depthOf(v));
      }),
      { numRuns: 300, seed: 14 },
    );
    expect(jsonTextDepth('{"a":"[[[{{{\\"[[["}')).toBe(1);
  });

  it('refuses 100,000 levels of nesting without recursion, before parsing', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const r = parseGuardedJson(deep, { maxDepth: 64, maxBytes: 1 << 20 });
    expect(r).toMatchObject({ ok: false, refusal: { kind: 'too_deep' } });
    expect(jsonTextDepth(deep, 64)).toBe(65);
    expect(parseGuardedJson('['.repeat(64) + ']'.repeat(64), { maxDepth: 64, maxBytes: 1 << 20 }).ok).toBe(true);
    expect(parseGuardedJson('[1]', { maxDepth: 64, maxBytes: 2 })).toMatchObject({ ok: false, refusal: { kind: 'too_large' } });
  });

  it('follows one text rule: C0 (but TAB, LF, CR), DEL, C1 and lone surrogates refused; pairs, CJK and the rest fine', () => {
    for (const bad of ['\u0000', '\u0008', '\u000b', '\u001b', '\u007f', '\u0080', '\u0085', '\u009f', '\ud800', '\udbff', '\udc00', 'a\ud83d', '\ude00b']) expect(forbiddenCharacter(`x${bad}y`), JSON.stringify(bad)).not.toBeNull();
    for (const good of ['\t', '\n', '\r', ' ', '~', '\u00a0', '渝中区', '🚧', '\ufeff', '\u2028', 'é']) expect(forbiddenCharacter(good), JSON.stringify(good)).toBeNull();
    expect(findBadText({ a: [{ title: 'ok' }, { title: 'x\u0000' }] })).toMatchObject({ path: '/a/1/title' });
    expect(findBadText({ 'a/b~': { '\u001b': 1 } })?.path).toBe('/a~1b~0/\u001b');
    expect(parseGuardedJson('{"__proto__":{"isAdmin":true}}')).toMatchObject({ ok: false, refusal: { kind: 'bad_text' } });
    expect(parseGuardedJson('{"t":"\\ud800"}')).toMatchObject({ ok: false, refusal: { kind: 'bad_text', path: '/t' } });
    expect(parseGuardedJson('{"t":"\\ud83d\\udea7"}')).toEqual({ ok: true, value: { t: '🚧' } });
  });

  it('any string made printable passes the text rule and keeps what was fine', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 50 }), fc.string({ unit: 'grapheme', maxLength: 20 }), (s, clean) => {
        expect(forbiddenCharacter(printable(s))).toBeNull();
        if (forbiddenCharacter(clean) === null) expect(printable(clean)).toBe(clean);
      }),
      { numRuns: 500, seed: 14 },
    );
  });
});

describe('telemetry from a device, read without ever throwing', () => {
  const now = new Date('2026-07-01T08:00:00Z');

  it('takes a number beyond any date as "not a time" (it used to throw from toISOString)', () => {
    for (const ts of [1e20, -1e20, 8.64e15 + 1, Number.MAX_VALUE]) expect(parseTimestamp(ts, now).ok).toBe(false);
    const r = parseTelemetry({ readings: [{ ts: 1e20, values: { water_level: 1 } }, { values: { water_level: 2 } }] }, 'g', 'water_gauge', now);
    expect(r).toMatchObject({ ok: true, readings: [{ values: { water_level: 2 } }], refused: [{ index: 0 }] });
  });

  it('never throws on any JSON value or any bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.uint8Array({ maxLength: 200 })), (v) => {
        if (v instanceof Uint8Array) {
          decodeJson(v);
          return;
        }
        parseTelemetry(v, 'g', 'water_gauge', now);
        parseTelemetry({ readings: [v, { ts: v, values: v }] }, 'g', 'water_gauge', now);
        parseTelemetry({ ts: v, values: { water_level: v } }, 'g', 'water_gauge', now);
      }),
      { numRuns: 500, seed: 14 },
    );
    expect(decodeJson('{"values":{"a":1}}'.padEnd(300_000, ' '))).toMatchObject({ ok: false });
    expect(decodeJson(`{"values":${'['.repeat(5000)}${']'.repeat(5000)}}`)).toMatchObject({ ok: false, reason: expect.stringContaining('JSON_TOO_DEEP') });
  });
});
