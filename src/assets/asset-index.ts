/**
 * In-memory spatial index of the city's assets, one static packed R-tree (Flatbush, V. Agafonkin)
 * per type, answering "the nearest water main within 50 m" for every incoming case.
 *
 * Lines are indexed by SEGMENT, not by whole line: a 3 km main has a bounding box that matches
 * every query near any part of it, while its segments' boxes match only queries close to them.
 * Points are stored as segments whose two ends coincide, so points and lines share one loop. Areas
 * are one entry each (their bounding box) and measured on their geometry; they are few.
 *
 * Distances are planar in a local frame around the query point: longitude differences scaled by
 * cos(latitude of the query), latitude by metres per degree on the mean-radius sphere. Over the
 * radii used here (tens of metres to a few kilometres) this differs from the great-circle distance
 * by far less than a metre at 50 m and under ~0.1 % at 5 km — well inside survey error — and it
 * makes point-to-segment distance a projection onto a straight segment. It is the same scaling as
 * `distanceToGeometryMeters` in geo/geometry.ts, which areas use.
 */
import Flatbush from 'flatbush';
import { assertLngLat } from '../geo/crs.ts';
import { distanceToGeometryMeters, geometryBBox, METERS_PER_DEGREE, type AreaGeometry } from '../geo/geometry.ts';
import type { AssetRecord, AssetType } from './asset.ts';
import { isAreaGeometry, listLines } from './asset-geometry.ts';
import { areasIntersect, segmentIntersectsArea } from './intersect-area.ts';

export interface AssetHit {
  asset: AssetRecord;
  distanceMeters: number;
}

const RAD = Math.PI / 180;

interface TypeIndex {
  readonly tree: Flatbush;
  /** Per item: ax, ay, bx, by in degrees (a point has a = b; an area item holds its bbox). */
  readonly coords: Float64Array;
  /** Per item: the index of its record in the index's record list. */
  readonly owner: Int32Array;
  /** Per item: 1 when it is a whole area measured on its geometry; null when the type has none. */
  readonly area: Uint8Array | null;
}

/**
 * Squared distance from the origin to segment a–b (coordinates already in metres relative to the
 * query point): the origin's projection onto the segment's line, clamped to the segment's ends.
 */
/** Squared distance in metres from the point to one index entry: a segment, a point, or an area. */
function entryDistance2(ix: TypeIndex, records: readonly AssetRecord[], id: number, lng: number, lat: number, kx: number, ky: number): number {
  if (ix.area !== null && ix.area[id] === 1) {
    const d = distanceToGeometryMeters(records[ix.owner[id]!]!.geometry as AreaGeometry, lng, lat);
    return d * d;
  }
  const c = ix.coords;
  const o = id * 4;
  return segmentDistance2((c[o]! - lng) * kx, (c[o + 1]! - lat) * ky, (c[o + 2]! - lng) * kx, (c[o + 3]! - lat) * ky);
}

function segmentDistance2(ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
  if (t < 0) t = 0;
  else if (t > 1) t = 1;
  const ex = ax + t * dx, ey = ay + t * dy;
  return ex * ex + ey * ey;
}

function assertRadius(withinMeters: number): void {
  if (typeof withinMeters !== 'number' || !Number.isFinite(withinMeters) || withinMeters < 0) {
    throw new RangeError(`withinMeters must be a finite number ≥ 0, got ${String(withinMeters)}`);
  }
}

/** The entries of one type; null when it has none (Flatbush cannot hold zero items). */
function buildTypeIndex(records: readonly AssetRecord[], members: readonly number[]): TypeIndex | null {
  let n = 0;
  let areas = 0;
  for (const i of members) {
    const g = records[i]!.geometry;
    if (g.type === 'Point') n++;
    else if (isAreaGeometry(g)) {
      n++;
      areas++;
    } else for (const line of listLines(g)) n += Math.max(0, line.length - 1);
  }
  if (n === 0) return null;
  const coords = new Float64Array(n * 4);
  const owner = new Int32Array(n);
  const area = areas > 0 ? new Uint8Array(n) : null;
  const tree = new Flatbush(n);
  let k = 0;
  const put = (record: number, ax: number, ay: number, bx: number, by: number): void => {
    coords[k * 4] = ax;
    coords[k * 4 + 1] = ay;
    coords[k * 4 + 2] = bx;
    coords[k * 4 + 3] = by;
    owner[k] = record;
    tree.add(Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by));
    k++;
  };
  for (const i of members) {
    const g = records[i]!.geometry;
    if (g.type === 'Point') put(i, g.coordinates[0], g.coordinates[1], g.coordinates[0], g.coordinates[1]);
    else if (isAreaGeometry(g)) {
      area![k] = 1;
      const [minX, minY, maxX, maxY] = geometryBBox(g);
      put(i, minX, minY, maxX, maxY);
    } else {
      for (const line of listLines(g)) {
        for (let s = 1; s < line.length; s++) put(i, line[s - 1]![0], line[s - 1]![1], line[s]![0], line[s]![1]);
      }
    }
  }
  tree.finish();
  return { tree, coords, owner, area };
}

export class AssetIndex {
  readonly #records: readonly AssetRecord[];
  readonly #byId: ReadonlyMap<string, number>;
  readonly #types: ReadonlyMap<AssetType, TypeIndex>;

  private constructor(records: readonly AssetRecord[]) {
    this.#records = records;
    const byId = new Map<string, number>();
    const members = new Map<AssetType, number[]>();
    records.forEach((r, i) => {
      if (byId.has(r.id)) throw new Error(`duplicate asset id ${r.id}`);
      byId.set(r.id, i);
      let list = members.get(r.type);
      if (!list) members.set(r.type, (list = []));
      list.push(i);
    });
    this.#byId = byId;
    const types = new Map<AssetType, TypeIndex>();
    for (const [type, list] of members) {
      const ix = buildTypeIndex(records, list);
      if (ix) types.set(type, ix);
    }
    this.#types = types;
  }

  /**
   * Indexes the records (the records themselves are shared, not copied). Ties in distance go to the record that
   * comes first here, so give them in a stable order (loadAssets sorts by id). Throws on a
   * duplicate id.
   */
  static build(records: readonly AssetRecord[]): AssetIndex {
    return new AssetIndex([...records]);
  }

  /** Number of assets. */
  get size(): number {
    return this.#records.length;
  }

  get(id: string): AssetRecord | undefined {
    const i = this.#byId.get(id);
    return i === undefined ? undefined : this.#records[i];
  }

  /** Index entries of a type: segments of lines, plus one per point and per area. */
  entryCount(type: AssetType): number {
    return this.#types.get(type)?.owner.length ?? 0;
  }

  /**
   * The asset of `type` nearest to a GCJ-02 point, if one lies within `withinMeters` (inclusive),
   * with its distance: to the point, to the nearest segment of a line, 0 inside an area else to
   * its boundary. Ties go to the asset given first to `build`. With a filter, the nearest asset
   * the filter accepts (it is asked nearest first, at most once per asset).
   */
  nearest(type: AssetType, lng: number, lat: number, withinMeters: number, filter?: (a: AssetRecord) => boolean): AssetHit | null {
    assertLngLat(lng, lat);
    assertRadius(withinMeters);
    const ix = this.#types.get(type);
    if (!ix) return null;
    if (filter) {
      const hits = this.#collect(ix, lng, lat, withinMeters);
      for (let k = 0; k < hits.length; k += 2) {
        const asset = this.#records[hits[k]!]!;
        if (filter(asset)) return { asset, distanceMeters: Math.sqrt(hits[k + 1]!) };
      }
      return null;
    }
    const ky = METERS_PER_DEGREE;
    const kx = METERS_PER_DEGREE * Math.cos(lat * RAD);
    const hx = withinMeters / kx, hy = withinMeters / ky;
    const { owner } = ix;
    const records = this.#records;
    let best = withinMeters * withinMeters;
    let bestOwner = -1;
    ix.tree.search(lng - hx, lat - hy, lng + hx, lat + hy, (id, x0, y0, x1, y1) => {
      // The entry's box is at hand (the tree's own, cache-warm array): skip entries whose box
      // is already farther than the best so far before touching their coordinates.
      const bx = (x0 > lng ? x0 - lng : lng > x1 ? lng - x1 : 0) * kx;
      const by = (y0 > lat ? y0 - lat : lat > y1 ? lat - y1 : 0) * ky;
      if (bx * bx + by * by > best) return false;
      const d2 = entryDistance2(ix, records, id, lng, lat, kx, ky);
      if (d2 <= best) {
        const r = owner[id]!;
        if (d2 < best || bestOwner < 0 || r < bestOwner) {
          best = d2;
          bestOwner = r;
        }
      }
      // Never collect: the search would otherwise build an array of every candidate.
      return false;
    });
    return bestOwner < 0 ? null : { asset: records[bestOwner]!, distanceMeters: Math.sqrt(best) };
  }

  /** Every asset of `type` within `withinMeters` (inclusive), nearest first (ties: order given to build). */
  within(type: AssetType, lng: number, lat: number, withinMeters: number, filter?: (a: AssetRecord) => boolean): AssetHit[] {
    assertLngLat(lng, lat);
    assertRadius(withinMeters);
    const ix = this.#types.get(type);
    if (!ix) return [];
    const hits = this.#collect(ix, lng, lat, withinMeters);
    const out: AssetHit[] = [];
    for (let k = 0; k < hits.length; k += 2) {
      const asset = this.#records[hits[k]!]!;
      if (!filter || filter(asset)) out.push({ asset, distanceMeters: Math.sqrt(hits[k + 1]!) });
    }
    return out;
  }

  /**
   * Assets of `type` with any part in or on the area (a main crossing a grid counts), in the
   * order given to build. Points exactly on the boundary follow `pointInGeometry`'s edge rule.
   */
  withinPolygon(type: AssetType, polygon: AreaGeometry): AssetRecord[] {
    const ix = this.#types.get(type);
    if (!ix) return [];
    const [minX, minY, maxX, maxY] = geometryBBox(polygon);
    const { coords, owner, area } = ix;
    const records = this.#records;
    const found = new Set<number>();
    ix.tree.search(minX, minY, maxX, maxY, (id) => {
      const r = owner[id]!;
      if (found.has(r)) return false;
      const o = id * 4;
      const hit =
        area !== null && area[id] === 1
          ? areasIntersect(records[r]!.geometry as AreaGeometry, polygon)
          : segmentIntersectsArea(coords[o]!, coords[o + 1]!, coords[o + 2]!, coords[o + 3]!, polygon);
      if (hit) found.add(r);
      return false;
    });
    return [...found].sort((a, b) => a - b).map((r) => records[r]!);
  }

  /**
   * (record, squared distance) pairs, flattened, of every asset within the radius — each asset
   * once at its smallest distance — sorted nearest first, ties by record order.
   */
  #collect(ix: TypeIndex, lng: number, lat: number, withinMeters: number): number[] {
    const ky = METERS_PER_DEGREE;
    const kx = METERS_PER_DEGREE * Math.cos(lat * RAD);
    const hx = withinMeters / kx, hy = withinMeters / ky;
    const limit = withinMeters * withinMeters;
    const { owner } = ix;
    const records = this.#records;
    const best = new Map<number, number>();
    ix.tree.search(lng - hx, lat - hy, lng + hx, lat + hy, (id) => {
      const d2 = entryDistance2(ix, records, id, lng, lat, kx, ky);
      if (d2 <= limit) {
        const r = owner[id]!;
        const seen = best.get(r);
        if (seen === undefined || d2 < seen) best.set(r, d2);
      }
      return false;
    });
    const order = [...best.keys()].sort((a, b) => best.get(a)! - best.get(b)! || a - b);
    const out: number[] = [];
    for (const r of order) out.push(r, best.get(r)!);
    return out;
  }
}
