/**
 * What a device is, checked (pure). Drafts come from the API, a CSV file or a GeoJSON file; all
 * three end here, so a device is valid the same way whichever door it came through.
 */
import { assertLngLat, toGcj02, type Crs } from '../../geo/crs.ts';
import { DEVICE_ID_PATTERN } from '../../actions/mqtt/device-protocol.ts';
import { DEVICE_TYPE_PATTERN } from './device-types.ts';
import { DEFAULT_JSON_LIMITS, forbiddenCharacter, parseGuardedJson } from '../../guarded-json.ts';
import { CsvSyntaxError, readCsvRecords } from '../../csv-records.ts';

export const DEVICE_STATUSES = ['active', 'disabled'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

export interface DeviceRecord {
  readonly id: string;
  readonly type: string;
  readonly model: string | null;
  readonly name: string;
  /** GCJ-02. */
  readonly lon: number;
  readonly lat: number;
  readonly jurisdictionCode: string | null;
  readonly districtCode: string | null;
  readonly assetId: string | null;
  readonly unitId: string | null;
  /** Rule parameters this device overrides, by name (`{"raise": 0.6}`). */
  readonly thresholds: Readonly<Record<string, number>>;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly hasCredentials: boolean;
  readonly status: DeviceStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly lastSeenAt: string | null;
}

/** A device as someone describes it, before it is placed and stored. */
export interface DeviceDraft {
  readonly id: string;
  readonly type: string;
  readonly model: string | null;
  readonly name: string;
  /** GCJ-02, or null when the device takes the place of its asset. */
  readonly lon: number | null;
  readonly lat: number | null;
  readonly assetId: string | null;
  readonly unitId: string | null;
  readonly thresholds: Record<string, number>;
  readonly properties: Record<string, unknown>;
  readonly status: DeviceStatus;
}

export type DraftResult = { ok: true; draft: DeviceDraft } | { ok: false; errors: string[] };

const CRSES: readonly Crs[] = ['gcj02', 'wgs84'];

/** Checks one device description (an API body, a CSV row made into an object, a feature's properties). */
export function checkDeviceDraft(input: Record<string, unknown>): DraftResult {
  const errors: string[] = [];
  const str = (k: string, max: number, required: boolean): string | null => {
    const v = input[k];
    if (v === undefined || v === null || v === '') {
      if (required) errors.push(`${k} is required`);
      return null;
    }
    if (typeof v !== 'string') {
      errors.push(`${k} must be a string`);
      return null;
    }
    const t = v.trim();
    if (t.length > max) errors.push(`${k} is longer than ${max} characters`);
    return t;
  };
  const id = str('id', 64, true);
  if (id !== null && !DEVICE_ID_PATTERN.test(id)) errors.push(`id ${JSON.stringify(id)} must be 1 to 64 letters, digits, '.', '_' or '-'`);
  const type = str('type', 40, true);
  if (type !== null && !DEVICE_TYPE_PATTERN.test(type)) errors.push(`type ${JSON.stringify(type)} must be lower-case letters, digits and '_'`);
  const name = str('name', 200, false) ?? id ?? '';
  const model = str('model', 100, false);
  const assetId = str('assetId', 200, false) ?? str('asset_id', 200, false);
  const unitId = str('unitId', 200, false) ?? str('unit_id', 200, false);
  const statusRaw = str('status', 20, false) ?? 'active';
  if (!(DEVICE_STATUSES as readonly string[]).includes(statusRaw)) errors.push(`status must be one of ${DEVICE_STATUSES.join(', ')}`);

  let lon: number | null = null;
  let lat: number | null = null;
  const rawLon = input.lon ?? input.lng;
  const rawLat = input.lat;
  if (rawLon !== undefined && rawLon !== null && rawLon !== '' || rawLat !== undefined && rawLat !== null && rawLat !== '') {
    const x = typeof rawLon === 'string' ? Number(rawLon) : rawLon;
    const y = typeof rawLat === 'string' ? Number(rawLat) : rawLat;
    const crs = (input.crs ?? 'gcj02') as Crs;
    if (!CRSES.includes(crs)) errors.push(`crs must be gcj02 or wgs84`);
    try {
      assertLngLat(x, y);
      [lon, lat] = toGcj02(x as number, y as number, CRSES.includes(crs) ? crs : 'gcj02');
    } catch (e) {
      errors.push((e as Error).message);
    }
  } else if (!assetId) {
    errors.push('a device needs a place: lon and lat, or the assetId of what it watches');
  }

  const thresholds = numberMap(input.thresholds, 'thresholds', errors);
  let properties: Record<string, unknown> = {};
  if (input.properties !== undefined && input.properties !== null && input.properties !== '') {
    const p = typeof input.properties === 'string' ? tryJson(input.properties) : input.properties;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) errors.push('properties must be a JSON object');
    else if (JSON.stringify(p).length > 8192) errors.push('properties are larger than 8 KiB');
    else properties = p as Record<string, unknown>;
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    draft: { id: id!, type: type!, model, name: name || id!, lon, lat, assetId, unitId, thresholds, properties, status: statusRaw as DeviceStatus },
  };
}

/** `{"raise": 0.6}`, or in a CSV cell `raise=0.6;clear=0.5`. */
function numberMap(v: unknown, field: string, errors: string[]): Record<string, number> {
  if (v === undefined || v === null || v === '') return {};
  let obj: unknown = v;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t.startsWith('{')) obj = tryJson(t);
    else {
      obj = Object.fromEntries(
        t.split(/[;,]/).filter(Boolean).map((pair) => {
          const [k, val] = pair.split('=');
          return [k?.trim() ?? '', Number(val)];
        }),
      );
    }
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    errors.push(`${field} must be an object of numbers`);
    return {};
  }
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(obj)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,39}$/.test(k)) errors.push(`${field}: ${JSON.stringify(k)} is not a parameter name`);
    else if (typeof n !== 'number' || !Number.isFinite(n)) errors.push(`${field}.${k} must be a finite number`);
    else out[k] = n;
  }
  return out;
}

/** JSON in a cell or a field, read as every JSON from outside is (depth, size, the text rule). */
function tryJson(s: string): unknown {
  const r = parseGuardedJson(s, DEFAULT_JSON_LIMITS);
  return r.ok ? r.value : undefined;
}

export interface DeviceFileResult {
  readonly drafts: DeviceDraft[];
  /** Problems by row (CSV: the line's data row number from 1) or feature index (GeoJSON: from 0). */
  readonly errors: { index: number; errors: string[] }[];
}

/** A device file: CSV with a header row, or a GeoJSON FeatureCollection of points. */
export function parseDeviceFile(text: string, format: 'csv' | 'geojson'): DeviceFileResult {
  const drafts: DeviceDraft[] = [];
  const errors: { index: number; errors: string[] }[] = [];
  const seen = new Set<string>();
  const take = (index: number, r: DraftResult) => {
    if (!r.ok) errors.push({ index, errors: r.errors });
    else if (seen.has(r.draft.id)) errors.push({ index, errors: [`device id ${r.draft.id} appears twice in the file`] });
    else {
      seen.add(r.draft.id);
      drafts.push(r.draft);
    }
  };
  if (format === 'csv') {
    // The text rule of every body (guarded-json.ts): a control character refuses the file.
    const bad = forbiddenCharacter(text);
    if (bad) return { drafts, errors: [{ index: -1, errors: [`TEXT_FORBIDDEN_CHARACTER: ${bad.what} U+${bad.codeUnit.toString(16).toUpperCase().padStart(4, '0')} at character ${bad.index}`] }] };
    let rows: string[][];
    try {
      // A row of empty cells (`,,,` as spreadsheets save trailing rows) is no device.
      rows = readCsvRecords(text).map((r) => r.fields).filter((cells) => cells.some((c) => c !== ''));
    } catch (e) {
      if (e instanceof CsvSyntaxError) return { drafts, errors: [{ index: -1, errors: [e.message] }] };
      throw e;
    }
    const header = (rows.shift() ?? []).map((h) => h.trim());
    if (!header.includes('id') || !header.includes('type')) return { drafts, errors: [{ index: 0, errors: ['the header row must name at least the columns id and type'] }] };
    rows.forEach((cells, n) => take(n + 1, checkDeviceDraft(Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])))));
    return { drafts, errors };
  }
  const read = parseGuardedJson(text, { maxDepth: DEFAULT_JSON_LIMITS.maxDepth, maxBytes: Number.MAX_SAFE_INTEGER });
  if (!read.ok) return { drafts, errors: [{ index: -1, errors: [{ not_json: '', too_large: '', too_deep: 'JSON_TOO_DEEP: ', bad_text: 'TEXT_FORBIDDEN_CHARACTER: ' }[read.refusal.kind] + read.refusal.detail] }] };
  const doc: unknown = read.value;
  const fc = doc as { type?: unknown; features?: unknown };
  if (fc?.type !== 'FeatureCollection' || !Array.isArray(fc.features)) return { drafts, errors: [{ index: -1, errors: ['a GeoJSON FeatureCollection is expected'] }] };
  fc.features.forEach((f: unknown, index: number) => {
    const feat = f as { type?: unknown; geometry?: { type?: unknown; coordinates?: unknown } | null; properties?: Record<string, unknown> | null };
    const props = { ...(feat?.properties ?? {}) };
    if (feat?.geometry) {
      if (feat.geometry.type !== 'Point' || !Array.isArray(feat.geometry.coordinates)) {
        errors.push({ index, errors: ['a device is a Point feature'] });
        return;
      }
      const [x, y] = feat.geometry.coordinates as unknown[];
      props.lon = x;
      props.lat = y;
    }
    take(index, checkDeviceDraft(props));
  });
  return { drafts, errors };
}
