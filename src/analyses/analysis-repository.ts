/**
 * The `analyses` rows (migration 0017) and the events of each run's `analysis:ID` stream, written
 * in the same transaction: the row is the run as it is, the stream says who changed it, when and why.
 */
import type { AnalysisTable } from '../store/schema.ts';
import type { StoreAdapter, Tx } from '../store/store.ts';
import { recordAdminChanges, type ActingPerson } from '../events/admin-events.ts';
import type { AnalysisModel, AnalysisRecord, AnalysisState, CommittedAnalysis } from './analysis-model.ts';

export function recordOf(r: AnalysisTable): AnalysisRecord {
  return {
    id: r.id,
    name: r.name,
    model: r.model as AnalysisModel,
    rootId: r.root_id,
    parentId: r.parent_id,
    version: Number(r.version),
    state: r.state as AnalysisState,
    progress: Number(r.progress),
    progressMessage: r.progress_message,
    inputs: JSON.parse(r.inputs) as Record<string, unknown>,
    rasterId: r.raster_id,
    rasterSha256: r.raster_sha256,
    inputRasters: JSON.parse(r.input_rasters) as AnalysisRecord['inputRasters'],
    ownerCenterId: r.owner_center_id,
    createdBy: r.created_by,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : null,
    summary: r.summary ? (JSON.parse(r.summary) as AnalysisRecord['summary']) : null,
    results: r.result_rasters ? (JSON.parse(r.result_rasters) as AnalysisRecord['results']) : null,
    cancelRequestedAt: r.cancel_requested_at,
    triggerKey: r.trigger_key,
  };
}

export async function findAnalysis(db: Tx, id: string): Promise<AnalysisRecord | undefined> {
  const r = await db.selectFrom('analyses').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? recordOf(r) : undefined;
}

export async function findByTrigger(db: Tx, key: string): Promise<AnalysisRecord | undefined> {
  const r = await db.selectFrom('analyses').selectAll().where('trigger_key', '=', key).executeTakeFirst();
  return r ? recordOf(r) : undefined;
}

export async function attemptsOf(db: Tx, id: string): Promise<number> {
  const r = await db.selectFrom('analyses').select('attempts').where('id', '=', id).executeTakeFirst();
  return Number(r?.attempts ?? 0);
}

export async function listAnalyses(db: Tx, q: { ownerCenterIds: readonly string[] | null; state?: AnalysisState; model?: AnalysisModel; limit: number }): Promise<AnalysisRecord[]> {
  let query = db.selectFrom('analyses').selectAll();
  if (q.ownerCenterIds) {
    if (q.ownerCenterIds.length === 0) return [];
    query = query.where('owner_center_id', 'in', [...q.ownerCenterIds]);
  }
  if (q.state) query = query.where('state', '=', q.state);
  if (q.model) query = query.where('model', '=', q.model);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map(recordOf);
}

/** The oldest queued runs, the queue's head. */
export async function queuedIds(db: Tx, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('analyses').select('id').where('state', '=', 'queued').orderBy('created_at').orderBy('id').limit(limit).execute();
  return rows.map((r) => r.id);
}

export async function idsInState(db: Tx, state: AnalysisState): Promise<string[]> {
  return (await db.selectFrom('analyses').select('id').where('state', '=', state).execute()).map((r) => r.id);
}

export async function nextVersion(db: Tx, rootId: string): Promise<number> {
  const r = await db.selectFrom('analyses').select((eb) => eb.fn.max('version').as('v')).where('root_id', '=', rootId).executeTakeFirst();
  return Number(r?.v ?? 0) + 1;
}

export async function insertAnalysis(db: Tx, row: AnalysisTable): Promise<void> {
  await db.insertInto('analyses').values(row).execute();
}

/**
 * Sets columns of a run, only if it is (still) in one of `from`: the state machine's guard
 * against a second process or a late worker message. Returns whether a row changed.
 */
export async function updateAnalysis(db: Tx, id: string, from: readonly AnalysisState[], set: Partial<AnalysisTable>): Promise<boolean> {
  const r = await db.updateTable('analyses').set(set).where('id', '=', id).where('state', 'in', [...from]).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The event of a run's stream, in the caller's transaction; what the bus then carries. */
export async function recordAnalysisEvent(tx: Tx, store: Pick<StoreAdapter, 'capabilities'>, actor: ActingPerson, at: string, id: string, type: string, payload: Record<string, unknown>): Promise<CommittedAnalysis> {
  const [row] = await recordAdminChanges(tx, store, actor, at, [{ kind: 'analysis', id, type, payload }]);
  const run = await findAnalysis(tx, id);
  return { seq: Number(row!.seq), type, analysis: run! };
}
