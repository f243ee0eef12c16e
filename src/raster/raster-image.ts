/**
 * A grid drawn as a PNG overlay for the map: north-up in lng/lat over the grid's WGS-84 box, so
 * the map places it by its four corners (a MapLibre image source) at any zoom without a tile
 * server. Rows are spaced evenly in Web Mercator y, as the map stretches an image between its
 * corners in Mercator; each output pixel takes the value of the cell it falls in (nearest), found
 * by the inverse projection — exact at a lattice every LATTICE pixels and interpolated between
 * (the approximate transformer of GDAL's warper: error far below a cell for city-sized grids).
 *
 * Nodata is transparent; with the 'depth' ramp, dry cells (depth ≤ dryDepth) too. PNG encoding:
 * fast-png (RGBA, 8 bits).
 */
import { encode } from 'fast-png';
import type { Grid } from './grid.ts';
import { bboxWgs84, crsTransform } from './raster-crs.ts';

export type RampName = 'terrain' | 'depth' | 'arrival' | 'velocity';
export const RAMP_NAMES: readonly RampName[] = ['terrain', 'depth', 'arrival', 'velocity'];

/** A ramp's colours from its lowest (0) to its highest (1) value. */
const RAMPS: Record<RampName, { unit: string; stops: readonly (readonly [number, string])[] }> = {
  // low green through yellow and brown to white peaks
  terrain: { unit: 'm', stops: [[0, '#1a9850'], [0.25, '#91cf60'], [0.45, '#d9ef8b'], [0.6, '#fee08b'], [0.75, '#d8b365'], [0.9, '#8c510a'], [1, '#ffffff']] },
  // shallow light blue to deep dark blue
  depth: { unit: 'm', stops: [[0, '#c6dbef'], [0.33, '#6baed6'], [0.66, '#2171b5'], [1, '#08306b']] },
  // early (warm, the danger) to late (cool), in minutes
  arrival: { unit: 'min', stops: [[0, '#d7191c'], [0.25, '#fdae61'], [0.5, '#ffffbf'], [0.75, '#abd9e9'], [1, '#2c7bb6']] },
  // still to fast: viridis
  velocity: { unit: 'm/s', stops: [[0, '#440154'], [0.25, '#3b528b'], [0.5, '#21918c'], [0.75, '#5ec962'], [1, '#fde725']] },
};

export interface LegendStop {
  value: number;
  /** '#rrggbb' */
  color: string;
}

/** What the web needs to draw a legend that matches the image. */
export interface Legend {
  ramp: RampName;
  unit: string;
  min: number;
  max: number;
  stops: LegendStop[];
  /** With 'depth': shallower cells are not drawn. */
  dryDepth?: number;
}

/** [lng, lat] of the image's top-left, top-right, bottom-right, bottom-left (MapLibre's order). */
export type ImageCorners = [[number, number], [number, number], [number, number], [number, number]];

export interface RasterImage {
  png: Uint8Array;
  width: number;
  height: number;
  corners: ImageCorners;
  legend: Legend;
}

export interface RenderOptions {
  ramp: RampName;
  /** the values of the ramp's ends; default: the grid's range (depth: from 0) */
  min?: number;
  max?: number;
  /** longest side of the image in pixels (default and most: 2048) */
  maxSize?: number;
  /** 'depth': cells at most this deep are dry, drawn transparent (default 0.01 m) */
  dryDepth?: number;
}

export const MAX_IMAGE_SIZE = 2048;
const LATTICE = 16;
export const DEFAULT_DRY_DEPTH = 0.01;

function hexRgb(hex: string): [number, number, number] {
  return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
}

/** The ramp's legend for a range of values (used by the record's JSON without drawing). */
export function legendOf(ramp: RampName, min: number, max: number, dryDepth?: number): Legend {
  const def = RAMPS[ramp];
  const legend: Legend = { ramp, unit: def.unit, min, max, stops: def.stops.map(([t, color]) => ({ value: min + t * (max - min), color })) };
  if (ramp === 'depth') legend.dryDepth = dryDepth ?? DEFAULT_DRY_DEPTH;
  return legend;
}

/** The corners of the image of a WGS-84 box. */
export function cornersOf(bbox: readonly [number, number, number, number]): ImageCorners {
  const [w, s, e, n] = bbox;
  return [[w, n], [e, n], [e, s], [w, s]];
}

/** 256 RGB entries from 0 to 1 of a ramp: one look-up per pixel. */
function colourTable(ramp: RampName): Uint8Array {
  const stops = RAMPS[ramp].stops.map(([t, c]) => [t, ...hexRgb(c)] as const);
  const table = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    let k = 0;
    while (k < stops.length - 2 && t > stops[k + 1]![0]) k++;
    const a = stops[k]!;
    const b = stops[k + 1]!;
    const f = b[0] === a[0] ? 0 : Math.min(1, Math.max(0, (t - a[0]) / (b[0] - a[0])));
    for (let c = 0; c < 3; c++) table[i * 3 + c] = Math.round(a[c + 1]! + (b[c + 1]! - a[c + 1]!) * f);
  }
  return table;
}

const mercY = (lat: number) => Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
const latOfMercY = (y: number) => (360 / Math.PI) * Math.atan(Math.exp(y)) - 90;

export type GridGeoreference = Pick<Grid, 'width' | 'height' | 'originX' | 'originY' | 'cellWidth' | 'cellHeight' | 'crs'>;

/** The range of the values with data (for depth: of the wet cells, from 0). */
function rangeOf(data: Float32Array, ramp: RampName, dryDepth: number): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v !== v || (ramp === 'depth' && v <= dryDepth)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) return [0, 1];
  if (ramp === 'depth') min = 0;
  return [min, max > min ? max : min + 1];
}

/** Draws `data` (on the georeference of `grid`) with a colour ramp. */
export function renderRaster(grid: GridGeoreference, data: Float32Array, options: RenderOptions): RasterImage {
  if (data.length !== grid.width * grid.height) throw new Error(`a ${grid.width} × ${grid.height} grid needs ${grid.width * grid.height} values, got ${data.length}`);
  const ramp = options.ramp;
  const dryDepth = options.dryDepth ?? DEFAULT_DRY_DEPTH;
  const [autoMin, autoMax] = rangeOf(data, ramp, dryDepth);
  const min = options.min ?? autoMin;
  const max = options.max ?? (options.min !== undefined && options.min >= autoMax ? options.min + 1 : autoMax);
  const span = max > min ? max - min : 1;
  const bbox = bboxWgs84(grid);
  const [w, s, e, n] = bbox;
  const t = crsTransform(grid.crs);
  // The image's size: the grid's cells along its long side, at most maxSize, the box's shape in Mercator.
  const maxSize = Math.max(1, Math.min(MAX_IMAGE_SIZE, Math.floor(options.maxSize ?? MAX_IMAGE_SIZE)));
  const mercW = ((e - w) * Math.PI) / 180;
  const mercH = mercY(n) - mercY(s);
  const longSide = Math.min(maxSize, Math.max(grid.width, grid.height));
  const aspect = mercH > 0 ? mercW / mercH : 1;
  const width = aspect >= 1 ? longSide : Math.max(1, Math.round(longSide * aspect));
  const height = aspect >= 1 ? Math.max(1, Math.round(longSide / aspect)) : longSide;

  // Fractional column and row of the grid at each lattice node (exact inverse projection).
  const lw = Math.ceil(width / LATTICE) + 1;
  const lh = Math.ceil(height / LATTICE) + 1;
  const latticeCol = new Float64Array(lw * lh);
  const latticeRow = new Float64Array(lw * lh);
  const yN = mercY(n);
  for (let j = 0; j < lh; j++) {
    const py = Math.min(height, j * LATTICE);
    const lat = latOfMercY(yN - (py / height) * mercH);
    for (let i = 0; i < lw; i++) {
      const px = Math.min(width, i * LATTICE);
      const lng = w + (px / width) * (e - w);
      const [x, y] = t.fromWgs84(lng, lat);
      latticeCol[j * lw + i] = (x - grid.originX) / grid.cellWidth;
      latticeRow[j * lw + i] = (grid.originY - y) / grid.cellHeight;
    }
  }
  const table = colourTable(ramp);
  const rgba = new Uint8Array(width * height * 4);
  for (let py = 0; py < height; py++) {
    const yc = py + 0.5;
    const j = Math.min(lh - 2, Math.floor(yc / LATTICE));
    const fy = (yc - j * LATTICE) / (Math.min(height, (j + 1) * LATTICE) - j * LATTICE);
    for (let px = 0; px < width; px++) {
      const xc = px + 0.5;
      const i = Math.min(lw - 2, Math.floor(xc / LATTICE));
      const fx = (xc - i * LATTICE) / (Math.min(width, (i + 1) * LATTICE) - i * LATTICE);
      const k = j * lw + i;
      const col = Math.floor(
        (latticeCol[k]! * (1 - fx) + latticeCol[k + 1]! * fx) * (1 - fy) + (latticeCol[k + lw]! * (1 - fx) + latticeCol[k + lw + 1]! * fx) * fy,
      );
      const row = Math.floor(
        (latticeRow[k]! * (1 - fx) + latticeRow[k + 1]! * fx) * (1 - fy) + (latticeRow[k + lw]! * (1 - fx) + latticeRow[k + lw + 1]! * fx) * fy,
      );
      if (col < 0 || row < 0 || col >= grid.width || row >= grid.height) continue; // outside the grid: transparent
      const v = data[row * grid.width + col]!;
      if (v !== v || (ramp === 'depth' && v <= dryDepth)) continue;
      const idx = Math.max(0, Math.min(255, Math.round(((v - min) / span) * 255)));
      const o = (py * width + px) * 4;
      rgba[o] = table[idx * 3]!;
      rgba[o + 1] = table[idx * 3 + 1]!;
      rgba[o + 2] = table[idx * 3 + 2]!;
      rgba[o + 3] = 255;
    }
  }
  const png = encode({ width, height, data: rgba, channels: 4, depth: 8 });
  return { png, width, height, corners: cornersOf(bbox), legend: legendOf(ramp, min, max, ramp === 'depth' ? dryDepth : undefined) };
}
