/**
 * Weighted recursive bisection of a point set (recursive coordinate bisection, M. Berger and
 * S. Bokhari, 1987, here with a jittered cut direction): splits points into groups whose sizes
 * follow given weights, each group a compact convex region of the plane. Used to carve a
 * district's grid seeds into streets and a street's seeds into communities: unlike "nearest
 * seed" clustering it guarantees every group its share of points, so no street or community
 * ends up empty.
 */
import type { Random } from './seeded-random.ts';

/**
 * Splits `indices` (into xs/ys) into weights.length groups, in order. Requires
 * indices.length >= weights.length; every group gets at least one point and about
 * n * weight / totalWeight of them. `maxTurn` (radians) jitters the cut direction away from the
 * wider axis so that regions do not all look like rectangles.
 */
export function bisectPoints(
  xs: Float64Array,
  ys: Float64Array,
  indices: Int32Array,
  weights: readonly number[],
  random: Random,
  maxTurn = 0.45,
): Int32Array[] {
  if (indices.length < weights.length) {
    throw new RangeError(`cannot split ${indices.length} points into ${weights.length} groups`);
  }
  const groups: Int32Array[] = [];
  const split = (ids: Int32Array, from: number, to: number): void => {
    const k = to - from;
    if (k === 1) {
      groups.push(ids);
      return;
    }
    const half = from + (k >> 1);
    let wLeft = 0, wAll = 0;
    for (let g = from; g < to; g++) {
      wAll += weights[g]!;
      if (g < half) wLeft += weights[g]!;
    }
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (const i of ids) {
      minX = Math.min(minX, xs[i]!); maxX = Math.max(maxX, xs[i]!);
      minY = Math.min(minY, ys[i]!); maxY = Math.max(maxY, ys[i]!);
    }
    const angle = (maxX - minX >= maxY - minY ? 0 : Math.PI / 2) + (random() * 2 - 1) * maxTurn;
    const dx = Math.cos(angle), dy = Math.sin(angle);
    const key = new Float64Array(ids.length);
    ids.forEach((i, n) => { key[n] = xs[i]! * dx + ys[i]! * dy; });
    const order = Array.from(ids.keys()).sort((p, q) => key[p]! - key[q]! || ids[p]! - ids[q]!);
    const leftGroups = half - from, rightGroups = to - half;
    let cut = Math.round((ids.length * wLeft) / wAll);
    cut = Math.min(ids.length - rightGroups, Math.max(leftGroups, cut));
    const left = new Int32Array(cut), right = new Int32Array(ids.length - cut);
    order.forEach((p, n) => {
      if (n < cut) left[n] = ids[p]!;
      else right[n - cut] = ids[p]!;
    });
    split(left, from, half);
    split(right, half, to);
  };
  split(indices, 0, weights.length);
  return groups;
}
