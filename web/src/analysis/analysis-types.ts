/**
 * The shapes of the analyses API (/api/v1/analyses, src/http/routes/analysis-routes.ts) and of the
 * rasters' images (/api/v1/rasters, src/http/routes/raster-routes.ts) as the pages read them.
 * Corners are GCJ-02 (the cockpit map's datum), four [lng, lat] in MapLibre's image-source order:
 * top left, top right, bottom right, bottom left.
 */

import type { ApiAnswer, Refined } from '../types.ts';

export type LngLat = readonly [number, number];
export type Corners = readonly [LngLat, LngLat, LngLat, LngLat];

/** A colour of a legend stop: CSS text (`#1d4ed8`, `rgb(…)`) or RGB(A) numbers 0–255. */
export type StopColor = string | readonly number[];

export interface LegendStop {
  readonly value: number;
  readonly color: StopColor;
  /** the server's own text for the stop, if it gives one (shown instead of the number) */
  readonly label?: string;
}

/** What the server's image was coloured by: its ramp and stops, so the legend matches the image. */
export interface RasterLegend {
  readonly ramp?: string;
  readonly unit?: string;
  readonly stops: readonly LegendStop[];
}

export interface ImageOverlay {
  readonly imageUrl: string;
  readonly corners: Corners;
}

type AnalysisAnswer = ApiAnswer<'/api/v1/analyses/{id}', 'get'>;

/** A result layer: its schema leaves the corners `number[][]` and the legend an open object. */
export type AnalysisLayer = Refined<NonNullable<AnalysisAnswer['layers']>[number], { readonly corners: Corners; readonly legend: RasterLegend }>;

/** A run as GET /api/v1/analyses/{id} gives it (the list's items are the same without layers). */
export type AnalysisView = Refined<AnalysisAnswer, { readonly layers?: readonly AnalysisLayer[] }>;

export type AnalysisModel = AnalysisView['model'];
export type AnalysisState = AnalysisView['state'];
export type AnalysisSnapshot = NonNullable<AnalysisView['snapshots']>[number];

/** A stored raster with its image for the map (GET /api/v1/rasters/{id}; the list's items likewise). */
export type RasterView = ApiAnswer<'/api/v1/rasters/{id}', 'get'>;

export const FINISHED_STATES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);
export const isRunning = (a: { readonly state: string }): boolean => a.state === 'queued' || a.state === 'running';
