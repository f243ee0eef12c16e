import { describe, expect, it } from 'vitest';
import { partitionByAnchors } from './anchored-partition.ts';
import { createRandom } from './seeded-random.ts';

const cloud = (n: number, seed: number) => {
  const random = createRandom(seed);
  return { xs: Float64Array.from({ length: n }, () => random()), ys: Float64Array.from({ length: n }, () => random()) };
};

describe('partitionByAnchors', () => {
  it('gives each point to its nearest known anchor and moves one point onto each anchor', () => {
    const { xs, ys } = cloud(2000, 1);
    const anchors = [[0.2, 0.2], [0.8, 0.2], [0.5, 0.8]] as const;
    const { owner, seat, groups } = partitionByAnchors(xs, ys, anchors, [10, 10, 10]);
    anchors.forEach(([x, y], s) => {
      expect([xs[seat[s]!], ys[seat[s]!]]).toEqual([x, y]);
      expect(owner[seat[s]!]).toBe(s);
    });
    for (let i = 0; i < xs.length; i++) {
      const d = anchors.map(([x, y]) => (xs[i]! - x) ** 2 + (ys[i]! - y) ** 2);
      expect(owner[i]).toBe(d.indexOf(Math.min(...d)));
    }
    const all = groups.flatMap((g) => Array.from(g)).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: xs.length }, (_, i) => i));
  });

  it('places unknown anchors in the gaps, away from the known ones', () => {
    const { xs, ys } = cloud(3000, 2);
    // Known anchors crowd the left half; two unknown ones must settle on the empty right half.
    const { seat, groups } = partitionByAnchors(xs, ys, [[0.1, 0.2], [0.1, 0.8], null, [0.3, 0.5], null], [5, 5, 5, 5, 5]);
    for (const s of [2, 4]) {
      expect(xs[seat[s]!]).toBeGreaterThan(0.5);
      expect(groups[s]!.length).toBeGreaterThan(400);
    }
    // The two unknown anchors do not sit on each other.
    expect(Math.abs(ys[seat[2]!]! - ys[seat[4]!]!)).toBeGreaterThan(0.2);
  });

  it('places anchors when none is known (a district without any real point)', () => {
    const { xs, ys } = cloud(1000, 3);
    const { groups, seat } = partitionByAnchors(xs, ys, [null, null, null, null], [20, 20, 20, 20]);
    for (const g of groups) expect(g.length).toBeGreaterThan(150);
    expect(new Set(Array.from(seat)).size).toBe(4);
  });

  it('gives two anchors on one point distinct seats, and a crowded anchor its minimum', () => {
    const { xs, ys } = cloud(500, 4);
    const { seat, groups } = partitionByAnchors(xs, ys, [[0.5, 0.5], [0.5, 0.5], [0.5001, 0.5], [0.1, 0.1]], [30, 30, 30, 30]);
    expect(new Set(Array.from(seat)).size).toBe(4);
    for (const g of groups) expect(g.length).toBeGreaterThanOrEqual(30);
  });

  it('lets a group have several anchors: a point goes to the group of its nearest anchor', () => {
    const { xs, ys } = cloud(2000, 6);
    // Group 0 is known by two points far apart (a seat and a community), group 1 by one between them.
    const anchors = [[0.1, 0.1], [0.9, 0.9], [0.5, 0.5]] as const;
    const { owner, seat, groups } = partitionByAnchors(xs, ys, anchors, [10, 10], [0, 0, 1]);
    expect(groups).toHaveLength(2);
    expect([owner[seat[0]!], owner[seat[1]!], owner[seat[2]!]]).toEqual([0, 0, 1]);
    for (let i = 0; i < xs.length; i++) {
      const d = anchors.map(([x, y]) => (xs[i]! - x) ** 2 + (ys[i]! - y) ** 2);
      expect(owner[i]).toBe(d.indexOf(Math.min(...d)) === 2 ? 1 : 0);
    }
    expect(() => partitionByAnchors(xs, ys, anchors, [10, 10, 10], [0, 0, 1])).toThrow(/no anchor/);
  });

  it('is deterministic and refuses more demand than points', () => {
    const a = cloud(400, 5);
    const b = cloud(400, 5);
    expect(partitionByAnchors(a.xs, a.ys, [[0.3, 0.3], null, null], [3, 3, 3]).owner).toEqual(partitionByAnchors(b.xs, b.ys, [[0.3, 0.3], null, null], [3, 3, 3]).owner);
    expect(() => partitionByAnchors(a.xs, a.ys, [null, null], [300, 300])).toThrow(RangeError);
  });
});
