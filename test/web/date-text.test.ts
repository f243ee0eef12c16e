import { describe, expect, it } from 'vitest';
import { readDate } from '../../web/src/date-text.ts';

describe('readDate: a typed date as the native input value, or null', () => {
  it.each([
    ['2026-12-08', false, '2026-12-08'],
    ['2026/12/8', false, '2026-12-08'],
    ['2026年12月8日', false, '2026-12-08'],
    [' 2026-1-5 ', false, '2026-01-05'],
    ['2026-12-08 08:00', true, '2026-12-08T08:00'],
    ['2026-12-08T8:05', true, '2026-12-08T08:05'],
    ['2026-12-08 23：59', true, '2026-12-08T23:59'],
    ['2026-12-08', true, '2026-12-08T00:00'],
  ])('%s (time: %s) → %s', (text, withTime, want) => {
    expect(readDate(text, withTime)).toBe(want);
  });

  it.each([
    ['2026-02-30', false],
    ['2026-13-01', false],
    ['2026-12-08 24:00', true],
    ['2026-12-08 08:60', true],
    ['2026-12-08 08:00', false],
    ['12/08/2026', false],
    ['mm/dd/yyyy', false],
    ['', false],
  ])('%s (time: %s) is no date', (text, withTime) => {
    expect(readDate(text, withTime)).toBeNull();
  });
});
