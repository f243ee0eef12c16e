import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { StoreAdapter, Tx } from '../store/store.ts';
import type { EventTable } from '../store/schema.ts';
import { GENESIS_HASH } from '../store/migrations.ts';

/** An event before it is written: the log gives it its place (seq) and its hash. */
export interface EventDraft {
  readonly id: string;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly actor: { readonly id: string; readonly name: string; readonly roles: readonly string[] };
  readonly at: string;
  readonly payload: unknown;
  /**
   * What kind of stream the event belongs to (`case`, `alert`, or an administrative kind: `device`,
   * `rule`, `user` …), so the log is queried by kind with an index, not by a pattern on the id.
   * Derived from the stream, whose id the hash covers; it is not part of the hash itself.
   */
  readonly streamType?: string | undefined;
}

export type StoredEventRow = EventTable;

/**
 * The hash covers the stored text of every column, so verification needs no canonical JSON:
 * whatever is in the row now is what was hashed, or the chain breaks.
 */
export function hashEventRow(r: Omit<EventTable, 'hash'>): string {
  return createHash('sha256')
    .update(
      [r.prev_hash, r.seq, r.id, r.stream_id, r.stream_version, r.type, r.schema_version, r.actor_id, r.actor, r.at, r.payload].join('\u001f'),
    )
    .digest('hex');
}

/**
 * Appends events to the one log inside the caller's transaction. The log head row serialises
 * writers (FOR UPDATE where the store has row locks; SQLite has one writer anyway), so the chain
 * of hashes has no forks and sequence numbers no gaps.
 */
export async function appendEvents(tx: Tx, store: Pick<StoreAdapter, 'capabilities'>, drafts: readonly EventDraft[]): Promise<StoredEventRow[]> {
  if (drafts.length === 0) return [];
  let q = tx.selectFrom('log_head').select(['seq', 'hash']).where('id', '=', 1);
  if (store.capabilities.rowLocks) q = q.forUpdate();
  const head = await q.executeTakeFirst();
  if (!head) throw new Error('the event log has no head row: the store was not migrated');
  let seq = Number(head.seq);
  let prev = head.hash;
  const rows: StoredEventRow[] = [];
  for (const d of drafts) {
    seq += 1;
    const base = {
      seq,
      id: d.id,
      stream_id: d.streamId,
      stream_version: d.streamVersion,
      type: d.type,
      schema_version: d.schemaVersion,
      actor_id: d.actor.id,
      actor: JSON.stringify({ id: d.actor.id, name: d.actor.name, roles: d.actor.roles }),
      at: d.at,
      payload: JSON.stringify(d.payload),
      prev_hash: prev,
    };
    const hash = hashEventRow(base);
    rows.push({ ...base, hash, stream_type: d.streamType ?? null });
    prev = hash;
  }
  await tx.insertInto('events').values(rows).execute();
  await tx.updateTable('log_head').set({ seq, hash: prev }).where('id', '=', 1).execute();
  return rows;
}

export interface AuditProblem {
  readonly seq: number | null;
  readonly kind: 'hash_mismatch' | 'chain_broken' | 'sequence_gap' | 'stream_gap' | 'head_mismatch';
  readonly detail: string;
}

export interface AuditReport {
  readonly ok: boolean;
  readonly events: number;
  readonly headSeq: number;
  readonly headHash: string;
  readonly problems: AuditProblem[];
}

/**
 * Walks the whole log in order: an edited event fails its own hash; an inserted or deleted one
 * breaks the sequence or the chain; a deleted tail no longer reaches the head row.
 */
export async function verifyEventLog(
  db: Tx,
  opts: { pageSize?: number; onProgress?: (done: number, total: number) => void; maxProblems?: number } = {},
): Promise<AuditReport> {
  const pageSize = opts.pageSize ?? 5000;
  const maxProblems = opts.maxProblems ?? 100;
  const head = await db.selectFrom('log_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  const totalRow = await db.selectFrom('events').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  const total = Number(totalRow.n);
  const problems: AuditProblem[] = [];
  const streamVersions = new Map<string, number>();
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let lastSeq = 0;
  let done = 0;
  for (;;) {
    const rows = await db.selectFrom('events').selectAll().where('seq', '>', lastSeq).orderBy('seq').limit(pageSize).execute();
    if (rows.length === 0) break;
    for (const raw of rows) {
      const r = { ...raw, seq: Number(raw.seq), stream_version: Number(raw.stream_version), schema_version: Number(raw.schema_version) };
      if (r.seq !== expectedSeq) {
        problems.push({ seq: r.seq, kind: 'sequence_gap', detail: `expected event #${expectedSeq}, found #${r.seq}` });
      }
      if (r.prev_hash !== prevHash) {
        problems.push({ seq: r.seq, kind: 'chain_broken', detail: `event #${r.seq} does not point to the hash of the event before it` });
      }
      const { hash, ...rest } = r;
      if (hashEventRow(rest) !== hash) {
        problems.push({ seq: r.seq, kind: 'hash_mismatch', detail: `event #${r.seq} (${r.type} of ${r.stream_id}) was changed after it was written` });
      }
      const v = streamVersions.get(r.stream_id) ?? 0;
      if (r.stream_version !== v + 1) {
        problems.push({ seq: r.seq, kind: 'stream_gap', detail: `stream ${r.stream_id}: version ${r.stream_version} follows ${v}` });
      }
      streamVersions.set(r.stream_id, r.stream_version);
      prevHash = hash;
      expectedSeq = r.seq + 1;
      lastSeq = r.seq;
      done += 1;
      if (problems.length >= maxProblems) break;
    }
    opts.onProgress?.(done, total);
    if (problems.length >= maxProblems) break;
  }
  const headSeq = Number(head.seq);
  if (problems.length < maxProblems && (headSeq !== lastSeq || head.hash !== prevHash)) {
    problems.push({ seq: null, kind: 'head_mismatch', detail: `the log head says #${headSeq}, the last event is #${lastSeq}: events were removed or added at the end` });
  }
  return { ok: problems.length === 0, events: done, headSeq, headHash: head.hash, problems };
}

/** The streams with events after `seq` (up to `limit` events), in the order of their first such event. */
export async function streamsAfter(db: Tx, seq: number, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('events').select(['seq', 'stream_id']).where('seq', '>', seq).orderBy('seq').limit(limit).execute();
  return [...new Set(rows.map((r) => r.stream_id))];
}

/**
 * The newest events of the given kinds of stream (`case`, `alert` …), newest first, before `beforeSeq`
 * (exclusive; 0: from the end), at `since` or later: one page of the feed's history. Each comes with
 * its row, for the reader to present once it has checked who may see the stream.
 */
export async function recentEventRows(db: Tx, q: { kinds: readonly string[]; since: string; beforeSeq: number; limit: number }): Promise<StoredEventRow[]> {
  let sel = db.selectFrom('events').selectAll().where('stream_type', 'in', [...q.kinds]).where('at', '>=', q.since);
  if (q.beforeSeq > 0) sel = sel.where('seq', '<', q.beforeSeq);
  return sel.orderBy('seq', 'desc').limit(q.limit).execute();
}
