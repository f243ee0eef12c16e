/**
 * The value grammar of CAP fields (pure): times with their offsets, identifiers, space-separated
 * lists, decimals, "lat,lon" points, polygons and circles, language tags and absolute URIs. Each
 * answers a value or a reason in Chinese and English; nothing throws.
 */
import type { CapCircle, CapLonLat, CapVersion } from './cap-model.ts';

// ───────────────────────────── value rules ─────────────────────────────

const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;
const DECIMAL_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const INTEGER_RE = /^[+-]?\d+$/;
/** xs:language (RFC 3066 shape). */
const LANGUAGE_RE = /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/;

/** xs:language (RFC 3066 shape), e.g. zh-CN. */
export function isCapLanguage(text: string): boolean {
  return LANGUAGE_RE.test(text);
}

/** A whole number written as CAP's xs:integer (an optional sign, digits). */
export function isCapInteger(text: string): boolean {
  return INTEGER_RE.test(text);
}

function daysInMonth(year: number, month: number): number {
  return [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** A reason in both languages. */
export type Msg = { zh: string; en: string };
export type TimeParse = { ok: true; utc: string; utcZero: boolean } | { ok: false; why: Msg };

/**
 * A CAP time. CAP 1.2's schema pattern is `YYYY-MM-DDThh:mm:ss±hh:mm`: an explicit numeric
 * offset, no 'Z', no fractional seconds. CAP 1.1's schema says xs:dateTime, so fractions are
 * allowed there, but both specifications forbid 'Z' in prose ("alphabetic time zone designators
 * MUST NOT be used"), so an offset is required in both.
 */
export function parseCapDateTime(text: string, version: CapVersion = '1.2'): TimeParse {
  const m = DATETIME_RE.exec(text.trim());
  const example = '2025-06-01T16:00:00+08:00';
  if (!m) return { ok: false, why: { zh: `“${text}”不是 CAP 时间（应形如 ${example}）`, en: `"${text}" is not a CAP time (expected the form ${example})` } };
  const [, ys, mos, ds, hs, mis, ss, frac, tz] = m;
  if (tz === undefined) return { ok: false, why: { zh: `时间“${text}”缺少时区偏移（如 +08:00）`, en: `time "${text}" has no time-zone offset (such as +08:00)` } };
  if (tz === 'Z') return { ok: false, why: { zh: `时间“${text}”不得用“Z”表示 UTC，应写作 -00:00`, en: `time "${text}" must not use 'Z' for UTC: write -00:00` } };
  if (frac !== undefined && version === '1.2') {
    return { ok: false, why: { zh: `时间“${text}”不得带小数秒（CAP 1.2）`, en: `time "${text}" must not have fractional seconds (CAP 1.2)` } };
  }
  const y = Number(ys), mo = Number(mos), d = Number(ds), h = Number(hs), mi = Number(mis), s = Number(ss);
  const oh = Number(tz.slice(1, 3)), om = Number(tz.slice(4, 6));
  const badRange =
    y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59 || oh > 14 || om > 59 || (oh === 14 && om > 0);
  if (badRange) return { ok: false, why: { zh: `时间“${text}”中有超出范围的字段`, en: `time "${text}" has a field out of range` } };
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, frac ? Math.floor(Number(`0${frac}`) * 1000) : 0);
  const sign = tz[0] === '-' ? -1 : 1;
  const ms = date.getTime() - sign * (oh * 60 + om) * 60_000;
  return { ok: true, utc: new Date(ms).toISOString(), utcZero: oh === 0 && om === 0 };
}

/** CAP's rule for identifier and sender: no spaces, commas, '<' or '&'. */
export function capIdentifierProblem(value: string): Msg | null {
  if (value === '') return { zh: '不得为空', en: 'must not be empty' };
  if (/[\s,<&]/.test(value)) return { zh: `“${value}”含有空白、逗号、“<”或“&”`, en: `"${value}" contains white space, a comma, '<' or '&'` };
  return null;
}

/** "a b "c d"" → ['a', 'b', 'c d'] (CAP's space-delimited lists with quoted items). */
export function splitCapList(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2]!);
  return out;
}

export function parseDecimal(text: string): number | null {
  const t = text.trim();
  return DECIMAL_RE.test(t) ? Number(t) : null;
}

/** "lat,lon" → [lon, lat], or a reason. */
function parsePoint(token: string): CapLonLat | Msg {
  const parts = token.split(',');
  if (parts.length !== 2) return { zh: `坐标“${token}”应为“纬度,经度”`, en: `coordinate "${token}" should be "lat,lon"` };
  const lat = parseDecimal(parts[0]!);
  const lon = parseDecimal(parts[1]!);
  if (lat === null || lon === null) return { zh: `坐标“${token}”不是数字`, en: `coordinate "${token}" is not numeric` };
  if (lat < -90 || lat > 90) return { zh: `纬度 ${lat} 超出 [-90, 90]`, en: `latitude ${lat} is out of range [-90, 90]` };
  if (lon < -180 || lon > 180) return { zh: `经度 ${lon} 超出 [-180, 180]`, en: `longitude ${lon} is out of range [-180, 180]` };
  return [lon, lat];
}

/** CAP polygon: white-space separated "lat,lon" pairs, at least four, the first repeated last. */
export function parseCapPolygon(text: string): { ok: true; ring: CapLonLat[] } | { ok: false; why: Msg } {
  const tokens = text.trim().split(/\s+/).filter((t) => t !== '');
  if (tokens.length === 0) return { ok: false, why: { zh: '多边形为空', en: 'the polygon is empty' } };
  const ring: CapLonLat[] = [];
  for (const t of tokens) {
    const p = parsePoint(t);
    if (!Array.isArray(p)) return { ok: false, why: p };
    ring.push(p);
  }
  if (ring.length < 4) return { ok: false, why: { zh: `多边形只有 ${ring.length} 个点，至少需要 4 个（首尾相同）`, en: `the polygon has ${ring.length} points; at least 4 are required (first = last)` } };
  const a = ring[0]!, b = ring[ring.length - 1]!;
  if (a[0] !== b[0] || a[1] !== b[1]) return { ok: false, why: { zh: '多边形未闭合：最后一个点必须与第一个相同', en: 'the polygon is not closed: the last point must equal the first' } };
  return { ok: true, ring };
}

/** CAP circle: "lat,lon radius", the radius in kilometres. */
export function parseCapCircle(text: string): { ok: true; circle: CapCircle } | { ok: false; why: Msg } {
  const tokens = text.trim().split(/\s+/).filter((t) => t !== '');
  if (tokens.length !== 2) return { ok: false, why: { zh: `圆“${text.trim()}”应为“纬度,经度 半径(千米)”`, en: `circle "${text.trim()}" should be "lat,lon radius-in-km"` } };
  const p = parsePoint(tokens[0]!);
  if (!Array.isArray(p)) return { ok: false, why: p };
  const r = parseDecimal(tokens[1]!);
  if (r === null || r < 0) return { ok: false, why: { zh: `半径“${tokens[1]}”不是非负数`, en: `radius "${tokens[1]}" is not a non-negative number` } };
  return { ok: true, circle: { center: p, radiusKm: r } };
}

/** An absolute URI with a scheme (what <web> must hold). */
export function absoluteUri(text: string): boolean {
  try {
    new URL(text);
    return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(text);
  } catch {
    return false;
  }
}
