/**
 * The shapes of the analyses API (/api/v1/analyses, src/http/routes/analysis-routes.ts) and of the
 * rasters' images (/api/v1/rasters, src/http/routes/raster-routes.ts) as the pages read them.
 * Corners are GCJ-02 (the cockpit map's datum), four [lng, lat] in MapLibre's image-source order:
 * top left, top right, bottom right, bottom left.
 */

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

export interface AnalysisLayer extends ImageOverlay {
  readonly name: string;
  readonly unit: string;
  readonly min: number | null;
  readonly max: number | null;
  readonly legend: RasterLegend;
}

export interface AnalysisSnapshot {
  /** seconds since the start of the run */
  readonly t: number;
  readonly imageUrl: string;
}

export type AnalysisModel = 'fill' | 'lake' | 'flood' | 'dambreak';
export type AnalysisState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface AnalysisView {
  readonly id: string;
  readonly model: string;
  readonly name?: string | null;
  readonly version?: number;
  readonly state: string;
  /** 0..1 */
  readonly progress: number;
  readonly progressMessage?: string | null;
  readonly rasterId: string;
  readonly inputs?: Record<string, unknown>;
  readonly createdAt: string;
  readonly startedAt?: string | null;
  readonly finishedAt?: string | null;
  readonly error?: { readonly code: string; readonly message: string } | null;
  readonly summary?: Record<string, unknown> | null;
  readonly layers?: readonly AnalysisLayer[];
  readonly snapshots?: readonly AnalysisSnapshot[];
  /** what the caller may do now, where the server says so (names like `cancel`, `rerun`, `evacuate`) */
  readonly allowedActions?: readonly (string | { readonly name: string })[];
}

export interface RasterView {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly width: number;
  readonly height: number;
  readonly cellWidth?: number;
  readonly bboxWgs84?: readonly [number, number, number, number];
  readonly image?: { readonly url: string; readonly corners: Corners; readonly legend?: RasterLegend } | null;
}

export const FINISHED_STATES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);
export const isRunning = (a: Pick<AnalysisView, 'state'>): boolean => a.state === 'queued' || a.state === 'running';
