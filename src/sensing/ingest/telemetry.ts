/**
 * Reading telemetry messages (pure). A device sends JSON, over MQTT or HTTP:
 *
 *   {"ts": "2026-07-01T08:00:00Z", "values": {"water_level": 0.62}}
 *   [{"ts": 1782892800000, "values": {...}}, …]             a batch, oldest first
 *   {"readings": [ … ]}                                       the same batch, wrapped
 *
 * `ts` is an ISO-8601 time with a zone, or epoch milliseconds (or seconds); without it the reading
 * is stamped with the time it arrived. Values are finite numbers (true/false count as 1/0).
 * Nothing here throws on bad input: anything on the bus may be garbage, and garbage goes to the
 * dead letters with a reason, never into the rules.
 */
import type { Reading } from '../sensing-model.ts';
import { metricOf } from '../devices/device-types.ts';
import { DEFAULT_JSON_LIMITS, parseGuardedJson, type JsonLimits } from '../../guarded-json.ts';

/** The default of the setting TELEMETRY_MAX_BYTES. */
export const TELEMETRY_MAX_BYTES = 256 * 1024;
export const DEFAULT_TELEMETRY_LIMITS: JsonLimits = { maxDepth: DEFAULT_JSON_LIMITS.maxDepth, maxBytes: TELEMETRY_MAX_BYTES };
export const TELEMETRY_MAX_BATCH = 1000;
export const TELEMETRY_MAX_VALUES = 64;
/** A device clock may run a little fast; further ahead than this, its stamp is wrong. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;
/** A device that was offline may send what it stored; older than this is not worth evaluating. */
export const PAST_LIMIT_MS = 7 * 24 * 3600_000;
const METRIC_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

export interface RefusedReading {
  readonly index: number;
  readonly reason: string;
  readonly raw: unknown;
}

export type ParsedTelemetry =
  | { readonly ok: true; readonly readings: Reading[]; readonly refused: RefusedReading[] }
  | { readonly ok: false; readonly reason: string };

/**
 * A message's JSON under the limits of size and depth and the text rule (`guarded-json.ts`): a
 * payload nested 5,000 deep is a reason for the dead letters, not a stack overflow.
 */
export function decodeJson(payload: Uint8Array | string, limits: JsonLimits = DEFAULT_TELEMETRY_LIMITS): { ok: true; value: unknown } | { ok: false; reason: string } {
  const r = parseGuardedJson(payload, limits);
  if (r.ok) return r;
  const f = r.refusal;
  if (f.kind === 'too_large') return { ok: false, reason: `payload of ${f.detail}` };
  if (f.kind === 'too_deep') return { ok: false, reason: `JSON_TOO_DEEP: ${f.detail}` };
  if (f.kind === 'bad_text') return { ok: false, reason: `TEXT_FORBIDDEN_CHARACTER: ${f.detail}` };
  return { ok: false, reason: f.detail };
}

/** Reads one message of a device of `deviceType`, arriving at `now`. */
export function parseTelemetry(body: unknown, deviceId: string, deviceType: string, now: Date): ParsedTelemetry {
  let items: unknown[];
  if (Array.isArray(body)) items = body;
  else if (isObject(body) && Array.isArray(body.readings)) items = body.readings;
  else if (isObject(body)) items = [body];
  else return { ok: false, reason: 'telemetry must be a JSON object or an array of objects' };
  if (items.length === 0) return { ok: false, reason: 'the batch is empty' };
  if (items.length > TELEMETRY_MAX_BATCH) return { ok: false, reason: `a batch holds at most ${TELEMETRY_MAX_BATCH} readings (got ${items.length})` };
  const readings: Reading[] = [];
  const refused: RefusedReading[] = [];
  items.forEach((raw, index) => {
    const r = parseReading(raw, deviceId, deviceType, now);
    if (typeof r === 'string') refused.push({ index, reason: r, raw });
    else readings.push(r);
  });
  return { ok: true, readings, refused };
}

function parseReading(raw: unknown, deviceId: string, deviceType: string, now: Date): Reading | string {
  if (!isObject(raw)) return 'a reading must be an object';
  const ts = parseTimestamp(raw.ts, now);
  if (!ts.ok) return ts.reason;
  const values = raw.values;
  if (!isObject(values)) return 'values missing or not an object';
  const keys = Object.keys(values);
  if (keys.length === 0) return 'values is empty';
  if (keys.length > TELEMETRY_MAX_VALUES) return `at most ${TELEMETRY_MAX_VALUES} values in a reading (got ${keys.length})`;
  const out: Record<string, number> = {};
  for (const k of keys) {
    if (!METRIC_NAME.test(k)) return `value name ${JSON.stringify(k.slice(0, 50))} is not a metric name (letters, digits, _)`;
    const v = values[k];
    const n = typeof v === 'boolean' ? (v ? 1 : 0) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) return `${k}: ${JSON.stringify(v)?.slice(0, 40)} is not a finite number`;
    const metric = metricOf(deviceType, k);
    if (metric && (n < metric.min || n > metric.max)) return `${k}: ${n} is outside the instrument's range ${metric.min}…${metric.max} ${metric.unit}`;
    out[k] = n;
  }
  return { deviceId, ts: ts.iso, values: out };
}

/** An ISO time with a zone, or epoch ms/s, normalised to `toISOString()`. */
export function parseTimestamp(ts: unknown, now: Date): { ok: true; iso: string } | { ok: false; reason: string } {
  const no = (reason: string) => ({ ok: false as const, reason });
  let ms: number;
  if (ts === undefined || ts === null) return { ok: true, iso: now.toISOString() };
  if (typeof ts === 'number') {
    if (!Number.isFinite(ts) || ts <= 0) return no(`ts ${ts} is not a time`);
    ms = ts < 1e11 ? ts * 1000 : ts;
  } else if (typeof ts === 'string') {
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/.test(ts)) return no(`ts ${JSON.stringify(ts.slice(0, 40))} is not an ISO-8601 time with a zone`);
    ms = Date.parse(ts);
    if (Number.isNaN(ms)) return no(`ts ${JSON.stringify(ts.slice(0, 40))} is not a valid time`);
  } else {
    return no('ts must be an ISO-8601 string or epoch milliseconds');
  }
  // Beyond ±8.64e15 ms a Date is invalid (and toISOString throws): such a number is not a time.
  if (!Number.isFinite(new Date(ms).getTime())) return no(`ts ${String(ts).slice(0, 40)} is not a time`);
  if (ms > now.getTime() + FUTURE_TOLERANCE_MS) return no(`ts ${new Date(ms).toISOString()} is in the future (now ${now.toISOString()})`);
  if (ms < now.getTime() - PAST_LIMIT_MS) return no(`ts ${new Date(ms).toISOString()} is more than 7 days old`);
  return { ok: true, iso: new Date(ms).toISOString() };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
