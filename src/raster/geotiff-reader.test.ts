import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CityLoopError } from '../errors.ts';
import { hasSharedData, sharedDataPath } from '../../test/support/shared-data.ts';
import { readGeoTiff } from './geotiff-reader.ts';
import { checkGridCrs } from './raster-crs.ts';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/rasters/${name}`, import.meta.url));
const OPTS = { maxCells: 10_000_000 };

async function refusal(p: Promise<unknown>): Promise<CityLoopError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CityLoopError);
    return e as CityLoopError;
  }
  throw new Error('expected a refusal');
}

describe.skipIf(!hasSharedData('dem', 'whitebox-sample-dem.tif'))('readGeoTiff on the whitebox sample DEM', () => {
  it('reads its size, CRS, georeference, nodata and range', async () => {
    const g = await readGeoTiff(readFileSync(sharedDataPath('dem', 'whitebox-sample-dem.tif')), OPTS);
    expect([g.width, g.height]).toEqual([237, 188]);
    expect(g.crs).toBe('EPSG:26918');
    expect([g.originX, g.originY, g.cellWidth, g.cellHeight]).toEqual([664692, 4895824, 90, 90]);
    expect(g.sourceNodata).toBe(-32768);
    let min = Infinity;
    let max = -Infinity;
    for (const v of g.data) {
      if (v !== v) continue;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeCloseTo(212.2298, 3);
    expect(max).toBeCloseTo(1232.8783, 3);
  });

  it('refuses a truncated copy instead of reading zeros', async () => {
    const whole = readFileSync(sharedDataPath('dem', 'whitebox-sample-dem.tif'));
    const e = await refusal(readGeoTiff(whole.subarray(0, Math.floor(whole.length / 2)), OPTS));
    expect(e.code).toBe('RASTER_UNREADABLE');
    expect(e.extra).toEqual({ field: 'file' });
    expect(e.message).toMatch(/truncated/);
    const headerOnly = await refusal(readGeoTiff(whole.subarray(0, 64), OPTS));
    expect(headerOnly.code).toBe('RASTER_UNREADABLE');
  });

  it('refuses a file with more cells than allowed before decoding it', async () => {
    const e = await refusal(readGeoTiff(readFileSync(sharedDataPath('dem', 'whitebox-sample-dem.tif')), { maxCells: 237 * 188 - 1 }));
    expect(e.code).toBe('RASTER_TOO_LARGE');
    expect(e.params).toMatchObject({ cells: 237 * 188, limit: 237 * 188 - 1 });
  });
});

describe('readGeoTiff on made files (test/fixtures/rasters, made by GDAL)', () => {
  it('reads Int16 with nodata as NaN, the rest exactly', async () => {
    const g = await readGeoTiff(fixture('int16-nodata-utm48n.tif'), OPTS);
    expect([g.width, g.height, g.crs, g.sourceNodata]).toEqual([6, 5, 'EPSG:32648', -9999]);
    expect([g.originX, g.originY, g.cellWidth, g.cellHeight]).toEqual([500000, 3300000, 30, 30]);
    for (let row = 0; row < 5; row++) {
      for (let col = 0; col < 6; col++) {
        const v = g.data[row * 6 + col]!;
        if (row === 1 && col === 2) expect(v).toBeNaN();
        else expect(v).toBe(100 * row + col);
      }
    }
  });

  it('reads Float32 in WGS-84 (EPSG:4326)', async () => {
    const g = await readGeoTiff(fixture('float32-wgs84.tif'), OPTS);
    expect([g.width, g.height, g.crs, g.sourceNodata]).toEqual([4, 3, 'EPSG:4326', null]);
    expect(g.originX).toBeCloseTo(106.5, 9);
    expect(g.originY).toBeCloseTo(29.53, 9);
    expect(g.cellWidth).toBeCloseTo(0.01, 12);
    expect(Array.from(g.data)).toEqual([1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5, 11.5, 12.5]);
  });

  it('refuses a user-defined CRS with RASTER_CRS_UNKNOWN naming the file', async () => {
    const e = await refusal(readGeoTiff(fixture('unknown-crs.tif'), OPTS));
    expect(e.code).toBe('RASTER_CRS_UNKNOWN');
    expect(e.extra).toEqual({ field: 'file' });
    expect(e.localized('zh')).toMatch(/坐标系/);
  });

  it('refuses a geographic CRS other than WGS-84 and a projected one in feet, saying how to convert', () => {
    expect(() => checkGridCrs('EPSG:4490')).toThrow(/geographic CRS other than WGS-84.*gdalwarp/);
    expect(() => checkGridCrs('EPSG:2263')).toThrow(/not in metres/);
    expect(() => checkGridCrs('EPSG:999999')).toThrow(/not in the EPSG table/);
    expect(() => checkGridCrs('EPSG:4545')).not.toThrow(); // CGCS2000 / 3-degree Gauss-Kruger CM 108E
    expect(() => checkGridCrs('EPSG:26918')).not.toThrow();
    expect(() => checkGridCrs('EPSG:4326')).not.toThrow();
  });

  it('refuses a raster whose every cell is nodata', async () => {
    expect((await refusal(readGeoTiff(fixture('all-nodata.tif'), OPTS))).code).toBe('RASTER_ALL_NODATA');
  });

  it('refuses a rotated raster', async () => {
    expect((await refusal(readGeoTiff(fixture('rotated.tif'), OPTS))).code).toBe('RASTER_NOT_NORTH_UP');
  });

  it('refuses bytes that are not a TIFF, and an empty file', async () => {
    const garbage = Buffer.from('this is a PNG, honestly: \x89PNG\r\n'.repeat(20));
    const e = await refusal(readGeoTiff(garbage, OPTS));
    expect(e.code).toBe('RASTER_UNREADABLE');
    expect(e.message).toMatch(/not a TIFF/);
    expect((await refusal(readGeoTiff(new Uint8Array(0), OPTS))).code).toBe('RASTER_UNREADABLE');
    // A TIFF header followed by nonsense: the decoder's own error is caught and named.
    const fake = Buffer.concat([Buffer.from([0x49, 0x49, 42, 0, 8, 0, 0, 0]), Buffer.alloc(64, 0xff)]);
    expect((await refusal(readGeoTiff(fake, OPTS))).code).toBe('RASTER_UNREADABLE');
  });
});
