/**
 * 0012: columns, not JSON patterns. What queries asked of `cases.doc` with LIKE (which depended on
 * the key order of the stored JSON and used no index) becomes columns and a table, filled from the
 * stored documents: the plan a case runs (`plan_id`), how smart routing placed an appeal
 * (`appeal_outcome`, `appeal_automatic`), the community a case lies in (`community_code`, the one
 * level the jurisdiction filter lacked a column for) and the centers sharing a joint case
 * (`case_centers`); and the kind of each event's stream (`events.stream_type`: case, alert, or the
 * administrative kind before the colon of `kind:id`), which the audit page asked of the id with LIKE.
 */
import type { Kysely, Migration } from 'kysely';

interface DocColumns {
  readonly plan_id: string | null;
  readonly appeal_outcome: string | null;
  readonly appeal_automatic: number | null;
  readonly community_code: string | null;
}

/** The columns of 0012 as a stored case document gives them (the projection writes the same). */
export function docColumns(doc: {
  plan?: { id: string } | null | undefined;
  routing?: { automatic: boolean; outcome: string } | null | undefined;
  chain: readonly { code: string; level: string }[];
}): DocColumns {
  return {
    plan_id: doc.plan?.id ?? null,
    appeal_outcome: doc.routing?.outcome ?? null,
    appeal_automatic: doc.routing ? (doc.routing.automatic ? 1 : 0) : null,
    community_code: doc.chain.find((l) => l.level === 'community')?.code ?? null,
  };
}

export const migration0012: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('cases').addColumn('plan_id', 'text').execute();
    await db.schema.alterTable('cases').addColumn('appeal_outcome', 'text').execute();
    await db.schema.alterTable('cases').addColumn('appeal_automatic', 'integer').execute();
    await db.schema.alterTable('cases').addColumn('community_code', 'text').execute();
    await db.schema
      .createTable('case_centers')
      .addColumn('case_id', 'text', (c) => c.notNull())
      .addColumn('center_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('case_centers_pk', ['case_id', 'center_id'])
      .execute();
    // 跨区域协同: "the cases this center shares" is asked by center.
    await db.schema.createIndex('case_centers_center').on('case_centers').columns(['center_id', 'case_id']).execute();
    // 复盘 reads a plan's cases; the triage queue and routing statistics read by outcome.
    await db.schema.createIndex('cases_plan').on('cases').columns(['plan_id', 'created_at']).execute();
    await db.schema.createIndex('cases_appeal_outcome').on('cases').columns(['appeal_outcome', 'state', 'created_at']).execute();
    await db.schema.createIndex('cases_community').on('cases').columns(['community_code']).execute();
    await db.schema.alterTable('events').addColumn('stream_type', 'text').execute();
    await db.schema.createIndex('events_stream_type').on('events').columns(['stream_type', 'seq']).execute();
    await backfillStreamTypes(db);
    // Backfill from the stored documents, a page at a time by id.
    let after = '';
    for (;;) {
      const rows: { id: string; doc: string }[] = await db.selectFrom('cases').select(['id', 'doc']).where('id', '>', after).orderBy('id').limit(500).execute();
      if (rows.length === 0) break;
      for (const r of rows) {
        const doc = JSON.parse(r.doc);
        await db.updateTable('cases').set(docColumns(doc)).where('id', '=', r.id).execute();
        const centers: string[] = doc.coordination?.centerIds ?? [];
        if (centers.length > 0) await db.insertInto('case_centers').values([...new Set(centers)].map((c) => ({ case_id: r.id, center_id: c }))).execute();
      }
      after = rows[rows.length - 1]!.id;
    }
  },
};

/** Each stream's kind: a case's or an alert's (their ids are bare), else the `kind` of `kind:id`. */
async function backfillStreamTypes(db: Kysely<any>): Promise<void> {
  const streams: { stream_id: string }[] = await db.selectFrom('events').select('stream_id').distinct().execute();
  const ids = streams.map((s) => s.stream_id);
  const known = new Map<string, string>();
  for (const [table, type] of [['cases', 'case'], ['alerts', 'alert']] as const) {
    for (let i = 0; i < ids.length; i += 500) {
      const rows: { id: string }[] = await db.selectFrom(table).select('id').where('id', 'in', ids.slice(i, i + 500)).execute();
      for (const r of rows) known.set(r.id, type);
    }
  }
  for (const id of ids) {
    const colon = id.indexOf(':');
    const type = known.get(id) ?? (colon > 0 ? id.slice(0, colon) : null);
    if (type !== null) await db.updateTable('events').set({ stream_type: type }).where('stream_id', '=', id).execute();
  }
}
