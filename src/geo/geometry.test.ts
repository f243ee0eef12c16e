import { describe, expect, it } from 'vitest';
import {
  distanceToGeometryMeters,
  geometryBBox,
  interiorPoint,
  parseBBoxText,
  pointInGeometry,
  validateAreaGeometry,
  type AreaGeometry,
  type Ring,
} from './geometry.ts';

const square = (x0: number, y0: number, x1: number, y1: number): Ring => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];

const withHole: AreaGeometry = { type: 'Polygon', coordinates: [square(0, 0, 10, 10), square(4, 4, 6, 6)] };
const twoParts: AreaGeometry = { type: 'MultiPolygon', coordinates: [[square(0, 0, 1, 1)], [square(5, 5, 6, 6)]] };

describe('pointInGeometry', () => {
  it('excludes holes and includes every part of a MultiPolygon', () => {
    expect(pointInGeometry(withHole, 2, 2)).toBe(true);
    expect(pointInGeometry(withHole, 5, 5)).toBe(false);
    expect(pointInGeometry(withHole, 11, 5)).toBe(false);
    expect(pointInGeometry(twoParts, 0.5, 0.5)).toBe(true);
    expect(pointInGeometry(twoParts, 5.5, 5.5)).toBe(true);
    expect(pointInGeometry(twoParts, 3, 3)).toBe(false);
  });

  it('puts boundary points in exactly one of two neighbours (west/south sides closed, east/north open)', () => {
    const left: AreaGeometry = { type: 'Polygon', coordinates: [square(0, 0, 1, 1)] };
    const right: AreaGeometry = { type: 'Polygon', coordinates: [square(1, 0, 2, 1)] };
    const above: AreaGeometry = { type: 'Polygon', coordinates: [square(0, 1, 1, 2)] };
    // On the shared vertical edge: belongs to the polygon east of it.
    expect([pointInGeometry(left, 1, 0.5), pointInGeometry(right, 1, 0.5)]).toEqual([false, true]);
    // On the shared horizontal edge: belongs to the polygon north of it.
    expect([pointInGeometry(left, 0.5, 1), pointInGeometry(above, 0.5, 1)]).toEqual([false, true]);
    // Corners: only the south-west one is inside.
    expect(pointInGeometry(left, 0, 0)).toBe(true);
    expect(pointInGeometry(left, 1, 0)).toBe(false);
    expect(pointInGeometry(left, 0, 1)).toBe(false);
    expect(pointInGeometry(left, 1, 1)).toBe(false);
  });

  it('assigns every point of a shared slanted edge and shared vertex to exactly one polygon', () => {
    // Four triangles around (0.3, 0.7), the inner vertex shared by all of them.
    const c: [number, number] = [0.3, 0.7];
    const corners: [number, number][] = [[0, 0], [1, 0], [1, 1], [0, 1]];
    const tris: AreaGeometry[] = corners.map((p, i) => {
      const q = corners[(i + 1) % 4]!;
      return { type: 'Polygon', coordinates: [[p, q, c, p]] };
    });
    const probes: [number, number][] = [c, [0.15, 0.35], [0.65, 0.35], [0.65, 0.85], [0.15, 0.85]];
    for (const [x, y] of probes) {
      expect(tris.filter((t) => pointInGeometry(t, x, y)).length, `${x},${y}`).toBe(1);
    }
  });

  it('ignores ring orientation', () => {
    const cw: AreaGeometry = { type: 'Polygon', coordinates: [[...square(0, 0, 1, 1)].reverse()] };
    expect(pointInGeometry(cw, 0.5, 0.5)).toBe(true);
  });
});

describe('validateAreaGeometry', () => {
  it('accepts a polygon with a hole and a MultiPolygon', () => {
    expect(validateAreaGeometry(withHole)).toBeNull();
    expect(validateAreaGeometry(twoParts)).toBeNull();
  });

  it.each([
    [null, /not an object/],
    [[1, 2], /not an object/],
    [{ type: 'Point', coordinates: [1, 2] }, /must be Polygon or MultiPolygon/],
    [{ type: 'Polygon' }, /coordinates are not an array/],
    [{ type: 'Polygon', coordinates: [] }, /has no rings/],
    [{ type: 'MultiPolygon', coordinates: [] }, /no polygons/],
    [{ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [0, 0]]] }, /fewer than 4 positions/],
    [{ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] }, /not closed/],
    [{ type: 'Polygon', coordinates: [[[0, 0], [1, 0], ['x', 1], [0, 0]]] }, /not a finite \[lng, lat\] pair/],
    [{ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [Number.NaN, 1], [0, 0]]] }, /not a finite/],
    [{ type: 'Polygon', coordinates: [[[0, 0], [181, 0], [1, 1], [0, 0]]] }, /out of range/],
    [{ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [2, 0], [0, 0]]] }, /zero area/],
    // A bow tie: the two long edges cross.
    [{ type: 'Polygon', coordinates: [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]] }, /self-intersecting/],
    // A spike that doubles back along its own edge.
    [{ type: 'Polygon', coordinates: [[[0, 0], [2, 0], [1, 0], [1, 1], [0, 0]]] }, /self-intersecting/],
    // A ring that touches itself at a vertex (figure eight).
    [{ type: 'Polygon', coordinates: [[[0, 0], [1, 1], [2, 0], [2, 2], [1, 1], [0, 2], [0, 0]]] }, /self-intersecting/],
    [{ type: 'MultiPolygon', coordinates: [[square(0, 0, 1, 1)], [[[0, 0], [1, 0], [1, 1]]]] }, /polygon 1 ring 0 has fewer than 4/],
  ])('rejects %j', (g, reason) => {
    expect(validateAreaGeometry(g)).toMatch(reason);
  });

  it('tolerates repeated consecutive positions', () => {
    expect(validateAreaGeometry({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] })).toBeNull();
  });

  it('finds a crossing in a ring of thousands of vertices', () => {
    // A 20,000-vertex star-shaped ring, then the same with two vertices swapped (crossing edges).
    const n = 20_000;
    const ring: Ring = [];
    for (let i = 0; i < n; i++) {
      const a = (2 * Math.PI * i) / n;
      const r = 1 + 0.05 * Math.sin(37 * a);
      ring.push([106 + r * Math.cos(a), 29 + r * Math.sin(a)]);
    }
    ring.push(ring[0]!);
    expect(validateAreaGeometry({ type: 'Polygon', coordinates: [ring] })).toBeNull();
    const broken = ring.map((p) => [...p] as [number, number]);
    [broken[5000], broken[5001]] = [broken[5001]!, broken[5000]!];
    expect(validateAreaGeometry({ type: 'Polygon', coordinates: [broken] })).toMatch(/self-intersecting/);
  });
});

describe('geometryBBox, distanceToGeometryMeters, interiorPoint', () => {
  it('computes the box over all parts', () => {
    expect(geometryBBox(twoParts)).toEqual([0, 0, 6, 6]);
  });

  it('measures distance to the boundary in metres, 0 inside', () => {
    const g: AreaGeometry = { type: 'Polygon', coordinates: [square(106, 29, 106.01, 29.01)] };
    expect(distanceToGeometryMeters(g, 106.005, 29.005)).toBe(0);
    // 0.001° of latitude south of the box ≈ 111 m.
    expect(distanceToGeometryMeters(g, 106.005, 28.999)).toBeCloseTo(111.2, 0);
    // 0.001° of longitude east at 29°N ≈ 111.2 × cos 29° ≈ 97.3 m.
    expect(distanceToGeometryMeters(g, 106.011, 29.005)).toBeCloseTo(97.3, 0);
  });

  it('returns a point inside, away from holes and in the largest part', () => {
    for (const g of [withHole, twoParts]) expect(pointInGeometry(g, ...interiorPoint(g))).toBe(true);
    const [x, y] = interiorPoint({ type: 'MultiPolygon', coordinates: [[square(0, 0, 0.1, 0.1)], [square(5, 5, 9, 9)]] });
    expect(x).toBeGreaterThan(5);
    expect(y).toBeGreaterThan(5);
    // A C-shaped polygon whose bounding-box centre is outside it.
    const c: AreaGeometry = { type: 'Polygon', coordinates: [[[0, 0], [3, 0], [3, 1], [1, 1], [1, 2], [3, 2], [3, 3], [0, 3], [0, 0]]] };
    expect(pointInGeometry(c, 1.5, 1.5)).toBe(false);
    expect(pointInGeometry(c, ...interiorPoint(c))).toBe(true);
  });
});

describe('a box as text (bbox parameters)', () => {
  it('reads minLon,minLat,maxLon,maxLat and says what is wrong otherwise', () => {
    expect(parseBBoxText('106.5,29.5,106.6, 29.6')).toEqual([106.5, 29.5, 106.6, 29.6]);
    expect(parseBBoxText('106.5,29.5,106.6')).toMatch(/minLon,minLat,maxLon,maxLat/);
    expect(parseBBoxText('106.5,,106.6,29.6')).toMatch(/minLon/);
    expect(parseBBoxText('a,29.5,106.6,29.6')).toMatch(/four numbers/);
    expect(parseBBoxText('106.5,29.5,Infinity,29.6')).toMatch(/four numbers/);
    expect(parseBBoxText('106.5,29.5,190,29.6')).toMatch(/±180/);
    expect(parseBBoxText('106.6,29.5,106.5,29.6')).toMatch(/minimum/);
  });
});
