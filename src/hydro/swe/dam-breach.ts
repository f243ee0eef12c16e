/**
 * The dam as data (水库溃坝): the crest line is burnt into the terrain, the reservoir filled behind
 * it, and the breach — sudden or gradual — lowers the crest cells as the run goes.
 *
 * Positions are fractional cell coordinates: (col, row) lies in cell (⌊col⌋, ⌊row⌋), as
 * `cellAt` of src/raster/grid.ts gives. The line is rasterised as a 4-connected "supercover"
 * (every cell the segment touches), so water cannot slip diagonally between two crest cells.
 */
import { CityLoopError } from '../../errors.ts';
import type { DamBreakInput, TerrainGrid } from '../model-contracts.ts';

export interface DamCells {
  /** crest cells, ordered along the line */
  cells: Int32Array;
  /** distance of each crest cell's centre along the line from its start, metres */
  along: Float64Array;
  /** the terrain under each crest cell before the dam was burnt in (NaN = outside) */
  groundM: Float64Array;
  /** length of the crest line, metres */
  lengthM: number;
}

function outside(field: string, col: number, row: number, t: TerrainGrid): CityLoopError {
  return new CityLoopError('VALIDATION_FAILED', {
    detail: `${field} (col ${col}, row ${row}) lies outside the raster (${t.width} × ${t.height} cells)`,
  });
}

/** Check the dam's fields against the raster; throws VALIDATION_FAILED naming the field. */
export function assertDamInside(dam: DamBreakInput, t: TerrainGrid): void {
  if (!Array.isArray(dam.crestLine) || dam.crestLine.length < 2) {
    throw new CityLoopError('VALIDATION_FAILED', { detail: 'dam.crestLine needs at least two points' });
  }
  dam.crestLine.forEach((p, k) => {
    if (!Number.isFinite(p.col) || !Number.isFinite(p.row) || p.col < 0 || p.row < 0 || p.col >= t.width || p.row >= t.height) {
      throw outside(`dam.crestLine[${k}]`, p.col, p.row, t);
    }
  });
  const s = dam.reservoirSide;
  if (!Number.isFinite(s.col) || !Number.isFinite(s.row) || s.col < 0 || s.row < 0 || s.col >= t.width || s.row >= t.height) {
    throw outside('dam.reservoirSide', s.col, s.row, t);
  }
  for (const key of ['crestLevelM', 'reservoirLevelM'] as const) {
    if (!Number.isFinite(dam[key])) throw new CityLoopError('VALIDATION_FAILED', { detail: `dam.${key} must be a number` });
  }
  if (dam.breach.mode === 'gradual') {
    const b = dam.breach;
    if (!(b.centre >= 0 && b.centre <= 1)) throw new CityLoopError('VALIDATION_FAILED', { detail: 'dam.breach.centre must lie in 0..1' });
    if (!(b.finalWidthM > 0)) throw new CityLoopError('VALIDATION_FAILED', { detail: 'dam.breach.finalWidthM must be > 0' });
    if (!(b.formationS > 0)) throw new CityLoopError('VALIDATION_FAILED', { detail: 'dam.breach.formationS must be > 0' });
    if (!Number.isFinite(b.finalBottomM)) throw new CityLoopError('VALIDATION_FAILED', { detail: 'dam.breach.finalBottomM must be a number' });
  }
}

/** The cells the crest line touches (supercover, Amanatides & Woo traversal), in order along it. */
export function crestCells(dam: DamBreakInput, t: TerrainGrid): DamCells {
  assertDamInside(dam, t);
  const seen = new Set<number>();
  const cells: number[] = [];
  const along: number[] = [];
  let walked = 0;
  const pts = dam.crestLine;
  for (let k = 0; k + 1 < pts.length; k++) {
    const p = pts[k]!;
    const q = pts[k + 1]!;
    const segX = (q.col - p.col) * t.dx;
    const segY = (q.row - p.row) * t.dy;
    const segLen = Math.hypot(segX, segY);
    let c = Math.floor(p.col);
    let r = Math.floor(p.row);
    const endC = Math.floor(q.col);
    const endR = Math.floor(q.row);
    const dc = q.col - p.col;
    const dr = q.row - p.row;
    const stepC = dc > 0 ? 1 : -1;
    const stepR = dr > 0 ? 1 : -1;
    const tDeltaC = dc !== 0 ? Math.abs(1 / dc) : Infinity;
    const tDeltaR = dr !== 0 ? Math.abs(1 / dr) : Infinity;
    let tMaxC = dc !== 0 ? (dc > 0 ? c + 1 - p.col : p.col - c) * tDeltaC : Infinity;
    let tMaxR = dr !== 0 ? (dr > 0 ? r + 1 - p.row : p.row - r) * tDeltaR : Infinity;
    const push = (cc: number, rr: number) => {
      const i = rr * t.width + cc;
      if (cc < 0 || rr < 0 || cc >= t.width || rr >= t.height || seen.has(i)) return;
      seen.add(i);
      cells.push(i);
      // position along the line of the cell centre's projection on this segment
      const px = (cc + 0.5 - p.col) * t.dx;
      const py = (rr + 0.5 - p.row) * t.dy;
      const f = segLen > 0 ? Math.min(1, Math.max(0, (px * segX + py * segY) / (segLen * segLen))) : 0;
      along.push(walked + f * segLen);
    };
    push(c, r);
    for (let guard = 0; (c !== endC || r !== endR) && guard < 4 * (t.width + t.height); guard++) {
      if (tMaxC < tMaxR) {
        c += stepC;
        tMaxC += tDeltaC;
      } else {
        r += stepR;
        tMaxR += tDeltaR;
      }
      push(c, r);
    }
    walked += segLen;
  }
  const groundM = new Float64Array(cells.length);
  cells.forEach((i, k) => (groundM[k] = t.data[i]!));
  return { cells: Int32Array.from(cells), along: Float64Array.from(along), groundM, lengthM: walked };
}

/**
 * Burn the crest into the bed (`z`, NaN = wall) and fill the reservoir: a 4-connected flood fill from
 * `reservoirSide` over cells below the reservoir level, stopped by the crest and by walls; those cells
 * get depth = level − bed (added to `h`). Returns the filled cell count.
 */
export function buildReservoir(dam: DamBreakInput, cells: DamCells, z: Float64Array, h: Float64Array, t: TerrainGrid): number {
  const { width: w, height: hgt } = t;
  const isCrest = new Uint8Array(w * hgt);
  for (const i of cells.cells) {
    isCrest[i] = 1;
    if (z[i] === z[i]) z[i] = Math.max(z[i]!, dam.crestLevelM);
  }
  const start = Math.floor(dam.reservoirSide.row) * w + Math.floor(dam.reservoirSide.col);
  if (isCrest[start] || !(z[start]! < dam.reservoirLevelM)) return 0;
  const visited = new Uint8Array(w * hgt);
  const stack = new Int32Array(w * hgt);
  let top = 0;
  stack[top++] = start;
  visited[start] = 1;
  let filled = 0;
  while (top > 0) {
    const i = stack[--top]!;
    h[i] = Math.max(h[i]!, dam.reservoirLevelM - z[i]!);
    filled++;
    const c = i % w;
    const r = (i - c) / w;
    const visit = (j: number) => {
      if (visited[j] || isCrest[j]) return;
      const zj = z[j]!;
      if (!(zj < dam.reservoirLevelM)) return;
      visited[j] = 1;
      stack[top++] = j;
    };
    if (c > 0) visit(i - 1);
    if (c < w - 1) visit(i + 1);
    if (r > 0) visit(i - w);
    if (r < hgt - 1) visit(i + w);
  }
  return filled;
}

/**
 * The crest cells' bed at time t: sudden = back to the ground at t = 0; gradual = a breach centred
 * at `centre` of the crest, of width and depth growing linearly to `finalWidthM` / `finalBottomM`
 * over `formationS` (never below the ground the dam stands on). The breach starts at t = 0.
 * Writes `z` and returns whether any cell changed.
 */
export function applyBreach(dam: DamBreakInput, cells: DamCells, z: Float64Array, t: number): boolean {
  let changed = false;
  const n = cells.cells.length;
  if (dam.breach.mode === 'sudden') {
    for (let k = 0; k < n; k++) {
      const i = cells.cells[k]!;
      const ground = cells.groundM[k]!;
      if (ground === ground && z[i] !== ground) {
        z[i] = ground;
        changed = true;
      }
    }
    return changed;
  }
  const b = dam.breach;
  const p = Math.min(1, Math.max(0, t / b.formationS));
  const halfWidth = 0.5 * p * b.finalWidthM;
  const bottom = dam.crestLevelM - p * (dam.crestLevelM - b.finalBottomM);
  const centreM = b.centre * cells.lengthM;
  for (let k = 0; k < n; k++) {
    const i = cells.cells[k]!;
    const ground = cells.groundM[k]!;
    if (ground !== ground || Math.abs(cells.along[k]! - centreM) > halfWidth) continue;
    const bed = Math.max(bottom, ground);
    if (bed < z[i]!) {
      z[i] = bed;
      changed = true;
    }
  }
  return changed;
}
