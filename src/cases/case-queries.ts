/**
 * Reading cases: THE jurisdiction filter (the one SQL form of "cases located in this
 * jurisdiction"), the case list and its search, the lookups of the use cases (by client request,
 * duplicates near a place, a caller's cases, the cases that ran a plan) and those the routes need.
 * The SQL filter is always the coarse cut: the case policy has the last word on each case.
 */
import type { ExpressionBuilder, Expression, SqlBool } from 'kysely';
import type { JurisdictionResolver } from '../geo/resolver.ts';
import type { Database } from '../store/schema.ts';
import type { Tx } from '../store/store.ts';
import type { StoredEventRow } from '../events/event-log.ts';
import { hasRole, type Principal } from '../auth/principal.ts';
import type { Actor, CaseEvent } from './case-events.ts';
import { TERMINAL_STATES, type CaseDoc } from './case-model.ts';

type CasesEb = ExpressionBuilder<Database, 'cases'>;

export function parseDoc(doc: string): CaseDoc {
  return JSON.parse(doc) as CaseDoc;
}

export function rowToEvent(r: StoredEventRow): CaseEvent {
  return {
    seq: Number(r.seq),
    id: r.id,
    streamId: r.stream_id,
    streamVersion: Number(r.stream_version),
    schemaVersion: Number(r.schema_version),
    type: r.type,
    actor: JSON.parse(r.actor) as Actor,
    at: r.at,
    payload: JSON.parse(r.payload),
  } as CaseEvent;
}

/**
 * THE jurisdiction filter: cases located in `code` or below it, by the column of its level
 * (indexed), for every level — the city (everything), a district, a street, a community, a grid.
 * Used by the case list, the KPIs, the map and the vital signs alike.
 */
export function inJurisdiction(resolver: JurisdictionResolver, code: string): (eb: CasesEb) => Expression<SqlBool> {
  const level = resolver.get(code)?.level;
  return (eb) => {
    // 1 = 1, not TRUE: SQLite binds no booleans.
    if (level === 'city') return eb(eb.val(1), '=', 1);
    if (level === 'district') return eb('cases.district_code', '=', code);
    if (level === 'street') return eb('cases.street_code', '=', code);
    if (level === 'community') return eb('cases.community_code', '=', code);
    // A grid is a leaf: the case's own jurisdiction. So is a code the map does not know (any more).
    return eb('cases.jurisdiction_code', '=', code);
  };
}

/** The coarse SQL cut of the cases a principal may see (the policy decides each one after). */
export function visibleTo(resolver: JurisdictionResolver, p: Principal): ((eb: CasesEb) => Expression<SqlBool>) | null {
  if (hasRole(p, 'admin', 'system')) return null;
  return (eb) => {
    const ors: Expression<SqlBool>[] = [];
    if (hasRole(p, 'operator', 'supervisor', 'grid_worker') && p.jurisdictionCode) ors.push(inJurisdiction(resolver, p.jurisdictionCode)(eb));
    if (hasRole(p, 'unit_staff') && p.unitId) {
      ors.push(eb.exists(eb.selectFrom('tasks').select('tasks.id').whereRef('tasks.case_id', '=', 'cases.id').where('tasks.unit_id', '=', p.unitId)));
    }
    ors.push(eb('cases.reporter_user_id', '=', p.userId));
    // 跨区域协同: cases a neighbouring district shares with this center.
    const centerId = p.centerId;
    if (hasRole(p, 'operator', 'supervisor') && centerId) {
      ors.push(eb.exists(eb.selectFrom('case_centers').select('case_centers.case_id').whereRef('case_centers.case_id', '=', 'cases.id').where('case_centers.center_id', '=', centerId)));
    }
    return eb.or(ors);
  };
}

export async function loadCaseForUpdate(tx: Tx, id: string, rowLocks: boolean): Promise<CaseDoc | null> {
  let q = tx.selectFrom('cases').select(['doc']).where('id', '=', id);
  if (rowLocks) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? parseDoc(row.doc) : null;
}

/** One case, whoever may see it (the caller checks). */
export async function caseById(db: Tx, id: string): Promise<CaseDoc | null> {
  const row = await db.selectFrom('cases').select(['doc']).where('id', '=', id).executeTakeFirst();
  return row ? parseDoc(row.doc) : null;
}

/** One case by its number (CL…), whoever may see it (the caller checks). */
export async function caseByNumber(db: Tx, number: string): Promise<CaseDoc | null> {
  const row = await db.selectFrom('cases').select(['doc']).where('number', '=', number).executeTakeFirst();
  return row ? parseDoc(row.doc) : null;
}

/** Cases by id, many at once (in slices the databases accept). */
export async function casesByIds(db: Tx, ids: readonly string[]): Promise<Map<string, CaseDoc>> {
  const out = new Map<string, CaseDoc>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const found = await db.selectFrom('cases').select(['id', 'doc']).where('id', 'in', unique.slice(i, i + 500)).execute();
    for (const r of found) out.set(r.id, parseDoc(r.doc));
  }
  return out;
}

/** Cases by number, many at once. */
export async function casesByNumbers(db: Tx, numbers: readonly string[]): Promise<CaseDoc[]> {
  const out: CaseDoc[] = [];
  for (let i = 0; i < numbers.length; i += 500) {
    const rows = await db.selectFrom('cases').select(['doc']).where('number', 'in', numbers.slice(i, i + 500)).execute();
    out.push(...rows.map((r) => parseDoc(r.doc)));
  }
  return out;
}

/** The number of a case by its id, or null. */
export async function numberOfCase(db: Tx, id: string): Promise<string | null> {
  const row = await db.selectFrom('cases').select(['number']).where('id', '=', id).executeTakeFirst();
  return row?.number ?? null;
}

export async function caseByClientKey(db: Tx, key: string): Promise<CaseDoc | null> {
  const row = await db.selectFrom('cases').select('doc').where('client_request_id', '=', key).executeTakeFirst();
  return row ? parseDoc(row.doc) : null;
}

/** The events of a case, in order. */
export async function caseTimeline(db: Tx, id: string): Promise<CaseEvent[]> {
  const rows = await db.selectFrom('events').selectAll().where('stream_id', '=', id).orderBy('stream_version').execute();
  return rows.map(rowToEvent);
}

/** The automatic steps of the plan last applied to the case, as its PlanApplied event says. */
export async function appliedActions(db: Tx, caseId: string): Promise<unknown[]> {
  const row = await db.selectFrom('events').select('payload').where('stream_id', '=', caseId).where('type', '=', 'PlanApplied').orderBy('stream_version', 'desc').limit(1).executeTakeFirst();
  return row ? ((JSON.parse(row.payload) as { actions?: unknown[] }).actions ?? []) : [];
}

/** Open cases of a category reported since `since` inside a box around a place (查重's coarse cut). */
export async function openCasesNear(db: Tx, q: { categoryCode: string; since: string; minLng: number; maxLng: number; minLat: number; maxLat: number }): Promise<CaseDoc[]> {
  const rows = await db
    .selectFrom('cases')
    .select('doc')
    .where('category_code', '=', q.categoryCode)
    .where('created_at', '>=', q.since)
    .where('state', 'not in', [...TERMINAL_STATES])
    .where('lng', '>=', q.minLng)
    .where('lng', '<=', q.maxLng)
    .where('lat', '>=', q.minLat)
    .where('lat', '<=', q.maxLat)
    .limit(200)
    .execute();
  return rows.map((r) => parseDoc(r.doc));
}

/** A caller's cases by normalised phone number, newest first. */
export async function casesOfPhone(db: Tx, phoneKey: string, limit: number): Promise<CaseDoc[]> {
  const rows = await db.selectFrom('cases').select('doc').where('reporter_phone', '=', phoneKey).orderBy('created_at', 'desc').limit(limit).execute();
  return rows.map((r) => parseDoc(r.doc));
}

/** The ids of the cases (any viewer) that ran a plan, newest first, with their docs for the policy. */
export async function casesOfPlan(db: Tx, planId: string, limit: number): Promise<CaseDoc[]> {
  const rows = await db
    .selectFrom('cases')
    .select(['doc'])
    .where('plan_id', '=', planId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => parseDoc(r.doc));
}

/** The events of many cases, each case's in order. */
export async function eventsOfCases(db: Tx, ids: readonly string[]): Promise<CaseEvent[][]> {
  const out: CaseEvent[][] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const events = await db.selectFrom('events').selectAll().where('stream_id', 'in', chunk).orderBy('seq').execute();
    const byStream = new Map<string, CaseEvent[]>();
    for (const r of events) {
      const list = byStream.get(r.stream_id) ?? [];
      list.push(rowToEvent(r));
      byStream.set(r.stream_id, list);
    }
    out.push(...byStream.values());
  }
  return out;
}

/** A unit's tasks by deadline, with their cases (the unit workbench). */
export async function tasksOfUnit(
  db: Tx,
  unitId: string,
  f: { state?: readonly string[] | undefined; overdue?: boolean | undefined; updatedSince?: string | undefined; limit?: number | undefined },
): Promise<{ rows: { id: string; case_id: string; unit_id: string; role: string; state: string; deadline: string; overdue: number; round: number }[]; cases: Map<string, CaseDoc> }> {
  let q = db.selectFrom('tasks').selectAll().where('unit_id', '=', unitId);
  if (f.state?.length) q = q.where('state', 'in', [...f.state]);
  if (f.overdue !== undefined) q = q.where('overdue', '=', f.overdue ? 1 : 0);
  if (f.updatedSince) q = q.where('updated_at', '>=', new Date(f.updatedSince).toISOString());
  const rows = await q.orderBy('deadline').orderBy('id').limit(f.limit ?? 100).execute();
  return { rows, cases: await casesByIds(db, rows.map((r) => r.case_id)) };
}

/** An attachment already stored on the case with these bytes, this name, by this user (a phone's resend). */
export async function sameAttachment(db: Tx, q: { caseId: string; sha256: string; fileName: string; userId: string }): Promise<{ id: string; size: number } | null> {
  const row = await db
    .selectFrom('attachments')
    .select(['id', 'size'])
    .where('case_id', '=', q.caseId)
    .where('sha256', '=', q.sha256)
    .where('file_name', '=', q.fileName)
    .where('created_by', '=', q.userId)
    .executeTakeFirst();
  return row ? { id: row.id, size: Number(row.size) } : null;
}

/** Appeals waiting for a person to route them (人工分拨), oldest first. */
export async function casesAwaitingTriage(db: Tx, limit = 500): Promise<CaseDoc[]> {
  const rows = await db.selectFrom('cases').select('doc').where('appeal_outcome', '=', 'triage').where('state', '=', 'reported').orderBy('created_at').limit(limit).execute();
  return rows.map((r) => parseDoc(r.doc));
}

/** Appeals smart routing placed automatically (dispatched or sent to triage), for its statistics. */
export async function automaticallyRoutedCases(db: Tx): Promise<CaseDoc[]> {
  const rows = await db.selectFrom('cases').select('doc').where('appeal_automatic', '=', 1).execute();
  return rows.map((r) => parseDoc(r.doc));
}

/**
 * The map's rows (id, position, state, priority, overdue) of the cases located in `own` (null: the
 * whole city) and, when given, in `narrow`; open cases only when `openOnly`. At most `limit`: the
 * caller asks one more than it shows, to tell that there were more.
 */
export function caseMapRows(db: Tx, resolver: JurisdictionResolver, q: CaseMapScope) {
  return caseMapRowsQuery(db, resolver, q).execute();
}

export interface CaseMapScope {
  readonly own: string | null;
  readonly narrow?: string | undefined;
  readonly openOnly: boolean;
  readonly limit: number;
}

/** The query of `caseMapRows`, unexecuted: a reader with its own connection (the map's thread) runs it compiled. */
export function caseMapRowsQuery(db: Tx, resolver: JurisdictionResolver, q: CaseMapScope) {
  let sel = db.selectFrom('cases').select(['id', 'lng', 'lat', 'state', 'priority', 'overdue']);
  for (const code of [q.own, q.narrow]) {
    if (!code) continue;
    const f = inJurisdiction(resolver, code);
    sel = sel.where((eb) => f(eb));
  }
  if (q.openOnly) sel = sel.where('state', 'not in', [...TERMINAL_STATES]);
  return sel.limit(q.limit);
}
