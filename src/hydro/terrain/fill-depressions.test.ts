import { describe, expect, it } from 'vitest';
import { fillDepressions } from './fill-depressions.ts';
import { createRandom } from '../../geo/seeded-random.ts';
import type { TerrainGrid } from '../../raster/grid.ts';
import { hasSharedData } from '../../../test/support/shared-data.ts';
import { differingCells, punchHoles, readTerrainFixture, readWhiteboxDem, WHITEBOX_DEM } from '../../../test/support/terrain-fixtures.ts';

/** A terrain from rows of numbers (null = nodata), 1 m cells. */
function grid(rows: Array<Array<number | null>>): TerrainGrid {
  const height = rows.length;
  const width = rows[0]!.length;
  const data = new Float32Array(width * height);
  rows.forEach((r, i) => r.forEach((v, j) => (data[i * width + j] = v === null ? NaN : v)));
  return { width, height, dx: 1, dy: 1, data };
}
const rowsOf = (a: Float32Array, width: number): number[][] =>
  Array.from({ length: a.length / width }, (_, r) => Array.from(a.subarray(r * width, (r + 1) * width)));

/** The fixture keeps only the cells the fill changed (NaN elsewhere): rebuild the whole filled grid. */
function expectedFill(dem: Float32Array, changed: Float32Array): Float32Array {
  return dem.map((z, i) => (changed[i] === changed[i] ? changed[i]! : z));
}

describe('fillDepressions on hand-made grids', () => {
  it('fills a pit to its lowest pass: 1 and 5 rise to 6, which drains diagonally to the 4 on the edge', () => {
    const dem = grid([
      [9, 9, 9, 9],
      [9, 1, 5, 9],
      [9, 6, 7, 9],
      [9, 9, 4, 9],
    ]);
    expect(rowsOf(fillDepressions(dem), 4)).toEqual([
      [9, 9, 9, 9],
      [9, 6, 6, 9],
      [9, 6, 7, 9],
      [9, 9, 4, 9],
    ]);
  });

  it('fills nested pits to the outer spill level, flat', () => {
    const dem = grid([
      [9, 9, 9, 9, 9, 9, 9],
      [9, 5, 5, 5, 5, 5, 9],
      [9, 5, 1, 4, 2, 5, 9],
      [9, 5, 5, 5, 5, 5, 9],
      [9, 9, 9, 6, 9, 9, 9],
    ]);
    const filled = rowsOf(fillDepressions(dem), 7);
    expect(filled[2]).toEqual([9, 6, 6, 6, 6, 6, 9]);
    expect(filled[1]).toEqual([9, 6, 6, 6, 6, 6, 9]);
    expect(filled[4]).toEqual([9, 9, 9, 6, 9, 9, 9]);
  });

  it('drains a pit through a diagonal gap (8 neighbours)', () => {
    const dem = grid([
      [9, 9, 9, 9],
      [9, 2, 9, 9],
      [9, 9, 3, 9],
      [9, 9, 9, 1],
    ]);
    // (1,1) spills over (2,2) at 3, which drains diagonally to the corner at 1
    expect(rowsOf(fillDepressions(dem), 4)[1]).toEqual([9, 3, 9, 9]);
  });

  it('leaves a flat and a tilted plane untouched', () => {
    const flat = grid([
      [5, 5, 5],
      [5, 5, 5],
      [5, 5, 5],
    ]);
    expect(Array.from(fillDepressions(flat))).toEqual(Array.from(flat.data));
    const tilted = grid(Array.from({ length: 6 }, (_, r) => Array.from({ length: 5 }, (_, c) => 100 - r * 2 - c * 0.5)));
    expect(Array.from(fillDepressions(tilted))).toEqual(Array.from(tilted.data));
  });

  it('treats a cell beside nodata as an outlet: the pit drains into the hole', () => {
    const dem = grid([
      [9, 9, 9, 9, 9],
      [9, 1, 9, 2, 9],
      [9, 9, 9, null, 9],
      [9, 9, 9, 9, 9],
    ]);
    const filled = rowsOf(fillDepressions(dem), 5);
    expect(filled[1]).toEqual([9, 9, 9, 2, 9]);
    expect(Number.isNaN(filled[2]![3])).toBe(true);
  });

  it('does not change its input, and keeps a grid of one cell or of nodata alone', () => {
    const dem = grid([
      [9, 9, 9],
      [9, 1, 9],
      [9, 9, 9],
    ]);
    const before = Array.from(dem.data);
    expect(fillDepressions(dem)[4]).toBe(9);
    expect(Array.from(dem.data)).toEqual(before);
    expect(Array.from(fillDepressions(grid([[3]])))).toEqual([3]);
    expect(Number.isNaN(fillDepressions(grid([[null, null]]))[1])).toBe(true);
  });

  it('gives the same grid flooded by tiles as in one piece, nodata and seams included', () => {
    const random = createRandom(2026);
    let withPits = 0;
    for (let t = 0; t < 12; t++) {
      const width = 3 + Math.floor(random() * 50);
      const height = 3 + Math.floor(random() * 50);
      // integer elevations: many ties and flats, the hard case for labels meeting at seams
      const data = new Float32Array(width * height).map(() => (random() < 0.06 ? NaN : Math.floor(random() * 12)));
      const dem = { width, height, dx: 1, dy: 1, data };
      const whole = fillDepressions(dem, { tileSize: 0 });
      if (whole.some((v, i) => v !== data[i] && v === v)) withPits++;
      for (const tileSize of [2, 3, 8, 17]) expect(differingCells(fillDepressions(dem, { tileSize }), whole, width)).toEqual([]);
    }
    // the comparison means something: most grids had depressions to fill
    expect(withPits).toBeGreaterThan(8);
  });

  it('refuses a grid whose data does not fit its size, and a tile size of 1, naming the field', () => {
    expect(() => fillDepressions(grid([[1, 2]]), { tileSize: 1 })).toThrow(expect.objectContaining({ extra: { field: 'tileSize' } }));
    const bad: TerrainGrid = { width: 3, height: 3, dx: 1, dy: 1, data: new Float32Array(8) };
    expect(() => fillDepressions(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', extra: { field: 'dem.data' } }));
    expect(() => fillDepressions({ ...bad, data: new Float32Array(9), dx: 0 })).toThrow(expect.objectContaining({ extra: { field: 'dem.dx' } }));
  });
});

describe.skipIf(!hasSharedData(...WHITEBOX_DEM))('fillDepressions against SAGA and GRASS on the whitebox DEM', () => {
  it('equals SAGA Fill Sinks (Wang & Liu, MINSLOPE 0) and iterated GRASS r.fill.dir cell for cell', async () => {
    const dem = await readWhiteboxDem();
    const filled = fillDepressions(dem);
    const saga = expectedFill(dem.data, readTerrainFixture('whitebox-filled-saga.changed.f32.gz'));
    const grass = expectedFill(dem.data, readTerrainFixture('whitebox-filled-grass.changed.f32.gz'));
    // the references do fill something: 396 cells are raised
    expect(differingCells(saga, dem.data, dem.width)).toHaveLength(396);
    expect(differingCells(filled, saga, dem.width)).toEqual([]);
    expect(differingCells(filled, grass, dem.width)).toEqual([]);
    for (const tileSize of [16, 64, 100]) expect(differingCells(fillDepressions(dem, { tileSize }), saga, dem.width)).toEqual([]);
  });

  it('with nodata holes: equals SAGA; GRASS differs only where its one-cell-pit step mishandles nodata', async () => {
    const dem = punchHoles(await readWhiteboxDem());
    const filled = fillDepressions(dem);
    const saga = expectedFill(dem.data, readTerrainFixture('whitebox-holes-filled-saga.changed.f32.gz'));
    expect(differingCells(fillDepressions(dem, { tileSize: 32 }), saga, dem.width)).toEqual([]);
    const grass = expectedFill(dem.data, readTerrainFixture('whitebox-holes-filled-grass.changed.f32.gz'));
    expect(differingCells(filled, saga, dem.width)).toEqual([]);
    // r.fill.dir's one-cell-pit step takes the minimum of the neighbours through NaN comparisons, so
    // the nulls below (185,129) reset it and the cell is lifted to (186,130)'s 347.0 m, and
    // (186,129) with it; SAGA and this fill let both drain into the hole (terrain-models.md)
    expect(differingCells(filled, grass, dem.width)).toEqual(['(185,129)', '(186,129)']);
  });
});
