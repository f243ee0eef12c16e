/**
 * A run's layers for the map: the PNG (drawn by src/raster/raster-image.ts, north-up in lng/lat),
 * its corners converted to GCJ-02 (the cockpit's map datum) and its legend; arrival-time isochrones
 * as GeoJSON in GCJ-02.
 */
import { wgs84ToGcj02 } from '../../geo/crs.ts';
import type { Grid } from '../../raster/grid.ts';
import type { RasterCatalogPort, RasterRecord } from '../../raster/raster-catalog.ts';
import { contours } from '../../raster/contours.ts';
import { cornersOf, legendOf, renderRaster } from '../../raster/raster-image.ts';
import type { ResultLayer } from '../../analyses/analysis-model.ts';

/** Most isochrones drawn: a small step over a long run would otherwise draw hundreds of lines. */
export const MAX_ISOCHRONES = 200;

function gcjCorners(bbox: readonly [number, number, number, number]): number[][] {
  return cornersOf(bbox).map(([lng, lat]) => wgs84ToGcj02(lng, lat));
}

/** The ramp's ends: depth from 0, the others over the layer's range. */
function rangeOf(layer: ResultLayer, r: Pick<RasterRecord, 'min' | 'max'>, scaleMax?: number | null): [number, number] {
  const max = scaleMax ?? r.max ?? 0;
  const min = layer.ramp === 'depth' ? 0 : (r.min ?? 0);
  return [min, max > min ? max : min + 1];
}

/** A layer as the record's JSON lists it: its range, image URL, GCJ-02 corners and legend (nothing drawn). */
export async function layerView(catalog: Pick<RasterCatalogPort, 'get'>, layer: ResultLayer, imageUrl: string): Promise<{ name: string; unit: string; min: number | null; max: number | null; imageUrl: string; corners: number[][]; legend: Record<string, unknown> }> {
  const r = await catalog.get(layer.rasterId);
  if (!r) return { name: layer.name, unit: layer.unit, min: null, max: null, imageUrl, corners: [], legend: {} };
  const [min, max] = rangeOf(layer, r);
  return { name: layer.name, unit: layer.unit, min: r.min, max: r.max, imageUrl, corners: gcjCorners(r.bboxWgs84), legend: { ...legendOf(layer.ramp, min, max), unit: layer.unit } };
}

/** The layer's PNG; `scaleMax` puts snapshots on the scale of the maximum depth. */
export async function layerImage(grid: Grid, layer: ResultLayer, raster: RasterRecord, scaleMax?: number | null): Promise<Buffer> {
  const [min, max] = rangeOf(layer, raster, scaleMax);
  return Buffer.from(renderRaster(grid, grid.data, { ramp: layer.ramp, min, max }).png);
}

/** Arrival-time isochrones (the layer is in minutes) every `stepMinutes`, GCJ-02. */
export function analysisIsochrones(grid: Grid, stepMinutes: number): { type: 'FeatureCollection'; features: Array<Record<string, unknown>> } {
  let last = 0;
  for (let i = 0; i < grid.data.length; i++) if (grid.data[i]! > last) last = grid.data[i]!;
  const step = Math.max(stepMinutes, last / MAX_ISOCHRONES);
  const levels: number[] = [];
  for (let m = step; m <= last; m += step) levels.push(Number(m.toFixed(6)));
  const fc = contours(grid, grid.data, levels);
  return {
    type: 'FeatureCollection',
    features: fc.features.map((f) => ({
      type: 'Feature',
      properties: { minutes: f.properties.level },
      geometry: { type: 'LineString', coordinates: f.geometry.coordinates.map(([lng, lat]) => wgs84ToGcj02(lng, lat)) },
    })),
  };
}
