/**
 * Area geometries (GeoJSON Polygon / MultiPolygon in lng/lat degrees) and the plain-object
 * operations on them. Hot paths over many polygons use the flattened form in `polygon-store.ts`,
 * which applies exactly the same point-in-polygon rule.
 */
import { findRingSelfIntersection } from './find-ring-self-intersection.ts';

export type Position = [number, number];
export type Ring = Position[];
export type AreaGeometry =
  | { type: 'Polygon'; coordinates: Ring[] }
  | { type: 'MultiPolygon'; coordinates: Ring[][] };
/** [minX, minY, maxX, maxY] */
export type BBox = [number, number, number, number];

/** Metres per degree of latitude on the mean-radius sphere (2πR / 360). */
export const METERS_PER_DEGREE = (6371008.8 * Math.PI) / 180;

/** The polygons of a geometry, each a list of rings (outer first). */
export function listPolygons(g: AreaGeometry): Ring[][] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

export function geometryBBox(g: AreaGeometry): BBox {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const polygon of listPolygons(g)) {
    for (const ring of polygon) {
      for (const p of ring) {
        const x = p[0], y = p[1];
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  return [minX, minY, maxX, maxY];
}

/** The box around boxes; null for none. */
export function unionBBox(boxes: readonly BBox[]): BBox | null {
  if (boxes.length === 0) return null;
  return [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
}

/**
 * A box given as text, `minLon,minLat,maxLon,maxLat` (as in a `bbox` query parameter); the reason
 * it is not one otherwise.
 */
export function parseBBoxText(text: string): BBox | string {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== 4 || parts.some((p) => p === '')) return 'must be minLon,minLat,maxLon,maxLat';
  const n = parts.map(Number) as BBox;
  if (!n.every(Number.isFinite)) return 'must be four numbers';
  const [minX, minY, maxX, maxY] = n;
  if (minX < -180 || maxX > 180 || minY < -90 || maxY > 90) return 'longitudes must be within ±180 and latitudes within ±90';
  if (minX > maxX || minY > maxY) return 'the minimum must not be above the maximum';
  return n;
}

/**
 * The crossing test of one edge for a ray going east from (x, y); the even-odd rule toggles on
 * every crossing (W. R. Franklin, PNPOLY).
 *
 * Boundary rule, chosen so that polygons that share edges partition the plane with no point
 * counted twice or lost: the edge is taken lower end first (so both neighbours evaluate the same
 * arithmetic on a shared edge), it covers y in [lowY, highY) (half-open), and a point exactly on
 * the edge (cross product 0) is not a crossing. Net effect: a point on a boundary belongs to the
 * polygon east of it, and on a horizontal edge to the polygon north of it — like the half-open
 * square [x0, x1) × [y0, y1).
 */
export function crossesEastRay(ax: number, ay: number, bx: number, by: number, x: number, y: number): boolean {
  if (ay > by) {
    const tx = ax; ax = bx; bx = tx;
    const ty = ay; ay = by; by = ty;
  }
  if (y < ay || y >= by) return false;
  return (bx - ax) * (y - ay) - (by - ay) * (x - ax) > 0;
}

/**
 * Even-odd point-in-polygon over every ring of the geometry, so holes and the parts of a
 * MultiPolygon need no special case. See `crossesEastRay` for the rule on edges and vertices.
 */
export function pointInGeometry(g: AreaGeometry, x: number, y: number): boolean {
  let inside = false;
  for (const polygon of listPolygons(g)) {
    for (const ring of polygon) {
      const n = ring.length;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const a = ring[j]!, b = ring[i]!;
        if (crossesEastRay(a[0], a[1], b[0], b[1], x, y)) inside = !inside;
      }
    }
  }
  return inside;
}

/** Twice the signed shoelace area of a ring, relative to its first vertex for precision. */
function ringArea2(ring: readonly Position[]): number {
  const n = ring.length;
  if (n < 3) return 0;
  const ox = ring[0]![0], oy = ring[0]![1];
  let s = 0;
  for (let i = 1; i + 1 < n; i++) {
    const a = ring[i]!, b = ring[i + 1]!;
    s += (a[0] - ox) * (b[1] - oy) - (b[0] - ox) * (a[1] - oy);
  }
  return s;
}

/** Area in square degrees (unsigned, holes subtracted); enough for relative weighting. */
export function geometryAreaDeg2(g: AreaGeometry): number {
  let total = 0;
  for (const polygon of listPolygons(g)) {
    polygon.forEach((ring, k) => {
      const a = Math.abs(ringArea2(ring)) / 2;
      total += k === 0 ? a : -a;
    });
  }
  return total;
}

/** Approximate area in km² using the cos(latitude) scale at each polygon's middle. */
export function geometryAreaKm2(g: AreaGeometry): number {
  let total = 0;
  for (const polygon of listPolygons(g)) {
    const [, minY, , maxY] = geometryBBox({ type: 'Polygon', coordinates: polygon });
    const k = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
    total += geometryAreaDeg2({ type: 'Polygon', coordinates: polygon }) * k * (METERS_PER_DEGREE / 1000) ** 2;
  }
  return total;
}

/** Squared planar distance from (px, py) to segment a–b. */
function segmentDistance2(ax: number, ay: number, bx: number, by: number, px: number, py: number): number {
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
  if (t < 0) t = 0;
  else if (t > 1) t = 1;
  const ex = ax + t * dx - px, ey = ay + t * dy - py;
  return ex * ex + ey * ey;
}

/**
 * Distance in metres from a point to the nearest boundary of the geometry, 0 inside. Planar,
 * with longitudes scaled by cos(latitude of the point): the error is well below a metre over
 * the few kilometres this is used for (snapping, nearest child).
 */
export function distanceToGeometryMeters(g: AreaGeometry, x: number, y: number): number {
  if (pointInGeometry(g, x, y)) return 0;
  return boundaryDistanceMeters(g, x, y);
}

/** Distance from a point to the nearest edge, ignoring inside/outside. */
export function boundaryDistanceMeters(g: AreaGeometry, x: number, y: number): number {
  const kx = Math.cos((y * Math.PI) / 180);
  const px = x * kx;
  let best = Infinity;
  for (const polygon of listPolygons(g)) {
    for (const ring of polygon) {
      for (let i = 1; i < ring.length; i++) {
        const a = ring[i - 1]!, b = ring[i]!;
        const d = segmentDistance2(a[0] * kx, a[1], b[0] * kx, b[1], px, y);
        if (d < best) best = d;
      }
    }
  }
  return Math.sqrt(best) * METERS_PER_DEGREE;
}

/** Sorted x positions where the horizontal line through y crosses the geometry's edges. */
function crossingsAt(g: AreaGeometry, y: number): number[] {
  const xs: number[] = [];
  for (const polygon of listPolygons(g)) {
    for (const ring of polygon) {
      for (let i = 1; i < ring.length; i++) {
        let a = ring[i - 1]!, b = ring[i]!;
        if (a[1] > b[1]) { const t = a; a = b; b = t; }
        // Same half-open rule as crossesEastRay, so intervals agree with pointInGeometry.
        if (y < a[1] || y >= b[1]) continue;
        xs.push(a[0] + ((y - a[1]) / (b[1] - a[1])) * (b[0] - a[0]));
      }
    }
  }
  return xs.sort((p, q) => p - q);
}

/**
 * A point guaranteed to be inside the geometry (for labels and for finding the parent of an
 * imported area), chosen far from the boundary: several horizontal scanlines cross the largest
 * part, the midpoint of the widest inside span of each line is a candidate, and the candidate
 * with the largest clearance to the boundary wins. A cheap stand-in for the pole of
 * inaccessibility (V. Agafonkin, "polylabel", 2016). Throws on a geometry with no area.
 */
export function interiorPoint(g: AreaGeometry): Position {
  const polygons = listPolygons(g);
  let largest = polygons[0];
  let largestArea = -1;
  for (const polygon of polygons) {
    const a = Math.abs(geometryAreaDeg2({ type: 'Polygon', coordinates: polygon }));
    if (a > largestArea) { largestArea = a; largest = polygon; }
  }
  if (!largest) throw new RangeError('geometry has no polygons');
  const [, minY, , maxY] = geometryBBox({ type: 'Polygon', coordinates: largest });
  const lines = 9;
  let best: Position | null = null;
  let bestClearance = -1;
  for (let k = 0; k < lines; k++) {
    // Irrational-ish fractions keep the lines off the round-number vertex latitudes of
    // generated data.
    const y = minY + (maxY - minY) * ((k + 0.5 + 0.0137) / (lines + 0.0274));
    const xs = crossingsAt(g, y);
    let widest = -1, mid = NaN;
    for (let i = 0; i + 1 < xs.length; i += 2) {
      const w = xs[i + 1]! - xs[i]!;
      if (w > widest) { widest = w; mid = (xs[i]! + xs[i + 1]!) / 2; }
    }
    if (!(widest > 0) || !pointInGeometry(g, mid, y)) continue;
    const clearance = boundaryDistanceMeters(g, mid, y);
    if (clearance > bestClearance) { bestClearance = clearance; best = [mid, y]; }
  }
  if (!best) throw new RangeError('geometry has no interior');
  return best;
}

function describePosition(p: unknown): string {
  return JSON.stringify(p)?.slice(0, 60) ?? String(p);
}

/** True when all positions lie on one line (or fewer than 3 are distinct): no area at all. */
function isCollinear(ring: readonly Position[]): boolean {
  const o = ring[0]!;
  let d: Position | null = null;
  for (const p of ring) {
    if (p[0] === o[0] && p[1] === o[1]) continue;
    if (!d) {
      d = p;
      continue;
    }
    if ((d[0] - o[0]) * (p[1] - o[1]) - (d[1] - o[1]) * (p[0] - o[0]) !== 0) return false;
  }
  return true;
}

/** Checks one ring; returns a reason or null. */
function validateRing(ring: unknown, where: string): string | null {
  if (!Array.isArray(ring)) return `${where} is not an array of positions`;
  for (let i = 0; i < ring.length; i++) {
    const p: unknown = ring[i];
    if (!Array.isArray(p) || p.length < 2 || p.length > 3 || !p.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      return `${where} position ${i} is not a finite [lng, lat] pair: ${describePosition(p)}`;
    }
    const [lng, lat] = p as number[];
    if (lng! < -180 || lng! > 180 || lat! < -90 || lat! > 90) {
      return `${where} position ${i} is out of range: ${describePosition(p)}`;
    }
  }
  if (ring.length < 4) return `${where} has fewer than 4 positions`;
  const first = ring[0] as number[], last = ring[ring.length - 1] as number[];
  if (first[0] !== last[0] || first[1] !== last[1]) return `${where} is not closed (first position differs from last)`;
  if (isCollinear(ring as Position[])) return `${where} has zero area`;
  const hit = findRingSelfIntersection(ring as Position[]);
  if (hit) return `${where} is self-intersecting near [${hit[0].toFixed(6)}, ${hit[1].toFixed(6)}]`;
  // A simple ring with distinct non-collinear vertices has an area; this catches underflow.
  if (ringArea2(ring as Position[]) === 0) return `${where} has zero area`;
  return null;
}

function validatePolygonRings(rings: unknown, where: string): string | null {
  if (!Array.isArray(rings) || rings.length === 0) return `${where} has no rings`;
  for (let r = 0; r < rings.length; r++) {
    const reason = validateRing(rings[r], rings.length === 1 && where === 'polygon' ? 'ring' : `${where} ring ${r}`);
    if (reason) return reason;
  }
  return null;
}

/**
 * Validates untrusted input as an area geometry. Returns a short English reason, or null when
 * the geometry is usable: a Polygon or MultiPolygon whose every ring has at least 4 finite,
 * in-range positions, is closed, has an area and does not cross, touch or overlap itself.
 * Rings are checked one by one (holes against shells are not cross-checked: the even-odd rule
 * keeps such data well-defined).
 */
export function validateAreaGeometry(g: unknown): string | null {
  if (typeof g !== 'object' || g === null || Array.isArray(g)) return 'geometry is not an object';
  const { type, coordinates } = g as { type?: unknown; coordinates?: unknown };
  if (type !== 'Polygon' && type !== 'MultiPolygon') {
    return `geometry type must be Polygon or MultiPolygon, got ${JSON.stringify(type) ?? 'nothing'}`;
  }
  if (!Array.isArray(coordinates)) return 'geometry coordinates are not an array';
  if (type === 'Polygon') return validatePolygonRings(coordinates, 'polygon');
  if (coordinates.length === 0) return 'multipolygon has no polygons';
  for (let k = 0; k < coordinates.length; k++) {
    const reason = validatePolygonRings(coordinates[k], `polygon ${k}`);
    if (reason) return reason;
  }
  return null;
}
