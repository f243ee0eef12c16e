import type { GeoJSONSource, ImageSource, Map as MlMap } from 'maplibre-gl';
import type { Corners, LngLat } from '../analysis/analysis-types.ts';

/** Source ids of the model overlays (tests and the pages find them by these). */
export const MODEL_IMAGE_SOURCE = 'model-image';
export const ISOCHRONE_SOURCE = 'isochrones';
export const MODEL_MARKS_SOURCE = 'model-marks';

const empty = (): GeoJSON.FeatureCollection => ({ type: 'FeatureCollection', features: [] });
const absolute = (path: string): string => (/^https?:/.test(path) ? path : `${location.origin}${path}`);
const ISOCHRONE_COLOR = '#fde047';
const MARK_COLOR = '#f472b6';

/** The inputs of a run as drawn on the map while it is set up: the lake's seed, the rain's area, inflows, the dam's crest. */
export interface ModelMarks {
  readonly points?: readonly { readonly at: LngLat; readonly label: string }[];
  readonly lines?: readonly (readonly LngLat[])[];
  readonly areas?: readonly (readonly LngLat[])[];
}

/**
 * A model's result on a MapLibre map: the raster as an `image` source stretched over its four
 * corners (the server renders it north-up in lng/lat, so any zoom shows it without a tile server),
 * its opacity, the snapshots of a run swapped into the same source by the time slider, isochrones
 * as labelled lines, and the marks of a run being set up. The image goes above the boundary fill
 * and under the boundary lines, so the streets stay readable through the water.
 */
export class ModelOverlays {
  readonly #map: MlMap;
  #opacity = 0.75;
  #imageUrl: string | null = null;
  /** The corners shown, as text: records read again bring equal corners in new arrays. */
  #corners: string | null = null;

  constructor(map: MlMap) {
    this.#map = map;
  }

  /** Layers drawn over by the image: the first of the boundary lines (see cockpit-map.ts #addLayers). */
  #imageBefore(): string | undefined {
    return ['grid-line', 'community-line', 'street-line', 'district-line'].find((id) => this.#map.getLayer(id));
  }

  /** Shows an image over its corners; null removes it. Same corners: only the picture is swapped (the slider). */
  setImage(image: { readonly imageUrl: string; readonly corners: Corners } | null): void {
    const m = this.#map;
    if (!image) {
      if (m.getLayer(MODEL_IMAGE_SOURCE)) m.removeLayer(MODEL_IMAGE_SOURCE);
      if (m.getSource(MODEL_IMAGE_SOURCE)) m.removeSource(MODEL_IMAGE_SOURCE);
      this.#imageUrl = null;
      this.#corners = null;
      return;
    }
    const url = absolute(image.imageUrl);
    const coordinates = image.corners.map((c) => [c[0], c[1]]) as [[number, number], [number, number], [number, number], [number, number]];
    const corners = JSON.stringify(coordinates);
    const source = m.getSource(MODEL_IMAGE_SOURCE) as ImageSource | undefined;
    if (source) {
      if (url !== this.#imageUrl || corners !== this.#corners) source.updateImage({ url, coordinates });
    } else {
      m.addSource(MODEL_IMAGE_SOURCE, { type: 'image', url, coordinates });
      // Nearest-neighbour: a cell is a cell; a blur would invent depths between them.
      m.addLayer({ id: MODEL_IMAGE_SOURCE, type: 'raster', source: MODEL_IMAGE_SOURCE, paint: { 'raster-opacity': this.#opacity, 'raster-resampling': 'nearest', 'raster-fade-duration': 0 } }, this.#imageBefore());
    }
    this.#imageUrl = url;
    this.#corners = corners;
  }

  get imageUrl(): string | null {
    return this.#imageUrl;
  }

  setOpacity(opacity: number): void {
    this.#opacity = Math.max(0, Math.min(1, opacity));
    if (this.#map.getLayer(MODEL_IMAGE_SOURCE)) this.#map.setPaintProperty(MODEL_IMAGE_SOURCE, 'raster-opacity', this.#opacity);
  }

  get opacity(): number {
    return this.#opacity;
  }

  /** Isochrones (GeoJSON lines with a `label` property: labelIsochrones), drawn above the image. */
  setIsochrones(fc: GeoJSON.FeatureCollection | null): void {
    const m = this.#map;
    const data = fc ?? empty();
    const source = m.getSource(ISOCHRONE_SOURCE) as GeoJSONSource | undefined;
    if (source) {
      source.setData(data);
      return;
    }
    if (!fc) return;
    m.addSource(ISOCHRONE_SOURCE, { type: 'geojson', data });
    m.addLayer({ id: 'isochrone-line', type: 'line', source: ISOCHRONE_SOURCE, paint: { 'line-color': ISOCHRONE_COLOR, 'line-width': 1.6 } });
    m.addLayer({
      id: 'isochrone-label',
      type: 'symbol',
      source: ISOCHRONE_SOURCE,
      layout: { 'symbol-placement': 'line', 'text-field': ['get', 'label'], 'text-font': ['sans-serif'], 'text-size': 12, 'symbol-spacing': 260 },
      paint: { 'text-color': ISOCHRONE_COLOR, 'text-halo-color': '#0b1a2b', 'text-halo-width': 1.5 },
    });
  }

  setMarks(marks: ModelMarks): void {
    const m = this.#map;
    const ring = (a: readonly LngLat[]) => [...a.map((p) => [p[0], p[1]]), [a[0]![0], a[0]![1]]];
    const features: GeoJSON.Feature[] = [
      ...(marks.areas ?? []).filter((a) => a.length >= 3).map((a) => ({ type: 'Feature' as const, properties: {}, geometry: { type: 'Polygon' as const, coordinates: [ring(a)] } })),
      ...(marks.areas ?? []).filter((a) => a.length === 2).map((a) => ({ type: 'Feature' as const, properties: {}, geometry: { type: 'LineString' as const, coordinates: a.map((p) => [p[0], p[1]]) } })),
      ...(marks.lines ?? []).filter((l) => l.length >= 2).map((l) => ({ type: 'Feature' as const, properties: {}, geometry: { type: 'LineString' as const, coordinates: l.map((p) => [p[0], p[1]]) } })),
      ...(marks.points ?? []).map((p) => ({ type: 'Feature' as const, properties: { label: p.label }, geometry: { type: 'Point' as const, coordinates: [p.at[0], p.at[1]] } })),
      // The first clicks of an area or a line, before they make a shape.
      ...[...(marks.areas ?? []), ...(marks.lines ?? [])].filter((a) => a.length === 1).map((a) => ({ type: 'Feature' as const, properties: { label: '' }, geometry: { type: 'Point' as const, coordinates: [a[0]![0], a[0]![1]] } })),
    ];
    const fc: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features };
    const source = m.getSource(MODEL_MARKS_SOURCE) as GeoJSONSource | undefined;
    if (source) {
      source.setData(fc);
      return;
    }
    if (features.length === 0) return;
    m.addSource(MODEL_MARKS_SOURCE, { type: 'geojson', data: fc });
    m.addLayer({ id: 'model-mark-fill', type: 'fill', source: MODEL_MARKS_SOURCE, filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': MARK_COLOR, 'fill-opacity': 0.15 } });
    m.addLayer({ id: 'model-mark-line', type: 'line', source: MODEL_MARKS_SOURCE, filter: ['!=', ['geometry-type'], 'Point'], paint: { 'line-color': MARK_COLOR, 'line-width': 2.5 } });
    m.addLayer({ id: 'model-mark-point', type: 'circle', source: MODEL_MARKS_SOURCE, filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-radius': 6, 'circle-color': MARK_COLOR, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
    m.addLayer({
      id: 'model-mark-label',
      type: 'symbol',
      source: MODEL_MARKS_SOURCE,
      filter: ['all', ['==', ['geometry-type'], 'Point'], ['!=', ['get', 'label'], '']],
      layout: { 'text-field': ['get', 'label'], 'text-font': ['sans-serif'], 'text-size': 12, 'text-offset': [0, 1.2], 'text-allow-overlap': true },
      paint: { 'text-color': '#fff', 'text-halo-color': MARK_COLOR, 'text-halo-width': 1.5 },
    });
  }

  /** Fits the map to a box of corners (a result's or a raster's). */
  fitTo(corners: Corners): void {
    const lngs = corners.map((c) => c[0]);
    const lats = corners.map((c) => c[1]);
    this.#map.fitBounds([Math.min(...lngs), Math.min(...lats), Math.max(...lngs), Math.max(...lats)], { padding: 32, duration: 0 });
  }
}
