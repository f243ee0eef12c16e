import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { legendOf, renderRaster, type GridGeoreference } from './raster-image.ts';

const rgbaAt = (img: { width: number; data: ArrayLike<number> }, x: number, y: number) => {
  const o = (y * img.width + x) * 4;
  return [img.data[o], img.data[o + 1], img.data[o + 2], img.data[o + 3]];
};

describe('renderRaster', () => {
  const wgs: GridGeoreference = { width: 4, height: 2, originX: 106.5, originY: 29.52, cellWidth: 0.01, cellHeight: 0.01, crs: 'EPSG:4326' };

  it('draws terrain north-up with transparent nodata, the ramp ends at min and max, corners on the box', () => {
    const data = new Float32Array([100, 200, NaN, 300, 400, 500, 600, 700]);
    const img = renderRaster(wgs, data, { ramp: 'terrain' });
    const png = decode(img.png);
    expect([png.width, png.height, png.channels]).toEqual([4, 2, 4]);
    expect([img.width, img.height]).toEqual([4, 2]);
    expect(rgbaAt(png, 0, 0)).toEqual([0x1a, 0x98, 0x50, 255]); // the lowest: the ramp's first colour
    expect(rgbaAt(png, 3, 1)).toEqual([255, 255, 255, 255]); // the highest: white peaks
    expect(rgbaAt(png, 2, 0)[3]).toBe(0); // nodata
    expect(img.corners[0][0]).toBeCloseTo(106.5, 9);
    expect(img.corners[0][1]).toBeCloseTo(29.52, 9);
    expect(img.corners[2][0]).toBeCloseTo(106.54, 9);
    expect(img.corners[2][1]).toBeCloseTo(29.5, 9);
    expect(img.legend).toMatchObject({ ramp: 'terrain', unit: 'm', min: 100, max: 700 });
    expect(img.legend.stops[0]).toEqual({ value: 100, color: '#1a9850' });
    expect(img.legend.stops.at(-1)).toEqual({ value: 700, color: '#ffffff' });
  });

  it('draws depth from 0, dry cells transparent, the deepest darkest', () => {
    const data = new Float32Array([0, 0.005, 0.5, 2, NaN, 1, 0.02, 2]);
    const img = renderRaster(wgs, data, { ramp: 'depth' });
    const png = decode(img.png);
    expect(rgbaAt(png, 0, 0)[3]).toBe(0);
    expect(rgbaAt(png, 1, 0)[3]).toBe(0); // below the 1 cm of a dry cell
    expect(rgbaAt(png, 3, 0)).toEqual([0x08, 0x30, 0x6b, 255]);
    expect(rgbaAt(png, 2, 1)[3]).toBe(255);
    expect(img.legend).toMatchObject({ ramp: 'depth', min: 0, max: 2, dryDepth: 0.01 });
    expect(legendOf('arrival', 0, 60).stops.map((s) => s.value)).toEqual([0, 15, 30, 45, 60]);
  });

  it('keeps the long side at 2048 pixels at most', () => {
    const g: GridGeoreference = { ...wgs, width: 3000, height: 100, cellWidth: 0.0001, cellHeight: 0.0001 };
    const data = new Float32Array(3000 * 100).map((_, i) => i % 3000);
    const img = renderRaster(g, data, { ramp: 'velocity' });
    expect(img.width).toBe(2048);
    expect(img.height).toBeGreaterThan(60);
    expect(img.height).toBeLessThan(80);
    const png = decode(img.png);
    // the west edge holds the slowest cells, the east the fastest
    expect(rgbaAt(png, 0, 10)).toEqual([0x44, 0x01, 0x54, 255]);
    expect(rgbaAt(png, 2047, 10)).toEqual([0xfd, 0xe7, 0x25, 255]);
    expect(renderRaster(g, data, { ramp: 'velocity', maxSize: 300 }).width).toBe(300);
  });

  it('puts each cell of a projected grid where it lies', () => {
    // 100 × 100 cells of 10 m in UTM 48N; the west half 1, the east half 2, a nodata hole in the north-east quarter
    const g: GridGeoreference = { width: 100, height: 100, originX: 400000, originY: 3300000, cellWidth: 10, cellHeight: 10, crs: 'EPSG:32648' };
    const data = new Float32Array(100 * 100);
    for (let r = 0; r < 100; r++) for (let c = 0; c < 100; c++) data[r * 100 + c] = r < 50 && c >= 50 ? NaN : c < 50 ? 1 : 2;
    const img = renderRaster(g, data, { ramp: 'arrival' });
    const png = decode(img.png);
    const q = (fx: number, fy: number) => rgbaAt(png, Math.floor(img.width * fx), Math.floor(img.height * fy));
    expect(q(0.25, 0.25)).toEqual([0xd7, 0x19, 0x1c, 255]); // west: early, red
    expect(q(0.25, 0.75)).toEqual([0xd7, 0x19, 0x1c, 255]);
    expect(q(0.75, 0.75)).toEqual([0x2c, 0x7b, 0xb6, 255]); // east: late, blue
    expect(q(0.75, 0.25)[3]).toBe(0); // the hole
  });
});
