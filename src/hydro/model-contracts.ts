/**
 * What the flow models take and give, shared by the solvers (`terrain/`, `inertial/`, `swe/`), the
 * analysis jobs that run them and the benches. Positions are cells of the terrain grid (col, row;
 * row 0 north) so the solvers never deal with coordinate systems: the caller places things.
 */
import type { TerrainGrid } from '../raster/grid.ts';

export type { TerrainGrid };

/** Told now and then while a model runs: fraction done in [0, 1]. */
export type ModelProgress = (fraction: number, message?: string) => void;

export interface ModelRunOptions {
  /** aborting stops the run at its next step with an AbortError */
  signal?: AbortSignal;
  onProgress?: ModelProgress;
  /** worker threads to use (default: the machine's cores, at most 2 here); 1 = this thread only */
  threads?: number;
}

/** A time series: seconds since the start, and a value (m³/s for inflows, mm/h for rain). */
export type Series = ReadonlyArray<{ t: number; value: number }>;

/** A mask over the grid's cells, row-major, 1 = inside. */
export type CellMask = Uint8Array;

export interface Gauge {
  name: string;
  col: number;
  row: number;
}

export interface GaugeRecord {
  name: string;
  col: number;
  row: number;
  /** seconds */
  times: number[];
  /** depth in metres at each time */
  depths: number[];
  /** water surface elevation in metres at each time */
  levels: number[];
}

export interface MassBalance {
  /** water that came in (rain and inflows), m³ */
  inflowM3: number;
  /** water that left through open boundaries, m³ */
  outflowM3: number;
  /** water in the domain at the start, m³ */
  initialM3: number;
  /** water in the domain at the end, m³ */
  finalM3: number;
  /** |initial + inflow − outflow − final| as a percentage of (inflow + initial) */
  errorPct: number;
}

/** What a dynamic flood run gives back; arrays are per cell, row-major like the terrain. */
export interface FloodResult {
  /** maximum depth reached, metres (0 where it stayed dry, NaN outside) */
  maxDepth: Float32Array;
  /** maximum speed reached, m/s */
  maxVelocity: Float32Array;
  /** first time the depth went above `arrivalThresholdM`, seconds; NaN = never */
  arrivalTime: Float32Array;
  /** depth at the end, metres */
  finalDepth: Float32Array;
  /** depth snapshots at the output interval, for the time slider */
  snapshots: Array<{ t: number; depth: Float32Array }>;
  gauges: GaugeRecord[];
  massBalance: MassBalance;
  /** seconds simulated */
  simulatedSeconds: number;
  /** time steps taken */
  steps: number;
  /** cell updates done (wet cells × steps, summed), for the benches */
  cellUpdates: number;
}
