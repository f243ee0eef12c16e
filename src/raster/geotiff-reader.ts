/**
 * A GeoTIFF's first band → a Grid, through the `geotiff` package (no TIFF codec of our own).
 * Everything a file can get wrong is refused with a CityLoopError naming the field `file`:
 * not a TIFF or corrupt (RASTER_UNREADABLE), a CRS without an EPSG code (RASTER_CRS_UNKNOWN),
 * rotated or skewed (RASTER_NOT_NORTH_UP), every cell nodata (RASTER_ALL_NODATA), more cells than
 * allowed (RASTER_TOO_LARGE, from the header, before a cell is decoded). Never a raw exception.
 */
import { fromArrayBuffer, type GeoTIFFImage } from 'geotiff';
import { CityLoopError } from '../errors.ts';
import type { Grid } from './grid.ts';
import { checkGridCrs } from './raster-crs.ts';

export interface ReadGeoTiffOptions {
  /** The most cells accepted (RASTER_MAX_CELLS): a larger file is refused before decoding. */
  maxCells: number;
}

/** The default of RASTER_MAX_CELLS: 50 million cells, 200 MB as Float32. */
export const DEFAULT_MAX_RASTER_CELLS = 50_000_000;

const FIELD = { field: 'file' } as const;

function unreadable(detail: string, detailZh: string): CityLoopError {
  return new CityLoopError('RASTER_UNREADABLE', { detail, detailZh }, FIELD);
}

function isTiff(b: Uint8Array): boolean {
  if (b.length < 8) return false;
  const le = b[0] === 0x49 && b[1] === 0x49;
  const be = b[0] === 0x4d && b[1] === 0x4d;
  if (!le && !be) return false;
  const magic = le ? b[2]! | (b[3]! << 8) : (b[2]! << 8) | b[3]!;
  return magic === 42 || magic === 43; // classic TIFF, BigTIFF
}

/** The sample types a grid can hold without surprise: 8/16/32-bit integers, 32/64-bit floats. */
function checkSampleType(image: GeoTIFFImage): 'float32' | 'other' {
  const format = image.getSampleFormat(0) ?? 1;
  const bits = image.getBitsPerSample(0);
  const ok = (format === 1 || format === 2) ? [8, 16, 32].includes(bits) : format === 3 ? [32, 64].includes(bits) : false;
  if (!ok) throw unreadable(`sample format ${format} with ${bits} bits is not supported (8/16/32-bit integers, 32/64-bit floats)`, `不支持的像元类型（格式 ${format}，${bits} 位）；支持 8/16/32 位整数和 32/64 位浮点数`);
  return format === 3 && bits === 32 ? 'float32' : 'other';
}

interface Georeference {
  originX: number;
  originY: number;
  cellWidth: number;
  cellHeight: number;
}

function georeferenceOf(image: GeoTIFFImage, pixelIsPoint: boolean): Georeference {
  const fd = image.fileDirectory;
  const transform = fd.getValue('ModelTransformation') as number[] | undefined;
  const scale = fd.getValue('ModelPixelScale') as number[] | undefined;
  const tie = fd.getValue('ModelTiepoint') as number[] | undefined;
  let g: Georeference;
  if (transform && transform.length >= 8) {
    // x = a·col + b·row + c, y = e·col + f·row + g: north-up means b = e = 0, a > 0, f < 0.
    const [a, b, , c, e, f, , gy] = transform as [number, number, number, number, number, number, number, number];
    if (b !== 0 || e !== 0 || !(a > 0) || !(f < 0)) throw new CityLoopError('RASTER_NOT_NORTH_UP', {}, FIELD);
    g = { originX: c, originY: gy, cellWidth: a, cellHeight: -f };
  } else if (scale && scale.length >= 2 && tie && tie.length >= 6) {
    const [sx, sy] = scale as [number, number];
    // A negative y scale is a south-up grid: refused like a rotated one.
    if (!(sx > 0) || !(sy > 0)) throw new CityLoopError('RASTER_NOT_NORTH_UP', {}, FIELD);
    const [i, j, , x, y] = tie as [number, number, number, number, number];
    g = { originX: x - i * sx, originY: y + j * sy, cellWidth: sx, cellHeight: sy };
  } else {
    throw unreadable('the file has no georeference (ModelTransformation or ModelPixelScale with ModelTiepoint)', '文件没有地理参考信息（ModelTransformation 或 ModelPixelScale 与 ModelTiepoint）');
  }
  // PixelIsPoint: the tie point is the centre of the first cell; a Grid's origin is its corner.
  if (pixelIsPoint) g = { ...g, originX: g.originX - g.cellWidth / 2, originY: g.originY + g.cellHeight / 2 };
  for (const v of Object.values(g)) if (!Number.isFinite(v)) throw unreadable('the georeference holds a value that is not a finite number', '地理参考信息含有非有限数值');
  return g;
}

const USER_DEFINED = 32767;

function crsOf(image: GeoTIFFImage): string {
  let keys: Record<string, unknown> | null;
  try {
    keys = image.getGeoKeys() as Record<string, unknown> | null;
  } catch (e) {
    throw unreadable(`its GeoKeys cannot be read: ${e instanceof Error ? e.message : String(e)}`, '无法读取 GeoKeys');
  }
  if (!keys) throw new CityLoopError('RASTER_CRS_UNKNOWN', { detail: 'the file has no GeoKeys', detailZh: '文件没有 GeoKeys' }, FIELD);
  const model = keys.GTModelTypeGeoKey;
  const projected = keys.ProjectedCSTypeGeoKey;
  const geographic = keys.GeographicTypeGeoKey;
  // Model type 1 = projected, 2 = geographic; without it, whichever key is there.
  const code = model === 2 ? geographic : model === 1 ? projected : (projected ?? geographic);
  if (typeof code !== 'number' || code === USER_DEFINED || code <= 0) {
    const what = code === USER_DEFINED ? 'a user-defined CRS (no EPSG code)' : 'no EPSG code in ProjectedCSTypeGeoKey or GeographicTypeGeoKey';
    const whatZh = code === USER_DEFINED ? '用户自定义坐标系（没有 EPSG 编码）' : 'ProjectedCSTypeGeoKey 和 GeographicTypeGeoKey 中没有 EPSG 编码';
    throw new CityLoopError('RASTER_CRS_UNKNOWN', { detail: what, detailZh: whatZh }, FIELD);
  }
  const crs = `EPSG:${code}`;
  checkGridCrs(crs); // refuses a code proj4 cannot use, or not in metres, now rather than when a model asks
  return crs;
}

/**
 * Every strip or tile lies inside the file. The decoder reads past the end of a truncated file as
 * zeros rather than failing, so a cut-off download must be caught here, before decoding.
 */
async function checkComplete(image: GeoTIFFImage, byteLength: number): Promise<void> {
  const fd = image.fileDirectory;
  const tiled = fd.hasTag('TileOffsets');
  let offsets: ArrayLike<number> | undefined;
  let counts: ArrayLike<number> | undefined;
  try {
    offsets = (await fd.loadValue(tiled ? 'TileOffsets' : 'StripOffsets')) as ArrayLike<number> | undefined;
    counts = (await fd.loadValue(tiled ? 'TileByteCounts' : 'StripByteCounts')) as ArrayLike<number> | undefined;
  } catch {
    offsets = undefined;
  }
  if (!offsets || !counts || offsets.length !== counts.length || offsets.length === 0) {
    throw unreadable('the file is truncated or corrupt: its strip or tile table cannot be read', '文件不完整或已损坏：无法读取数据块表');
  }
  for (let i = 0; i < offsets.length; i++) {
    const end = Number(offsets[i]) + Number(counts[i]);
    if (!(end <= byteLength)) throw unreadable(`the file is truncated: it has ${byteLength} bytes, its data runs to byte ${end}`, `文件不完整：只有 ${byteLength} 字节，数据应到第 ${end} 字节`);
  }
}

/** Reads the first band of a GeoTIFF. Nodata (GDAL_NODATA) and NaN cells become NaN. */
export async function readGeoTiff(bytes: Uint8Array | ArrayBuffer, options: ReadGeoTiffOptions): Promise<Grid> {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (!isTiff(view)) throw unreadable('it is not a TIFF file (no II*/MM* header)', '不是 TIFF 文件（缺少 TIFF 文件头）');
  const buffer = view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer;
  let image: GeoTIFFImage;
  try {
    const tiff = await fromArrayBuffer(buffer);
    image = await tiff.getImage(0);
  } catch (e) {
    throw unreadable(`its header cannot be read (${e instanceof Error ? e.message : String(e)})`, '文件头无法读取（文件损坏或不完整）');
  }
  const width = image.getWidth();
  const height = image.getHeight();
  if (!(width > 0) || !(height > 0)) throw unreadable(`it has ${width} × ${height} cells`, `文件的尺寸为 ${width} × ${height}`);
  const cells = width * height;
  if (cells > options.maxCells) throw new CityLoopError('RASTER_TOO_LARGE', { cells, limit: options.maxCells }, FIELD);
  const sampleType = checkSampleType(image);
  const pixelIsPoint = (image.getGeoKeys() as Record<string, unknown> | null)?.GTRasterTypeGeoKey === 2;
  const geo = georeferenceOf(image, pixelIsPoint);
  const crs = crsOf(image);
  let nodata: number | null;
  try {
    nodata = image.getGDALNoData();
  } catch {
    nodata = null;
  }
  await checkComplete(image, view.byteLength);
  let band: ArrayLike<number>;
  try {
    const rasters = await image.readRasters({ samples: [0], interleave: false });
    band = (rasters as unknown as ArrayLike<number>[])[0]!;
  } catch (e) {
    throw unreadable(`its cells cannot be decoded (${e instanceof Error ? e.message : String(e)}): the file is corrupt or truncated`, '像元数据无法解码：文件损坏或不完整');
  }
  if (!band || band.length !== cells) throw unreadable('its cells cannot be decoded: the file is corrupt or truncated', '像元数据无法解码：文件损坏或不完整');
  const data = new Float32Array(cells);
  // A Float32 file stores its nodata rounded to float32: compare in the file's own precision.
  const nd = nodata === null ? null : sampleType === 'float32' ? Math.fround(nodata) : nodata;
  let valid = 0;
  for (let i = 0; i < cells; i++) {
    const v = band[i]!;
    if (v === nd || v !== v) data[i] = NaN;
    else {
      data[i] = v;
      valid++;
    }
  }
  if (valid === 0) throw new CityLoopError('RASTER_ALL_NODATA', {}, FIELD);
  return { width, height, ...geo, crs, sourceNodata: nodata, data };
}
