import { describe, expect, it } from 'vitest';
import { CityLoopError } from '../errors.ts';
import { bboxWgs84, crsTransform } from './raster-crs.ts';

const dms = (d: number, m: number, s: number) => Math.sign(d) * (Math.abs(d) + m / 60 + s / 3600);

describe('raster CRS through proj4 and the EPSG table', () => {
  it('agrees with GDAL on the corners of the whitebox DEM (EPSG:26918) and goes back exactly', () => {
    const t = crsTransform('EPSG:26918');
    // gdalinfo: Upper Left (664692.000, 4895824.000) (72d56'20.40"W, 44d11'49.36"N)
    const [lng, lat] = t.toWgs84(664692, 4895824);
    expect(lng).toBeCloseTo(dms(-72, 56, 20.4), 5);
    expect(lat).toBeCloseTo(dms(44, 11, 49.36), 5);
    // Lower Right (686022.000, 4878904.000) (72d40'41.69"W, 44d 2'22.95"N)
    const [lng2, lat2] = t.toWgs84(686022, 4878904);
    expect(lng2).toBeCloseTo(dms(-72, 40, 41.69), 5);
    expect(lat2).toBeCloseTo(dms(44, 2, 22.95), 5);
    const [x, y] = t.fromWgs84(lng, lat);
    expect(x).toBeCloseTo(664692, 3);
    expect(y).toBeCloseTo(4895824, 3);
  });

  it('boxes a projected grid by its sampled edges, and WGS-84 as it is', () => {
    const g = { crs: 'EPSG:26918', originX: 664692, originY: 4895824, cellWidth: 90, cellHeight: 90, width: 237, height: 188 };
    const [w, s, e, n] = bboxWgs84(g);
    expect(w).toBeCloseTo(dms(-72, 56, 39.44), 5); // the lower-left corner is the westernmost
    expect(n).toBeCloseTo(dms(44, 11, 49.36), 5); // the upper-left the northernmost
    expect(e).toBeCloseTo(dms(-72, 40, 20.2), 5);
    expect(s).toBeCloseTo(dms(44, 2, 22.95), 5);
    expect(bboxWgs84({ ...g, crs: 'EPSG:4326', originX: 106.5, originY: 29.6, cellWidth: 0.01, cellHeight: 0.01, width: 10, height: 5 })).toEqual([106.5, 29.55, 106.6, 29.6]);
  });

  it('has no transformation for a LOCAL grid or an unknown code', () => {
    for (const crs of ['LOCAL', 'EPSG:0', 'EPSG:999999', 'EPSG:4326x']) {
      const e = (() => {
        try {
          crsTransform(crs);
        } catch (x) {
          return x;
        }
        return undefined;
      })();
      expect(e, crs).toBeInstanceOf(CityLoopError);
      expect((e as CityLoopError).code).toBe('RASTER_CRS_UNKNOWN');
    }
  });
});
