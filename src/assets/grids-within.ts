/**
 * Grids (网格) near a point — whose grid workers a plan calls to the scene of, say, a forest fire.
 * The resolver answers "which grid contains", not "which grids are near", so this keeps its own
 * bounding-box R-tree of the grids, built once per resolver and dropped with it.
 */
import Flatbush from 'flatbush';
import { assertLngLat } from '../geo/crs.ts';
import { geometryBBox, METERS_PER_DEGREE } from '../geo/geometry.ts';
import type { JurisdictionResolver } from '../geo/resolver.ts';

interface GridBoxes {
  readonly tree: Flatbush | null;
  readonly codes: readonly string[];
}

const cache = new WeakMap<JurisdictionResolver, GridBoxes>();

function gridBoxesOf(resolver: JurisdictionResolver): GridBoxes {
  let boxes = cache.get(resolver);
  if (boxes) return boxes;
  const grids = resolver.list('grid').filter((g) => g.geometry !== null);
  let tree: Flatbush | null = null;
  if (grids.length > 0) {
    tree = new Flatbush(grids.length);
    for (const g of grids) {
      const [minX, minY, maxX, maxY] = geometryBBox(g.geometry!);
      tree.add(minX, minY, maxX, maxY);
    }
    tree.finish();
  }
  boxes = { tree, codes: grids.map((g) => g.code) };
  cache.set(resolver, boxes);
  return boxes;
}

/**
 * Codes of the grids with any part within `withinMeters` of the GCJ-02 point (the grid containing
 * it included), nearest first, ties by code. Distances are the resolver's (planar, cos(latitude)
 * scaled, 0 inside).
 */
export function gridsWithin(resolver: JurisdictionResolver, lng: number, lat: number, withinMeters: number): string[] {
  assertLngLat(lng, lat);
  if (typeof withinMeters !== 'number' || !Number.isFinite(withinMeters) || withinMeters < 0) {
    throw new RangeError(`withinMeters must be a finite number ≥ 0, got ${String(withinMeters)}`);
  }
  const { tree, codes } = gridBoxesOf(resolver);
  if (!tree) return [];
  const hy = withinMeters / METERS_PER_DEGREE;
  const hx = hy / Math.cos((lat * Math.PI) / 180);
  const hits: { code: string; d: number }[] = [];
  for (const id of tree.search(lng - hx, lat - hy, lng + hx, lat + hy)) {
    const code = codes[id]!;
    const d = resolver.distanceMeters(code, lng, lat);
    if (d <= withinMeters) hits.push({ code, d });
  }
  hits.sort((a, b) => a.d - b.d || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return hits.map((h) => h.code);
}
