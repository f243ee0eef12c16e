/**
 * Any alert as a CAP 1.2 message, for the systems downstream (a provincial platform, a public
 * warning feed, a partner city). The output is well-formed, every text escaped (a title cannot
 * inject markup), and valid against OASIS's CAP-v1.2.xsd: the tests check it with libxml2.
 *
 * One alert is one CAP "thread", told with the message types CAP defines:
 *   active, never changed   → Alert,  identifier <base>,            sent = firstAt
 *   active, changed since   → Update, identifier <base>.u<lastAt>,  references the Alert
 *   cleared (condition over) → Update, identifier <base>.cleared,   responseType AllClear,
 *                              urgency Past, references the Alert
 *   dismissed (false alarm) → Cancel, identifier <base>.cancel,    the reason in <note>,
 *                              references the Alert
 * <base> is `<identifierPrefix>.<alert id>`. The original's (sender, identifier, sent) follows
 * from the alert alone, so exporting is pure: no record of what was sent before is needed, and
 * exporting the same alert twice gives the same message.
 */
import { gcj02ToWgs84 } from '../../geo/crs.ts';
import type { Severity } from '../sensing-model.ts';
import type { CapCategory, CapSeverity } from './cap-model.ts';
import { capIdentifierProblem } from './cap-values.ts';

/** Our colours → CAP severity (the inverse of `CAP_SEVERITY_COLOURS`, blue as Minor). */
export const COLOUR_CAP_SEVERITIES: Readonly<Record<Severity, CapSeverity>> = {
  red: 'Extreme',
  orange: 'Severe',
  yellow: 'Moderate',
  blue: 'Minor',
};

/**
 * Case-category code or family prefix → CAP category, in order (the first match wins): a city
 * pack's `capExportCategories`. A code that matches nothing, or a pack without the table, is
 * sent as CAP category Other.
 */
export type CapCategoryMapping = readonly (readonly [string, CapCategory])[];

export interface CapExportInput {
  readonly id: string;
  /** The human-facing alert number, sent as a parameter. */
  readonly number: string;
  readonly title: string;
  readonly description?: string | null;
  readonly instruction?: string | null;
  readonly severity: Severity;
  /** raised / acknowledged / verified are 'active'. */
  readonly status: 'active' | 'cleared' | 'dismissed';
  /** Verified by a person: certainty Observed rather than Likely. */
  readonly verified?: boolean;
  /** ISO-8601. */
  readonly firstAt: string;
  readonly lastAt: string;
  /** When it was cleared or dismissed; lastAt when not given. */
  readonly endedAt?: string | null;
  readonly expiresAt?: string | null;
  /** Why it was dismissed, sent in <note>. */
  readonly dismissReason?: string | null;
  /** GCJ-02; becomes a WGS-84 circle of `radiusKm`. */
  readonly location?: { readonly lon: number; readonly lat: number } | null;
  /** GCJ-02 ring; when given the area is this polygon (closed if it is not). */
  readonly polygon?: readonly (readonly [number, number])[] | null;
  /** Default 0.1 km. */
  readonly radiusKm?: number;
  readonly areaDesc: string;
  /** The district's statistical code, sent as a GB/T 2260 geocode. */
  readonly districtCode?: string | null;
  /** What happened, e.g. 'water_level_high' or '暴雨'; CAP's <event>. */
  readonly eventType: string;
  /** CAP categories; derived from `categoryCode` when not given. */
  readonly capCategories?: readonly CapCategory[];
  /** Our case category code, e.g. safety.underpass-waterlogging. */
  readonly categoryCode?: string | null;
  /** Sent as <parameter>s. */
  readonly readings?: Readonly<Record<string, number>>;
  /** An absolute URL where people can read more. */
  readonly web?: string | null;
}

export interface CapExportOptions {
  /** Our CAP sender id, e.g. cityloop@ops.cq.example: no spaces, commas, '<' or '&'. */
  readonly sender: string;
  readonly senderName?: string;
  /** Minutes east of UTC for the times written; default 480 (+08:00, China Standard Time). */
  readonly utcOffsetMinutes?: number;
  /** Default 'zh-CN'. */
  readonly language?: string;
  /** Default 'cityloop'. */
  readonly identifierPrefix?: string;
  /** How our case categories read as CAP categories (the city pack's); none: Other. */
  readonly categoryMapping?: CapCategoryMapping;
}

/** Thrown for input the platform itself should never produce (no sender, a bad time …). */
export class CapExportError extends RangeError {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${en}（${zh}）`);
    this.name = 'CapExportError';
  }
}

// ───────────────────────────── writing ─────────────────────────────

/** Characters XML 1.0 cannot carry at all; dropped rather than escaped (there is no escape). */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text content, escaped: nothing in a title or description can open an element. */
export function escapeXmlText(s: string): string {
  return s.replace(NOT_XML, '').replace(/\r\n?/g, '\n').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A CAP time: the instant at the given offset, whole seconds, UTC written -00:00 as CAP 1.2 asks. */
export function formatCapDateTime(iso: string, offsetMinutes = 480): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new CapExportError(`时间“${iso}”无法解析`, `time "${iso}" cannot be read`);
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) > 14 * 60) {
    throw new CapExportError(`时区偏移 ${offsetMinutes} 分钟无效`, `time-zone offset ${offsetMinutes} minutes is not valid`);
  }
  const local = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes > 0 ? '+' : '-';
  const a = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

function compactTime(iso: string): string {
  return new Date(Date.parse(iso)).toISOString().slice(0, 19).replace(/[-:]/g, '');
}

function lonLatText(lon: number, lat: number): string {
  const [wLon, wLat] = gcj02ToWgs84(lon, lat);
  return `${wLat.toFixed(6)},${wLon.toFixed(6)}`;
}

function finite(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

function checkPoint(lon: number, lat: number, what: string): void {
  if (!finite(lon) || !finite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90) {
    throw new CapExportError(`${what}坐标无效：${lon}, ${lat}`, `${what} coordinates are not valid: ${lon}, ${lat}`);
  }
}

function capCategoriesOf(alert: CapExportInput, mapping: CapCategoryMapping): CapCategory[] {
  if (alert.capCategories && alert.capCategories.length > 0) return [...new Set(alert.capCategories)];
  const code = alert.categoryCode ?? '';
  const hit = mapping.find(([prefix]) => code === prefix || code.startsWith(`${prefix}.`));
  return [hit ? hit[1] : 'Other'];
}

/** Builds the document line by line; `el` escapes, so callers pass plain text. */
class Lines {
  readonly out: string[] = [];
  el(indent: number, name: string, text: string | null | undefined): void {
    if (text === null || text === undefined) return;
    this.out.push(`${'  '.repeat(indent)}<${name}>${escapeXmlText(text)}</${name}>`);
  }
  open(indent: number, name: string): void {
    this.out.push(`${'  '.repeat(indent)}<${name}>`);
  }
  close(indent: number, name: string): void {
    this.out.push(`${'  '.repeat(indent)}</${name}>`);
  }
  pair(indent: number, name: string, valueName: string, value: string): void {
    this.open(indent, name);
    this.el(indent + 1, 'valueName', valueName);
    this.el(indent + 1, 'value', value);
    this.close(indent, name);
  }
}

/**
 * The alert as a CAP 1.2 message (UTF-8 XML text). Throws `CapExportError` only for input the
 * platform should never hold: a sender or id CAP cannot carry, an unreadable time, coordinates
 * out of range, a relative web link.
 */
export function alertToCap(alert: CapExportInput, opts: CapExportOptions): string {
  const offset = opts.utcOffsetMinutes ?? 480;
  const senderProblem = capIdentifierProblem(opts.sender);
  if (senderProblem) throw new CapExportError(`发送者 ${senderProblem.zh}`, `sender ${senderProblem.en}`);
  const prefix = opts.identifierPrefix ?? 'cityloop';
  // An alert id is ours (a ULID or UUID); anything CAP forbids in an identifier becomes '_'.
  const base = `${prefix}.${alert.id}`.replace(/[\s,<&]/g, '_');
  if (alert.id.trim() === '' || capIdentifierProblem(base)) throw new CapExportError('预警编号为空', 'the alert id is empty');
  if (alert.eventType.trim() === '') throw new CapExportError('缺少事件类型', 'the event type is empty');
  if (alert.web && !/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(alert.web)) {
    throw new CapExportError(`链接“${alert.web}”不是绝对 URI`, `web link "${alert.web}" is not an absolute URI`);
  }

  const firstSent = formatCapDateTime(alert.firstAt, offset);
  const ended = alert.endedAt ?? alert.lastAt;
  let msgType: 'Alert' | 'Update' | 'Cancel';
  let identifier: string;
  let sent: string;
  if (alert.status === 'dismissed') {
    [msgType, identifier, sent] = ['Cancel', `${base}.cancel`, formatCapDateTime(ended, offset)];
  } else if (alert.status === 'cleared') {
    [msgType, identifier, sent] = ['Update', `${base}.cleared`, formatCapDateTime(ended, offset)];
  } else if (Date.parse(alert.lastAt) > Date.parse(alert.firstAt) + 999) {
    [msgType, identifier, sent] = ['Update', `${base}.u${compactTime(alert.lastAt)}`, formatCapDateTime(alert.lastAt, offset)];
  } else {
    [msgType, identifier, sent] = ['Alert', base, firstSent];
  }

  const w = new Lines();
  w.out.push('<?xml version="1.0" encoding="UTF-8"?>');
  w.out.push('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">');
  w.el(1, 'identifier', identifier);
  w.el(1, 'sender', opts.sender);
  w.el(1, 'sent', sent);
  w.el(1, 'status', 'Actual');
  w.el(1, 'msgType', msgType);
  w.el(1, 'scope', 'Public');
  if (msgType === 'Cancel') w.el(1, 'note', alert.dismissReason?.trim() || '误报，撤销预警 / false alarm, alert withdrawn');
  if (msgType !== 'Alert') w.el(1, 'references', `${opts.sender},${base},${firstSent}`);

  w.open(1, 'info');
  w.el(2, 'language', opts.language ?? 'zh-CN');
  for (const c of capCategoriesOf(alert, opts.categoryMapping ?? [])) w.el(2, 'category', c);
  w.el(2, 'event', alert.eventType);
  if (alert.status === 'cleared') w.el(2, 'responseType', 'AllClear');
  if (alert.status === 'dismissed') w.el(2, 'responseType', 'None');
  w.el(2, 'urgency', alert.status === 'active' ? 'Immediate' : 'Past');
  w.el(2, 'severity', COLOUR_CAP_SEVERITIES[alert.severity]);
  // Raised by a sensor or a rule: likely until a person verified it; a false alarm is unlikely.
  w.el(2, 'certainty', alert.status === 'dismissed' ? 'Unlikely' : alert.verified || alert.status === 'cleared' ? 'Observed' : 'Likely');
  w.pair(2, 'eventCode', 'cityloop:eventType', alert.eventType);
  if (alert.categoryCode) w.pair(2, 'eventCode', 'cityloop:caseCategory', alert.categoryCode);
  w.el(2, 'effective', firstSent);
  if (alert.expiresAt) w.el(2, 'expires', formatCapDateTime(alert.expiresAt, offset));
  if (opts.senderName) w.el(2, 'senderName', opts.senderName);
  w.el(2, 'headline', alert.title);
  if (alert.description) w.el(2, 'description', alert.description);
  if (alert.instruction) w.el(2, 'instruction', alert.instruction);
  if (alert.web) w.el(2, 'web', alert.web);
  w.pair(2, 'parameter', 'cityloop:alertNumber', alert.number);
  for (const [name, value] of Object.entries(alert.readings ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (finite(value)) w.pair(2, 'parameter', name, String(value));
  }

  w.open(2, 'area');
  w.el(3, 'areaDesc', alert.areaDesc.trim() || alert.title);
  if (alert.polygon && alert.polygon.length > 0) {
    const ring = alert.polygon.map(([x, y]) => [x, y] as [number, number]);
    ring.forEach(([x, y]) => checkPoint(x, y, '多边形'));
    const a = ring[0]!, b = ring[ring.length - 1]!;
    if (a[0] !== b[0] || a[1] !== b[1]) ring.push([a[0], a[1]]);
    if (ring.length < 4) throw new CapExportError('多边形至少需要 3 个不同的点', 'a polygon needs at least 3 distinct points');
    w.el(3, 'polygon', ring.map(([x, y]) => lonLatText(x, y)).join(' '));
  } else if (alert.location) {
    checkPoint(alert.location.lon, alert.location.lat, '位置');
    const r = alert.radiusKm ?? 0.1;
    if (!finite(r) || r < 0 || r > 20_000) throw new CapExportError(`半径 ${r} 千米无效`, `radius ${r} km is not valid`);
    // Metres are plenty; toFixed keeps an exponent ("1e-7") out of CAP's decimal.
    w.el(3, 'circle', `${lonLatText(alert.location.lon, alert.location.lat)} ${String(Number(r.toFixed(3)))}`);
  }
  if (alert.districtCode) w.pair(3, 'geocode', 'GB/T 2260', alert.districtCode);
  w.close(2, 'area');
  w.close(1, 'info');
  w.out.push('</alert>');
  return `${w.out.join('\n')}\n`;
}
