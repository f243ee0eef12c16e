/**
 * Reading alerts: one alert and its timeline for a caller who may see it, a page of the alerts a
 * caller may see, and the active ones (for the map and vital signs). No writes.
 */
import type { Tx } from '../../store/store.ts';
import { CityLoopError } from '../../errors.ts';
import type { Principal } from '../../auth/principal.ts';
import { severityRank } from '../sensing-model.ts';
import type { AlertDoc, AlertEvent, AlertStatus } from './alert-model.ts';
import { canSeeAlert } from './alert-policy.ts';

export interface AlertListFilter {
  readonly status?: readonly AlertStatus[] | undefined;
  readonly district?: string | undefined;
  readonly deviceId?: string | undefined;
  readonly source?: string | undefined;
  readonly limit?: number | undefined;
  /** The `last_at|id` of the last item of the previous page. */
  readonly cursor?: string | undefined;
}

/** An alert by id, whoever asks; NOT_FOUND when there is none. */
export async function requireAlert(db: Tx, id: string): Promise<AlertDoc> {
  const r = await db.selectFrom('alerts').select(['doc']).where('id', '=', id).executeTakeFirst();
  if (!r) throw new CityLoopError('NOT_FOUND', { what: '预警/alert', id });
  return JSON.parse(r.doc) as AlertDoc;
}

/** Alerts by id, many at once, whoever asks (the caller checks). */
export async function alertsByIds(db: Tx, ids: readonly string[]): Promise<Map<string, AlertDoc>> {
  const out = new Map<string, AlertDoc>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db.selectFrom('alerts').select(['id', 'doc']).where('id', 'in', unique.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.id, JSON.parse(r.doc) as AlertDoc);
  }
  return out;
}

/** One alert, if the caller may see it. */
export async function visibleAlert(db: Tx, p: Principal, id: string): Promise<AlertDoc> {
  const doc = await requireAlert(db, id);
  if (!canSeeAlert(p, doc)) throw new CityLoopError('FORBIDDEN_JURISDICTION');
  return doc;
}

/** The events of an alert's stream, in order, if the caller may see the alert. */
export async function alertTimeline(db: Tx, p: Principal, id: string): Promise<AlertEvent[]> {
  await visibleAlert(db, p, id);
  const rows = await db.selectFrom('events').selectAll().where('stream_id', '=', id).orderBy('stream_version').execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    id: r.id,
    streamId: r.stream_id,
    streamVersion: r.stream_version,
    type: r.type as AlertEvent['type'],
    actor: JSON.parse(r.actor) as AlertEvent['actor'],
    at: r.at,
    payload: JSON.parse(r.payload) as AlertEvent['payload'],
  }));
}

/**
 * Alerts the caller may see, newest first. Filtering by visibility happens after the query, so
 * a page is fetched in rounds until it is full.
 */
export async function listVisibleAlerts(db: Tx, p: Principal, f: AlertListFilter): Promise<{ items: AlertDoc[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 500);
  const items: AlertDoc[] = [];
  let cursor = f.cursor ?? null;
  for (let round = 0; round < 20 && items.length < limit; round++) {
    let q = db.selectFrom('alerts').select(['id', 'last_at', 'doc']).orderBy('last_at', 'desc').orderBy('id', 'desc').limit(limit * 2);
    if (f.status?.length) q = q.where('status', 'in', [...f.status]);
    if (f.district) q = q.where('district_code', '=', f.district);
    if (f.deviceId) q = q.where('device_id', '=', f.deviceId);
    if (f.source) q = q.where('source', '=', f.source);
    if (cursor) {
      const [at, cid] = cursor.split('|');
      q = q.where((eb) => eb.or([eb('last_at', '<', at!), eb.and([eb('last_at', '=', at!), eb('id', '<', cid!)])]));
    }
    const rows = await q.execute();
    for (const r of rows) {
      cursor = `${r.last_at}|${r.id}`;
      const d = JSON.parse(r.doc) as AlertDoc;
      if (canSeeAlert(p, d)) items.push(d);
      if (items.length >= limit) break;
    }
    if (rows.length < limit * 2) return { items, nextCursor: items.length >= limit ? cursor : null };
  }
  return { items, nextCursor: items.length >= limit ? cursor : null };
}

/** Active alerts by device (for the map and vital signs). */
export async function activeAlertsByDevice(db: Tx): Promise<Map<string, AlertDoc>> {
  const rows = await db.selectFrom('alerts').select(['doc']).where('active_key', 'is not', null).where('device_id', 'is not', null).execute();
  const m = new Map<string, AlertDoc>();
  for (const r of rows) {
    const d = JSON.parse(r.doc) as AlertDoc;
    const old = m.get(d.deviceId!);
    if (!old || severityRank(d.severity) > severityRank(old.severity)) m.set(d.deviceId!, d);
  }
  return m;
}

/** Every active alert (raised, acknowledged or verified and not cleared). */
export async function activeAlerts(db: Tx): Promise<AlertDoc[]> {
  const rows = await db.selectFrom('alerts').select(['doc']).where('active_key', 'is not', null).execute();
  return rows.map((r) => JSON.parse(r.doc) as AlertDoc);
}


/**
 * Dismissed alerts not yet settled (no `AlertCleared` after the dismissal: the condition has not
 * ended), of one dedup key or one source. Read by the status index; dismissals are few.
 */
export async function unsettledDismissals(db: Tx, f: { dedupKey?: string; source?: string }): Promise<AlertDoc[]> {
  let q = db.selectFrom('alerts').select(['doc']).where('status', '=', 'dismissed');
  if (f.dedupKey) q = q.where('dedup_key', '=', f.dedupKey);
  if (f.source) q = q.where('source', '=', f.source);
  const rows = await q.execute();
  return rows.map((r) => JSON.parse(r.doc) as AlertDoc).filter((d) => d.clearedAt === null);
}
