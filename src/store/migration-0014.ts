/**
 * 0014: cases searched by their words, and saved views of the case list.
 *
 * `case_search` holds each case's search terms (src/store/search-terms.ts: CJK bigrams and their
 * characters, other words lower-cased), written by the case projection in the transaction of each
 * change. Each store indexes it with its own full-text engine — the one place a migration branches
 * on the vendor:
 * - SQLite: an FTS5 table `case_fts` over `case_search` (external content, `unicode61`: it splits on
 *   the spaces between terms), kept by triggers;
 * - PostgreSQL: a GIN index on `to_tsvector('simple', terms)` (no stemming, no stop words, the
 *   C locale's parser keeps CJK characters as word characters).
 * The terms are backfilled from the stored documents.
 *
 * `case_views`: a user's named filter and sort of the case list (the list page's saved views).
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { isPostgres } from './dialect.ts';
import { searchTermsOf, type SearchableCase } from './search-terms.ts';

/** What a stored case is searched by (the columns where the document lacks a field). */
function searchableOf(r: { number: string; title: string; doc: string }): SearchableCase {
  const d = JSON.parse(r.doc) as Partial<{ title: string; description: string; location: { address?: string } }>;
  return { number: r.number, title: d.title ?? r.title, description: d.description ?? '', location: { address: d.location?.address ?? '' } };
}

export const migration0014: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('case_search')
      .addColumn('case_id', 'text', (c) => c.primaryKey())
      .addColumn('terms', 'text', (c) => c.notNull())
      .execute();
    if (isPostgres(db)) {
      await sql`create index case_search_tsv on case_search using gin (to_tsvector('simple', terms))`.execute(db);
    } else {
      await sql`create virtual table case_fts using fts5(terms, content='case_search', content_rowid='rowid', tokenize='unicode61')`.execute(db);
      await sql`create trigger case_search_ai after insert on case_search begin insert into case_fts(rowid, terms) values (new.rowid, new.terms); end`.execute(db);
      await sql`create trigger case_search_ad after delete on case_search begin insert into case_fts(case_fts, rowid, terms) values ('delete', old.rowid, old.terms); end`.execute(db);
      await sql`create trigger case_search_au after update on case_search begin insert into case_fts(case_fts, rowid, terms) values ('delete', old.rowid, old.terms); insert into case_fts(rowid, terms) values (new.rowid, new.terms); end`.execute(db);
    }
    let after = '';
    for (;;) {
      const rows: { id: string; number: string; title: string; doc: string }[] = await db.selectFrom('cases').select(['id', 'number', 'title', 'doc']).where('id', '>', after).orderBy('id').limit(500).execute();
      if (rows.length === 0) break;
      await db
        .insertInto('case_search')
        .values(rows.map((r) => ({ case_id: r.id, terms: searchTermsOf(searchableOf(r)) })))
        .execute();
      after = rows[rows.length - 1]!.id;
    }

    await db.schema
      .createTable('case_views')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_user_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('query', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('case_views_owner').on('case_views').columns(['owner_user_id', 'name']).unique().execute();
  },
};
