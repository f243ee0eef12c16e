import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { requirePrincipal } from '../request-principal.ts';
import { withProblems } from '../schemas.ts';
import { siteOf, type SiteLandmark } from '../../cases/case-site.ts';
import type { AssetIndex } from '../../assets/asset-index.ts';

/** What these routes use of the platform (and nothing more). */
type SiteRouteDeps = Pick<Platform, 'assets' | 'cases'>;

/** How far a landmark may lie from the point and still help a crew find it. */
export const LANDMARK_RADIUS_M = 1500;
/** Named things a passer-by would point to: squares, hospitals, schools …, bridges, underpasses, tunnels. */
const LANDMARK_TYPES = ['place', 'bridge', 'underpass', 'tunnel'] as const;
/** Areas too large to say where a point is (a forest park, a village, a community). */
const NOT_LANDMARKS = new Set(['forest', 'village', 'community']);

/** The nearest named landmark of the asset map within LANDMARK_RADIUS_M of a GCJ-02 point. */
export function nearestLandmark(assets: AssetIndex, lng: number, lat: number): SiteLandmark | null {
  let best: SiteLandmark | null = null;
  for (const type of LANDMARK_TYPES) {
    const hit = assets.nearest(type, lng, lat, LANDMARK_RADIUS_M, (a) => typeof a.name === 'string' && a.name.length >= 2 && !NOT_LANDMARKS.has(String(a.properties['kind'] ?? '')));
    if (hit && hit.asset.name && (best === null || hit.distanceMeters < best.distanceM)) best = { name: hit.asset.name, distanceM: hit.distanceMeters };
  }
  return best;
}

const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });
const Point = Type.Object({ lng: Type.Number(), lat: Type.Number() });
const SiteView = Type.Object({
  caseId: Type.String(),
  number: Type.String(),
  title: Type.String(),
  address: Type.String(),
  gcj02: Point,
  wgs84: Point,
  chain: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), level: Type.String() })),
  landmark: Type.Union([Type.Object({ name: Type.String(), distanceM: Type.Integer() }), Type.Null()]),
  geoUri: Type.String({ description: 'geo: URI (RFC 5870), WGS-84' }),
  amapUrl: Type.String({ description: '高德 marker link, GCJ-02' }),
  contact: Type.Object({
    userId: Type.Union([Type.String(), Type.Null()]),
    name: Type.Union([Type.String(), Type.Null()]),
    phone: Type.Union([Type.String(), Type.Null()]),
    anonymous: Type.Boolean(),
    full: Type.Boolean({ description: 'false: masked, this viewer may not see the contact in full' }),
  }),
  siteContact: Type.Union([Type.Object({ name: Type.Union([Type.String(), Type.Null()]), phone: Type.String() }), Type.Null()], { description: '现场联系人 given with the report' }),
});

/**
 * 现场 — the site of a case for a field crew: address, nearest landmark, street and community, the
 * point in GCJ-02 and WGS-84 with navigation links, the contact as the viewer may see it. Anyone who
 * may see the case (its units' staff, the grid's workers, the center) may see its site.
 */
export function registerSiteRoutes(app: FastifyInstance, platform: SiteRouteDeps): void {
  app.get<{ Params: Static<typeof Params> }>(
    '/api/v1/cases/:id/site',
    {
      schema: {
        tags: ['tasks'],
        summary: '现场 — where a case is, for the crew going there: address, nearest landmark, street and community, GCJ-02 and WGS-84 points, a geo: link (WGS-84) and a 高德 link (GCJ-02), the contact where the policy allows',
        security: [{ bearer: [] }],
        params: Params,
        response: withProblems({ 200: SiteView }),
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      const doc = await platform.cases.get(p, req.params.id);
      return siteOf(doc, p, nearestLandmark(platform.assets(), doc.location.lng, doc.location.lat));
    },
  );
}
