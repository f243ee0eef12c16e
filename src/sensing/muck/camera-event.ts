/**
 * Camera events (视频AI事件): what a video-analysis box or platform reports when it recognises
 * something on the road — a muck truck spilling its load (渣土车撒漏), an uncovered load, a
 * waterlogged road, smoke or fire, street vending — with the camera, the time, the plate it read,
 * its confidence and a snapshot. Pure: parsing and normalising untrusted input; no I/O, no clock
 * (the caller passes `now`).
 *
 * Decisions (docs/reference/muck-chain.md explains them to integrators):
 * - Event types come as vendors name them; known synonyms and English codes map to one canonical
 *   Chinese name (`muck_spill`, 渣土车抛洒 → 渣土车撒漏). Unknown types are kept as sent, so
 *   nothing is lost; they are recorded but never suggest an alert.
 * - Confidence is 0..1; a value above 1 and up to 100 is read as a percentage (87 → 0.87).
 *   Exactly 1 means 1.0.
 * - A plate that is present but does not read as a Chinese plate does NOT refuse the event (a
 *   misread plate must not lose a spill): `plate` is null and `plateText` keeps what was sent.
 * - The snapshot is optional; it is either inline (`snapshot`: base64 or a data: URI of a JPEG
 *   or PNG, checked by its magic bytes, size-limited) or a reference (`snapshotSha256`) to a file
 *   already uploaded to the blob store. Both may be given only if they agree.
 *
 * The known types and their synonyms are in `camera-event-types.ts`, plates in `vehicle-plate.ts`.
 */
import { createHash } from 'node:crypto';
import { canonicalEventType } from './camera-event-types.ts';
import { isNoPlateMarker, normalizePlate } from './vehicle-plate.ts';

/** The device id rule (same as devices): also the MQTT topic level `cityloop/devices/{id}/events`. */
export const CAMERA_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** Default largest inline snapshot, decoded: 2 MiB (a 1080p JPEG is typically 200–600 KB). */
export const DEFAULT_MAX_SNAPSHOT_BYTES = 2 * 1024 * 1024;
/** Default tolerance for a camera clock running ahead. */
export const DEFAULT_MAX_FUTURE_MS = 5 * 60_000;
/** Default oldest event accepted (a box replaying its buffer after an outage is fine; 1970 is not). */
export const DEFAULT_MAX_AGE_MS = 7 * 24 * 3_600_000;

// ── The event ───────────────────────────────────────────────────────────────

export interface CameraSnapshot {
  readonly sha256: string;
  /** Known for an inline image; null for a reference to an uploaded file. */
  readonly mediaType: 'image/jpeg' | 'image/png' | null;
  readonly size: number | null;
  /** The decoded image for an inline snapshot (the caller stores it in the blob store); else null. */
  readonly data: Buffer | null;
}

/** The detected object's box, in the units the camera sent (pixels or fractions of the frame). */
export interface CameraBBox {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface CameraEvent {
  readonly cameraId: string;
  /** Canonical when known (渣土车撒漏), else as sent. */
  readonly eventType: string;
  readonly eventTypeKnown: boolean;
  /** The type exactly as sent. */
  readonly eventTypeRaw: string;
  /** Canonical plate (渝A12345), or null when none was read or it did not read as a plate. */
  readonly plate: string | null;
  /** The plate text as sent, when one was sent (kept even when it did not read as a plate). */
  readonly plateText: string | null;
  /** read: `plate` holds it; absent: none sent, or a "no plate" marker (无牌, 未识别); unreadable: text that is not a plate. */
  readonly plateStatus: 'read' | 'absent' | 'unreadable';
  /** 0..1. */
  readonly confidence: number;
  /** When the camera saw it: ISO-8601 UTC with milliseconds. */
  readonly at: string;
  /** When CityLoop received it (the `now` given to the parser). */
  readonly receivedAt: string;
  readonly snapshot: CameraSnapshot | null;
  readonly bbox: CameraBBox | null;
  /** The vendor's own id of the event, when sent. */
  readonly vendorEventId: string | null;
}

export type ParseCameraEventResult =
  | { ok: true; event: CameraEvent }
  | {
      ok: false;
      /** The field at fault (its canonical name), or 'body'. */
      field: string;
      /** English; names the field. */
      reason: string;
      /** 简体中文；指明字段。 */
      reasonZh: string;
    };

export interface ParseCameraEventOptions {
  /** The current time (from the platform's Clock). */
  readonly now: Date;
  /** The camera named by the MQTT topic; the body may then omit cameraId, and must agree if it does not. */
  readonly cameraId?: string;
  readonly maxSnapshotBytes?: number;
  readonly maxFutureMs?: number;
  readonly maxAgeMs?: number;
}

/** Accepted spellings of each field, first found wins (camelCase, snake_case, common vendor names). */
export const CAMERA_EVENT_FIELDS = {
  cameraId: ['cameraId', 'camera_id', 'deviceId', 'device_id'],
  eventType: ['eventType', 'event_type', 'type'],
  plate: ['plate', 'plateNo', 'plate_no', 'plateNumber', 'plate_number'],
  confidence: ['confidence', 'score'],
  at: ['at', 'time', 'timestamp', 'eventTime', 'event_time'],
  snapshot: ['snapshot', 'image', 'picture'],
  snapshotSha256: ['snapshotSha256', 'snapshot_sha256'],
  bbox: ['bbox'],
  eventId: ['eventId', 'event_id'],
} as const;

const FIELD_ZH: Readonly<Record<keyof typeof CAMERA_EVENT_FIELDS | 'body', string>> = {
  body: '请求体',
  cameraId: '摄像机编号（cameraId）',
  eventType: '事件类型（eventType）',
  plate: '车牌号（plate）',
  confidence: '置信度（confidence）',
  at: '发生时间（at）',
  snapshot: '抓拍图片（snapshot）',
  snapshotSha256: '抓拍图片摘要（snapshotSha256）',
  bbox: '目标框（bbox）',
  eventId: '事件编号（eventId）',
};

type Field = keyof typeof CAMERA_EVENT_FIELDS;

class Refusal {
  constructor(
    readonly field: Field | 'body',
    readonly en: string,
    readonly zh: string,
  ) {}
}

function refuse(field: Field | 'body', en: string, zh: string): never {
  throw new Refusal(field, `${field}: ${en}`, `${FIELD_ZH[field]}${zh}`);
}

function read(body: Record<string, unknown>, field: Field): unknown {
  for (const name of CAMERA_EVENT_FIELDS[field]) {
    const v = body[name];
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F]/;

function parseCameraId(body: Record<string, unknown>, fromTopic: string | undefined): string {
  const v = read(body, 'cameraId');
  if (v === undefined) {
    if (fromTopic === undefined) refuse('cameraId', 'is required', '必填');
    if (!CAMERA_ID_PATTERN.test(fromTopic)) refuse('cameraId', 'must be 1–64 letters, digits, dot, underscore or hyphen', '只能由 1–64 个字母、数字、点、下划线或连字符组成');
    return fromTopic;
  }
  if (typeof v !== 'string' || !CAMERA_ID_PATTERN.test(v)) refuse('cameraId', 'must be 1–64 letters, digits, dot, underscore or hyphen', '只能由 1–64 个字母、数字、点、下划线或连字符组成');
  if (fromTopic !== undefined && v !== fromTopic) refuse('cameraId', `differs from the camera of the topic (${fromTopic})`, `与主题中的摄像机（${fromTopic}）不一致`);
  return v;
}

function parseEventType(body: Record<string, unknown>): { type: string; known: boolean; raw: string } {
  const v = read(body, 'eventType');
  if (v === undefined) refuse('eventType', 'is required', '必填');
  if (typeof v !== 'string') refuse('eventType', 'must be a string', '必须是字符串');
  const raw = v;
  const t = raw.trim();
  if (t.length === 0) refuse('eventType', 'must not be empty', '不能为空');
  if (t.length > 64) refuse('eventType', 'must be at most 64 characters', '不能超过 64 个字符');
  if (CONTROL.test(t)) refuse('eventType', 'must not contain control characters', '不能包含控制字符');
  const c = canonicalEventType(t);
  return { ...c, raw };
}

function parsePlate(body: Record<string, unknown>): Pick<CameraEvent, 'plate' | 'plateText' | 'plateStatus'> {
  const v = read(body, 'plate');
  if (v === undefined) return { plate: null, plateText: null, plateStatus: 'absent' };
  if (typeof v !== 'string') refuse('plate', 'must be a string', '必须是字符串');
  if (v.length > 32 || CONTROL.test(v)) refuse('plate', 'must be at most 32 printable characters', '不能超过 32 个可打印字符');
  const text = v.trim();
  if (isNoPlateMarker(text)) return { plate: null, plateText: text === '' ? null : text, plateStatus: 'absent' };
  const plate = normalizePlate(text);
  return { plate, plateText: text, plateStatus: plate === null ? 'unreadable' : 'read' };
}

function parseConfidence(body: Record<string, unknown>): number {
  let v = read(body, 'confidence');
  if (v === undefined) refuse('confidence', 'is required', '必填');
  if (typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v)) v = Number(v);
  if (typeof v !== 'number' || !Number.isFinite(v)) refuse('confidence', 'must be a number', '必须是数字');
  if (v < 0 || v > 100) refuse('confidence', 'must be between 0 and 1 (or 0 and 100 as a percentage)', '必须在 0 到 1 之间（或以百分数表示的 0 到 100）');
  const c = v > 1 ? v / 100 : v;
  return Math.round(c * 1e6) / 1e6;
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Parses an ISO-8601 time with a zone (Z or ±hh:mm) and a real calendar date; null otherwise. */
export function parseIsoTime(s: string): Date | null {
  const m = ISO_TIME.exec(s.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, sec = '0', frac = '0', zone] = m;
  const Y = Number(y), M = Number(mo), D = Number(d), H = Number(h), Mi = Number(mi), S = Number(sec);
  if (M < 1 || M > 12 || D < 1 || H > 23 || Mi > 59 || S > 59) return null;
  const local = Date.UTC(Y, M - 1, D, H, Mi, S, Number(frac.padEnd(3, '0').slice(0, 3)));
  if (new Date(Date.UTC(Y, M - 1, D)).getUTCDate() !== D) return null;
  let offsetMin = 0;
  if (zone!.toUpperCase() !== 'Z') {
    const z = zone!.replace(':', '');
    const oh = Number(z.slice(1, 3)), om = Number(z.slice(3, 5));
    if (oh > 14 || om > 59) return null;
    offsetMin = (z[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return new Date(local - offsetMin * 60_000);
}

function parseAt(body: Record<string, unknown>, opts: ParseCameraEventOptions): string {
  const v = read(body, 'at');
  if (v === undefined) refuse('at', 'is required', '必填');
  if (typeof v !== 'string') refuse('at', 'must be an ISO-8601 time string with a zone, e.g. 2026-03-02T09:15:00+08:00', '必须是带时区的 ISO-8601 时间字符串，例如 2026-03-02T09:15:00+08:00');
  const t = parseIsoTime(v);
  if (!t) refuse('at', 'must be an ISO-8601 time with a zone (Z or +08:00), e.g. 2026-03-02T09:15:00+08:00', '必须是带时区（Z 或 +08:00）的 ISO-8601 时间，例如 2026-03-02T09:15:00+08:00');
  const now = opts.now.getTime();
  const ahead = opts.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS;
  if (t.getTime() > now + ahead) {
    refuse('at', `is more than ${Math.round(ahead / 60_000)} minutes in the future (check the camera's clock)`, `比当前时间晚 ${Math.round(ahead / 60_000)} 分钟以上（请检查摄像机时钟）`);
  }
  const age = opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  if (t.getTime() < now - age) {
    refuse('at', `is more than ${Math.round(age / 3_600_000)} hours in the past (check the camera's clock)`, `早于当前时间 ${Math.round(age / 3_600_000)} 小时以上（请检查摄像机时钟）`);
  }
  return t.toISOString();
}

const SHA256_HEX = /^[0-9a-f]{64}$/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DATA_URI = /^data:(image\/(?:jpeg|jpg|png));base64,/i;

function sniff(data: Buffer): 'image/jpeg' | 'image/png' | null {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (data.length >= 8 && png.every((b, i) => data[i] === b)) return 'image/png';
  return null;
}

function parseSnapshot(body: Record<string, unknown>, opts: ParseCameraEventOptions): CameraSnapshot | null {
  const inline = read(body, 'snapshot');
  const ref = read(body, 'snapshotSha256');
  let referenced: string | null = null;
  if (ref !== undefined) {
    if (typeof ref !== 'string' || !SHA256_HEX.test(ref)) refuse('snapshotSha256', 'must be a SHA-256 digest in 64 hexadecimal characters', '必须是 64 位十六进制的 SHA-256 摘要');
    referenced = ref.toLowerCase();
  }
  if (inline === undefined) return referenced ? { sha256: referenced, mediaType: null, size: null, data: null } : null;
  if (typeof inline !== 'string') refuse('snapshot', 'must be a base64 string or a data: URI of a JPEG or PNG image', '必须是 JPEG 或 PNG 图片的 base64 字符串或 data: URI');
  let text = inline;
  let declared: 'image/jpeg' | 'image/png' | null = null;
  const uri = DATA_URI.exec(text);
  if (uri) {
    declared = uri[1]!.toLowerCase() === 'image/png' ? 'image/png' : 'image/jpeg';
    text = text.slice(uri[0].length);
  } else if (text.startsWith('data:')) {
    refuse('snapshot', 'must be a data: URI of image/jpeg or image/png in base64', '必须是 base64 编码的 image/jpeg 或 image/png data: URI');
  }
  const limit = opts.maxSnapshotBytes ?? DEFAULT_MAX_SNAPSHOT_BYTES;
  // Checked on the encoded length first, so an oversized image is refused without decoding it.
  const compact = text.replace(/\s+/g, '');
  const approx = Math.floor((compact.length * 3) / 4);
  if (approx - 2 > limit) refuse('snapshot', `is larger than ${limit} bytes`, `超过 ${limit} 字节上限`);
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) refuse('snapshot', 'is not valid base64', '不是有效的 base64 编码');
  const data = Buffer.from(compact, 'base64');
  if (data.length > limit) refuse('snapshot', `is larger than ${limit} bytes`, `超过 ${limit} 字节上限`);
  const kind = sniff(data);
  if (!kind) refuse('snapshot', 'is neither a JPEG nor a PNG image (by its first bytes)', '不是 JPEG 或 PNG 图片（文件头不符）');
  if (declared && declared !== kind) refuse('snapshot', `says ${declared} but holds ${kind}`, `声明为 ${declared}，实际为 ${kind}`);
  const sha256 = createHash('sha256').update(data).digest('hex');
  if (referenced && referenced !== sha256) refuse('snapshotSha256', 'does not match the SHA-256 of the inline snapshot', '与内嵌抓拍图片的 SHA-256 不一致');
  return { sha256, mediaType: kind, size: data.length, data };
}

function parseBBox(body: Record<string, unknown>): CameraBBox | null {
  const v = read(body, 'bbox');
  if (v === undefined) return null;
  let xs: unknown[];
  if (Array.isArray(v)) xs = v;
  else if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    xs = [o['x'], o['y'], o['w'] ?? o['width'], o['h'] ?? o['height']];
  } else xs = [];
  if (xs.length !== 4 || !xs.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= 100_000)) {
    refuse('bbox', 'must be [x, y, w, h] or {x, y, w, h} with non-negative numbers', '必须是 [x, y, w, h] 或 {x, y, w, h}，且均为非负数');
  }
  const [x, y, w, h] = xs as number[];
  return { x: x!, y: y!, w: w!, h: h! };
}

function parseVendorEventId(body: Record<string, unknown>): string | null {
  const v = read(body, 'eventId');
  if (v === undefined) return null;
  const s = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v;
  if (typeof s !== 'string' || s.length === 0 || s.length > 128 || CONTROL.test(s)) refuse('eventId', 'must be a string of 1–128 printable characters', '必须是 1–128 个可打印字符');
  return s;
}

/**
 * Reads one camera event from untrusted JSON (a webhook body or an MQTT payload). Unknown
 * members are ignored. On refusal, `field`, an English `reason` and a Chinese `reasonZh` say
 * what to fix.
 */
export function parseCameraEvent(body: unknown, opts: ParseCameraEventOptions): ParseCameraEventResult {
  try {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) refuse('body', 'must be a JSON object', '必须是 JSON 对象');
    const b = body as Record<string, unknown>;
    const cameraId = parseCameraId(b, opts.cameraId);
    const type = parseEventType(b);
    const plate = parsePlate(b);
    const confidence = parseConfidence(b);
    const at = parseAt(b, opts);
    const snapshot = parseSnapshot(b, opts);
    const bbox = parseBBox(b);
    const vendorEventId = parseVendorEventId(b);
    return {
      ok: true,
      event: {
        cameraId,
        eventType: type.type,
        eventTypeKnown: type.known,
        eventTypeRaw: type.raw,
        ...plate,
        confidence,
        at,
        receivedAt: opts.now.toISOString(),
        snapshot,
        bbox,
        vendorEventId,
      },
    };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, field: e.field, reason: e.en, reasonZh: e.zh };
    throw e;
  }
}

/**
 * A stable id for an event: the same message delivered twice (MQTT QoS 1, a webhook retried)
 * gets the same id, so it is stored once. Built from the vendor's event id when there is one,
 * else from the camera, type, time, plate and snapshot.
 */
export function cameraEventId(event: CameraEvent): string {
  const basis = event.vendorEventId !== null
    ? ['v', event.cameraId, event.vendorEventId]
    : ['c', event.cameraId, event.eventType, event.at, event.plate ?? event.plateText ?? '', event.snapshot?.sha256 ?? ''];
  return createHash('sha256').update(basis.join('\n')).digest('hex').slice(0, 32);
}
