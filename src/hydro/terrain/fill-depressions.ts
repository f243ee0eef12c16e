/**
 * Depressions filled flat (minimum slope 0) by Priority-Flood — Barnes, Lehman & Mulla 2014,
 * "Priority-Flood: An optimal depression-filling and watershed-labeling algorithm for digital
 * elevation models", Computers & Geosciences 62, Algorithm 2 ("improved": a plain FIFO for the
 * cells inside a depression, so only cells on rising ground pay for the heap).
 *
 * The edge rule: water leaves the model through the grid's edge and through nodata (NaN) cells, so
 * every cell with data on the edge or with a NaN among its 8 neighbours is an outlet and seeds the
 * flood. Neighbourhood: 8 (a depression drains through a diagonal gap). This is exactly what SAGA
 * "Fill Sinks (Wang & Liu)" with MINSLOPE=0 and GRASS r.fill.dir (iterated until nothing changes)
 * give on the whitebox sample DEM — see docs/reference/terrain-models.md and the fixture test.
 *
 * The result is the lowest surface at or above the DEM from which every cell has a non-ascending
 * 8-connected path to an outlet; it is unique, so the order equal keys leave the heap in does not
 * matter.
 */
import type { TerrainGrid } from '../../raster/grid.ts';
import { CellHeap, CellQueue } from './cell-heap.ts';
import { assertTerrain } from './terrain-input.ts';

/** Neighbour index offsets in D8 code order (see d8.ts) for a grid `width` wide. */
export function neighbourOffsets(width: number): Int32Array {
  return Int32Array.of(1, width + 1, width, width - 1, -1, -width - 1, -width, -width + 1);
}

/** Marks the outlets (edge or beside nodata) as closed and puts them on the heap; nodata cells are closed too. */
export function seedOutlets(z: Float32Array, width: number, height: number, closed: Uint8Array, heap: CellHeap): void {
  const n = width * height;
  const seed = (i: number): void => {
    if (closed[i] === 0) {
      closed[i] = 1;
      heap.push(i, z[i]!);
    }
  };
  const nodata: number[] = [];
  for (let i = 0; i < n; i++) {
    if (z[i] !== z[i]) {
      closed[i] = 1;
      nodata.push(i);
    }
  }
  for (let col = 0; col < width; col++) {
    seed(col);
    seed((height - 1) * width + col);
  }
  for (let row = 1; row < height - 1; row++) {
    seed(row * width);
    seed(row * width + width - 1);
  }
  for (const i of nodata) {
    const row = (i / width) | 0;
    const col = i - row * width;
    for (let dr = -1; dr <= 1; dr++) {
      const r = row + dr;
      if (r < 0 || r >= height) continue;
      for (let dc = -1; dc <= 1; dc++) {
        const c = col + dc;
        if (c < 0 || c >= width) continue;
        seed(r * width + c);
      }
    }
  }
}

/** The DEM with its depressions filled flat; NaN cells stay NaN. The input is not changed. */
export function fillDepressions(dem: TerrainGrid): Float32Array {
  assertTerrain(dem);
  const { width, height } = dem;
  const z = new Float32Array(dem.data);
  const closed = new Uint8Array(width * height);
  const heap = new CellHeap(4 * (width + height));
  const pit = new CellQueue(1024);
  seedOutlets(z, width, height, closed, heap);
  const offsets = neighbourOffsets(width);
  const lastRow = height - 1;
  const lastCol = width - 1;

  while (pit.size > 0 || heap.size > 0) {
    const c = pit.size > 0 ? pit.shift() : heap.pop();
    const zc = z[c]!;
    const row = (c / width) | 0;
    const col = c - row * width;
    const interior = row > 0 && row < lastRow && col > 0 && col < lastCol;
    for (let k = 0; k < 8; k++) {
      let ni: number;
      if (interior) {
        ni = c + offsets[k]!;
      } else {
        const r = row + (k === 0 || k === 4 ? 0 : k < 4 ? 1 : -1);
        const cc = col + (k === 2 || k === 6 ? 0 : k === 0 || k === 1 || k === 7 ? 1 : -1);
        if (r < 0 || r > lastRow || cc < 0 || cc > lastCol) continue;
        ni = r * width + cc;
      }
      if (closed[ni] !== 0) continue;
      closed[ni] = 1;
      const zn = z[ni]!;
      if (zn <= zc) {
        z[ni] = zc;
        pit.push(ni);
      } else {
        heap.push(ni, zn);
      }
    }
  }
  return z;
}
