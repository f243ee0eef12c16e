import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { systemClock } from '../../src/clock.ts';
import { openStore } from '../../src/store/store.ts';
import { RasterCatalog, rasterDir } from '../../src/raster/raster-catalog-store.ts';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'cityloop-dem-'));
const env = { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'cli.sqlite')}`, DATA_DIR: dir };
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/rasters/${name}`, import.meta.url));

/** The real program in a child process: exit code and output as a shell sees them. */
async function spawnCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, ['bin/cityloop.js', ...args], { env, timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/**
 * The program in this process (each test file runs in a process of its own): as `spawnCli`, at a
 * fraction of the cost of starting tsx for every call.
 */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(`${a.join(' ')}\n`));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(`${a.join(' ')}\n`));
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => err.push(String(chunk)) > 0);
  const saved = { DATABASE_URL: process.env.DATABASE_URL, DATA_DIR: process.env.DATA_DIR };
  process.env.DATABASE_URL = env.DATABASE_URL;
  process.env.DATA_DIR = env.DATA_DIR;
  try {
    const code = await runCli(['node', 'cityloop', ...args]);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('cityloop import dem', () => {
  beforeAll(async () => {
    // A store with a city center and a district center under it: all the command needs.
    const store = await openStore({ databaseUrl: env.DATABASE_URL });
    try {
      await store.db.insertInto('centers').values([
        { id: 'center-city', tier: 'city', jurisdiction_code: '500000', name: '市中心', parent_center_id: null },
        { id: 'center-d', tier: 'district', jurisdiction_code: '500103', name: '区中心', parent_center_id: 'center-city' },
      ]).execute();
    } finally {
      await store.close();
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports a GeoTIFF for the city center (or the one named) with progress on stderr', async () => {
    const r = await cli('import', 'dem', fixture('int16-nodata-utm48n.tif'), '--name', '测试地形');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/imported DEM [0-9a-f-]{36} "测试地形": 6 × 5 cells, EPSG:32648, 0 to 405, for center center-city/);
    expect(r.stderr).toMatch(/store tiles: 100\/100/);
    const d = await cli('import', 'dem', fixture('float32-wgs84.tif'), '--center', 'center-d');
    expect(d.code, d.stderr).toBe(0);
    const store = await openStore({ databaseUrl: env.DATABASE_URL });
    try {
      const catalog = new RasterCatalog({ db: store.db, dir: rasterDir(dir), clock: systemClock });
      const list = await catalog.list();
      expect(list.map((x) => [x.name, x.ownerCenterId, x.sourceFile])).toEqual([
        ['float32-wgs84.tif', 'center-d', 'float32-wgs84.tif'],
        ['测试地形', 'center-city', 'int16-nodata-utm48n.tif'],
      ]);
      const grid = await catalog.load(list[1]!.id);
      expect(grid.data[7]).toBe(101);
      expect(grid.data[8]).toBeNaN();
    } finally {
      await store.close();
    }
  });

  it('refuses a bad file with its reason and exit code 1, wrong usage with 2, and imports nothing', async () => {
    const garbage = join(dir, 'garbage.tif');
    writeFileSync(garbage, 'GIF89a, not a TIFF at all');
    const bad = await spawnCli('import', 'dem', garbage);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/garbage\.tif: The raster file cannot be read: it is not a TIFF file.*nothing was imported/);
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const crs = await cli('import', 'dem', fixture('unknown-crs.tif'));
    expect(crs.code).toBe(1);
    expect(crs.stderr).toMatch(/user-defined CRS/);
    expect((await cli('import', 'dem', join(dir, 'missing.tif'))).code).toBe(1);
    const center = await cli('import', 'dem', fixture('int16-nodata-utm48n.tif'), '--center', 'center-nowhere');
    expect(center.code).toBe(2);
    expect(center.stderr).toMatch(/no center center-nowhere/);
    expect((await cli('import', 'dem')).code).toBe(2);
    const store = await openStore({ databaseUrl: env.DATABASE_URL });
    try {
      expect((await store.db.selectFrom('rasters').select('id').execute()).length).toBe(2);
    } finally {
      await store.close();
    }
  });
});
