/**
 * Small synthetic terrains for the analyses' tests: a bowl in UTM 48N (EPSG:32648) around the
 * middle of 渝中区, where the CAP fixtures' rainstorm polygon lies, so points given in GCJ-02
 * land on known cells.
 */
import type { Grid } from '../../src/raster/grid.ts';
import { crsTransform } from '../../src/raster/raster-crs.ts';
import { gcj02ToWgs84 } from '../../src/geo/crs.ts';
import type { AreaGeometry } from '../../src/geo/geometry.ts';

/** The bowl's centre, GCJ-02 (inside the rainstorm polygon of test/fixtures/cap/cq-rainstorm-orange.cap). */
export const BOWL_CENTRE_GCJ = { lng: 106.5718, lat: 29.5494 } as const;
/** Lowest point of the bowl, m. */
export const BOWL_BOTTOM_M = 200;
/** z = bottom + r² / BOWL_CURVATURE_M (r in metres from the centre). */
export const BOWL_CURVATURE_M = 2000;

/** A bowl of `size` × `size` cells of `cell` metres whose centre cell holds BOWL_CENTRE_GCJ. */
export function bowlDem(size: number, cell: number): Grid {
  const [cx, cy] = crsTransform('EPSG:32648').fromWgs84(...gcj02ToWgs84(BOWL_CENTRE_GCJ.lng, BOWL_CENTRE_GCJ.lat));
  // The centre point sits in the middle of cell (size/2, size/2).
  const originX = cx - (size / 2 + 0.5) * cell;
  const originY = cy + (size / 2 + 0.5) * cell;
  const data = new Float32Array(size * size);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const dx = (col - size / 2) * cell;
      const dy = (row - size / 2) * cell;
      data[row * size + col] = BOWL_BOTTOM_M + (dx * dx + dy * dy) / BOWL_CURVATURE_M;
    }
  }
  return { width: size, height: size, originX, originY, cellWidth: cell, cellHeight: cell, crs: 'EPSG:32648', sourceNodata: null, data };
}

/** A square of `halfM` metres around the bowl's centre, GCJ-02, as GeoJSON. */
export function squareAroundCentre(halfM: number): AreaGeometry {
  const dLng = halfM / (111_320 * Math.cos((BOWL_CENTRE_GCJ.lat * Math.PI) / 180));
  const dLat = halfM / 110_540;
  const { lng, lat } = BOWL_CENTRE_GCJ;
  return { type: 'Polygon', coordinates: [[[lng - dLng, lat - dLat], [lng + dLng, lat - dLat], [lng + dLng, lat + dLat], [lng - dLng, lat + dLat], [lng - dLng, lat - dLat]]] };
}
