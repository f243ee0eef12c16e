/**
 * D8 flow directions (O'Callaghan & Mark 1984): each cell drains to the neighbour of steepest
 * descent, drop / distance with the diagonal √(dx² + dy²) long; a tie goes to the first in code
 * order (E, SE, S, … — d8.ts). Meant for a filled DEM (fill-depressions.ts).
 *
 * Flats — cells with no lower neighbour that are not outlets, which filling makes of every
 * depression — drain towards the nearest cell of the flat that can descend: a breadth-first search
 * from those cells over the flat, each cell pointing at the one it was reached from. This is the
 * "towards lower terrain" half of Garbrecht & Martz 1997 (and of Barnes, Lehman & Mulla 2014,
 * "An efficient assignment of drainage direction over flat surfaces"), without their "away from
 * higher terrain" gradient: paths across a flat are shortest in cells, so they may hug its edge.
 * A cell on the grid's edge or beside nodata with no lower neighbour is an outlet (D8_OUTLET); a
 * pit the search cannot reach (an unfilled DEM) is a sink (D8_SINK).
 */
import type { TerrainGrid } from '../../raster/grid.ts';
import { CellQueue } from './cell-queue.ts';
import { D8_DCOL, D8_DROW, D8_NODATA, D8_OUTLET, D8_SINK, d8Opposite } from './d8.ts';
import { assertTerrain } from './terrain-input.ts';

const UNRESOLVED = 127;

export function flowDirections(filled: TerrainGrid): Int8Array {
  assertTerrain(filled, 'filled');
  const { width, height, data: z, dx, dy } = filled;
  const n = width * height;
  const dirs = new Int8Array(n);
  const diagonal = Math.hypot(dx, dy);
  const distance = Float64Array.of(dx, diagonal, dy, diagonal, dx, diagonal, dy, diagonal);
  const lastRow = height - 1;
  const lastCol = width - 1;
  let unresolved = 0;

  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const i = row * width + col;
      const zc = z[i]!;
      if (zc !== zc) {
        dirs[i] = D8_NODATA;
        continue;
      }
      let best = -1;
      let steepest = 0;
      let outlet = row === 0 || col === 0 || row === lastRow || col === lastCol;
      for (let k = 0; k < 8; k++) {
        const r = row + D8_DROW[k]!;
        const c = col + D8_DCOL[k]!;
        if (r < 0 || r > lastRow || c < 0 || c > lastCol) continue;
        const zn = z[r * width + c]!;
        if (zn !== zn) {
          outlet = true;
          continue;
        }
        const slope = (zc - zn) / distance[k]!;
        if (slope > steepest) {
          steepest = slope;
          best = k;
        }
      }
      if (best >= 0) dirs[i] = best;
      else if (outlet) dirs[i] = D8_OUTLET;
      else {
        dirs[i] = UNRESOLVED;
        unresolved++;
      }
    }
  }
  if (unresolved > 0) resolveFlats(z, dirs, width, height);
  return dirs;
}

/** Breadth-first from the cells that drain over each flat; what stays unreached is a sink. */
function resolveFlats(z: Float32Array, dirs: Int8Array, width: number, height: number): void {
  const queue = new CellQueue(1024);
  const lastRow = height - 1;
  const lastCol = width - 1;
  // the seeds: cells that drain already and touch an unresolved cell of the same elevation
  for (let i = 0; i < dirs.length; i++) {
    if (dirs[i] !== UNRESOLVED) continue;
    const row = (i / width) | 0;
    const col = i - row * width;
    for (let k = 0; k < 8; k++) {
      const r = row + D8_DROW[k]!;
      const c = col + D8_DCOL[k]!;
      if (r < 0 || r > lastRow || c < 0 || c > lastCol) continue;
      const ni = r * width + c;
      const d = dirs[ni]!;
      if (d >= 0 && d <= D8_OUTLET && z[ni] === z[i]) {
        // mark the seed so it is queued once; its own direction is restored when it is taken
        dirs[ni] = d - 16;
        queue.push(ni);
      }
    }
  }
  while (queue.size > 0) {
    const c = queue.shift();
    if (dirs[c]! < -1) dirs[c] = dirs[c]! + 16;
    const row = (c / width) | 0;
    const col = c - row * width;
    for (let k = 0; k < 8; k++) {
      const r = row + D8_DROW[k]!;
      const cc = col + D8_DCOL[k]!;
      if (r < 0 || r > lastRow || cc < 0 || cc > lastCol) continue;
      const ni = r * width + cc;
      if (dirs[ni] !== UNRESOLVED || z[ni] !== z[c]) continue;
      dirs[ni] = d8Opposite(k);
      queue.push(ni);
    }
  }
  for (let i = 0; i < dirs.length; i++) if (dirs[i] === UNRESOLVED) dirs[i] = D8_SINK;
}
