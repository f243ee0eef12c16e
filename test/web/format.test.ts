import { describe, expect, it } from 'vitest';
import { formatCityTime, formatNumber } from '../../web/src/format.ts';

// The pages' own formatters must say what Intl said before them (zh-CN / en-GB, Asia/Shanghai).
const intlTime = (iso: string, locale: string) =>
  new Intl.DateTimeFormat(locale, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' }).format(new Date(iso));

describe('formatCityTime', () => {
  const times = ['2026-11-29T04:05:00Z', '2026-12-31T16:00:00Z', '2026-12-31T15:59:59.999Z', '2027-02-28T23:30:00+08:00', '2024-02-29T12:00:00Z', '2026-06-15T00:00:00-05:00', '1999-01-01T00:00:00Z'];
  it('gives the city clock in zh-CN and en-GB as Intl does', () => {
    for (const iso of times) {
      expect(formatCityTime(iso, 'zh')).toBe(intlTime(iso, 'zh-CN'));
      expect(formatCityTime(iso, 'en')).toBe(intlTime(iso, 'en-GB'));
    }
  });
  it('crosses midnight and the year on the city clock, not UTC', () => {
    expect(formatCityTime('2026-12-31T16:00:00Z', 'zh')).toBe('01/01 00:00');
    expect(formatCityTime('2026-12-31T15:59:00Z', 'en')).toBe('31/12, 23:59');
  });
  it('shows a dash for no time or an unreadable one', () => {
    expect(formatCityTime(null, 'zh')).toBe('—');
    expect(formatCityTime(undefined, 'en')).toBe('—');
    expect(formatCityTime('', 'zh')).toBe('—');
    expect(formatCityTime('not a time', 'zh')).toBe('—');
  });
});

describe('formatNumber', () => {
  const intl = (n: number, digits: number, locale: string) => n.toLocaleString(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits });
  it('groups thousands and fixes the decimals as Intl does in both languages', () => {
    const values = [0, 1, 12, 123, 999, 1000, 1234, 12345, 100000, 1234567, 98765432.1, 0.5, 12.25, 99.96, 3.14159, -1, -1234.56, -999999, 0.04, 1e9];
    for (const n of values) {
      for (const digits of [0, 1, 2]) {
        expect(formatNumber(n, digits)).toBe(intl(n, digits, 'zh-CN'));
        expect(formatNumber(n, digits)).toBe(intl(n, digits, 'en-GB'));
      }
    }
  });
  it('never shows a minus on a number that rounds to zero', () => {
    expect(formatNumber(-0.04, 1)).toBe(intl(-0.04, 1, 'en-GB').replace(/^-/, ''));
    expect(formatNumber(-0, 0)).toBe('0');
  });
  it('shows a dash for no number', () => {
    expect(formatNumber(null)).toBe('—');
    expect(formatNumber(undefined)).toBe('—');
    expect(formatNumber(Number.NaN)).toBe('—');
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe('—');
  });
});
