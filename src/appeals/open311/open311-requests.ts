import type { CaseDoc, CaseState } from '../../cases/case-model.ts';
import { CASE_STATE_NAMES, activeTasks, isOpenCase } from '../../cases/case-model.ts';
import type { CategoryDefinition } from '../../org/category-model.ts';
import type { Lang } from '../../errors.ts';
import { fromGcj02 } from '../../geo/crs.ts';
import { Open311Error } from './open311-errors.ts';
import { readAttributes, W3C_DATETIME, type Open311AttributeDefinition } from './open311-services.ts';

/** GeoReport v2 has two statuses; ours map onto them: a case in a terminal state is closed (a merged one too). */
export function statusOf(state: CaseState): 'open' | 'closed' {
  return isOpenCase(state) ? 'open' : 'closed';
}

/** The city's clock: Chongqing keeps China Standard Time all year (no daylight saving). */
const CITY_OFFSET_MS = 8 * 3600_000;

/** 2026-03-02T01:00:00.000Z → 2026-03-02T09:00:00+08:00 (the W3C note's form, seconds precision). */
export function formatW3c(iso: string): string {
  const ms = Date.parse(iso);
  return `${new Date(ms + CITY_OFFSET_MS).toISOString().slice(0, 19)}+08:00`;
}

/**
 * A W3C datetime from a query string, or null. The time zone is required (the specification says
 * so); a '+' that arrived unencoded and became a space is taken back.
 */
export function parseW3c(raw: string): Date | null {
  const s = raw.trim().replace(/ (\d{2}:\d{2})$/, '+$1');
  if (!W3C_DATETIME.test(s)) return null;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** Fields a client sent, normalised from a form or a JSON body. */
export interface Open311Submission {
  /** The first value of each plain field. */
  readonly fields: ReadonlyMap<string, string>;
  /** attribute[code]=v and attribute[code][]=v (and a JSON "attribute" object). */
  readonly attributes: ReadonlyMap<string, readonly string[]>;
}

const ATTRIBUTE_KEY = /^attribute\[([^\]]{1,100})\](\[\])?$/;

/** application/x-www-form-urlencoded → every value of every key (UTF-8, '+' as space). */
export function parseForm(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(text)) {
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}

function scalar(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return null;
}

/** Reads a parsed form (a Map) or a JSON object into fields and attributes; anything else is a 400. */
export function readSubmission(body: unknown, lang: Lang): Open311Submission {
  const fields = new Map<string, string>();
  const attributes = new Map<string, string[]>();
  const addAttribute = (code: string, values: readonly string[]) => attributes.set(code, [...(attributes.get(code) ?? []), ...values]);
  let entries: [string, unknown][];
  if (body instanceof Map) entries = [...(body as Map<string, string[]>).entries()];
  else if (body === undefined || body === null) entries = [];
  else if (typeof body === 'object' && !Array.isArray(body)) entries = Object.entries(body);
  else throw new Open311Error(400, lang === 'zh' ? '请求体须为表单字段（或 JSON 对象）' : 'The body must be form fields (or a JSON object)');
  for (const [key, raw] of entries) {
    const values = (Array.isArray(raw) ? raw : [raw]).map(scalar);
    const m = ATTRIBUTE_KEY.exec(key);
    if (m) {
      addAttribute(m[1]!, values.filter((v): v is string => v !== null));
    } else if (key === 'attribute' && raw !== null && typeof raw === 'object' && !Array.isArray(raw) && !(body instanceof Map)) {
      for (const [code, v] of Object.entries(raw as Record<string, unknown>)) addAttribute(code, (Array.isArray(v) ? v : [v]).map(scalar).filter((x): x is string => x !== null));
    } else {
      const first = values.find((v): v is string => v !== null);
      if (first !== undefined && !fields.has(key)) fields.set(key, first);
    }
  }
  return { fields, attributes };
}

const NUMBER = /^[+-]?\d{1,3}(\.\d+)?$/;
const PHONE = /^[0-9+()\-\s]{3,30}$/;
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/** The case to report, read from a POST requests submission (no personal data goes into the text). */
export interface Open311Report {
  readonly title: string;
  readonly description: string;
  readonly lng: number;
  readonly lat: number;
  readonly address: string | undefined;
  readonly reporter: { readonly name: string | undefined; readonly phone: string | undefined };
  readonly externalRef: string;
  readonly accountId: string | null;
}

const field = (s: Open311Submission, name: string): string | undefined => {
  const v = s.fields.get(name)?.trim();
  return v === undefined || v === '' ? undefined : v;
};

/** A first line of the description as the case title; FixMyStreet's "title: …" prefix removed. */
export function titleFrom(description: string, fallback: string): string {
  const line = description
    .split('\n')
    .map((l) => l.replace(/^\s*(title|标题)\s*[:：]\s*/i, '').replace(/\s+/g, ' ').trim())
    .find((l) => l !== '');
  if (!line) return fallback;
  const chars = [...line];
  return chars.length > 50 ? `${chars.slice(0, 49).join('')}…` : line;
}

/** Where an Open311 case came from and what the client gave us to keep: account id and media link. */
export function externalRefOf(accountId: string | null, mediaUrl: string | null): string {
  const q = new URLSearchParams();
  if (accountId) q.set('account_id', accountId);
  if (mediaUrl) q.set('media_url', mediaUrl);
  return `open311:${q.toString()}`;
}

export function mediaUrlOf(externalRef: string | null): string | null {
  if (!externalRef?.startsWith('open311:')) return null;
  return new URLSearchParams(externalRef.slice('open311:'.length)).get('media_url');
}

/**
 * Checks a POST requests submission for one service and reads the case it describes. Every
 * problem is reported at once (GeoReport v2 errors are an array). The location must be lat/long
 * in WGS-84: free-text addresses cannot be placed yet.
 */
export function readReport(s: Open311Submission, category: CategoryDefinition, lang: Lang, attributes: readonly Open311AttributeDefinition[]): Open311Report {
  const problems: string[] = [];
  const zh = lang === 'zh';
  const latRaw = field(s, 'lat');
  const longRaw = field(s, 'long');
  let lat = Number.NaN;
  let lng = Number.NaN;
  if (latRaw === undefined && longRaw === undefined) {
    if (field(s, 'address_string') !== undefined || field(s, 'address_id') !== undefined) {
      problems.push(
        zh
          ? '暂不能按地址文字（address_string / address_id）定位：请同时提供 lat 和 long（WGS-84 坐标）'
          : 'Addresses (address_string / address_id) cannot be located yet: send lat and long (WGS-84) as well',
      );
    } else {
      problems.push(zh ? '缺少位置：请提供 lat 和 long（WGS-84 坐标）' : 'A location is required: send lat and long (WGS-84)');
    }
  } else if (latRaw === undefined || longRaw === undefined) {
    problems.push(zh ? 'lat 和 long 须同时提供' : 'lat and long must both be sent');
  } else {
    lat = NUMBER.test(latRaw) ? Number(latRaw) : Number.NaN;
    lng = NUMBER.test(longRaw) ? Number(longRaw) : Number.NaN;
    if (!(lat >= -90 && lat <= 90)) problems.push(zh ? `lat 须为 -90 到 90 之间的数（收到 ${latRaw.slice(0, 30)}）` : `lat must be a number from -90 to 90 (got ${latRaw.slice(0, 30)})`);
    if (!(lng >= -180 && lng <= 180)) problems.push(zh ? `long 须为 -180 到 180 之间的数（收到 ${longRaw.slice(0, 30)}）` : `long must be a number from -180 to 180 (got ${longRaw.slice(0, 30)})`);
  }
  const description = (s.fields.get('description') ?? '').replace(/\r\n?/g, '\n').trim();
  if ([...description].length > 4000) problems.push(zh ? 'description 不能超过 4000 个字符' : 'description is limited to 4,000 characters');
  const mediaRaw = field(s, 'media_url');
  let mediaUrl: string | null = null;
  if (mediaRaw !== undefined) {
    let ok = false;
    try {
      const u = new URL(mediaRaw);
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && mediaRaw.length <= 2000;
    } catch {
      ok = false;
    }
    if (ok) mediaUrl = mediaRaw;
    else problems.push(zh ? 'media_url 须为不超过 2000 字符的 http(s) 链接' : 'media_url must be an http(s) URL of at most 2,000 characters');
  }
  const address = field(s, 'address_string');
  if (address !== undefined && address.length > 300) problems.push(zh ? 'address_string 不能超过 300 个字符' : 'address_string is limited to 300 characters');
  const first = field(s, 'first_name');
  const last = field(s, 'last_name');
  const name = first && last ? (CJK.test(first + last) ? `${last}${first}` : `${first} ${last}`) : (first ?? last);
  if (name !== undefined && name.length > 50) problems.push(zh ? '姓名不能超过 50 个字符' : 'first_name and last_name together are limited to 50 characters');
  const phone = field(s, 'phone');
  if (phone !== undefined && !PHONE.test(phone)) problems.push(zh ? 'phone 不是电话号码' : 'phone is not a phone number');
  const accountId = field(s, 'account_id') ?? null;
  if (accountId !== null && accountId.length > 100) problems.push(zh ? 'account_id 不能超过 100 个字符' : 'account_id is limited to 100 characters');
  const attrs = readAttributes(category.code, s.attributes, lang, attributes);
  problems.push(...attrs.problems);
  if (problems.length > 0) throw new Open311Error(400, problems);

  const extra = [...attrs.lines];
  if (mediaUrl) extra.push(`媒体链接（平台未下载，打开前请核实）：${mediaUrl}`);
  return {
    title: titleFrom(description, category.nameZh),
    description: extra.length > 0 ? `${description}${description ? '\n\n' : ''}【补充信息】\n${extra.join('\n')}` : description,
    lng,
    lat,
    address,
    reporter: { name, phone },
    externalRef: externalRefOf(accountId, mediaUrl),
    accountId,
  };
}

/** What a request view needs from outside the case: names and the expected resolution time. */
export interface RequestLookups {
  category(code: string): CategoryDefinition | undefined;
  centerName(id: string): string | undefined;
  /** When an open case can be expected resolved: its resolve deadline, or the category's from its report. */
  expectedResolve(doc: CaseDoc): string | null;
  serviceNotice(doc: CaseDoc): string | null;
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/**
 * A case as a GeoReport v2 service request. Only what concerns the matter itself: never the
 * reporter's name, phone, e-mail or account, never internal ids or the event history.
 */
export function requestViewOf(doc: CaseDoc, lookups: RequestLookups, lang: Lang) {
  const status = statusOf(doc.state);
  const stateName = CASE_STATE_NAMES[doc.state][lang];
  const sep = lang === 'zh' ? '：' : ': ';
  // A duplicate merged into another case says where its answer is (the field is newer than some docs).
  const mergedInto = (doc as { mergedInto?: { number?: string } | null }).mergedInto?.number;
  const note = mergedInto
    ? `${stateName}${sep}${lang === 'zh' ? `重复诉求，已并入 ${mergedInto}` : `duplicate, merged into ${mergedInto}`}`
    : doc.state === 'declined' && doc.declineReason
      ? `${stateName}${sep}${doc.declineReason}`
      : (doc.state === 'closed' || doc.state === 'evaluated') && doc.summary
        ? `${stateName}${sep}${doc.summary}`
        : stateName;
  const lead = activeTasks(doc).find((t) => t.role === 'lead');
  const [lng, lat] = fromGcj02(doc.location.lng, doc.location.lat, 'wgs84');
  const chars = [...doc.description];
  return {
    service_request_id: doc.number,
    status,
    status_notes: note,
    service_name: lookups.category(doc.categoryCode)?.nameZh ?? null,
    service_code: doc.categoryCode,
    description: chars.length > 4000 ? `${chars.slice(0, 3999).join('')}…` : doc.description,
    agency_responsible: lead?.unitName ?? lookups.centerName(doc.centerId) ?? null,
    service_notice: lookups.serviceNotice(doc),
    requested_datetime: formatW3c(doc.createdAt),
    updated_datetime: formatW3c(status === 'closed' ? (doc.closedAt ?? doc.updatedAt) : doc.updatedAt),
    expected_datetime: status === 'closed' ? null : (() => {
      const e = lookups.expectedResolve(doc);
      return e ? formatW3c(e) : null;
    })(),
    address: doc.location.address || null,
    lat: round6(lat),
    long: round6(lng),
    media_url: mediaUrlOf(doc.externalRef),
  };
}

export type Open311Request = ReturnType<typeof requestViewOf>;
