import { describe, expect, it } from 'vitest';
import { assertLngLat, fromGcj02, gcj02ToWgs84, haversineMeters, toGcj02, wgs84ToGcj02 } from './crs.ts';

// A lattice over Chongqing's extent (105.3–110.2°E, 28.2–32.2°N).
function chongqingPoints(): [number, number][] {
  const out: [number, number][] = [];
  for (let x = 105.3; x <= 110.2; x += 0.1) for (let y = 28.2; y <= 32.2; y += 0.1) out.push([x, y]);
  return out;
}

describe('GCJ-02', () => {
  it('shifts Chongqing by the known 300–600 m', () => {
    for (const [x, y] of chongqingPoints()) {
      const d = haversineMeters([x, y], wgs84ToGcj02(x, y));
      expect(d).toBeGreaterThan(300);
      expect(d).toBeLessThan(650);
    }
  });

  it('inverts with a round-trip error under 1 cm', () => {
    let worst = 0;
    for (const [x, y] of chongqingPoints()) {
      const [gx, gy] = wgs84ToGcj02(x, y);
      worst = Math.max(worst, haversineMeters([x, y], gcj02ToWgs84(gx, gy)));
      // And the other way round, starting from GCJ-02.
      const [wx, wy] = gcj02ToWgs84(x, y);
      worst = Math.max(worst, haversineMeters([x, y], wgs84ToGcj02(wx, wy)));
    }
    expect(worst).toBeLessThan(0.01);
  });

  it('shifts central Chongqing east and a little south', () => {
    // The direction of the offset there (east ~350 m, south ~250 m) is what basemaps show when
    // raw GPS tracks are drawn on AMap; a sign error in the formula would flip it.
    const [gx, gy] = wgs84ToGcj02(106.5728, 29.5602);
    expect(gx - 106.5728).toBeGreaterThan(0.003);
    expect(gx - 106.5728).toBeLessThan(0.006);
    expect(gy - 29.5602).toBeLessThan(0);
    expect(gy - 29.5602).toBeGreaterThan(-0.004);
  });

  it('leaves points outside China unchanged', () => {
    expect(wgs84ToGcj02(2.3522, 48.8566)).toEqual([2.3522, 48.8566]);
    expect(gcj02ToWgs84(-74.006, 40.7128)).toEqual([-74.006, 40.7128]);
  });

  it('converts by CRS name', () => {
    expect(toGcj02(106.5, 29.5, 'gcj02')).toEqual([106.5, 29.5]);
    expect(toGcj02(106.5, 29.5, 'wgs84')).toEqual(wgs84ToGcj02(106.5, 29.5));
    expect(fromGcj02(106.5, 29.5, 'gcj02')).toEqual([106.5, 29.5]);
    expect(fromGcj02(106.5, 29.5, 'wgs84')).toEqual(gcj02ToWgs84(106.5, 29.5));
  });
});

describe('haversineMeters', () => {
  it('gives 111.2 km for one degree of latitude and 0 for the same point', () => {
    expect(haversineMeters([106, 29], [106, 30])).toBeCloseTo(111_195, -1);
    expect(haversineMeters([106.5, 29.5], [106.5, 29.5])).toBe(0);
  });

  it('shrinks longitude degrees by cos(latitude)', () => {
    const d = haversineMeters([106, 60], [107, 60]);
    expect(d).toBeGreaterThan(55_500);
    expect(d).toBeLessThan(55_700);
  });
});

describe('assertLngLat', () => {
  it('accepts finite in-range positions', () => {
    expect(() => assertLngLat(106.5, 29.5)).not.toThrow();
    expect(() => assertLngLat(-180, 90)).not.toThrow();
  });

  it.each([
    [Number.NaN, 29.5, /longitude must be a finite number/],
    [106.5, Number.POSITIVE_INFINITY, /latitude must be a finite number/],
    ['106.5', 29.5, /longitude must be a finite number/],
    [181, 29.5, /longitude 181 is out of range/],
    [106.5, -90.5, /latitude -90.5 is out of range/],
  ])('rejects (%s, %s) with a RangeError', (lng, lat, message) => {
    expect(() => assertLngLat(lng, lat)).toThrow(RangeError);
    expect(() => assertLngLat(lng, lat)).toThrow(message);
  });
});
