/**
 * Whether a segment or an area touches an area (GCJ-02 degrees; intersection is scale-free, so no
 * metric projection is needed). Inside-ness uses `pointInGeometry`, the platform's one even-odd
 * rule; crossings use exact orientation signs, so touching counts.
 */
import { listPolygons, pointInGeometry, type AreaGeometry } from '../geo/geometry.ts';

/** Sign of the cross product (b − a) × (c − a): which side of line a→b the point c lies on. */
function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const v = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

/** c lies within the bounding box of a–b (used once c is known to be collinear with a–b). */
function onSegment(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): boolean {
  return Math.min(ax, bx) <= cx && cx <= Math.max(ax, bx) && Math.min(ay, by) <= cy && cy <= Math.max(ay, by);
}

/** Closed segments a–b and c–d share at least one point (the textbook orientation test). */
export function segmentsIntersect(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): boolean {
  const o1 = orient(ax, ay, bx, by, cx, cy);
  const o2 = orient(ax, ay, bx, by, dx, dy);
  const o3 = orient(cx, cy, dx, dy, ax, ay);
  const o4 = orient(cx, cy, dx, dy, bx, by);
  if (o1 !== o2 && o3 !== o4) return true;
  return (
    (o1 === 0 && onSegment(ax, ay, bx, by, cx, cy)) ||
    (o2 === 0 && onSegment(ax, ay, bx, by, dx, dy)) ||
    (o3 === 0 && onSegment(cx, cy, dx, dy, ax, ay)) ||
    (o4 === 0 && onSegment(cx, cy, dx, dy, bx, by))
  );
}

/** The segment crosses any edge of the area. */
function crossesBoundary(ax: number, ay: number, bx: number, by: number, g: AreaGeometry): boolean {
  for (const polygon of listPolygons(g)) {
    for (const ring of polygon) {
      for (let i = 1; i < ring.length; i++) {
        const p = ring[i - 1]!, q = ring[i]!;
        if (segmentsIntersect(ax, ay, bx, by, p[0], p[1], q[0], q[1])) return true;
      }
    }
  }
  return false;
}

/** Some point of segment a–b (a point when a = b) lies in or on the area. */
export function segmentIntersectsArea(ax: number, ay: number, bx: number, by: number, g: AreaGeometry): boolean {
  return pointInGeometry(g, ax, ay) || pointInGeometry(g, bx, by) || crossesBoundary(ax, ay, bx, by, g);
}

/** The two areas share at least one point: a vertex of one inside the other, or edges crossing. */
export function areasIntersect(a: AreaGeometry, b: AreaGeometry): boolean {
  for (const polygon of listPolygons(a)) {
    for (const ring of polygon) {
      for (let i = 1; i < ring.length; i++) {
        const p = ring[i - 1]!, q = ring[i]!;
        if (segmentIntersectsArea(p[0], p[1], q[0], q[1], b)) return true;
      }
    }
  }
  // Only b's vertices can still lie inside a (a wholly inside b was caught above).
  for (const polygon of listPolygons(b)) {
    const p = polygon[0]?.[0];
    if (p && pointInGeometry(a, p[0], p[1])) return true;
  }
  return false;
}
