/**
 * Many area geometries flattened into typed arrays (one Float64Array of x,y pairs with ring and
 * item offsets), so that point-in-polygon over tens of thousands of polygons touches no objects
 * and stays in cache. The containment rule is bit-for-bit the one of `pointInGeometry`.
 */
import { METERS_PER_DEGREE, listPolygons, type AreaGeometry } from './geometry.ts';

export interface PolygonStore {
  /** x0, y0, x1, y1, … for every ring vertex of every item, rings kept closed as given. */
  readonly coords: Float64Array;
  /** Ring r spans vertices [ringStart[r], ringStart[r + 1]). */
  readonly ringStart: Int32Array;
  /** Item i owns rings [itemRingStart[i], itemRingStart[i + 1]). */
  readonly itemRingStart: Int32Array;
  /** minX, minY, maxX, maxY per item; an item without geometry has an empty (inverted) box. */
  readonly bbox: Float64Array;
  readonly size: number;
}

export function buildPolygonStore(geometries: readonly (AreaGeometry | null)[]): PolygonStore {
  let vertexCount = 0;
  let ringCount = 0;
  for (const g of geometries) {
    if (!g) continue;
    for (const polygon of listPolygons(g)) {
      for (const ring of polygon) {
        ringCount++;
        vertexCount += ring.length;
      }
    }
  }
  const coords = new Float64Array(vertexCount * 2);
  const ringStart = new Int32Array(ringCount + 1);
  const itemRingStart = new Int32Array(geometries.length + 1);
  const bbox = new Float64Array(geometries.length * 4);
  let v = 0;
  let r = 0;
  geometries.forEach((g, i) => {
    itemRingStart[i] = r;
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    if (g) {
      for (const polygon of listPolygons(g)) {
        for (const ring of polygon) {
          ringStart[r++] = v;
          for (const p of ring) {
            const x = p[0], y = p[1];
            coords[v * 2] = x;
            coords[v * 2 + 1] = y;
            v++;
            if (x < minX) minX = x;
            if (x > maxX) maxX = x;
            if (y < minY) minY = y;
            if (y > maxY) maxY = y;
          }
        }
      }
    }
    bbox[i * 4] = minX;
    bbox[i * 4 + 1] = minY;
    bbox[i * 4 + 2] = maxX;
    bbox[i * 4 + 3] = maxY;
  });
  ringStart[r] = v;
  itemRingStart[geometries.length] = r;
  return { coords, ringStart, itemRingStart, bbox, size: geometries.length };
}

/**
 * Even-odd containment of (x, y) in item i, with the half-open edge rule of `crossesEastRay`
 * (edges evaluated lower end first, so shared edges of neighbours give identical arithmetic).
 * The bounding-box reject is exact under that rule: a point on or beyond the east or north side
 * of the box, or west of it, always has an even number of crossings.
 */
export function storeContains(store: PolygonStore, i: number, x: number, y: number): boolean {
  const b = i * 4;
  const bb = store.bbox;
  if (x < bb[b]! || y < bb[b + 1]! || x > bb[b + 2]! || y > bb[b + 3]!) return false;
  const c = store.coords;
  const rs = store.ringStart;
  let inside = false;
  const r1 = store.itemRingStart[i + 1]!;
  for (let r = store.itemRingStart[i]!; r < r1; r++) {
    const s = rs[r]! * 2;
    const e = rs[r + 1]! * 2;
    if (e === s) continue;
    let ax = c[e - 2]!;
    let ay = c[e - 1]!;
    for (let k = s; k < e; k += 2) {
      const bx = c[k]!;
      const by = c[k + 1]!;
      if (ay <= by) {
        if (y >= ay && y < by && (bx - ax) * (y - ay) - (by - ay) * (x - ax) > 0) inside = !inside;
      } else if (y >= by && y < ay && (ax - bx) * (y - by) - (ay - by) * (x - bx) > 0) {
        inside = !inside;
      }
      ax = bx;
      ay = by;
    }
  }
  return inside;
}

/** Planar distance (cos-latitude scaled) from a point to item i's boundary, 0 when inside. */
export function storeDistanceMeters(store: PolygonStore, i: number, x: number, y: number): number {
  if (storeContains(store, i, x, y)) return 0;
  const kx = Math.cos((y * Math.PI) / 180);
  const px = x * kx;
  const c = store.coords;
  const rs = store.ringStart;
  let best = Infinity;
  const r1 = store.itemRingStart[i + 1]!;
  for (let r = store.itemRingStart[i]!; r < r1; r++) {
    const s = rs[r]! * 2;
    const e = rs[r + 1]! * 2;
    for (let k = s + 2; k < e; k += 2) {
      const ax = c[k - 2]! * kx, ay = c[k - 1]!, bx = c[k]! * kx, by = c[k + 1]!;
      const dx = bx - ax, dy = by - ay;
      const len2 = dx * dx + dy * dy;
      let t = len2 > 0 ? ((px - ax) * dx + (y - ay) * dy) / len2 : 0;
      if (t < 0) t = 0;
      else if (t > 1) t = 1;
      const ex = ax + t * dx - px, ey = ay + t * dy - y;
      const d = ex * ex + ey * ey;
      if (d < best) best = d;
    }
  }
  return Math.sqrt(best) * METERS_PER_DEGREE;
}
