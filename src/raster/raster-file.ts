/**
 * One raster's cells in one file: tiled (TILE_SIZE × TILE_SIZE Float32 cells, little-endian,
 * row-major; the tiles of the east and south edges as wide and high as the cells left) and each
 * tile deflated with node:zlib, so a window could later be read without inflating the whole grid.
 *
 *   "CLRASTER" · u32 LE header length · header JSON {format, width, height, tileSize, tiles: [byte length …]}
 *   · the tiles' deflated bytes one after another, row of tiles by row of tiles
 *
 * Written to a temporary name in the same folder and renamed when complete: a reader sees the
 * whole file or none, never half of it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { deflate, inflate } from 'node:zlib';

const deflateAsync = promisify(deflate);
const inflateAsync = promisify(inflate);

export const TILE_SIZE = 256;
const MAGIC = Buffer.from('CLRASTER', 'ascii');
const FORMAT = 1;

export interface RasterFileHeader {
  format: number;
  width: number;
  height: number;
  tileSize: number;
  /** deflated byte length of each tile, row of tiles by row of tiles */
  tiles: number[];
}

/** SHA-256 of the cells as stored (Float32, little-endian, row-major): equal grids, equal digests. */
export function cellsSha256(data: Float32Array): string {
  const h = createHash('sha256');
  if (isLittleEndian()) h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  else h.update(toLittleEndian(data));
  return h.digest('hex');
}

function isLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

function toLittleEndian(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return out;
}

function tileCells(data: Float32Array, width: number, height: number, tileSize: number, tx: number, ty: number): Float32Array {
  const x0 = tx * tileSize;
  const y0 = ty * tileSize;
  const w = Math.min(tileSize, width - x0);
  const h = Math.min(tileSize, height - y0);
  const out = new Float32Array(w * h);
  for (let r = 0; r < h; r++) out.set(data.subarray((y0 + r) * width + x0, (y0 + r) * width + x0 + w), r * w);
  return out;
}

/**
 * Writes the grid's cells to `path` (atomically: a temporary file renamed). `onProgress` is told
 * the fraction of tiles written.
 */
export async function writeRasterFile(path: string, width: number, height: number, data: Float32Array, onProgress?: (fraction: number) => void, tileSize = TILE_SIZE): Promise<void> {
  if (data.length !== width * height) throw new Error(`a ${width} × ${height} grid needs ${width * height} cells, got ${data.length}`);
  await mkdir(dirname(path), { recursive: true });
  const tilesX = Math.ceil(width / tileSize);
  const tilesY = Math.ceil(height / tileSize);
  const total = tilesX * tilesY;
  const blobs: Buffer[] = [];
  for (let ty = 0; ty < tilesY; ty++) {
    for (let tx = 0; tx < tilesX; tx++) {
      const cells = tileCells(data, width, height, tileSize, tx, ty);
      const bytes = isLittleEndian() ? new Uint8Array(cells.buffer) : toLittleEndian(cells);
      blobs.push(await deflateAsync(bytes, { level: 6 }));
      onProgress?.(blobs.length / total);
    }
  }
  const header: RasterFileHeader = { format: FORMAT, width, height, tileSize, tiles: blobs.map((b) => b.length) };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length, 0);
  const temp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  const fh = await open(temp, 'wx');
  try {
    await fh.writev([MAGIC, len, json, ...blobs]);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => {});
    await rm(temp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

/** Reads the cells back; throws if the file is not one written by writeRasterFile or is damaged. */
export async function readRasterFile(path: string): Promise<{ header: RasterFileHeader; data: Float32Array }> {
  const file = await readFile(path);
  if (file.length < 12 || !file.subarray(0, 8).equals(MAGIC)) throw new Error(`${path} is not a CityLoop raster file`);
  const jsonLength = file.readUInt32LE(8);
  const header = JSON.parse(file.subarray(12, 12 + jsonLength).toString('utf8')) as RasterFileHeader;
  if (header.format !== FORMAT) throw new Error(`${path}: raster file format ${header.format} is not known`);
  const { width, height, tileSize } = header;
  const data = new Float32Array(width * height);
  const tilesX = Math.ceil(width / tileSize);
  let offset = 12 + jsonLength;
  let i = 0;
  for (let ty = 0; ty * tileSize < height; ty++) {
    for (let tx = 0; tx < tilesX; tx++) {
      const length = header.tiles[i++]!;
      const raw = await inflateAsync(file.subarray(offset, offset + length));
      offset += length;
      const w = Math.min(tileSize, width - tx * tileSize);
      const h = Math.min(tileSize, height - ty * tileSize);
      if (raw.length !== w * h * 4) throw new Error(`${path}: tile ${tx},${ty} holds ${raw.length} bytes, not ${w * h * 4}`);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      for (let r = 0; r < h; r++) {
        const row = (ty * tileSize + r) * width + tx * tileSize;
        for (let c = 0; c < w; c++) data[row + c] = view.getFloat32((r * w + c) * 4, true);
      }
    }
  }
  return { header, data };
}
