/**
 * Priority-Flood over tiles — Barnes 2016, "Parallel Priority-Flood depression filling for trillion
 * cell digital elevation models", Computers & Geosciences 96 — run on one thread for the cache:
 * Priority-Flood visits a grid in elevation order, which on 16 M cells is a random walk through
 * 80 MB, and each visit misses the cache; a tile of 512 × 512 cells (1 MB of elevations) stays in it.
 *
 * 1. Each tile is flooded alone from its own border and its outlets (cells beside nodata or the
 *    grid's edge), every border cell a watershed label of its own, every outlet the label OCEAN;
 *    where two labels touch, the spill between them is the higher of the two cells' levels.
 * 2. Labels touching across tile seams are joined by the higher of the two cells. A minimax
 *    Dijkstra from OCEAN over this graph gives each label the level its water must reach to leave
 *    the grid; a border cell's true level is the larger of its elevation and its label's level.
 * 3. Each tile is flooded again from its border cells at their true levels: Priority-Flood with
 *    raised seeds gives every cell min over seeds of max(path, seed level) — the global answer.
 *
 * Equal cell for cell to the one-piece flood (the tests compare them on real and random DEMs).
 */
import { RadixCellHeap } from './radix-heap.ts';

const OCEAN = 1;

/** How a grid `width` × `height` is cut into tiles of `size` cells a side. */
export interface TileLayout {
  width: number;
  height: number;
  size: number;
  tilesX: number;
  tilesY: number;
}

export function tileLayout(width: number, height: number, tileSize: number): TileLayout {
  const size = Math.max(2, Math.floor(tileSize));
  const tilesX = Math.ceil(width / size);
  const tilesY = Math.ceil(height / size);
  if (labelCount({ width, height, size, tilesX, tilesY }) >= PAIR) throw new RangeError(`tiles of ${size} cells make too many border labels for a ${width} × ${height} grid`);
  return { width, height, size, tilesX, tilesY };
}

/** Labels are numbered per tile from a base of their own, so tiles can be labelled in any order, on any thread. */
function labelBase(layout: TileLayout, tile: number): number {
  return OCEAN + 1 + tile * 4 * layout.size;
}

export function labelCount(layout: TileLayout): number {
  return labelBase(layout, layout.tilesX * layout.tilesY);
}

/**
 * Fills `z`, a grid `width + 2` wide framed by one ring of NaN cells (so its inner cells are rows
 * and columns 1…height, 1…width), in place, on this thread.
 */
export function fillFramedByTiles(z: Float32Array, width: number, height: number, tileSize: number): void {
  const layout = tileLayout(width, height, tileSize);
  const label = new Int32Array(z.length);
  const tiles = Array.from({ length: layout.tilesX * layout.tilesY }, (_, t) => t);
  const spills = new SpillTable();
  labelTiles(z, label, layout, tiles, spills);
  const level = levelsOfLabels(z, label, layout, spills);
  finishTiles(z, label, layout, tiles, level);
}

/** Step 1 on some tiles: each flooded alone, its border labelled; touching labels go in `spills`. */
export function labelTiles(z: Float32Array, label: Int32Array, layout: TileLayout, tiles: Iterable<number>, spills: SpillTable): void {
  const pw = layout.width + 2;
  const local = new TileBuffers(Math.min(layout.size, layout.width), Math.min(layout.size, layout.height));
  for (const t of tiles) {
    const { r0, c0, tw, th } = tileBox(layout, t);
    local.load(z, pw, r0, c0, tw, th);
    local.flood(labelBase(layout, t), null, spills);
    local.store(z, label, pw, r0, c0);
  }
}

/** Step 2: the seams joined, and each label's level from a minimax Dijkstra. */
export function levelsOfLabels(z: Float32Array, label: Int32Array, layout: TileLayout, spills: SpillTable): Float64Array {
  joinAcrossSeams(z, label, layout.width, layout.height, layout.size, spills);
  return minimaxLevels(spills.spill, labelCount(layout));
}

/** Step 3 on some tiles: flooded again from their borders raised to their labels' levels. */
export function finishTiles(z: Float32Array, label: Int32Array, layout: TileLayout, tiles: Iterable<number>, level: Float64Array): void {
  const pw = layout.width + 2;
  const local = new TileBuffers(Math.min(layout.size, layout.width), Math.min(layout.size, layout.height));
  for (const t of tiles) {
    const { r0, c0, tw, th } = tileBox(layout, t);
    // a tile none of whose border cells is raised keeps its first flood: same seeds, same answer
    if (!borderRaised(z, label, pw, r0, c0, tw, th, level)) continue;
    local.load(z, pw, r0, c0, tw, th);
    local.loadLabels(label, pw, r0, c0);
    local.flood(0, level, null);
    local.store(z, null, pw, r0, c0);
  }
}

/** Whether a border cell of the tile lies below its label's level (outlets, label OCEAN, never do). */
function borderRaised(z: Float32Array, label: Int32Array, pw: number, r0: number, c0: number, tw: number, th: number, level: Float64Array): boolean {
  const below = (i: number): boolean => {
    const l = label[i]!;
    return l > OCEAN && level[l]! > z[i]!;
  };
  for (let c = c0; c < c0 + tw; c++) if (below(r0 * pw + c) || below((r0 + th - 1) * pw + c)) return true;
  for (let r = r0; r < r0 + th; r++) if (below(r * pw + c0) || below(r * pw + c0 + tw - 1)) return true;
  return false;
}

function tileBox(layout: TileLayout, tile: number): { r0: number; c0: number; tw: number; th: number } {
  const ty = Math.floor(tile / layout.tilesX);
  const tx = tile - ty * layout.tilesX;
  const { size, width, height } = layout;
  return { r0: 1 + ty * size, c0: 1 + tx * size, tw: Math.min(size, width - tx * size), th: Math.min(size, height - ty * size) };
}

/** One tile with a ring of its neighbours' cells around it (closed: the flood stays inside). */
class TileBuffers {
  readonly z: Float32Array;
  readonly closed: Uint8Array;
  readonly label: Int32Array;
  readonly heap = new RadixCellHeap();
  stack = new Int32Array(1 << 12);
  lw = 0;
  tw = 0;
  th = 0;

  constructor(maxW: number, maxH: number) {
    const cells = (maxW + 2) * (maxH + 2);
    this.z = new Float32Array(cells);
    this.closed = new Uint8Array(cells);
    this.label = new Int32Array(cells);
  }

  load(z: Float32Array, pw: number, r0: number, c0: number, tw: number, th: number): void {
    this.tw = tw;
    this.th = th;
    const lw = (this.lw = tw + 2);
    for (let r = -1; r <= th; r++) {
      const from = (r0 + r) * pw + c0 - 1;
      this.z.set(z.subarray(from, from + lw), (r + 1) * lw);
    }
    this.closed.fill(1, 0, lw * (th + 2));
    this.label.fill(0, 0, lw * (th + 2));
    for (let r = 1; r <= th; r++) {
      for (let i = r * lw + 1, end = r * lw + tw; i <= end; i++) if (this.z[i] === this.z[i]) this.closed[i] = 0;
    }
  }

  loadLabels(label: Int32Array, pw: number, r0: number, c0: number): void {
    for (let r = 1; r <= this.th; r++) {
      const from = (r0 + r - 1) * pw + c0;
      this.label.set(label.subarray(from, from + this.tw), r * this.lw + 1);
    }
  }

  store(z: Float32Array, label: Int32Array | null, pw: number, r0: number, c0: number): void {
    for (let r = 1; r <= this.th; r++) {
      const to = (r0 + r - 1) * pw + c0;
      z.set(this.z.subarray(r * this.lw + 1, r * this.lw + 1 + this.tw), to);
      if (label) label.set(this.label.subarray(r * this.lw + 1, r * this.lw + 1 + this.tw), to);
    }
  }

  /**
   * Priority-Flood inside the tile from its outlets and its border. Labelling run (`level` null):
   * border cells get new labels from `nextLabel`, and touching labels are recorded in `edges`.
   * Final run (`level` given): border cells start at max(elevation, level of their label).
   */
  flood(nextLabel: number, level: Float64Array | null, edges: SpillTable | null): void {
    const { z, closed, label, heap, lw, tw, th } = this;
    const offsets = Int32Array.of(1, lw + 1, lw, lw - 1, -1, -lw - 1, -lw, -lw + 1);
    heap.reset();
    for (let r = 1; r <= th; r++) {
      const border = r === 1 || r === th;
      for (let c = 1; c <= tw; c++) {
        const i = r * lw + c;
        if (closed[i] !== 0) continue;
        let outlet = false;
        for (let k = 0; k < 8; k++) {
          const v = z[i + offsets[k]!]!;
          if (v !== v) {
            outlet = true;
            break;
          }
        }
        if (outlet) {
          if (!level) label[i] = OCEAN;
        } else if (border || c === 1 || c === tw) {
          if (!level) label[i] = nextLabel++;
          else {
            const l = level[label[i]!]!;
            if (l > z[i]!) z[i] = l;
          }
        } else continue;
        closed[i] = 1;
        heap.push(i, z[i]!);
      }
    }
    let stack = this.stack;
    let top = 0;
    while (top > 0 || heap.size > 0) {
      const c = top > 0 ? stack[--top]! : heap.pop();
      const zc = z[c]!;
      const lc = label[c]!;
      for (let k = 0; k < 8; k++) {
        const ni = c + offsets[k]!;
        if (closed[ni] !== 0) {
          if (edges) {
            const ln = label[ni]!;
            if (ln !== 0 && ln !== lc) edges.record(lc, ln, zc > z[ni]! ? zc : z[ni]!);
          }
          continue;
        }
        closed[ni] = 1;
        label[ni] = lc;
        const zn = z[ni]!;
        if (zn <= zc) {
          z[ni] = zc;
          if (top === stack.length) {
            const grown = new Int32Array(top * 2);
            grown.set(stack);
            this.stack = stack = grown;
          }
          stack[top++] = ni;
        } else {
          heap.push(ni, zn);
        }
      }
    }
  }
}

// labels stay below 2^26, so a pair packs exactly into one double
const PAIR = 2 ** 26;

/** The lowest spill found between each two labels that touch. */
export class SpillTable {
  readonly spill = new Map<number, number>();
  // the last pair recorded: contacts come in runs along a watershed line, so most repeat it
  #lastKey = -1;
  #lastSpill = 0;

  record(a: number, b: number, spill: number): void {
    const key = a < b ? a * PAIR + b : b * PAIR + a;
    if (key === this.#lastKey && spill >= this.#lastSpill) return;
    const old = this.spill.get(key);
    if (old === undefined || spill < old) {
      this.spill.set(key, spill);
      this.#lastSpill = spill;
    } else this.#lastSpill = old;
    this.#lastKey = key;
  }

  /** The table as two arrays (pair keys, spills), to send to another thread. */
  toArrays(): { keys: Float64Array<ArrayBuffer>; spills: Float64Array<ArrayBuffer> } {
    const keys = new Float64Array(this.spill.size);
    const spills = new Float64Array(this.spill.size);
    let i = 0;
    for (const [k, v] of this.spill) {
      keys[i] = k;
      spills[i++] = v;
    }
    return { keys, spills };
  }

  /** Takes in another table's arrays, keeping the lower spill of a pair both have. */
  merge(keys: Float64Array, spills: Float64Array): void {
    for (let i = 0; i < keys.length; i++) {
      const old = this.spill.get(keys[i]!);
      if (old === undefined || spills[i]! < old) this.spill.set(keys[i]!, spills[i]!);
    }
  }
}

/** Cells facing each other across a tile seam (8 neighbours) join their labels. */
function joinAcrossSeams(z: Float32Array, label: Int32Array, width: number, height: number, size: number, edges: SpillTable): void {
  const pw = width + 2;
  const join = (a: number, b: number): void => {
    const la = label[a]!;
    const lb = label[b]!;
    if (la === 0 || lb === 0 || la === lb) return;
    const za = z[a]!;
    const zb = z[b]!;
    edges.record(la, lb, za > zb ? za : zb);
  };
  // vertical seams: column c (last of a tile) against column c + 1
  for (let c = size; c < width; c += size) {
    for (let r = 1; r <= height; r++) {
      const a = r * pw + c;
      for (let dr = -1; dr <= 1; dr++) if (r + dr >= 1 && r + dr <= height) join(a, a + dr * pw + 1);
    }
  }
  // horizontal seams: row r (last of a tile) against row r + 1
  for (let r = size; r < height; r += size) {
    for (let c = 1; c <= width; c++) {
      const a = r * pw + c;
      for (let dc = -1; dc <= 1; dc++) if (c + dc >= 1 && c + dc <= width) join(a, a + pw + dc);
    }
  }
}

/** For each label, the lowest level at which its water reaches OCEAN (minimax path, Dijkstra). */
function minimaxLevels(edges: Map<number, number>, labels: number): Float64Array {
  const degree = new Int32Array(labels + 1);
  for (const key of edges.keys()) {
    degree[Math.floor(key / PAIR)]!++;
    degree[key % PAIR]!++;
  }
  const start = new Int32Array(labels + 1);
  for (let i = 0; i < labels; i++) start[i + 1] = start[i]! + degree[i]!;
  const to = new Int32Array(start[labels]!);
  const weight = new Float64Array(start[labels]!);
  const fillAt = start.slice(0, labels);
  for (const [key, w] of edges) {
    const a = Math.floor(key / PAIR);
    const b = key % PAIR;
    to[fillAt[a]!] = b;
    weight[fillAt[a]!++] = w;
    to[fillAt[b]!] = a;
    weight[fillAt[b]!++] = w;
  }
  const level = new Float64Array(labels).fill(Infinity);
  const done = new Uint8Array(labels);
  level[OCEAN] = -Infinity;
  // a binary heap of (level, label) with stale entries skipped: labels are few
  const heapLevel: number[] = [-Infinity];
  const heapLabel: number[] = [OCEAN];
  while (heapLabel.length > 0) {
    const u = heapLabel[0]!;
    const lu = heapLevel[0]!;
    const lastLabel = heapLabel.pop()!;
    const lastLevel = heapLevel.pop()!;
    if (heapLabel.length > 0) siftDown(heapLevel, heapLabel, lastLevel, lastLabel);
    if (done[u] !== 0 || lu > level[u]!) continue;
    done[u] = 1;
    for (let e = start[u]!; e < start[u + 1]!; e++) {
      const v = to[e]!;
      const cand = Math.max(lu, weight[e]!);
      if (cand < level[v]!) {
        level[v] = cand;
        siftUp(heapLevel, heapLabel, cand, v);
      }
    }
  }
  return level;
}

function siftUp(keys: number[], values: number[], key: number, value: number): void {
  let i = keys.length;
  keys.push(key);
  values.push(value);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (keys[p]! <= key) break;
    keys[i] = keys[p]!;
    values[i] = values[p]!;
    i = p;
  }
  keys[i] = key;
  values[i] = value;
}

function siftDown(keys: number[], values: number[], key: number, value: number): void {
  const n = keys.length;
  let i = 0;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && keys[child + 1]! < keys[child]!) child++;
    if (keys[child]! >= key) break;
    keys[i] = keys[child]!;
    values[i] = values[child]!;
    i = child;
  }
  keys[i] = key;
  values[i] = value;
}
