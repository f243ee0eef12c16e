/**
 * The demo city: Chongqing's 38 real districts (real polygons), its 1,031 real streets and
 * townships (real codes and names, generated polygons grown from their real points), and
 * generated communities and grids — about 62,000 grids, denser in the central urban districts.
 *
 * How the polygons are made, per district (independently seeded, so generating a subset gives
 * the same records for those districts as generating the whole city):
 *  1. scatter one seed per grid inside the district (a jittered hexagonal lattice, rejection
 *     tested against the district polygon);
 *  2. carve the seeds into streets around the streets' real points (Vonng/adcode, CC BY 4.0:
 *     geo/chongqing_street_points_gcj02.csv, the seats of 891 of the 1,031 streets, and
 *     geo/chongqing_community_points_gcj02.csv, 1,158 of their communities): each seed goes to
 *     the street of the nearest real point, and the seed nearest each point moves onto it, so
 *     every street's polygon contains its real points; streets without any point settle in the
 *     largest gaps the others leave, and every street keeps at least two seeds per community
 *     (src/geo/anchored-partition.ts); then each street's seeds into communities by weighted
 *     recursive bisection;
 *  3. grid polygon = the seed's Voronoi cell (d3-delaunay), clipped to the district with an
 *     exact boolean intersection (polygon-clipping) where the district boundary comes near;
 *  4. community = union of its grids, street = union of its communities.
 * Grids therefore tile the district exactly (shared Voronoi vertices are bit-identical), and
 * every level nests exactly in the one above.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Delaunay } from 'd3-delaunay';
import Flatbush from 'flatbush';
import polygonClipping from 'polygon-clipping';
import { clipRingToRect } from '../../../src/geo/clip-ring-to-rect.ts';
import { inventPlaceStem, placeStem, PlaceNameGuard } from './demo-names.ts';
import { mergeCells } from '../../../src/geo/merge-cells.ts';
import {
  geometryAreaDeg2,
  geometryAreaKm2,
  geometryBBox,
  listPolygons,
  pointInGeometry,
  validateAreaGeometry,
  type AreaGeometry,
  type Position,
  type Ring,
} from '../../../src/geo/geometry.ts';
import { buildGridLattice, lookupGridLattice } from '../../../src/geo/grid-lattice.ts';
import type { JurisdictionRecord } from '../../../src/geo/jurisdiction.ts';
import { buildPolygonStore } from '../../../src/geo/polygon-store.ts';
import { bisectPoints } from '../../../src/geo/recursive-bisection.ts';
import { partitionByAnchors } from '../../../src/geo/anchored-partition.ts';
import { createRandom, hashSeed, type Random } from '../../../src/geo/seeded-random.ts';

export interface DemoCityOptions {
  /** The repository's `resources` directory (or its `geo` subdirectory). */
  resourcesDir: string;
  /** Only these district adcodes (for fast tests); the records of a district do not depend on it. */
  districts?: string[];
  onProgress?: (phase: string, done: number, total: number) => void;
}

export const DEMO_CITY_CODE = '500000';
export const DEMO_CITY_NAME = '重庆市';

/** The real GCJ-02 point of 891 of the 1,031 streets, shipped in the pack's geo/ folder. */
export const POINTS_FILE = 'chongqing_street_points_gcj02.csv';
/** Real GCJ-02 points of 1,158 communities and villages (2016), with the street they belong to. */
export const COMMUNITY_POINTS_FILE = 'chongqing_community_points_gcj02.csv';

/** Grids for the whole city, spread by area × density. */
const TOTAL_GRIDS = 62_000;

// Grid density relative to a rural county: the old urban core (渝中), the other inner urban
// districts, then the outer urban ring. Real grid sizes follow population, not area; and the
// small central streets (about 1–3 km²) need room for their 10–12 communities of at least two
// grids each without reaching into their neighbours.
const DENSITY: Readonly<Record<string, number>> = {
  '500103': 120,
  '500104': 16, '500105': 16, '500106': 16, '500107': 16, '500108': 16,
  '500109': 5, '500112': 5, '500113': 5,
};

/** At least this many seeds per community on average, so recursive bisection never starves. */
const MIN_GRIDS_PER_COMMUNITY = 2;
const MAX_COMMUNITIES_PER_STREET = 12;

interface DistrictSource {
  code: string;
  name: string;
  geometry: AreaGeometry;
  properties: Record<string, unknown>;
}

interface StreetSource {
  code: string;
  name: string;
  /** The street's real point (GCJ-02, its government's seat as the AMap district service gives it), when known. */
  seat: readonly [number, number] | null;
  /** Real points of some of its communities (GCJ-02, 2016 list), when known. */
  communityPoints: readonly (readonly [number, number])[];
}

function locateGeoDir(resourcesDir: string): string {
  const nested = path.join(resourcesDir, 'geo');
  return fs.existsSync(path.join(nested, 'chongqing-districts')) ? nested : resourcesDir;
}

function readDistricts(geoDir: string): DistrictSource[] {
  const dir = path.join(geoDir, 'chongqing-districts');
  const out: DistrictSource[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const json = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
      type: string;
      features?: { properties: Record<string, unknown>; geometry: AreaGeometry }[];
      properties?: Record<string, unknown>;
      geometry?: AreaGeometry;
    };
    const feature = json.type === 'FeatureCollection' ? json.features?.[0] : (json as { properties: Record<string, unknown>; geometry: AreaGeometry });
    if (!feature) throw new Error(`${file}: no feature`);
    const reason = validateAreaGeometry(feature.geometry);
    if (reason) throw new Error(`${file}: ${reason}`);
    out.push({
      code: String(feature.properties['adcode'] ?? file.slice(0, 6)),
      name: String(feature.properties['name']),
      geometry: feature.geometry,
      properties: feature.properties,
    });
  }
  return out;
}

/** Minimal CSV reader for the shipped code tables (quoted fields without embedded quotes). */
function readCsv(file: string): Record<string, string>[] {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const split = (line: string) => line.split(',').map((f) => f.trim().replace(/^"(.*)"$/, '$1'));
  const header = split(lines[0] ?? '');
  return lines.slice(1).map((line) => {
    const fields = split(line);
    return Object.fromEntries(header.map((h, i) => [h, fields[i] ?? '']));
  });
}

/** The real street points (Vonng/adcode, CC BY 4.0; see geo/SOURCE.md), by street code. */
function readStreetSeats(geoDir: string): Map<string, [number, number]> {
  const seats = new Map<string, [number, number]>();
  const file = path.join(geoDir, POINTS_FILE);
  for (const row of readCsv(file)) {
    const lng = Number(row['lng_gcj02']), lat = Number(row['lat_gcj02']);
    if (row['lng_gcj02'] && row['lat_gcj02'] && Number.isFinite(lng) && Number.isFinite(lat)) seats.set(row['code']!, [lng, lat]);
  }
  return seats;
}

/** Community points by street code (same source; see geo/SOURCE.md), in file order. */
function readCommunityPoints(geoDir: string): Map<string, [number, number][]> {
  const byStreet = new Map<string, [number, number][]>();
  const file = path.join(geoDir, COMMUNITY_POINTS_FILE);
  for (const row of readCsv(file)) {
    const lng = Number(row['lng_gcj02']), lat = Number(row['lat_gcj02']);
    if (!Number.isFinite(lng) || !Number.isFinite(lat)) continue;
    const list = byStreet.get(row['street_code']!) ?? [];
    list.push([lng, lat]);
    byStreet.set(row['street_code']!, list);
  }
  return byStreet;
}

function readStreets(geoDir: string): Map<string, StreetSource[]> {
  const byDistrict = new Map<string, StreetSource[]>();
  const seats = readStreetSeats(geoDir);
  const communityPoints = readCommunityPoints(geoDir);
  for (const row of readCsv(path.join(geoDir, 'chongqing_streets_2023.csv'))) {
    const list = byDistrict.get(row['areaCode']!) ?? [];
    list.push({ code: row['code']!, name: row['name']!, seat: seats.get(row['code']!) ?? null, communityPoints: communityPoints.get(row['code']!) ?? [] });
    byDistrict.set(row['areaCode']!, list);
  }
  for (const list of byDistrict.values()) list.sort((a, b) => (a.code < b.code ? -1 : 1));
  return byDistrict;
}

/** Largest-remainder allocation of TOTAL_GRIDS by area × density, over all districts. */
function allocateGrids(districts: readonly DistrictSource[], streets: Map<string, StreetSource[]>): Map<string, number> {
  const weights = districts.map((d) => geometryAreaKm2(d.geometry) * (DENSITY[d.code] ?? 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const raw = weights.map((w) => (TOTAL_GRIDS * w) / total);
  const counts = raw.map(Math.floor);
  let left = TOTAL_GRIDS - counts.reduce((a, b) => a + b, 0);
  const byRemainder = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of byRemainder) {
    if (left-- <= 0) break;
    counts[i]!++;
  }
  const out = new Map<string, number>();
  districts.forEach((d, i) => {
    const floor = (streets.get(d.code)?.length ?? 0) * MAX_COMMUNITIES_PER_STREET * MIN_GRIDS_PER_COMMUNITY;
    out.set(d.code, Math.max(counts[i]!, floor));
  });
  return out;
}

function toAreaGeometry(mp: Position[][][]): AreaGeometry {
  return mp.length === 1 ? { type: 'Polygon', coordinates: mp[0]! } : { type: 'MultiPolygon', coordinates: mp };
}

function asMultiPolygon(g: AreaGeometry): Position[][][] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

/** polygon-clipping output is clean by contract; check anyway, since a bad grid breaks lookups. */
function assertValid(g: AreaGeometry, what: string): AreaGeometry {
  const reason = validateAreaGeometry(g);
  if (!reason) return g;
  // One repair attempt: a self-union rebuilds the rings from scratch.
  const repaired = toAreaGeometry(polygonClipping.union(asMultiPolygon(g)));
  const again = validateAreaGeometry(repaired);
  if (again) throw new Error(`generated ${what} is invalid: ${reason}`);
  return repaired;
}

/**
 * One seed per grid: a hexagonal lattice with jitter, keeping points inside the district. The
 * spacing is refined until the count is just above the target, then random extras are dropped.
 */
function scatterSeeds(geometry: AreaGeometry, count: number, kx: number, random: Random): { lng: Float64Array; lat: Float64Array } {
  const store = buildPolygonStore([geometry]);
  const lattice = buildGridLattice(store, Int32Array.of(0), { targetCells: 1 << 16 });
  const [minX, minY, maxX, maxY] = geometryBBox(geometry);
  let spacing = Math.sqrt((geometryAreaDeg2(geometry) * kx) / count);
  let lng: number[] = [];
  let lat: number[] = [];
  for (let attempt = 0; attempt < 12; attempt++) {
    const jitter = createRandom(Math.floor(random() * 2 ** 32));
    lng = [];
    lat = [];
    const rowH = spacing * 0.8660254037844386; // hexagonal rows: √3/2 of the spacing
    const rows = Math.ceil((maxY - minY) / rowH) + 1;
    const cols = Math.ceil(((maxX - minX) * kx) / spacing) + 1;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const px = minX * kx + (c + (r % 2) * 0.5 + (jitter() - 0.5) * 0.7) * spacing;
        const py = minY + (r + (jitter() - 0.5) * 0.7) * rowH;
        const x = px / kx;
        if (lookupGridLattice(lattice, store, x, py) === 0) {
          lng.push(x);
          lat.push(py);
        }
      }
    }
    if (lng.length >= count && lng.length <= count * 1.05) break;
    spacing *= Math.sqrt(lng.length / (count * 1.02));
  }
  // Drop the surplus at random (partial Fisher–Yates), keep lattice order for the rest.
  const keep = Array.from(lng.keys());
  for (let i = keep.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [keep[i], keep[j]] = [keep[j]!, keep[i]!];
  }
  const chosen = keep.slice(0, Math.min(count, keep.length)).sort((a, b) => a - b);
  return { lng: Float64Array.from(chosen, (i) => lng[i]!), lat: Float64Array.from(chosen, (i) => lat[i]!) };
}

/** Clips Voronoi cells to the district; cells far from its boundary are kept as they are. */
class DistrictClipper {
  readonly #geometry: AreaGeometry;
  readonly #edges: Flatbush;

  constructor(geometry: AreaGeometry) {
    this.#geometry = geometry;
    let n = 0;
    for (const polygon of listPolygons(geometry)) for (const ring of polygon) n += ring.length - 1;
    this.#edges = new Flatbush(Math.max(1, n));
    for (const polygon of listPolygons(geometry)) {
      for (const ring of polygon) {
        for (let i = 1; i < ring.length; i++) {
          const a = ring[i - 1]!, b = ring[i]!;
          this.#edges.add(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1]));
        }
      }
    }
    if (n === 0) this.#edges.add(0, 0, 0, 0);
    this.#edges.finish();
  }

  /**
   * The shape ∩ district. Shapes whose box no district edge crosses are inside (they contain a
   * seed inside the district) and are returned as they are.
   */
  clip(shape: AreaGeometry): AreaGeometry {
    const [minX, minY, maxX, maxY] = geometryBBox(shape);
    if (this.#edges.search(minX, minY, maxX, maxY).length === 0) return shape;
    // Crop the district to a box around the shape first: the exact intersection then sees tens
    // of edges instead of a thousand. The margin keeps crop artefacts off the shape, and keeps
    // whole most district edges that cross it, so neighbours clip against identical edges.
    const m = Math.max(maxX - minX, maxY - minY) * 0.75 + 1e-7;
    const cropped: Position[][][] = [];
    for (const polygon of listPolygons(this.#geometry)) {
      const outer = clipRingToRect(polygon[0]!, minX - m, minY - m, maxX + m, maxY + m);
      if (!outer) continue;
      const rings: Position[][] = [outer];
      for (const hole of polygon.slice(1)) {
        const h = clipRingToRect(hole, minX - m, minY - m, maxX + m, maxY + m);
        if (h) rings.push(h);
      }
      cropped.push(rings);
    }
    let result: Position[][][];
    try {
      result = polygonClipping.intersection(asMultiPolygon(shape), cropped);
    } catch {
      // polygon-clipping occasionally fails on nearly coincident points; the uncropped district
      // presents different segments and goes through.
      result = polygonClipping.intersection(asMultiPolygon(shape), asMultiPolygon(this.#geometry));
    }
    if (result.length === 0) throw new Error('a shape around a seed inside the district does not meet the district');
    return toAreaGeometry(result);
  }
}

interface DistrictResult {
  records: JurisdictionRecord[];
}

function streetKind(name: string): '街道' | '镇' | '乡' {
  if (name.endsWith('街道')) return '街道';
  if (name.endsWith('镇')) return '镇';
  return '乡';
}

function generateDistrict(district: DistrictSource, streets: readonly StreetSource[], gridTarget: number, guard: PlaceNameGuard): DistrictResult {
  const random = createRandom(hashSeed(`cityloop-demo-city:${district.code}`));
  const perStreet = streets.map(() => 10 + Math.floor(random() * 3));
  const communityTotal = perStreet.reduce((a, b) => a + b, 0);
  const target = Math.max(gridTarget, communityTotal * MIN_GRIDS_PER_COMMUNITY);

  const [minX, minY, maxX, maxY] = geometryBBox(district.geometry);
  // Local equirectangular projection so that Voronoi cells are round on the ground.
  const kx = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const seeds = scatterSeeds(district.geometry, target, kx, random);
  const n = seeds.lng.length;
  if (n < communityTotal) throw new Error(`district ${district.code}: only ${n} seeds for ${communityTotal} communities`);
  const px = Float64Array.from(seeds.lng, (x) => x * kx);
  const py = Float64Array.from(seeds.lat);

  // Streets grow around their real points (the seat first, then community points); streets
  // without any sit in the gaps. A street's first anchor is its seat.
  const anchors: (readonly [number, number] | null)[] = [];
  const anchorStreet: number[] = [];
  const firstAnchor: number[] = [];
  const placed = new Set<string>();
  streets.forEach((st, s) => {
    firstAnchor.push(anchors.length);
    for (const p of [...(st.seat ? [st.seat] : []), ...st.communityPoints]) {
      const key = `${p[0].toFixed(6)},${p[1].toFixed(6)}`;
      if (placed.has(key)) continue; // two anchors on one point would make one seed twice
      if (!pointInGeometry(district.geometry, p[0], p[1])) continue; // a seed moved outside would break the clip
      placed.add(key);
      anchors.push([p[0] * kx, p[1]]);
      anchorStreet.push(s);
    }
    if (anchors.length === firstAnchor[s]) {
      anchors.push(null);
      anchorStreet.push(s);
    }
  });
  const partition = streets.length > 0
    ? partitionByAnchors(px, py, anchors, perStreet.map((c) => c * MIN_GRIDS_PER_COMMUNITY), anchorStreet)
    : { groups: [], seat: new Int32Array(0) };
  const streetGroups = partition.groups;
  const streetSeats = firstAnchor.map((a) => partition.seat[a]!);

  const flat = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) { flat[2 * i] = px[i]!; flat[2 * i + 1] = py[i]!; }
  const spacing = Math.sqrt((geometryAreaDeg2(district.geometry) * kx) / n);
  const voronoi = new Delaunay(flat).voronoi([minX * kx - 2 * spacing, minY - 2 * spacing, maxX * kx + 2 * spacing, maxY + 2 * spacing]);
  // Number the Voronoi vertices so that cells can be merged by shared edges (merge-cells.ts);
  // equal coordinates are the same vertex, as d3-delaunay emits each circumcentre once.
  const vertexIds = new Map<string, number>();
  const vertexXY: number[] = [];
  const cells: number[][] = [];
  for (let i = 0; i < n; i++) {
    const poly = voronoi.cellPolygon(i);
    if (!poly) throw new Error(`district ${district.code}: seed ${i} has no Voronoi cell`);
    const ids: number[] = [];
    for (let k = 0; k + 1 < poly.length; k++) {
      const p = poly[k]!;
      const key = `${p[0]},${p[1]}`;
      let id = vertexIds.get(key);
      if (id === undefined) {
        id = vertexXY.length / 2;
        vertexIds.set(key, id);
        vertexXY.push(p[0]!, p[1]!);
      }
      if (ids[ids.length - 1] !== id) ids.push(id);
    }
    if (ids.length > 1 && ids[0] === ids[ids.length - 1]) ids.pop();
    cells.push(ids);
  }
  const xy = Float64Array.from(vertexXY);
  // Unproject once per vertex, so that every ring reusing a vertex has the same doubles.
  const lngLat: Position[] = [];
  for (let v = 0; v < xy.length / 2; v++) lngLat.push([xy[2 * v]! / kx, xy[2 * v + 1]!]);
  const toRing = (ids: readonly number[]): Ring => {
    const ring = ids.map((id) => lngLat[id]!);
    ring.push(lngLat[ids[0]!]!);
    return ring;
  };
  const clipper = new DistrictClipper(district.geometry);
  const mergedGeometry = (seedIds: readonly number[], what: string): AreaGeometry => {
    const polygons = mergeCells(seedIds.map((i) => cells[i]!), xy).map((p) => p.map(toRing));
    return assertValid(clipper.clip(toAreaGeometry(polygons)), what);
  };

  const records: JurisdictionRecord[] = [];
  streets.forEach((street, s) => {
    const kind = streetKind(street.name);
    const communityGroups = bisectPoints(px, py, streetGroups[s]!, Array(perStreet[s]!).fill(1), random);
    const taken = new Set<string>();
    let neighbourhoods = 0;
    let villages = 0;
    const communityRecords: JurisdictionRecord[] = [];
    // The community at the street's seat: a town's 社区 is there, and it carries the street's name.
    const seatSeed = streetSeats[s]!;
    const seatCommunity = communityGroups.findIndex((g) => g.includes(seatSeed));
    const stem = placeStem(street.name);
    const seatName = /^\p{Script=Han}{2,4}$/u.test(stem) ? stem : null;
    if (seatName) taken.add(seatName);
    communityGroups.forEach((group, c) => {
      // Towns have a 社区 at their seat; townships only villages. Statistical codes put
      // residents' committees at 001–199 and villagers' committees from 200.
      const isNeighbourhood = kind === '街道' || (kind === '镇' && c === seatCommunity);
      const suffix = isNeighbourhood ? '社区' : '村';
      const code = street.code + String(isNeighbourhood ? ++neighbourhoods : 200 + ++villages).padStart(3, '0');
      const name = (c === seatCommunity && seatName ? seatName : inventPlaceStem(suffix, taken, random, guard)) + suffix;
      const ordered = Array.from(group).sort((a, b) => py[b]! - py[a]! || px[a]! - px[b]!);
      const grids = ordered.map((seed, g) => {
        const geometry = assertValid(clipper.clip({ type: 'Polygon', coordinates: [toRing(cells[seed]!)] }), `grid of district ${district.code}`);
        const record: JurisdictionRecord = {
          code: code + String(g + 1).padStart(3, '0'),
          parentCode: code,
          level: 'grid',
          name: `第${g + 1}网格`,
          geometry,
          generated: true,
          properties: { generated: true },
        };
        return record;
      });
      const geometry = mergedGeometry(Array.from(group), `community ${code}`);
      communityRecords.push(
        { code, parentCode: street.code, level: 'community', name, geometry, generated: true, properties: { generated: true, kind: suffix } },
        ...grids,
      );
    });
    const geometry = mergedGeometry(Array.from(streetGroups[s]!), `street ${street.code}`);
    records.push(
      { code: street.code, parentCode: district.code, level: 'street', name: street.name, geometry, generated: true, properties: { generated: true, kind } },
      ...communityRecords,
    );
  });
  return { records };
}

/**
 * The demo jurisdictions, deterministic (seeded per district). The city record has no geometry;
 * districts are real (generated: false); streets carry real codes and names with generated
 * polygons; communities and grids are generated entirely.
 */
export function generateDemoJurisdictions(opts: DemoCityOptions): JurisdictionRecord[] {
  const geoDir = locateGeoDir(opts.resourcesDir);
  const districts = readDistricts(geoDir);
  const streets = readStreets(geoDir);
  const grids = allocateGrids(districts, streets);
  const wanted = opts.districts ? new Set(opts.districts) : null;
  if (wanted) {
    for (const code of wanted) {
      if (!districts.some((d) => d.code === code)) throw new RangeError(`unknown district ${code}`);
    }
  }
  const chosen = districts.filter((d) => !wanted || wanted.has(d.code));
  // Invented community names stay clear of every real street, township and district name.
  const guard = new PlaceNameGuard([...districts.map((d) => d.name), ...[...streets.values()].flat().map((st) => st.name)]);
  const records: JurisdictionRecord[] = [
    { code: DEMO_CITY_CODE, parentCode: null, level: 'city', name: DEMO_CITY_NAME, geometry: null, generated: false, properties: {} },
  ];
  chosen.forEach((d, k) => {
    records.push({
      code: d.code,
      parentCode: DEMO_CITY_CODE,
      level: 'district',
      name: d.name,
      geometry: d.geometry,
      generated: false,
      properties: { ...d.properties },
    });
    records.push(...generateDistrict(d, streets.get(d.code) ?? [], grids.get(d.code)!, guard).records);
    opts.onProgress?.('districts', k + 1, chosen.length);
  });
  return records;
}
