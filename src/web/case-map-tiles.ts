/**
 * The cockpit's case layer as clustered vector tiles, made on the server.
 *
 * Why here and not in the browser: handing 100,000 points to MapLibre's worker and clustering them
 * there cost one to two seconds of a 2-core machine before the first map, and every new tile while
 * panning was cut from that big in-browser index. The server instead holds one cluster index per
 * scope (a jurisdiction), shared by everyone who watches it, and answers each map tile with the few
 * clusters and points inside it (Mapbox Vector Tile, layer `cases`). The browser draws what it gets.
 *
 * Freshness: any committed case change marks every index stale (`invalidate`). A tile request is
 * answered at once from the index it has and starts a rebuild in the background; `summary` waits for
 * an index that includes every change made before it was asked, so a client that hears of a change
 * asks for the summary, then reloads its tiles under the new version. An index is also rebuilt when
 * it is older than `maxAgeMs` (five minutes), which covers changes made by another server process on
 * the same store.
 */
import Supercluster, { type ClusterProperties, type PointFeature } from 'supercluster';
import { fromGeojsonVt } from '@maplibre/vt-pbf';

/** One open case as the map shows it. */
export interface CaseMapPoint {
  readonly id: string;
  readonly lng: number;
  readonly lat: number;
  /** Map group: 0 new, 1 working, 2 checking, 3 overdue (see groupOfState). */
  readonly group: number;
  /** Priority index: 0 low, 1 normal, 2 high, 3 urgent. */
  readonly priority: number;
}

/** What a scope's loader reads: the points and whether the store held more than the cap. */
export interface CaseMapLoad {
  readonly points: readonly CaseMapPoint[];
  readonly truncated: boolean;
}

export interface CaseMapSummary {
  /** Changes with every rebuild; put it in the tile URL so a browser never mixes in an older cached tile. */
  readonly version: number;
  readonly count: number;
  readonly truncated: boolean;
  readonly builtAt: string;
}

/** The vector tiles' layer name and the features' properties, documented in docs/reference/map.md. */
export const CASE_TILE_LAYER = 'cases';
/** Tile coordinates run 0..EXTENT, as MapLibre expects of vector tiles. */
const EXTENT = 4096;
/** Clustering radius in pixels of a 512-px tile, the same as the cockpit drew before. */
const RADIUS_PX = 48;
/** From zoom 15 each case is its own point. */
export const CLUSTER_MAX_ZOOM = 14;
/** Tiles are made up to this zoom; MapLibre over-zooms beyond it. */
export const CASE_TILE_MAX_ZOOM = 15;

/** The groups the map colours by: what the center has to do next. Finished cases are not shown. */
export function groupOfState(state: string, overdue: boolean): number {
  switch (state) {
    case 'reported':
    case 'registered':
    case 'returned':
    case 'reopened':
      return overdue ? 3 : 0;
    case 'dispatched':
    case 'in_progress':
    case 'parked':
      return overdue ? 3 : 1;
    case 'reported_back':
    case 'checked':
      return overdue ? 3 : 2;
    default:
      return 4;
  }
}

interface PointProps {
  id: string;
  g: number;
  p: number;
}
interface ClusterSums {
  overdue: number;
  urgent: number;
}

interface Built {
  readonly index: Supercluster<PointProps, ClusterSums>;
  readonly summary: CaseMapSummary;
  /** The change generation the load started at: changes after it are not in this index. */
  readonly generation: number;
  readonly builtAtMs: number;
}

interface Entry {
  built: Built | null;
  building: Promise<Built> | null;
  buildingGeneration: number;
}

export interface CaseMapTilesOptions {
  readonly now?: () => number;
  /** Rebuild an index this old even if no change was heard (another process may have written). */
  readonly maxAgeMs?: number;
  /** Tile requests start a background rebuild at most this often per scope (a summary always waits for a current index). */
  readonly minRebuildMs?: number;
  /** At most this many scopes are held; the least recently used goes first. */
  readonly maxScopes?: number;
  /** A background rebuild that failed (the store was down): logged, the old index keeps serving. */
  readonly onError?: (e: unknown) => void;
}

export class CaseMapTiles {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #maxAgeMs: number;
  readonly #minRebuildMs: number;
  readonly #maxScopes: number;
  readonly #onError: (e: unknown) => void;
  #generation = 0;
  #version = 0;

  constructor(opts: CaseMapTilesOptions = {}) {
    this.#now = opts.now ?? Date.now;
    this.#maxAgeMs = opts.maxAgeMs ?? 300_000;
    this.#minRebuildMs = opts.minRebuildMs ?? 1000;
    this.#maxScopes = opts.maxScopes ?? 8;
    this.#onError = opts.onError ?? (() => undefined);
  }

  /** A case changed: every index is out of date. */
  invalidate(): void {
    this.#generation++;
  }

  /** How many scopes are held (for tests and the stats). */
  get scopes(): number {
    return this.#entries.size;
  }

  /** The scope's index as of now: waits for a rebuild when a change is not in it yet. */
  async summary(scope: string, load: () => Promise<CaseMapLoad>): Promise<CaseMapSummary> {
    const e = this.#entry(scope);
    if (e.built && !this.#stale(e.built, 0)) return e.built.summary;
    return (await this.#build(e, load)).summary;
  }

  /**
   * One tile (z/x/y of 512-px tiles) as a Mapbox Vector Tile, or null when nothing is in it. Served
   * from the index at hand; a stale one is rebuilt behind the answer.
   */
  async tile(scope: string, load: () => Promise<CaseMapLoad>, z: number, x: number, y: number): Promise<Uint8Array | null> {
    const e = this.#entry(scope);
    let built = e.built;
    if (!built) built = await this.#build(e, load);
    else if (this.#stale(built, this.#minRebuildMs) && !e.building) this.#build(e, load).catch(this.#onError);
    return encodeTile(built.index, z, x, y);
  }

  /** Starts the scope's index building now, without waiting (the cockpit's first request does this). */
  warm(scope: string, load: () => Promise<CaseMapLoad>): void {
    const e = this.#entry(scope);
    if (!e.built && !e.building) this.#build(e, load).catch(this.#onError);
  }

  #entry(scope: string): Entry {
    let e = this.#entries.get(scope);
    if (e) {
      // Map order is insertion order: re-inserting keeps the least recently used first.
      this.#entries.delete(scope);
    } else {
      e = { built: null, building: null, buildingGeneration: -1 };
      while (this.#entries.size >= this.#maxScopes) this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(scope, e);
    return e;
  }

  /** Older than maxAgeMs, or missing a change and at least `minAgeMs` old. */
  #stale(b: Built, minAgeMs: number): boolean {
    const age = this.#now() - b.builtAtMs;
    if (age >= this.#maxAgeMs) return true;
    return b.generation < this.#generation && age >= minAgeMs;
  }

  /** One build at a time per scope; a caller that needs newer data than the running build waits for the next. */
  #build(e: Entry, load: () => Promise<CaseMapLoad>): Promise<Built> {
    if (e.building && e.buildingGeneration >= this.#generation) return e.building;
    const after = e.building ?? Promise.resolve(null);
    const generation = this.#generation;
    const run = after
      .catch(() => null)
      .then(async () => {
        if (e.built && e.built.generation >= generation && this.#now() - e.built.builtAtMs < this.#maxAgeMs) return e.built;
        const data = await load();
        // Reading the store and clustering both hold the event loop (SQLite reads synchronously):
        // let waiting requests through between the two.
        await new Promise((r) => setImmediate(r));
        const built = buildIndex(data, generation, ++this.#version, this.#now());
        if (!e.built || e.built.generation <= built.generation) e.built = built;
        return built;
      })
      .finally(() => {
        if (e.building === run) e.building = null;
      });
    e.building = run;
    e.buildingGeneration = generation;
    return run;
  }
}

function buildIndex(data: CaseMapLoad, generation: number, version: number, nowMs: number): Built {
  const index = new Supercluster<PointProps, ClusterSums>({
    radius: (RADIUS_PX * EXTENT) / 512,
    extent: EXTENT,
    maxZoom: CLUSTER_MAX_ZOOM,
    map: (p) => ({ overdue: p.g === 3 ? 1 : 0, urgent: p.p >= 3 ? 1 : 0 }),
    reduce: (acc, p) => {
      acc.overdue += p.overdue;
      acc.urgent += p.urgent;
    },
  });
  const features = new Array<PointFeature<PointProps>>(data.points.length);
  data.points.forEach((c, i) => {
    features[i] = { type: 'Feature', properties: { id: c.id, g: c.group, p: c.priority }, geometry: { type: 'Point', coordinates: [c.lng, c.lat] } };
  });
  index.load(features);
  return { index, generation, builtAtMs: nowMs, summary: { version, count: data.points.length, truncated: data.truncated, builtAt: new Date(nowMs).toISOString() } };
}

/**
 * The tile's features as MVT. Clusters carry point_count, point_count_abbreviated, overdue and
 * urgent (sums), cluster_id and expansion_zoom (where a click should zoom to); points carry id, g, p.
 */
function encodeTile(index: Supercluster<PointProps, ClusterSums>, z: number, x: number, y: number): Uint8Array | null {
  const tile = index.getTile(z, x, y);
  if (!tile || tile.features.length === 0) return null;
  for (const f of tile.features) {
    const tags = f.tags as (ClusterProperties & ClusterSums & { expansion_zoom?: number }) | PointProps | null | undefined;
    if (tags && 'cluster' in tags && tags.cluster) {
      tags.expansion_zoom = Math.min(index.getClusterExpansionZoom(tags.cluster_id), CLUSTER_MAX_ZOOM + 1);
      // A cluster's own id would collide with point ids in MapLibre's feature state; clusters need none.
      delete f.id;
    }
  }
  return fromGeojsonVt({ [CASE_TILE_LAYER]: tile as never }, { version: 2, extent: EXTENT });
}
