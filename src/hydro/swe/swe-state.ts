/**
 * The arrays one shallow-water run works on, all typed and allocated once (on SharedArrayBuffers
 * when worker threads share them). Cells are row-major (row 0 north); `v`/`hv` point along
 * increasing rows, i.e. southwards. Faces: x-face f of row r sits left of cell f (f = 0..width);
 * y-face of row r (r = 0..height) sits above cell (r, c).
 */

/** Below this depth a cell counts as dry: its velocities are zero (m). */
export const DRY_DEPTH_M = 1e-5;
/** Speeds count towards maxVelocity only where at least this deep (thin films race, m). */
export const VELOCITY_DEPTH_M = 0.01;
/** Cells kept active around wet ones: two Heun stages each reach one cell, plus the MUSCL stencil. */
export const ACTIVE_PAD = 3;

export interface SweState extends Omit<SweStateShape, 'hasManningCells'> {
  manningCells: Float32Array | null;
  /** 1 = wall (NaN terrain): never updated, reflects the flow */
  wall: Uint8Array;
  z: Float64Array;
  h: Float64Array;
  hu: Float64Array;
  hv: Float64Array;
  u: Float64Array;
  v: Float64Array;
  /** the state at the start of a Heun step */
  h0: Float64Array;
  hu0: Float64Array;
  hv0: Float64Array;
  /** limited slopes (difference across the cell) of h, η = h + z, u, v along x and along y */
  sxH: Float64Array;
  sxE: Float64Array;
  sxU: Float64Array;
  sxV: Float64Array;
  syH: Float64Array;
  syE: Float64Array;
  syU: Float64Array;
  syV: Float64Array;
  /** x faces: mass flux, normal momentum flux seen by the left / right cell, tangential flux */
  fxH: Float64Array;
  fxUL: Float64Array;
  fxUR: Float64Array;
  fxV: Float64Array;
  /** y faces: mass flux, normal momentum flux seen by the upper / lower cell, tangential flux */
  gyH: Float64Array;
  gyVU: Float64Array;
  gyVD: Float64Array;
  gyU: Float64Array;
  /** the active region per row: columns lo..hi (lo > hi = inactive); it only grows */
  lo: Int32Array;
  hi: Int32Array;
  /** the wet columns per row after the last step (first, last; first > last = none) */
  wetLo: Int32Array;
  wetHi: Int32Array;
  maxDepth: Float32Array;
  maxVelocity: Float32Array;
  arrivalTime: Float32Array;
}

type FloatCtor = Float64ArrayConstructor | Float32ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;

function alloc<T extends FloatCtor>(ctor: T, n: number, shared: boolean): InstanceType<T> {
  if (!shared) return new ctor(n) as InstanceType<T>;
  const make = ctor as unknown as new (buffer: SharedArrayBuffer) => InstanceType<T>;
  return new make(new SharedArrayBuffer(n * ctor.BYTES_PER_ELEMENT));
}

export interface SweStateShape {
  width: number;
  height: number;
  dx: number;
  dy: number;
  g: number;
  open: boolean;
  order: 1 | 2;
  arrivalThresholdM: number;
  manningConst: number;
  hasManningCells: boolean;
}

export function allocateSweState(shape: SweStateShape, shared: boolean): SweState {
  const { width: w, height: hgt } = shape;
  const n = w * hgt;
  const nx = (w + 1) * hgt;
  const ny = w * (hgt + 1);
  const f64 = (k: number) => alloc(Float64Array, k, shared);
  const { hasManningCells, ...scalars } = shape;
  const s: SweState = {
    ...scalars,
    manningCells: hasManningCells ? alloc(Float32Array, n, shared) : null,
    wall: alloc(Uint8Array, n, shared),
    z: f64(n), h: f64(n), hu: f64(n), hv: f64(n), u: f64(n), v: f64(n),
    h0: f64(n), hu0: f64(n), hv0: f64(n),
    sxH: f64(n), sxE: f64(n), sxU: f64(n), sxV: f64(n),
    syH: f64(n), syE: f64(n), syU: f64(n), syV: f64(n),
    fxH: f64(nx), fxUL: f64(nx), fxUR: f64(nx), fxV: f64(nx),
    gyH: f64(ny), gyVU: f64(ny), gyVD: f64(ny), gyU: f64(ny),
    lo: alloc(Int32Array, hgt, shared),
    hi: alloc(Int32Array, hgt, shared),
    wetLo: alloc(Int32Array, hgt, shared),
    wetHi: alloc(Int32Array, hgt, shared),
    maxDepth: alloc(Float32Array, n, shared),
    maxVelocity: alloc(Float32Array, n, shared),
    arrivalTime: alloc(Float32Array, n, shared),
  };
  s.lo.fill(w);
  s.hi.fill(-1);
  return s;
}

/** The arrays by name, for handing the shared state to a worker (the scalars travel beside them). */
export const STATE_ARRAY_KEYS = [
  'manningCells', 'wall', 'z', 'h', 'hu', 'hv', 'u', 'v', 'h0', 'hu0', 'hv0',
  'sxH', 'sxE', 'sxU', 'sxV', 'syH', 'syE', 'syU', 'syV',
  'fxH', 'fxUL', 'fxUR', 'fxV', 'gyH', 'gyVU', 'gyVD', 'gyU',
  'lo', 'hi', 'wetLo', 'wetHi', 'maxDepth', 'maxVelocity', 'arrivalTime',
] as const satisfies ReadonlyArray<keyof SweState>;

/**
 * Grow the active region around the wet cells of the last step: every row within ACTIVE_PAD of a
 * wet row takes in its wet columns ± ACTIVE_PAD. Returns the first and last active rows.
 */
export function growActiveRegion(s: SweState): { rowLo: number; rowHi: number; cells: number } {
  const { width: w, height: hgt, lo, hi, wetLo, wetHi } = s;
  for (let r = 0; r < hgt; r++) {
    const a = wetLo[r]!;
    const b = wetHi[r]!;
    if (a > b) continue;
    const cLo = Math.max(0, a - ACTIVE_PAD);
    const cHi = Math.min(w - 1, b + ACTIVE_PAD);
    const r0 = Math.max(0, r - ACTIVE_PAD);
    const r1 = Math.min(hgt - 1, r + ACTIVE_PAD);
    for (let rr = r0; rr <= r1; rr++) {
      if (cLo < lo[rr]!) lo[rr] = cLo;
      if (cHi > hi[rr]!) hi[rr] = cHi;
    }
  }
  let rowLo = hgt;
  let rowHi = -1;
  let cells = 0;
  for (let r = 0; r < hgt; r++) {
    if (lo[r]! <= hi[r]!) {
      if (r < rowLo) rowLo = r;
      rowHi = r;
      cells += hi[r]! - lo[r]! + 1;
    }
  }
  return { rowLo, rowHi, cells };
}
