/**
 * Reads one level of jurisdictions (e.g. a city's official street boundaries) from a GeoJSON
 * FeatureCollection and places each feature under its parent. Pure: the caller reads the file
 * and stores the records, and imports nothing when `errors` is non-empty — a half-imported
 * level would leave holes in case routing.
 */
import {
  interiorPoint,
  listPolygons,
  validateAreaGeometry,
  type AreaGeometry,
  type Position,
} from './geometry.ts';
import { levelAbove, type JurisdictionLevel, type JurisdictionRecord } from './jurisdiction.ts';
import type { JurisdictionResolver } from './resolver.ts';

export interface ImportOptions {
  level: JurisdictionLevel;
  /** The jurisdictions already known (at least the level above); null only for city/district. */
  parents: JurisdictionResolver | null;
  /** Property holding the code; default `code`, then `adcode`. */
  codeProperty?: string;
  /** Property holding the name; default `name`. */
  nameProperty?: string;
  onProgress?: (done: number, total: number) => void;
}

/** `index` is the feature's position in `features`, or -1 for a problem with the whole input. */
export interface ImportError {
  index: number;
  reason: string;
}

export interface ImportResult {
  records: JurisdictionRecord[];
  errors: ImportError[];
}

/** Real boundaries are not perfectly nested; more than this share of vertices outside is. */
export const MAX_OUTSIDE_VERTEX_SHARE = 0.05;
/** A vertex this close to the parent's boundary counts as on it (shared boundaries). */
const ON_BOUNDARY_METERS = 1;

function readKey(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return null;
}

/** Copies the geometry keeping only [lng, lat] (drops altitudes and foreign members). */
function normalizeGeometry(g: AreaGeometry): AreaGeometry {
  const ring = (r: Position[]) => r.map((p) => [p[0], p[1]] as Position);
  return g.type === 'Polygon'
    ? { type: 'Polygon', coordinates: g.coordinates.map(ring) }
    : { type: 'MultiPolygon', coordinates: g.coordinates.map((poly) => poly.map(ring)) };
}

/** Share of the geometry's distinct vertices lying outside the parent (beyond the tolerance). */
function outsideVertexShare(g: AreaGeometry, parentCode: string, parents: JurisdictionResolver): number {
  let total = 0;
  let outside = 0;
  for (const polygon of listPolygons(g)) {
    for (const ring of polygon) {
      // The closing position repeats the first one.
      for (let i = 0; i + 1 < ring.length; i++) {
        const [x, y] = ring[i]!;
        total++;
        if (!parents.containsPoint(parentCode, x, y) && parents.distanceMeters(parentCode, x, y) > ON_BOUNDARY_METERS) outside++;
      }
    }
  }
  return total === 0 ? 0 : outside / total;
}

type Placement = { parentCode: string | null } | { error: string };

function placeFeature(
  geometry: AreaGeometry | null,
  explicitParent: string | null,
  level: JurisdictionLevel,
  parents: JurisdictionResolver | null,
): Placement {
  const above = levelAbove(level);
  if (above === null) return { parentCode: null };
  if (!parents) {
    if (above === 'city') return { parentCode: explicitParent };
    return { error: `no ${above} jurisdictions are loaded to place it in` };
  }
  let parentCode: string;
  let inside: Position | undefined;
  if (explicitParent !== null) {
    const parent = parents.get(explicitParent);
    if (!parent || parent.level !== above) return { error: `parent ${explicitParent} is not a known ${above}` };
    parentCode = explicitParent;
  } else if (above === 'city') {
    const cities = parents.list('city');
    if (cities.length === 0) return { parentCode: null };
    if (cities.length > 1) return { error: 'several cities are loaded; give parentCode' };
    parentCode = cities[0]!.code;
  } else {
    if (!geometry) return { error: 'no geometry to place it with' };
    const [x, y] = inside ??= interiorPoint(geometry);
    const found = parents.findContaining(x, y, above);
    if (!found) return { error: `outside its parent: no ${above} contains it` };
    parentCode = found;
  }
  const parent = parents.get(parentCode)!;
  // A parent without a polygon (the city) cannot be checked; its children define its area.
  if (!geometry || !parent.geometry || parent.level === 'city') return { parentCode };
  const [x, y] = inside ?? interiorPoint(geometry);
  if (!parents.containsPoint(parentCode, x, y)) {
    return { error: `outside its parent ${parentCode}: its interior point is not inside it` };
  }
  const share = outsideVertexShare(geometry, parentCode, parents);
  if (share > MAX_OUTSIDE_VERTEX_SHARE) {
    return { error: `outside its parent ${parentCode}: ${(share * 100).toFixed(1)}% of its vertices lie outside` };
  }
  return { parentCode };
}

export function parseJurisdictionFeatureCollection(input: unknown, opts: ImportOptions): ImportResult {
  const records: JurisdictionRecord[] = [];
  const errors: ImportError[] = [];
  const fc = input as { type?: unknown; features?: unknown } | null;
  if (typeof fc !== 'object' || fc === null || fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
    return { records, errors: [{ index: -1, reason: 'input is not a GeoJSON FeatureCollection' }] };
  }
  const features: unknown[] = fc.features;
  if (features.length === 0) return { records, errors: [{ index: -1, reason: 'the FeatureCollection has no features' }] };

  const firstIndexOf = new Map<string, number>();
  const total = features.length;
  const importOne = (raw: unknown, index: number): void => {
    const fail = (reason: string): void => {
      errors.push({ index, reason });
    };
    const feature = raw as { type?: unknown; properties?: unknown; geometry?: unknown } | null;
    if (typeof feature !== 'object' || feature === null || feature.type !== 'Feature') return fail('not a GeoJSON Feature');
    const props =
      typeof feature.properties === 'object' && feature.properties !== null && !Array.isArray(feature.properties)
        ? (feature.properties as Record<string, unknown>)
        : {};
    const code = opts.codeProperty !== undefined ? readKey(props[opts.codeProperty]) : (readKey(props['code']) ?? readKey(props['adcode']));
    if (code === null) {
      return fail(opts.codeProperty !== undefined ? `missing code (property "${opts.codeProperty}")` : 'missing code (property "code" or "adcode")');
    }
    const nameKey = opts.nameProperty ?? 'name';
    const nameValue = props[nameKey];
    if (typeof nameValue !== 'string' || nameValue.trim() === '') return fail(`missing name (property "${nameKey}")`);

    let geometry: AreaGeometry | null = null;
    if (!(opts.level === 'city' && (feature.geometry === null || feature.geometry === undefined))) {
      const reason = validateAreaGeometry(feature.geometry);
      if (reason) return fail(`invalid geometry: ${reason}`);
      geometry = normalizeGeometry(feature.geometry as AreaGeometry);
    }

    const seen = firstIndexOf.get(code);
    if (seen !== undefined) return fail(`duplicate code ${code} (also feature ${seen})`);
    firstIndexOf.set(code, index);
    const existing = opts.parents?.get(code);
    if (existing && existing.level !== opts.level) return fail(`duplicate code ${code}: already a ${existing.level}`);

    const placed = placeFeature(geometry, readKey(props['parentCode']), opts.level, opts.parents);
    if ('error' in placed) return fail(placed.error);
    records.push({
      code,
      parentCode: placed.parentCode,
      level: opts.level,
      name: nameValue.trim(),
      geometry,
      generated: props['generated'] === true,
      properties: { ...props },
    });
  };
  features.forEach((raw, index) => {
    importOne(raw, index);
    if ((index + 1) % 500 === 0 && index + 1 < total) opts.onProgress?.(index + 1, total);
  });
  opts.onProgress?.(total, total);
  return { records, errors };
}
