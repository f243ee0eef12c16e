/**
 * Checks and small measures on asset geometries (points, lines, areas in GCJ-02 lng/lat). Areas
 * reuse the jurisdiction rules of `geo/geometry.ts`, so a place polygon is held to the same
 * standard as a district.
 */
import { geometryBBox, interiorPoint, METERS_PER_DEGREE, validateAreaGeometry, type AreaGeometry, type BBox, type Position } from '../geo/geometry.ts';
import type { AssetGeometry, AssetGeometryKind } from './asset.ts';

function describe(p: unknown): string {
  return JSON.stringify(p)?.slice(0, 60) ?? String(p);
}

function validatePosition(p: unknown, where: string): string | null {
  if (!Array.isArray(p) || p.length < 2 || p.length > 3 || !p.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    return `${where} is not a finite [lng, lat] pair: ${describe(p)}`;
  }
  const [lng, lat] = p as number[];
  if (lng! < -180 || lng! > 180 || lat! < -90 || lat! > 90) return `${where} is out of range: ${describe(p)}`;
  return null;
}

function validateLine(line: unknown, where: string): string | null {
  if (!Array.isArray(line)) return `${where} is not an array of positions`;
  for (let i = 0; i < line.length; i++) {
    const reason = validatePosition(line[i], `${where} position ${i}`);
    if (reason) return reason;
  }
  if (line.length < 2) return `${where} has fewer than 2 positions`;
  const first = line[0] as number[];
  // A line whose positions all coincide has no direction to measure a distance along.
  if ((line as number[][]).every((p) => p[0] === first[0] && p[1] === first[1])) return `${where} has zero length`;
  return null;
}

/**
 * Validates untrusted input as one of `allowed` geometry kinds. Returns a short English reason,
 * or null when usable: finite in-range positions, lines with at least 2 distinct positions,
 * areas valid by `validateAreaGeometry`.
 */
export function validateAssetGeometry(g: unknown, allowed: readonly AssetGeometryKind[]): string | null {
  if (typeof g !== 'object' || g === null || Array.isArray(g)) return 'geometry is not an object';
  const { type, coordinates } = g as { type?: unknown; coordinates?: unknown };
  if (typeof type !== 'string' || !(allowed as readonly string[]).includes(type)) {
    return `geometry type must be ${allowed.join(' or ')}, got ${JSON.stringify(type) ?? 'nothing'}`;
  }
  switch (type as AssetGeometryKind) {
    case 'Point':
      return validatePosition(coordinates, 'point');
    case 'LineString':
      return validateLine(coordinates, 'line');
    case 'MultiLineString': {
      if (!Array.isArray(coordinates) || coordinates.length === 0) return 'multilinestring has no lines';
      for (let k = 0; k < coordinates.length; k++) {
        const reason = validateLine(coordinates[k], `line ${k}`);
        if (reason) return reason;
      }
      return null;
    }
    case 'Polygon':
    case 'MultiPolygon':
      return validateAreaGeometry(g);
  }
}

/** Copies a valid geometry keeping only [lng, lat] (drops altitudes and foreign members). */
export function normalizeAssetGeometry(g: AssetGeometry): AssetGeometry {
  const pos = (p: Position): Position => [p[0], p[1]];
  const line = (l: Position[]) => l.map(pos);
  switch (g.type) {
    case 'Point':
      return { type: 'Point', coordinates: pos(g.coordinates) };
    case 'LineString':
      return { type: 'LineString', coordinates: line(g.coordinates) };
    case 'MultiLineString':
      return { type: 'MultiLineString', coordinates: g.coordinates.map(line) };
    case 'Polygon':
      return { type: 'Polygon', coordinates: g.coordinates.map(line) };
    case 'MultiPolygon':
      return { type: 'MultiPolygon', coordinates: g.coordinates.map((p) => p.map(line)) };
  }
}

/** The lines of a line geometry (empty for points and areas). */
export function listLines(g: AssetGeometry): Position[][] {
  return g.type === 'LineString' ? [g.coordinates] : g.type === 'MultiLineString' ? g.coordinates : [];
}

export function isAreaGeometry(g: AssetGeometry): g is AreaGeometry {
  return g.type === 'Polygon' || g.type === 'MultiPolygon';
}

export function assetBBox(g: AssetGeometry): BBox {
  if (g.type === 'Point') return [g.coordinates[0], g.coordinates[1], g.coordinates[0], g.coordinates[1]];
  if (isAreaGeometry(g)) return geometryBBox(g);
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const l of listLines(g)) {
    for (const p of l) {
      if (p[0] < minX) minX = p[0];
      if (p[0] > maxX) maxX = p[0];
      if (p[1] < minY) minY = p[1];
      if (p[1] > maxY) maxY = p[1];
    }
  }
  return [minX, minY, maxX, maxY];
}

/**
 * The point that places an asset in a jurisdiction: the point itself; for lines the point halfway
 * along their total length (a main's middle, not an end that may lie in the next district); for
 * areas a point guaranteed inside (`interiorPoint`).
 */
export function representativePoint(g: AssetGeometry): Position {
  if (g.type === 'Point') return [g.coordinates[0], g.coordinates[1]];
  if (isAreaGeometry(g)) return interiorPoint(g);
  const lines = listLines(g);
  // Lengths with longitude scaled by cos(latitude): only their ratios matter here.
  const k = Math.cos((lines[0]![0]![1] * Math.PI) / 180);
  const length = (a: Position, b: Position) => Math.hypot((b[0] - a[0]) * k, b[1] - a[1]);
  let total = 0;
  for (const l of lines) for (let i = 1; i < l.length; i++) total += length(l[i - 1]!, l[i]!);
  let left = total / 2;
  for (const l of lines) {
    for (let i = 1; i < l.length; i++) {
      const a = l[i - 1]!, b = l[i]!;
      const s = length(a, b);
      if (s > 0 && left <= s) {
        const t = left / s;
        return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
      }
      left -= s;
    }
  }
  const last = lines[lines.length - 1]!;
  return [...last[last.length - 1]!] as Position;
}

/** Length of a line geometry in metres (planar, cos(latitude) scaled; fine at city scale). */
export function lineLengthMeters(g: AssetGeometry): number {
  let total = 0;
  for (const l of listLines(g)) {
    for (let i = 1; i < l.length; i++) {
      const a = l[i - 1]!, b = l[i]!;
      const k = Math.cos((((a[1] + b[1]) / 2) * Math.PI) / 180);
      total += Math.hypot((b[0] - a[0]) * k, b[1] - a[1]) * METERS_PER_DEGREE;
    }
  }
  return total;
}
