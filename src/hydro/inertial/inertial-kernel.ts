/**
 * The numerical heart of the local-inertial flood model (Bates et al. 2010, with the θ weighting of
 * de Almeida et al. 2012): unit discharges on the cell faces (a staggered grid), the depth in the cells.
 * Each function works on a band of rows so the same code runs on the calling thread (all rows) or
 * on worker threads (a band each, over shared memory, with a barrier between the phases).
 *
 * One time step is three phases:
 *   1. `faceFluxes`     new face discharges from the water-surface gradient, semi-implicit Manning
 *   2. `outflowFactors` per cell, the share of its planned outflow it can give without going below zero
 *   3. `updateDepths`   every face scaled by the factor of the cell it drains, continuity, rain, and
 *                       the running maxima
 * Plain typed arrays, no objects per cell: these loops run billions of times.
 */

export const GRAVITY = 9.81;
/** depth below which a face carries no flow (m), as LISFLOOD-FP's default threshold */
export const FACE_DEPTH_MIN = 1e-3;
/** depth above which a cell's velocity is computed for the maximum speed (m): thinner films give noise */
export const VELOCITY_DEPTH_MIN = 0.01;

/** The fixed description of the domain (sizes, boundary, constants of the scheme). */
export interface KernelGeometry {
  width: number;
  height: number;
  dx: number;
  dy: number;
  openWest: boolean;
  openEast: boolean;
  openNorth: boolean;
  openSouth: boolean;
  /** de Almeida's θ: 1 = Bates 2010; below 1 blends in the neighbouring faces to damp oscillations */
  theta: number;
  arrivalThresholdM: number;
}

/**
 * The model's state. Two copies of each face array: `qx`/`qy` hold the discharges of the last step
 * (limited), read by the next step's `faceFluxes` (their own and the neighbours', for the θ weighting)
 * while it writes the unlimited new ones into `qxRaw`/`qyRaw`; `updateDepths` writes them back limited.
 */
export interface KernelArrays {
  /** bed elevation with buildings raised, m */
  z: Float64Array;
  /** 1 = no flow in or out (no terrain, or a blocked building) */
  wall: Uint8Array;
  /** Manning's n squared, per cell */
  nSq: Float64Array;
  /** depth, m */
  h: Float64Array;
  /** x faces: (width + 1) per row, face c is the west face of cell c; positive eastwards, m²/s */
  qx: Float64Array;
  qxRaw: Float64Array;
  /** y faces: width per face row, height + 1 rows, face row r is the north face of row r; positive southwards */
  qy: Float64Array;
  qyRaw: Float64Array;
  /** per cell outflow factor of the step, in [0, 1] */
  factor: Float64Array;
  /** per cell rain zone (0 = none); the depth a zone gets in a step is given to `updateDepths` */
  rainZone: Uint8Array;
  maxDepth: Float32Array;
  /** the largest speed squared so far (m²/s²): the square root is taken once, at the end */
  maxSpeedSq: Float32Array;
  arrival: Float32Array;
}

/**
 * Phase 1: the new discharges of the faces of rows [r0, r1): the west and east edges and the x faces
 * between the cells of each row, and the y faces south of each row (the south edge for the last
 * row); the first band also does the north edge. One pass over the cells: a cell's east and south
 * faces are done together, so its bed and depth are read once.
 */
export function faceFluxes(g: KernelGeometry, a: KernelArrays, r0: number, r1: number, dt: number): void {
  const { width: W, height: H, dx, dy, theta } = g;
  const { z, wall, nSq, h } = a;
  const qxO = a.qx;
  const qxN = a.qxRaw;
  const qyO = a.qy;
  const qyN = a.qyRaw;
  const gdt = GRAVITY * dt;
  const side = (1 - theta) / 2;
  const invDx = 1 / dx;
  const invDy = 1 / dy;
  const W1 = W + 1;

  if (r0 === 0) edgeRow(g, a, 0, gdt);
  for (let r = r0; r < r1; r++) {
    const rowC = r * W;
    const rowF = r * W1;
    // west edge: the water surface continues with the slope it has just inside (zero gradient); a dry
    // cell inside has no surface, so then only the momentum the face already has carries water out
    let i = rowC;
    qxN[rowF] = 0;
    if (g.openWest && wall[i] === 0 && h[i]! > FACE_DEPTH_MIN) {
      const inner = W > 1 && wall[i + 1] === 0 && h[i + 1]! > FACE_DEPTH_MIN ? (z[i + 1]! + h[i + 1]! - z[i]! - h[i]!) * invDx : 0;
      const q = boundaryFlux(qxO[rowF]!, h[i]!, inner, nSq[i]!, gdt);
      qxN[rowF] = q < 0 ? q : 0;
    }
    const south = r < H - 1;
    for (let c = 0; c < W; c++) {
      i = rowC + c;
      const hi = h[i]!;
      const wi = wall[i]!;
      // the east face, between i and i + 1
      if (c < W - 1) {
        const f = rowF + c + 1;
        const j = i + 1;
        const hj = h[j]!;
        if ((wi | wall[j]!) !== 0 || (hi <= FACE_DEPTH_MIN && hj <= FACE_DEPTH_MIN)) {
          qxN[f] = 0;
        } else {
          const zi = z[i]!;
          const zj = z[j]!;
          const ei = zi + hi;
          const ej = zj + hj;
          const hf = (ei > ej ? ei : ej) - (zi > zj ? zi : zj);
          if (hf <= FACE_DEPTH_MIN) qxN[f] = 0;
          else {
            const q0 = qxO[f]!;
            const qw = theta * q0 + side * (qxO[f - 1]! + qxO[f + 1]!);
            // friction takes the whole discharge: this face's and the y faces' around it, averaged to here
            const qt = 0.25 * (qyO[i]! + qyO[j]! + qyO[i + W]! + qyO[j + W]!);
            const qAbs = Math.sqrt(q0 * q0 + qt * qt);
            // (qw − g·h·Δt·∂η/∂x) / (1 + g·Δt·n²·|q|/h^{7/3}), with one division
            const hf73 = hf * hf * Math.cbrt(hf);
            qxN[f] = ((qw - gdt * hf * (ej - ei) * invDx) * hf73) / (hf73 + gdt * 0.5 * (nSq[i]! + nSq[j]!) * qAbs);
          }
        }
      }
      // the south face, between i and i + W (its index is i + W: face row r + 1). Written out like the
      // east face on purpose, not shared through a function: this is the hot loop of the solver.
      if (south) {
        const j = i + W;
        const f = j;
        const hj = h[j]!;
        if ((wi | wall[j]!) !== 0 || (hi <= FACE_DEPTH_MIN && hj <= FACE_DEPTH_MIN)) {
          qyN[f] = 0;
        } else {
          const zi = z[i]!;
          const zj = z[j]!;
          const ei = zi + hi;
          const ej = zj + hj;
          const hf = (ei > ej ? ei : ej) - (zi > zj ? zi : zj);
          if (hf <= FACE_DEPTH_MIN) qyN[f] = 0;
          else {
            const q0 = qyO[f]!;
            const qw = theta * q0 + side * (qyO[f - W]! + qyO[f + W]!);
            const xa = rowF + c;
            const xb = xa + W1;
            const qt = 0.25 * (qxO[xa]! + qxO[xa + 1]! + qxO[xb]! + qxO[xb + 1]!);
            const qAbs = Math.sqrt(q0 * q0 + qt * qt);
            const hf73 = hf * hf * Math.cbrt(hf);
            qyN[f] = ((qw - gdt * hf * (ej - ei) * invDy) * hf73) / (hf73 + gdt * 0.5 * (nSq[i]! + nSq[j]!) * qAbs);
          }
        }
      }
    }
    // east edge
    const fe = rowF + W;
    i = rowC + W - 1;
    qxN[fe] = 0;
    if (g.openEast && wall[i] === 0 && h[i]! > FACE_DEPTH_MIN) {
      const inner = W > 1 && wall[i - 1] === 0 && h[i - 1]! > FACE_DEPTH_MIN ? (z[i]! + h[i]! - z[i - 1]! - h[i - 1]!) * invDx : 0;
      const q = boundaryFlux(qxO[fe]!, h[i]!, inner, nSq[i]!, gdt);
      qxN[fe] = q > 0 ? q : 0;
    }
  }
  if (r1 === H) edgeRow(g, a, H, gdt);
}

/** The north (face row 0) or south (face row H) edge. */
function edgeRow(g: KernelGeometry, a: KernelArrays, r: number, gdt: number): void {
  const { width: W, height: H, dy } = g;
  const { z, wall, nSq, h } = a;
  const qyO = a.qy;
  const qyN = a.qyRaw;
  const invDy = 1 / dy;
  const open = r === 0 ? g.openNorth : g.openSouth;
  const rowF = r * W;
  for (let c = 0; c < W; c++) {
    const f = rowF + c;
    qyN[f] = 0;
    if (!open) continue;
    const i = r === 0 ? c : (H - 1) * W + c;
    if (wall[i] !== 0 || h[i]! <= FACE_DEPTH_MIN) continue;
    if (r === 0) {
      const inner = H > 1 && wall[i + W] === 0 && h[i + W]! > FACE_DEPTH_MIN ? (z[i + W]! + h[i + W]! - z[i]! - h[i]!) * invDy : 0;
      const q = boundaryFlux(qyO[f]!, h[i]!, inner, nSq[i]!, gdt);
      qyN[f] = q < 0 ? q : 0;
    } else {
      const inner = H > 1 && wall[i - W] === 0 && h[i - W]! > FACE_DEPTH_MIN ? (z[i]! + h[i]! - z[i - W]! - h[i - W]!) * invDy : 0;
      const q = boundaryFlux(qyO[f]!, h[i]!, inner, nSq[i]!, gdt);
      qyN[f] = q > 0 ? q : 0;
    }
  }
}

/**
 * An open-edge face: the inertial update with the cell's depth and a ghost surface that carries on
 * the slope `slope` (the surface gradient just inside, in the face's direction). In steady flow this is
 * friction balancing that slope: normal-depth outflow.
 */
function boundaryFlux(q0: number, depth: number, slope: number, nSq: number, gdt: number): number {
  const h73 = depth * depth * Math.cbrt(depth);
  return (q0 - gdt * depth * slope) / (1 + (gdt * nSq * (q0 < 0 ? -q0 : q0)) / h73);
}

/** Phase 2: for cells of rows [r0, r1), the factor that keeps the cell's outflow within the water it holds. */
export function outflowFactors(g: KernelGeometry, a: KernelArrays, r0: number, r1: number, dt: number): void {
  const W = g.width;
  const qx = a.qxRaw;
  const qy = a.qyRaw;
  const { h, factor } = a;
  const kx = dt / g.dx;
  const ky = dt / g.dy;
  for (let r = r0; r < r1; r++) {
    const rowF = r * (W + 1);
    for (let c = 0; c < W; c++) {
      const i = r * W + c;
      const qw = qx[rowF + c]!;
      const qe = qx[rowF + c + 1]!;
      const qn = qy[i]!;
      const qs = qy[i + W]!;
      const out = ((qw < 0 ? -qw : 0) + (qe > 0 ? qe : 0)) * kx + ((qn < 0 ? -qn : 0) + (qs > 0 ? qs : 0)) * ky;
      const d = h[i]!;
      factor[i] = out > d ? d / out : 1;
    }
  }
}

/** What `updateDepths` found in its band. */
export interface BandStats {
  /** deepest water after the step, m */
  hMax: number;
  /** volume that left through open edges in the band, m³ */
  outflowM3: number;
  /** cells holding water */
  wetCells: number;
}

/** One time step over the whole grid, on whatever threads it has (see `inertial-threads.ts`). */
export interface Stepper {
  step(dt: number, tEnd: number, zoneDepth: Float64Array): BandStats;
  close(): Promise<void>;
}

/**
 * Phase 3, for cells of rows [r0, r1): each face limited by the factor of the cell it drains (and
 * written back to `qx`/`qy`: a band writes the west and north faces of its cells, and the east and
 * south edges), continuity, then the rain (`zoneDepth[rainZone[i]]`, m) and the running maxima and
 * arrival times at time `tEnd` (the end of the step).
 */
export function updateDepths(g: KernelGeometry, a: KernelArrays, r0: number, r1: number, dt: number, tEnd: number, zoneDepth: Float64Array, out: BandStats): void {
  const { width: W, height: H } = g;
  const { qx, qy, qxRaw, qyRaw, factor, h, wall, rainZone, maxDepth, maxSpeedSq, arrival } = a;
  const kx = dt / g.dx;
  const ky = dt / g.dy;
  const threshold = g.arrivalThresholdM;
  let hMax = 0;
  let wet = 0;
  let outflow = 0;
  for (let r = r0; r < r1; r++) {
    const rowF = r * (W + 1);
    let qe = 0;
    for (let c = 0; c < W; c++) {
      const i = r * W + c;
      const fr = factor[i]!;
      // a face draining this cell is scaled by this cell's factor, one filling it by the neighbour's
      let qw = qxRaw[rowF + c]!;
      qw = qw < 0 ? qw * fr : qw > 0 ? qw * factor[i - 1]! : 0;
      qe = qxRaw[rowF + c + 1]!;
      qe = qe > 0 ? qe * fr : qe < 0 ? qe * factor[i + 1]! : 0;
      let qn = qyRaw[i]!;
      qn = qn < 0 ? qn * fr : qn > 0 ? qn * factor[i - W]! : 0;
      let qs = qyRaw[i + W]!;
      qs = qs > 0 ? qs * fr : qs < 0 ? qs * factor[i + W]! : 0;
      qx[rowF + c] = qw;
      qy[i] = qn;
      if (wall[i] !== 0) continue;
      let d = h[i]! + (qw - qe) * kx + (qn - qs) * ky + zoneDepth[rainZone[i]!]!;
      // the limiter keeps d ≥ 0 in exact arithmetic; this only removes rounding below zero
      if (d < 0) d = 0;
      h[i] = d;
      if (d > 0) {
        wet++;
        if (d > hMax) hMax = d;
        if (d > maxDepth[i]!) maxDepth[i] = d;
        if (d > threshold && arrival[i]! !== arrival[i]!) arrival[i] = tEnd;
        if (d > VELOCITY_DEPTH_MIN) {
          const qu = qw + qe;
          const qv = qn + qs;
          const speedSq = (qu * qu + qv * qv) / (4 * d * d);
          if (speedSq > maxSpeedSq[i]!) maxSpeedSq[i] = speedSq;
        }
      }
    }
    // the east edge face: the last cell's east face, limited in its turn of the loop
    qx[rowF + W] = qe;
    outflow += (qx[rowF + W]! - qx[rowF]!) * dt * g.dy;
  }
  if (r1 === H) {
    for (let c = 0; c < W; c++) {
      const i = (H - 1) * W + c;
      const q = qyRaw[i + W]!;
      qy[i + W] = q > 0 ? q * factor[i]! : 0;
    }
  }
  if (r0 === 0) for (let c = 0; c < W; c++) outflow -= qy[c]! * dt * g.dx;
  if (r1 === H) for (let c = 0; c < W; c++) outflow += qy[H * W + c]! * dt * g.dx;
  out.hMax = hMax;
  out.outflowM3 = outflow;
  out.wetCells = wet;
}
