import { describe, expect, it } from 'vitest';
import type { TerrainGrid } from '../../raster/grid.ts';
import { hasSharedData } from '../../../test/support/shared-data.ts';
import { readWhiteboxDem, WHITEBOX_DEM } from '../../../test/support/terrain-fixtures.ts';
import { D8_DCOL, D8_DROW, D8_NODATA, D8_OUTLET, D8_SINK } from './d8.ts';
import { fillDepressions } from './fill-depressions.ts';
import { flowAccumulation, flowOrder, streams } from './flow-accumulation.ts';
import { flowDirections } from './flow-directions.ts';

function grid(rows: Array<Array<number | null>>): TerrainGrid {
  const height = rows.length;
  const width = rows[0]!.length;
  const data = new Float32Array(width * height);
  rows.forEach((r, i) => r.forEach((v, j) => (data[i * width + j] = v === null ? NaN : v)));
  return { width, height, dx: 1, dy: 1, data };
}

/** Steps from a cell to the end of its path. */
function pathLength(dirs: Int8Array, width: number, col: number, row: number): { steps: number; end: number } {
  let steps = 0;
  let i = row * width + col;
  while (dirs[i]! >= 0 && dirs[i]! <= 7) {
    const d = dirs[i]!;
    i += D8_DROW[d]! * width + D8_DCOL[d]!;
    if (++steps > dirs.length) throw new Error('cycle');
  }
  return { steps, end: i };
}

describe('flowDirections and flowAccumulation', () => {
  it('on a tilted plane: steepest descent south, the last row east, everything into the corner', () => {
    const width = 6;
    const height = 5;
    const plane = grid(Array.from({ length: height }, (_, r) => Array.from({ length: width }, (_, c) => 100 - 2 * r - 0.5 * c)));
    const dirs = flowDirections(plane);
    for (let r = 0; r < height - 1; r++) for (let c = 0; c < width; c++) expect(dirs[r * width + c]).toBe(2);
    for (let c = 0; c < width - 1; c++) expect(dirs[(height - 1) * width + c]).toBe(0);
    expect(dirs[width * height - 1]).toBe(D8_OUTLET);
    const acc = flowAccumulation(dirs, plane);
    // a column above the last row holds r + 1 cells; the last row gathers whole columns
    for (let r = 0; r < height - 1; r++) expect(acc[r * width + 2]).toBe(r + 1);
    for (let c = 0; c < width; c++) expect(acc[(height - 1) * width + c]).toBe((c + 1) * height);
  });

  it('drains a flat towards its outlet by the shortest way, every cell reaching it', () => {
    const dem = grid([
      [9, 9, 9, 9, 9],
      [9, 5, 5, 5, 9],
      [9, 5, 5, 5, 4],
      [9, 5, 5, 5, 9],
      [9, 9, 9, 9, 9],
    ]);
    const dirs = flowDirections(dem);
    const outlet = 2 * 5 + 4;
    expect(dirs[outlet]).toBe(D8_OUTLET);
    for (let r = 0; r < 5; r++) for (let c = 0; c < 5; c++) expect(pathLength(dirs, 5, c, r).end).toBe(outlet);
    // (1,2) is three cells from the outlet: the flat adds no detour
    expect(pathLength(dirs, 5, 1, 2).steps).toBe(3);
    expect(flowAccumulation(dirs, dem)[outlet]).toBe(25);
  });

  it('marks a pit of an unfilled DEM as a sink, nodata as nodata, and a cell beside nodata as an outlet', () => {
    const dem = grid([
      [9, 9, 9, 9, 9, 9],
      [9, 1, 9, 9, 9, 9],
      [9, 9, 9, 9, 9, 9],
      [9, 9, 9, 9, 9, 9],
      [9, 9, 9, 9, null, 9],
      [9, 9, 9, 9, 9, 9],
    ]);
    const dirs = flowDirections(dem);
    const pit = 1 * 6 + 1;
    const hole = 4 * 6 + 4;
    expect(dirs[pit]).toBe(D8_SINK);
    expect(dirs[hole]).toBe(D8_NODATA);
    // (3,3) has no lower neighbour but touches the nodata cell: water leaves there
    expect(dirs[3 * 6 + 3]).toBe(D8_OUTLET);
    // (2,2) is a flat cell beside the pit: it drains into the pit, not across the flat
    expect(dirs[2 * 6 + 2]).toBe(5);
    const acc = flowAccumulation(dirs, dem);
    expect(Number.isNaN(acc[hole])).toBe(true);
    // the pit's ring drains into it; cells farther out go to whichever end is nearest (ties by scan order)
    for (const [c, r] of [[0, 0], [1, 0], [2, 0], [0, 1], [2, 1], [0, 2], [1, 2], [2, 2]] as const) expect(pathLength(dirs, 6, c, r)).toEqual({ steps: 1, end: pit });
    let ends = 0;
    for (let i = 0; i < dirs.length; i++) if (dirs[i] === D8_OUTLET || dirs[i] === D8_SINK) ends += acc[i]!;
    expect(ends).toBe(35);
  });

  it('refuses directions that cycle, leave the grid or are no D8 code, and a threshold that is not positive', () => {
    const shape = { width: 2, height: 1 };
    const refusal = (field: string) => expect.objectContaining({ code: 'VALIDATION_FAILED', extra: { field } });
    expect(() => flowOrder(Int8Array.of(0, 4), shape)).toThrow(refusal('dirs'));
    expect(() => flowOrder(Int8Array.of(4, 8), shape)).toThrow(/off the grid/);
    expect(() => flowOrder(Int8Array.of(12, 8), shape)).toThrow(/not a D8 code/);
    expect(() => flowOrder(Int8Array.of(0, D8_NODATA), shape)).toThrow(/into nodata/);
    expect(() => flowOrder(Int8Array.of(0), shape)).toThrow(refusal('dirs'));
    expect(() => streams(new Float32Array(2), 0)).toThrow(refusal('thresholdCells'));
    expect(() => streams(new Float32Array(2), Number.NaN)).toThrow(refusal('thresholdCells'));
    expect(Array.from(streams(Float32Array.of(1, 5, 9, NaN), 5))).toEqual([0, 1, 1, 0]);
  });
});

describe.skipIf(!hasSharedData(...WHITEBOX_DEM))('the whitebox DEM, filled, drains whole', () => {
  it('has no sink once filled, and the outlets gather every cell', async () => {
    const dem = await readWhiteboxDem();
    const filled = { ...dem, data: fillDepressions(dem) };
    const dirs = flowDirections(filled);
    expect(dirs.filter((d) => d === D8_SINK)).toHaveLength(0);
    // the raw DEM has pits: without the fill, some cells are sinks
    expect(flowDirections(dem).filter((d) => d === D8_SINK).length).toBeGreaterThan(0);
    const acc = flowAccumulation(dirs, dem);
    let atOutlets = 0;
    for (let i = 0; i < dirs.length; i++) if (dirs[i] === D8_OUTLET) atOutlets += acc[i]!;
    expect(atOutlets).toBe(dem.width * dem.height);
    // every cell drains downhill or flat on the filled surface
    const uphill: number[] = [];
    for (let i = 0; i < dirs.length; i++) {
      const d = dirs[i]!;
      if (d <= 7 && filled.data[i + D8_DROW[d]! * dem.width + D8_DCOL[d]!]! > filled.data[i]!) uphill.push(i);
    }
    expect(uphill).toEqual([]);
  });
});
