/**
 * Self-intersection test for one closed ring, as a sweep over edges sorted by their west end
 * (the classic "sort by min x, test only x-overlapping pairs" broad phase; Shamos & Hoey 1976 use
 * the same sweep idea with a balanced tree). Rings of boundary data have thousands of vertices,
 * and the naive all-pairs test is O(n²); here only edges whose x- and y-extents overlap are
 * tested exactly, which is near-linear for real boundaries.
 */

function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

/** c is collinear with a–b (checked by the caller) and inside its bounding box. */
function onSegment(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): boolean {
  return (
    Math.min(ax, bx) <= cx && cx <= Math.max(ax, bx) && Math.min(ay, by) <= cy && cy <= Math.max(ay, by)
  );
}

function segmentsTouch(
  ax: number, ay: number, bx: number, by: number,
  cx: number, cy: number, dx: number, dy: number,
): boolean {
  const d1 = orient(cx, cy, dx, dy, ax, ay);
  const d2 = orient(cx, cy, dx, dy, bx, by);
  const d3 = orient(ax, ay, bx, by, cx, cy);
  const d4 = orient(ax, ay, bx, by, dx, dy);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) {
    return true;
  }
  if (d1 === 0 && onSegment(cx, cy, dx, dy, ax, ay)) return true;
  if (d2 === 0 && onSegment(cx, cy, dx, dy, bx, by)) return true;
  if (d3 === 0 && onSegment(ax, ay, bx, by, cx, cy)) return true;
  if (d4 === 0 && onSegment(ax, ay, bx, by, dx, dy)) return true;
  return false;
}

/**
 * Returns a position near the first self-intersection found, or null when the ring is simple.
 * Edges that share a ring vertex may touch there; they count only when they fold back onto each
 * other (a spike). Consecutive repeated positions are ignored (they add zero-length edges, not
 * crossings). The ring is expected closed (first position equal to last).
 */
export function findRingSelfIntersection(ring: readonly (readonly number[])[]): [number, number] | null {
  const total = ring.length;
  const vx = new Float64Array(total);
  const vy = new Float64Array(total);
  let m = 0;
  for (let i = 0; i < total; i++) {
    const p = ring[i]!;
    const x = p[0]!;
    const y = p[1]!;
    if (m > 0 && vx[m - 1] === x && vy[m - 1] === y) continue;
    vx[m] = x;
    vy[m] = y;
    m++;
  }
  // Drop the closing position(s) equal to the first one.
  while (m > 1 && vx[m - 1] === vx[0] && vy[m - 1] === vy[0]) m--;
  if (m < 3) return null;

  const minX = new Float64Array(m);
  const maxX = new Float64Array(m);
  const minY = new Float64Array(m);
  const maxY = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const j = i + 1 === m ? 0 : i + 1;
    minX[i] = Math.min(vx[i]!, vx[j]!);
    maxX[i] = Math.max(vx[i]!, vx[j]!);
    minY[i] = Math.min(vy[i]!, vy[j]!);
    maxY[i] = Math.max(vy[i]!, vy[j]!);
  }
  const order = new Uint32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  order.sort((a, b) => minX[a]! - minX[b]!);

  for (let a = 0; a < m; a++) {
    const i = order[a]!;
    const i1 = i + 1 === m ? 0 : i + 1;
    const ax = vx[i]!, ay = vy[i]!, bx = vx[i1]!, by = vy[i1]!;
    const iMaxX = maxX[i]!, iMinY = minY[i]!, iMaxY = maxY[i]!;
    for (let b = a + 1; b < m; b++) {
      const j = order[b]!;
      if (minX[j]! > iMaxX) break;
      if (minY[j]! > iMaxY || maxY[j]! < iMinY) continue;
      const j1 = j + 1 === m ? 0 : j + 1;
      const cx = vx[j]!, cy = vy[j]!, dx = vx[j1]!, dy = vy[j1]!;
      if (i1 === j || j1 === i) {
        // Adjacent edges: they share one vertex. Reject only a fold-back (collinear, pointing the
        // same way from the shared vertex), which makes the two edges overlap.
        const [px, py, qx, qy, rx, ry] = i1 === j ? [ax, ay, bx, by, dx, dy] : [cx, cy, dx, dy, bx, by];
        if (m > 3 && orient(px, py, qx, qy, rx, ry) === 0 && (px - qx) * (rx - qx) + (py - qy) * (ry - qy) > 0) {
          return [qx, qy];
        }
        if (m === 3 && orient(px, py, qx, qy, rx, ry) === 0) return [qx, qy];
        continue;
      }
      if (segmentsTouch(ax, ay, bx, by, cx, cy, dx, dy)) return [ax, ay];
    }
  }
  return null;
}
