/**
 * A grid written as a GeoTIFF (one Float32 band, NaN = nodata) through the `geotiff` package's
 * writer: the georeference as ModelPixelScale + ModelTiepoint, the CRS as its EPSG code in
 * ProjectedCSTypeGeoKey (or GeographicTypeGeoKey for EPSG:4326), so readGeoTiff (and GDAL) read
 * it back to the same grid. A LOCAL grid is written with no CRS key.
 */
import { writeArrayBuffer } from 'geotiff';
import type { Grid } from './grid.ts';

export function writeGridGeoTiff(grid: Pick<Grid, 'width' | 'height' | 'originX' | 'originY' | 'cellWidth' | 'cellHeight' | 'crs'>, data: Float32Array): ArrayBuffer {
  if (data.length !== grid.width * grid.height) throw new RangeError(`a ${grid.width} × ${grid.height} grid needs ${grid.width * grid.height} values, got ${data.length}`);
  const code = /^EPSG:(\d+)$/.exec(grid.crs)?.[1];
  const crsKeys: Record<string, unknown> =
    code === undefined
      ? { GTModelTypeGeoKey: 1, ProjectedCSTypeGeoKey: 32767 }
      : code === '4326'
        ? { GTModelTypeGeoKey: 2, GeographicTypeGeoKey: 4326 }
        : { GTModelTypeGeoKey: 1, ProjectedCSTypeGeoKey: Number(code) };
  const metadata = {
    height: grid.height,
    width: grid.width,
    ModelPixelScale: [grid.cellWidth, grid.cellHeight, 0],
    ModelTiepoint: [0, 0, 0, grid.originX, grid.originY, 0],
    GTRasterTypeGeoKey: 1,
    ...crsKeys,
  };
  return writeArrayBuffer(data, metadata as unknown as Parameters<typeof writeArrayBuffer>[1]);
}
