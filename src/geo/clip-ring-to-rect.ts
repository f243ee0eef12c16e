/**
 * Sutherland–Hodgman clipping of one ring to an axis-aligned rectangle (I. Sutherland and
 * G. Hodgman, "Reentrant polygon clipping", CACM 1974).
 *
 * Used only to cut a large boundary (a district with ~1,000 vertices) down to the neighbourhood
 * of a small cell before an exact boolean operation, which is then ~100× cheaper. For a
 * non-convex ring the output may contain zero-width "bridges" running along the rectangle's
 * sides; they have no area and lie on the rectangle's boundary, so callers must keep the shape
 * they intersect strictly inside the rectangle.
 */
import type { Position, Ring } from './geometry.ts';

type Side = 0 | 1 | 2 | 3; // x >= minX, x <= maxX, y >= minY, y <= maxY

function inside(p: Position, side: Side, v: number): boolean {
  switch (side) {
    case 0: return p[0] >= v;
    case 1: return p[0] <= v;
    case 2: return p[1] >= v;
    default: return p[1] <= v;
  }
}

function cut(a: Position, b: Position, side: Side, v: number): Position {
  if (side < 2) {
    const t = (v - a[0]) / (b[0] - a[0]);
    return [v, a[1] + t * (b[1] - a[1])];
  }
  const t = (v - a[1]) / (b[1] - a[1]);
  return [a[0] + t * (b[0] - a[0]), v];
}

/** The part of a closed ring inside [minX, maxX] × [minY, maxY], closed, or null if empty. */
export function clipRingToRect(ring: readonly Position[], minX: number, minY: number, maxX: number, maxY: number): Ring | null {
  // Work on the open vertex list; re-close at the end.
  let pts: Position[] = ring.slice(0, ring.length - 1) as Position[];
  const bounds: [Side, number][] = [[0, minX], [1, maxX], [2, minY], [3, maxY]];
  for (const [side, v] of bounds) {
    if (pts.length === 0) return null;
    const out: Position[] = [];
    let prev = pts[pts.length - 1]!;
    let prevIn = inside(prev, side, v);
    for (const cur of pts) {
      const curIn = inside(cur, side, v);
      if (curIn) {
        if (!prevIn) out.push(cut(prev, cur, side, v));
        out.push(cur);
      } else if (prevIn) {
        out.push(cut(prev, cur, side, v));
      }
      prev = cur;
      prevIn = curIn;
    }
    pts = out;
  }
  if (pts.length < 3) return null;
  const closed = pts.slice();
  closed.push([pts[0]![0], pts[0]![1]]);
  return closed;
}
