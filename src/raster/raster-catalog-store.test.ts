import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { CityLoopError } from '../errors.ts';
import { openStore, type Store } from '../store/store.ts';
import { DIALECTS, PG_URL } from '../../test/support/test-platform.ts';
import { hasSharedData, sharedDataPath } from '../../test/support/shared-data.ts';
import { readGeoTiff } from './geotiff-reader.ts';
import type { Grid } from './grid.ts';
import { RasterCatalog, rasterDir } from './raster-catalog-store.ts';
import { readRasterFile, writeRasterFile } from './raster-file.ts';

/** A grid of 300 × 270 cells (two tiles each way, the last ones partial) with NaN holes. */
function madeGrid(): Grid {
  const width = 300;
  const height = 270;
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = i % 97 === 0 ? NaN : Math.sin(i) * 100 + i / 1000;
  return { width, height, originX: 500000, originY: 3300000, cellWidth: 10, cellHeight: 10, crs: 'EPSG:32648', sourceNodata: -9999, data };
}

function sameCells(a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  let differing = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) differing++;
  expect(differing).toBe(0);
}

describe('raster file', () => {
  it('round-trips cells through partial tiles, and leaves no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cityloop-rfile-'));
    try {
      const g = madeGrid();
      const seen: number[] = [];
      await writeRasterFile(join(dir, 'a.clr'), g.width, g.height, g.data, (f) => seen.push(f), 128);
      expect(readdirSync(dir)).toEqual(['a.clr']);
      expect(seen.length).toBe(3 * 3);
      expect(seen.at(-1)).toBe(1);
      const back = await readRasterFile(join(dir, 'a.clr'));
      expect(back.header.tileSize).toBe(128);
      sameCells(back.data, g.data);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(DIALECTS)('RasterCatalog on %s', (dialect) => {
  let dir: string;
  let store: Store;
  let catalog: RasterCatalog;
  const clock = new ManualClock('2026-06-01T00:00:00Z');
  const schema = `rc_${process.pid}_${Date.now()}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cityloop-rcat-'));
    store = await openStore(dialect === 'postgres' ? { databaseUrl: PG_URL, pgSchema: schema } : { dataDir: dir });
    catalog = new RasterCatalog({ db: store.db, dir: rasterDir(dir), clock });
  });
  afterAll(async () => {
    if (dialect === 'postgres') await store.db.schema.dropSchema(schema).ifExists().cascade().execute();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('saves a grid (record, range, box, digest) and loads it back cell for cell', async () => {
    const g = madeGrid();
    const fractions: number[] = [];
    const rec = await catalog.save(g, { name: '测试地形', kind: 'dem', ownerCenterId: 'c-city', createdBy: 'u1', sourceFile: 'made.tif' }, (f) => fractions.push(f));
    expect(fractions.at(-1)).toBe(1);
    expect(rec).toMatchObject({ name: '测试地形', kind: 'dem', crs: 'EPSG:32648', width: 300, height: 270, ownerCenterId: 'c-city', createdBy: 'u1', deletedAt: null, sourceFile: 'made.tif', createdAt: '2026-06-01T00:00:00.000Z' });
    expect(rec.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rec.min).toBeLessThan(-99);
    expect(rec.max).toBeGreaterThan(99);
    // UTM 48N at 500 km E is the zone's central meridian, 105° E; 3300 km N is about 29.8° N.
    const [w, s, e, n] = rec.bboxWgs84;
    expect(w).toBeCloseTo(105, 3);
    expect(e).toBeGreaterThan(105.02);
    expect(n).toBeGreaterThan(s);
    expect(n).toBeCloseTo(29.82, 1);
    expect(await catalog.get(rec.id)).toEqual(rec);
    const back = await catalog.load(rec.id);
    expect({ ...back, data: null }).toEqual({ ...g, data: null });
    sameCells(back.data, g.data);
  });

  it.skipIf(!hasSharedData('dem', 'whitebox-sample-dem.tif'))('keeps the whitebox DEM equal cell for cell', async () => {
    const g = await readGeoTiff(readFileSync(sharedDataPath('dem', 'whitebox-sample-dem.tif')), { maxCells: 1e7 });
    const rec = await catalog.save(g, { name: 'whitebox', kind: 'dem', ownerCenterId: 'c-d1', createdBy: 'u1' });
    expect(rec.min).toBeCloseTo(212.2298, 3);
    expect(rec.max).toBeCloseTo(1232.8783, 3);
    expect(rec.bboxWgs84[0]).toBeCloseTo(-72.94, 1);
    const back = await catalog.load(rec.id);
    sameCells(back.data, g.data);
    expect(back.sourceNodata).toBe(-32768);
  });

  it('lists by kind and owner, newest first, without deleted ones', async () => {
    clock.advance(1000);
    const a = await catalog.save(madeGrid(), { name: 'a', kind: 'roughness', ownerCenterId: 'c-d2', createdBy: 'u2' });
    clock.advance(1000);
    const b = await catalog.save(madeGrid(), { name: 'b', kind: 'roughness', ownerCenterId: 'c-d2', createdBy: 'u2' });
    expect((await catalog.list({ kind: 'roughness' })).map((r) => r.id)).toEqual([b.id, a.id]);
    expect((await catalog.list({ ownerCenterIds: ['c-d2'], kind: 'dem' })).length).toBe(0);
    expect((await catalog.list({ ownerCenterIds: [] })).length).toBe(0);
    expect((await catalog.list({ ownerCenterIds: ['c-city', 'c-d2'] })).map((r) => r.name)).toEqual(['b', 'a', '测试地形']);
    await catalog.remove(a.id, 'u2', 'replaced');
    expect((await catalog.list({ kind: 'roughness' })).map((r) => r.id)).toEqual([b.id]);
  });

  it('removes: the record stays marked, the file goes, a load is GONE naming the raster', async () => {
    const rec = await catalog.save(madeGrid(), { name: 'doomed', kind: 'result', ownerCenterId: 'c-d2', createdBy: 'u2' });
    const file = join(rasterDir(dir), `${rec.id}.clr`);
    expect(existsSync(file)).toBe(true);
    clock.advance(60_000);
    await catalog.remove(rec.id, 'u3', 'wrong area');
    expect(existsSync(file)).toBe(false);
    const after = await catalog.get(rec.id);
    expect(after?.deletedAt).toBe(clock.now().toISOString());
    const e = await catalog.load(rec.id).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CityLoopError);
    expect((e as CityLoopError).code).toBe('GONE');
    expect((e as CityLoopError).message).toContain(rec.id);
    expect((e as CityLoopError).status).toBe(410);
    const again = await catalog.remove(rec.id, 'u3').catch((x: unknown) => x);
    expect((again as CityLoopError).code).toBe('GONE');
    const unknown = await catalog.load('00000000-0000-7000-8000-000000000000').catch((x: unknown) => x);
    expect((unknown as CityLoopError).code).toBe('NOT_FOUND');
    expect(await catalog.get('00000000-0000-7000-8000-000000000000')).toBeUndefined();
  });

  it('leaves no file behind when the row cannot be written', async () => {
    const before = readdirSync(rasterDir(dir)).sort();
    const nullOwner = { name: 'x', kind: 'dem' as const, ownerCenterId: null as unknown as string, createdBy: 'u1' };
    await expect(catalog.save(madeGrid(), nullOwner)).rejects.toThrow();
    expect(readdirSync(rasterDir(dir)).sort()).toEqual(before);
  });
});
