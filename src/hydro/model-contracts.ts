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

/** A rain: a hyetograph (mm/h, stepwise: each value holds until the next t) over the cells of a mask. */
export interface RainfallInput {
  /** cells it falls on; omitted = the whole grid */
  mask?: CellMask;
  hyetograph: Series;
}

/** Water let in at one cell: a hydrograph in m³/s (linear between points), spread over `radiusM`. */
export interface InflowInput {
  col: number;
  row: number;
  /** spread the inflow over the cells within this distance (m); 0 = the one cell */
  radiusM?: number;
  hydrograph: Series;
}

/** The local-inertial flood model's input (山洪淹没分析). */
export interface InertialSetup {
  terrain: TerrainGrid;
  /** Manning's n: one value, or one per cell */
  manning: number | Float32Array;
  rainfall?: RainfallInput[];
  inflows?: InflowInput[];
  /** buildings: cells raised by `raiseM` (or blocked to flow when raiseM is omitted) */
  buildings?: { mask: CellMask; raiseM?: number };
  /** 'closed' = walls; 'open' = water leaves at the edge at normal depth (free outflow) */
  boundary: 'open' | 'closed';
  /** with boundary 'open': the edges that are open (default all four); the others are walls */
  openEdges?: Array<'north' | 'south' | 'east' | 'west'>;
  /** initial water depth per cell, metres (optional) */
  initialDepth?: Float32Array;
  durationS: number;
  /** snapshot every this many seconds (0 = none) */
  outputIntervalS: number;
  /** depth above which a cell counts as reached (arrival time), metres; default 0.05 */
  arrivalThresholdM?: number;
  gauges?: Gauge[];
}

/** A dam described as data (水库溃坝分析). */
export interface DamBreakInput {
  /** the crest line, as cell positions (col, row may be fractional) */
  crestLine: Array<{ col: number; row: number }>;
  /** crest elevation, metres */
  crestLevelM: number;
  /** the reservoir's water level, metres; cells on the reservoir side below it start wet */
  reservoirLevelM: number;
  /** a cell on the reservoir side (which side of the line the water is) */
  reservoirSide: { col: number; row: number };
  breach:
    | { mode: 'sudden' }
    | {
        mode: 'gradual';
        /** centre of the breach along the crest line, as a fraction 0..1 of its length */
        centre: number;
        /** final width and bottom level of the breach */
        finalWidthM: number;
        finalBottomM: number;
        /** time from the first overtopping to the full breach, seconds */
        formationS: number;
      };
}

/** The shallow-water finite-volume model's input. */
export interface DamBreakSetup {
  terrain: TerrainGrid;
  manning: number | Float32Array;
  dam?: DamBreakInput;
  /** initial water depth per cell (e.g. for a test case), metres */
  initialDepth?: Float32Array;
  /** initial velocities (optional), m/s */
  initialU?: Float32Array;
  initialV?: Float32Array;
  boundary: 'open' | 'closed';
  durationS: number;
  outputIntervalS: number;
  arrivalThresholdM?: number;
  gauges?: Gauge[];
  /** 1 = first order, 2 = MUSCL (default 2) */
  order?: 1 | 2;
  /** CFL number, default 0.45 */
  cfl?: number;
}
