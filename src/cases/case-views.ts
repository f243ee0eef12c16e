/**
 * Saved views of the case list: a user's named filter and sort (`case_views`, migration 0014).
 * Only the owner lists or deletes them; saving and deleting are events of the `view:ID` stream,
 * written in the transaction of the change (who, when, which name and filter).
 */
import type { Store, Tx } from '../store/store.ts';
import type { Clock } from '../clock.ts';
import { CityLoopError } from '../errors.ts';
import { newId } from '../ids.ts';
import { recordAdminChanges } from '../events/admin-events.ts';
import type { Principal } from '../auth/principal.ts';

/** How many views one person keeps. */
export const MAX_VIEWS_PER_USER = 50;

export interface CaseView {
  readonly id: string;
  readonly name: string;
  /** The list's query parameters (filters and sort), as the list route takes them. */
  readonly query: Record<string, unknown>;
  readonly createdAt: string;
}

export async function viewsOf(db: Tx, userId: string): Promise<CaseView[]> {
  const rows = await db.selectFrom('case_views').selectAll().where('owner_user_id', '=', userId).orderBy('name').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, query: JSON.parse(r.query) as Record<string, unknown>, createdAt: r.created_at }));
}

export async function saveView(deps: { store: Store; clock: Clock }, p: Principal, name: string, query: Record<string, unknown>): Promise<CaseView> {
  const at = deps.clock.now().toISOString();
  const id = newId();
  return deps.store.transact(async (tx) => {
    const mine = await tx.selectFrom('case_views').select(['name']).where('owner_user_id', '=', p.userId).execute();
    if (mine.some((v) => v.name === name)) throw new CityLoopError('ALREADY_EXISTS', { what: 'view', id: name });
    if (mine.length >= MAX_VIEWS_PER_USER) throw new CityLoopError('TOO_MANY_VIEWS', { limit: MAX_VIEWS_PER_USER });
    await tx.insertInto('case_views').values({ id, owner_user_id: p.userId, name, query: JSON.stringify(query), created_at: at }).execute();
    await recordAdminChanges(tx, deps.store, p, at, [{ kind: 'view', id, type: 'CaseViewSaved', payload: { owner: p.userId, name, query } }]);
    return { id, name, query, createdAt: at };
  });
}

/** Deletes one of the caller's views; another's is "not found" (its existence is not told). */
export async function deleteView(deps: { store: Store; clock: Clock }, p: Principal, id: string): Promise<void> {
  const at = deps.clock.now().toISOString();
  await deps.store.transact(async (tx) => {
    const row = await tx.selectFrom('case_views').select(['id', 'name', 'owner_user_id']).where('id', '=', id).executeTakeFirst();
    if (!row || row.owner_user_id !== p.userId) throw new CityLoopError('NOT_FOUND', { what: 'view', id });
    await tx.deleteFrom('case_views').where('id', '=', id).execute();
    await recordAdminChanges(tx, deps.store, p, at, [{ kind: 'view', id, type: 'CaseViewDeleted', payload: { owner: p.userId, name: row.name } }]);
  });
}
