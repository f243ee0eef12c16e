/**
 * Partition of a point set (a district's grid seeds) among groups (its streets), each known by
 * one or more anchors (the street's seat, the points of its communities): every point goes to
 * the group of the nearest anchor, as in a Voronoi diagram of the anchors, so that regions grow
 * around real places. Used by the demo city to carve streets out of a district from the real
 * points of each street.
 *
 * - An anchor with a known position (a real point) takes the seed nearest to it and moves that
 *   seed onto it: the cell grown from that seed then contains the point, whatever else happens.
 *   Two anchors never share a seed (the second takes its nearest free one).
 * - An anchor without a position (one per group that has no known anchor) is placed plausibly
 *   in the gaps the others leave: first at the point farthest from every placed anchor, then
 *   moved a few times to the centre of the points it draws (Lloyd's iteration, only for the
 *   unknown anchors; the real ones never move), and finally pinned to the nearest free point.
 * - Every group gets at least `minimum[g]` points: a group short of them takes the points
 *   nearest to its anchors from groups that have more than their minimum (never an anchor's own
 *   point), so a seat close to another still gets a region of its own.
 * Pure and deterministic (ties go to the lower index).
 */

export interface AnchoredPartition {
  /** The group of each point. */
  readonly owner: Int32Array;
  /** The point each anchor is pinned to (moved onto the anchor when its position is known). */
  readonly seat: Int32Array;
  /** Each group's points, in increasing index order. */
  readonly groups: Int32Array[];
}

const LLOYD_ROUNDS = 8;

function nearestFree(xs: Float64Array, ys: Float64Array, x: number, y: number, taken: Uint8Array): number {
  let best = -1;
  let bestD = Infinity;
  for (let i = 0; i < xs.length; i++) {
    if (taken[i]) continue;
    const dx = xs[i]! - x, dy = ys[i]! - y;
    const d = dx * dx + dy * dy;
    if (d < bestD) { bestD = d; best = i; }
  }
  return best;
}

function assignNearest(xs: Float64Array, ys: Float64Array, ax: Float64Array, ay: Float64Array, owner: Int32Array): void {
  for (let i = 0; i < xs.length; i++) {
    let best = 0;
    let bestD = Infinity;
    for (let s = 0; s < ax.length; s++) {
      const dx = xs[i]! - ax[s]!, dy = ys[i]! - ay[s]!;
      const d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = s; }
    }
    owner[i] = best;
  }
}

/**
 * Partitions the points (xs, ys: a plane where distances are true, e.g. longitude scaled by
 * cos(latitude)) among groups. `positions[a]` is anchor a's position in the same plane, or null
 * when unknown; `groupOf[a]` its group (by default anchor a is group a). Moves the points that
 * become known anchors' seats (xs and ys are updated in place). Requires xs.length >= the sum of
 * the minimums, one minimum per group, and every group to have an anchor.
 */
export function partitionByAnchors(
  xs: Float64Array,
  ys: Float64Array,
  positions: readonly (readonly [number, number] | null)[],
  minimum: readonly number[],
  groupOf: ArrayLike<number> = Int32Array.from(positions.keys()),
): AnchoredPartition {
  const n = xs.length;
  const k = positions.length;
  const groupCount = minimum.length;
  const need = minimum.reduce((a, b) => a + b, 0);
  if (n < need || n < k) throw new RangeError(`cannot give ${k} anchors ${need} of ${n} points`);
  const anchorsOf: number[][] = Array.from({ length: groupCount }, () => []);
  for (let a = 0; a < k; a++) anchorsOf[groupOf[a]!]!.push(a);
  if (anchorsOf.some((list) => list.length === 0)) throw new RangeError('a group has no anchor');
  const taken = new Uint8Array(n);
  const seat = new Int32Array(k).fill(-1);
  const ax = new Float64Array(k);
  const ay = new Float64Array(k);
  const known: number[] = [];
  const unknown: number[] = [];
  positions.forEach((p, s) => (p ? known : unknown).push(s));

  // Known anchors: the nearest free point moves onto the anchor.
  for (const s of known) {
    const [x, y] = positions[s]!;
    const i = nearestFree(xs, ys, x, y, taken);
    taken[i] = 1;
    seat[s] = i;
    xs[i] = x;
    ys[i] = y;
    ax[s] = x;
    ay[s] = y;
  }

  // Unknown anchors: farthest point first, then Lloyd's iteration over the unknown ones only.
  if (unknown.length > 0) {
    const gap = new Float64Array(n).fill(Infinity);
    const widen = (x: number, y: number) => {
      for (let i = 0; i < n; i++) {
        const dx = xs[i]! - x, dy = ys[i]! - y;
        gap[i] = Math.min(gap[i]!, dx * dx + dy * dy);
      }
    };
    if (known.length === 0) {
      // Nothing placed yet: start next to the middle of the points.
      let mx = 0, my = 0;
      for (let i = 0; i < n; i++) { mx += xs[i]!; my += ys[i]!; }
      const first = nearestFree(xs, ys, mx / n, my / n, taken);
      const s = unknown[0]!;
      ax[s] = xs[first]!;
      ay[s] = ys[first]!;
      widen(ax[s]!, ay[s]!);
    } else {
      for (const s of known) widen(ax[s]!, ay[s]!);
    }
    for (const s of unknown.slice(known.length === 0 ? 1 : 0)) {
      let far = 0;
      for (let i = 1; i < n; i++) if (gap[i]! > gap[far]!) far = i;
      ax[s] = xs[far]!;
      ay[s] = ys[far]!;
      widen(ax[s]!, ay[s]!);
    }
    const owner = new Int32Array(n);
    const sx = new Float64Array(k), sy = new Float64Array(k), count = new Int32Array(k);
    for (let round = 0; round < LLOYD_ROUNDS; round++) {
      assignNearest(xs, ys, ax, ay, owner);
      sx.fill(0); sy.fill(0); count.fill(0);
      for (let i = 0; i < n; i++) {
        const s = owner[i]!;
        sx[s] = sx[s]! + xs[i]!; sy[s] = sy[s]! + ys[i]!; count[s] = count[s]! + 1;
      }
      for (const s of unknown) {
        if (count[s]! > 0) { ax[s] = sx[s]! / count[s]!; ay[s] = sy[s]! / count[s]!; }
      }
    }
    // Pin each unknown anchor to the free point nearest its final position (the centre of a
    // region that is not convex can fall outside it; the nearest point is inside).
    for (const s of unknown) {
      const i = nearestFree(xs, ys, ax[s]!, ay[s]!, taken);
      taken[i] = 1;
      seat[s] = i;
      ax[s] = xs[i]!;
      ay[s] = ys[i]!;
    }
  }

  const owner = new Int32Array(n);
  assignNearest(xs, ys, ax, ay, owner);
  for (let i = 0; i < n; i++) owner[i] = groupOf[owner[i]!]!;
  for (let a = 0; a < k; a++) owner[seat[a]!] = groupOf[a]!;
  const counts = new Int32Array(groupCount);
  for (let i = 0; i < n; i++) counts[owner[i]!]!++;

  // Groups short of their minimum take the nearest points that others can spare.
  for (let s = 0; s < groupCount; s++) {
    if (counts[s]! >= minimum[s]!) continue;
    const order = Array.from({ length: n }, (_, i) => i);
    const d2 = new Float64Array(n).fill(Infinity);
    for (const a of anchorsOf[s]!) {
      for (let i = 0; i < n; i++) {
        const dx = xs[i]! - ax[a]!, dy = ys[i]! - ay[a]!;
        d2[i] = Math.min(d2[i]!, dx * dx + dy * dy);
      }
    }
    order.sort((a, b) => d2[a]! - d2[b]! || a - b);
    for (const i of order) {
      if (counts[s]! >= minimum[s]!) break;
      const from = owner[i]!;
      if (from === s || taken[i] || counts[from]! <= minimum[from]!) continue;
      owner[i] = s;
      counts[from]!--;
      counts[s]!++;
    }
    if (counts[s]! < minimum[s]!) throw new Error(`group ${s}: only ${counts[s]} of ${minimum[s]} points`);
  }

  const groups = Array.from({ length: groupCount }, (_, s) => new Int32Array(counts[s]!));
  const fill = new Int32Array(groupCount);
  for (let i = 0; i < n; i++) {
    const s = owner[i]!;
    groups[s]![fill[s]!++] = i;
  }
  return { owner, seat, groups };
}
