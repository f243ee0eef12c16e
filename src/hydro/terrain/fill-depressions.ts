/**
 * Depressions filled flat (minimum slope 0) by Priority-Flood — Barnes, Lehman & Mulla 2014,
 * "Priority-Flood: An optimal depression-filling and watershed-labeling algorithm for digital
 * elevation models", Computers & Geosciences 62, Algorithm 2 ("improved": the cells inside a
 * depression skip the priority queue, only cells on rising ground pay for it). The queue is a
 * radix heap (radix-heap.ts): Priority-Flood pops keys in rising order, which it exploits.
 *
 * The edge rule: water leaves the model through the grid's edge and through nodata (NaN) cells, so
 * every cell with data on the edge or with a NaN among its 8 neighbours is an outlet and seeds the
 * flood. The grid is copied into one with a frame of NaN, so the edge is just more nodata and the
 * inner loop needs no bounds check. Neighbourhood: 8 (a depression drains through a diagonal gap).
 * This is exactly what SAGA "Fill Sinks (Wang & Liu)" with MINSLOPE=0 gives, and GRASS r.fill.dir
 * iterated until nothing changes where the DEM has no nodata (docs/reference/terrain-models.md).
 *
 * The result is the lowest surface at or above the DEM from which every cell has a non-ascending
 * 8-connected path to an outlet; it is unique, so the order equal keys leave the queue in does not
 * matter.
 */
import type { TerrainGrid } from '../../raster/grid.ts';
import { fillFramedByTiles } from './fill-depressions-tiled.ts';
import { RadixCellHeap } from './radix-heap.ts';
import { assertTerrain, invalidTerrainInput } from './terrain-input.ts';

export interface FillOptions {
  /**
   * Flood by tiles of this many cells a side (fill-depressions-tiled.ts), which keeps each flood
   * in the cache; 0 = in one piece. Default 512, used when the grid is over twice a tile's size.
   */
  tileSize?: number;
}

const DEFAULT_TILE = 512;

/** The DEM with its depressions filled flat; NaN cells stay NaN. The input is not changed. */
export function fillDepressions(dem: TerrainGrid, options: FillOptions = {}): Float32Array {
  assertTerrain(dem);
  const tileSize = options.tileSize ?? DEFAULT_TILE;
  if (!Number.isInteger(tileSize) || tileSize < 0 || tileSize === 1) throw invalidTerrainInput('tileSize', `must be 0 or a whole number ≥ 2, got ${tileSize}`, `须为 0 或不小于 2 的整数，实为 ${tileSize}`);
  const { width, height } = dem;
  const z = framed(dem);
  if (tileSize > 0 && (width > tileSize || height > tileSize) && (options.tileSize !== undefined || width * height > 2 * tileSize * tileSize)) {
    fillFramedByTiles(z, width, height, tileSize);
  } else {
    fillFramedInOnePiece(z, width, height);
  }
  return unframed(z, width, height);
}

/** Priority-Flood over the whole framed grid, in place. */
function fillFramedInOnePiece(z: Float32Array, width: number, height: number): void {
  const pw = width + 2;
  // closed: the cell's final level is known (or it is nodata / the frame)
  const closed = new Uint8Array(pw * (height + 2));
  const offsets = Int32Array.of(1, pw + 1, pw, pw - 1, -1, -pw - 1, -pw, -pw + 1);
  const heap = new RadixCellHeap();
  for (let i = 0; i < z.length; i++) if (z[i] !== z[i]) closed[i] = 1;
  for (let r = 1; r <= height; r++) {
    for (let i = r * pw + 1, end = r * pw + width; i <= end; i++) {
      if (closed[i] !== 0) continue;
      for (let k = 0; k < 8; k++) {
        const v = z[i + offsets[k]!]!;
        if (v !== v) {
          closed[i] = 1;
          heap.push(i, z[i]!);
          break;
        }
      }
    }
  }

  // cells raised to the level of the depression they are in: any order will do, so a stack
  let pit = new Int32Array(1 << 16);
  let top = 0;
  while (top > 0 || heap.size > 0) {
    const c = top > 0 ? pit[--top]! : heap.pop();
    const zc = z[c]!;
    for (let k = 0; k < 8; k++) {
      const ni = c + offsets[k]!;
      if (closed[ni] !== 0) continue;
      closed[ni] = 1;
      const zn = z[ni]!;
      if (zn <= zc) {
        z[ni] = zc;
        if (top === pit.length) {
          const grown = new Int32Array(top * 2);
          grown.set(pit);
          pit = grown;
        }
        pit[top++] = ni;
      } else {
        heap.push(ni, zn);
      }
    }
  }
}

/** The elevations in a grid one cell larger on every side, the frame NaN. */
function framed(dem: TerrainGrid): Float32Array {
  const { width, height, data } = dem;
  const pw = width + 2;
  const z = new Float32Array(pw * (height + 2)).fill(NaN);
  for (let r = 0; r < height; r++) z.set(data.subarray(r * width, (r + 1) * width), (r + 1) * pw + 1);
  return z;
}

function unframed(z: Float32Array, width: number, height: number): Float32Array {
  const pw = width + 2;
  const out = new Float32Array(width * height);
  for (let r = 0; r < height; r++) out.set(z.subarray((r + 1) * pw + 1, (r + 1) * pw + 1 + width), r * width);
  return out;
}
