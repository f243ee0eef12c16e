import { listJurisdictionRows } from '../../geo/jurisdiction-repository.ts';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { CityLoopError } from '../../errors.ts';
import { withProblems } from '../schemas.ts';
import { toGcj02, fromGcj02 } from '../../geo/crs.ts';
import { LEVELS } from '../../geo/jurisdiction.ts';

/** What these routes use of the platform (and nothing more). */
type GeoRouteDeps = Pick<Platform, 'resolver' | 'store'>;


const ResolveQuery = Type.Object({
  lng: Type.Number({ minimum: -180, maximum: 180 }),
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  crs: Type.Union([Type.Literal('gcj02'), Type.Literal('wgs84')], { description: 'datum of lng/lat: gcj02 (Chinese web maps) or wgs84 (GPS)' }),
  lang: Type.Optional(Type.String()),
});

const Link = Type.Object({ code: Type.String(), name: Type.String(), level: Type.String() });

const ListQuery = Type.Object({
  level: Type.Optional(Type.Union(LEVELS.map((l) => Type.Literal(l)))),
  parent: Type.Optional(Type.String()),
  geometry: Type.Optional(Type.Boolean({ default: false })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 1000 })),
  lang: Type.Optional(Type.String()),
});

export function registerGeoRoutes(app: FastifyInstance, platform: GeoRouteDeps): void {
  app.get<{ Querystring: Static<typeof ResolveQuery> }>(
    '/api/v1/geo/resolve',
    {
      schema: {
        tags: ['geo'],
        summary: '落图 — the jurisdiction chain (city → … → grid) of a point; public',
        querystring: ResolveQuery,
        response: withProblems({
          200: Type.Object({
            input: Type.Object({ lng: Type.Number(), lat: Type.Number(), crs: Type.String() }),
            gcj02: Type.Object({ lng: Type.Number(), lat: Type.Number() }),
            wgs84: Type.Object({ lng: Type.Number(), lat: Type.Number() }),
            chain: Type.Array(Link),
            snappedMeters: Type.Optional(Type.Number()),
          }),
        }),
      },
    },
    async (req) => {
      const { lng, lat, crs } = req.query;
      const [gx, gy] = toGcj02(lng, lat, crs);
      const found = platform.resolver().resolve(gx, gy);
      if (!found) throw new CityLoopError('GEO_OUTSIDE_CITY', { lng, lat });
      const [wx, wy] = fromGcj02(gx, gy, 'wgs84');
      return {
        input: { lng, lat, crs },
        gcj02: { lng: gx, lat: gy },
        wgs84: { lng: wx, lat: wy },
        chain: found.chain.map((l) => ({ code: l.code, name: l.name, level: l.level })),
        ...(found.snappedMeters !== undefined ? { snappedMeters: found.snappedMeters } : {}),
      };
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/jurisdictions',
    {
      schema: {
        tags: ['geo'],
        summary: '辖区 — jurisdictions by level or parent (GeoJSON when geometry=true); public',
        querystring: ListQuery,
        response: withProblems({
          200: Type.Object({
            type: Type.Literal('FeatureCollection'),
            features: Type.Array(
              Type.Object({
                type: Type.Literal('Feature'),
                properties: Type.Object({ code: Type.String(), name: Type.String(), level: Type.String(), parentCode: Type.Union([Type.String(), Type.Null()]), generated: Type.Boolean() }),
                geometry: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
              }),
            ),
          }),
        }),
      },
    },
    async (req) => {
      const { level, parent, geometry, limit } = req.query;
      if (!level && !parent) throw new CityLoopError('VALIDATION_FAILED', { detail: 'give level or parent' });
      const rows = await listJurisdictionRows(platform.store.db, { level, parent, limit: limit ?? 1000 });
      return {
        type: 'FeatureCollection' as const,
        features: rows.map((r) => ({
          type: 'Feature' as const,
          properties: { code: r.code, name: r.name, level: r.level, parentCode: r.parent_code, generated: Boolean(r.generated) },
          geometry: geometry && r.geometry ? (JSON.parse(r.geometry) as object) : null,
        })),
      };
    },
  );
}
