/**
 * The water a run is given: hyetographs (stepwise, mm/h) and hydrographs (linear, m³/s) integrated
 * exactly over a time step, so the volume put in is the volume the series describes whatever the steps.
 */
import type { Series } from '../model-contracts.ts';

/**
 * ∫ of a stepwise series over [t0, t1]: each value holds from its t until the next point's t; before
 * the first point nothing, after the last point the last value goes on.
 */
export function integrateStepwise(series: Series, t0: number, t1: number): number {
  let sum = 0;
  for (let k = 0; k < series.length; k++) {
    const start = Math.max(series[k]!.t, t0);
    const end = Math.min(k + 1 < series.length ? series[k + 1]!.t : Infinity, t1);
    if (end > start) sum += series[k]!.value * (end - start);
  }
  return sum;
}

/** The value of a linear series at t: linear between points, the end values held outside. */
export function linearAt(series: Series, t: number): number {
  const n = series.length;
  if (n === 0) return 0;
  if (t <= series[0]!.t) return series[0]!.value;
  if (t >= series[n - 1]!.t) return series[n - 1]!.value;
  let k = 0;
  while (series[k + 1]!.t < t) k++;
  const a = series[k]!;
  const b = series[k + 1]!;
  return b.t === a.t ? b.value : a.value + ((t - a.t) / (b.t - a.t)) * (b.value - a.value);
}

/** ∫ of a linear series over [t0, t1]: trapezoids between t0, the points inside, and t1 (exact). */
export function integrateLinear(series: Series, t0: number, t1: number): number {
  if (t1 <= t0 || series.length === 0) return 0;
  let sum = 0;
  let tPrev = t0;
  let vPrev = linearAt(series, t0);
  for (const p of series) {
    if (p.t <= t0 || p.t >= t1) continue;
    const v = linearAt(series, p.t);
    sum += ((vPrev + v) / 2) * (p.t - tPrev);
    tPrev = p.t;
    vPrev = v;
  }
  sum += ((vPrev + linearAt(series, t1)) / 2) * (t1 - tPrev);
  return sum;
}

/** Problems with a series, named by `field` (times must rise, values be finite and ≥ 0). */
export function seriesProblem(series: Series, field: string): string | null {
  if (!Array.isArray(series) || series.length === 0) return `${field} needs at least one point`;
  for (let k = 0; k < series.length; k++) {
    const p = series[k]!;
    if (!Number.isFinite(p?.t) || !Number.isFinite(p?.value)) return `${field}[${k}] needs a finite t and value`;
    if (p.value < 0) return `${field}[${k}].value must be ≥ 0`;
    if (k > 0 && p.t < series[k - 1]!.t) return `${field}[${k}].t goes back in time`;
  }
  return null;
}
