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
 *
 * Where the work runs: reading 100,000 rows and clustering them each hold a thread for a few hundred
 * milliseconds. The indexes live behind a `ClusterIndexer`: in this thread (`InProcessIndexer`, for
 * tests and small tools) or on a worker thread (`ThreadIndexer` in case-cluster-thread.ts, what the
 * server uses), so the server keeps answering while a city's index is rebuilt. On SQLite the rows
 * are read by the indexer itself, through its own connection to the store's file (`CaseMapQuery`);
 * on PostgreSQL the driver reads them without holding the thread, and the points are handed over.
 */
import Supercluster, { type ClusterProperties, type PointFeature } from 'supercluster';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import BetterSqlite3 from 'better-sqlite3';
import { PRIORITIES } from '../cases/case-model.ts';

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

/** What a scope's loader read: the points and whether the store held more than the cap. */
export interface CaseMapPoints {
  readonly points: readonly CaseMapPoint[];
  readonly truncated: boolean;
}

/**
 * A read for the indexer to run itself on a SQLite file (its own connection, so not on the thread
 * that serves requests): the statement returns the map's rows (id, lng, lat, state, priority,
 * overdue), at most `limit` + 1 of them.
 */
export interface CaseMapQuery {
  readonly sqliteFile: string;
  readonly sql: string;
  readonly parameters: readonly unknown[];
  readonly limit: number;
}

/** A scope's loader answers the points themselves or the read that gives them. */
export type CaseMapLoad = CaseMapPoints | { readonly query: CaseMapQuery };

/** A row of the map's read, as both stores return it. */
export interface CaseMapRow {
  readonly id: string;
  readonly lng: number;
  readonly lat: number;
  readonly state: string;
  readonly priority: string;
  readonly overdue: number | boolean | string;
}

/** A priority's index in PRIORITIES, as the map's points and columns carry it. */
export const PRIORITY_INDEX: Readonly<Record<string, number>> = Object.fromEntries(PRIORITIES.map((p, i) => [p, i]));

/** The map's points of its rows (finished cases left out), at most `limit`; `truncated` when there were more rows. */
export function pointsOfRows(rows: readonly CaseMapRow[], limit: number): CaseMapPoints {
  const points: CaseMapPoint[] = [];
  const n = Math.min(rows.length, limit);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    const group = groupOfState(r.state, Number(r.overdue) === 1);
    if (group < 4) points.push({ id: r.id, lng: Number(r.lng), lat: Number(r.lat), group, priority: PRIORITY_INDEX[r.priority] ?? 1 });
  }
  return { points, truncated: rows.length > limit };
}

/**
 * Runs a CaseMapQuery on its file. The connection is kept per file and answers reads only; with
 * the store in WAL mode it reads the last commit without waiting for (or blocking) the writer.
 */
export class SqliteMapReader {
  readonly #connections = new Map<string, BetterSqlite3.Database>();

  read(q: CaseMapQuery): CaseMapPoints {
    let db = this.#connections.get(q.sqliteFile);
    if (!db) {
      db = new BetterSqlite3(q.sqliteFile, { fileMustExist: true });
      db.pragma('query_only = ON');
      db.pragma('busy_timeout = 5000');
      this.#connections.set(q.sqliteFile, db);
    }
    return pointsOfRows(db.prepare(q.sql).all(...q.parameters) as CaseMapRow[], q.limit);
  }

  close(): void {
    for (const db of this.#connections.values()) db.close();
    this.#connections.clear();
  }
}

/** An index asked for by a number the indexer no longer holds (replaced, dropped, or its thread ended). */
export class IndexGoneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndexGoneError';
  }
}

/**
 * Holds cluster indexes by number. `build` reads (for a query) and clusters; `tile` answers one
 * tile of an index; `drop` lets an index go. A tile of an index not held rejects with IndexGoneError.
 */
export interface ClusterIndexer {
  build(id: number, load: CaseMapLoad): Promise<{ readonly count: number; readonly truncated: boolean }>;
  tile(id: number, z: number, x: number, y: number): Promise<Uint8Array | null>;
  drop(id: number): void;
  close(): Promise<void>;
}

/** The indexes in this thread: reading and clustering hold it while they run. */
export class InProcessIndexer implements ClusterIndexer {
  readonly #indexes = new Map<number, ClusterIndex>();
  readonly #reader = new SqliteMapReader();

  async build(id: number, load: CaseMapLoad): Promise<{ count: number; truncated: boolean }> {
    const data = 'query' in load ? this.#reader.read(load.query) : load;
    // Reading the store and clustering both hold the thread: let waiting requests through between the two.
    await new Promise((r) => setImmediate(r));
    this.#indexes.set(id, buildClusterIndex(data.points));
    return { count: data.points.length, truncated: data.truncated };
  }

  async tile(id: number, z: number, x: number, y: number): Promise<Uint8Array | null> {
    const index = this.#indexes.get(id);
    if (!index) throw new IndexGoneError(`case map index ${id} is no longer held`);
    return encodeClusterTile(index, z, x, y);
  }

  drop(id: number): void {
    this.#indexes.delete(id);
  }

  async close(): Promise<void> {
    this.#indexes.clear();
    this.#reader.close();
  }
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

export type ClusterIndex = Supercluster<PointProps, ClusterSums>;

interface Built {
  /** The index's number in the indexer: its summary's version. */
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
  /** Where the indexes are read, built and cut into tiles (default: in this thread). */
  readonly indexer?: ClusterIndexer;
}

export class CaseMapTiles {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #maxAgeMs: number;
  readonly #minRebuildMs: number;
  readonly #maxScopes: number;
  readonly #onError: (e: unknown) => void;
  readonly #indexer: ClusterIndexer;
  #generation = 0;
  #version = 0;

  constructor(opts: CaseMapTilesOptions = {}) {
    this.#now = opts.now ?? Date.now;
    this.#maxAgeMs = opts.maxAgeMs ?? 300_000;
    this.#minRebuildMs = opts.minRebuildMs ?? 1000;
    this.#maxScopes = opts.maxScopes ?? 8;
    this.#onError = opts.onError ?? (() => undefined);
    this.#indexer = opts.indexer ?? new InProcessIndexer();
  }

  /** Lets every index go and ends the indexer (its thread, its connections). */
  async close(): Promise<void> {
    this.#entries.clear();
    await this.#indexer.close();
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
    return (await this.#build(scope, e, load)).summary;
  }

  /**
   * One tile (z/x/y of 512-px tiles) as a Mapbox Vector Tile, or null when nothing is in it. Served
   * from the index at hand; a stale one is rebuilt behind the answer.
   */
  async tile(scope: string, load: () => Promise<CaseMapLoad>, z: number, x: number, y: number): Promise<Uint8Array | null> {
    const e = this.#entry(scope);
    for (let attempt = 0; ; attempt++) {
      let built = e.built;
      if (!built) built = await this.#build(scope, e, load);
      else if (this.#stale(built, this.#minRebuildMs) && !e.building) this.#build(scope, e, load).catch(this.#onError);
      try {
        return await this.#indexer.tile(built.summary.version, z, x, y);
      } catch (err) {
        // Replaced while the request was on its way, or lost with the indexer's thread: once more
        // with the index now at hand, or a new one.
        if (!(err instanceof IndexGoneError) || attempt > 0) throw err;
        if (e.built === built) e.built = null;
      }
    }
  }

  /** Starts the scope's index building now, without waiting (the cockpit's first request does this). */
  warm(scope: string, load: () => Promise<CaseMapLoad>): void {
    const e = this.#entry(scope);
    if (!e.built && !e.building) this.#build(scope, e, load).catch(this.#onError);
  }

  #entry(scope: string): Entry {
    let e = this.#entries.get(scope);
    if (e) {
      // Map order is insertion order: re-inserting keeps the least recently used first.
      this.#entries.delete(scope);
    } else {
      e = { built: null, building: null, buildingGeneration: -1 };
      while (this.#entries.size >= this.#maxScopes) {
        const [oldest, gone] = this.#entries.entries().next().value!;
        this.#entries.delete(oldest);
        if (gone.built) this.#indexer.drop(gone.built.summary.version);
      }
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
  #build(scope: string, e: Entry, load: () => Promise<CaseMapLoad>): Promise<Built> {
    if (e.building && e.buildingGeneration >= this.#generation) return e.building;
    const after = e.building ?? Promise.resolve(null);
    const generation = this.#generation;
    const run = after
      .catch(() => null)
      .then(async () => {
        if (e.built && e.built.generation >= generation && this.#now() - e.built.builtAtMs < this.#maxAgeMs) return e.built;
        const data = await load();
        const version = ++this.#version;
        const { count, truncated } = await this.#indexer.build(version, data);
        const nowMs = this.#now();
        const built: Built = { generation, builtAtMs: nowMs, summary: { version, count, truncated, builtAt: new Date(nowMs).toISOString() } };
        // The newest index serves; the one it replaces, or one for a scope no longer held, goes.
        const kept = this.#entries.get(scope) === e && (!e.built || e.built.generation <= built.generation);
        if (kept) {
          if (e.built) this.#indexer.drop(e.built.summary.version);
          e.built = built;
        } else this.#indexer.drop(version);
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

/** The cluster index of the points (pure: the same on any thread). */
export function buildClusterIndex(points: readonly CaseMapPoint[]): ClusterIndex {
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
  const features = new Array<PointFeature<PointProps>>(points.length);
  points.forEach((c, i) => {
    features[i] = { type: 'Feature', properties: { id: c.id, g: c.group, p: c.priority }, geometry: { type: 'Point', coordinates: [c.lng, c.lat] } };
  });
  index.load(features);
  return index;
}

/**
 * The tile's features as MVT. Clusters carry point_count, point_count_abbreviated, overdue and
 * urgent (sums), cluster_id and expansion_zoom (where a click should zoom to); points carry id, g, p.
 */
export function encodeClusterTile(index: ClusterIndex, z: number, x: number, y: number): Uint8Array | null {
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
