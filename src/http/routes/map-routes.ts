import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { CityLoopError } from '../../errors.ts';
import { requirePrincipal } from '../request-principal.ts';
import { withProblems } from '../schemas.ts';
import { caseMapRows, caseMapRowsQuery } from '../../cases/case-queries.ts';
import { hasRole, SYSTEM_PRINCIPAL, type Principal } from '../../auth/principal.ts';
import { CASE_STATES, PRIORITIES } from '../../cases/case-model.ts';
import type { JurisdictionRecord } from '../../geo/jurisdiction.ts';
import { geometryBBox, unionBBox, type BBox } from '../../geo/geometry.ts';
import { BOUNDARY_MAX_ZOOM, BoundaryTiles } from '../../map-tiles/boundary-tiles.ts';
import { CASE_TILE_MAX_ZOOM, CaseMapTiles, pointsOfRows, PRIORITY_INDEX, type CaseMapLoad } from '../../map-tiles/case-map-tiles.ts';
import { ThreadIndexer } from '../../map-tiles/case-cluster-thread.ts';

/** What these routes use of the platform (and nothing more). */
type MapRouteDeps = Pick<Platform, 'bus' | 'resolver' | 'store'>;


/** States in which a case no longer needs anyone: the map leaves them out unless asked. */
/** One answer carries at most this many points; the cockpit's aim is 100,000 smooth. */
const MAX_POINTS = 250_000;

const PointsQuery = Type.Object({
  jurisdiction: Type.Optional(Type.String({ maxLength: 30, description: 'narrow to this jurisdiction (inside your own)' })),
  all: Type.Optional(Type.Boolean({ default: false, description: 'include finished cases (closed, evaluated, declined, merged)' })),
});

const TileParams = Type.Object({
  z: Type.String({ pattern: '^[0-9]{1,2}$' }),
  x: Type.String({ pattern: '^[0-9]{1,9}$' }),
  y: Type.String({ pattern: '^[0-9]{1,9}(\\.pbf)?$', description: 'the row, optionally ending in .pbf' }),
});
const ScopeQuery = Type.Object({
  jurisdiction: Type.Optional(Type.String({ maxLength: 30, description: 'narrow to this jurisdiction (inside your own)' })),
  v: Type.Optional(Type.String({ maxLength: 20, description: 'the summary version, so caches keep tiles of one version apart; not read by the server' })),
});

const gzipAsync = promisify(gzip);

/** The one jurisdiction filter of cases (case-queries.ts). */
function mapRows(platform: MapRouteDeps, own: string | null, narrow: string | undefined, all = false) {
  return caseMapRows(platform.store.db, platform.resolver(), { own, narrow, openOnly: !all, limit: MAX_POINTS + 1 });
}

/** The map shows cases located in the viewer's jurisdiction: a subset of what the case policy lets them see. */
function mayViewMap(p: Principal): boolean {
  return hasRole(p, 'admin', 'system') || (hasRole(p, 'operator', 'supervisor', 'grid_worker') && p.jurisdictionCode !== null);
}
function assertMapViewer(p: Principal): void {
  if (mayViewMap(p)) return;
  throw new CityLoopError('FORBIDDEN_ROLE', { action: 'read the case map' });
}

function bboxOf(r: JurisdictionRecord | undefined): BBox | null {
  if (!r?.geometry) return null;
  const b = geometryBBox(r.geometry);
  return Number.isFinite(b[0]) ? b : null;
}

/**
 * Read-only projections for the cockpit's map. The case layer is served as clustered vector tiles
 * (`cases/summary` + `cases/tiles/{z}/{x}/{y}`, made by CaseMapTiles from one shared index per
 * jurisdiction); `cases` answers the same open cases as columns (not one object per case) for
 * clients that want the points themselves, read straight from the `cases` table's columns.
 */
export function registerMapRoutes(app: FastifyInstance, platform: MapRouteDeps): void {
  const bearer = [{ bearer: [] }];
  // The indexes are read, built and cut into tiles on a thread of their own: a city's rebuild
  // (100,000 cases) would otherwise hold this server for a few hundred milliseconds each time.
  const indexer = new ThreadIndexer({ onFallback: (e) => app.log.error({ err: e }, 'case map index: its worker thread cannot be started; the indexes are built on the server\'s own thread') });
  const tiles = new CaseMapTiles({ indexer, onError: (e) => app.log.warn({ err: e }, 'case map index: rebuild failed; the previous index keeps serving') });
  let unsubscribe: (() => void) | null = null;
  app.addHook('onReady', async () => {
    unsubscribe = platform.bus?.subscribe(() => tiles.invalidate()) ?? null;
    // The city-wide index is made as the server starts, before the first cockpit asks for it; a
    // failure here is only logged (the first request tries again).
    try {
      const city = scopeOf(SYSTEM_PRINCIPAL, undefined);
      tiles.warm(city.key, city.load);
    } catch (e) {
      app.log.warn({ err: e }, 'case map index: not made at start');
    }
  });
  app.addHook('onClose', async () => {
    unsubscribe?.();
    await tiles.close();
  });

  // The base map's tiles follow the resolver: a re-import gives a new one, and the tiles a new version.
  const boundaries = new BoundaryTiles((level) => platform.resolver().list(level));
  let boundaryResolver: ReturnType<Platform['resolver']> | null = null;
  let boundaryVersion = 0;
  /** Where there are boundaries at all (every district's box): no tile outside it is asked for. */
  let boundaryBounds: BBox | null = null;
  const currentBoundaries = (): BoundaryTiles => {
    if (platform.resolver() !== boundaryResolver) {
      boundaryResolver = platform.resolver();
      boundaryVersion++;
      boundaries.reset();
      boundaryBounds = unionBBox(boundaryResolver.list('district').map(bboxOf).filter((b): b is BBox => b !== null));
    }
    return boundaries;
  };
  const tileXYZ = (params: Static<typeof TileParams>): [number, number, number] => {
    const z = Number(params.z);
    const x = Number(params.x);
    const y = Number(params.y.replace(/\.pbf$/, ''));
    if (z > 24 || x >= 2 ** z || y >= 2 ** z) throw new CityLoopError('VALIDATION_FAILED', { detail: `tile ${z}/${x}/${y} does not exist` });
    return [z, x, y];
  };
  const sendTile = async (req: FastifyRequest, reply: FastifyReply, body: Uint8Array | null) => {
    if (!body) return reply.code(204).send();
    reply.type('application/vnd.mapbox-vector-tile');
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && body.length > 512) return reply.header('content-encoding', 'gzip').send(await gzipAsync(body, { level: 1 }));
    return reply.send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  };

  for (const part of ['all', 'labels'] as const) {
    app.get<{ Params: Static<typeof TileParams>; Querystring: { v?: string } }>(
      part === 'all' ? '/api/v1/map/boundaries/:z/:x/:y' : '/api/v1/map/boundary-labels/:z/:x/:y',
      {
        schema: {
          tags: ['map'],
          summary:
            part === 'all'
              ? '底图 — one tile of the base map as a Mapbox Vector Tile: layers district, street, community, grid (polygons with code and name, each from its zoom: 0, 10, 12, 14) and their label points district-labels, street-labels, community-labels, grid-labels; public; 204 when empty'
              : '底图 — the label points alone of one base map tile as a Mapbox Vector Tile: layers district-labels, street-labels, community-labels, grid-labels (points with code and name); public; 204 when empty',
          params: TileParams,
          querystring: Type.Object({ v: Type.Optional(Type.String({ maxLength: 20, description: 'the base map version from GET /api/v1/map/focus; not read by the server' })) }),
          produces: ['application/vnd.mapbox-vector-tile'],
        },
      },
      async (req, reply) => {
        const [z, x, y] = tileXYZ(req.params);
        const body = currentBoundaries().tile(z, x, y, part);
        // Public and the same for everyone; the version in the URL changes when jurisdictions are re-imported.
        reply.header('cache-control', 'public, max-age=3600').header('vary', 'accept-encoding');
        return sendTile(req, reply, body);
      },
    );
  }

  /** The viewer's scope: whose cases, narrowed how. One index per scope, shared by its viewers. */
  const scopeOf = (p: Principal, narrow: string | undefined): { key: string; load: () => Promise<CaseMapLoad> } => {
    // The whole city is one scope whoever looks at it (administrators and the city center's staff).
    const ownCode = hasRole(p, 'admin', 'system') ? null : p.jurisdictionCode;
    const own = ownCode && platform.resolver().get(ownCode)?.level !== 'city' ? ownCode : null;
    return {
      key: `${own ?? '*'}|${narrow ?? ''}`,
      load: async (): Promise<CaseMapLoad> => {
        // SQLite reads hold the thread that runs them: on a file, the index's thread reads itself.
        const file = platform.store.sqliteFile;
        if (file) {
          const { sql, parameters } = caseMapRowsQuery(platform.store.db, platform.resolver(), { own, narrow, openOnly: true, limit: MAX_POINTS + 1 }).compile();
          return { query: { sqliteFile: file, sql, parameters, limit: MAX_POINTS } };
        }
        return pointsOfRows(await mapRows(platform, own, narrow), MAX_POINTS);
      },
    };
  };

  app.get<{ Querystring: Static<typeof ScopeQuery> }>(
    '/api/v1/map/cases/summary',
    {
      schema: {
        tags: ['map'],
        summary: '驾驶舱地图 — the case layer of your jurisdiction: how many open cases, and the version to put in the tile URL; includes every change committed before the request',
        security: bearer,
        querystring: ScopeQuery,
        response: withProblems({
          200: Type.Object({
            version: Type.Integer(),
            count: Type.Integer(),
            truncated: Type.Boolean(),
            builtAt: Type.String({ format: 'date-time' }),
            tiles: Type.String({ description: 'the tile URL template ({z}/{x}/{y}), version included' }),
            maxzoom: Type.Integer(),
          }),
        }),
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      assertMapViewer(p);
      const scope = scopeOf(p, req.query.jurisdiction);
      const s = await tiles.summary(scope.key, scope.load);
      const narrow = req.query.jurisdiction ? `&jurisdiction=${encodeURIComponent(req.query.jurisdiction)}` : '';
      return { ...s, tiles: `/api/v1/map/cases/tiles/{z}/{x}/{y}.pbf?v=${s.version}${narrow}`, maxzoom: CASE_TILE_MAX_ZOOM };
    },
  );

  app.get<{ Params: Static<typeof TileParams>; Querystring: Static<typeof ScopeQuery> }>(
    '/api/v1/map/cases/tiles/:z/:x/:y',
    {
      schema: {
        tags: ['map'],
        summary: '驾驶舱地图 — one tile of the case layer as a Mapbox Vector Tile (layer "cases": clusters with point_count, overdue, urgent, expansion_zoom; cases with id, g, p); 204 when empty',
        security: bearer,
        params: TileParams,
        querystring: ScopeQuery,
        produces: ['application/vnd.mapbox-vector-tile'],
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      assertMapViewer(p);
      const [z, x, y] = tileXYZ(req.params);
      const scope = scopeOf(p, req.query.jurisdiction);
      const body = await tiles.tile(scope.key, scope.load, z, x, y);
      // Private: the tile holds what this viewer may see. The version in the URL keeps cached tiles apart.
      reply.header('cache-control', 'private, max-age=60').header('vary', 'accept-encoding, authorization');
      return sendTile(req, reply, body);
    },
  );
  app.get<{ Querystring: Static<typeof PointsQuery> }>(
    '/api/v1/map/cases',
    {
      schema: {
        tags: ['map'],
        summary: '驾驶舱地图 — the cases of your jurisdiction as columns for the map (id, position, state, priority, overdue); open cases unless all=true',
        security: bearer,
        querystring: PointsQuery,
        response: withProblems({
          200: Type.Object({
            count: Type.Integer(),
            truncated: Type.Boolean(),
            states: Type.Array(Type.String()),
            priorities: Type.Array(Type.String()),
            id: Type.Array(Type.String()),
            lng: Type.Array(Type.Number()),
            lat: Type.Array(Type.Number()),
            state: Type.Array(Type.Integer({ description: 'index into states' })),
            priority: Type.Array(Type.Integer({ description: 'index into priorities' })),
            overdue: Type.Array(Type.Integer()),
          }),
        }),
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      assertMapViewer(p);
      const rows = await mapRows(platform, hasRole(p, 'admin', 'system') ? null : p.jurisdictionCode, req.query.jurisdiction, req.query.all);
      const n = Math.min(rows.length, MAX_POINTS);
      const stateIndex = new Map<string, number>(CASE_STATES.map((s, i) => [s, i]));
      const out = { count: n, truncated: rows.length > MAX_POINTS, states: [...CASE_STATES], priorities: [...PRIORITIES], id: new Array<string>(n), lng: new Array<number>(n), lat: new Array<number>(n), state: new Array<number>(n), priority: new Array<number>(n), overdue: new Array<number>(n) };
      for (let i = 0; i < n; i++) {
        const r = rows[i]!;
        out.id[i] = r.id;
        // Six decimals are ~0.1 m: plenty for the map and a third shorter on the wire.
        out.lng[i] = Math.round(r.lng * 1e6) / 1e6;
        out.lat[i] = Math.round(r.lat * 1e6) / 1e6;
        out.state[i] = stateIndex.get(r.state) ?? 0;
        out.priority[i] = PRIORITY_INDEX[r.priority] ?? 1;
        out.overdue[i] = Number(r.overdue) ? 1 : 0;
      }
      // The response schema would copy 100,000 × 6 values through the serializer: send the text.
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(out));
    },
  );

  app.get(
    '/api/v1/map/focus',
    {
      schema: {
        tags: ['map'],
        summary: '驾驶舱地图 — where the signed-in user works: the jurisdiction, its chain up to the city, its outline and bounding box',
        security: bearer,
        response: withProblems({
          200: Type.Object({
            code: Type.Union([Type.String(), Type.Null()]),
            name: Type.Union([Type.String(), Type.Null()]),
            level: Type.Union([Type.String(), Type.Null()]),
            chain: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), level: Type.String() })),
            bbox: Type.Union([Type.Array(Type.Number(), { minItems: 4, maxItems: 4 }), Type.Null()]),
            geometry: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
            boundaries: Type.Object(
              {
                tiles: Type.String({ description: 'the base map tile URL template ({z}/{x}/{y}), version included' }),
                labels: Type.String({ description: 'the tile URL template of the label points alone (the boundary tiles carry them too)' }),
                maxzoom: Type.Integer(),
                bounds: Type.Union([Type.Array(Type.Number(), { minItems: 4, maxItems: 4 }), Type.Null()], { description: 'west, south, east, north of all districts: no tile outside holds anything' }),
              },
              { description: 'the base map: jurisdiction boundaries and labels as vector tiles (GET /api/v1/map/boundaries/{z}/{x}/{y})' },
            ),
            capabilities: Type.Object(
              { alerts: Type.Boolean(), devices: Type.Boolean(), indicators: Type.Boolean() },
              { description: 'which optional layers this server offers (the sensing routes), so the cockpit asks only for those' },
            ),
          }),
        }),
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      // The cockpit asks for its focus first: the case layer's index starts building meanwhile.
      if (mayViewMap(p)) {
        const scope = scopeOf(p, undefined);
        tiles.warm(scope.key, scope.load);
      }
      const resolver = platform.resolver();
      const city = resolver.list('city')[0];
      const code = p.jurisdictionCode ?? city?.code ?? null;
      const rec = code ? resolver.get(code) : undefined;
      const chain: { code: string; name: string; level: string }[] = [];
      for (let r = rec; r; r = r.parentCode ? resolver.get(r.parentCode) : undefined) chain.unshift({ code: r.code, name: r.name, level: r.level });
      let bbox = bboxOf(rec);
      if (!bbox && rec) {
        // The city may have no polygon of its own: its area is the union of its districts.
        bbox = unionBBox(resolver.childrenOf(rec.code).map(bboxOf).filter((b): b is BBox => b !== null));
      }
      const has = (url: string) => app.hasRoute({ method: 'GET', url });
      const capabilities = { alerts: has('/api/v1/alerts'), devices: has('/api/v1/devices'), indicators: has('/api/v1/indicators') };
      currentBoundaries();
      const base = {
        tiles: `/api/v1/map/boundaries/{z}/{x}/{y}.pbf?v=${boundaryVersion}`,
        labels: `/api/v1/map/boundary-labels/{z}/{x}/{y}.pbf?v=${boundaryVersion}`,
        maxzoom: BOUNDARY_MAX_ZOOM,
        bounds: boundaryBounds,
      };
      return { code: rec?.code ?? null, name: rec?.name ?? null, level: rec?.level ?? null, chain, bbox, geometry: (rec?.geometry as object | null | undefined) ?? null, boundaries: base, capabilities };
    },
  );
}
