import { describe, expect, it } from 'vitest';
import { createRandom } from '../../geo/seeded-random.ts';
import { hasSharedData } from '../../../test/support/shared-data.ts';
import { differingCells, punchHoles, readWhiteboxDem, WHITEBOX_DEM } from '../../../test/support/terrain-fixtures.ts';
import { fillDepressions } from './fill-depressions.ts';
import { fillDepressionsInParallel } from './fill-depressions-parallel.ts';

describe('fillDepressionsInParallel', () => {
  it('gives the one-piece fill on two worker threads, ties, nodata and seams included', async () => {
    const random = createRandom(99);
    const width = 97;
    const height = 61;
    const data = new Float32Array(width * height).map(() => (random() < 0.05 ? NaN : Math.floor(random() * 15)));
    const dem = { width, height, dx: 1, dy: 1, data };
    const whole = fillDepressions(dem, { tileSize: 0 });
    expect(differingCells(whole, data, width).length).toBeGreaterThan(100);
    expect(differingCells(await fillDepressionsInParallel(dem, { tileSize: 9, threads: 2 }), whole, width)).toEqual([]);
  });

  it('refuses a thread count or tile size that is no whole number, naming the field, and stops when aborted', async () => {
    const dem = { width: 2, height: 2, dx: 1, dy: 1, data: new Float32Array(4) };
    await expect(fillDepressionsInParallel(dem, { threads: 0 })).rejects.toMatchObject({ extra: { field: 'threads' } });
    await expect(fillDepressionsInParallel(dem, { tileSize: 1.5 })).rejects.toMatchObject({ extra: { field: 'tileSize' } });
    const controller = new AbortController();
    controller.abort(new Error('stopped by the test'));
    await expect(fillDepressionsInParallel(dem, { signal: controller.signal, tileSize: 2 })).rejects.toThrow('stopped by the test');
  });
});

describe.skipIf(!hasSharedData(...WHITEBOX_DEM))('fillDepressionsInParallel on the whitebox DEM', () => {
  it('equals the one-piece fill on the DEM with nodata holes, on three threads', async () => {
    const grid = punchHoles(await readWhiteboxDem());
    expect(differingCells(await fillDepressionsInParallel(grid, { tileSize: 50, threads: 3 }), fillDepressions(grid, { tileSize: 0 }), grid.width)).toEqual([]);
  });
});
