/**
 * A grid's CRS to and from WGS-84 (EPSG:4326, lng/lat) through proj4. The definitions come from
 * the EPSG table of the `epsg-index` package (one small JSON file per code, read on first use), so
 * no network is needed and any EPSG CRS proj4 can express is accepted; a 'LOCAL' grid has no place
 * on Earth and no transformation.
 */
import { createRequire } from 'node:module';
import proj4 from 'proj4';
import { CityLoopError } from '../errors.ts';

const require = createRequire(import.meta.url);

/** A transformation between a CRS and WGS-84; points are [x, y] / [lng, lat]. */
export interface CrsTransform {
  readonly crs: string;
  toWgs84(x: number, y: number): [number, number];
  fromWgs84(lng: number, lat: number): [number, number];
}

interface EpsgEntry {
  code: string;
  kind: string;
  name: string;
  proj4: string | null;
}

const definitions = new Map<number, EpsgEntry | null>();

/** The EPSG table's entry for a code, or null if the table does not have it. */
export function epsgEntry(code: number): EpsgEntry | null {
  if (!Number.isInteger(code) || code <= 0 || code > 999_999) return null;
  const known = definitions.get(code);
  if (known !== undefined) return known;
  let entry: EpsgEntry | null = null;
  try {
    entry = require(`epsg-index/s/${code}.json`) as EpsgEntry;
  } catch {
    entry = null;
  }
  definitions.set(code, entry);
  return entry;
}

const IDENTITY: CrsTransform = { crs: 'EPSG:4326', toWgs84: (x, y) => [x, y], fromWgs84: (lng, lat) => [lng, lat] };
const transforms = new Map<string, CrsTransform>();

function unknownCrs(detail: string, detailZh: string): CityLoopError {
  return new CityLoopError('RASTER_CRS_UNKNOWN', { detail, detailZh }, { field: 'file' });
}

/**
 * The transformation of 'EPSG:<code>' to WGS-84. Throws RASTER_CRS_UNKNOWN (field `file`) for a
 * code the table does not know or one proj4 cannot express, and for 'LOCAL'.
 */
export function crsTransform(crs: string): CrsTransform {
  const cached = transforms.get(crs);
  if (cached) return cached;
  const m = /^EPSG:(\d{1,6})$/.exec(crs);
  if (!m) throw unknownCrs(`${crs} is not an EPSG code (a LOCAL grid has no place on Earth)`, `${crs} 不是 EPSG 编码（本地网格没有地理位置）`);
  const code = Number(m[1]);
  if (code === 4326) return IDENTITY;
  const entry = epsgEntry(code);
  if (!entry) throw unknownCrs(`EPSG:${code} is not in the EPSG table`, `EPSG 表中没有 EPSG:${code}`);
  if (!entry.proj4 || !/^CRS-(PROJCRS|GEOGCRS)$/.test(entry.kind)) {
    throw unknownCrs(`EPSG:${code} (${entry.name}) is not a projected or geographic 2D CRS proj4 can use`, `EPSG:${code}（${entry.name}）不是 proj4 可用的投影或地理坐标系`);
  }
  let converter: proj4.Converter;
  try {
    converter = proj4(entry.proj4, 'EPSG:4326');
    converter.forward([0, 0]);
  } catch (e) {
    throw unknownCrs(`proj4 cannot use EPSG:${code} (${entry.name}): ${e instanceof Error ? e.message : String(e)}`, `proj4 无法使用 EPSG:${code}（${entry.name}）`);
  }
  const t: CrsTransform = {
    crs,
    toWgs84: (x, y) => converter.forward([x, y]) as [number, number],
    fromWgs84: (lng, lat) => converter.inverse([lng, lat]) as [number, number],
  };
  transforms.set(crs, t);
  return t;
}

/**
 * The box in WGS-84 [west, south, east, north] of a grid: its edges sampled (a projected grid's
 * edges are curves in lng/lat, so the corners alone may miss the extreme).
 */
export function bboxWgs84(grid: { crs: string; originX: number; originY: number; cellWidth: number; cellHeight: number; width: number; height: number }): [number, number, number, number] {
  const t = crsTransform(grid.crs);
  const x0 = grid.originX;
  const y0 = grid.originY;
  const x1 = x0 + grid.width * grid.cellWidth;
  const y1 = y0 - grid.height * grid.cellHeight;
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  const steps = 16;
  for (let i = 0; i <= steps; i++) {
    const fx = x0 + ((x1 - x0) * i) / steps;
    const fy = y0 + ((y1 - y0) * i) / steps;
    for (const [x, y] of [
      [fx, y0],
      [fx, y1],
      [x0, fy],
      [x1, fy],
    ] as const) {
      const [lng, lat] = t.toWgs84(x, y);
      if (!Number.isFinite(lng) || !Number.isFinite(lat)) throw unknownCrs(`the grid's edge (${x}, ${y}) has no place in WGS-84 through ${grid.crs}`, `网格边缘（${x}, ${y}）无法转换到 WGS-84（${grid.crs}）`);
      if (lng < w) w = lng;
      if (lng > e) e = lng;
      if (lat < s) s = lat;
      if (lat > n) n = lat;
    }
  }
  return [w, s, e, n];
}

/**
 * Refuses a CRS whose cells a model could not measure: the platform's grids are in metres
 * (projected) or in degrees of WGS-84 (`terrainOf` converts those), so a geographic CRS other than
 * EPSG:4326 (CGCS2000 EPSG:4490, Beijing 1954 …) and a projected one in feet or links are refused
 * with how to convert them, rather than read with the wrong cell size.
 */
export function checkGridCrs(crs: string): void {
  crsTransform(crs);
  const code = Number(crs.slice('EPSG:'.length));
  if (code === 4326) return;
  const entry = epsgEntry(code)!;
  const p4 = entry.proj4 ?? '';
  if (/\+proj=longlat\b/.test(p4)) {
    throw unknownCrs(
      `${crs} (${entry.name}) is a geographic CRS other than WGS-84: reproject it to EPSG:4326 or to a projected CRS in metres (e.g. gdalwarp -t_srs EPSG:4545, CGCS2000 / 3-degree Gauss-Kruger CM 108E)`,
      `${crs}（${entry.name}）是 WGS-84 以外的地理坐标系：请先转换为 EPSG:4326 或以米为单位的投影坐标系（例如 gdalwarp -t_srs EPSG:4545，CGCS2000 3 度带高斯-克吕格 中央经线 108°E）`,
    );
  }
  const units = /\+units=(\S+)/.exec(p4)?.[1];
  if ((units !== undefined && units !== 'm') || /\+to_meter=/.test(p4)) {
    throw unknownCrs(`${crs} (${entry.name}) is not in metres: reproject it to a projected CRS in metres`, `${crs}（${entry.name}）的单位不是米：请先转换为以米为单位的投影坐标系`);
  }
}
