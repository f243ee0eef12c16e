/**
 * From an `InertialSetup` to the kernel's arrays: checks every input (naming the field at fault),
 * raises or blocks the buildings, squares Manning's n, sorts the rain masks into zones and finds the
 * cells each inflow is spread over. Arrays can live on shared memory so worker threads use them.
 */
import type { InertialSetup } from '../model-contracts.ts';
import { seriesProblem } from './forcing.ts';
import type { KernelArrays, KernelGeometry } from './inertial-kernel.ts';

/** A bad setup: `field` names the input at fault, for a problem+json or a CLI message. */
export class InertialSetupError extends RangeError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'InertialSetupError';
  }
}

export type EdgeName = 'north' | 'south' | 'east' | 'west';

export interface PreparedModel {
  geometry: KernelGeometry;
  arrays: KernelArrays;
  /** per rain zone (index = zone id), the rains falling on it */
  zoneRains: number[][];
  /** per rain zone, its cells that hold water (not walls) */
  zoneCells: Float64Array;
  /** per inflow, the cells it is spread over */
  inflowCells: Int32Array[];
  /** cells with no terrain (NaN): outside the model, NaN in the results */
  outside: Uint8Array;
}

const ALL_EDGES: EdgeName[] = ['north', 'south', 'east', 'west'];

/** Fails on the first bad input with an `InertialSetupError`; `shared` puts the arrays on shared memory. */
export function prepareModel(setup: InertialSetup, options: { theta: number; shared: boolean }): PreparedModel {
  const { terrain } = setup;
  const W = terrain?.width;
  const H = terrain?.height;
  if (!Number.isInteger(W) || !Number.isInteger(H) || W < 1 || H < 1) throw new InertialSetupError('terrain', 'width and height must be whole numbers ≥ 1');
  if (!(terrain.dx > 0) || !(terrain.dy > 0) || !Number.isFinite(terrain.dx) || !Number.isFinite(terrain.dy)) throw new InertialSetupError('terrain.dx', 'cell sizes must be finite and > 0');
  const n = W * H;
  if (!(terrain.data instanceof Float32Array) || terrain.data.length !== n) throw new InertialSetupError('terrain.data', `needs ${n} cells`);
  if (!(setup.durationS > 0) || !Number.isFinite(setup.durationS)) throw new InertialSetupError('durationS', 'must be finite and > 0');
  if (!(setup.outputIntervalS >= 0) || !Number.isFinite(setup.outputIntervalS)) throw new InertialSetupError('outputIntervalS', 'must be finite and ≥ 0');
  if (setup.boundary !== 'open' && setup.boundary !== 'closed') throw new InertialSetupError('boundary', "must be 'open' or 'closed'");
  const threshold = setup.arrivalThresholdM ?? 0.05;
  if (!(threshold > 0) || !Number.isFinite(threshold)) throw new InertialSetupError('arrivalThresholdM', 'must be finite and > 0');

  const f64 = (len: number): Float64Array => (options.shared ? new Float64Array(new SharedArrayBuffer(len * 8)) : new Float64Array(len));
  const f32 = (len: number): Float32Array => (options.shared ? new Float32Array(new SharedArrayBuffer(len * 4)) : new Float32Array(len));
  const u8 = (len: number): Uint8Array => (options.shared ? new Uint8Array(new SharedArrayBuffer(len)) : new Uint8Array(len));

  const z = f64(n);
  const wall = u8(n);
  const outside = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = terrain.data[i]!;
    if (Number.isFinite(v)) z[i] = v;
    else {
      wall[i] = 1;
      outside[i] = 1;
    }
  }

  if (setup.buildings) {
    const { mask, raiseM } = setup.buildings;
    if (!(mask instanceof Uint8Array) || mask.length !== n) throw new InertialSetupError('buildings.mask', `needs ${n} cells`);
    if (raiseM !== undefined && (!Number.isFinite(raiseM) || raiseM < 0)) throw new InertialSetupError('buildings.raiseM', 'must be finite and ≥ 0');
    for (let i = 0; i < n; i++) {
      if (mask[i] === 0 || outside[i] === 1) continue;
      if (raiseM === undefined) wall[i] = 1;
      else z[i]! += raiseM;
    }
  }

  const nSq = f64(n);
  if (typeof setup.manning === 'number') {
    if (!Number.isFinite(setup.manning) || setup.manning < 0) throw new InertialSetupError('manning', 'must be finite and ≥ 0');
    nSq.fill(setup.manning * setup.manning);
  } else {
    if (!(setup.manning instanceof Float32Array) || setup.manning.length !== n) throw new InertialSetupError('manning', `needs one number or ${n} cells`);
    for (let i = 0; i < n; i++) {
      const v = setup.manning[i]!;
      if (outside[i] === 1) continue;
      if (!Number.isFinite(v) || v < 0) throw new InertialSetupError('manning', `cell ${i} has ${v}; values must be finite and ≥ 0`);
      nSq[i] = v * v;
    }
  }

  const h = f64(n);
  if (setup.initialDepth) {
    const d = setup.initialDepth;
    if (!(d instanceof Float32Array) || d.length !== n) throw new InertialSetupError('initialDepth', `needs ${n} cells`);
    for (let i = 0; i < n; i++) {
      if (wall[i] === 1) continue;
      const v = d[i]!;
      if (!Number.isFinite(v) || v < 0) throw new InertialSetupError('initialDepth', `cell ${i} has ${v}; depths must be finite and ≥ 0`);
      h[i] = v;
    }
  }

  // rain zones: cells under the same set of rains share a zone, so a step's rain is one lookup a cell
  const rains = setup.rainfall ?? [];
  if (rains.length > 30) throw new InertialSetupError('rainfall', 'at most 30 rains');
  const rainZone = u8(n);
  const zoneOfKey = new Map<number, number>([[0, 0]]);
  const zoneRains: number[][] = [[]];
  const zoneCellsList: number[] = [0];
  rains.forEach((rain, k) => {
    const problem = seriesProblem(rain?.hyetograph, `rainfall[${k}].hyetograph`);
    if (problem) throw new InertialSetupError(`rainfall[${k}].hyetograph`, problem);
    if (rain.mask !== undefined && (!(rain.mask instanceof Uint8Array) || rain.mask.length !== n)) throw new InertialSetupError(`rainfall[${k}].mask`, `needs ${n} cells`);
  });
  if (rains.length > 0) {
    for (let i = 0; i < n; i++) {
      let key = 0;
      for (let k = 0; k < rains.length; k++) {
        const mask = rains[k]!.mask;
        if (mask === undefined || mask[i] !== 0) key |= 1 << k;
      }
      let zone = zoneOfKey.get(key);
      if (zone === undefined) {
        zone = zoneRains.length;
        if (zone > 255) throw new InertialSetupError('rainfall', 'the rain masks overlap in more than 255 ways');
        zoneOfKey.set(key, zone);
        zoneRains.push(rains.map((_, k) => k).filter((k) => (key & (1 << k)) !== 0));
        zoneCellsList.push(0);
      }
      rainZone[i] = zone;
      if (wall[i] === 0) zoneCellsList[zone]!++;
    }
  }

  const inflowCells = (setup.inflows ?? []).map((inflow, k) => {
    const field = `inflows[${k}]`;
    const problem = seriesProblem(inflow?.hydrograph, `${field}.hydrograph`);
    if (problem) throw new InertialSetupError(`${field}.hydrograph`, problem);
    if (!Number.isInteger(inflow.col) || !Number.isInteger(inflow.row) || inflow.col < 0 || inflow.row < 0 || inflow.col >= W || inflow.row >= H) {
      throw new InertialSetupError(`${field}.col`, `cell (${inflow.col}, ${inflow.row}) is not on the ${W} × ${H} grid`);
    }
    const radius = inflow.radiusM ?? 0;
    if (!Number.isFinite(radius) || radius < 0) throw new InertialSetupError(`${field}.radiusM`, 'must be finite and ≥ 0');
    const cells: number[] = [];
    const rc = Math.ceil(radius / terrain.dx);
    const rr = Math.ceil(radius / terrain.dy);
    for (let row = Math.max(0, inflow.row - rr); row <= Math.min(H - 1, inflow.row + rr); row++) {
      for (let col = Math.max(0, inflow.col - rc); col <= Math.min(W - 1, inflow.col + rc); col++) {
        const ex = (col - inflow.col) * terrain.dx;
        const ey = (row - inflow.row) * terrain.dy;
        if (ex * ex + ey * ey <= radius * radius && wall[row * W + col] === 0) cells.push(row * W + col);
      }
    }
    if (cells.length === 0) throw new InertialSetupError(`${field}.col`, `no cell within ${radius} m of (${inflow.col}, ${inflow.row}) can take water (no terrain or a blocked building)`);
    return Int32Array.from(cells);
  });

  for (const [k, gauge] of (setup.gauges ?? []).entries()) {
    if (!Number.isInteger(gauge?.col) || !Number.isInteger(gauge?.row) || gauge.col < 0 || gauge.row < 0 || gauge.col >= W || gauge.row >= H) {
      throw new InertialSetupError(`gauges[${k}]`, `cell (${gauge?.col}, ${gauge?.row}) is not on the ${W} × ${H} grid`);
    }
  }

  const open = new Set<EdgeName>(setup.boundary === 'open' ? (setup.openEdges ?? ALL_EDGES) : []);
  for (const edge of open) if (!ALL_EDGES.includes(edge)) throw new InertialSetupError('openEdges', `unknown edge ${String(edge)}`);

  const maxDepth = f32(n);
  const arrival = f32(n).fill(NaN);
  const maxSpeedSq = f32(n);
  const geometry: KernelGeometry = {
    width: W,
    height: H,
    dx: terrain.dx,
    dy: terrain.dy,
    openWest: open.has('west'),
    openEast: open.has('east'),
    openNorth: open.has('north'),
    openSouth: open.has('south'),
    theta: options.theta,
    arrivalThresholdM: threshold,
  };
  const arrays: KernelArrays = {
    z,
    wall,
    nSq,
    h,
    qx: f64((W + 1) * H),
    qxRaw: f64((W + 1) * H),
    qy: f64(W * (H + 1)),
    qyRaw: f64(W * (H + 1)),
    factor: f64(n),
    rainZone,
    maxDepth,
    maxSpeedSq,
    arrival,
  };
  for (let i = 0; i < n; i++) {
    const d = h[i]!;
    if (d > 0) maxDepth[i] = d;
    if (d > threshold) arrival[i] = 0;
  }
  return { geometry, arrays, zoneRains, zoneCells: Float64Array.from(zoneCellsList), inflowCells, outside };
}
