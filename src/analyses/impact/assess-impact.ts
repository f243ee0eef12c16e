/**
 * 灾害态势研判: what a flood result means on the ground — the places it reaches (grids,
 * communities, streets), the people in them, the assets under water — ordered by the time left to
 * act. Pure: the rasters, the geography, the assets and the population come in as data; the
 * projection between the raster's CRS and GCJ-02 is passed in, so this file needs no proj4.
 *
 * Rules (docs/reference/flood-impact.md):
 *  - a cell is flooded when its maximum depth reaches `floodedDepthM` (default 0.15 m: the depth
 *    from which GB 51222 counts a road as waterlogged and walking becomes unsafe for children);
 *  - a cell belongs to the lowest jurisdiction containing its centre (the resolver's rule);
 *  - people affected in a grid = the grid's population × its flooded fraction (flooded area ÷ the
 *    grid's polygon area, at most 1), rounded to the nearest person: people are assumed spread
 *    evenly over a grid (the population layer knows no finer);
 *  - a community's or street's figures are the sums (areas, people), maxima (depth) and minima
 *    (arrival) of the grids and cells below it;
 *  - an asset is at risk when a flooded cell lies under it (its point, its line sampled every half
 *    cell, or the cells whose centre lies inside its area).
 */
import { cellAt, type Grid } from '../../raster/grid.ts';
import { geometryAreaKm2, geometryBBox, METERS_PER_DEGREE, pointInGeometry, type AreaGeometry, type Position } from '../../geo/geometry.ts';
import type { JurisdictionRecord } from '../../geo/jurisdiction.ts';
import type { AssetRecord, AssetType } from '../../assets/asset.ts';
import { isAreaGeometry, listLines } from '../../assets/asset-geometry.ts';

export const DEFAULT_FLOODED_DEPTH_M = 0.15;

/** The asset types a flood report names by default: what people shelter in or drive through. */
export const DEFAULT_IMPACT_ASSET_TYPES: readonly AssetType[] = ['underpass', 'tunnel', 'bridge', 'place', 'water_point', 'road', 'substation'];

/** The raster's place on Earth. */
export type RasterPlacement = Pick<Grid, 'width' | 'height' | 'originX' | 'originY' | 'cellWidth' | 'cellHeight' | 'crs'>;

/** Where a point lies: the JurisdictionResolver satisfies it. */
export interface PlaceLookup {
  resolveLowest(lng: number, lat: number): string | null;
  get(code: string): JurisdictionRecord | undefined;
}

export interface ImpactInput {
  readonly raster: RasterPlacement;
  /** metres per cell, row-major from the north; NaN outside */
  readonly maxDepth: Float32Array;
  /** seconds per cell; NaN = never reached */
  readonly arrivalTime: Float32Array;
  /** the raster's CRS → GCJ-02 lng/lat, written into `out` (no allocation per cell) */
  readonly toLngLat: (x: number, y: number, out: Float64Array) => void;
  /** GCJ-02 lng/lat → the raster's CRS, written into `out` */
  readonly fromLngLat: (lng: number, lat: number, out: Float64Array) => void;
  readonly places: PlaceLookup;
  readonly assets: readonly AssetRecord[];
  /** grid code → people living there */
  readonly population: ReadonlyMap<string, number>;
  readonly floodedDepthM?: number | undefined;
  readonly assetTypes?: readonly AssetType[] | undefined;
}

export type ImpactPlaceKind = 'grid' | 'community' | 'street';

export interface AffectedPlace {
  readonly kind: ImpactPlaceKind;
  readonly code: string;
  readonly name: string;
  readonly parentCode: string | null;
  /** m² of flooded cells whose centre lies in the place */
  readonly floodedAreaM2: number;
  /** the place's own area (its polygon), m²; null without a polygon */
  readonly areaM2: number | null;
  readonly maxDepthM: number;
  /** earliest arrival, seconds from the start of the run; null if no flooded cell recorded one */
  readonly arrivalS: number | null;
  /** people living in the place (its grids' population) */
  readonly population: number;
  readonly peopleAffected: number;
}

export interface AssetAtRisk {
  readonly id: string;
  readonly type: AssetType;
  /** `properties.kind` (school, hospital …) when the asset has one */
  readonly kind: string | null;
  readonly name: string | null;
  readonly unitId: string | null;
  readonly depthM: number;
  readonly arrivalS: number | null;
}

/** One community's people to move, the unit of the evacuation plan. */
export interface PeopleToMove {
  readonly communityCode: string;
  readonly communityName: string;
  readonly streetCode: string | null;
  readonly streetName: string | null;
  readonly people: number;
  readonly arrivalS: number | null;
  readonly maxDepthM: number;
}

export interface ImpactReport {
  readonly floodedDepthM: number;
  readonly floodedAreaM2: number;
  /** flooded area inside no jurisdiction (outside the city's polygons) */
  readonly unplacedAreaM2: number;
  readonly peopleAffected: number;
  /** grids, communities and streets, each kind ordered by time to act */
  readonly places: readonly AffectedPlace[];
  readonly assets: readonly AssetAtRisk[];
  readonly peopleToMove: readonly PeopleToMove[];
}

/** Earliest arrival first (never-reached last), then deeper first, then code: a stable order. */
export function byTimeToAct<T extends { arrivalS: number | null; maxDepthM?: number; depthM?: number }>(a: T, b: T, codeOf: (x: T) => string): number {
  const ta = a.arrivalS ?? Infinity;
  const tb = b.arrivalS ?? Infinity;
  if (ta !== tb) return ta - tb;
  const da = a.maxDepthM ?? a.depthM ?? 0;
  const db = b.maxDepthM ?? b.depthM ?? 0;
  if (da !== db) return db - da;
  const ca = codeOf(a), cb = codeOf(b);
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

/**
 * Cell area in m². A geographic raster is measured on the same sphere and at the same middle
 * latitude as `geometryAreaKm2` measures the polygons, so a grid wholly flooded counts fraction 1.
 */
function cellAreaM2(r: RasterPlacement): number {
  if (r.crs === 'EPSG:4326') {
    const midLat = r.originY - (r.height * r.cellHeight) / 2;
    return r.cellWidth * METERS_PER_DEGREE * Math.cos((midLat * Math.PI) / 180) * r.cellHeight * METERS_PER_DEGREE;
  }
  return r.cellWidth * r.cellHeight;
}

function checkInput(input: ImpactInput): void {
  const n = input.raster.width * input.raster.height;
  if (input.maxDepth.length !== n) throw new RangeError(`maxDepth has ${input.maxDepth.length} cells; the raster has ${input.raster.width}×${input.raster.height} = ${n}`);
  if (input.arrivalTime.length !== n) throw new RangeError(`arrivalTime has ${input.arrivalTime.length} cells; the raster has ${n}`);
  const t = input.floodedDepthM ?? DEFAULT_FLOODED_DEPTH_M;
  if (!(t > 0)) throw new RangeError(`floodedDepthM must be > 0, got ${t}`);
}

interface Tally {
  area: number;
  depth: number;
  arrival: number;
}

export function assessImpact(input: ImpactInput): ImpactReport {
  checkInput(input);
  const threshold = input.floodedDepthM ?? DEFAULT_FLOODED_DEPTH_M;
  const r = input.raster;
  const cellArea = cellAreaM2(r);
  const { maxDepth, arrivalTime } = input;
  const out = new Float64Array(2);
  // One tally per lowest place found; the cells are many, the places few.
  const lowest = new Map<string, Tally>();
  let flooded = 0;
  let unplaced = 0;
  for (let row = 0; row < r.height; row++) {
    const y = r.originY - (row + 0.5) * r.cellHeight;
    for (let col = 0; col < r.width; col++) {
      const i = row * r.width + col;
      const d = maxDepth[i]!;
      if (!(d >= threshold)) continue; // NaN fails too
      flooded += cellArea;
      input.toLngLat(r.originX + (col + 0.5) * r.cellWidth, y, out);
      const code = input.places.resolveLowest(out[0]!, out[1]!);
      if (code === null) {
        unplaced += cellArea;
        continue;
      }
      let t = lowest.get(code);
      if (!t) lowest.set(code, (t = { area: 0, depth: 0, arrival: Infinity }));
      t.area += cellArea;
      if (d > t.depth) t.depth = d;
      const a = arrivalTime[i]!;
      if (a === a && a < t.arrival) t.arrival = a;
    }
  }

  const places = rollUp(lowest, input.places, input.population);
  const peopleAffected = places.filter((p) => p.kind === 'grid').reduce((s, p) => s + p.peopleAffected, 0);
  const peopleToMove: PeopleToMove[] = places
    .filter((p) => p.kind === 'community' && p.peopleAffected > 0)
    .map((p) => {
      const street = p.parentCode ? input.places.get(p.parentCode) : undefined;
      const isStreet = street?.level === 'street';
      return { communityCode: p.code, communityName: p.name, streetCode: isStreet ? street.code : null, streetName: isStreet ? street.name : null, people: p.peopleAffected, arrivalS: p.arrivalS, maxDepthM: p.maxDepthM };
    })
    .sort((a, b) => byTimeToAct(a, b, (x) => x.communityCode));
  return {
    floodedDepthM: threshold,
    floodedAreaM2: flooded,
    unplacedAreaM2: unplaced,
    peopleAffected,
    places,
    assets: assetsAtRisk(input, threshold),
    peopleToMove,
  };
}

const KIND_ORDER: Record<ImpactPlaceKind, number> = { street: 0, community: 1, grid: 2 };

/** From the lowest places found up to their community and street. */
function rollUp(lowest: ReadonlyMap<string, Tally>, lookup: PlaceLookup, population: ReadonlyMap<string, number>): AffectedPlace[] {
  interface Acc extends Tally {
    rec: JurisdictionRecord;
    people: number;
    population: number;
  }
  const acc = new Map<string, Acc>();
  const accOf = (rec: JurisdictionRecord): Acc => {
    let a = acc.get(rec.code);
    if (!a) acc.set(rec.code, (a = { rec, area: 0, depth: 0, arrival: Infinity, people: 0, population: 0 }));
    return a;
  };
  for (const [code, t] of lowest) {
    const rec = lookup.get(code);
    if (!rec) continue;
    let people = 0;
    let pop = 0;
    if (rec.level === 'grid') {
      pop = population.get(code) ?? 0;
      const area = rec.geometry ? geometryAreaKm2(rec.geometry) * 1e6 : 0;
      const fraction = area > 0 ? Math.min(1, t.area / area) : 1;
      people = Math.round(pop * fraction);
    }
    // The place itself and every ancestor up to the street.
    let cur: JurisdictionRecord | undefined = rec;
    while (cur && (cur.level === 'grid' || cur.level === 'community' || cur.level === 'street')) {
      const a = accOf(cur);
      a.area += t.area;
      a.depth = Math.max(a.depth, t.depth);
      a.arrival = Math.min(a.arrival, t.arrival);
      a.people += people;
      a.population += pop;
      cur = cur.parentCode ? lookup.get(cur.parentCode) : undefined;
    }
  }
  const places: AffectedPlace[] = [...acc.values()].map((a) => ({
    kind: a.rec.level as ImpactPlaceKind,
    code: a.rec.code,
    name: a.rec.name,
    parentCode: a.rec.parentCode,
    floodedAreaM2: a.area,
    areaM2: a.rec.geometry ? geometryAreaKm2(a.rec.geometry) * 1e6 : null,
    maxDepthM: a.depth,
    arrivalS: Number.isFinite(a.arrival) ? a.arrival : null,
    population: a.population,
    peopleAffected: a.people,
  }));
  return places.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || byTimeToAct(a, b, (x) => x.code));
}

/** The cells under an asset, as raster indices (deduplicated). */
function cellsUnder(input: ImpactInput, asset: AssetRecord): number[] {
  const r = input.raster;
  const out = new Float64Array(2);
  const cells = new Set<number>();
  const add = (p: Position): void => {
    input.fromLngLat(p[0], p[1], out);
    const c = cellAt(r, out[0]!, out[1]!);
    if (c) cells.add(c.row * r.width + c.col);
  };
  const g = asset.geometry;
  if (g.type === 'Point') add(g.coordinates);
  else if (isAreaGeometry(g)) {
    cellsInside(input, g, cells);
    for (const ring of g.type === 'Polygon' ? g.coordinates : g.coordinates.flat()) for (const p of ring) add(p);
  } else {
    for (const line of listLines(g)) {
      for (let k = 0; k < line.length; k++) {
        add(line[k]!);
        if (k === 0) continue;
        // Sample every half cell so that a line crossing a flooded cell is never missed.
        const a = line[k - 1]!, b = line[k]!;
        input.fromLngLat(a[0], a[1], out);
        const ax = out[0]!, ay = out[1]!;
        input.fromLngLat(b[0], b[1], out);
        const steps = Math.ceil(Math.max(Math.abs(out[0]! - ax) / r.cellWidth, Math.abs(out[1]! - ay) / r.cellHeight) * 2);
        for (let s = 1; s < steps; s++) add([a[0] + ((b[0] - a[0]) * s) / steps, a[1] + ((b[1] - a[1]) * s) / steps]);
      }
    }
  }
  return [...cells];
}

/** Cells whose centre lies inside an area: its bounding box's cells, each centre tested. */
function cellsInside(input: ImpactInput, g: AreaGeometry, cells: Set<number>): void {
  const r = input.raster;
  const out = new Float64Array(2);
  const [minX, minY, maxX, maxY] = geometryBBox(g);
  let c0 = Infinity, c1 = -Infinity, r0 = Infinity, r1 = -Infinity;
  for (const [x, y] of [[minX, minY], [minX, maxY], [maxX, minY], [maxX, maxY]] as const) {
    input.fromLngLat(x, y, out);
    c0 = Math.min(c0, Math.floor((out[0]! - r.originX) / r.cellWidth));
    c1 = Math.max(c1, Math.floor((out[0]! - r.originX) / r.cellWidth));
    r0 = Math.min(r0, Math.floor((r.originY - out[1]!) / r.cellHeight));
    r1 = Math.max(r1, Math.floor((r.originY - out[1]!) / r.cellHeight));
  }
  for (let row = Math.max(0, r0); row <= Math.min(r.height - 1, r1); row++) {
    for (let col = Math.max(0, c0); col <= Math.min(r.width - 1, c1); col++) {
      input.toLngLat(r.originX + (col + 0.5) * r.cellWidth, r.originY - (row + 0.5) * r.cellHeight, out);
      if (pointInGeometry(g, out[0]!, out[1]!)) cells.add(row * r.width + col);
    }
  }
}

function assetsAtRisk(input: ImpactInput, threshold: number): AssetAtRisk[] {
  const types = new Set<string>(input.assetTypes ?? DEFAULT_IMPACT_ASSET_TYPES);
  const found: AssetAtRisk[] = [];
  for (const a of input.assets) {
    if (!types.has(a.type)) continue;
    let depth = 0;
    let arrival = Infinity;
    for (const i of cellsUnder(input, a)) {
      const d = input.maxDepth[i]!;
      if (!(d >= threshold)) continue;
      if (d > depth) depth = d;
      const t = input.arrivalTime[i]!;
      if (t === t && t < arrival) arrival = t;
    }
    if (depth < threshold) continue;
    const kind = typeof a.properties.kind === 'string' ? a.properties.kind : null;
    found.push({ id: a.id, type: a.type, kind, name: a.name, unitId: a.unitId, depthM: depth, arrivalS: Number.isFinite(arrival) ? arrival : null });
  }
  return found.sort((a, b) => byTimeToAct(a, b, (x) => x.id));
}
