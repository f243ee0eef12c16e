import { describe, expect, it } from 'vitest';
import { haversineMeters } from '../geo/crs.ts';
import { METERS_PER_DEGREE, type AreaGeometry, type Position } from '../geo/geometry.ts';
import { createRandom } from '../geo/seeded-random.ts';
import type { AssetGeometry, AssetRecord, AssetType } from './asset.ts';
import { listLines } from './asset-geometry.ts';
import { AssetIndex } from './asset-index.ts';

const LAT = 29.5;
const KX = METERS_PER_DEGREE * Math.cos((LAT * Math.PI) / 180);
/** A position `east` and `north` metres from (106.5, LAT), in the index's own planar frame. */
const at = (east: number, north: number): Position => [106.5 + east / KX, LAT + north / METERS_PER_DEGREE];

const asset = (id: string, type: AssetType, geometry: AssetGeometry, properties: Record<string, unknown> = {}): AssetRecord => ({
  id,
  type,
  name: null,
  geometry,
  properties,
  unitId: null,
  jurisdictionCode: null,
  generated: false,
});
const line = (...positions: Position[]): AssetGeometry => ({ type: 'LineString', coordinates: positions });
const square = (e0: number, n0: number, e1: number, n1: number): AreaGeometry => ({
  type: 'Polygon',
  coordinates: [[at(e0, n0), at(e1, n0), at(e1, n1), at(e0, n1), at(e0, n0)]],
});

describe('AssetIndex.nearest', () => {
  // A main from 0 to 1000 m east, and a point asset of another type on top of it.
  const index = AssetIndex.build([
    asset('main-a', 'water_main', line(at(0, 0), at(1000, 0)), { diameter_mm: 300 }),
    asset('pt', 'camera', { type: 'Point', coordinates: at(500, 0) }),
  ]);

  it('measures to the projection on the segment, and to the end beyond it', () => {
    const mid = at(400, 20);
    const hit = index.nearest('water_main', mid[0], mid[1], 50)!;
    expect(hit.asset.id).toBe('main-a');
    expect(hit.distanceMeters).toBeCloseTo(20, 6);
    // Beyond the west end the nearest point is the end itself: 30 m west, 40 m north → 50 m (to
    // a millimetre: the index scales longitude at the query's latitude, 40 m north of `at`'s).
    const beyond = at(-30, 40);
    expect(index.nearest('water_main', beyond[0], beyond[1], 60)!.distanceMeters).toBeCloseTo(50, 3);
    // The planar approximation agrees with the great circle to well under a metre at this range.
    expect(Math.abs(index.nearest('water_main', beyond[0], beyond[1], 60)!.distanceMeters - haversineMeters(beyond, at(0, 0)))).toBeLessThan(0.1);
  });

  it('cuts off at the radius (inclusive) and keeps types apart', () => {
    const p = at(400, 20);
    expect(index.nearest('water_main', p[0], p[1], 19.99)).toBeNull();
    expect(index.nearest('water_main', p[0], p[1], 20.01)).not.toBeNull();
    expect(index.nearest('camera', p[0], p[1], 50)).toBeNull();
    expect(index.nearest('camera', p[0], p[1], 200)!.distanceMeters).toBeCloseTo(Math.hypot(100, 20), 3);
    expect(index.nearest('manhole', p[0], p[1], 1000)).toBeNull();
  });

  it('rejects a bad radius or position', () => {
    expect(() => index.nearest('water_main', 106.5, LAT, -1)).toThrow(RangeError);
    expect(() => index.nearest('water_main', 106.5, LAT, Number.NaN)).toThrow(RangeError);
    expect(() => index.nearest('water_main', 200, LAT, 10)).toThrow(RangeError);
  });

  it('applies a filter, nearest first', () => {
    const mains = AssetIndex.build([
      asset('small', 'water_main', line(at(0, 10), at(100, 10)), { diameter_mm: 200 }),
      asset('trunk', 'water_main', line(at(0, -30), at(100, -30)), { diameter_mm: 800 }),
    ]);
    const p = at(50, 0);
    expect(mains.nearest('water_main', p[0], p[1], 50)!.asset.id).toBe('small');
    const asked: string[] = [];
    const hit = mains.nearest('water_main', p[0], p[1], 50, (a) => {
      asked.push(a.id);
      return (a.properties['diameter_mm'] as number) >= 500;
    })!;
    expect(hit.asset.id).toBe('trunk');
    expect(hit.distanceMeters).toBeCloseTo(30, 6);
    expect(asked).toEqual(['small', 'trunk']);
    expect(mains.nearest('water_main', p[0], p[1], 20, (a) => a.id === 'trunk')).toBeNull();
  });

  it('gives 0 inside an area and the distance to its boundary outside', () => {
    const areas = AssetIndex.build([asset('u', 'underpass', square(0, 0, 20, 200), { limit_m: 0.5 })]);
    const inside = at(10, 100);
    expect(areas.nearest('underpass', inside[0], inside[1], 0)).toMatchObject({ asset: { id: 'u' }, distanceMeters: 0 });
    const outside = at(50, 100);
    expect(areas.nearest('underpass', outside[0], outside[1], 100)!.distanceMeters).toBeCloseTo(30, 3);
    expect(areas.nearest('underpass', outside[0], outside[1], 29)).toBeNull();
  });

  it('breaks ties by the order given to build', () => {
    const tied = AssetIndex.build([
      asset('b', 'manhole', { type: 'Point', coordinates: at(10, 0) }),
      asset('a', 'manhole', { type: 'Point', coordinates: at(-10, 0) }),
    ]);
    const o = at(0, 0);
    expect(tied.nearest('manhole', o[0], o[1], 20)!.asset.id).toBe('b');
  });
});

describe('AssetIndex.within and withinPolygon', () => {
  it('lists each asset once at its smallest distance, nearest first', () => {
    // A zigzag main passes the query point several times; it must be listed once.
    const index = AssetIndex.build([
      asset('zigzag', 'water_main', line(at(-100, 40), at(0, 5), at(100, 40), at(0, 80)), { diameter_mm: 150 }),
      asset('far', 'water_main', line(at(-100, -60), at(100, -60)), { diameter_mm: 150 }),
      asset('out', 'water_main', line(at(-100, -300), at(100, -300)), { diameter_mm: 150 }),
    ]);
    const o = at(0, 0);
    const hits = index.within('water_main', o[0], o[1], 100);
    expect(hits.map((h) => h.asset.id)).toEqual(['zigzag', 'far']);
    expect(hits[0]!.distanceMeters).toBeCloseTo(5, 6);
    expect(hits[1]!.distanceMeters).toBeCloseTo(60, 6);
    expect(index.within('water_main', o[0], o[1], 100, (a) => a.id !== 'zigzag').map((h) => h.asset.id)).toEqual(['far']);
  });

  it('finds points inside, lines crossing and areas overlapping a polygon', () => {
    const index = AssetIndex.build([
      asset('in', 'camera', { type: 'Point', coordinates: at(50, 50) }),
      asset('out', 'camera', { type: 'Point', coordinates: at(150, 50) }),
      // Both ends outside, the middle across the square.
      asset('across', 'water_main', line(at(-50, 50), at(150, 50)), { diameter_mm: 150 }),
      asset('beside', 'water_main', line(at(-50, 150), at(150, 150)), { diameter_mm: 150 }),
      asset('overlap', 'place', square(80, 80, 200, 200), { kind: 'forest' }),
      asset('around', 'place', square(-100, -100, 300, 300), { kind: 'forest' }),
      asset('apart', 'place', square(300, 300, 400, 400), { kind: 'forest' }),
    ]);
    const area = square(0, 0, 100, 100);
    expect(index.withinPolygon('camera', area).map((a) => a.id)).toEqual(['in']);
    expect(index.withinPolygon('water_main', area).map((a) => a.id)).toEqual(['across']);
    expect(index.withinPolygon('place', area).map((a) => a.id)).toEqual(['overlap', 'around']);
  });

  it('knows its assets by id, and refuses duplicate ids', () => {
    const a = asset('x', 'camera', { type: 'Point', coordinates: at(0, 0) });
    const index = AssetIndex.build([a]);
    expect(index.size).toBe(1);
    expect(index.get('x')).toBe(a);
    expect(index.get('y')).toBeUndefined();
    expect(() => AssetIndex.build([a, a])).toThrow(/duplicate asset id x/);
  });
});

/** Planar point–segment distance in metres, written independently of the index. */
function bruteDistance(p: Position, g: AssetGeometry): number {
  const k = METERS_PER_DEGREE * Math.cos((p[1] * Math.PI) / 180);
  const toLocal = (q: Position) => [(q[0] - p[0]) * k, (q[1] - p[1]) * METERS_PER_DEGREE] as const;
  if (g.type === 'Point') return Math.hypot(...toLocal(g.coordinates));
  let best = Infinity;
  for (const l of listLines(g)) {
    for (let i = 1; i < l.length; i++) {
      const [ax, ay] = toLocal(l[i - 1]!), [bx, by] = toLocal(l[i]!);
      const len2 = (bx - ax) ** 2 + (by - ay) ** 2;
      const t = Math.max(0, Math.min(1, -(ax * (bx - ax) + ay * (by - ay)) / len2));
      best = Math.min(best, Math.hypot(ax + t * (bx - ax), ay + t * (by - ay)));
    }
  }
  return best;
}

describe('AssetIndex against brute force', () => {
  it('agrees on nearest and within for random mains and manholes', () => {
    const random = createRandom(42);
    const records: AssetRecord[] = [];
    // 3 km × 3 km: 1,500 random-walk mains and 1,000 manholes.
    for (let m = 0; m < 1500; m++) {
      let e = random() * 3000, n = random() * 3000;
      const positions: Position[] = [at(e, n)];
      const steps = 1 + Math.floor(random() * 6);
      for (let s = 0; s < steps; s++) {
        e += (random() - 0.5) * 200;
        n += (random() - 0.5) * 200;
        positions.push(at(e, n));
      }
      const geometry: AssetGeometry = random() < 0.1
        ? { type: 'MultiLineString', coordinates: [positions, [at(e, n + 50), at(e + 60, n + 80)]] }
        : { type: 'LineString', coordinates: positions };
      records.push(asset(`m${m}`, 'water_main', geometry, { diameter_mm: random() < 0.2 ? 800 : 200 }));
    }
    for (let k = 0; k < 1000; k++) records.push(asset(`h${k}`, 'manhole', { type: 'Point', coordinates: at(random() * 3000, random() * 3000) }));
    const index = AssetIndex.build(records);
    for (let q = 0; q < 400; q++) {
      const p = at(random() * 3000, random() * 3000);
      for (const [type, radius] of [['water_main', 50], ['water_main', 15], ['manhole', 120]] as const) {
        const all = records
          .map((r, i) => ({ r, i, d: r.type === type ? bruteDistance(p, r.geometry) : Infinity }))
          .filter((x) => x.d <= radius)
          .sort((a, b) => a.d - b.d || a.i - b.i);
        const hit = index.nearest(type, p[0], p[1], radius);
        if (all.length === 0) expect(hit).toBeNull();
        else {
          expect(hit!.distanceMeters).toBeCloseTo(all[0]!.d, 6);
          expect(hit!.asset.id).toBe(all[0]!.r.id);
        }
        const within = index.within(type, p[0], p[1], radius);
        expect(within.map((h) => h.asset.id)).toEqual(all.map((x) => x.r.id));
        const trunk = index.nearest(type, p[0], p[1], radius, (a) => a.properties['diameter_mm'] === 800);
        expect(trunk?.asset.id).toBe(all.find((x) => x.r.properties['diameter_mm'] === 800)?.r.id);
      }
    }
  });
});
