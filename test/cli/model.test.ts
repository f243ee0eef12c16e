/**
 * `cityloop model …` on GeoTIFF files: the layers written back as GeoTIFFs with the terrain's
 * georeference, the summary as JSON, refusals with the field and the exit code. Run in-process
 * through runCli (the spawned binary is tested by cli.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli, EXIT } from '../../src/cli/main.ts';
import { writeGridGeoTiff } from '../../src/raster/grid-geotiff-writer.ts';
import { readGeoTiff } from '../../src/raster/geotiff-reader.ts';
import { BOWL_BOTTOM_M, BOWL_CENTRE_GCJ, bowlDem } from '../support/analysis-dem.ts';

const dir = mkdtempSync(join(tmpdir(), 'cityloop-model-'));
const dem = join(dir, 'bowl.tif');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await runCli(['node', 'cityloop', ...args]);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    process.exitCode = undefined;
  }
}

describe('cityloop model', () => {
  beforeAll(() => writeFileSync(dem, Buffer.from(writeGridGeoTiff(bowlDem(60, 10), bowlDem(60, 10).data))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lake: the summary as JSON, the depth as a GeoTIFF on the terrain’s cells', async () => {
    const out = join(dir, 'lake');
    const r = await cli('model', 'lake', '--dem', dem, '--seed', `${BOWL_CENTRE_GCJ.lng},${BOWL_CENTRE_GCJ.lat}`, '--level', String(BOWL_BOTTOM_M + 5), '--out-dir', out, '--json', '--no-progress');
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ model: 'lake', summary: { maxDepthM: 5, cells: expect.any(Number) }, files: [join(out, 'depth.tif')] });
    expect(summary.summary.cells).toBeGreaterThan(30);
    const back = await readGeoTiff(readFileSync(join(out, 'depth.tif')), { maxCells: 1e6 });
    const terrain = bowlDem(60, 10);
    expect(back).toMatchObject({ width: 60, height: 60, crs: 'EPSG:32648', cellWidth: 10, cellHeight: 10 });
    expect(back.originX).toBeCloseTo(terrain.originX, 6);
    expect(back.originY).toBeCloseTo(terrain.originY, 6);
    expect(back.data[30 * 60 + 30]).toBe(5);
  });

  it('fill and dambreak write their layers', async () => {
    const fill = await cli('model', 'fill', '--dem', dem, '--out-dir', join(dir, 'fill'), '--json', '--no-progress');
    expect(fill.code, fill.stderr).toBe(EXIT.ok);
    expect(JSON.parse(fill.stdout).layers.map((l: { name: string }) => l.name)).toEqual(['filled', 'fillDepth', 'flowDirection', 'flowAccumulation', 'hand']);
    const inputs = join(dir, 'dam.json');
    const { lng, lat } = BOWL_CENTRE_GCJ;
    writeFileSync(inputs, JSON.stringify({ dam: { crestLine: [[lng - 0.002, lat], [lng + 0.002, lat]], crestLevelM: BOWL_BOTTOM_M + 15, reservoirLevelM: BOWL_BOTTOM_M + 10, reservoirSide: { lng, lat: lat + 0.001 } }, durationS: 60, outputIntervalS: 30 }));
    const dam = await cli('model', 'dambreak', '--dem', dem, '--inputs', inputs, '--json', '--no-progress');
    expect(dam.code, dam.stderr).toBe(EXIT.ok);
    const s = JSON.parse(dam.stdout);
    expect(s.layers.map((l: { name: string }) => l.name).slice(0, 4)).toEqual(['maxDepth', 'arrivalTime', 'maxVelocity', 'finalDepth']);
    // The shallow-water model also keeps the state at t = 0.
    expect(s.layers.filter((l: { t?: number }) => l.t !== undefined).map((l: { t: number }) => l.t)).toEqual([0, 30, 60]);
    expect(s.summary.simulatedSeconds).toBeCloseTo(60, 3);
    expect(s.summary.maxDepthM).toBeGreaterThan(5);
  });

  it('refuses bad input naming the field (exit 2), a missing file (exit 1)', async () => {
    const off = await cli('model', 'lake', '--dem', dem, '--seed', '106.7,29.5', '--level', '210');
    expect(off.code).toBe(EXIT.usage);
    expect(off.stderr).toMatch(/inputs\.seed/);
    const neg = await cli('model', 'flood', '--dem', dem, '--rain', '-5', '--duration', '60');
    expect(neg.code).toBe(EXIT.usage);
    expect(neg.stderr).toMatch(/inputs\.rainfall\[0\]\.hyetograph\[0\]\.value/);
    expect((await cli('model', 'lake', '--seed', '106.7,29.5', '--level', '210')).code).toBe(EXIT.usage);
    const missing = await cli('model', 'fill', '--dem', join(dir, 'missing.tif'));
    expect(missing.code).toBe(EXIT.failed);
    expect(missing.stderr).toMatch(/missing\.tif/);
  });
});
