/**
 * The D8 code scheme of every flow-direction grid in the platform (an `Int8Array`, one per cell).
 *
 * Code k (0…7) points at a neighbour, clockwise from east: 0 E, 1 SE, 2 S, 3 SW, 4 W, 5 NW, 6 N,
 * 7 NE — the exponent of the ESRI/ArcGIS code (ESRI value = 1 << k), so converting is a shift.
 * Rows run southwards (row 0 north), so "S" is row + 1.
 */
/** water leaves the model here: a cell on the grid's edge or beside nodata with no lower neighbour */
export const D8_OUTLET = 8;
/** a nodata cell (NaN elevation): it has no direction */
export const D8_NODATA = -1;

/** column step of code k */
export const D8_DCOL: Int8Array = Int8Array.of(1, 1, 0, -1, -1, -1, 0, 1);
/** row step of code k (rows run south) */
export const D8_DROW: Int8Array = Int8Array.of(0, 1, 1, 1, 0, -1, -1, -1);

/** The index of the cell that code `code` of cell `index` points at (no bounds check). */
export function d8Target(index: number, code: number, width: number): number {
  return index + D8_DROW[code]! * width + D8_DCOL[code]!;
}
