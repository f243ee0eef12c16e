import { describe, expect, it } from 'vitest';
import { contours } from './contours.ts';
import type { GridGeoreference } from './raster-image.ts';

const local = (width: number, height: number): GridGeoreference => ({ width, height, originX: 0, originY: height * 10, cellWidth: 10, cellHeight: 10, crs: 'LOCAL' });

describe('contours (marching squares)', () => {
  it('cuts a plane exactly: the level of v = x is the vertical line x = level', () => {
    const g = local(20, 15);
    const data = new Float32Array(20 * 15);
    for (let r = 0; r < 15; r++) for (let c = 0; c < 20; c++) data[r * 20 + c] = (c + 0.5) * 10; // x of the cell centre
    const fc = contours(g, data, [42, 117.5], { coordinates: 'grid' });
    expect(fc.features.map((f) => f.properties.level)).toEqual([42, 117.5]);
    for (const f of fc.features) {
      const line = f.geometry.coordinates;
      expect(line.length).toBe(15); // one point per row of centres
      for (const [x] of line) expect(x).toBeCloseTo(f.properties.level, 4);
      const ys = line.map(([, y]) => y);
      expect(Math.max(...ys) - Math.min(...ys)).toBeCloseTo(140, 6); // from the first row's centre to the last's
    }
  });

  it('draws a cone as closed circles of the right radius', () => {
    const n = 61;
    const g = local(n, n);
    const data = new Float32Array(n * n);
    const cx = (n * 10) / 2;
    const cy = (n * 10) / 2;
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) data[r * n + c] = Math.hypot((c + 0.5) * 10 - cx, g.originY - (r + 0.5) * 10 - cy);
    const fc = contours(g, data, [50, 200], { coordinates: 'grid' });
    expect(fc.features.length).toBe(2);
    for (const f of fc.features) {
      const ring = f.geometry.coordinates;
      expect(ring[0]).toEqual(ring.at(-1)); // closed
      for (const [x, y] of ring) expect(Math.abs(Math.hypot(x - cx, y - cy) - f.properties.level)).toBeLessThan(0.5); // within 5 % of a cell
      expect(ring.length).toBeGreaterThan(f.properties.level / 10); // goes round, not a stub
    }
  }, 20_000);

  it('stops at nodata and ignores non-finite levels', () => {
    const g = local(10, 6);
    const data = new Float32Array(60);
    for (let r = 0; r < 6; r++) for (let c = 0; c < 10; c++) data[r * 10 + c] = c;
    data[2 * 10 + 5] = NaN;
    const fc = contours(g, data, [4.5, Number.NaN], { coordinates: 'grid' });
    // the line between columns 4 and 5 meets the hole in row 2: it breaks into a piece above and one below
    expect(fc.features.length).toBe(2);
    expect(fc.features.every((f) => f.properties.level === 4.5)).toBe(true);
  });

  it('gives WGS-84 coordinates for a projected grid', () => {
    const g: GridGeoreference = { width: 3, height: 3, originX: 500000, originY: 3300030, cellWidth: 10, cellHeight: 10, crs: 'EPSG:32648' };
    const data = new Float32Array([0, 1, 2, 0, 1, 2, 0, 1, 2]);
    const [f] = contours(g, data, [1.5]).features;
    for (const [lng, lat] of f!.geometry.coordinates) {
      expect(lng).toBeGreaterThan(105);
      expect(lng).toBeLessThan(105.01);
      expect(lat).toBeCloseTo(29.8, 0);
    }
    expect(() => contours({ ...g, crs: 'LOCAL' }, data, [1.5])).toThrow(/LOCAL/);
  });
});
