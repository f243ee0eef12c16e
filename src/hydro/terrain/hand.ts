/**
 * Height Above the Nearest Drainage (HAND; Rennó et al. 2008, Nobre et al. 2011): each cell's
 * elevation minus that of the first stream cell its D8 path meets. With a river stage h on a
 * reach, the cells draining to that reach whose HAND is below h are under water, h − HAND deep —
 * the static river-flood map of NOAA's OWP HAND/FIM and of Zheng et al. 2018.
 *
 * Pass the filled DEM the directions came from: on it every path descends (or runs flat), so HAND
 * is ≥ 0; on the raw DEM a cell in a pit below its stream would get a negative HAND.
 */
import type { TerrainGrid } from '../../raster/grid.ts';
import { nearestDrainage } from './flow-accumulation.ts';
import { assertCellArray, assertTerrain, invalidTerrainInput } from './terrain-input.ts';

/** HAND in metres; 0 on the streams; NaN on nodata and where the path meets no stream. */
export function heightAboveNearestDrainage(dem: TerrainGrid, dirs: Int8Array, streamCells: Uint8Array): Float32Array {
  assertTerrain(dem);
  const drainage = nearestDrainage(dirs, streamCells, dem);
  return handFromDrainage(dem.data, drainage);
}

/** HAND from the drainage cells (nearestDrainage), when the caller has them already. */
export function handFromDrainage(z: Float32Array, drainage: Int32Array): Float32Array {
  const hand = new Float32Array(z.length);
  for (let i = 0; i < z.length; i++) {
    const d = drainage[i]!;
    hand[i] = d >= 0 ? z[i]! - z[d]! : NaN;
  }
  return hand;
}

/**
 * Water depth for a river stage `stageM` (metres above the stream bed) on a reach: > 0 where a
 * cell drains to a cell of `reachMask` and its HAND is below the stage, 0 elsewhere; NaN where
 * HAND is NaN. `drainage` is nearestDrainage of the same directions and streams as `hand`.
 */
export function handInundation(hand: Float32Array, drainage: Int32Array, reachMask: Uint8Array, stageM: number): Float32Array {
  const shape = { width: hand.length, height: 1 };
  assertCellArray(drainage, shape, 'drainage');
  assertCellArray(reachMask, shape, 'reachMask');
  if (typeof stageM !== 'number' || !Number.isFinite(stageM)) throw invalidTerrainInput('stageM', `must be a river stage in metres, got ${stageM}`, `须为以米计的河道水位，实为 ${stageM}`);
  if (stageM < 0) throw invalidTerrainInput('stageM', `must not be negative, got ${stageM}`, `不能为负数，实为 ${stageM}`);
  const stage = Math.fround(stageM);
  const depth = new Float32Array(hand.length);
  for (let i = 0; i < hand.length; i++) {
    const h = hand[i]!;
    if (h !== h) depth[i] = NaN;
    else if (h < stage) {
      const d = drainage[i]!;
      if (d >= 0 && reachMask[d] !== 0) depth[i] = stage - h;
    }
  }
  return depth;
}
