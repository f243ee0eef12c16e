/**
 * SQL LIKE with a user's string in it, the one way: every `%`, `_` and `\` of the string is
 * escaped and the comparison names its escape character, so the string matches itself and
 * nothing more on both dialects. (SQLite has no default escape character; PostgreSQL's is `\`,
 * but saying so keeps the two alike.) SQLite compares ASCII letters case-insensitively, PostgreSQL
 * case-sensitively: that difference is LIKE's own and is kept.
 *
 * Every query that puts text from outside (a search box, a code, an id) into a LIKE pattern goes
 * through `likeContains` / `likeStartsWith`; a test on both dialects looks for `%` and `_`.
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';

/** The string as a LIKE pattern that matches exactly it (to be used with ESCAPE '\'). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function like(column: string | Expression<unknown>, pattern: string): RawBuilder<SqlBool> {
  const ref = typeof column === 'string' ? sql.ref(column) : column;
  return sql<SqlBool>`${ref} like ${pattern} escape '\\'`;
}

/** `column` contains `text` anywhere. */
export function likeContains(column: string, text: string): RawBuilder<SqlBool> {
  return likeInOrder(column, [text]);
}

/** `column` starts with `prefix`. */
export function likeStartsWith(column: string, prefix: string): RawBuilder<SqlBool> {
  return like(column, `${escapeLike(prefix)}%`);
}

/**
 * `column` contains each fragment, in this order, anything between them. For JSON text columns
 * the caller writes a value as JSON writes it (`JSON.stringify(id)`: quotes and backslashes
 * escaped) so that it is found whatever characters it holds.
 */
export function likeInOrder(column: string, fragments: readonly string[]): RawBuilder<SqlBool> {
  return like(column, `%${fragments.map(escapeLike).join('%')}%`);
}
