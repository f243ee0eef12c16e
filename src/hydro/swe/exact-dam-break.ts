/**
 * Exact solutions of the 1D dam-break problem for the shallow-water equations on a flat,
 * frictionless bed (Toro, "Shock-capturing methods for free-surface shallow flows", 2001, ch. 4):
 * Ritter (1892) for a dry bed downstream, Stoker (1957) for a wet one. The solver's tests and the
 * bench measure the finite-volume model against them.
 *
 * The dam sits at x0; depth `hLeft` to its left, `hRight` (0 = dry) to its right; water at rest.
 */

export const GRAVITY = 9.81;

export interface StokerMiddleState {
  /** depth between the rarefaction and the shock, m */
  depth: number;
  /** velocity there, m/s */
  velocity: number;
  /** speed of the bore (shock) running into the still water, m/s */
  shockSpeed: number;
}

/**
 * The middle state of Stoker's solution: a left rarefaction and a right shock meet at (h_m, u_m).
 * Rarefaction: u_m = 2(√(g h_l) − √(g h_m)); shock into still water: u_m = (h_m − h_r)·√(g/2 (1/h_m + 1/h_r)).
 * Newton on h_m with the analytic derivative; converges in a handful of steps from the mean depth.
 */
export function stokerMiddleState(hLeft: number, hRight: number, g = GRAVITY): StokerMiddleState {
  if (!(hLeft > 0) || !(hRight > 0) || hRight >= hLeft) {
    throw new RangeError(`Stoker needs 0 < hRight < hLeft, got hLeft=${hLeft}, hRight=${hRight}`);
  }
  const cl = Math.sqrt(g * hLeft);
  let h = 0.5 * (hLeft + hRight);
  for (let it = 0; it < 100; it++) {
    const q = Math.sqrt(0.5 * g * (1 / h + 1 / hRight));
    const f = 2 * cl - 2 * Math.sqrt(g * h) - (h - hRight) * q;
    const dq = -g / (4 * h * h * q);
    const df = -Math.sqrt(g / h) - q - (h - hRight) * dq;
    const step = f / df;
    h -= step;
    if (h <= hRight) h = hRight * (1 + 1e-9);
    if (Math.abs(step) < 1e-15 * h) break;
  }
  const velocity = 2 * (cl - Math.sqrt(g * h));
  return { depth: h, velocity, shockSpeed: (h * velocity) / (h - hRight) };
}

/** Depth and velocity at x, t of Ritter's solution (dry bed downstream of x0). */
export function ritterAt(hLeft: number, x: number, t: number, x0 = 0, g = GRAVITY): { depth: number; velocity: number } {
  const c0 = Math.sqrt(g * hLeft);
  if (t <= 0) return x < x0 ? { depth: hLeft, velocity: 0 } : { depth: 0, velocity: 0 };
  const xi = (x - x0) / t;
  if (xi <= -c0) return { depth: hLeft, velocity: 0 };
  if (xi >= 2 * c0) return { depth: 0, velocity: 0 };
  const a = 2 * c0 - xi;
  return { depth: (a * a) / (9 * g), velocity: (2 / 3) * (xi + c0) };
}

/** Depth and velocity at x, t of Stoker's solution (still water of depth hRight downstream). */
export function stokerAt(hLeft: number, hRight: number, x: number, t: number, x0 = 0, g = GRAVITY, middle = stokerMiddleState(hLeft, hRight, g)): { depth: number; velocity: number } {
  if (t <= 0) return x < x0 ? { depth: hLeft, velocity: 0 } : { depth: hRight, velocity: 0 };
  const cl = Math.sqrt(g * hLeft);
  const cm = Math.sqrt(g * middle.depth);
  const xi = (x - x0) / t;
  if (xi <= -cl) return { depth: hLeft, velocity: 0 };
  if (xi <= middle.velocity - cm) {
    const a = 2 * cl - xi;
    return { depth: (a * a) / (9 * g), velocity: (2 / 3) * (xi + cl) };
  }
  if (xi < middle.shockSpeed) return { depth: middle.depth, velocity: middle.velocity };
  return { depth: hRight, velocity: 0 };
}

/**
 * The exact depth averaged over each of `cells` equal cells of [xMin, xMax] (Gauss–Legendre, 5 points
 * per cell): the fair thing to compare a finite-volume cell average with, where a shock cuts a cell.
 */
export function exactCellAverages(depthAt: (x: number) => number, xMin: number, xMax: number, cells: number): Float64Array {
  const nodes = [-0.906179845938664, -0.5384693101056831, 0, 0.5384693101056831, 0.906179845938664];
  const weights = [0.2369268850561891, 0.4786286704993665, 0.5688888888888889, 0.4786286704993665, 0.2369268850561891];
  const dx = (xMax - xMin) / cells;
  const out = new Float64Array(cells);
  for (let i = 0; i < cells; i++) {
    const mid = xMin + (i + 0.5) * dx;
    let sum = 0;
    for (let k = 0; k < 5; k++) sum += weights[k]! * depthAt(mid + 0.5 * dx * nodes[k]!);
    out[i] = sum / 2;
  }
  return out;
}
