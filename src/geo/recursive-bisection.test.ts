import { describe, expect, it } from 'vitest';
import { bisectPoints } from './recursive-bisection.ts';
import { createRandom } from './seeded-random.ts';

describe('bisectPoints', () => {
  it('uses every point once and sizes groups by weight', () => {
    const random = createRandom(1);
    const n = 1000;
    const xs = Float64Array.from({ length: n }, () => random());
    const ys = Float64Array.from({ length: n }, () => random());
    const weights = [10, 11, 12, 10, 11, 12, 10];
    const groups = bisectPoints(xs, ys, Int32Array.from({ length: n }, (_, i) => i), weights, random);
    expect(groups).toHaveLength(weights.length);
    const all = groups.flatMap((g) => Array.from(g)).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
    const total = weights.reduce((a, b) => a + b, 0);
    groups.forEach((g, k) => expect(Math.abs(g.length - (n * weights[k]!) / total)).toBeLessThan(3));
  });

  it('gives every group a point even when points are scarce', () => {
    const xs = Float64Array.of(0, 1, 2, 3, 4);
    const ys = new Float64Array(5);
    const groups = bisectPoints(xs, ys, Int32Array.of(0, 1, 2, 3, 4), [1, 100, 1, 1, 1], createRandom(2));
    expect(groups.map((g) => g.length)).toEqual([1, 1, 1, 1, 1]);
    expect(() => bisectPoints(xs, ys, Int32Array.of(0, 1), [1, 1, 1], createRandom(2))).toThrow(RangeError);
  });
});
