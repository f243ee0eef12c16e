import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CityLoopError } from '../errors.ts';
import { readGeoTiff } from './geotiff-reader.ts';
import { readGeoTiffInThread } from './geotiff-thread.ts';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/rasters/${name}`, import.meta.url));

describe('readGeoTiffInThread', () => {
  it('gives the grid readGeoTiff gives, and its refusals with their code and field', async () => {
    const bytes = fixture('int16-nodata-utm48n.tif');
    const [here, there] = await Promise.all([readGeoTiff(bytes, { maxCells: 100 }), readGeoTiffInThread(bytes, { maxCells: 100 })]);
    expect({ ...there, data: Array.from(there.data) }).toEqual({ ...here, data: Array.from(here.data) });
    expect(bytes.length).toBeGreaterThan(0); // the caller's bytes are not taken from it
    const e = await readGeoTiffInThread(fixture('unknown-crs.tif'), { maxCells: 100 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CityLoopError);
    expect((e as CityLoopError).code).toBe('RASTER_CRS_UNKNOWN');
    expect((e as CityLoopError).extra).toEqual({ field: 'file' });
    const big = await readGeoTiffInThread(bytes, { maxCells: 10 }).catch((x: unknown) => x);
    expect((big as CityLoopError).code).toBe('RASTER_TOO_LARGE');
  }, 30_000);
});
