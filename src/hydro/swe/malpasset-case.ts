/**
 * The Malpasset dam break (Var, France, 2 December 1959) as a validation case of the dam-break
 * model, shared by its test and `bench/models-dambreak.ts`. Data: the folder
 * `benchmarks/malpasset/` of the shared data (see its SOURCE.md § malpasset): the TELEMAC bottom
 * interpolated on a 20 m grid (−9999 = outside = walls) and the observations (transformers A, B, C
 * with the travel times A→B 1140 s and A→C 1320 s; maxima of the physical model at P6–P14).
 *
 * Initial state as TELEMAC's CORSUI (distan.f): water level 100 m on the reservoir side of the
 * line through (4701.183, 4143.407)–(4655.553, 4392.104), dry on the other, depth 0 within 200 m of
 * (4500, 5350); the dam is gone at t = 0 (a sudden break). Strickler 30 → Manning n = 1/30.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromArrayBuffer } from 'geotiff';
import type { DamBreakSetup, FloodResult, Gauge, ModelRunOptions } from '../model-contracts.ts';
import { runDamBreak } from './dam-break-model.ts';

const DAM_A = { x: 4701.183, y: 4143.407 };
const DAM_B = { x: 4655.553, y: 4392.104 };
const DRY_POCKET = { x: 4500, y: 5350, radiusM: 200 };
const RESERVOIR_LEVEL_M = 100;
/** a point certainly in the reservoir (upstream of the dam), fixing which side of the line is wet */
const UPSTREAM_POINT = { x: 4000, y: 4300 };

export interface MalpassetPoint {
  id: string;
  kind: 'transformer' | 'physical_model_gauge';
  x: number;
  y: number;
  observedMaxLevelM: number | null;
  observedTravelFromAS: number | null;
}

export interface MalpassetCase {
  setup: DamBreakSetup;
  originX: number;
  originY: number;
  cellSizeM: number;
  points: MalpassetPoint[];
}

export interface MalpassetMetrics {
  /** arrival (first depth above the threshold) at A, B, C, seconds; NaN = not reached */
  arrivalS: Record<'A' | 'B' | 'C', number>;
  travelABS: number;
  travelACS: number;
  travelABErrorPct: number;
  travelACErrorPct: number;
  /** the larger of the two travel-time errors, % */
  travelTimeErrorPct: number;
  maxLevels: Array<{ id: string; observedM: number; modelledM: number; errorM: number }>;
  massErrorPct: number;
}

/**
 * Read with the geotiff package directly, not the project's `readGeoTiff`: this raster is in the
 * mesh's local metres with no CRS, which the project's reader rightly refuses for a city's DEM.
 */
async function readBottom(path: string): Promise<{ width: number; height: number; originX: number; originY: number; cell: number; data: Float32Array }> {
  const buf = await readFile(path);
  const tiff = await fromArrayBuffer(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
  const image = await tiff.getImage();
  const [originX, originY] = image.getOrigin() as [number, number];
  const [resX] = image.getResolution() as [number, number];
  const nodata = image.getGDALNoData();
  const raw = (await image.readRasters({ interleave: true })) as unknown as ArrayLike<number>;
  const data = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]!;
    data[i] = v === nodata || v <= -9999 || !Number.isFinite(v) ? NaN : v;
  }
  return { width: image.getWidth(), height: image.getHeight(), originX, originY, cell: resX, data };
}

/** Block means of `factor` × `factor` cells (outside when fewer than half the block has data). */
export function coarsen(data: Float32Array, width: number, height: number, factor: number): { width: number; height: number; data: Float32Array } {
  const w = Math.floor(width / factor);
  const h = Math.floor(height / factor);
  const out = new Float32Array(w * h);
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      let sum = 0;
      let n = 0;
      for (let rr = 0; rr < factor; rr++) {
        for (let cc = 0; cc < factor; cc++) {
          const v = data[(r * factor + rr) * width + c * factor + cc]!;
          if (v === v) {
            sum += v;
            n++;
          }
        }
      }
      out[r * w + c] = n * 2 >= factor * factor ? sum / n : NaN;
    }
  }
  return { width: w, height: h, data: out };
}

async function readPoints(path: string): Promise<MalpassetPoint[]> {
  const lines = (await readFile(path, 'utf8')).trim().split(/\r?\n/);
  const header = lines[0]!.split(',');
  const col = (name: string) => header.indexOf(name);
  const num = (s: string | undefined) => (s === undefined || s.trim() === '' ? null : Number(s));
  return lines.slice(1).map((line) => {
    const f = line.split(',');
    return {
      id: f[col('id')]!,
      kind: f[col('kind')] as MalpassetPoint['kind'],
      x: Number(f[col('x_m')]),
      y: Number(f[col('y_m')]),
      observedMaxLevelM: num(f[col('observed_max_water_level_m')]),
      observedTravelFromAS: num(f[col('observed_travel_time_from_A_s')]),
    };
  });
}

function side(x: number, y: number): number {
  return Math.sign((DAM_B.x - DAM_A.x) * (y - DAM_A.y) - (DAM_B.y - DAM_A.y) * (x - DAM_A.x));
}

/**
 * The case on the 20 m grid (cellFactor 1) or a coarser one (2 = 40 m …), run for durationS.
 * `dataDir` is the folder holding malpasset_bottom_20m.tif and observations.csv.
 */
export async function loadMalpasset(dataDir: string, opts: { cellFactor?: number; durationS?: number; order?: 1 | 2; arrivalThresholdM?: number } = {}): Promise<MalpassetCase> {
  const bottom = await readBottom(join(dataDir, 'malpasset_bottom_20m.tif'));
  const points = await readPoints(join(dataDir, 'observations.csv'));
  const factor = opts.cellFactor ?? 1;
  const grid = factor > 1 ? coarsen(bottom.data, bottom.width, bottom.height, factor) : { width: bottom.width, height: bottom.height, data: bottom.data };
  const cell = bottom.cell * factor;
  const upstream = side(UPSTREAM_POINT.x, UPSTREAM_POINT.y);
  const depth = new Float32Array(grid.width * grid.height);
  for (let r = 0; r < grid.height; r++) {
    for (let c = 0; c < grid.width; c++) {
      const i = r * grid.width + c;
      const z = grid.data[i]!;
      if (z !== z) continue;
      const x = bottom.originX + (c + 0.5) * cell;
      const y = bottom.originY - (r + 0.5) * cell;
      if (side(x, y) !== upstream) continue;
      if (Math.hypot(x - DRY_POCKET.x, y - DRY_POCKET.y) <= DRY_POCKET.radiusM) continue;
      depth[i] = Math.max(0, RESERVOIR_LEVEL_M - z);
    }
  }
  const gauges: Gauge[] = points.map((p) => ({
    name: p.id,
    col: Math.min(grid.width - 1, Math.max(0, Math.floor((p.x - bottom.originX) / cell))),
    row: Math.min(grid.height - 1, Math.max(0, Math.floor((bottom.originY - p.y) / cell))),
  }));
  const setup: DamBreakSetup = {
    terrain: { width: grid.width, height: grid.height, dx: cell, dy: cell, data: grid.data },
    manning: 1 / 30,
    initialDepth: depth,
    boundary: 'closed',
    durationS: opts.durationS ?? 4000,
    outputIntervalS: 0,
    arrivalThresholdM: opts.arrivalThresholdM ?? 0.05,
    gauges,
    order: opts.order ?? 2,
  };
  return { setup, originX: bottom.originX, originY: bottom.originY, cellSizeM: cell, points };
}

/**
 * The arrival at a point: its cell's, or where the cell has no data or stays dry (a transformer on a
 * bank between two 20 m cells), the earliest of its 3 × 3 neighbours.
 */
function arrivalNear(res: FloodResult, width: number, height: number, col: number, row: number): number {
  const own = res.arrivalTime[row * width + col]!;
  if (own === own) return own;
  let best = NaN;
  for (let r = Math.max(0, row - 1); r <= Math.min(height - 1, row + 1); r++) {
    for (let c = Math.max(0, col - 1); c <= Math.min(width - 1, col + 1); c++) {
      const t = res.arrivalTime[r * width + c]!;
      if (t === t && !(t >= best)) best = t;
    }
  }
  return best;
}

export function malpassetMetrics(mc: MalpassetCase, res: FloodResult): MalpassetMetrics {
  const { width, height, data } = mc.setup.terrain;
  const gauge = (id: string) => mc.setup.gauges!.find((g) => g.name === id)!;
  const arrival = (id: string) => arrivalNear(res, width, height, gauge(id).col, gauge(id).row);
  const arrivalS = { A: arrival('A'), B: arrival('B'), C: arrival('C') };
  const obs = (id: string) => mc.points.find((p) => p.id === id)!.observedTravelFromAS!;
  const travelABS = arrivalS.B - arrivalS.A;
  const travelACS = arrivalS.C - arrivalS.A;
  const travelABErrorPct = (100 * (travelABS - obs('B'))) / obs('B');
  const travelACErrorPct = (100 * (travelACS - obs('C'))) / obs('C');
  const maxLevels = mc.points
    .filter((p) => p.observedMaxLevelM !== null)
    .map((p) => {
      const g = gauge(p.id);
      const i = g.row * width + g.col;
      const modelledM = res.maxDepth[i]! + data[i]!;
      return { id: p.id, observedM: p.observedMaxLevelM!, modelledM, errorM: modelledM - p.observedMaxLevelM! };
    });
  return {
    arrivalS,
    travelABS,
    travelACS,
    travelABErrorPct,
    travelACErrorPct,
    travelTimeErrorPct: Math.max(Math.abs(travelABErrorPct), Math.abs(travelACErrorPct)),
    maxLevels,
    massErrorPct: res.massBalance.errorPct,
  };
}

/** Load, run and measure; wallSeconds is the model run alone (not the reading of the files). */
export async function runMalpasset(dataDir: string, opts: { cellFactor?: number; durationS?: number; order?: 1 | 2; arrivalThresholdM?: number } = {}, run: ModelRunOptions = {}): Promise<{ mc: MalpassetCase; result: FloodResult; metrics: MalpassetMetrics; wallSeconds: number }> {
  const mc = await loadMalpasset(dataDir, opts);
  const t0 = performance.now();
  const result = await runDamBreak(mc.setup, run);
  const wallSeconds = (performance.now() - t0) / 1000;
  return { mc, result, metrics: malpassetMetrics(mc, result), wallSeconds };
}
