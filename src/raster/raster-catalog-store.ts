/**
 * The raster catalogue on the store: metadata in the `rasters` table (migration 0016), cells in
 * DATA_DIR/rasters/<id>.clr (raster-file.ts). The file is complete before its row is written and
 * removed if the row cannot be: the catalogue never names a half-written raster.
 */
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../clock.ts';
import { CityLoopError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Database, RasterTable } from '../store/schema.ts';
import type { Grid } from './grid.ts';
import type { NewRaster, RasterCatalogPort, RasterKind, RasterRecord } from './raster-catalog.ts';
import { bboxWgs84 } from './raster-crs.ts';
import { cellsSha256, readRasterFile, TILE_SIZE, writeRasterFile } from './raster-file.ts';

export const RASTER_KINDS: readonly RasterKind[] = ['dem', 'roughness', 'population', 'result'];

/** Smallest and largest value with data, or nulls when every cell is NaN. */
export function valueRange(data: Float32Array): { min: number | null; max: number | null } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v !== v) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min === Infinity ? { min: null, max: null } : { min, max };
}

function recordOf(row: Selectable<RasterTable>): RasterRecord {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as RasterKind,
    crs: row.crs,
    width: Number(row.width),
    height: Number(row.height),
    originX: Number(row.origin_x),
    originY: Number(row.origin_y),
    cellWidth: Number(row.cell_width),
    cellHeight: Number(row.cell_height),
    min: row.min_value === null ? null : Number(row.min_value),
    max: row.max_value === null ? null : Number(row.max_value),
    bboxWgs84: [Number(row.west), Number(row.south), Number(row.east), Number(row.north)],
    ownerCenterId: row.owner_center_id,
    createdBy: row.created_by,
    createdAt: row.created_at,
    sha256: row.sha256,
    deletedAt: row.deleted_at,
    sourceFile: row.source_file,
  };
}

export interface RasterCatalogDeps {
  readonly db: Kysely<Database>;
  /** the folder of the cells: DATA_DIR/rasters */
  readonly dir: string;
  readonly clock: Clock;
}

export class RasterCatalog implements RasterCatalogPort {
  readonly #db: Kysely<Database>;
  readonly #dir: string;
  readonly #clock: Clock;

  constructor(deps: RasterCatalogDeps) {
    this.#db = deps.db;
    this.#dir = deps.dir;
    this.#clock = deps.clock;
  }

  #path(id: string): string {
    return join(this.#dir, `${id}.clr`);
  }

  async save(grid: Grid, meta: NewRaster, onProgress?: (fraction: number) => void): Promise<RasterRecord> {
    if (!Number.isInteger(grid.width) || !Number.isInteger(grid.height) || grid.width < 1 || grid.height < 1 || grid.data.length !== grid.width * grid.height) {
      throw new Error(`a grid of ${grid.width} × ${grid.height} cells cannot hold ${grid.data.length} values`);
    }
    if (!RASTER_KINDS.includes(meta.kind)) throw new Error(`unknown raster kind ${meta.kind}`);
    // A LOCAL grid (benchmarks, tests) has no place on Earth: its box is recorded as zeros.
    const bbox: [number, number, number, number] = grid.crs === 'LOCAL' ? [0, 0, 0, 0] : bboxWgs84(grid);
    const { min, max } = valueRange(grid.data);
    const sha256 = cellsSha256(grid.data);
    const id = newId(this.#clock.now().getTime());
    const path = this.#path(id);
    await writeRasterFile(path, grid.width, grid.height, grid.data, onProgress, TILE_SIZE);
    const row: Selectable<RasterTable> = {
      id,
      name: meta.name,
      kind: meta.kind,
      crs: grid.crs,
      width: grid.width,
      height: grid.height,
      origin_x: grid.originX,
      origin_y: grid.originY,
      cell_width: grid.cellWidth,
      cell_height: grid.cellHeight,
      min_value: min,
      max_value: max,
      west: bbox[0],
      south: bbox[1],
      east: bbox[2],
      north: bbox[3],
      source_nodata: grid.sourceNodata !== null && Number.isFinite(grid.sourceNodata) ? grid.sourceNodata : null,
      source_file: meta.sourceFile ?? null,
      tile_size: TILE_SIZE,
      owner_center_id: meta.ownerCenterId,
      created_by: meta.createdBy,
      created_at: this.#clock.now().toISOString(),
      sha256,
      deleted_at: null,
      deleted_by: null,
      delete_reason: null,
    };
    try {
      await this.#db.insertInto('rasters').values(row).execute();
    } catch (e) {
      await rm(path, { force: true });
      throw e;
    }
    return recordOf(row);
  }

  async get(id: string): Promise<RasterRecord | undefined> {
    const row = await this.#db.selectFrom('rasters').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? recordOf(row) : undefined;
  }

  /** The record of a raster that is kept: NOT_FOUND if never stored, GONE if deleted. */
  async live(id: string): Promise<RasterRecord> {
    const record = await this.get(id);
    if (!record) throw new CityLoopError('NOT_FOUND', { what: 'raster', id }, { field: 'rasterId' });
    if (record.deletedAt) throw new CityLoopError('GONE', { what: 'raster', id, at: record.deletedAt }, { field: 'rasterId' });
    return record;
  }

  async load(id: string): Promise<Grid> {
    const record = await this.live(id);
    const { header, data } = await readRasterFile(this.#path(record.id));
    if (header.width !== record.width || header.height !== record.height) throw new Error(`raster ${id}: the file holds ${header.width} × ${header.height} cells, the catalogue says ${record.width} × ${record.height}`);
    const row = await this.#db.selectFrom('rasters').select('source_nodata').where('id', '=', id).executeTakeFirstOrThrow();
    return {
      width: record.width,
      height: record.height,
      originX: record.originX,
      originY: record.originY,
      cellWidth: record.cellWidth,
      cellHeight: record.cellHeight,
      crs: record.crs,
      sourceNodata: row.source_nodata === null ? null : Number(row.source_nodata),
      data,
    };
  }

  async list(filter: { kind?: RasterKind; ownerCenterIds?: string[] } = {}): Promise<RasterRecord[]> {
    if (filter.ownerCenterIds && filter.ownerCenterIds.length === 0) return [];
    let q = this.#db.selectFrom('rasters').selectAll().where('deleted_at', 'is', null);
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    if (filter.ownerCenterIds) q = q.where('owner_center_id', 'in', filter.ownerCenterIds);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    return rows.map(recordOf);
  }

  async remove(id: string, by: string, reason?: string): Promise<void> {
    await this.live(id);
    const at = this.#clock.now().toISOString();
    const done = await this.#db
      .updateTable('rasters')
      .set({ deleted_at: at, deleted_by: by, delete_reason: reason ?? null })
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    // Another caller removed it between the look and the update: it is gone either way.
    if (Number(done.numUpdatedRows) === 0) {
      const again = await this.get(id);
      throw new CityLoopError('GONE', { what: 'raster', id, at: again?.deletedAt ?? at }, { field: 'rasterId' });
    }
    await rm(this.#path(id), { force: true });
  }
}

/** The folder of the cells under DATA_DIR. */
export function rasterDir(dataDir: string): string {
  return join(dataDir, 'rasters');
}
