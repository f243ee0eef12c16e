import type { Map as MlMap } from 'maplibre-gl';

export const LEVELS = ['district', 'street', 'community', 'grid'] as const;
export type BoundaryLevel = (typeof LEVELS)[number];

/** The zoom from which each level's boundaries are drawn (the server's tiles carry them half a zoom earlier). */
export const MIN_ZOOM: Record<BoundaryLevel, number> = { district: 0, street: 10.5, community: 12.8, grid: 14.3 };

/** The base map's vector source: jurisdiction boundaries and label points cut by the server (src/map-tiles/boundary-tiles.ts). */
export const BOUNDARY_SOURCE = 'boundaries';

/** What is drawn of the base map: how many jurisdictions of a level are in the loaded tiles. */
export class Boundaries {
  readonly #map: MlMap;

  constructor(map: MlMap) {
    this.#map = map;
  }

  featureCount(level: BoundaryLevel): number {
    if (!this.#map.getSource(BOUNDARY_SOURCE)) return 0;
    // A polygon cut by tile edges comes once per tile: count the jurisdictions, not the pieces.
    const codes = new Set(this.#map.querySourceFeatures(BOUNDARY_SOURCE, { sourceLayer: level }).map((f) => f.properties?.code));
    return codes.size;
  }
}
