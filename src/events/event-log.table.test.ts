import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store, type Tx } from '../store/store.ts';
import { GENESIS_HASH } from '../store/migrations.ts';
import { DIALECTS, PG_URL } from '../../test/support/test-platform.ts';
import { appendEvents, hashEventRow, verifyEventLog, type AuditProblem, type EventDraft, type StoredEventRow } from './event-log.ts';

/**
 * The event log on both stores: append gives each event its place and its link in the hash chain;
 * verify finds an edited row, a broken link, a deleted row or tail, rows put in another order.
 * Each row of the tamper table starts from the same five events, changes the store the way an
 * intruder with write access would, and names exactly the problems verify must report.
 */

const actor = { id: 'u-op', name: '操作员', roles: ['operator'] };
const draft = (streamId: string, streamVersion: number, type: string, payload: unknown, at = '2026-03-02T01:00:00.000Z'): EventDraft => ({
  id: `${streamId}-v${streamVersion}`,
  streamId,
  streamVersion,
  type,
  schemaVersion: 1,
  actor,
  at,
  payload,
});

/** Five events of two streams, interleaved: a v1, a v2, b v1, a v3, b v2 (seq 1 … 5). */
const FIVE: EventDraft[] = [
  draft('case-a', 1, 'CaseReported', { title: '爆管' }),
  draft('case-a', 2, 'CaseRegistered', { note: null }),
  draft('case-b', 1, 'CaseReported', { title: '井盖缺失' }),
  draft('case-a', 3, 'CaseDispatched', { round: 1 }),
  draft('case-b', 2, 'CaseDeclined', { reason: '重复' }),
];

describe('hashEventRow: every stored column is covered', () => {
  const row: Omit<StoredEventRow, 'hash'> = {
    seq: 7,
    id: 'e7',
    stream_id: 'case-a',
    stream_version: 2,
    type: 'CaseRegistered',
    schema_version: 1,
    actor_id: 'u-op',
    actor: JSON.stringify(actor),
    at: '2026-03-02T01:00:00.000Z',
    payload: '{"note":null}',
    prev_hash: 'ab'.repeat(32),
  };
  const changed: [keyof typeof row, unknown][] = [
    ['seq', 8],
    ['id', 'e8'],
    ['stream_id', 'case-b'],
    ['stream_version', 3],
    ['type', 'CaseDeclined'],
    ['schema_version', 2],
    ['actor_id', 'u-other'],
    ['actor', JSON.stringify({ ...actor, name: '他人' })],
    ['at', '2026-03-02T01:00:00.001Z'],
    ['payload', '{"note":""}'],
    ['prev_hash', 'cd'.repeat(32)],
  ];
  it.each(changed)('a changed %s changes the hash', (column, value) => {
    const h = hashEventRow(row);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEventRow({ ...row, [column]: value })).not.toBe(h);
  });
  it('the same row hashes the same', () => expect(hashEventRow({ ...row })).toBe(hashEventRow(row)));
  it('the table names every column but the hash', () => expect(changed.map(([c]) => c).sort()).toEqual(Object.keys(row).sort()));
});

interface TamperRow {
  readonly name: string;
  readonly tamper: (db: Tx, rows: readonly StoredEventRow[]) => Promise<void>;
  readonly problems: Pick<AuditProblem, 'seq' | 'kind'>[];
}

const at = (rows: readonly StoredEventRow[], seq: number) => rows.find((r) => Number(r.seq) === seq)!;

const TAMPERS: TamperRow[] = [
  { name: 'nothing changed: the log verifies', tamper: async () => {}, problems: [] },
  {
    name: 'a payload edited: that event fails its own hash',
    tamper: async (db) => void (await db.updateTable('events').set({ payload: '{"title":"小事"}' }).where('seq', '=', 3).execute()),
    problems: [{ seq: 3, kind: 'hash_mismatch' }],
  },
  {
    name: 'an actor edited: that event fails its own hash',
    tamper: async (db) => void (await db.updateTable('events').set({ actor_id: 'u-nobody' }).where('seq', '=', 1).execute()),
    problems: [{ seq: 1, kind: 'hash_mismatch' }],
  },
  {
    name: 'a payload edited and its hash recomputed: the next event no longer links to it',
    tamper: async (db, rows) => {
      const { hash: _old, ...rest } = at(rows, 3);
      const edited = { ...rest, seq: 3, stream_version: 1, schema_version: 1, payload: '{"title":"小事"}' };
      await db.updateTable('events').set({ payload: edited.payload, hash: hashEventRow(edited) }).where('seq', '=', 3).execute();
    },
    problems: [{ seq: 4, kind: 'chain_broken' }],
  },
  {
    name: 'the tail deleted: the last event no longer reaches the head',
    tamper: async (db) => void (await db.deleteFrom('events').where('seq', '=', 5).execute()),
    problems: [{ seq: null, kind: 'head_mismatch' }],
  },
  {
    name: 'a row deleted in the middle: a gap in the sequence, a broken link, a gap in its stream',
    tamper: async (db) => void (await db.deleteFrom('events').where('seq', '=', 3).execute()),
    problems: [
      { seq: 4, kind: 'sequence_gap' },
      { seq: 4, kind: 'chain_broken' },
      { seq: 5, kind: 'stream_gap' },
    ],
  },
  {
    name: 'two rows swapped: both fail their hash and the chain breaks around them',
    tamper: async (db) => {
      await db.updateTable('events').set({ seq: -2 }).where('seq', '=', 2).execute();
      await db.updateTable('events').set({ seq: 2 }).where('seq', '=', 3).execute();
      await db.updateTable('events').set({ seq: 3 }).where('seq', '=', -2).execute();
    },
    problems: [
      { seq: 2, kind: 'chain_broken' },
      { seq: 2, kind: 'hash_mismatch' },
      { seq: 3, kind: 'chain_broken' },
      { seq: 3, kind: 'hash_mismatch' },
      { seq: 4, kind: 'chain_broken' },
    ],
  },
  {
    name: 'a stream\'s versions swapped within a consistent chain: the stream gap shows',
    tamper: async (db, rows) => {
      // Rewrite seq 2 as version 3 and seq 4 as version 2, recomputing every hash from there on.
      let prev = at(rows, 1).hash;
      const rewritten: { seq: number; version: number; prev_hash: string; hash: string }[] = [];
      for (const seq of [2, 3, 4, 5]) {
        const { hash: _h, ...r } = at(rows, seq);
        const version = seq === 2 ? 3 : seq === 4 ? 2 : Number(r.stream_version);
        const next = { ...r, seq, stream_version: version, schema_version: 1, prev_hash: prev };
        prev = hashEventRow(next);
        rewritten.push({ seq, version, prev_hash: next.prev_hash, hash: prev });
      }
      // Out of the way first: (stream, version) is unique.
      for (const w of rewritten) await db.updateTable('events').set({ stream_version: -w.seq }).where('seq', '=', w.seq).execute();
      for (const w of rewritten) await db.updateTable('events').set({ stream_version: w.version, prev_hash: w.prev_hash, hash: w.hash }).where('seq', '=', w.seq).execute();
      await db.updateTable('log_head').set({ hash: prev }).where('id', '=', 1).execute();
    },
    problems: [
      { seq: 2, kind: 'stream_gap' },
      { seq: 4, kind: 'stream_gap' },
    ],
  },
  {
    name: 'the head row edited: it no longer matches the last event',
    tamper: async (db) => void (await db.updateTable('log_head').set({ hash: 'ff'.repeat(32) }).where('id', '=', 1).execute()),
    problems: [{ seq: null, kind: 'head_mismatch' }],
  },
  {
    name: 'an event added after the head: the head does not reach it',
    tamper: async (db, rows) => {
      const base = { seq: 6, id: 'x', stream_id: 'case-b', stream_version: 3, type: 'CaseReopened', schema_version: 1, actor_id: 'u-op', actor: JSON.stringify(actor), at: '2026-03-02T02:00:00.000Z', payload: '{}', prev_hash: at(rows, 5).hash };
      await db.insertInto('events').values({ ...base, hash: hashEventRow(base) }).execute();
    },
    problems: [{ seq: null, kind: 'head_mismatch' }],
  },
];

describe.each(DIALECTS)('event log on %s', (dialect) => {
  let store: Store;
  const schema = `log_${process.pid}_${Date.now()}`;

  beforeAll(async () => {
    // A generous bound on each store call: the machine running the suite may be busy, and this
    // file is about what the log says, not how fast the store answers.
    store = await openStore(dialect === 'postgres' ? { databaseUrl: PG_URL, pgSchema: schema, timeoutMs: 60_000 } : { databaseUrl: ':memory:', timeoutMs: 60_000 });
  });
  afterAll(async () => {
    if (dialect === 'postgres') await store?.db.schema.dropSchema(schema).ifExists().cascade().execute();
    await store?.close();
  });

  /** Empties the log and writes FIVE: two appends, as two commands would. */
  async function freshLog(): Promise<StoredEventRow[]> {
    await store.transact(async (tx) => {
      await tx.deleteFrom('events').execute();
      await tx.updateTable('log_head').set({ seq: 0, hash: GENESIS_HASH }).where('id', '=', 1).execute();
    });
    const first = await store.transact((tx) => appendEvents(tx, store, FIVE.slice(0, 2)));
    const rest = await store.transact((tx) => appendEvents(tx, store, FIVE.slice(2)));
    return [...first, ...rest];
  }

  it('append: consecutive seqs, each linked to the one before, the head at the last', async () => {
    const rows = await freshLog();
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    for (const r of rows) {
      const { hash, ...rest } = r;
      expect(hash).toBe(hashEventRow(rest));
    }
    expect(rows.map((r) => [r.stream_id, r.stream_version, r.type])).toEqual(FIVE.map((d) => [d.streamId, d.streamVersion, d.type]));
    expect(rows[0]).toMatchObject({ id: 'case-a-v1', actor_id: 'u-op', actor: JSON.stringify(actor), payload: '{"title":"爆管"}', at: '2026-03-02T01:00:00.000Z', schema_version: 1 });
    const head = await store.db.selectFrom('log_head').select(['seq', 'hash']).executeTakeFirstOrThrow();
    expect([Number(head.seq), head.hash]).toEqual([5, rows[4]!.hash]);
    const stored = await store.db.selectFrom('events').selectAll().orderBy('seq').execute();
    expect(stored.map((r) => ({ ...r, seq: Number(r.seq), stream_version: Number(r.stream_version), schema_version: Number(r.schema_version) }))).toEqual(rows);
  });

  it('append of nothing writes nothing and leaves the head', async () => {
    await freshLog();
    expect(await store.transact((tx) => appendEvents(tx, store, []))).toEqual([]);
    expect(Number((await store.db.selectFrom('log_head').select('seq').executeTakeFirstOrThrow()).seq)).toBe(5);
  });

  it('an append rolled back with its transaction leaves no trace in the chain', async () => {
    const rows = await freshLog();
    await expect(
      store.transact(async (tx) => {
        await appendEvents(tx, store, [draft('case-c', 1, 'CaseReported', {})]);
        throw new Error('the command failed');
      }),
    ).rejects.toThrow('the command failed');
    const [next] = await store.transact((tx) => appendEvents(tx, store, [draft('case-d', 1, 'CaseReported', {})]));
    expect([Number(next!.seq), next!.prev_hash]).toEqual([6, rows[4]!.hash]);
    expect((await verifyEventLog(store.db)).ok).toBe(true);
  });

  it.each(TAMPERS)('verify: $name', async ({ tamper, problems }) => {
    const rows = await freshLog();
    await store.transact((tx) => tamper(tx, rows));
    // A page of two events: the walk crosses pages in every row.
    const report = await verifyEventLog(store.db, { pageSize: 2 });
    expect(report.problems.map((p) => ({ seq: p.seq, kind: p.kind }))).toEqual(problems);
    expect(report.ok).toBe(problems.length === 0);
  });

  it('verify reports progress per page and stops at maxProblems', async () => {
    const rows = await freshLog();
    const progress: [number, number][] = [];
    expect(await verifyEventLog(store.db, { pageSize: 2, onProgress: (d, t) => progress.push([d, t]) })).toEqual({ ok: true, events: 5, headSeq: 5, headHash: rows[4]!.hash, problems: [] });
    expect(progress).toEqual([[2, 5], [4, 5], [5, 5]]);
    await store.transact(async (tx) => void (await tx.updateTable('events').set({ payload: '{}' }).execute()));
    const report = await verifyEventLog(store.db, { maxProblems: 2 });
    expect(report.problems.map((p) => [p.seq, p.kind])).toEqual([[1, 'hash_mismatch'], [2, 'hash_mismatch']]);
    expect(report.ok).toBe(false);
  });

  it('the tail deleted together with a rewritten head is not evident: the head hash must be kept elsewhere', async () => {
    const rows = await freshLog();
    await store.transact(async (tx) => {
      await tx.deleteFrom('events').where('seq', '=', 5).execute();
      await tx.updateTable('log_head').set({ seq: 4, hash: rows[3]!.hash }).where('id', '=', 1).execute();
    });
    const report = await verifyEventLog(store.db);
    expect(report.ok).toBe(true);
    // What shows it: the head hash differs from the one printed (and kept) before.
    expect(report.headHash).not.toBe(rows[4]!.hash);
  });
});
