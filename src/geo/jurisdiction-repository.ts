import type { Tx } from '../store/store.ts';
import type { AreaGeometry } from './geometry.ts';
import { geometryBBox } from './geometry.ts';
import type { JurisdictionLevel, JurisdictionRecord } from './jurisdiction.ts';

/** Rows per INSERT: 11 parameters each stays far below SQLite's and PostgreSQL's limits. */
const CHUNK = 400;

export async function insertJurisdictions(
  tx: Tx,
  records: readonly JurisdictionRecord[],
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  for (let i = 0; i < records.length; i += CHUNK) {
    const chunk = records.slice(i, i + CHUNK);
    await tx
      .insertInto('jurisdictions')
      .values(
        chunk.map((r) => {
          const bbox = r.geometry ? geometryBBox(r.geometry) : null;
          return {
            code: r.code,
            parent_code: r.parentCode,
            level: r.level,
            name: r.name,
            geometry: r.geometry ? JSON.stringify(r.geometry) : null,
            generated: r.generated ? 1 : 0,
            properties: JSON.stringify(r.properties ?? {}),
            min_x: bbox?.[0] ?? null,
            min_y: bbox?.[1] ?? null,
            max_x: bbox?.[2] ?? null,
            max_y: bbox?.[3] ?? null,
          };
        }),
      )
      .execute();
    onProgress?.(Math.min(i + CHUNK, records.length), records.length);
  }
}

export async function loadJurisdictions(db: Tx): Promise<JurisdictionRecord[]> {
  const rows = await db.selectFrom('jurisdictions').selectAll().execute();
  return rows.map((r) => ({
    code: r.code,
    parentCode: r.parent_code,
    level: r.level as JurisdictionLevel,
    name: r.name,
    geometry: r.geometry ? (JSON.parse(r.geometry) as AreaGeometry) : null,
    generated: Boolean(r.generated),
    properties: JSON.parse(r.properties) as Record<string, unknown>,
  }));
}

export async function countJurisdictions(db: Tx): Promise<Record<string, number>> {
  const rows = await db.selectFrom('jurisdictions').select(['level', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('level').execute();
  return Object.fromEntries(rows.map((r) => [r.level, Number(r.n)]));
}

/** Jurisdictions of a level and/or under a parent, in code order, with their geometry as stored text. */
export async function listJurisdictionRows(db: Tx, q: { level?: string | undefined; parent?: string | undefined; limit: number }) {
  let sel = db.selectFrom('jurisdictions').select(['code', 'name', 'level', 'parent_code', 'generated', 'geometry']);
  if (q.level) sel = sel.where('level', '=', q.level);
  if (q.parent) sel = sel.where('parent_code', '=', q.parent);
  return sel.orderBy('code').limit(q.limit).execute();
}
