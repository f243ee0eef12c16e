/**
 * Reading a run's inputs from outside (a request body, a trigger table, the command line): each
 * value checked where it is read, and a refusal names it by its path (`inputs.rainfall[0]
 * .hyetograph[2].value`) so the caller can find the field. Pure.
 */
import { CityLoopError } from '../errors.ts';
import type { AreaGeometry, Ring } from '../geo/geometry.ts';

export function refuse(field: string, detail: string, detailZh: string = detail): never {
  throw new CityLoopError('ANALYSIS_INPUT_INVALID', { field, detail, detailZh }, { field });
}

export function objectAt(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) refuse(field, 'must be an object', '应为对象');
  return v as Record<string, unknown>;
}

export function arrayAt(v: unknown, field: string, opts: { min?: number; max?: number } = {}): unknown[] {
  if (!Array.isArray(v)) refuse(field, 'must be an array', '应为数组');
  if (opts.min !== undefined && v.length < opts.min) refuse(field, `needs at least ${opts.min} item(s)`, `至少需要 ${opts.min} 项`);
  if (opts.max !== undefined && v.length > opts.max) refuse(field, `takes at most ${opts.max} item(s)`, `最多 ${opts.max} 项`);
  return v;
}

export function numberAt(v: unknown, field: string, opts: { min?: number; max?: number; above?: number; integer?: boolean } = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) refuse(field, 'must be a finite number', '应为有限数值');
  if (opts.integer && !Number.isInteger(v)) refuse(field, `must be a whole number, got ${v}`, `应为整数，实际为 ${v}`);
  if (opts.min !== undefined && v < opts.min) refuse(field, `must be at least ${opts.min}, got ${v}`, `不能小于 ${opts.min}，实际为 ${v}`);
  if (opts.above !== undefined && v <= opts.above) refuse(field, `must be above ${opts.above}, got ${v}`, `应大于 ${opts.above}，实际为 ${v}`);
  if (opts.max !== undefined && v > opts.max) refuse(field, `must be at most ${opts.max}, got ${v}`, `不能大于 ${opts.max}，实际为 ${v}`);
  return v;
}

export function optionalNumberAt(v: unknown, field: string, fallback: number, opts: Parameters<typeof numberAt>[2] = {}): number {
  return v === undefined || v === null ? fallback : numberAt(v, field, opts);
}

export function choiceAt<T extends string>(v: unknown, field: string, choices: readonly T[], fallback?: T): T {
  if ((v === undefined || v === null) && fallback !== undefined) return fallback;
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) refuse(field, `must be one of ${choices.join(', ')}`, `应为 ${choices.join('、')} 之一`);
  return v as T;
}

/** Only the named keys: a misspelt input is refused rather than silently ignored. */
export function onlyKeys(o: Record<string, unknown>, field: string, keys: readonly string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) refuse(field ? `${field}.${k}` : k, `is not an input here (known: ${keys.join(', ')})`, `不是此处的输入项（可用：${keys.join('、')}）`);
}

/** The map's datum of every coordinate of the inputs: the cockpit draws GCJ-02, GPS gives WGS-84. */
export const DATUMS = ['gcj02', 'wgs84'] as const;
export type Datum = (typeof DATUMS)[number];

export interface LngLat {
  readonly lng: number;
  readonly lat: number;
}

export function lngLatAt(v: unknown, field: string): LngLat {
  const o = objectAt(v, field);
  onlyKeys(o, field, ['lng', 'lat']);
  return { lng: numberAt(o.lng, `${field}.lng`, { min: -180, max: 180 }), lat: numberAt(o.lat, `${field}.lat`, { min: -90, max: 90 }) };
}

/** [lng, lat] pairs, as GeoJSON writes them. */
export function positionAt(v: unknown, field: string): [number, number] {
  const a = arrayAt(v, field, { min: 2, max: 3 });
  return [numberAt(a[0], `${field}[0]`, { min: -180, max: 180 }), numberAt(a[1], `${field}[1]`, { min: -90, max: 90 })];
}

function ringAt(v: unknown, field: string): Ring {
  const ring = arrayAt(v, field, { min: 4, max: 10_000 }).map((p, i) => positionAt(p, `${field}[${i}]`));
  const [a, b] = [ring[0]!, ring[ring.length - 1]!];
  if (a[0] !== b[0] || a[1] !== b[1]) refuse(field, 'a ring must end where it starts', '多边形的环应首尾闭合');
  return ring;
}

/** A GeoJSON Polygon or MultiPolygon (a Feature's geometry), in the inputs' datum. */
export function areaAt(v: unknown, field: string): AreaGeometry {
  const o = objectAt(v, field);
  if (o.type === 'Feature') return areaAt(o.geometry, `${field}.geometry`);
  onlyKeys(o, field, ['type', 'coordinates']);
  if (o.type === 'Polygon') return { type: 'Polygon', coordinates: arrayAt(o.coordinates, `${field}.coordinates`, { min: 1, max: 100 }).map((r, i) => ringAt(r, `${field}.coordinates[${i}]`)) };
  if (o.type === 'MultiPolygon') {
    return {
      type: 'MultiPolygon',
      coordinates: arrayAt(o.coordinates, `${field}.coordinates`, { min: 1, max: 100 }).map((p, i) => arrayAt(p, `${field}.coordinates[${i}]`, { min: 1, max: 100 }).map((r, j) => ringAt(r, `${field}.coordinates[${i}][${j}]`))),
    };
  }
  return refuse(`${field}.type`, 'must be Polygon or MultiPolygon', '应为 Polygon 或 MultiPolygon');
}

/** A time series: seconds from the start, increasing; values at least `min`. */
export function seriesAt(v: unknown, field: string, opts: { min: number; max: number }): Array<{ t: number; value: number }> {
  const points = arrayAt(v, field, { min: 1, max: 10_000 });
  let last = -Infinity;
  return points.map((p, i) => {
    const o = objectAt(p, `${field}[${i}]`);
    onlyKeys(o, `${field}[${i}]`, ['t', 'value']);
    const t = numberAt(o.t, `${field}[${i}].t`, { min: 0 });
    if (t <= last) refuse(`${field}[${i}].t`, `times must increase (${t} after ${last})`, `时间应递增（${t} 在 ${last} 之后）`);
    last = t;
    return { t, value: numberAt(o.value, `${field}[${i}].value`, opts) };
  });
}
