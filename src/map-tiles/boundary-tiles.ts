/**
 * The base map as vector tiles: jurisdiction boundaries (district, street, community, grid) and
 * their label points, cut on the server from the resolver's polygons.
 *
 * Why: the browser used to fetch each level's polygons as GeoJSON (the districts alone are 750 kB)
 * and MapLibre's one worker cut and simplified them for every new tile while the page waited and
 * while the map was panned. geojson-vt does the same cutting here once per level (the 62,000 grids
 * in about 0.3 s) and answers each tile in a few milliseconds, simplified for its zoom.
 *
 * Boundaries are public data (as `GET /api/v1/jurisdictions` is): tiles are the same for everyone
 * and may be cached; their URL carries a version that changes when jurisdictions are re-imported.
 */
import GeoJSONVT from 'geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type { JurisdictionLevel, JurisdictionRecord } from '../geo/jurisdiction.ts';
import { geometryBBox } from '../geo/geometry.ts';

export const BOUNDARY_LEVELS = ['district', 'street', 'community', 'grid'] as const;
export type BoundaryLevel = (typeof BOUNDARY_LEVELS)[number];

/** A level is in the tiles from this zoom (512-px tiles); the cockpit's layers start half a zoom later. */
export const BOUNDARY_MIN_ZOOM: Record<BoundaryLevel, number> = { district: 0, street: 10, community: 12, grid: 14 };
/** Tiles are cut up to this zoom; MapLibre over-zooms beyond it. */
export const BOUNDARY_MAX_ZOOM = 16;
const EXTENT = 4096;

/** What the tiles are cut from: the jurisdictions of one level (the resolver's list). */
export type JurisdictionSource = (level: JurisdictionLevel) => readonly JurisdictionRecord[];

interface LevelIndex {
  readonly shapes: GeoJSONVT;
  readonly labels: GeoJSONVT;
}

export class BoundaryTiles {
  readonly #source: JurisdictionSource;
  readonly #levels = new Map<BoundaryLevel, LevelIndex>();

  constructor(source: JurisdictionSource) {
    this.#source = source;
  }

  /** Drop what was cut (jurisdictions were re-imported); levels are cut again when next asked. */
  reset(): void {
    this.#levels.clear();
  }

  /**
   * One tile of the base map: a layer of outlines per level shown at this zoom (`district`,
   * `street`, … polygons carrying code and name) and a layer of their label points
   * (`district-labels`, …); with `part` 'labels', the label points alone. Null when the tile holds
   * nothing. Outlines and labels travel together: one request per tile for the whole base map.
   */
  tile(z: number, x: number, y: number, part: 'all' | 'labels' = 'all'): Uint8Array | null {
    const layers: Record<string, Parameters<typeof fromGeojsonVt>[0][string]> = {};
    let any = false;
    for (const level of BOUNDARY_LEVELS) {
      if (z < BOUNDARY_MIN_ZOOM[level]) continue;
      const idx = this.#index(level);
      const shapes = part === 'all' ? idx.shapes.getTile(z, x, y) : null;
      if (shapes && shapes.features.length > 0) {
        layers[level] = shapes as never;
        any = true;
      }
    }
    // Label points, listed after every outline layer (a decoder sees the outlines first).
    for (const level of BOUNDARY_LEVELS) {
      if (z < BOUNDARY_MIN_ZOOM[level]) continue;
      const labels = this.#index(level).labels.getTile(z, x, y);
      if (labels && labels.features.length > 0) {
        layers[`${level}-labels`] = labels as never;
        any = true;
      }
    }
    return any ? fromGeojsonVt(layers, { version: 2, extent: EXTENT }) : null;
  }

  #index(level: BoundaryLevel): LevelIndex {
    let idx = this.#levels.get(level);
    if (idx) return idx;
    const shapes: GeoJSON.Feature[] = [];
    const labels: GeoJSON.Feature[] = [];
    for (const j of this.#source(level)) {
      if (!j.geometry) continue;
      const properties = { code: j.code, name: j.name };
      shapes.push({ type: 'Feature', properties, geometry: j.geometry as GeoJSON.Geometry });
      const box = geometryBBox(j.geometry);
      // The bbox centre: good enough a label point for the roughly convex jurisdiction polygons.
      if (Number.isFinite(box[0])) labels.push({ type: 'Feature', properties, geometry: { type: 'Point', coordinates: [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2] } });
    }
    const options = { maxZoom: BOUNDARY_MAX_ZOOM, indexMaxZoom: 4, extent: EXTENT, buffer: 64 };
    idx = {
      // Tolerance 8 of 4096 is one pixel of a 512-px tile: outlines drawn no finer than the screen shows.
      shapes: new GeoJSONVT({ type: 'FeatureCollection', features: shapes }, { ...options, tolerance: 8 }),
      labels: new GeoJSONVT({ type: 'FeatureCollection', features: labels }, { ...options, tolerance: 0 }),
    };
    this.#levels.set(level, idx);
    return idx;
  }
}
