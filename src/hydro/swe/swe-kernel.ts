/**
 * One finite-volume step of the 2D shallow-water equations on a raster, in three phases that each
 * work on a band of rows (so worker threads can share them, with a barrier between phases):
 *
 *  1. slopes   — MUSCL: limited slopes (minmod) of h, η = h + z, u, v per cell; zero in and next to
 *                dry or wall cells, so wet/dry fronts fall back to first order;
 *  2. fluxes   — at every face of the active region: the hydrostatic reconstruction of Audusse,
 *                Bouchut, Bristeau, Klein & Perthame (SIAM J. Sci. Comput. 25, 2004) — z* = max(zL, zR),
 *                h*± = max(0, η± − z*) — then the HLLC Riemann solver (Toro 2001, §10.5: wave speeds
 *                of Fraccarollo & Toro 1995, dry-bed speeds u ± 2c), with the pressure corrections
 *                g/2 (h² − h*²) that keep a lake at rest exactly at rest;
 *  3. update   — cell residuals, the in-cell bed-slope term −g h Δz of the second-order scheme,
 *                Heun (SSP-RK2) stages, no negative depths, and on the last stage the semi-implicit
 *                Manning friction and the running maxima / arrival times.
 *
 * Typed arrays only; no object per cell or face. A wall (NaN terrain) or a closed edge reflects
 * (mirror state); an open edge is transmissive (zero-gradient ghost).
 */
import { DRY_DEPTH_M, VELOCITY_DEPTH_M, type SweState } from './swe-state.ts';

/** scratch of one face: mass flux, momentum seen left, momentum seen right, tangential, max |S| */
const face = new Float64Array(5);
/**
 * The face's input: hL, zL, uL, vL, hR, zR, uR, vR, g. Passed through a typed array rather than as
 * arguments because doubles passed to a call that is not inlined are boxed (a heap allocation per
 * face, and the garbage collector then dominates).
 */
const faceIn = new Float64Array(9);

function setFace(hL: number, zL: number, uL: number, vL: number, hR: number, zR: number, uR: number, vR: number): void {
  faceIn[0] = hL; faceIn[1] = zL; faceIn[2] = uL; faceIn[3] = vL;
  faceIn[4] = hR; faceIn[5] = zR; faceIn[6] = uR; faceIn[7] = vR;
}

function minmod(a: number, b: number): number {
  if (a > 0 && b > 0) return a < b ? a : b;
  if (a < 0 && b < 0) return a > b ? a : b;
  return 0;
}

/**
 * Hydrostatic reconstruction + HLLC across one face, normal velocity u, tangential v; the states are
 * the reconstructed face values (depth, bed, velocities) on each side. Writes `face`.
 */
function faceFlux(): void {
  const hL = faceIn[0]!; const zL = faceIn[1]!; const uL = faceIn[2]!; const vL = faceIn[3]!;
  const hR = faceIn[4]!; const zR = faceIn[5]!; const uR = faceIn[6]!; const vR = faceIn[7]!;
  const g = faceIn[8]!;
  const zs = zL > zR ? zL : zR;
  let hl = hL + zL - zs;
  let hr = hR + zR - zs;
  if (hl < 0) hl = 0;
  if (hr < 0) hr = 0;
  const corrL = 0.5 * g * (hL * hL - hl * hl);
  const corrR = 0.5 * g * (hR * hR - hr * hr);
  if (hl <= 0 && hr <= 0) {
    face[0] = 0; face[1] = corrL; face[2] = corrR; face[3] = 0; face[4] = 0;
    return;
  }
  const cl = Math.sqrt(g * hl);
  const cr = Math.sqrt(g * hr);
  let sl: number;
  let sr: number;
  if (hl <= 0) {
    sl = uR - 2 * cr;
    sr = uR + cr;
  } else if (hr <= 0) {
    sl = uL - cl;
    sr = uL + 2 * cl;
  } else {
    const a = 0.5 * (cl + cr) + 0.25 * (uL - uR);
    const cs = a > 0 ? a : 0;
    const us = 0.5 * (uL + uR) + cl - cr;
    sl = Math.min(uL - cl, us - cs);
    sr = Math.max(uR + cr, us + cs);
  }
  const qL = hl * uL;
  const qR = hr * uR;
  let fh: number;
  let fq: number;
  let fv: number;
  if (sl >= 0) {
    fh = qL;
    fq = qL * uL + 0.5 * g * hl * hl;
    fv = qL * vL;
  } else if (sr <= 0) {
    fh = qR;
    fq = qR * uR + 0.5 * g * hr * hr;
    fv = qR * vR;
  } else {
    const inv = 1 / (sr - sl);
    fh = (sr * qL - sl * qR + sl * sr * (hr - hl)) * inv;
    const fqL = qL * uL + 0.5 * g * hl * hl;
    const fqR = qR * uR + 0.5 * g * hr * hr;
    fq = (sr * fqL - sl * fqR + sl * sr * (qR - qL)) * inv;
    const den = hr * (uR - sr) - hl * (uL - sl);
    const sStar = den !== 0 ? (sl * hr * (uR - sr) - sr * hl * (uL - sl)) / den : 0.5 * (sl + sr);
    fv = sStar >= 0 ? fh * vL : fh * vR;
  }
  face[0] = fh;
  face[1] = fq + corrL;
  face[2] = fq + corrR;
  face[3] = fv;
  const m = -sl > sr ? -sl : sr;
  face[4] = m > 0 ? m : 0;
}

/** Phase 1: limited slopes of the active cells of rows [r0, r1). */
export function computeSlopes(s: SweState, r0: number, r1: number): void {
  if (s.order === 1) return;
  const { width: w, height: hgt, h, z, u, v, wall, lo, hi } = s;
  const { sxH, sxE, sxU, sxV, syH, syE, syU, syV } = s;
  for (let r = r0; r < r1; r++) {
    const a = lo[r]!;
    const b = hi[r]!;
    for (let c = a; c <= b; c++) {
      const i = r * w + c;
      const hi0 = h[i]!;
      let xOk = wall[i] === 0 && hi0 > DRY_DEPTH_M && c > 0 && c < w - 1;
      if (xOk) xOk = wall[i - 1] === 0 && wall[i + 1] === 0 && h[i - 1]! > DRY_DEPTH_M && h[i + 1]! > DRY_DEPTH_M;
      if (xOk) {
        const e = hi0 + z[i]!;
        sxH[i] = minmod(hi0 - h[i - 1]!, h[i + 1]! - hi0);
        sxE[i] = minmod(e - h[i - 1]! - z[i - 1]!, h[i + 1]! + z[i + 1]! - e);
        sxU[i] = minmod(u[i]! - u[i - 1]!, u[i + 1]! - u[i]!);
        sxV[i] = minmod(v[i]! - v[i - 1]!, v[i + 1]! - v[i]!);
      } else {
        sxH[i] = 0; sxE[i] = 0; sxU[i] = 0; sxV[i] = 0;
      }
      let yOk = wall[i] === 0 && hi0 > DRY_DEPTH_M && r > 0 && r < hgt - 1;
      if (yOk) yOk = wall[i - w] === 0 && wall[i + w] === 0 && h[i - w]! > DRY_DEPTH_M && h[i + w]! > DRY_DEPTH_M;
      if (yOk) {
        const e = hi0 + z[i]!;
        syH[i] = minmod(hi0 - h[i - w]!, h[i + w]! - hi0);
        syE[i] = minmod(e - h[i - w]! - z[i - w]!, h[i + w]! + z[i + w]! - e);
        syU[i] = minmod(u[i]! - u[i - w]!, u[i + w]! - u[i]!);
        syV[i] = minmod(v[i]! - v[i - w]!, v[i + w]! - v[i]!);
      } else {
        syH[i] = 0; syE[i] = 0; syU[i] = 0; syV[i] = 0;
      }
    }
  }
}

/**
 * Phase 2: the fluxes of the x faces of rows [r0, r1) and of the y faces above them (and below the
 * last row when r1 = height). Writes into `out[k..k+3]`: max wave speed along x, along y, and the
 * rate at which water leaves through open edges (m³/s).
 */
export function computeFluxes(s: SweState, r0: number, r1: number, out: Float64Array, k: number): void {
  const { width: w, height: hgt, g, h, z, u, v, wall, lo, hi, open, dx, dy } = s;
  const { sxH, sxE, sxU, sxV, syH, syE, syU, syV, fxH, fxUL, fxUR, fxV, gyH, gyVU, gyVD, gyU } = s;
  let ax = 0;
  let ay = 0;
  let outflow = 0;
  faceIn[8] = g;
  for (let r = r0; r < r1; r++) {
    const a = lo[r]!;
    const b = hi[r]!;
    if (a > b) continue;
    const base = r * w;
    const fbase = r * (w + 1);
    for (let f = a; f <= b + 1; f++) {
      const il = base + f - 1;
      const ir = base + f;
      const lIn = f > 0 && wall[il] === 0;
      const rIn = f < w && wall[ir] === 0;
      if ((!lIn || h[il] === 0) && (!rIn || h[ir] === 0)) {
        // dry on both sides (or a wall beside a dry cell): nothing moves, nothing pushes
        face[0] = 0; face[1] = 0; face[2] = 0; face[3] = 0; face[4] = 0;
      } else if (lIn && rIn) {
        const hL = h[il]! + 0.5 * sxH[il]!;
        const hR = h[ir]! - 0.5 * sxH[ir]!;
        const zL = h[il]! + z[il]! + 0.5 * sxE[il]! - hL;
        const zR = h[ir]! + z[ir]! - 0.5 * sxE[ir]! - hR;
        setFace(hL, zL, u[il]! + 0.5 * sxU[il]!, v[il]! + 0.5 * sxV[il]!, hR, zR, u[ir]! - 0.5 * sxU[ir]!, v[ir]! - 0.5 * sxV[ir]!);
        faceFlux();
      } else if (rIn) {
        const hR = h[ir]! - 0.5 * sxH[ir]!;
        const zR = h[ir]! + z[ir]! - 0.5 * sxE[ir]! - hR;
        const uR = u[ir]! - 0.5 * sxU[ir]!;
        const vR = v[ir]! - 0.5 * sxV[ir]!;
        const transmit = open && f === 0;
        setFace(hR, zR, transmit ? uR : -uR, vR, hR, zR, uR, vR);
        faceFlux();
        if (transmit) outflow -= face[0]! * dy;
      } else if (lIn) {
        const hL = h[il]! + 0.5 * sxH[il]!;
        const zL = h[il]! + z[il]! + 0.5 * sxE[il]! - hL;
        const uL = u[il]! + 0.5 * sxU[il]!;
        const vL = v[il]! + 0.5 * sxV[il]!;
        const transmit = open && f === w;
        setFace(hL, zL, uL, vL, hL, zL, transmit ? uL : -uL, vL);
        faceFlux();
        if (transmit) outflow += face[0]! * dy;
      } else {
        face[0] = 0; face[1] = 0; face[2] = 0; face[3] = 0; face[4] = 0;
      }
      const fi = fbase + f;
      fxH[fi] = face[0]!;
      fxUL[fi] = face[1]!;
      fxUR[fi] = face[2]!;
      fxV[fi] = face[3]!;
      if (face[4]! > ax) ax = face[4]!;
    }
  }
  const rLast = r1 === hgt ? hgt : r1 - 1;
  for (let r = r0; r <= rLast; r++) {
    const up = r - 1;
    let a = w;
    let b = -1;
    if (up >= 0 && lo[up]! <= hi[up]!) { a = lo[up]!; b = hi[up]!; }
    if (r < hgt && lo[r]! <= hi[r]!) { a = Math.min(a, lo[r]!); b = Math.max(b, hi[r]!); }
    for (let c = a; c <= b; c++) {
      const iu = up * w + c;
      const id = r * w + c;
      const uIn = up >= 0 && wall[iu] === 0;
      const dIn = r < hgt && wall[id] === 0;
      // along y the normal velocity is v, the tangential u
      if ((!uIn || h[iu] === 0) && (!dIn || h[id] === 0)) {
        face[0] = 0; face[1] = 0; face[2] = 0; face[3] = 0; face[4] = 0;
      } else if (uIn && dIn) {
        const hU = h[iu]! + 0.5 * syH[iu]!;
        const hD = h[id]! - 0.5 * syH[id]!;
        const zU = h[iu]! + z[iu]! + 0.5 * syE[iu]! - hU;
        const zD = h[id]! + z[id]! - 0.5 * syE[id]! - hD;
        setFace(hU, zU, v[iu]! + 0.5 * syV[iu]!, u[iu]! + 0.5 * syU[iu]!, hD, zD, v[id]! - 0.5 * syV[id]!, u[id]! - 0.5 * syU[id]!);
        faceFlux();
      } else if (dIn) {
        const hD = h[id]! - 0.5 * syH[id]!;
        const zD = h[id]! + z[id]! - 0.5 * syE[id]! - hD;
        const vD = v[id]! - 0.5 * syV[id]!;
        const uD = u[id]! - 0.5 * syU[id]!;
        const transmit = open && r === 0;
        setFace(hD, zD, transmit ? vD : -vD, uD, hD, zD, vD, uD);
        faceFlux();
        if (transmit) outflow -= face[0]! * dx;
      } else if (uIn) {
        const hU = h[iu]! + 0.5 * syH[iu]!;
        const zU = h[iu]! + z[iu]! + 0.5 * syE[iu]! - hU;
        const vU = v[iu]! + 0.5 * syV[iu]!;
        const uU = u[iu]! + 0.5 * syU[iu]!;
        const transmit = open && r === hgt;
        setFace(hU, zU, vU, uU, hU, zU, transmit ? vU : -vU, uU);
        faceFlux();
        if (transmit) outflow += face[0]! * dx;
      } else {
        face[0] = 0; face[1] = 0; face[2] = 0; face[3] = 0; face[4] = 0;
      }
      const fi = r * w + c;
      gyH[fi] = face[0]!;
      gyVU[fi] = face[1]!;
      gyVD[fi] = face[2]!;
      gyU[fi] = face[3]!;
      if (face[4]! > ay) ay = face[4]!;
    }
  }
  out[k] = ax;
  out[k + 1] = ay;
  out[k + 2] = outflow;
}

/** Which update a stage does: forward Euler (order 1), Heun's first or Heun's second stage. */
export const STAGE_EULER = 0;
export const STAGE_HEUN_1 = 1;
export const STAGE_HEUN_2 = 2;

/**
 * Phase 3: update the active cells of rows [r0, r1) by dt. On the last stage (Euler or Heun's
 * second) also Manning friction, dry cells' velocities, maxima and arrival at time tEnd, and the wet
 * columns of each row. `out[k]` receives the water added by clipping negative depths (m³; ~0).
 */
export function updateCells(s: SweState, r0: number, r1: number, dt: number, stage: number, tEnd: number, out: Float64Array, k: number): void {
  const { width: w, g, h, hu, hv, u, v, h0, hu0, hv0, wall, lo, hi, dx, dy } = s;
  const { sxH, sxE, syH, syE, fxH, fxUL, fxUR, fxV, gyH, gyVU, gyVD, gyU } = s;
  const { manningConst, manningCells, maxDepth, maxVelocity, arrivalTime, wetLo, wetHi, arrivalThresholdM } = s;
  const final = stage !== STAGE_HEUN_1;
  const rdx = 1 / dx;
  const rdy = 1 / dy;
  let added = 0;
  for (let r = r0; r < r1; r++) {
    const a = lo[r]!;
    const b = hi[r]!;
    let firstWet = w;
    let lastWet = -1;
    for (let c = a; c <= b; c++) {
      const i = r * w + c;
      if (wall[i] !== 0) continue;
      const fl = r * (w + 1) + c;
      const fa = i;
      const fb = i + w;
      const hc = h[i]!;
      const dh = -(fxH[fl + 1]! - fxH[fl]!) * rdx - (gyH[fb]! - gyH[fa]!) * rdy;
      const dq = -(fxUL[fl + 1]! - fxUR[fl]!) * rdx - (gyU[fb]! - gyU[fa]!) * rdy - g * hc * (sxE[i]! - sxH[i]!) * rdx;
      const dr = -(fxV[fl + 1]! - fxV[fl]!) * rdx - (gyVU[fb]! - gyVD[fa]!) * rdy - g * hc * (syE[i]! - syH[i]!) * rdy;
      let hn: number;
      let qn: number;
      let rn: number;
      if (stage === STAGE_HEUN_2) {
        hn = 0.5 * (h0[i]! + hc + dt * dh);
        qn = 0.5 * (hu0[i]! + hu[i]! + dt * dq);
        rn = 0.5 * (hv0[i]! + hv[i]! + dt * dr);
      } else {
        if (stage === STAGE_HEUN_1) {
          h0[i] = hc;
          hu0[i] = hu[i]!;
          hv0[i] = hv[i]!;
        }
        hn = hc + dt * dh;
        qn = hu[i]! + dt * dq;
        rn = hv[i]! + dt * dr;
      }
      if (hn <= 0) {
        added -= hn;
        hn = 0;
      }
      let un = 0;
      let vn = 0;
      if (hn > DRY_DEPTH_M) {
        un = qn / hn;
        vn = rn / hn;
        if (final) {
          const n = manningCells === null ? manningConst : manningCells[i]!;
          if (n > 0) {
            const speed = Math.sqrt(un * un + vn * vn);
            // h^(4/3) as h·∛h: Math.pow is several times slower here
            const damp = 1 / (1 + (dt * g * n * n * speed) / (hn * Math.cbrt(hn)));
            un *= damp;
            vn *= damp;
          }
        }
        qn = un * hn;
        rn = vn * hn;
      } else {
        qn = 0;
        rn = 0;
      }
      h[i] = hn;
      hu[i] = qn;
      hv[i] = rn;
      u[i] = un;
      v[i] = vn;
      if (final && hn > 0) {
        if (c < firstWet) firstWet = c;
        lastWet = c;
        if (hn > maxDepth[i]!) maxDepth[i] = hn;
        if (hn > VELOCITY_DEPTH_M) {
          const speed = Math.sqrt(un * un + vn * vn);
          if (speed > maxVelocity[i]!) maxVelocity[i] = speed;
        }
        if (hn > arrivalThresholdM && arrivalTime[i] !== arrivalTime[i]) arrivalTime[i] = tEnd;
      }
    }
    if (final) {
      wetLo[r] = firstWet;
      wetHi[r] = lastWet;
    }
  }
  out[k] = added * dx * dy;
}
