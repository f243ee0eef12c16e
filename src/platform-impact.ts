/**
 * The composition of 灾害态势研判 / 避险转移 (src/analyses/impact/): the analyses' results, the
 * raster CRS to GCJ-02 (proj4 to WGS-84, then the GCJ-02 formula — the datum of the polygons and
 * assets), the geography, the asset map and the case service.
 */
import type { Store } from './store/store.ts';
import type { Clock } from './clock.ts';
import type { JurisdictionResolver } from './geo/resolver.ts';
import type { AssetIndex } from './assets/asset-index.ts';
import type { CaseService } from './cases/case-service.ts';
import { gcj02ToWgs84, wgs84ToGcj02 } from './geo/crs.ts';
import { crsTransform } from './raster/raster-crs.ts';
import type { Analyses } from './analyses/analyses.ts';
import { FloodImpact, type ProjectionOf } from './analyses/impact/flood-impact.ts';

/** A raster CRS ↔ GCJ-02, writing into the caller's array (no allocation per cell in the kernel). */
export const rasterToGcj02: ProjectionOf = (crs) => {
  const t = crsTransform(crs);
  return {
    toLngLat(x, y, out) {
      const [lng, lat] = t.toWgs84(x, y);
      const [gx, gy] = wgs84ToGcj02(lng, lat);
      out[0] = gx;
      out[1] = gy;
    },
    fromLngLat(lng, lat, out) {
      const [wx, wy] = gcj02ToWgs84(lng, lat);
      const [x, y] = t.fromWgs84(wx, wy);
      out[0] = x;
      out[1] = y;
    },
  };
};

export function composeFloodImpact(d: { store: Store; clock: Clock; analyses: Analyses; resolver: () => JurisdictionResolver; assets: () => AssetIndex; cases: CaseService }): FloodImpact {
  return new FloodImpact({ store: d.store, clock: d.clock, results: d.analyses, projection: rasterToGcj02, resolver: d.resolver, assets: d.assets, cases: d.cases });
}
