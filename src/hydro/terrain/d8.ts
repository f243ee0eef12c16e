/**
 * The D8 code scheme of every flow-direction grid in the platform (an `Int8Array`, one per cell).
 *
 * Code k (0…7) points at a neighbour, clockwise from east: 0 E, 1 SE, 2 S, 3 SW, 4 W, 5 NW, 6 N,
 * 7 NE — the exponent of the ESRI/ArcGIS code (ESRI value = 1 << k), so converting is a shift.
 * Rows run southwards (row 0 north), so "S" is row + 1. Codes 8 and 9 end a flow path.
 */
/** water leaves the model here: a cell on the grid's edge or beside nodata with no lower neighbour */
export const D8_OUTLET = 8;
/** water stays here: a pit of a DEM that was not filled (no lower neighbour, not on the edge) */
export const D8_SINK = 9;
/** a nodata cell (NaN elevation): it has no direction */
export const D8_NODATA = -1;

/** column step of code k */
export const D8_DCOL: Int8Array = Int8Array.of(1, 1, 0, -1, -1, -1, 0, 1);
/** row step of code k (rows run south) */
export const D8_DROW: Int8Array = Int8Array.of(0, 1, 1, 1, 0, -1, -1, -1);

/** The code pointing the other way (from the neighbour back to the cell). */
export function d8Opposite(code: number): number {
  return (code + 4) & 7;
}
