/**
 * What the terrain tests read: the whitebox sample DEM (../shared/data, through the npm geotiff
 * package directly) and the GRASS/SAGA reference grids in test/fixtures/terrain (gzip'd raw
 * little-endian Float32, row-major, made as test/fixtures/terrain/SOURCE.md says).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { fromArrayBuffer } from 'geotiff';
import type { TerrainGrid } from '../../src/raster/grid.ts';
import { sharedDataPath } from './shared-data.ts';

export const WHITEBOX_DEM = ['dem', 'whitebox-sample-dem.tif'] as const;

const FIXTURES = fileURLToPath(new URL('../fixtures/terrain/', import.meta.url));

/** The whitebox sample DEM as a terrain grid (237 × 188 cells of 90 m, no nodata). */
export async function readWhiteboxDem(): Promise<TerrainGrid> {
  const bytes = readFileSync(sharedDataPath(...WHITEBOX_DEM));
  const tiff = await fromArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const image = await tiff.getImage();
  const raster = await image.readRasters({ interleave: true });
  if (!(raster instanceof Float32Array)) throw new Error(`the whitebox DEM should be Float32, got ${raster.constructor.name}`);
  const [dx, dy] = image.getResolution();
  return { width: image.getWidth(), height: image.getHeight(), dx: Math.abs(dx!), dy: Math.abs(dy!), data: raster };
}

/** A reference grid of test/fixtures/terrain (gzip'd raw Float32, NaN = no value). */
export function readTerrainFixture(name: string): Float32Array {
  const raw = gunzipSync(readFileSync(FIXTURES + name));
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

/** The whitebox DEM with the three nodata holes of the "holes" fixtures (0-based, inclusive). */
export function punchHoles(dem: TerrainGrid): TerrainGrid {
  const data = new Float32Array(dem.data);
  const hole = (r0: number, r1: number, c0: number, c1: number): void => {
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) data[r * dem.width + c] = NaN;
  };
  hole(30, 37, 84, 89);
  hole(130, 145, 170, 185);
  hole(100, 100, 100, 100);
  return { ...dem, data };
}

/** Cells where two grids differ (NaN equals NaN), as "(col,row)" strings. */
export function differingCells(a: Float32Array, b: Float32Array, width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y || (x !== x && y !== y)) continue;
    out.push(`(${i % width},${Math.floor(i / width)})`);
  }
  return out;
}
