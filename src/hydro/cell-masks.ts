/**
 * Cell masks from shapes: which cells of a grid a polygon or a circle covers, judged at the cell
 * centres. The analyses place rain areas, buildings and inflow zones with these; the solvers only
 * ever see the masks (row-major, 1 = inside), never coordinates.
 */
import type { Grid } from '../raster/grid.ts';
import type { CellMask } from './model-contracts.ts';

/** Where the grid lies in its CRS: enough to find the centre of any cell. */
export type GridPlacement = Pick<Grid, 'width' | 'height' | 'originX' | 'originY' | 'cellWidth' | 'cellHeight'>;

/** A ring of (x, y) vertices in the grid's CRS; closing the ring (repeating the first vertex) is optional. */
export type Ring = ReadonlyArray<readonly [number, number]>;

/**
 * The cells whose centres lie inside the rings by the even-odd rule: a polygon with holes is its
 * outer ring plus the hole rings, and overlapping rings cancel. One scan line per row of centres,
 * so the cost is rows × edges plus the cells filled, whatever the polygon's size.
 */
export function polygonMask(grid: GridPlacement, rings: ReadonlyArray<Ring>, into?: CellMask): CellMask {
  const { width, height, originX, originY, cellWidth, cellHeight } = grid;
  const mask = into ?? new Uint8Array(width * height);
  if (mask.length !== width * height) throw new RangeError(`mask has ${mask.length} cells, the grid ${width * height}`);
  const crossings: number[] = [];
  const polyMask = new Uint8Array(width);
  for (let row = 0; row < height; row++) {
    const y = originY - (row + 0.5) * cellHeight;
    crossings.length = 0;
    for (const ring of rings) {
      const n = ring.length;
      for (let k = 0; k < n; k++) {
        const [x1, y1] = ring[k]!;
        const [x2, y2] = ring[(k + 1) % n]!;
        // half-open rule (y1 <= y < y2 or y2 <= y < y1) counts a vertex on the line once
        if ((y1 <= y && y < y2) || (y2 <= y && y < y1)) crossings.push(x1 + ((y - y1) / (y2 - y1)) * (x2 - x1));
      }
    }
    if (crossings.length < 2) continue;
    crossings.sort((a, b) => a - b);
    polyMask.fill(0);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      // centres x_c = originX + (col + 0.5) * cellWidth with left <= x_c < right
      const first = Math.max(0, Math.ceil((crossings[k]! - originX) / cellWidth - 0.5));
      const last = Math.min(width - 1, Math.ceil((crossings[k + 1]! - originX) / cellWidth - 0.5) - 1);
      for (let col = first; col <= last; col++) polyMask[col] = polyMask[col]! ^ 1;
    }
    const base = row * width;
    for (let col = 0; col < width; col++) if (polyMask[col]) mask[base + col] = 1;
  }
  return mask;
}

/** The cells whose centres are within `radius` (CRS units) of (x, y). */
export function circleMask(grid: GridPlacement, x: number, y: number, radius: number, into?: CellMask): CellMask {
  const { width, height, originX, originY, cellWidth, cellHeight } = grid;
  const mask = into ?? new Uint8Array(width * height);
  if (mask.length !== width * height) throw new RangeError(`mask has ${mask.length} cells, the grid ${width * height}`);
  if (!(radius >= 0)) throw new RangeError(`radius must be ≥ 0, got ${radius}`);
  const r2 = radius * radius;
  const rowFirst = Math.max(0, Math.floor((originY - (y + radius)) / cellHeight));
  const rowLast = Math.min(height - 1, Math.floor((originY - (y - radius)) / cellHeight));
  const colFirst = Math.max(0, Math.floor((x - radius - originX) / cellWidth));
  const colLast = Math.min(width - 1, Math.floor((x + radius - originX) / cellWidth));
  for (let row = rowFirst; row <= rowLast; row++) {
    const cy = originY - (row + 0.5) * cellHeight - y;
    for (let col = colFirst; col <= colLast; col++) {
      const cx = originX + (col + 0.5) * cellWidth - x;
      if (cx * cx + cy * cy <= r2) mask[row * width + col] = 1;
    }
  }
  return mask;
}

/** How many cells a mask holds. */
export function maskCount(mask: CellMask): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i]!;
  return n;
}
