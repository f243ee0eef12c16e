/**
 * The rasters the platform keeps: metadata rows in the store, cells in files under DATA_DIR.
 * This is the port the analyses and routes use; `src/raster/` implements it.
 */
import type { Grid } from './grid.ts';

export type RasterKind = 'dem' | 'roughness' | 'population' | 'result';

export interface RasterRecord {
  id: string;
  name: string;
  kind: RasterKind;
  crs: string;
  width: number;
  height: number;
  originX: number;
  originY: number;
  cellWidth: number;
  cellHeight: number;
  /** smallest and largest value with data (null when every cell is nodata) */
  min: number | null;
  max: number | null;
  /** the grid's box in WGS-84 [west, south, east, north] */
  bboxWgs84: [number, number, number, number];
  /** the center (jurisdiction) the raster belongs to */
  ownerCenterId: string;
  createdBy: string;
  createdAt: string;
  /** SHA-256 of the stored cells: a run records it, so a repeat can tell the input is the same */
  sha256: string;
  deletedAt: string | null;
  /** the name of the file it was read from (an import or upload), if any */
  sourceFile?: string | null;
}

export interface NewRaster {
  name: string;
  kind: RasterKind;
  ownerCenterId: string;
  createdBy: string;
  /** the name of the file it was read from, kept for the record */
  sourceFile?: string | null;
}

export interface RasterCatalogPort {
  save(grid: Grid, meta: NewRaster, onProgress?: (fraction: number) => void): Promise<RasterRecord>;
  /** the record, deleted ones included (their deletedAt set); undefined if never stored */
  get(id: string): Promise<RasterRecord | undefined>;
  /** the cells; throws a DomainError (NOT_FOUND / GONE) for an unknown or deleted raster */
  load(id: string): Promise<Grid>;
  list(filter?: { kind?: RasterKind; ownerCenterIds?: string[] }): Promise<RasterRecord[]>;
  /** marks it deleted (the record stays for the analyses that used it) and removes its files */
  remove(id: string, by: string, reason?: string): Promise<void>;
}
