/**
 * The 1D dam-break checks shared by the tests and the bench: the model run on a strip (100 m long,
 * one row of cells between closed sides, dam at x = 50 m) against the exact solution, the L1 error of depth,
 * and the observed order of convergence over refinements.
 */
import { runDamBreak } from './dam-break-model.ts';
import { exactCellAverages, ritterAt, stokerAt } from './exact-dam-break.ts';

export const STRIP_LENGTH_M = 100;

/** L1 error of depth (m², ∫|h − h_exact| dx along the strip) at tEnd; hRight = 0 is Ritter. */
export async function stripL1(cells: number, hLeft: number, hRight: number, tEnd: number, order: 1 | 2): Promise<number> {
  const rows = 1;
  const dx = STRIP_LENGTH_M / cells;
  const depth = new Float32Array(cells * rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cells; c++) depth[r * cells + c] = (c + 0.5) * dx < STRIP_LENGTH_M / 2 ? hLeft : hRight;
  const res = await runDamBreak({
    terrain: { width: cells, height: rows, dx, dy: dx, data: new Float32Array(cells * rows) },
    manning: 0, initialDepth: depth, boundary: 'closed', durationS: tEnd, outputIntervalS: 0, order,
  }, { threads: 1 });
  const x0 = STRIP_LENGTH_M / 2;
  const exact = exactCellAverages((x) => (hRight > 0 ? stokerAt(hLeft, hRight, x, tEnd, x0) : ritterAt(hLeft, x, tEnd, x0)).depth, 0, STRIP_LENGTH_M, cells);
  let l1 = 0;
  for (let c = 0; c < cells; c++) l1 += Math.abs(res.finalDepth[c]! - exact[c]!) * dx;
  return l1;
}

/** Least-squares slope of log L1 against log cell size: the observed order of convergence. */
export function observedOrder(cells: readonly number[], l1: readonly number[]): number {
  const xs = cells.map((n) => Math.log(STRIP_LENGTH_M / n));
  const ys = l1.map((e) => Math.log(e));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, k) => {
    num += (x - mx) * (ys[k]! - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

export const REFINEMENTS = [100, 200, 400, 800] as const;
