/**
 * Times and numbers as the pages show them, written out by hand instead of with Intl: the first
 * Intl formatter a page makes loads the locale's and the time zone's ICU data, which cost the
 * cockpit ~0.1 s of its main thread before the first map on the bench machine. The formats are the
 * ones Intl gave (zh-CN "11/29 08:05", en-GB "29/11, 08:05"; "100,000" and "12.5" in both).
 */

/** China Standard Time: UTC+8 all year (no daylight saving since 1991), the city's clock. */
const CHINA_OFFSET_MS = 8 * 3_600_000;

const two = (n: number): string => String(n).padStart(2, '0');

/** Month, day, hour and minute on the city's clock; '—' for no time or an unreadable one. */
export function formatCityTime(iso: string | null | undefined, lang: 'zh' | 'en'): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '—';
  const d = new Date(ms + CHINA_OFFSET_MS);
  const month = two(d.getUTCMonth() + 1);
  const day = two(d.getUTCDate());
  const clock = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
  return lang === 'zh' ? `${month}/${day} ${clock}` : `${day}/${month}, ${clock}`;
}

/** A number with thousands separated by commas and exactly `digits` decimals; '—' for none. */
export function formatNumber(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const fixed = Math.abs(n).toFixed(Math.max(0, Math.min(20, Math.trunc(digits))));
  const [whole, fraction] = fixed.split('.') as [string, string | undefined];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  // -0.04 shown with one decimal is "0.0", not "-0.0".
  const negative = n < 0 && /[1-9]/.test(fixed);
  return `${negative ? '-' : ''}${grouped}${fraction !== undefined ? `.${fraction}` : ''}`;
}
