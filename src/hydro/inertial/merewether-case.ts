/**
 * The Merewether validation (Pasha Bulker storm, Newcastle NSW, 8 June 2007; ARR Project 15, as set up
 * in ANUGA's validation tests): a 1 m DEM of a suburban catchment, 59 houses raised 3 m, Manning 0.02 on
 * the road and 0.04 elsewhere, 19.7 m³/s let in over a 10 m circle, 1000 s. Scored by the peak water
 * level at the five observation points against the observed levels and against TUFLOW's.
 *
 * Reading the files is `loadMerewether` (I/O); building the setup and scoring are pure, so the test and
 * the bench (`bench/models-flood.ts`) share them.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_MAX_RASTER_CELLS, readGeoTiff } from '../../raster/geotiff-reader.ts';
import { cellAt, type Grid, terrainOf } from '../../raster/grid.ts';
import { polygonMask, type Ring } from '../cell-masks.ts';
import type { FloodResult, InertialSetup } from '../model-contracts.ts';

export interface MerewetherObservation {
  id: string;
  x: number;
  y: number;
  /** observed peak stage, ARR report final, m */
  observedM: number;
  /** TUFLOW's peak stage in the ARR report, m */
  tuflowM: number;
}

export interface MerewetherData {
  dem: Grid;
  extent: Ring;
  road: Ring;
  /** footprints, house030 left out as ANUGA's project.py does */
  houses: Array<{ name: string; ring: Ring }>;
  observations: MerewetherObservation[];
}

/** ANUGA's forcing (runMerewether.py): constant inflow into a circle. */
export const MEREWETHER_INFLOW = { x: 382265, y: 6354280, radiusM: 10, dischargeM3s: 19.7 };
export const MEREWETHER_HOUSE_RAISE_M = 3;
export const MEREWETHER_ROAD_N = 0.02;
export const MEREWETHER_OTHER_N = 0.04;
/** ANUGA: reflective on the bottom (south) and left (west) sides, transmissive on top (north) and right (east) */
export const MEREWETHER_OPEN_EDGES: Array<'north' | 'east'> = ['north', 'east'];

function parseRing(text: string, file: string): Ring {
  const ring: Array<[number, number]> = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const [x, y] = line.split(',').map((s) => Number(s.trim()));
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new Error(`${file}: not an x,y line: ${line}`);
    ring.push([x!, y!]);
  }
  return ring;
}

/** Reads the benchmark's folder (as in ../shared/data/benchmarks/merewether). */
export async function loadMerewether(dir: string): Promise<MerewetherData> {
  // The project's reader: nodata → NaN, and the CRS (EPSG:32756) from the file's GeoKeys.
  const dem: Grid = await readGeoTiff(await readFile(join(dir, 'merewether_dem_1m.tif')), { maxCells: DEFAULT_MAX_RASTER_CELLS });

  const read = (name: string): Promise<string> => readFile(join(dir, name), 'utf8');
  const houseFiles = (await readdir(join(dir, 'houses'))).filter((f) => f.endsWith('.csv') && f !== 'house030.csv').sort();
  const houses = await Promise.all(houseFiles.map(async (f) => ({ name: f.replace(/\.csv$/, ''), ring: parseRing(await read(join('houses', f)), f) })));
  const observations = (await read('observed_peak_stage.csv'))
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [x, y, id, , final, tuflow] = line.split(',').map((s) => s.trim());
      return { id: id!, x: Number(x), y: Number(y), observedM: Number(final), tuflowM: Number(tuflow) };
    });
  return { dem, extent: parseRing(await read('extent.csv'), 'extent.csv'), road: parseRing(await read('road_polygon.csv'), 'road_polygon.csv'), houses, observations };
}

/** The grid averaged over blocks of `factor` × `factor` cells (the mean of the cells with data). */
export function coarsen(grid: Grid, factor: number): Grid {
  if (factor === 1) return grid;
  const width = Math.floor(grid.width / factor);
  const height = Math.floor(grid.height / factor);
  const data = new Float32Array(width * height);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      let sum = 0;
      let count = 0;
      for (let r = 0; r < factor; r++) {
        for (let c = 0; c < factor; c++) {
          const v = grid.data[(row * factor + r) * grid.width + col * factor + c]!;
          if (v === v) {
            sum += v;
            count++;
          }
        }
      }
      data[row * width + col] = count > 0 ? sum / count : NaN;
    }
  }
  return { ...grid, width, height, cellWidth: grid.cellWidth * factor, cellHeight: grid.cellHeight * factor, data };
}

export interface MerewetherCase {
  grid: Grid;
  setup: InertialSetup;
  /** the observation points as gauges (same order as `data.observations`) */
  observations: MerewetherObservation[];
}

/** The ANUGA set-up on the DEM coarsened by `factor` (1 = the 1 m DEM), run for `durationS`. */
export function buildMerewetherCase(data: MerewetherData, options: { factor?: number; durationS?: number } = {}): MerewetherCase {
  const grid = coarsen(data.dem, options.factor ?? 1);
  const n = grid.width * grid.height;
  const terrainData = new Float32Array(grid.data);
  const inside = polygonMask(grid, [data.extent]);
  for (let i = 0; i < n; i++) if (inside[i] === 0) terrainData[i] = NaN;
  const houses = new Uint8Array(n);
  for (const house of data.houses) polygonMask(grid, [house.ring], houses);
  const road = polygonMask(grid, [data.road]);
  const manning = new Float32Array(n);
  for (let i = 0; i < n; i++) manning[i] = road[i] === 1 ? MEREWETHER_ROAD_N : MEREWETHER_OTHER_N;
  const inflowCell = cellAt(grid, MEREWETHER_INFLOW.x, MEREWETHER_INFLOW.y);
  if (!inflowCell) throw new Error('the inflow point is not on the DEM');
  const gauges = data.observations.map((o) => {
    const cell = cellAt(grid, o.x, o.y);
    if (!cell) throw new Error(`observation point ${o.id} is not on the DEM`);
    return { name: o.id, col: cell.col, row: cell.row };
  });
  const setup: InertialSetup = {
    terrain: { ...terrainOf(grid), data: terrainData },
    manning,
    inflows: [{ col: inflowCell.col, row: inflowCell.row, radiusM: MEREWETHER_INFLOW.radiusM, hydrograph: [{ t: 0, value: MEREWETHER_INFLOW.dischargeM3s }] }],
    buildings: { mask: houses, raiseM: MEREWETHER_HOUSE_RAISE_M },
    boundary: 'open',
    openEdges: [...MEREWETHER_OPEN_EDGES],
    durationS: options.durationS ?? 1000,
    outputIntervalS: 0,
    gauges,
  };
  return { grid, setup, observations: data.observations };
}

export interface MerewetherScore {
  points: Array<{ id: string; observedM: number; tuflowM: number; modelM: number }>;
  /** RMSE of our peak stage against the observed, m */
  modelRmseM: number;
  /** RMSE of TUFLOW's peak stage against the observed, m */
  tuflowRmseM: number;
}

/** Peak stage (bed + maximum depth) at each observation point, against the observed and TUFLOW's. */
export function scoreMerewether(c: MerewetherCase, result: FloodResult): MerewetherScore {
  const gauges = c.setup.gauges ?? [];
  const points = c.observations.map((o, k) => {
    const i = gauges[k]!.row * c.grid.width + gauges[k]!.col;
    return { id: o.id, observedM: o.observedM, tuflowM: o.tuflowM, modelM: c.setup.terrain.data[i]! + result.maxDepth[i]! };
  });
  const rmse = (pick: (p: (typeof points)[number]) => number): number => Math.sqrt(points.reduce((s, p) => s + (pick(p) - p.observedM) ** 2, 0) / points.length);
  return { points, modelRmseM: rmse((p) => p.modelM), tuflowRmseM: rmse((p) => p.tuflowM) };
}
