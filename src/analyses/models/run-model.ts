/**
 * A placed job run by its model (on the worker thread): the terrain models of src/hydro/terrain
 * (fill, lake), the local-inertial flood model (src/hydro/inertial) and the shallow-water dam
 * break (src/hydro/swe). This file only builds each solver's setup from the job — masks from
 * polygons, Manning's n per cell — and names the layers of its result.
 */
import type { Grid } from '../../raster/grid.ts';
import { terrainOf } from '../../raster/grid.ts';
import type { FloodResult, ModelRunOptions } from '../../hydro/model-contracts.ts';
import { circleMask, polygonMask } from '../../hydro/cell-masks.ts';
import { fillDepressions, flowAccumulation, flowDirections, heightAboveNearestDrainage, lakeFill, streams } from '../../hydro/terrain/index.ts';
import { runLocalInertial } from '../../hydro/inertial/run-local-inertial.ts';
import { runDamBreak } from '../../hydro/swe/dam-break-model.ts';
import type { GridPolygon, ModelOutput, OutputLayer, PlacedJob } from './model-job.ts';

export async function runModel(grid: Grid, job: PlacedJob, opts: ModelRunOptions): Promise<ModelOutput> {
  switch (job.model) {
    case 'fill':
      return runFill(grid, job, opts);
    case 'lake':
      return runLake(grid, job, opts);
    case 'flood':
      return runFlood(grid, job, opts);
    case 'dambreak':
      return runDam(grid, job, opts);
  }
}

function maskOf(grid: Grid, polygons: readonly GridPolygon[]): Uint8Array {
  const mask = new Uint8Array(grid.width * grid.height);
  for (const rings of polygons) polygonMask(grid, rings, mask);
  return mask;
}

async function runFill(grid: Grid, job: Extract<PlacedJob, { model: 'fill' }>, opts: ModelRunOptions): Promise<ModelOutput> {
  const terrain = terrainOf(grid);
  opts.onProgress?.(0, 'fill depressions');
  const filled = fillDepressions(terrain);
  let raised = 0;
  const depth = new Float32Array(filled.length);
  for (let i = 0; i < filled.length; i++) {
    const d = filled[i]! - terrain.data[i]!;
    depth[i] = d;
    if (d > 0) raised++;
  }
  opts.onProgress?.(0.4, 'flow directions');
  const conditioned = { ...terrain, data: filled };
  const dirs = flowDirections(conditioned);
  opts.onProgress?.(0.6, 'flow accumulation');
  const acc = flowAccumulation(dirs, terrain);
  opts.onProgress?.(0.8, 'height above nearest drainage');
  // HAND over the filled surface: every cell then drains to a stream, and no pit reads negative.
  const hand = prefixed('inputs', () => heightAboveNearestDrainage(conditioned, dirs, streams(acc, job.streamThresholdCells)));
  const d8 = new Float32Array(dirs.length);
  for (let i = 0; i < dirs.length; i++) d8[i] = dirs[i]! < 0 ? NaN : dirs[i]!;
  opts.onProgress?.(1, 'done');
  return {
    layers: [
      { name: 'filled', unit: 'm', ramp: 'terrain', data: filled },
      { name: 'fillDepth', unit: 'm', ramp: 'depth', data: depth },
      { name: 'flowDirection', unit: 'D8', ramp: 'terrain', data: d8 },
      { name: 'flowAccumulation', unit: 'cells', ramp: 'velocity', data: acc },
      { name: 'hand', unit: 'm', ramp: 'terrain', data: hand },
    ],
    depth: null,
    filledCells: raised,
  };
}

async function runLake(grid: Grid, job: Extract<PlacedJob, { model: 'lake' }>, opts: ModelRunOptions): Promise<ModelOutput> {
  opts.onProgress?.(0, 'lake');
  const r = prefixed('inputs', () => lakeFill(terrainOf(grid), job.seed, job.levelM));
  opts.onProgress?.(1, 'done');
  return { layers: [{ name: 'depth', unit: 'm', ramp: 'depth', data: r.depth }], depth: r.depth };
}

async function runFlood(grid: Grid, job: Extract<PlacedJob, { model: 'flood' }>, opts: ModelRunOptions): Promise<ModelOutput> {
  const n = grid.width * grid.height;
  let manning: number | Float32Array = job.manning;
  if (job.roughness.length > 0) {
    // Later polygons win where they overlap, as a city draws a road over a park.
    const perCell = new Float32Array(n).fill(job.manning);
    for (const r of job.roughness) {
      const m = maskOf(grid, r.polygons);
      for (let i = 0; i < n; i++) if (m[i]) perCell[i] = r.n;
    }
    manning = perCell;
  }
  const result = await runLocalInertial(
    {
      terrain: terrainOf(grid),
      manning,
      rainfall: job.rainfall.map((r) => (r.polygons ? { mask: maskOf(grid, r.polygons), hyetograph: r.hyetograph } : { hyetograph: r.hyetograph })),
      inflows: job.inflows.map((f) => ({ col: f.col, row: f.row, radiusM: f.radiusM, hydrograph: f.hydrograph })),
      ...(job.buildings && job.buildings.polygons.length > 0 ? { buildings: { mask: maskOf(grid, job.buildings.polygons), ...(job.buildings.raiseM !== null ? { raiseM: job.buildings.raiseM } : {}) } } : {}),
      boundary: job.boundary,
      durationS: job.durationS,
      outputIntervalS: job.outputIntervalS,
      arrivalThresholdM: job.arrivalThresholdM,
    },
    opts,
  );
  return floodOutput(result);
}

async function runDam(grid: Grid, job: Extract<PlacedJob, { model: 'dambreak' }>, opts: ModelRunOptions): Promise<ModelOutput> {
  const result = await prefixed('inputs.dam', () =>
    runDamBreak(
      {
        terrain: terrainOf(grid),
        manning: job.manning,
        dam: { crestLine: [...job.crestLine], crestLevelM: job.crestLevelM, reservoirLevelM: job.reservoirLevelM, reservoirSide: job.reservoirSide, breach: job.breach },
        boundary: job.boundary,
        durationS: job.durationS,
        outputIntervalS: job.outputIntervalS,
        arrivalThresholdM: job.arrivalThresholdM,
      },
      opts,
    ),
  );
  return floodOutput(result);
}

/** The layers of a dynamic run; arrival time in minutes (what a map legend reads). */
function floodOutput(r: FloodResult): ModelOutput {
  const arrivalMinutes = new Float32Array(r.arrivalTime.length);
  for (let i = 0; i < arrivalMinutes.length; i++) arrivalMinutes[i] = r.arrivalTime[i]! / 60;
  const layers: OutputLayer[] = [
    { name: 'maxDepth', unit: 'm', ramp: 'depth', data: r.maxDepth },
    { name: 'arrivalTime', unit: 'min', ramp: 'arrival', data: arrivalMinutes },
    { name: 'maxVelocity', unit: 'm/s', ramp: 'velocity', data: r.maxVelocity },
    { name: 'finalDepth', unit: 'm', ramp: 'depth', data: r.finalDepth },
    ...r.snapshots.map((s, i) => ({ name: `snapshot-${i}`, unit: 'm', ramp: 'depth' as const, data: s.depth, t: s.t })),
  ];
  return { layers, depth: r.maxDepth, volumeM3: r.massBalance.finalM3, massBalanceErrorPct: r.massBalance.errorPct, simulatedSeconds: r.simulatedSeconds };
}

/** A solver's refusal names its own argument (`seed`); the run's caller knows it under `inputs.`. */
function prefixed<T>(prefix: string, fn: () => T): T {
  const rename = (e: unknown): never => {
    const err = e as { extra?: { field?: unknown } };
    if (err && typeof err === 'object' && err.extra && typeof err.extra.field === 'string') (err.extra as { field: string }).field = `${prefix}.${err.extra.field}`;
    throw e;
  };
  try {
    const r = fn();
    return (r instanceof Promise ? r.catch(rename) : r) as T;
  } catch (e) {
    return rename(e);
  }
}
