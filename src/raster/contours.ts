/**
 * Contour lines by marching squares (arrival-time isochrones, depth lines): the values are taken
 * at cell centres, each square of four neighbouring centres is cut where the level crosses its
 * edges (linear interpolation), saddles are resolved by the square's mean, and the pieces are
 * joined through the edges they share into GeoJSON LineStrings (closed rings end where they
 * start). A square with a NaN corner is skipped: lines stop at the edge of the data.
 */
import type { GridGeoreference } from './raster-image.ts';
import { crsTransform } from './raster-crs.ts';

export interface ContourFeature {
  type: 'Feature';
  properties: { level: number };
  geometry: { type: 'LineString'; coordinates: [number, number][] };
}

export interface ContourCollection {
  type: 'FeatureCollection';
  features: ContourFeature[];
}

export interface ContourOptions {
  /** 'wgs84' (default): [lng, lat]; 'grid': x, y in the grid's own CRS (the only choice for a LOCAL grid) */
  coordinates?: 'wgs84' | 'grid';
}

/**
 * Edge ids: the edge from centre (c, r) eastwards is 2·(r·W + c); southwards 2·(r·W + c) + 1.
 * For each of the 16 corner cases (bit 0 = top-left above the level, 1 = top-right, 2 =
 * bottom-right, 3 = bottom-left), the pairs of square sides the line joins: 0 top, 1 right,
 * 2 bottom, 3 left. Cases 5 and 10 are saddles, settled by the mean.
 */
const SEGMENTS: readonly (readonly number[])[] = [
  [], [3, 0], [0, 1], [3, 1], [1, 2], [], [0, 2], [3, 2],
  [2, 3], [0, 2], [], [1, 2], [1, 3], [0, 1], [3, 0], [],
];

export function contours(grid: GridGeoreference, data: Float32Array, levels: readonly number[], options: ContourOptions = {}): ContourCollection {
  const W = grid.width;
  const H = grid.height;
  if (data.length !== W * H) throw new Error(`a ${W} × ${H} grid needs ${W * H} values, got ${data.length}`);
  const toWgs = (options.coordinates ?? 'wgs84') === 'wgs84' ? crsTransform(grid.crs) : null;
  const features: ContourFeature[] = [];
  const sideEdge = (c: number, r: number, side: number): number =>
    side === 0 ? 2 * (r * W + c) : side === 1 ? 2 * (r * W + c + 1) + 1 : side === 2 ? 2 * ((r + 1) * W + c) : 2 * (r * W + c) + 1;

  for (const level of levels) {
    if (!Number.isFinite(level)) continue;
    // Each crossed edge touches at most two pieces: its neighbours along the line.
    const first = new Map<number, number>();
    const second = new Map<number, number>();
    const link = (a: number, b: number) => {
      if (first.has(a)) second.set(a, b);
      else first.set(a, b);
    };
    for (let r = 0; r < H - 1; r++) {
      for (let c = 0; c < W - 1; c++) {
        const tl = data[r * W + c]!;
        const tr = data[r * W + c + 1]!;
        const br = data[(r + 1) * W + c + 1]!;
        const bl = data[(r + 1) * W + c]!;
        if (tl !== tl || tr !== tr || br !== br || bl !== bl) continue;
        const code = (tl > level ? 1 : 0) | (tr > level ? 2 : 0) | (br > level ? 4 : 0) | (bl > level ? 8 : 0);
        if (code === 0 || code === 15) continue;
        let pairs: readonly number[];
        if (code === 5 || code === 10) {
          const centreAbove = (tl + tr + br + bl) / 4 > level;
          // Above-level corners joined through the centre when the centre is above too.
          pairs = code === 5 ? (centreAbove ? [3, 2, 0, 1] : [3, 0, 1, 2]) : centreAbove ? [0, 3, 1, 2] : [0, 1, 2, 3];
        } else pairs = SEGMENTS[code]!;
        for (let k = 0; k < pairs.length; k += 2) {
          const a = sideEdge(c, r, pairs[k]!);
          const b = sideEdge(c, r, pairs[k + 1]!);
          link(a, b);
          link(b, a);
        }
      }
    }
    const point = (edge: number): [number, number] => {
      const cell = edge >> 1;
      const c = cell % W;
      const r = (cell - c) / W;
      const v0 = data[cell]!;
      const v1 = edge & 1 ? data[cell + W]! : data[cell + 1]!;
      const f = v1 === v0 ? 0.5 : (level - v0) / (v1 - v0);
      const col = c + 0.5 + (edge & 1 ? 0 : f);
      const row = r + 0.5 + (edge & 1 ? f : 0);
      const x = grid.originX + col * grid.cellWidth;
      const y = grid.originY - row * grid.cellHeight;
      return toWgs ? toWgs.toWgs84(x, y) : [x, y];
    };
    const used = new Set<number>();
    const walk = (start: number): number[] => {
      const path = [start];
      used.add(start);
      let prev = -1;
      let at = start;
      for (;;) {
        const a = first.get(at);
        const b = second.get(at);
        const next = a !== undefined && a !== prev && !used.has(a) ? a : b !== undefined && b !== prev && !used.has(b) ? b : undefined;
        if (next === undefined) {
          // A ring closes on its start.
          if (path.length > 2 && (a === start || b === start)) path.push(start);
          return path;
        }
        path.push(next);
        used.add(next);
        prev = at;
        at = next;
      }
    };
    const emit = (edges: number[]) => {
      if (edges.length < 2) return;
      features.push({ type: 'Feature', properties: { level }, geometry: { type: 'LineString', coordinates: edges.map(point) } });
    };
    // Open lines start at an end (an edge with one neighbour), then what is left are rings.
    for (const edge of first.keys()) if (!second.has(edge) && !used.has(edge)) emit(walk(edge));
    for (const edge of first.keys()) if (!used.has(edge)) emit(walk(edge));
  }
  return { type: 'FeatureCollection', features };
}
