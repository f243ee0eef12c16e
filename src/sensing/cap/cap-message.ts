/**
 * Common Alerting Protocol (CAP) messages: the types, and `parseCap`, which reads a message with
 * the strict XML reader and validates it against the rules of OASIS CAP 1.2 (and 1.1, which is
 * still what many feeds send): the schema's element order and cardinality, its enumerations and
 * data types, and the rules the specification states in prose (no spaces or commas in an
 * identifier, an offset on every time, closed polygons of at least four points, restriction
 * with a Restricted scope, addresses with a Private one, references for an Update, Cancel, Ack or
 * Error). A refused message comes back with every problem found, each with a path such as
 * `/alert/info[0]/area[1]/polygon[0]` and a message in Chinese and English; nothing throws.
 *
 * One rule is ours, not CAP's: an Alert or Update must carry at least one <info>. CAP allows an
 * empty one, but it names no event, severity or area, so there is nothing to import.
 *
 * Reference: docs/reference/cap.md.
 */
import { childElements, directText, readXml, type XmlElement, type XmlReadOptions } from './cap-xml.ts';

// ───────────────────────────── vocabulary ─────────────────────────────

export const CAP_NAMESPACES = {
  '1.2': 'urn:oasis:names:tc:emergency:cap:1.2',
  '1.1': 'urn:oasis:names:tc:emergency:cap:1.1',
} as const;
export type CapVersion = keyof typeof CAP_NAMESPACES;
/** CAP 1.0's namespace: recognised only to say clearly that 1.0 is not accepted. */
export const CAP_1_0_NAMESPACE = 'http://www.incident.com/cap/1.0';
/** An enveloped XML signature may follow the last <info> (the schema's `any` in this namespace). */
export const XMLDSIG_NAMESPACE = 'http://www.w3.org/2000/09/xmldsig#';
const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';

export const CAP_STATUSES = ['Actual', 'Exercise', 'System', 'Test', 'Draft'] as const;
export type CapStatus = (typeof CAP_STATUSES)[number];
export const CAP_MSG_TYPES = ['Alert', 'Update', 'Cancel', 'Ack', 'Error'] as const;
export type CapMsgType = (typeof CAP_MSG_TYPES)[number];
export const CAP_SCOPES = ['Public', 'Restricted', 'Private'] as const;
export type CapScope = (typeof CAP_SCOPES)[number];
export const CAP_CATEGORIES = ['Geo', 'Met', 'Safety', 'Security', 'Rescue', 'Fire', 'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other'] as const;
export type CapCategory = (typeof CAP_CATEGORIES)[number];
export const CAP_RESPONSE_TYPES = ['Shelter', 'Evacuate', 'Prepare', 'Execute', 'Avoid', 'Monitor', 'Assess', 'AllClear', 'None'] as const;
export type CapResponseType = (typeof CAP_RESPONSE_TYPES)[number];
/** CAP 1.2 added Avoid and AllClear; a 1.1 message may not use them. */
const CAP_1_1_RESPONSE_TYPES: readonly CapResponseType[] = ['Shelter', 'Evacuate', 'Prepare', 'Execute', 'Monitor', 'Assess', 'None'];
export const CAP_URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const;
export type CapUrgency = (typeof CAP_URGENCIES)[number];
export const CAP_SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const;
export type CapSeverity = (typeof CAP_SEVERITIES)[number];
export const CAP_CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const;
export type CapCertainty = (typeof CAP_CERTAINTIES)[number];

// ───────────────────────────── the message ─────────────────────────────

/** WGS-84 longitude, latitude (CAP writes "lat,lon"; we store GeoJSON order). */
export type CapLonLat = [number, number];

export interface CapValuePair {
  readonly valueName: string;
  readonly value: string;
}

/** One earlier message, from the "sender,identifier,sent" triples of <references>. */
export interface CapReference {
  readonly sender: string;
  readonly identifier: string;
  readonly sent: string;
}

export interface CapResource {
  readonly resourceDesc: string;
  /** Required in 1.2; a 1.1 message may leave it out. */
  readonly mimeType?: string;
  readonly size?: number;
  readonly uri?: string;
  readonly derefUri?: string;
  readonly digest?: string;
}

export interface CapCircle {
  readonly center: CapLonLat;
  readonly radiusKm: number;
}

export interface CapArea {
  readonly areaDesc: string;
  /** Each a closed ring of WGS-84 [lon, lat], at least four points, first = last. */
  readonly polygon: CapLonLat[][];
  readonly circle: CapCircle[];
  readonly geocode: CapValuePair[];
  /** Feet above mean sea level (CAP's unit). */
  readonly altitude?: number;
  readonly ceiling?: number;
}

export interface CapInfo {
  /** RFC 3066 language tag; 'en-US' when the message leaves it out (the schema's default). */
  readonly language: string;
  readonly category: CapCategory[];
  readonly event: string;
  readonly responseType: CapResponseType[];
  readonly urgency: CapUrgency;
  readonly severity: CapSeverity;
  readonly certainty: CapCertainty;
  readonly audience?: string;
  readonly eventCode: CapValuePair[];
  /** As written (with its offset); the `…Utc` twin is ISO-8601 UTC. */
  readonly effective?: string;
  readonly effectiveUtc?: string;
  readonly onset?: string;
  readonly onsetUtc?: string;
  readonly expires?: string;
  readonly expiresUtc?: string;
  readonly senderName?: string;
  readonly headline?: string;
  readonly description?: string;
  readonly instruction?: string;
  readonly web?: string;
  readonly contact?: string;
  readonly parameter: CapValuePair[];
  readonly resource: CapResource[];
  readonly area: CapArea[];
}

export interface CapMessage {
  readonly version: CapVersion;
  readonly identifier: string;
  readonly sender: string;
  /** As written, e.g. 2003-06-17T14:57:00-07:00. */
  readonly sent: string;
  /** The same instant in ISO-8601 UTC, e.g. 2003-06-17T21:57:00.000Z. */
  readonly sentUtc: string;
  readonly status: CapStatus;
  readonly msgType: CapMsgType;
  readonly source?: string;
  readonly scope: CapScope;
  readonly restriction?: string;
  /** Space-separated in CAP, an address with spaces in double quotes. */
  readonly addresses?: string[];
  readonly code: string[];
  readonly note?: string;
  readonly references: CapReference[];
  readonly incidents?: string[];
  readonly infos: CapInfo[];
  /** An XML signature (ds:Signature) was present. It is NOT verified. */
  readonly signed: boolean;
}

export interface CapProblem {
  /** Where, e.g. `/alert/info[0]/area[1]/polygon[0]`; `/` for the document as a whole. */
  readonly path: string;
  readonly message: { readonly zh: string; readonly en: string };
  /** Line and column in the XML, when known. */
  readonly line?: number;
  readonly column?: number;
}

export type CapParseResult =
  | { readonly ok: true; readonly message: CapMessage; readonly warnings: string[] }
  | { readonly ok: false; readonly errors: CapProblem[] };

// ───────────────────────────── value rules ─────────────────────────────

const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;
const DECIMAL_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const INTEGER_RE = /^[+-]?\d+$/;
/** xs:language (RFC 3066 shape). */
const LANGUAGE_RE = /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/;

function daysInMonth(year: number, month: number): number {
  return [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

type Msg = { zh: string; en: string };
type TimeParse = { ok: true; utc: string; utcZero: boolean } | { ok: false; why: Msg };

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

function parseDecimal(text: string): number | null {
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

// ───────────────────────────── the schema, as data ─────────────────────────────

interface Field {
  readonly name: string;
  readonly min: 0 | 1;
  readonly many: boolean;
}
const one = (name: string): Field => ({ name, min: 1, many: false });
const opt = (name: string): Field => ({ name, min: 0, many: false });
const some = (name: string): Field => ({ name, min: 1, many: true });
const any = (name: string): Field => ({ name, min: 0, many: true });

// The <sequence>s of CAP-v1.2.xsd (1.1 differs only in resource/mimeType being optional).
const ALERT: readonly Field[] = [
  one('identifier'), one('sender'), one('sent'), one('status'), one('msgType'), opt('source'), one('scope'),
  opt('restriction'), opt('addresses'), any('code'), opt('note'), opt('references'), opt('incidents'), any('info'),
];
const INFO: readonly Field[] = [
  opt('language'), some('category'), one('event'), any('responseType'), one('urgency'), one('severity'), one('certainty'),
  opt('audience'), any('eventCode'), opt('effective'), opt('onset'), opt('expires'), opt('senderName'), opt('headline'),
  opt('description'), opt('instruction'), opt('web'), opt('contact'), any('parameter'), any('resource'), any('area'),
];
const RESOURCE_12: readonly Field[] = [one('resourceDesc'), one('mimeType'), opt('size'), opt('uri'), opt('derefUri'), opt('digest')];
const RESOURCE_11: readonly Field[] = [one('resourceDesc'), opt('mimeType'), opt('size'), opt('uri'), opt('derefUri'), opt('digest')];
const AREA: readonly Field[] = [one('areaDesc'), any('polygon'), any('circle'), any('geocode'), opt('altitude'), opt('ceiling')];
const PAIR: readonly Field[] = [one('valueName'), one('value')];

type Groups = Map<string, { el: XmlElement; path: string }[]>;

class Checker {
  readonly errors: CapProblem[] = [];
  readonly warnings: CapProblem[] = [];

  constructor(
    readonly version: CapVersion,
    readonly ns: string,
  ) {}

  error(path: string, zh: string, en: string, el?: XmlElement): void {
    this.errors.push(el ? { path, message: { zh, en }, line: el.line, column: el.column } : { path, message: { zh, en } });
  }

  warn(path: string, zh: string, en: string): void {
    this.warnings.push({ path, message: { zh, en } });
  }

  /** CAP elements carry no attributes; xsi hints are tolerated (and never followed). */
  attributes(el: XmlElement, path: string): void {
    for (const a of el.attributes) {
      if (a.ns === XSI_NAMESPACE) this.warn(path, `忽略属性 ${a.name}（从不据此加载任何内容）`, `attribute ${a.name} ignored (nothing is ever loaded from it)`);
      else this.error(path, `CAP 元素不带属性，却出现了 ${a.name}`, `CAP elements take no attributes; found ${a.name}`, el);
    }
  }

  /**
   * Matches the element's children against a schema <sequence>: unknown elements, elements in
   * the wrong order, repeats of single elements and missing required ones are all reported.
   * `signatureAllowed`: the alert may end with elements of the XML-signature namespace.
   */
  sequence(el: XmlElement, path: string, fields: readonly Field[], signatureAllowed = false): { groups: Groups; signed: boolean } {
    this.attributes(el, path);
    const groups: Groups = new Map(fields.map((f) => [f.name, []]));
    let furthest = -1;
    let signed = false;
    let inSignature = false;
    for (const c of el.children) {
      if (c.kind === 'text') {
        if (c.text.trim() !== '') this.error(path, `<${el.local}> 中不得直接出现文本`, `<${el.local}> may not contain text directly`, el);
        continue;
      }
      if (c.ns === XMLDSIG_NAMESPACE && signatureAllowed) {
        inSignature = true;
        if (c.local === 'Signature') signed = true;
        continue;
      }
      const name = c.ns === this.ns ? c.local : `{${c.ns ?? ''}}${c.local}`;
      const k = c.ns === this.ns ? fields.findIndex((f) => f.name === c.local) : -1;
      const list = k >= 0 ? groups.get(fields[k]!.name)! : null;
      const childPath = `${path}/${c.local}${k >= 0 && fields[k]!.many ? `[${list!.length}]` : ''}`;
      if (k < 0) {
        if (c.ns !== this.ns && c.ns !== null && Object.values(CAP_NAMESPACES).includes(c.ns as never)) {
          this.error(childPath, `CAP ${this.version} 消息中不得混用其他版本的元素 <${c.local}>`, `element <${c.local}> from another CAP version in a CAP ${this.version} message`, c);
        } else {
          this.error(childPath, `<${el.local}> 中不允许元素 <${name}>`, `element <${name}> is not allowed in <${el.local}>`, c);
        }
        continue;
      }
      if (inSignature) this.error(childPath, `<${c.local}> 不得出现在签名之后`, `<${c.local}> may not follow the signature`, c);
      else if (k < furthest) {
        this.error(childPath, `<${c.local}> 位置错误：应在 <${fields[furthest]!.name}> 之前`, `<${c.local}> is out of order: it must come before <${fields[furthest]!.name}>`, c);
      }
      if (!fields[k]!.many && list!.length >= 1) this.error(childPath, `<${c.local}> 只能出现一次`, `<${c.local}> may appear only once`, c);
      furthest = Math.max(furthest, k);
      list!.push({ el: c, path: childPath });
    }
    for (const f of fields) {
      if (f.min === 1 && groups.get(f.name)!.length === 0) {
        this.error(`${path}/${f.name}`, `缺少必需的元素 <${f.name}>`, `required element <${f.name}> is missing`, el);
      }
    }
    return { groups, signed };
  }

  /** The text of a simple element (no child elements allowed). */
  text(item: { el: XmlElement; path: string }): string {
    this.attributes(item.el, item.path);
    if (childElements(item.el).length > 0) {
      this.error(item.path, `<${item.el.local}> 只能包含文本`, `<${item.el.local}> must contain text only`, item.el);
    }
    return directText(item.el);
  }

  /** The first (only) element of a group, as trimmed text; undefined when absent or empty. */
  optionalText(groups: Groups, name: string): string | undefined {
    const item = groups.get(name)?.[0];
    if (!item) return undefined;
    const t = this.text(item).trim();
    return t === '' ? undefined : t;
  }

  requiredText(groups: Groups, name: string): string {
    const item = groups.get(name)?.[0];
    if (!item) return '';
    const t = this.text(item).trim();
    if (t === '') this.error(item.path, `<${name}> 不得为空`, `<${name}> must not be empty`, item.el);
    return t;
  }

  /** An enumerated value: the schema's xs:string facets compare the text exactly. */
  enumerated<T extends string>(groups: Groups, name: string, allowed: readonly T[], index = 0): T | null {
    const item = groups.get(name)?.[index];
    if (!item) return null;
    const raw = this.text(item);
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    const hint = (allowed as readonly string[]).includes(raw.trim()) ? { zh: '（不得带首尾空白）', en: ' (no surrounding white space allowed)' } : { zh: '', en: '' };
    this.error(
      item.path,
      `<${name}> 的值“${raw}”无效${hint.zh}，应为 ${allowed.join('、')} 之一`,
      `<${name}> value "${raw}" is not valid${hint.en}; expected one of ${allowed.join(', ')}`,
      item.el,
    );
    return null;
  }

  time(item: { el: XmlElement; path: string } | undefined): { text: string; utc: string } | undefined {
    if (!item) return undefined;
    const text = this.text(item).trim();
    const t = parseCapDateTime(text, this.version);
    if (!t.ok) {
      this.error(item.path, t.why.zh, t.why.en, item.el);
      return undefined;
    }
    if (t.utcZero && text.endsWith('+00:00') && this.version === '1.2') {
      this.warn(item.path, 'CAP 1.2 规定 UTC 写作 -00:00（此处为 +00:00，按同一时刻接受）', 'CAP 1.2 writes UTC as -00:00 (found +00:00; accepted as the same instant)');
    }
    return { text, utc: t.utc };
  }

  pair(item: { el: XmlElement; path: string }): CapValuePair {
    const { groups } = this.sequence(item.el, item.path, PAIR);
    const valueName = groups.get('valueName')![0];
    const value = groups.get('value')![0];
    return { valueName: valueName ? this.text(valueName).trim() : '', value: value ? this.text(value).trim() : '' };
  }

  /**
   * Real feeds send optional elements empty (NWS: `<polygon></polygon>`, `<geocode>` without a
   * value, `<instruction/>`): an empty optional element says nothing, so it is skipped with a
   * warning rather than refusing the whole message. Required elements stay required.
   */
  ignoredIfEmpty(item: { el: XmlElement; path: string }): boolean {
    if (childElements(item.el).length > 0 || directText(item.el).trim() !== '') return false;
    this.warn(item.path, `空的 <${item.el.local}> 已忽略`, `empty <${item.el.local}> ignored`);
    return true;
  }

  /**
   * Value pairs (geocode, eventCode, parameter); an empty element is skipped. `dropEmptyValue`:
   * a geocode without a value names no place and is skipped too (a parameter's empty value may
   * mean something, "no resources allocated", and is kept).
   */
  pairs(items: readonly { el: XmlElement; path: string }[], dropEmptyValue = false): CapValuePair[] {
    const out: CapValuePair[] = [];
    for (const item of items) {
      if (this.ignoredIfEmpty(item)) continue;
      const p = this.pair(item);
      if (dropEmptyValue && p.value === '') {
        this.warn(item.path, `<${item.el.local}> ${p.valueName} 的值为空，已忽略`, `<${item.el.local}> ${p.valueName} has an empty value; ignored`);
        continue;
      }
      out.push(p);
    }
    return out;
  }

  decimal(item: { el: XmlElement; path: string } | undefined): number | undefined {
    if (!item) return undefined;
    const text = this.text(item);
    const n = parseDecimal(text);
    if (n === null) {
      // CAP 1.1 typed altitude and ceiling as strings; 1.2 as decimals.
      if (this.version === '1.1') this.warn(item.path, `“${text.trim()}”不是数字，已忽略`, `"${text.trim()}" is not a number; ignored`);
      else this.error(item.path, `<${item.el.local}> 的值“${text.trim()}”不是十进制数`, `<${item.el.local}> value "${text.trim()}" is not a decimal number`, item.el);
      return undefined;
    }
    return n;
  }
}

function absoluteUri(text: string): boolean {
  try {
    new URL(text);
    return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(text);
  } catch {
    return false;
  }
}

// ───────────────────────────── reading the message ─────────────────────────────

function readInfo(c: Checker, item: { el: XmlElement; path: string }): CapInfo {
  const { groups } = c.sequence(item.el, item.path, INFO);
  const path = item.path;

  const languageItem = groups.get('language')![0];
  let language = 'en-US';
  if (languageItem) {
    const t = c.text(languageItem).trim();
    if (!LANGUAGE_RE.test(t)) c.error(languageItem.path, `语言代码“${t}”无效（如 zh-CN）`, `language "${t}" is not a valid language tag (such as zh-CN)`, languageItem.el);
    else language = t;
  }
  const category = groups.get('category')!.map((_, i) => c.enumerated(groups, 'category', CAP_CATEGORIES, i)).filter((v): v is CapCategory => v !== null);
  const event = c.requiredText(groups, 'event');
  const allowedResponses = c.version === '1.1' ? CAP_1_1_RESPONSE_TYPES : CAP_RESPONSE_TYPES;
  const responseType = groups.get('responseType')!.map((_, i) => c.enumerated(groups, 'responseType', allowedResponses, i)).filter((v): v is CapResponseType => v !== null);
  const urgency = c.enumerated(groups, 'urgency', CAP_URGENCIES);
  const severity = c.enumerated(groups, 'severity', CAP_SEVERITIES);
  let certainty: CapCertainty | null;
  const certaintyItem = groups.get('certainty')![0];
  if (c.version === '1.1' && certaintyItem && c.text(certaintyItem) === 'Very Likely') {
    // CAP 1.0's "Very Likely", deprecated in 1.1, which says to read it as Likely.
    c.warn(certaintyItem.path, '已弃用的“Very Likely”按“Likely”处理', 'deprecated "Very Likely" read as "Likely"');
    certainty = 'Likely';
  } else {
    certainty = c.enumerated(groups, 'certainty', CAP_CERTAINTIES);
  }

  const effective = c.time(groups.get('effective')![0]);
  const onset = c.time(groups.get('onset')![0]);
  const expires = c.time(groups.get('expires')![0]);
  if (expires && effective && expires.utc < effective.utc) c.warn(`${path}/expires`, '失效时间早于生效时间', 'expires is earlier than effective');

  const webItem = groups.get('web')![0];
  let web: string | undefined;
  if (webItem) {
    const t = c.text(webItem).trim();
    if (t !== '' && !absoluteUri(t)) c.error(webItem.path, `<web> 应为完整的绝对 URI，而不是“${t}”`, `<web> must be a full absolute URI, not "${t}"`, webItem.el);
    else if (t !== '') web = t;
  }

  const resource = groups.get('resource')!.map((r): CapResource => {
    const { groups: g } = c.sequence(r.el, r.path, c.version === '1.1' ? RESOURCE_11 : RESOURCE_12);
    const sizeItem = g.get('size')![0];
    let size: number | undefined;
    if (sizeItem) {
      const t = c.text(sizeItem).trim();
      if (!INTEGER_RE.test(t) || Number(t) < 0) c.error(sizeItem.path, `<size> 应为非负整数（字节），而不是“${t}”`, `<size> must be a non-negative integer (bytes), not "${t}"`, sizeItem.el);
      else size = Number(t);
    }
    return {
      resourceDesc: c.requiredText(g, 'resourceDesc'),
      mimeType: c.optionalText(g, 'mimeType'),
      size,
      uri: c.optionalText(g, 'uri'),
      derefUri: c.optionalText(g, 'derefUri'),
      digest: c.optionalText(g, 'digest'),
    };
  });

  const area = groups.get('area')!.map((a): CapArea => {
    const { groups: g } = c.sequence(a.el, a.path, AREA);
    const polygon: CapLonLat[][] = [];
    for (const p of g.get('polygon')!) {
      if (c.ignoredIfEmpty(p)) continue;
      const r = parseCapPolygon(c.text(p));
      if (r.ok) polygon.push(r.ring);
      else c.error(p.path, r.why.zh, r.why.en, p.el);
    }
    const circle: CapCircle[] = [];
    for (const p of g.get('circle')!) {
      if (c.ignoredIfEmpty(p)) continue;
      const r = parseCapCircle(c.text(p));
      if (!r.ok) c.error(p.path, r.why.zh, r.why.en, p.el);
      else {
        if (r.circle.radiusKm === 0) c.warn(p.path, '半径为 0 的圆只是一个点', 'a circle of radius 0 is a single point');
        circle.push(r.circle);
      }
    }
    const altitude = c.decimal(g.get('altitude')![0]);
    const ceiling = c.decimal(g.get('ceiling')![0]);
    if (g.get('ceiling')!.length > 0 && g.get('altitude')!.length === 0) {
      c.error(`${a.path}/ceiling`, '<ceiling> 只能与 <altitude> 一起使用', '<ceiling> may only be used together with <altitude>', a.el);
    }
    return {
      areaDesc: c.requiredText(g, 'areaDesc'),
      polygon,
      circle,
      geocode: c.pairs(g.get('geocode')!, true),
      altitude,
      ceiling,
    };
  });

  return {
    language,
    category,
    event,
    responseType,
    urgency: urgency ?? 'Unknown',
    severity: severity ?? 'Unknown',
    certainty: certainty ?? 'Unknown',
    audience: c.optionalText(groups, 'audience'),
    eventCode: c.pairs(groups.get('eventCode')!),
    effective: effective?.text,
    effectiveUtc: effective?.utc,
    onset: onset?.text,
    onsetUtc: onset?.utc,
    expires: expires?.text,
    expiresUtc: expires?.utc,
    senderName: c.optionalText(groups, 'senderName'),
    headline: c.optionalText(groups, 'headline'),
    description: c.optionalText(groups, 'description'),
    instruction: c.optionalText(groups, 'instruction'),
    web,
    contact: c.optionalText(groups, 'contact'),
    parameter: c.pairs(groups.get('parameter')!),
    resource,
    area,
  };
}

function parseReferences(c: Checker, item: { el: XmlElement; path: string }): CapReference[] {
  const text = c.text(item).trim();
  if (text === '') {
    c.error(item.path, '<references> 存在却为空：应列出至少一条“发送者,标识,发送时间”', '<references> is present but empty: it must list at least one "sender,identifier,sent"', item.el);
    return [];
  }
  const out: CapReference[] = [];
  for (const token of text.split(/\s+/)) {
    const parts = token.split(',');
    if (parts.length !== 3) {
      c.error(item.path, `引用“${token}”应为“发送者,标识,发送时间”`, `reference "${token}" should be "sender,identifier,sent"`, item.el);
      continue;
    }
    const [sender, identifier, sent] = parts as [string, string, string];
    const bad = capIdentifierProblem(sender) ?? capIdentifierProblem(identifier);
    const t = parseCapDateTime(sent, c.version);
    if (bad) c.error(item.path, `引用“${token}”：${bad.zh}`, `reference "${token}": ${bad.en}`, item.el);
    else if (!t.ok) c.error(item.path, `引用“${token}”：${t.why.zh}`, `reference "${token}": ${t.why.en}`, item.el);
    else out.push({ sender, identifier, sent });
  }
  return out;
}

/** The message as a whole: root, version, then the alert block. */
function readAlert(root: XmlElement, warnings: CapProblem[]): { message: CapMessage | null; errors: CapProblem[]; warnings: CapProblem[] } {
  const at = { line: root.line, column: root.column };
  if (root.local !== 'alert' || (root.ns !== CAP_NAMESPACES['1.2'] && root.ns !== CAP_NAMESPACES['1.1'])) {
    const ns = root.ns ?? '';
    const message =
      ns === CAP_1_0_NAMESPACE || /cap:1\.0$/.test(ns)
        ? { zh: '不支持 CAP 1.0（命名空间 ' + ns + '）：请发送 CAP 1.2 或 1.1', en: `CAP 1.0 (namespace ${ns}) is not supported: send CAP 1.2 or 1.1` }
        : root.local === 'alert'
          ? { zh: `<alert> 的命名空间“${ns}”不是 CAP 1.2 或 1.1 的命名空间`, en: `<alert> is in namespace "${ns}", not that of CAP 1.2 or 1.1` }
          : root.local === 'feed' || root.local === 'rss'
            ? { zh: `这是一个订阅源（<${root.local}>），不是 CAP 消息：请逐条读取其中链接的 CAP 消息`, en: `this is a feed (<${root.local}>), not a CAP message: read the CAP messages its entries link to` }
            : { zh: `根元素 <${root.name}> 不是 CAP 的 <alert>`, en: `the root element <${root.name}> is not a CAP <alert>` };
    return { message: null, errors: [{ path: '/', message, ...at }], warnings };
  }
  const version: CapVersion = root.ns === CAP_NAMESPACES['1.2'] ? '1.2' : '1.1';
  const c = new Checker(version, root.ns);
  c.warnings.push(...warnings);
  const path = '/alert';
  const { groups, signed } = c.sequence(root, path, ALERT, true);

  const identifier = c.requiredText(groups, 'identifier');
  const sender = c.requiredText(groups, 'sender');
  for (const name of ['identifier', 'sender'] as const) {
    const item = groups.get(name)![0];
    const value = name === 'identifier' ? identifier : sender;
    const bad = item && value !== '' ? capIdentifierProblem(value) : null;
    if (item && bad) c.error(item.path, `<${name}> ${bad.zh}`, `<${name}> ${bad.en}`, item.el);
  }
  const sent = c.time(groups.get('sent')![0]);
  const status = c.enumerated(groups, 'status', CAP_STATUSES);
  const msgType = c.enumerated(groups, 'msgType', CAP_MSG_TYPES);
  const scope = c.enumerated(groups, 'scope', CAP_SCOPES);
  const restriction = c.optionalText(groups, 'restriction');
  const addressesText = c.optionalText(groups, 'addresses');
  const addresses = addressesText === undefined ? undefined : splitCapList(addressesText);
  if (scope === 'Restricted' && restriction === undefined) {
    c.error(`${path}/restriction`, '范围为 Restricted 时必须填写 <restriction>', '<restriction> is required when <scope> is Restricted', root);
  }
  if (scope === 'Private' && (addresses === undefined || addresses.length === 0)) {
    c.error(`${path}/addresses`, '范围为 Private 时必须填写 <addresses>', '<addresses> is required when <scope> is Private', root);
  }
  const code = groups.get('code')!.map((x) => c.text(x).trim());
  const note = c.optionalText(groups, 'note');
  const referencesItem = groups.get('references')![0];
  const references = referencesItem ? parseReferences(c, referencesItem) : [];
  if (msgType !== null && msgType !== 'Alert' && !referencesItem) {
    // Update, Cancel, Ack and Error are defined by the messages they name in <references>.
    c.error(`${path}/references`, `类型为 ${msgType} 的消息必须在 <references> 中指明所针对的消息`, `a ${msgType} message must name the message(s) it refers to in <references>`, root);
  }
  if (msgType === 'Error' && note === undefined) c.warn(`${path}/note`, 'Error 消息应在 <note> 中说明原因', 'an Error message should explain itself in <note>');
  const incidentsText = c.optionalText(groups, 'incidents');
  const infos = groups.get('info')!.map((x) => readInfo(c, x));
  if ((msgType === 'Alert' || msgType === 'Update') && infos.length === 0) {
    c.error(
      `${path}/info`,
      `${msgType} 消息没有任何 <info>：没有事件、严重程度与区域，无可导入的内容（CAP 允许，本平台的导入规则不允许）`,
      `the ${msgType} message has no <info>: no event, severity or area, so nothing to import (CAP allows it; our import rule does not)`,
      root,
    );
  }
  if (sent && infos.some((i) => i.expiresUtc !== undefined && i.expiresUtc < sent.utc)) {
    c.warn(`${path}/info`, '有 <info> 在发送之前就已失效', 'an <info> expires before the message was sent');
  }
  if (signed) {
    c.warn(`${path}/Signature`, '消息带有 XML 签名，但签名未经验证：不能据此确认发送者身份', 'the message carries an XML signature, which is NOT verified: it does not authenticate the sender');
  }

  if (c.errors.length > 0 || status === null || msgType === null || scope === null || !sent) {
    return { message: null, errors: c.errors, warnings: c.warnings };
  }
  const message: CapMessage = {
    version,
    identifier,
    sender,
    sent: sent.text,
    sentUtc: sent.utc,
    status,
    msgType,
    source: c.optionalText(groups, 'source'),
    scope,
    restriction,
    addresses,
    code,
    note,
    references,
    incidents: incidentsText === undefined ? undefined : splitCapList(incidentsText),
    infos,
    signed,
  };
  return { message, errors: [], warnings: c.warnings };
}

function formatProblem(p: CapProblem): string {
  return `${p.path}: ${p.message.zh} / ${p.message.en}`;
}

/**
 * Reads and validates one CAP message. `input`: the raw bytes (so that the declared encoding is
 * honoured) or a decoded string. Warnings are "path: 中文 / English" lines about what was accepted
 * but deserves a look (an unverified signature, a stylesheet hint that was ignored, +00:00 …).
 */
export function parseCap(input: Uint8Array | string, options: XmlReadOptions = {}): CapParseResult {
  const xml = readXml(input, options);
  if (!xml.ok) {
    return { ok: false, errors: xml.errors.map((e) => ({ path: '/', message: e.message, line: e.line, column: e.column })) };
  }
  const pre: CapProblem[] = xml.document.ignoredStylesheets.map((s) => ({
    path: '/',
    message: { zh: `忽略样式表处理指令（${s}），从不加载`, en: `stylesheet processing instruction ignored (${s}), never loaded` },
  }));
  try {
    const { message, errors, warnings } = readAlert(xml.document.root, pre);
    if (!message) return { ok: false, errors };
    return { ok: true, message, warnings: warnings.map(formatProblem) };
  } catch (e) {
    // Defence in depth: a bug here must not let a hostile message crash the caller.
    return { ok: false, errors: [{ path: '/', message: { zh: `校验 CAP 消息时出错：${String(e)}`, en: `could not check the CAP message: ${String(e)}` } }] };
  }
}
