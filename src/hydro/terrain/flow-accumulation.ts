/**
 * What follows from D8 directions (d8.ts): the cells in topological order, the flow accumulation
 * (how many cells drain through each), the stream cells above a threshold, and for each cell the
 * stream cell it drains to first. All iterative over an explicit order — no recursion, so a
 * 16 M-cell river does not overflow the stack.
 */
import { D8_DCOL, D8_DROW, D8_NODATA } from './d8.ts';
import { assertCellArray, assertGridShape, invalidTerrainInput, type GridShape } from './terrain-input.ts';

/**
 * The cells with data, each after every cell that drains into it (Kahn's algorithm on the
 * in-degrees). Refuses a direction that leaves the grid or enters nodata, and a cycle.
 */
export function flowOrder(dirs: Int8Array, shape: GridShape): Int32Array {
  assertGridShape(shape);
  assertCellArray(dirs, shape, 'dirs');
  const { width, height } = shape;
  const n = width * height;
  const target = downstreamCells(dirs, width, height);
  const inflow = new Uint8Array(n);
  let cells = 0;
  for (let i = 0; i < n; i++) {
    if (dirs[i] === D8_NODATA) continue;
    cells++;
    const t = target[i]!;
    if (t >= 0) inflow[t]!++;
  }
  const order = new Int32Array(cells);
  let tail = 0;
  for (let i = 0; i < n; i++) if (dirs[i] !== D8_NODATA && inflow[i] === 0) order[tail++] = i;
  for (let head = 0; head < tail; head++) {
    const t = target[order[head]!]!;
    if (t >= 0 && --inflow[t]! === 0) order[tail++] = t;
  }
  if (tail !== cells) throw invalidTerrainInput('dirs', `${cells - tail} cells drain in a cycle`, `${cells - tail} 个格网的流向构成环路`);
  return order;
}

/** The cell each cell drains into, −1 where the path ends (outlet, sink, nodata). */
function downstreamCells(dirs: Int8Array, width: number, height: number): Int32Array {
  const target = new Int32Array(dirs.length);
  for (let i = 0; i < dirs.length; i++) {
    const d = dirs[i]!;
    if (d < 0 || d > 7) {
      if (d !== D8_NODATA && d !== 8 && d !== 9) throw invalidTerrainInput('dirs', `cell ${i} has the code ${d}, not a D8 code (−1…9)`, `格网 ${i} 的流向码 ${d} 不是 D8 码（−1…9）`);
      target[i] = -1;
      continue;
    }
    const row = (i / width) | 0;
    const r = row + D8_DROW[d]!;
    const c = i - row * width + D8_DCOL[d]!;
    if (r < 0 || r >= height || c < 0 || c >= width) throw invalidTerrainInput('dirs', `cell ${i} drains off the grid`, `格网 ${i} 的流向指出格网之外`);
    const t = r * width + c;
    if (dirs[t] === D8_NODATA) throw invalidTerrainInput('dirs', `cell ${i} drains into nodata`, `格网 ${i} 的流向指向无数据格网`);
    target[i] = t;
  }
  return target;
}

/**
 * Cells draining through each cell, itself included (or the sum of `weights` over them, e.g. a
 * rain depth per cell); NaN on nodata.
 */
export function flowAccumulation(dirs: Int8Array, shape: GridShape, weights?: Float32Array): Float32Array {
  const order = flowOrder(dirs, shape);
  if (weights) assertCellArray(weights, shape, 'weights');
  const { width, height } = shape;
  const target = downstreamCells(dirs, width, height);
  const acc = new Float32Array(width * height).fill(NaN);
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    acc[i] = weights ? weights[i]! : 1;
  }
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const t = target[i]!;
    if (t >= 0) acc[t] = acc[t]! + acc[i]!;
  }
  return acc;
}

/** 1 where at least `thresholdCells` cells drain through the cell (a stream), else 0. */
export function streams(acc: Float32Array, thresholdCells: number): Uint8Array {
  if (typeof thresholdCells !== 'number' || !(thresholdCells > 0) || !Number.isFinite(thresholdCells)) {
    throw invalidTerrainInput('thresholdCells', `must be a positive number of cells, got ${thresholdCells}`, `须为正的格网数，实为 ${thresholdCells}`);
  }
  const out = new Uint8Array(acc.length);
  for (let i = 0; i < acc.length; i++) if (acc[i]! >= thresholdCells) out[i] = 1;
  return out;
}

/**
 * For each cell, the index of the first stream cell on its flow path (itself if it is one); −1
 * where the path leaves the grid or ends in a sink before meeting a stream, and on nodata.
 */
export function nearestDrainage(dirs: Int8Array, streamCells: Uint8Array, shape: GridShape): Int32Array {
  const order = flowOrder(dirs, shape);
  assertCellArray(streamCells, shape, 'streams');
  const target = downstreamCells(dirs, shape.width, shape.height);
  const drainage = new Int32Array(dirs.length).fill(-1);
  // downstream first: a cell's drainage is known before the cells above it ask for it
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k]!;
    if (streamCells[i] !== 0) drainage[i] = i;
    else {
      const t = target[i]!;
      if (t >= 0) drainage[i] = drainage[t]!;
    }
  }
  return drainage;
}
