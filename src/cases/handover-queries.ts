/**
 * A shift's handover (交接班): what the next shift takes over — the open cases by state, the overdue
 * ones, those escalated or supervised, and what changed since a time (cases reported, closed, the
 * events by type, the cases touched) — among the cases the caller may see. Read-only; the shift's
 * start on the city's clock is `shiftStart` (pure).
 */
import { sql } from 'kysely';
import type { JurisdictionResolver } from '../geo/resolver.ts';
import type { Tx } from '../store/store.ts';
import type { Principal } from '../auth/principal.ts';
import { TERMINAL_STATES, type CaseDoc } from './case-model.ts';
import { canSeeCase } from './case-policy.ts';
import { inJurisdiction, parseDoc, visibleTo } from './case-queries.ts';

/** Shift changes on the city's clock (hours, +08:00): the day shift from 08:00, the night shift from 20:00. */
export const SHIFT_HOURS: readonly number[] = [8, 20];
const CITY_OFFSET_MS = 8 * 3600_000;

/**
 * The start of the shift `now` falls in (the latest shift change at or before it), and `back` shifts
 * before that one (1: the previous shift's start). Pure.
 */
export function shiftStart(now: Date, back = 0, hours: readonly number[] = SHIFT_HOURS): Date {
  const local = new Date(now.getTime() + CITY_OFFSET_MS);
  const day = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  const sorted = [...hours].sort((a, b) => a - b);
  // Every shift change of the last four days up to now: the last one, then `back` more.
  const changes = [-3, -2, -1, 0].flatMap((d) => sorted.map((h) => day + d * 86_400_000 + h * 3600_000)).filter((t) => t <= local.getTime());
  const pick = changes[Math.max(0, changes.length - 1 - back)]!;
  return new Date(pick - CITY_OFFSET_MS);
}

export interface HandoverCounts {
  readonly open: number;
  readonly openByState: { state: string; n: number }[];
  readonly overdue: number;
  readonly escalated: number;
  readonly reported: number;
  readonly closed: number;
  readonly eventsByType: { type: string; n: number }[];
  readonly changed: number;
}

export interface Handover {
  readonly counts: HandoverCounts;
  /** Open and overdue, the most overdue first (at most `limit`). */
  readonly overdue: CaseDoc[];
  /** Open, escalated to a higher tier or supervised (督办), the most recently changed first. */
  readonly escalated: CaseDoc[];
  /** Cases changed since the time, the most recent first. */
  readonly changed: CaseDoc[];
}

const ESCALATION_EVENTS = ['CaseEscalated', 'CaseSupervised'];

/**
 * The handover of the cases the caller may see, in `jurisdiction` when given (the caller checks it
 * is inside its own), since `since`. Counts are the SQL cut of what the caller may see (for center
 * staff, the policy's very rule); the lists are checked case by case by the policy.
 */
export async function handoverOf(db: Tx, resolver: JurisdictionResolver, p: Principal, q: { since: string; jurisdiction?: string | undefined; limit: number }): Promise<Handover> {
  const visible = visibleTo(resolver, p);
  const base = () => {
    let b = db.selectFrom('cases');
    if (visible) b = b.where(visible);
    if (q.jurisdiction) b = b.where(inJurisdiction(resolver, q.jurisdiction));
    return b;
  };
  const terminal = [...TERMINAL_STATES];
  const escalatedCase = base()
    .where('state', 'not in', terminal)
    .where((eb) => eb.exists(eb.selectFrom('events').select('events.id').whereRef('events.stream_id', '=', 'cases.id').where('events.type', 'in', ESCALATION_EVENTS)));
  const [byState, overdueN, escalatedN, reportedN, closedN, changedN, byType] = await Promise.all([
    base().select((eb) => ['state', eb.fn.countAll<number>().as('n')]).where('state', 'not in', terminal).groupBy('state').execute(),
    base().select((eb) => eb.fn.countAll<number>().as('n')).where('state', 'not in', terminal).where('overdue', '=', 1).executeTakeFirst(),
    escalatedCase.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    base().select((eb) => eb.fn.countAll<number>().as('n')).where('created_at', '>=', q.since).executeTakeFirst(),
    base().select((eb) => eb.fn.countAll<number>().as('n')).where('closed_at', '>=', q.since).executeTakeFirst(),
    base().select((eb) => eb.fn.countAll<number>().as('n')).where('updated_at', '>=', q.since).executeTakeFirst(),
    base()
      .innerJoin('events', 'events.stream_id', 'cases.id')
      .select(['events.type as type', sql<number>`count(*)`.as('n')])
      .where('events.at', '>=', q.since)
      .groupBy('events.type')
      .execute(),
  ]);
  const docs = (rows: { doc: string }[]) => rows.map((r) => parseDoc(r.doc)).filter((d) => canSeeCase(p, d));
  const [overdue, escalated, changed] = await Promise.all([
    base().select('doc').where('state', 'not in', terminal).where('overdue', '=', 1).orderBy('resolve_due').orderBy('id').limit(q.limit).execute(),
    escalatedCase.select('doc').orderBy('updated_at', 'desc').orderBy('id').limit(q.limit).execute(),
    base().select('doc').where('updated_at', '>=', q.since).orderBy('updated_at', 'desc').orderBy('id').limit(q.limit).execute(),
  ]);
  const openByState = byState.map((r) => ({ state: r.state, n: Number(r.n) })).sort((a, b) => b.n - a.n);
  return {
    counts: {
      open: openByState.reduce((s, r) => s + r.n, 0),
      openByState,
      overdue: Number(overdueN?.n ?? 0),
      escalated: Number(escalatedN?.n ?? 0),
      reported: Number(reportedN?.n ?? 0),
      closed: Number(closedN?.n ?? 0),
      eventsByType: byType.map((r) => ({ type: r.type, n: Number(r.n) })).sort((a, b) => b.n - a.n),
      changed: Number(changedN?.n ?? 0),
    },
    overdue: docs(overdue),
    escalated: docs(escalated),
    changed: docs(changed),
  };
}
