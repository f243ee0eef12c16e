/**
 * A static lake (静态淹没, "bathtub" with connectivity): from a seed cell, the cells connected to it
 * through cells lower than the water level are under water, to the depth level − ground.
 *
 * This is exactly GRASS `r.lake` (raster/r.lake/main.c): 8-connected through the 3×3 window, a
 * cell strictly below the level floods (a cell at the level stays dry), the level is read as a
 * Float32 like the elevations, and the depth is the Float32 difference. r.lake sweeps the grid back
 * and forth until nothing changes; here one breadth-first pass from the seed gives the same set in
 * time proportional to the lake. One difference, documented in docs/reference/terrain-models.md:
 * r.lake's 3×3 window never reads the grid's last column, so a lake there does not spread
 * through it; here it does.
 */
import type { TerrainGrid } from '../../raster/grid.ts';
import { assertSeedCell, assertTerrain, invalidTerrainInput, type CellPosition } from './terrain-input.ts';

export interface LakeResult {
  /** water depth in metres: > 0 in the lake, 0 on dry ground, NaN where the DEM has no data */
  depth: Float32Array;
  /** cells under water */
  cells: number;
  /** area under water, m² (cells × dx × dy) */
  areaM2: number;
  /** volume of water, m³ (Σ depth × dx × dy) */
  volumeM3: number;
}

/** The lake at `levelM` (metres, the DEM's datum) that reaches the seed cell. */
export function lakeFill(dem: TerrainGrid, seed: CellPosition, levelM: number): LakeResult {
  assertTerrain(dem);
  if (typeof levelM !== 'number' || !Number.isFinite(levelM)) throw invalidTerrainInput('levelM', `must be a water level in metres, got ${levelM}`, `须为以米计的水位，实为 ${levelM}`);
  if (levelM < 0) throw invalidTerrainInput('levelM', `must not be negative, got ${levelM}`, `不能为负数，实为 ${levelM}`);
  const start = assertSeedCell(dem, seed);
  const { width, height, data: z } = dem;
  const level = Math.fround(levelM);
  const ground = z[start]!;
  if (!(ground < level)) {
    throw invalidTerrainInput('levelM', `${levelM} m is not above the ground at the seed cell (${seed.col}, ${seed.row}), ${ground} m`, `${levelM} 米不高于起始格网 (${seed.col}, ${seed.row}) 的地面高程 ${ground} 米`);
  }

  const n = width * height;
  const depth = new Float32Array(n);
  for (let i = 0; i < n; i++) if (z[i] !== z[i]) depth[i] = NaN;
  // visited cells, wet or dry, so each is looked at once
  const seen = new Uint8Array(n);
  let queue = new Int32Array(Math.min(n, 1 << 16));
  let head = 0;
  let tail = 0;
  queue[tail++] = start;
  seen[start] = 1;
  let volume = 0;
  const lastRow = height - 1;
  const lastCol = width - 1;

  while (head < tail) {
    const c = queue[head++]!;
    const d = Math.fround(level - z[c]!);
    depth[c] = d;
    volume += d;
    const row = (c / width) | 0;
    const col = c - row * width;
    const r0 = row > 0 ? row - 1 : 0;
    const r1 = row < lastRow ? row + 1 : lastRow;
    const c0 = col > 0 ? col - 1 : 0;
    const c1 = col < lastCol ? col + 1 : lastCol;
    for (let r = r0; r <= r1; r++) {
      const base = r * width;
      for (let cc = c0; cc <= c1; cc++) {
        const ni = base + cc;
        if (seen[ni] !== 0) continue;
        seen[ni] = 1;
        // NaN fails the comparison: nodata stays dry and stops the water
        if (z[ni]! < level) {
          if (tail === queue.length) {
            // every cell enters once, so the queue never needs more than n slots
            const bigger = new Int32Array(Math.min(n, queue.length * 2));
            bigger.set(queue);
            queue = bigger;
          }
          queue[tail++] = ni;
        }
      }
    }
  }
  const cellArea = dem.dx * dem.dy;
  return { depth, cells: tail, areaM2: tail * cellArea, volumeM3: volume * cellArea };
}
