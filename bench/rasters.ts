/**
 * Rasters: read a GeoTIFF, keep a large grid in the catalogue (tiles deflated), load it back, draw
 * its overlay image, cut contour lines. Prints one JSON object of figures.
 *
 *   npx tsx bench/rasters.ts [--dem FILE] [--size N]     (N × N synthetic cells, default 4096)
 *
 * The DEM defaults to ../shared/data/dem/whitebox-sample-dem.tif beside the project.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../src/clock.ts';
import { readGeoTiff } from '../src/raster/geotiff-reader.ts';
import { RasterCatalog, rasterDir } from '../src/raster/raster-catalog-store.ts';
import { renderRaster } from '../src/raster/raster-image.ts';
import { contours } from '../src/raster/contours.ts';
import type { Grid } from '../src/raster/grid.ts';
import { openStore } from '../src/store/store.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, Math.round(performance.now() - t0)];
}

const demPath = arg('dem', join(process.cwd(), '..', 'shared', 'data', 'dem', 'whitebox-sample-dem.tif'));
const size = Number(arg('size', '4096'));
const dir = mkdtempSync(join(tmpdir(), 'cityloop-raster-bench-'));
const store = await openStore({ dataDir: dir });
try {
  const catalog = new RasterCatalog({ db: store.db, dir: rasterDir(dir), clock: systemClock });
  const bytes = readFileSync(demPath);
  const [dem, readDemMs] = await timed(() => readGeoTiff(bytes, { maxCells: 1e9 }));
  // A synthetic terrain of size × size cells of 5 m in UTM 48N: a tilted plane with hills.
  const data = new Float32Array(size * size);
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) data[r * size + c] = 200 + c * 0.01 + r * 0.02 + 30 * Math.sin(c / 97) * Math.cos(r / 131);
  const big: Grid = { width: size, height: size, originX: 600000, originY: 3290000, cellWidth: 5, cellHeight: 5, crs: 'EPSG:32648', sourceNodata: null, data };
  const [record, saveMs] = await timed(() => catalog.save(big, { name: 'bench', kind: 'dem', ownerCenterId: 'bench', createdBy: 'bench' }));
  const fileBytes = statSync(join(rasterDir(dir), `${record.id}.clr`)).size;
  const [loaded, loadMs] = await timed(() => catalog.load(record.id));
  const [image, renderMs] = await timed(() => renderRaster(loaded, loaded.data, { ramp: 'terrain' }));
  const levels = Array.from({ length: 10 }, (_, i) => 200 + i * 25);
  const [lines, contourMs] = await timed(() => contours(loaded, loaded.data, levels));
  console.log(
    JSON.stringify(
      {
        demCells: dem.width * dem.height,
        readDemMs,
        cells: size * size,
        saveMs,
        fileMB: Math.round(fileBytes / 1e5) / 10,
        rawMB: Math.round((size * size * 4) / 1e5) / 10,
        loadMs,
        renderMs,
        imagePx: `${image.width}x${image.height}`,
        pngKB: Math.round(image.png.length / 1024),
        contourMs,
        contourLines: lines.features.length,
      },
      null,
      2,
    ),
  );
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
