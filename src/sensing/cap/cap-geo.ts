/**
 * The geography a CAP area is placed on: which of the city's districts a polygon or a circle
 * touches. `cap-areas.ts` asks through the small `CapGeography` interface so that it stays pure
 * and testable with any map; `capGeographyFromResolver` answers it from the platform's
 * jurisdictions. Everything here is GCJ-02, the datum of the jurisdiction polygons: CAP's WGS-84
 * is converted before it gets here.
 */
import { areasIntersect } from '../../assets/intersect-area.ts';
import { geometryBBox, METERS_PER_DEGREE, type AreaGeometry, type BBox } from '../../geo/geometry.ts';
import type { JurisdictionLevel } from '../../geo/jurisdiction.ts';
import type { JurisdictionResolver } from '../../geo/resolver.ts';

/** A GCJ-02 [lng, lat]. */
export type Gcj02 = [number, number];

export interface CapDistrict {
  readonly code: string;
  readonly name: string;
}

export interface CapGeography {
  /**
   * The districts that share at least one point with any of the rings (touching counts). Each
   * ring is a polygon of its own, closed, GCJ-02 (CAP polygons have no holes). Code order.
   */
  districtsTouching(ringsGcj02: readonly (readonly Gcj02[])[]): CapDistrict[];
  /** The districts that come within `meters` of the centre (GCJ-02), the centre's own included. Code order. */
  districtsWithinCircle(centerGcj02: Gcj02, meters: number): CapDistrict[];
}

function overlaps(a: BBox, b: BBox): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/**
 * `CapGeography` over the platform's jurisdictions: the records of `level` (districts by default)
 * that have a polygon. Polygon tests use the asset map's `areasIntersect` (exact orientation
 * signs, so a shared edge or vertex counts); circles use the resolver's distance to a polygon
 * (planar with the cos-latitude scale, metres-accurate over the tens of kilometres of a city).
 * Bounding boxes filter first, so an alert in another country costs one comparison per district.
 */
export function capGeographyFromResolver(resolver: JurisdictionResolver, level: JurisdictionLevel = 'district'): CapGeography {
  const districts = resolver
    .list(level)
    .filter((r): r is typeof r & { geometry: AreaGeometry } => r.geometry !== null)
    .map((r) => ({ code: r.code, name: r.name, geometry: r.geometry, bbox: geometryBBox(r.geometry) }));

  return {
    districtsTouching(rings) {
      const hits = new Map<string, CapDistrict>();
      for (const ring of rings) {
        if (ring.length < 4) continue;
        const area: AreaGeometry = { type: 'Polygon', coordinates: [ring.map((p) => [p[0], p[1]])] };
        const box = geometryBBox(area);
        for (const d of districts) {
          if (hits.has(d.code) || !overlaps(box, d.bbox)) continue;
          if (areasIntersect(area, d.geometry)) hits.set(d.code, { code: d.code, name: d.name });
        }
      }
      return [...hits.values()].sort((a, b) => (a.code < b.code ? -1 : 1));
    },

    districtsWithinCircle(center, meters) {
      const [x, y] = center;
      const dy = meters / METERS_PER_DEGREE;
      const dx = meters / (METERS_PER_DEGREE * Math.max(Math.cos((y * Math.PI) / 180), 1e-6));
      const box: BBox = [x - dx, y - dy, x + dx, y + dy];
      const out: CapDistrict[] = [];
      for (const d of districts) {
        if (!overlaps(box, d.bbox)) continue;
        if (resolver.distanceMeters(d.code, x, y) <= meters) out.push({ code: d.code, name: d.name });
      }
      return out.sort((a, b) => (a.code < b.code ? -1 : 1));
    },
  };
}
