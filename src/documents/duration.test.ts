import { describe, expect, it } from 'vitest';
import { DURATION_PATTERN, durationMs, durationProblem, formatDuration, readDurationParts } from './duration.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

/** Every form the grammar reads, with its length (a day as 24 h). */
const VALID: readonly [string, number][] = [
  ['90s', 90 * S],
  ['30s', 30 * S],
  ['10m', 10 * M],
  ['1h30m', H + 30 * M],
  ['2d', 2 * D],
  ['3h', 3 * H],
  ['1d12h', D + 12 * H],
  ['1d2h3m4s', D + 2 * H + 3 * M + 4 * S],
  ['2m30s', 2 * M + 30 * S],
  ['05m', 5 * M], // rules read leading zeros before the grammar was shared
  ['999999d', 999_999 * D],
];

/** What it refuses: no unit, other units, units out of order or twice, spaces, signs, fractions, ISO 8601, words. */
const INVALID: readonly unknown[] = ['', '5', '1.5h', '-2h', '+2h', '2 h', ' 5d', '5d ', '2H', '5w', '1y', '2h1d', '30s1m', '1h1h', 'PT1H', '1 hour', '1小时', '1000000s', '$window', null, 42, undefined];

describe('the duration grammar', () => {
  it.each(VALID)('reads %j as %d ms', (text, ms) => {
    expect(durationMs(text)).toBe(ms);
    expect(durationProblem(text)).toBeNull();
    expect(new RegExp(DURATION_PATTERN).test(text)).toBe(true);
  });

  it.each(INVALID.map((x) => [x]))('refuses %j, in Chinese and English', (text) => {
    expect(durationMs(text)).toBeNull();
    expect(readDurationParts(text)).toBeNull();
    expect(typeof text === 'string' && new RegExp(DURATION_PATTERN).test(text)).toBe(false);
    const problem = durationProblem(text);
    expect(problem?.en).toMatch(/^must be a duration such as '90s', '10m', '1h30m' or '2d'/);
    expect(problem?.zh).toMatch(/^须为时长，如 '90s'、'10m'、'1h30m'、'2d'/);
  });

  it.each(['0s', '0m', '0d0h', '00h'])('reads %j as zero, which no document accepts', (text) => {
    expect(durationMs(text)).toBe(0);
    expect(durationProblem(text)).toEqual({ en: 'must be longer than zero', zh: '须大于零' });
  });

  it.each([
    [5_400_000, '1h30m'],
    [90 * S, '1m30s'],
    [2 * D, '2d'],
    [1500, '1.5s'],
    [250, '250ms'],
  ])('writes %d ms as %j, which reads back when whole seconds', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    if (ms % 1000 === 0) expect(durationMs(text)).toBe(ms);
  });
});
