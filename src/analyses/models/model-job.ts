/**
 * What passes between the runner and a model: the inputs placed on the raster (cells and the
 * grid's own coordinates, no datum left), and what a model gives back (layers as typed arrays,
 * the figures of its summary). Plain data: it crosses to the worker thread by structured clone.
 */
import type { AreaGeometry } from '../../geo/geometry.ts';
import type { Grid } from '../../raster/grid.ts';
import type { DamBreakInput } from '../../hydro/model-contracts.ts';
import type { Datum, LngLat } from '../input-reader.ts';
import { refuse } from '../input-reader.ts';
import { cellAt } from '../../raster/grid.ts';
import { fromGcj02 } from '../../geo/crs.ts';

/** A polygon in the grid's CRS: rings of [x, y]. */
export type GridPolygon = ReadonlyArray<ReadonlyArray<readonly [number, number]>>;

export interface CellPos {
  readonly col: number;
  readonly row: number;
}

export type PlacedJob =
  | { readonly model: 'fill'; readonly streamThresholdCells: number }
  | { readonly model: 'lake'; readonly seed: CellPos; readonly levelM: number }
  | {
      readonly model: 'flood';
      readonly rainfall: ReadonlyArray<{ readonly polygons: readonly GridPolygon[] | null; readonly hyetograph: ReadonlyArray<{ t: number; value: number }> }>;
      readonly inflows: ReadonlyArray<{ readonly col: number; readonly row: number; readonly radiusM: number; readonly hydrograph: ReadonlyArray<{ t: number; value: number }> }>;
      readonly manning: number;
      readonly roughness: ReadonlyArray<{ readonly polygons: readonly GridPolygon[]; readonly n: number }>;
      readonly buildings: { readonly polygons: readonly GridPolygon[]; readonly raiseM: number | null } | null;
      readonly boundary: 'open' | 'closed';
      readonly durationS: number;
      readonly outputIntervalS: number;
      readonly arrivalThresholdM: number;
    }
  | {
      readonly model: 'dambreak';
      readonly crestLine: readonly CellPos[];
      readonly crestLevelM: number;
      readonly reservoirLevelM: number;
      readonly reservoirSide: CellPos;
      readonly breach: DamBreakInput['breach'];
      readonly manning: number;
      readonly boundary: 'open' | 'closed';
      readonly durationS: number;
      readonly outputIntervalS: number;
      readonly arrivalThresholdM: number;
    };

export interface OutputLayer {
  readonly name: string;
  readonly unit: string;
  readonly ramp: 'terrain' | 'depth' | 'arrival' | 'velocity';
  readonly data: Float32Array;
  /** a snapshot's model time, seconds */
  readonly t?: number;
}

export interface ModelOutput {
  readonly layers: OutputLayer[];
  /** the depth the summary measures (flooded cells, volume, max depth); null for `fill` */
  readonly depth: Float32Array | null;
  /** m³ of water at the end (dynamic runs; otherwise the volume of `depth`) */
  readonly volumeM3?: number;
  readonly massBalanceErrorPct?: number;
  readonly simulatedSeconds?: number;
  /** `fill`: cells the filling raised */
  readonly filledCells?: number;
}

/**
 * Where the inputs' points fall on the raster: from the inputs' datum to WGS-84 (GCJ-02 through
 * src/geo/crs.ts), then to the raster's CRS by the raster's own conversion.
 */
export class GridPlacer {
  constructor(
    readonly grid: Pick<Grid, 'originX' | 'originY' | 'cellWidth' | 'cellHeight' | 'width' | 'height' | 'crs'>,
    readonly datum: Datum,
    /** WGS-84 lng/lat → the raster's CRS (x, y) */
    private readonly fromWgs84: (lng: number, lat: number) => [number, number],
  ) {}

  /** The point in the raster's CRS. */
  xy(p: LngLat): [number, number] {
    const [lng, lat] = this.datum === 'gcj02' ? fromGcj02(p.lng, p.lat, 'wgs84') : [p.lng, p.lat];
    return this.fromWgs84(lng, lat);
  }

  /** Fractional cell position (col, row) of the point: x, y over the cell size. */
  position(p: LngLat): CellPos {
    const [x, y] = this.xy(p);
    return { col: (x - this.grid.originX) / this.grid.cellWidth - 0.5, row: (this.grid.originY - y) / this.grid.cellHeight - 0.5 };
  }

  /** The cell holding the point; refused (naming the field) outside the raster. */
  cell(p: LngLat, field: string): CellPos {
    const [x, y] = this.xy(p);
    const c = cellAt(this.grid, x, y);
    if (!c) refuse(field, `(${p.lng}, ${p.lat}) lies outside the raster`, `（${p.lng}, ${p.lat}）不在栅格范围内`);
    return c;
  }

  polygons(area: AreaGeometry): GridPolygon[] {
    const polys = area.type === 'Polygon' ? [area.coordinates] : area.coordinates;
    return polys.map((rings) => rings.map((ring) => ring.map(([lng, lat]) => this.xy({ lng: lng!, lat: lat! }) as readonly [number, number])));
  }
}
