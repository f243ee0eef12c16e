import { describe, expect, it } from 'vitest';
import { lakeFill } from './lake-fill.ts';
import type { TerrainGrid } from '../../raster/grid.ts';
import { hasSharedData } from '../../../test/support/shared-data.ts';
import { readTerrainFixture, readWhiteboxDem, WHITEBOX_DEM } from '../../../test/support/terrain-fixtures.ts';

function grid(rows: Array<Array<number | null>>, cell = 1): TerrainGrid {
  const height = rows.length;
  const width = rows[0]!.length;
  const data = new Float32Array(width * height);
  rows.forEach((r, i) => r.forEach((v, j) => (data[i * width + j] = v === null ? NaN : v)));
  return { width, height, dx: cell, dy: cell, data };
}

describe('lakeFill on hand-made grids', () => {
  it('floods the cells below the level connected to the seed; a cell at the level stays dry', () => {
    const dem = grid([
      [9, 9, 9, 9, 9],
      [9, 1, 3, 5, 9],
      [9, 2, 9, 1, 9],
      [9, 9, 9, 9, 9],
    ]);
    const lake = lakeFill(dem, { col: 1, row: 1 }, 5);
    expect(Array.from(lake.depth)).toEqual([0, 0, 0, 0, 0, 0, 4, 2, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0, 0]);
    // (3,1) at exactly 5 is dry, yet (3,2) is reached diagonally from (2,1)
    expect(lake.cells).toBe(4);
    expect(lake.areaM2).toBe(4);
    expect(lake.volumeM3).toBe(13);
  });

  it('spreads through the last column, where GRASS r.lake (8.2) does not', () => {
    const dem = grid([
      [1, 9, 9, 9, 1],
      [9, 9, 9, 9, 1],
      [9, 9, 9, 1, 1],
    ]);
    // r.lake gives only the seed, at depth 1 (its window never reads the last column); see the reference page
    const lake = lakeFill(dem, { col: 4, row: 0 }, 5);
    expect(Array.from(lake.depth)).toEqual([0, 0, 0, 0, 4, 0, 0, 0, 0, 4, 0, 0, 0, 4, 4]);
  });

  it('does not cross nodata, and keeps nodata as NaN in the depth', () => {
    const dem = grid([
      [0, null, 0],
      [0, null, 0],
    ]);
    const lake = lakeFill(dem, { col: 0, row: 0 }, 1);
    expect(lake.cells).toBe(2);
    expect(Number.isNaN(lake.depth[1])).toBe(true);
    expect(lake.depth[2]).toBe(0);
  });

  it('gives the exact volume of a box-shaped basin and of a paraboloid bowl within the grid error', () => {
    // a 10 × 10 m floor at 0 behind walls at 10: level 4 holds 10 × 10 × 4 × (2 m)² m³
    const rows = Array.from({ length: 12 }, (_, r) => Array.from({ length: 12 }, (_, c) => (r === 0 || c === 0 || r === 11 || c === 11 ? 10 : 0)));
    const box = lakeFill(grid(rows, 2), { col: 5, row: 5 }, 4);
    expect(box.cells).toBe(100);
    expect(box.volumeM3).toBe(100 * 4 * 4);
    // z = a·r²: the water below level L holds π L² / (2a)
    const n = 401;
    const cell = 1;
    const a = 0.001;
    const data = new Float32Array(n * n);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) data[r * n + c] = a * ((c - 200) ** 2 + (r - 200) ** 2) * cell * cell;
    const level = 30;
    const bowl = lakeFill({ width: n, height: n, dx: cell, dy: cell, data }, { col: 200, row: 200 }, level);
    const exact = (Math.PI * level * level) / (2 * a);
    expect(Math.abs(bowl.volumeM3 - exact) / exact).toBeLessThan(0.002);
    expect(Math.abs(bowl.areaM2 - (Math.PI * level) / a) / ((Math.PI * level) / a)).toBeLessThan(0.01);
  });

  it('refuses a seed outside the grid or on nodata, and a level that is NaN, negative or not above the seed', () => {
    const dem = grid([
      [5, null],
      [1, 2],
    ]);
    const refusal = (field: string) => expect.objectContaining({ code: 'VALIDATION_FAILED', extra: { field } });
    expect(() => lakeFill(dem, { col: 2, row: 0 }, 6)).toThrow(refusal('seed.col'));
    expect(() => lakeFill(dem, { col: 0, row: -1 }, 6)).toThrow(refusal('seed.row'));
    expect(() => lakeFill(dem, { col: 0.5, row: 0 }, 6)).toThrow(refusal('seed.col'));
    expect(() => lakeFill(dem, { col: 1, row: 0 }, 6)).toThrow(refusal('seed'));
    expect(() => lakeFill(dem, { col: 0, row: 1 }, Number.NaN)).toThrow(refusal('levelM'));
    expect(() => lakeFill(dem, { col: 0, row: 1 }, -1)).toThrow(refusal('levelM'));
    expect(() => lakeFill(dem, { col: 0, row: 0 }, 5)).toThrow(refusal('levelM'));
    expect(() => lakeFill(dem, { col: 0, row: 0 }, 4)).toThrow(/not above the ground at the seed cell \(0, 0\), 5 m/);
  });
});

/** Critical success index of the wet cells: hits / (hits + misses + false alarms). */
function csi(depth: Float32Array, reference: Float32Array): number {
  let hits = 0;
  let other = 0;
  for (let i = 0; i < depth.length; i++) {
    const wet = depth[i]! > 0;
    const refWet = reference[i]! > 0;
    if (wet && refWet) hits++;
    else if (wet || refWet) other++;
  }
  return hits / (hits + other);
}

describe.skipIf(!hasSharedData(...WHITEBOX_DEM))('lakeFill against GRASS r.lake on the whitebox DEM', () => {
  // area and volume as r.lake printed them (SOURCE.md)
  const cases = [
    { fixture: 'whitebox-lake_104_1_240.grass.f32.gz', seed: { col: 104, row: 1 }, level: 240, cells: 297, volumeM3: 26628253.143311 },
    { fixture: 'whitebox-lake_104_1_300.grass.f32.gz', seed: { col: 104, row: 1 }, level: 300, cells: 1502, volumeM3: 450925556.149292 },
    { fixture: 'whitebox-lake_53_9_303_5.grass.f32.gz', seed: { col: 53, row: 9 }, level: 303.5, cells: 4, volumeM3: 10712.823486 },
  ];
  for (const c of cases) {
    it(`seed (${c.seed.col}, ${c.seed.row}) at ${c.level} m: CSI 1, depths within 1 mm, same area and volume`, async () => {
      const dem = await readWhiteboxDem();
      const reference = readTerrainFixture(c.fixture);
      const lake = lakeFill(dem, c.seed, c.level);
      expect(csi(lake.depth, reference)).toBe(1);
      let maxDiff = 0;
      for (let i = 0; i < reference.length; i++) {
        const ref = reference[i]! > 0 ? reference[i]! : 0;
        maxDiff = Math.max(maxDiff, Math.abs(lake.depth[i]! - ref));
      }
      expect(maxDiff).toBeLessThan(0.001);
      expect(lake.cells).toBe(c.cells);
      expect(lake.areaM2).toBe(c.cells * 90 * 90);
      expect(lake.volumeM3).toBeCloseTo(c.volumeM3, 5);
    });
  }
});
