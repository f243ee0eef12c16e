/**
 * The outbox (effects decided in a transaction, carried out after it): writing its rows and claiming them, shared by
 * every runner — the plans' (device commands, notifications) and the alerts' (automatic
 * verification, a sensor back to normal). Each runner takes only its own kinds. A claim is a hold
 * until a time; a runner renews it while it works, and one that died (kill -9, power) lets go when
 * the hold runs out, so the next pass anywhere takes the effect over.
 */
import { newId } from '../ids.ts';
import type { OutboxTable } from './schema.ts';
import type { Tx } from './store.ts';

/**
 * Writes effects, pending, in the caller's transaction (the one that decided them); returns their
 * ids, which are the effects' ids (a device's command id). `streamId`: what the effect acts on.
 */
export async function writeEffects(tx: Tx, effects: readonly { kind: string; streamId: string; payload: unknown }[], at: string): Promise<string[]> {
  if (effects.length === 0) return [];
  const rows = effects.map((e) => ({ id: newId(), kind: e.kind, stream_id: e.streamId, payload: JSON.stringify(e.payload), status: 'pending', attempts: 0, claimed_until: null, created_at: at, done_at: null }));
  await tx.insertInto('outbox').values(rows).execute();
  return rows.map((r) => r.id);
}

/** A runner holds what it claimed for this long, and renews the hold every RENEW_MS while it works. */
export const OUTBOX_HOLD_MS = 15_000;
export const OUTBOX_RENEW_MS = 5_000;

export function holdUntil(now: Date): string {
  return new Date(now.getTime() + OUTBOX_HOLD_MS).toISOString();
}

/** Pending effects of these kinds that nobody holds, oldest first. */
export function unclaimedEffects(db: Tx, kinds: readonly string[], now: Date, limit: number): Promise<OutboxTable[]> {
  const at = now.toISOString();
  return db
    .selectFrom('outbox')
    .selectAll()
    .where('status', '=', 'pending')
    .where('kind', 'in', kinds)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', at)]))
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Holds an effect for the caller; false when another runner holds it (or it is done). */
export async function claimEffect(db: Tx, row: Pick<OutboxTable, 'id' | 'attempts'>, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('outbox')
    .set({ claimed_until: holdUntil(now), attempts: Number(row.attempts) + 1 })
    .where('id', '=', row.id)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now.toISOString())]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function renewClaims(db: Tx, ids: readonly string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('outbox').set({ claimed_until: holdUntil(now) }).where('id', 'in', ids).where('status', '=', 'pending').execute();
}

/**
 * Marks an effect done, in the caller's transaction (the one that records its outcome); false when
 * it was done already — then the caller records nothing, and the effect counts once.
 */
export async function markEffectDone(tx: Tx, id: string, at: string): Promise<boolean> {
  const r = await tx.updateTable('outbox').set({ status: 'done', done_at: at }).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
