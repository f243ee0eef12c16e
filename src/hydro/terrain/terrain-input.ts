/**
 * The checks every terrain function makes of its input, and the one way they refuse: a
 * `CityLoopError('VALIDATION_FAILED')` whose `extra.field` names the argument at fault, so a
 * route turns it into problem+json naming the field and a CLI into a message naming the option.
 */
import { CityLoopError } from '../../errors.ts';
import type { TerrainGrid } from '../../raster/grid.ts';

/** The size of a grid, for the functions that take per-cell arrays but no elevations. */
export interface GridShape {
  width: number;
  height: number;
}

/** A cell of the grid by column and row (row 0 is the northern row). */
export interface CellPosition {
  col: number;
  row: number;
}

export function invalidTerrainInput(field: string, en: string, zh: string): CityLoopError {
  return new CityLoopError('VALIDATION_FAILED', { detail: `${field}: ${en}`, detailZh: `${field}：${zh}` }, { field });
}

export function assertGridShape(shape: GridShape, field = 'grid'): void {
  const { width, height } = shape;
  if (!Number.isInteger(width) || width < 1) throw invalidTerrainInput(`${field}.width`, `must be a whole number ≥ 1, got ${width}`, `须为不小于 1 的整数，实为 ${width}`);
  if (!Number.isInteger(height) || height < 1) throw invalidTerrainInput(`${field}.height`, `must be a whole number ≥ 1, got ${height}`, `须为不小于 1 的整数，实为 ${height}`);
  // cell indices are Int32 in the kernels
  if (width * height > 0x7fffffff) throw invalidTerrainInput(field, `${width} × ${height} cells is more than 2^31 − 1`, `${width} × ${height} 个格网超过 2^31 − 1`);
}

/** Per-cell arrays must cover the grid exactly. */
export function assertCellArray(array: ArrayLike<number>, shape: GridShape, field: string): void {
  const cells = shape.width * shape.height;
  if (array.length !== cells) throw invalidTerrainInput(field, `has ${array.length} values, the grid has ${cells} cells`, `有 ${array.length} 个值，而格网有 ${cells} 个格`);
}

export function assertTerrain(dem: TerrainGrid, field = 'dem'): void {
  assertGridShape(dem, field);
  assertCellArray(dem.data, dem, `${field}.data`);
  if (!(dem.dx > 0) || !Number.isFinite(dem.dx)) throw invalidTerrainInput(`${field}.dx`, `must be a positive cell size in metres, got ${dem.dx}`, `须为正的格网边长（米），实为 ${dem.dx}`);
  if (!(dem.dy > 0) || !Number.isFinite(dem.dy)) throw invalidTerrainInput(`${field}.dy`, `must be a positive cell size in metres, got ${dem.dy}`, `须为正的格网边长（米），实为 ${dem.dy}`);
}

/** The seed must be a cell of the grid that has data. */
export function assertSeedCell(dem: TerrainGrid, seed: CellPosition, field = 'seed'): number {
  const { col, row } = seed;
  if (!Number.isInteger(col) || col < 0 || col >= dem.width) throw invalidTerrainInput(`${field}.col`, `must be a column 0…${dem.width - 1}, got ${col}`, `须为 0…${dem.width - 1} 之间的列号，实为 ${col}`);
  if (!Number.isInteger(row) || row < 0 || row >= dem.height) throw invalidTerrainInput(`${field}.row`, `must be a row 0…${dem.height - 1}, got ${row}`, `须为 0…${dem.height - 1} 之间的行号，实为 ${row}`);
  const index = row * dem.width + col;
  const z = dem.data[index]!;
  if (z !== z) throw invalidTerrainInput(field, `cell (${col}, ${row}) has no elevation (nodata)`, `格网 (${col}, ${row}) 无高程数据`);
  return index;
}
