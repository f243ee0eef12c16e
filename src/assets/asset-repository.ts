import type { Tx } from '../store/store.ts';
import { isAssetType, type AssetGeometry, type AssetRecord, type AssetType } from './asset.ts';
import { assetBBox } from './asset-geometry.ts';

/** Rows per INSERT: 12 parameters each stays far below SQLite's and PostgreSQL's limits. */
const CHUNK = 400;

/** Stores the records with their bounding boxes (for coarse queries in SQL). Ids must be new. */
export async function insertAssets(
  tx: Tx,
  records: readonly AssetRecord[],
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  for (let i = 0; i < records.length; i += CHUNK) {
    const chunk = records.slice(i, i + CHUNK);
    await tx
      .insertInto('assets')
      .values(
        chunk.map((r) => {
          const [minX, minY, maxX, maxY] = assetBBox(r.geometry);
          return {
            id: r.id,
            type: r.type,
            name: r.name,
            geometry: JSON.stringify(r.geometry),
            properties: JSON.stringify(r.properties ?? {}),
            unit_id: r.unitId,
            jurisdiction_code: r.jurisdictionCode,
            generated: r.generated ? 1 : 0,
            min_x: minX,
            min_y: minY,
            max_x: maxX,
            max_y: maxY,
          };
        }),
      )
      .execute();
    onProgress?.(Math.min(i + CHUNK, records.length), records.length);
  }
}

/**
 * All assets (or those of the given types), in id order (UTF-16 code units, sorted here rather
 * than by SQL because PostgreSQL's collation may order text differently), so an index built
 * from them breaks ties the same way on both dialects.
 */
export async function loadAssets(db: Tx, types?: readonly AssetType[]): Promise<AssetRecord[]> {
  if (types !== undefined && types.length === 0) return [];
  let query = db.selectFrom('assets').selectAll();
  if (types !== undefined) query = query.where('type', 'in', [...types]);
  const rows = await query.execute();
  rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return rows.map((r) => {
    if (!isAssetType(r.type)) throw new Error(`asset ${r.id} has unknown type ${r.type}`);
    return {
      id: r.id,
      type: r.type,
      name: r.name,
      geometry: JSON.parse(r.geometry) as AssetGeometry,
      properties: JSON.parse(r.properties) as Record<string, unknown>,
      unitId: r.unit_id,
      jurisdictionCode: r.jurisdiction_code,
      generated: Boolean(r.generated),
    };
  });
}

/** Removes every asset of a type (before re-importing it); returns how many. */
export async function deleteAssetsOfType(tx: Tx, type: AssetType): Promise<number> {
  const result = await tx.deleteFrom('assets').where('type', '=', type).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Number of assets per type. */
export async function countAssets(db: Tx): Promise<Record<string, number>> {
  const rows = await db.selectFrom('assets').select(['type', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('type').execute();
  return Object.fromEntries(rows.map((r) => [r.type, Number(r.n)]));
}
