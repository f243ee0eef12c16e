/**
 * A raster in memory: one band of Float32 values on a north-up grid of square or rectangular cells.
 * Every raster the platform reads (an imported DEM, a model's result) is held in this shape, so the
 * models, the store and the map share one description of where a cell is.
 *
 * Nodata is NaN in `data` whatever the source file used (the file's own nodata value is kept in
 * `sourceNodata` for the record): kernels test `v !== v` instead of comparing with a sentinel.
 */
export interface Grid {
  /** columns */
  width: number;
  /** rows */
  height: number;
  /** x of the west edge of column 0, in the CRS's units */
  originX: number;
  /** y of the north edge of row 0, in the CRS's units */
  originY: number;
  /** cell width in the CRS's units (degrees for EPSG:4326) */
  cellWidth: number;
  /** cell height in the CRS's units, positive (rows run southwards) */
  cellHeight: number;
  /** 'EPSG:<code>', or 'LOCAL' for a metric grid with no place on Earth (benchmarks, tests) */
  crs: string;
  /** the nodata value of the source file, if it had one (in `data` such cells are NaN) */
  sourceNodata: number | null;
  /** row-major, row 0 is the northern row; NaN = no data */
  data: Float32Array;
}

/** What a numerical model needs of a terrain: cells and their size in metres. */
export interface TerrainGrid {
  width: number;
  height: number;
  /** cell size in metres along x (columns) */
  dx: number;
  /** cell size in metres along y (rows) */
  dy: number;
  /** elevation in metres, row-major from the north; NaN = outside the model */
  data: Float32Array;
}

const METRES_PER_DEGREE = 111_320;

/** The grid as a model sees it: in metres (a geographic grid is measured at its middle latitude). */
export function terrainOf(grid: Grid): TerrainGrid {
  if (grid.crs === 'EPSG:4326') {
    const midLat = grid.originY - (grid.height * grid.cellHeight) / 2;
    const dx = grid.cellWidth * METRES_PER_DEGREE * Math.cos((midLat * Math.PI) / 180);
    const dy = grid.cellHeight * METRES_PER_DEGREE;
    return { width: grid.width, height: grid.height, dx, dy, data: grid.data };
  }
  return { width: grid.width, height: grid.height, dx: grid.cellWidth, dy: grid.cellHeight, data: grid.data };
}

/** The centre of cell (col, row) in the grid's CRS. */
export function cellCentre(grid: Pick<Grid, 'originX' | 'originY' | 'cellWidth' | 'cellHeight'>, col: number, row: number): [number, number] {
  return [grid.originX + (col + 0.5) * grid.cellWidth, grid.originY - (row + 0.5) * grid.cellHeight];
}

/** The cell holding the point (x, y) of the grid's CRS, or null outside the grid. */
export function cellAt(grid: Pick<Grid, 'originX' | 'originY' | 'cellWidth' | 'cellHeight' | 'width' | 'height'>, x: number, y: number): { col: number; row: number } | null {
  const col = Math.floor((x - grid.originX) / grid.cellWidth);
  const row = Math.floor((grid.originY - y) / grid.cellHeight);
  if (col < 0 || row < 0 || col >= grid.width || row >= grid.height) return null;
  return { col, row };
}
