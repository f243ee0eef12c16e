/**
 * Rasters over HTTP: a GeoTIFF uploaded as the raw body (image/tiff or application/octet-stream),
 * the catalogue listed, one raster with what the map needs to draw it (its image's corners in
 * GCJ-02, the cockpit's datum, and the legend), the image itself, contour lines, and removal.
 * Every route asks raster-policy.ts who may: a raster of another center's ground is refused 403
 * FORBIDDEN_JURISDICTION (as a case or a device outside the caller's ground is), whether to read or
 * to change; an id never stored is 404, a deleted raster 410.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { CityLoopError } from '../../errors.ts';
import type { Principal } from '../../auth/principal.ts';
import { wgs84ToGcj02 } from '../../geo/crs.ts';
import { readGeoTiffInThread } from '../../raster/geotiff-thread.ts';
import type { RasterKind, RasterRecord } from '../../raster/raster-catalog.ts';
import { RASTER_KINDS } from '../../raster/raster-catalog-store.ts';
import { cornersOf, legendOf, RAMP_NAMES, renderRaster, type ImageCorners, type RampName } from '../../raster/raster-image.ts';
import { contours } from '../../raster/contours.ts';
import { requirePrincipal } from '../request-principal.ts';
import { LangQuery, withProblems } from '../schemas.ts';
import { mayChangeRasters, maySeeRaster, rasterChangeRefusal, visibleRasterCenters } from './raster-policy.ts';

type RasterRouteDeps = Pick<Platform, 'rasters' | 'org' | 'settings'>;

const bearer = [{ bearer: [] }];
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Kind = Type.Union(RASTER_KINDS.map((k) => Type.Literal(k)));
const Ramp = Type.Union(RAMP_NAMES.map((r) => Type.Literal(r)), { description: 'colour ramp: terrain, depth (dry cells transparent), arrival (minutes), velocity' });
const UploadQuery = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200, description: 'a name people know it by' }),
  kind: Type.Optional(Type.Union([Type.Literal('dem'), Type.Literal('roughness'), Type.Literal('population')], { default: 'dem' })),
  center: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'the owning center (default: the caller\'s)' })),
  fileName: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the uploaded file\'s name, kept for the record' })),
  lang: LangQuery,
});
const ListQuery = Type.Object({ kind: Type.Optional(Kind), lang: LangQuery });
const ViewQuery = Type.Object({ ramp: Type.Optional(Ramp), lang: LangQuery });
const ContourQuery = Type.Object({
  levels: Type.String({ minLength: 1, maxLength: 1000, description: 'comma-separated values, at most 50 (e.g. arrival minutes 10,20,30)' }),
  crs: Type.Optional(Type.Union([Type.Literal('gcj02'), Type.Literal('wgs84')], { default: 'gcj02', description: 'datum of the coordinates: gcj02 (the cockpit map) or wgs84' })),
  lang: LangQuery,
});

const LngLat = Type.Tuple([Type.Number(), Type.Number()]);
const Corners = Type.Tuple([LngLat, LngLat, LngLat, LngLat], { description: '[lng, lat] of the image\'s top-left, top-right, bottom-right, bottom-left (a MapLibre image source)' });
const LegendSchema = Type.Object({
  ramp: Type.String(),
  unit: Type.String(),
  min: Type.Number(),
  max: Type.Number(),
  stops: Type.Array(Type.Object({ value: Type.Number(), color: Type.String() })),
  dryDepth: Type.Optional(Type.Number()),
});
const RasterView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  crs: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
  originX: Type.Number(),
  originY: Type.Number(),
  cellWidth: Type.Number(),
  cellHeight: Type.Number(),
  min: Type.Union([Type.Number(), Type.Null()]),
  max: Type.Union([Type.Number(), Type.Null()]),
  bboxWgs84: Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()]),
  ownerCenterId: Type.String(),
  createdBy: Type.String(),
  createdAt: Type.String(),
  sha256: Type.String(),
  sourceFile: Type.Union([Type.String(), Type.Null()]),
  image: Type.Object({
    url: Type.String({ description: 'the PNG of this ramp' }),
    ramp: Type.String(),
    corners: Corners,
    cornersWgs84: Corners,
    legend: LegendSchema,
  }),
});
const ContourCollection = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(
    Type.Object({
      type: Type.Literal('Feature'),
      properties: Type.Object({ level: Type.Number() }),
      geometry: Type.Object({ type: Type.Literal('LineString'), coordinates: Type.Array(LngLat) }),
    }),
  ),
});

/** The ramp a raster is drawn with unless another is asked for. */
function defaultRamp(kind: RasterKind): RampName {
  return kind === 'result' ? 'depth' : kind === 'dem' ? 'terrain' : 'velocity';
}

function gcjCorners(corners: ImageCorners): ImageCorners {
  return corners.map(([lng, lat]) => wgs84ToGcj02(lng, lat)) as ImageCorners;
}

function viewOf(r: RasterRecord, ramp: RampName): Static<typeof RasterView> {
  const corners = cornersOf(r.bboxWgs84);
  const legend = legendOf(ramp, ramp === 'depth' ? 0 : (r.min ?? 0), r.max !== null && r.max > (ramp === 'depth' ? 0 : (r.min ?? 0)) ? r.max : (r.min ?? 0) + 1);
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    crs: r.crs,
    width: r.width,
    height: r.height,
    originX: r.originX,
    originY: r.originY,
    cellWidth: r.cellWidth,
    cellHeight: r.cellHeight,
    min: r.min,
    max: r.max,
    bboxWgs84: r.bboxWgs84,
    ownerCenterId: r.ownerCenterId,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    sha256: r.sha256,
    sourceFile: r.sourceFile ?? null,
    image: { url: `/api/v1/rasters/${r.id}/image.png?ramp=${ramp}`, ramp, corners: gcjCorners(corners), cornersWgs84: corners, legend },
  };
}

/** The upload's body limit: an uncompressed Float64 file of RASTER_MAX_CELLS cells, and room for its header. */
export function rasterBodyLimit(maxCells: number): number {
  return maxCells * 8 + 16 * 1024 * 1024;
}

const MAX_LEVELS = 50;
const IMAGE_CACHE_SIZE = 8;

export function registerRasterRoutes(app: FastifyInstance, platform: RasterRouteDeps): void {
  const { rasters, org } = platform;
  // The last images drawn (the map asks again on every page): by raster, ramp and cells' digest.
  const images = new Map<string, Buffer>();

  /** The raster if `p` may see it: 404 if never stored, 403 if outside the caller's ground, 410 if deleted. */
  async function visible(p: Principal, id: string): Promise<RasterRecord> {
    const r = await rasters.get(id);
    if (!r) throw new CityLoopError('NOT_FOUND', { what: 'raster', id }, { field: 'id' });
    const centers = visibleRasterCenters(p, org.centers());
    if (centers === 'role') throw new CityLoopError('FORBIDDEN_ROLE', { action: 'see rasters', actionZh: '查看栅格' });
    if (!maySeeRaster(p, r.ownerCenterId, org.centers())) throw new CityLoopError('FORBIDDEN_JURISDICTION');
    if (r.deletedAt) throw new CityLoopError('GONE', { what: 'raster', id, at: r.deletedAt }, { field: 'id' });
    return r;
  }

  app.post<{ Querystring: Static<typeof UploadQuery>; Body: Buffer }>(
    '/api/v1/rasters',
    {
      bodyLimit: rasterBodyLimit(platform.settings.rasterMaxCells),
      schema: {
        tags: ['rasters'],
        summary: '栅格上传 — a GeoTIFF (first band; any EPSG projected CRS or WGS-84; nodata; Float32/64, Int/UInt 8–32) as the raw body with Content-Type image/tiff or application/octet-stream. Kept tiled and compressed under DATA_DIR; the record answers. A bad file is 422 problem+json with `field: "file"`; too many cells 413',
        security: bearer,
        querystring: UploadQuery,
        consumes: ['image/tiff', 'application/octet-stream'],
        body: Type.String({ format: 'binary', description: 'the GeoTIFF file itself' }),
        response: withProblems({ 201: RasterView, 410: Type.Ref('Problem'), 413: Type.Ref('Problem') }),
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      if (!mayChangeRasters(p)) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'upload a raster', actionZh: '上传栅格' });
      const ownerCenterId = req.query.center ?? p.centerId;
      if (!ownerCenterId) throw new CityLoopError('VALIDATION_FAILED', { detail: 'querystring/center: name the center the raster belongs to' }, { errors: [{ path: 'querystring/center', message: 'required for a caller of no center' }] });
      if (!org.center(ownerCenterId)) throw new CityLoopError('VALIDATION_FAILED', { detail: `querystring/center: no center ${ownerCenterId}` }, { errors: [{ path: 'querystring/center', message: 'unknown center' }] });
      const refusal = rasterChangeRefusal(p, ownerCenterId);
      if (refusal === 'role') throw new CityLoopError('FORBIDDEN_ROLE', { action: 'upload a raster', actionZh: '上传栅格' });
      if (refusal) throw new CityLoopError('FORBIDDEN_JURISDICTION');
      const body = req.body;
      if (!Buffer.isBuffer(body) || body.length === 0) throw new CityLoopError('RASTER_UNREADABLE', { detail: 'the request has no body: send the GeoTIFF as the raw body', detailZh: '请求没有内容：请把 GeoTIFF 文件作为请求体发送' }, { field: 'file' });
      // Decoded on a thread of its own: a large file takes seconds of CPU the other requests must not wait for.
      const grid = await readGeoTiffInThread(body, { maxCells: platform.settings.rasterMaxCells });
      const kind = req.query.kind ?? 'dem';
      const record = await rasters.save(grid, { name: req.query.name, kind, ownerCenterId, createdBy: p.userId, sourceFile: req.query.fileName?.replace(/[\\/\u0000-\u001f]/g, '_') ?? null });
      return reply.code(201).send(viewOf(record, defaultRamp(kind)));
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/rasters',
    {
      schema: {
        tags: ['rasters'],
        summary: '栅格 — the rasters the caller may see (its center\'s, those of centers below it, the city\'s), newest first; deleted ones are left out',
        security: bearer,
        querystring: ListQuery,
        response: withProblems({ 200: Type.Object({ items: Type.Array(RasterView) }) }),
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      const centers = visibleRasterCenters(p, org.centers());
      if (centers === 'role') throw new CityLoopError('FORBIDDEN_ROLE', { action: 'see rasters', actionZh: '查看栅格' });
      const list = await rasters.list({ ...(req.query.kind ? { kind: req.query.kind } : {}), ...(centers === 'all' ? {} : { ownerCenterIds: centers }) });
      return { items: list.map((r) => viewOf(r, defaultRamp(r.kind))) };
    },
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof ViewQuery> }>(
    '/api/v1/rasters/:id',
    {
      schema: {
        tags: ['rasters'],
        summary: 'One raster, with its image for the map: the PNG\'s URL, its corners in GCJ-02 (and WGS-84) and the legend of the ramp (?ramp=, default by kind)',
        security: bearer,
        params: IdParams,
        querystring: ViewQuery,
        response: withProblems({ 200: RasterView, 410: Type.Ref('Problem') }),
      },
    },
    async (req) => {
      const r = await visible(requirePrincipal(req), req.params.id);
      return viewOf(r, req.query.ramp ?? defaultRamp(r.kind));
    },
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof ViewQuery> }>(
    '/api/v1/rasters/:id/image.png',
    {
      schema: {
        tags: ['rasters'],
        summary: 'The raster drawn as a PNG (RGBA; nodata and dry cells transparent), north-up in lng/lat over `image.corners`, at most 2048 px on its long side',
        security: bearer,
        params: IdParams,
        querystring: ViewQuery,
        produces: ['image/png'],
      },
    },
    async (req, reply) => {
      const r = await visible(requirePrincipal(req), req.params.id);
      const ramp = req.query.ramp ?? defaultRamp(r.kind);
      const key = `${r.id}:${ramp}:${r.sha256}`;
      let png = images.get(key);
      if (!png) {
        const grid = await rasters.load(r.id);
        const view = viewOf(r, ramp);
        png = Buffer.from(renderRaster(grid, grid.data, { ramp, min: view.image.legend.min, max: view.image.legend.max }).png);
        images.set(key, png);
        if (images.size > IMAGE_CACHE_SIZE) images.delete(images.keys().next().value!);
      }
      return reply.type('image/png').header('cache-control', 'private, max-age=3600').header('x-content-type-options', 'nosniff').send(png);
    },
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof ContourQuery> }>(
    '/api/v1/rasters/:id/contours',
    {
      schema: {
        tags: ['rasters'],
        summary: 'Contour lines of the raster at the given levels (e.g. arrival-time isochrones), GeoJSON LineStrings with their `level`',
        security: bearer,
        params: IdParams,
        querystring: ContourQuery,
        response: withProblems({ 200: ContourCollection, 410: Type.Ref('Problem') }),
      },
    },
    async (req) => {
      const r = await visible(requirePrincipal(req), req.params.id);
      const parts = req.query.levels.split(',').map((s) => s.trim());
      const levels = parts.map(Number);
      if (parts.length > MAX_LEVELS || parts.some((s) => s === '') || levels.some((v) => !Number.isFinite(v))) {
        throw new CityLoopError('VALIDATION_FAILED', { detail: `querystring/levels: at most ${MAX_LEVELS} numbers separated by commas` }, { errors: [{ path: 'querystring/levels', message: 'not a list of numbers' }] });
      }
      const grid = await rasters.load(r.id);
      const fc = contours(grid, grid.data, levels);
      if ((req.query.crs ?? 'gcj02') === 'gcj02') for (const f of fc.features) f.geometry.coordinates = f.geometry.coordinates.map(([lng, lat]) => wgs84ToGcj02(lng, lat));
      return fc;
    },
  );

  const RemoveQuery = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })), lang: LangQuery });
  app.delete<{ Params: Static<typeof IdParams>; Querystring: Static<typeof RemoveQuery> }>(
    '/api/v1/rasters/:id',
    {
      schema: {
        tags: ['rasters'],
        summary: 'Remove a raster: its cells are deleted, its record stays (marked deleted) for the analyses that used it. Administrators and operators of the owning center',
        security: bearer,
        params: IdParams,
        querystring: RemoveQuery,
        response: withProblems({ 204: Type.Null(), 410: Type.Ref('Problem') }),
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const r = await visible(p, req.params.id);
      const refusal = rasterChangeRefusal(p, r.ownerCenterId);
      if (refusal === 'role') throw new CityLoopError('FORBIDDEN_ROLE', { action: 'remove a raster', actionZh: '删除栅格' });
      if (refusal) throw new CityLoopError('FORBIDDEN_JURISDICTION');
      await rasters.remove(r.id, p.userId, req.query.reason);
      for (const key of [...images.keys()]) if (key.startsWith(`${r.id}:`)) images.delete(key);
      return reply.code(204).send();
    },
  );
}
