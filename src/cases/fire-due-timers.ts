/**
 * Use case: fire the timers that have come due. Each is claimed and its consequences appended in
 * one transaction, so a crash between the two is impossible and a timer never fires twice, even
 * with several server processes on one PostgreSQL.
 */
import { SYSTEM_ACTOR } from './case-events.ts';
import { decideTimer, type TimerKind } from './case-timers.ts';
import type { CaseWriter } from './case-writer.ts';

export async function fireDueTimers(w: CaseWriter, limit = 200): Promise<number> {
  const { store, clock, org, bus } = w.d;
  const now = clock.now().toISOString();
  const due = await store.db
    .selectFrom('timers')
    .select(['id', 'kind', 'case_id', 'task_id', 'due_at', 'detail'])
    .where('status', '=', 'pending')
    .where('due_at', '<=', now)
    .orderBy('due_at')
    .limit(limit)
    .execute();
  let fired = 0;
  for (const t of due) {
    const result = await store.transact(async (tx) => {
      const claim = await tx.updateTable('timers').set({ status: 'fired', fired_at: now }).where('id', '=', t.id).where('status', '=', 'pending').executeTakeFirst();
      if (Number(claim.numUpdatedRows) !== 1) return null;
      const doc = await w.loadForUpdate(tx, t.case_id);
      if (!doc) return null;
      const center = org.center(doc.centerId);
      const parent = center?.parentCenterId ? org.center(center.parentCenterId) : undefined;
      const bodies = decideTimer(doc, { kind: t.kind as TimerKind, taskId: t.task_id, dueAt: t.due_at, detail: t.detail ?? null }, parent ? { id: parent.id, tier: parent.tier } : null);
      if (bodies.length === 0) {
        await tx.updateTable('timers').set({ status: 'void' }).where('id', '=', t.id).execute();
        return null;
      }
      return w.commit(tx, doc.id, doc, bodies, SYSTEM_ACTOR);
    });
    if (result && result.events.length > 0) {
      fired += 1;
      bus.publish(result);
    }
  }
  return fired;
}
