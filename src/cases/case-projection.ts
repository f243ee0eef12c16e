/**
 * The current-state tables of cases (`cases`, `tasks`), written from the case as its events left
 * it, in the transaction that appends them. `cases.doc` holds the whole case; the other columns are
 * what queries filter and sort on.
 */
import type { Tx } from '../store/store.ts';
import type { CaseDoc } from './case-model.ts';
import { searchTermsOf } from '../store/search-terms.ts';

/** Phone numbers compared as digits only (+86 and separators dropped). */
export function normalizePhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const digits = phone.replace(/\D/g, '').replace(/^86(?=1\d{10}$)/, '');
  return digits.length >= 5 ? digits : null;
}

export async function projectCase(tx: Tx, before: CaseDoc | null, doc: CaseDoc): Promise<void> {
  const district = doc.chain.find((l) => l.level === 'district')?.code ?? null;
  const street = doc.chain.find((l) => l.level === 'street')?.code ?? null;
  const row = {
    state: doc.state,
    priority: doc.priority,
    center_id: doc.centerId,
    tier: doc.tier,
    updated_at: doc.updatedAt,
    respond_due: doc.respondDue,
    resolve_due: doc.resolveDue,
    closed_at: doc.closedAt,
    overdue: doc.overdue ? 1 : 0,
    version: doc.version,
    doc: JSON.stringify(doc),
    // What queries filter on, as columns (not LIKE over the JSON above).
    plan_id: doc.plan?.id ?? null,
    appeal_outcome: doc.routing?.outcome ?? null,
    appeal_automatic: doc.routing ? (doc.routing.automatic ? 1 : 0) : null,
    community_code: doc.chain.find((l) => l.level === 'community')?.code ?? null,
  };
  if (!before) {
    await tx
      .insertInto('cases')
      .values({
        ...row,
        id: doc.id,
        number: doc.number,
        source: doc.source,
        category_code: doc.categoryCode,
        title: doc.title,
        lng: doc.location.lng,
        lat: doc.location.lat,
        jurisdiction_code: doc.chain[doc.chain.length - 1]?.code ?? '',
        district_code: district,
        street_code: street,
        chain: JSON.stringify(doc.chain.map((l) => l.code)),
        reporter_user_id: doc.reporter.userId,
        reporter_phone: normalizePhone(doc.reporter.phone),
        created_at: doc.createdAt,
      })
      .execute();
  } else {
    await tx.updateTable('cases').set(row).where('id', '=', doc.id).execute();
  }
  await projectSharingCenters(tx, before, doc);
  await projectSearchTerms(tx, before, doc);
  const old = new Map((before?.tasks ?? []).map((t) => [t.id, t]));
  const inserts = doc.tasks.filter((t) => !old.has(t.id));
  if (inserts.length > 0) {
    await tx
      .insertInto('tasks')
      .values(
        inserts.map((t) => ({
          id: t.id,
          case_id: doc.id,
          unit_id: t.unitId,
          role: t.role,
          state: t.state,
          round: t.round,
          deadline: t.deadline,
          dispatched_at: t.dispatchedAt,
          updated_at: doc.updatedAt,
          overdue: t.overdue ? 1 : 0,
        })),
      )
      .execute();
  }
  for (const t of doc.tasks) {
    const o = old.get(t.id);
    if (o && (o.state !== t.state || o.overdue !== t.overdue)) {
      await tx.updateTable('tasks').set({ state: t.state, overdue: t.overdue ? 1 : 0, updated_at: doc.updatedAt }).where('id', '=', t.id).execute();
    }
  }
}

/** The words the case is found by (`case_search`, indexed by each store's full-text engine, 0014). */
async function projectSearchTerms(tx: Tx, before: CaseDoc | null, doc: CaseDoc): Promise<void> {
  const terms = searchTermsOf(doc);
  if (!before) {
    await tx.insertInto('case_search').values({ case_id: doc.id, terms }).execute();
  } else if (searchTermsOf(before) !== terms) {
    await tx.updateTable('case_search').set({ terms }).where('case_id', '=', doc.id).execute();
  }
}

/** The centers sharing a joint case (跨区域协同) as rows of `case_centers`, kept as the case says. */
async function projectSharingCenters(tx: Tx, before: CaseDoc | null, doc: CaseDoc): Promise<void> {
  const was = new Set(before?.coordination?.centerIds ?? []);
  const now = new Set(doc.coordination?.centerIds ?? []);
  const added = [...now].filter((c) => !was.has(c));
  const removed = [...was].filter((c) => !now.has(c));
  if (added.length > 0) await tx.insertInto('case_centers').values(added.map((c) => ({ case_id: doc.id, center_id: c }))).execute();
  if (removed.length > 0) await tx.deleteFrom('case_centers').where('case_id', '=', doc.id).where('center_id', 'in', removed).execute();
}
