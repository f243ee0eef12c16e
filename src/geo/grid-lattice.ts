/**
 * A uniform lattice over a set of polygons that answers "which polygon contains this point" in
 * one array read for most points. Every cell stores either
 *   - the one polygon that covers the whole cell and no other polygon comes near it (answer
 *     without any geometry),
 *   - nothing (no polygon touches the cell), or
 *   - a short candidate list, tested with the exact point-in-polygon rule in priority order.
 * This is the "cell is fully covered / needs a test" split of raster-accelerated PIP indexes
 * (e.g. Zalik & Kolingerova, "A cell-based point-in-polygon algorithm suitable for large sets of
 * points", 2001), applied to many polygons at once.
 *
 * Exactness: a cell is "covered" only if no edge of any polygon comes within EPS of it, and its
 * status is read at its centre, so the answer equals the brute-force rule for every point.
 */
import { storeContains, type PolygonStore } from './polygon-store.ts';

export interface GridLattice {
  readonly minX: number;
  readonly minY: number;
  readonly invCellW: number;
  readonly invCellH: number;
  readonly nx: number;
  readonly ny: number;
  /** >= 0: the covering item; -1: empty; <= -2: candidate list at lists[-v - 2] (count, items…). */
  readonly cells: Int32Array;
  readonly lists: Int32Array;
}

/** Returned by lookupGridLattice when no item contains the point. */
export const LATTICE_MISS = -1;

// Degrees; ~0.1 mm. Far above the rounding error of the cell arithmetic (~1e-13°), far below
// any real geometry.
const EPS = 1e-9;

/** A growable pair list (cell, value) without per-entry objects. */
class PairBuffer {
  cells: Int32Array;
  values: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.cells = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
  }
  push(cell: number, value: number): void {
    if (this.length === this.cells.length) {
      const cap = this.cells.length * 2;
      const c = new Int32Array(cap); c.set(this.cells); this.cells = c;
      const v = new Int32Array(cap); v.set(this.values); this.values = v;
    }
    this.cells[this.length] = cell;
    this.values[this.length] = value;
    this.length++;
  }
}

export interface LatticeOptions {
  /** Approximate number of cells; cells are square on the ground. Default 64 per item. */
  targetCells?: number;
}

/**
 * Builds the lattice over `items` (indices into `store`, ascending = priority order: when two
 * items contain a point, the lower index wins).
 */
export function buildGridLattice(store: PolygonStore, items: Int32Array, opts: LatticeOptions = {}): GridLattice {
  const bb = store.bbox;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const i of items) {
    if (!(bb[i * 4]! <= bb[i * 4 + 2]!)) continue;
    minX = Math.min(minX, bb[i * 4]!);
    minY = Math.min(minY, bb[i * 4 + 1]!);
    maxX = Math.max(maxX, bb[i * 4 + 2]!);
    maxY = Math.max(maxY, bb[i * 4 + 3]!);
  }
  if (!(minX <= maxX)) {
    return { minX: 0, minY: 0, invCellW: 0, invCellH: 0, nx: 0, ny: 0, cells: new Int32Array(0), lists: new Int32Array(0) };
  }
  minX -= 4 * EPS; minY -= 4 * EPS; maxX += 4 * EPS; maxY += 4 * EPS;
  const target = Math.max(1, Math.min(1 << 25, opts.targetCells ?? items.length * 64));
  // Square cells on the ground: a degree of longitude is cos(lat) of a degree of latitude.
  const kx = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const side = Math.sqrt(((maxX - minX) * kx * (maxY - minY)) / target);
  const nx = Math.max(1, Math.ceil(((maxX - minX) * kx) / side));
  const ny = Math.max(1, Math.ceil((maxY - minY) / side));
  const cellW = (maxX - minX) / nx;
  const cellH = (maxY - minY) / ny;
  const invCellW = 1 / cellW;
  const invCellH = 1 / cellH;
  const nCells = nx * ny;

  const stamp = new Int32Array(nCells);
  const pairs = new PairBuffer(Math.max(1024, items.length * 16));
  const c = store.coords;
  const rs = store.ringStart;
  const colOf = (x: number): number => Math.min(nx - 1, Math.max(0, Math.floor((x - minX) * invCellW)));
  const rowOf = (y: number): number => Math.min(ny - 1, Math.max(0, Math.floor((y - minY) * invCellH)));

  // Scratch for one item's scanline crossings (row, x).
  let crossRow = new Int32Array(1024);
  let crossX = new Float64Array(1024);

  for (const item of items) {
    const mark = item + 1;
    const r0 = store.itemRingStart[item]!, r1 = store.itemRingStart[item + 1]!;
    let nCross = 0;
    for (let r = r0; r < r1; r++) {
      const s = rs[r]! * 2, e = rs[r + 1]! * 2;
      if (e === s) continue;
      let ax = c[e - 2]!, ay = c[e - 1]!;
      for (let k = s; k < e; k += 2) {
        const bx = c[k]!, by = c[k + 1]!;
        // 1. Boundary: every cell the edge passes within EPS of, row by row.
        const lowY = Math.min(ay, by), highY = Math.max(ay, by);
        const rowA = rowOf(lowY - EPS), rowB = rowOf(highY + EPS);
        for (let row = rowA; row <= rowB; row++) {
          let xa: number, xb: number;
          if (highY - lowY <= EPS) {
            xa = Math.min(ax, bx); xb = Math.max(ax, bx);
          } else {
            const y0 = Math.max(lowY, minY + row * cellH - EPS);
            const y1 = Math.min(highY, minY + (row + 1) * cellH + EPS);
            const t = (bx - ax) / (by - ay);
            const p = ax + (y0 - ay) * t, q = ax + (y1 - ay) * t;
            xa = Math.min(p, q); xb = Math.max(p, q);
          }
          const colA = colOf(xa - EPS), colB = colOf(xb + EPS);
          const base = row * nx;
          for (let col = colA; col <= colB; col++) {
            const cell = base + col;
            if (stamp[cell] !== mark) {
              stamp[cell] = mark;
              pairs.push(cell, item * 2 + 1);
            }
          }
        }
        // 2. Crossings of the horizontal lines through row centres, with the half-open rule
        // of the point-in-polygon test.
        if (highY > lowY) {
          const first = Math.max(0, Math.ceil((lowY - minY) * invCellH - 0.5) - 1);
          const last = Math.min(ny - 1, Math.floor((highY - minY) * invCellH - 0.5) + 1);
          for (let row = first; row <= last; row++) {
            const yc = minY + (row + 0.5) * cellH;
            if (yc < lowY || yc >= highY) continue;
            if (nCross === crossRow.length) {
              const nr = new Int32Array(nCross * 2); nr.set(crossRow); crossRow = nr;
              const nxs = new Float64Array(nCross * 2); nxs.set(crossX); crossX = nxs;
            }
            crossRow[nCross] = row;
            crossX[nCross] = ay <= by
              ? ax + ((yc - ay) / (by - ay)) * (bx - ax)
              : bx + ((yc - by) / (ay - by)) * (ax - bx);
            nCross++;
          }
        }
        ax = bx; ay = by;
      }
    }
    // 3. Interior: cells between pairs of crossings on their centre line, not touched by an
    // edge, are entirely inside.
    if (nCross > 1) {
      const order = new Uint32Array(nCross);
      for (let i = 0; i < nCross; i++) order[i] = i;
      order.sort((p, q) => crossRow[p]! - crossRow[q]! || crossX[p]! - crossX[q]!);
      for (let i = 0; i + 1 < nCross; ) {
        const row = crossRow[order[i]!]!;
        let j = i;
        while (j < nCross && crossRow[order[j]!]! === row) j++;
        for (let k = i; k + 1 < j; k += 2) {
          const xa = crossX[order[k]!]!, xb = crossX[order[k + 1]!]!;
          const colA = Math.max(0, Math.ceil((xa - minX) * invCellW - 0.5));
          const colB = Math.min(nx - 1, Math.floor((xb - minX) * invCellW - 0.5));
          const base = row * nx;
          for (let col = colA; col <= colB; col++) {
            const cell = base + col;
            if (stamp[cell] !== mark) pairs.push(cell, item * 2);
          }
        }
        i = j;
      }
    }
  }

  // Group pairs by cell (counting sort keeps item order, i.e. priority, inside each cell).
  const start = new Int32Array(nCells + 1);
  for (let p = 0; p < pairs.length; p++) start[pairs.cells[p]! + 1]!++;
  for (let k = 0; k < nCells; k++) start[k + 1]! += start[k]!;
  const byCell = new Int32Array(pairs.length);
  const fill = start.slice(0, nCells);
  for (let p = 0; p < pairs.length; p++) byCell[fill[pairs.cells[p]!]!++] = pairs.values[p]!;

  const cells = new Int32Array(nCells);
  let listLength = 0;
  for (let k = 0; k < nCells; k++) {
    const n = start[k + 1]! - start[k]!;
    if (n > 1 || (n === 1 && (byCell[start[k]!]! & 1) === 1)) listLength += n + 1;
  }
  const lists = new Int32Array(listLength);
  let w = 0;
  for (let k = 0; k < nCells; k++) {
    const a = start[k]!, n = start[k + 1]! - a;
    if (n === 0) { cells[k] = -1; continue; }
    if (n === 1 && (byCell[a]! & 1) === 0) { cells[k] = byCell[a]! >> 1; continue; }
    cells[k] = -(w + 2);
    lists[w++] = n;
    // Items were processed in ascending order, so each cell's run is already sorted.
    for (let p = a; p < a + n; p++) lists[w++] = byCell[p]! >> 1;
  }
  return { minX, minY, invCellW, invCellH, nx, ny, cells, lists };
}

/** The item containing (x, y), or LATTICE_MISS when none does (or the point is off the lattice). */
export function lookupGridLattice(lattice: GridLattice, store: PolygonStore, x: number, y: number): number {
  const fx = (x - lattice.minX) * lattice.invCellW;
  const fy = (y - lattice.minY) * lattice.invCellH;
  if (!(fx >= 0 && fy >= 0 && fx < lattice.nx && fy < lattice.ny)) return LATTICE_MISS;
  const v = lattice.cells[(fy | 0) * lattice.nx + (fx | 0)]!;
  if (v >= 0) return v;
  if (v === -1) return LATTICE_MISS;
  const lists = lattice.lists;
  let p = -v - 2;
  const end = p + 1 + lists[p]!;
  for (p++; p < end; p++) {
    const item = lists[p]!;
    if (storeContains(store, item, x, y)) return item;
  }
  return LATTICE_MISS;
}
