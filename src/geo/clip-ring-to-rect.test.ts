import { describe, expect, it } from 'vitest';
import { clipRingToRect } from './clip-ring-to-rect.ts';
import { geometryAreaDeg2, type Ring } from './geometry.ts';

describe('clipRingToRect', () => {
  it('cuts a ring to the rectangle', () => {
    const ring: Ring = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]];
    const out = clipRingToRect(ring, 1, 1, 2, 3)!;
    expect(out[0]).toEqual(out[out.length - 1]);
    expect(geometryAreaDeg2({ type: 'Polygon', coordinates: [out] })).toBeCloseTo(2, 12);
  });

  it('keeps the area of a non-convex ring inside the rectangle', () => {
    // A U shape whose two arms cross the rectangle: the result bridges them along its side.
    const u: Ring = [[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]];
    const out = clipRingToRect(u, -1, 2, 4, 4)!;
    expect(geometryAreaDeg2({ type: 'Polygon', coordinates: [out] })).toBeCloseTo(2, 12);
  });

  it('returns null when nothing is inside', () => {
    expect(clipRingToRect([[0, 0], [1, 0], [1, 1], [0, 0]], 5, 5, 6, 6)).toBeNull();
  });
});
