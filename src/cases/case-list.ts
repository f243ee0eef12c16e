/**
 * The case list and its search: the filters of the list page (state, category and its family,
 * place, unit, tier, source, overdue, time reported, a box on the map), the full-text query over
 * number, title, address and the reporter's text (each store's own engine over the terms of
 * `store/search-terms.ts`), the sorts, and a cursor that is stable when sort keys tie (the id
 * breaks ties). Always inside what the caller may see: `visibleTo` cuts in SQL, the policy decides
 * each case after.
 */
import { sql, type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool } from 'kysely';
import { CityLoopError } from '../errors.ts';
import type { JurisdictionResolver } from '../geo/resolver.ts';
import type { Database } from '../store/schema.ts';
import type { Tx } from '../store/store.ts';
import { isPostgres } from '../store/dialect.ts';
import { likeContains, likeStartsWith } from '../store/like-pattern.ts';
import { fts5Match, searchPartsOf, tsQuery } from '../store/search-terms.ts';
import type { Principal } from '../auth/principal.ts';
import type { CaseDoc } from './case-model.ts';
import { canSeeCase } from './case-policy.ts';
import { inJurisdiction, parseDoc, visibleTo } from './case-queries.ts';

export const CASE_SORTS = ['reportedAt', 'deadline', 'priority', 'number'] as const;
export type CaseSort = (typeof CASE_SORTS)[number];

export interface CaseListFilter {
  readonly state?: readonly string[] | undefined;
  /** A category code, or a family's prefix: `municipal.water` finds `municipal.water.burst`. */
  readonly category?: string | undefined;
  readonly jurisdiction?: string | undefined;
  readonly street?: string | undefined;
  readonly unit?: string | undefined;
  readonly center?: string | undefined;
  readonly tier?: string | undefined;
  readonly source?: string | undefined;
  readonly overdue?: boolean | undefined;
  /** Reported at or after (ISO date-time). */
  readonly from?: string | undefined;
  /** Reported before. */
  readonly to?: string | undefined;
  /** Full-text query. */
  readonly q?: string | undefined;
  /** A box on the map, GCJ-02: [minLng, minLat, maxLng, maxLat] (a cluster of co-located cases). */
  readonly bbox?: readonly [number, number, number, number] | undefined;
  readonly sort?: CaseSort | undefined;
  readonly order?: 'asc' | 'desc' | undefined;
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
}

type CasesEb = ExpressionBuilder<Database, 'cases'>;
type Key = string | number;

/** The value a sort orders by, as SQL (nulls of the deadline sort last either way). */
function sortKey(sort: CaseSort, order: 'asc' | 'desc'): RawBuilder<Key> {
  switch (sort) {
    case 'reportedAt':
      return sql<Key>`cases.created_at`;
    case 'number':
      return sql<Key>`cases.number`;
    case 'deadline':
      // '~' sorts after every ISO time, '' before: no deadline comes last whichever the order.
      return order === 'asc' ? sql<Key>`coalesce(cases.resolve_due, '~')` : sql<Key>`coalesce(cases.resolve_due, '')`;
    case 'priority':
      return sql<Key>`(case cases.priority when 'urgent' then 3 when 'high' then 2 when 'normal' then 1 else 0 end)`;
  }
}

/** An opaque cursor: the sort it belongs to, the last row's key and id. */
export function encodeCursor(sort: CaseSort, order: 'asc' | 'desc', key: Key, id: string): string {
  return Buffer.from(JSON.stringify([sort, order, key, id])).toString('base64url');
}

function decodeCursor(cursor: string, sort: CaseSort, order: 'asc' | 'desc'): { key: Key; id: string } {
  const bad = (why: string) => new CityLoopError('VALIDATION_FAILED', { detail: `cursor ${why}` });
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    throw bad('is not one this server issued');
  }
  if (!Array.isArray(v) || v.length !== 4 || typeof v[3] !== 'string' || (typeof v[2] !== 'string' && typeof v[2] !== 'number')) throw bad('is not one this server issued');
  if (v[0] !== sort || v[1] !== order) throw bad('belongs to another sort order: start again from the first page');
  return { key: v[2] as Key, id: v[3] };
}

/** ASCII punctuation and symbols: typed, they are matched as typed (`100%`, `pipe_a`, `a\\b`). */
const ASCII_SYMBOL = /[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/;

/**
 * The full-text condition: the store's engine over `case_search` (every word of the query), a
 * number containing the text, and — when the query holds ASCII punctuation, which the terms drop —
 * the title containing the query as typed (escaped: `%` and `_` are themselves, never wildcards).
 */
function matches(db: Tx, q: string): (eb: CasesEb) => Expression<SqlBool> {
  const trimmed = q.trim();
  const parts = searchPartsOf(trimmed);
  const literal = ASCII_SYMBOL.test(trimmed) ? likeContains('cases.title', trimmed) : null;
  if (parts.length === 0 && !literal) throw new CityLoopError('VALIDATION_FAILED', { detail: 'q holds no letter, digit or character to search for' });
  const conds: Expression<SqlBool>[] = [];
  if (parts.length > 0) {
    conds.push(
      isPostgres(db)
        ? sql<SqlBool>`cases.id in (select case_search.case_id from case_search where to_tsvector('simple', case_search.terms) @@ to_tsquery('simple', ${tsQuery(parts)}))`
        : sql<SqlBool>`cases.id in (select case_search.case_id from case_search where case_search.rowid in (select rowid from case_fts where case_fts match ${fts5Match(parts)}))`,
    );
  }
  if (literal) conds.push(literal);
  // A case number is found by any part of it (the tail a caller reads out: "…000002").
  const byNumber = /^[A-Za-z0-9]{4,}$/.test(trimmed) ? likeContains('cases.number', trimmed.toUpperCase()) : null;
  return (eb) => {
    const text = conds.length === 1 ? conds[0]! : eb.and(conds);
    return byNumber ? eb.or([text, byNumber]) : text;
  };
}

/** Cases the user may see, filtered and sorted, one page (cursor pagination). */
export async function listCases(db: Tx, resolver: JurisdictionResolver, p: Principal, f: CaseListFilter): Promise<{ items: CaseDoc[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 200);
  const sort = f.sort ?? 'reportedAt';
  const order = f.order ?? 'desc';
  const key = sortKey(sort, order);
  let q = db.selectFrom('cases').select(['doc', 'id', key.as('sort_key')]);
  const visible = visibleTo(resolver, p);
  if (visible) q = q.where(visible);
  if (f.state && f.state.length > 0) q = q.where('state', 'in', [...f.state]);
  if (f.category) {
    const c = f.category;
    q = q.where((eb) => eb.or([eb('category_code', '=', c), likeStartsWith('category_code', `${c}.`)]));
  }
  if (f.jurisdiction) q = q.where(inJurisdiction(resolver, f.jurisdiction));
  if (f.street) q = q.where('street_code', '=', f.street);
  if (f.unit) {
    const u = f.unit;
    q = q.where((eb) => eb.exists(eb.selectFrom('tasks').select('tasks.id').whereRef('tasks.case_id', '=', 'cases.id').where('tasks.unit_id', '=', u)));
  }
  if (f.center) q = q.where('center_id', '=', f.center);
  if (f.tier) q = q.where('tier', '=', f.tier);
  if (f.source) q = q.where('source', '=', f.source);
  if (f.overdue !== undefined) q = q.where('overdue', '=', f.overdue ? 1 : 0);
  if (f.from) q = q.where('created_at', '>=', new Date(f.from).toISOString());
  if (f.to) q = q.where('created_at', '<', new Date(f.to).toISOString());
  if (f.bbox) {
    const [minLng, minLat, maxLng, maxLat] = f.bbox;
    q = q.where('lng', '>=', minLng).where('lng', '<=', maxLng).where('lat', '>=', minLat).where('lat', '<=', maxLat);
  }
  if (f.q) q = q.where(matches(db, f.q));
  if (f.cursor) {
    const c = decodeCursor(f.cursor, sort, order);
    const op = order === 'desc' ? sql.raw('<') : sql.raw('>');
    q = q.where(sql<SqlBool>`(${key} ${op} ${c.key} or (${key} = ${c.key} and cases.id ${op} ${c.id}))`);
  }
  const rows = await q
    .orderBy(key, order)
    .orderBy('id', order)
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const lastKey = last ? (typeof last.sort_key === 'string' ? last.sort_key : Number(last.sort_key)) : null;
  return {
    // The SQL filter is the coarse cut; the policy has the last word on each case.
    items: page.map((r) => parseDoc(r.doc)).filter((d) => canSeeCase(p, d)),
    nextCursor: rows.length > limit && last && lastKey !== null ? encodeCursor(sort, order, lastKey, last.id) : null,
  };
}
