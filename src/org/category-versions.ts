/**
 * The category list (事项类别) as an administrator edits it: the whole list at once, checked by
 * validateCategories with every problem's path (and line, for YAML), refused when it leaves out a
 * category still in use, and saved as a version with who saved it, when, and what changed.
 * `categories` stays the list in force (the org directory reads it); `category_versions` is the
 * history. The first save also records the list as it was before (by `system`), so the history
 * starts from what the city had. Reference: docs/reference/administration.md.
 */
import type { Clock } from '../clock.ts';
import { CityLoopError } from '../errors.ts';
import { validateCategories, type CategoryDefinition } from './category-model.ts';
import type { StoreAdapter, Tx } from '../store/store.ts';
import { authorActor, authorName, recordAdminChanges, type ChangeAuthor } from '../events/admin-events.ts';
import { DURATION_PATTERN, DURATION_RULE } from '../documents/duration.ts';
import { problemAt, underPointer, type Bilingual, type DocumentProblem } from '../documents/problem.ts';
import { schemaCheck } from '../documents/schema-check.ts';
import { placeProblems, readYaml } from '../documents/yaml-text.ts';
import { categoryFromRow, categoryToRow } from './category-rows.ts';

export const CATEGORY_FIELDS = ['code', 'parentCode', 'nameZh', 'nameEn', 'respondWithin', 'resolveWithin', 'basis', 'defaultPriority'] as const;
type Field = (typeof CATEGORY_FIELDS)[number];

/** A list longer than any city's catalogue. */
export const MAX_CATEGORIES = 2000;

export type CategoryListCheck = { readonly ok: true; readonly items: CategoryDefinition[] } | { readonly ok: false; readonly problems: DocumentProblem[] };

/**
 * Reads a category list: YAML or JSON text (a list, or `{ categories: [...] }`), or the list
 * itself (the form sends it as JSON). Paths point into what was given: `/3/respondWithin`, or
 * `/categories/3/respondWithin` in a wrapped text.
 */
export function checkCategoryList(input: string | unknown): CategoryListCheck {
  let data: unknown = input;
  let place = (problems: DocumentProblem[]): DocumentProblem[] => problems;
  if (typeof input === 'string') {
    const read = readYaml(input);
    if (!read.ok) return read;
    data = read.data;
    place = (problems) => placeProblems(read, problems);
  }
  let prefix = '';
  if (data !== null && typeof data === 'object' && !Array.isArray(data) && Array.isArray((data as { categories?: unknown }).categories)) {
    data = (data as { categories: unknown[] }).categories;
    prefix = '/categories';
  }
  const problems: DocumentProblem[] = [];
  const at = (path: string, en: string, zh: string) => problems.push(problemAt(prefix + path, { en, zh }));
  if (!Array.isArray(data)) {
    at('', 'must be a list of categories (or { categories: [...] })', '须为事项类别列表（或 { categories: [...] }）');
    return { ok: false, problems: place(problems) };
  }
  if (data.length === 0) at('', 'the list holds no category', '列表中没有事项类别');
  if (data.length > MAX_CATEGORIES) at('', `at most ${MAX_CATEGORIES} categories (got ${data.length})`, `最多 ${MAX_CATEGORIES} 个事项类别（实际 ${data.length} 个）`);

  const items: CategoryDefinition[] = [];
  data.forEach((raw: unknown, i) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      at(`/${i}`, 'must be a category { code, parentCode, nameZh, nameEn, respondWithin, resolveWithin, basis, defaultPriority }', '须为事项类别 { code, parentCode, nameZh, nameEn, respondWithin, resolveWithin, basis, defaultPriority }');
      return;
    }
    const o = raw as Record<string, unknown>;
    // No parent, written any way a form or a YAML file writes it.
    const item = { ...o, parentCode: o.parentCode === undefined || o.parentCode === '' ? null : o.parentCode } as Record<string, unknown>;
    // The schema step says what the shape and the durations lack; validateCategories, field by
    // field, the values (code, names, basis, priority, response no later than resolution).
    const shape = CATEGORY_CHECK.check(item).map((p) => underPointer(`${prefix}/${i}`, p));
    problems.push(...shape);
    for (const [field, message] of itemProblems(item)) {
      if (!shape.some((p) => p.pointer === `${prefix}/${i}/${field}`)) at(`/${i}/${field}`, message.en, message.zh);
    }
    items.push(pick(item));
  });
  // Across the list: unique codes, parents that exist, no loops.
  const first = new Map<string, number>();
  items.forEach((c, i) => {
    if (typeof c.code !== 'string') return;
    const j = first.get(c.code);
    if (j !== undefined) at(`/${i}/code`, `code ${c.code} is used twice (also /${j})`, `代码 ${c.code} 重复（另见第 ${j + 1} 项）`);
    else first.set(c.code, i);
  });
  items.forEach((c, i) => {
    if (typeof c.parentCode !== 'string') return;
    if (!first.has(c.parentCode)) {
      at(`/${i}/parentCode`, `parent ${c.parentCode} does not exist`, `上级类别 ${c.parentCode} 不存在`);
      return;
    }
    const seen = new Set([c.code]);
    for (let p: string | null = c.parentCode; p !== null; p = items[first.get(p)!]?.parentCode ?? null) {
      if (seen.has(p)) {
        at(`/${i}/parentCode`, `the parent chain loops through ${p}`, `上级链条循环经过 ${p}`);
        break;
      }
      if (!first.has(p)) break;
      seen.add(p);
    }
  });
  if (problems.length === 0) {
    // validateCategories is the authority; the checks above only say more, and where.
    try {
      validateCategories(items);
    } catch (e) {
      at('', (e as Error).message, (e as Error).message);
    }
  }
  if (problems.length > 0) return { ok: false, problems: place(problems) };
  return { ok: true, items };
}

const deadline = (zh: string): Bilingual => ({ en: DURATION_RULE.en, zh: `${zh}：${DURATION_RULE.zh}` });
/** One category's shape; its values are validateCategories' to judge (one rule, one place). */
const CATEGORY_CHECK = schemaCheck(
  {
    type: 'object',
    additionalProperties: false,
    required: CATEGORY_FIELDS.filter((f) => f !== 'parentCode'),
    properties: {
      code: { type: 'string' },
      parentCode: { type: ['string', 'null'] },
      nameZh: { type: 'string' },
      nameEn: { type: 'string' },
      respondWithin: { type: 'string', pattern: DURATION_PATTERN },
      resolveWithin: { type: 'string', pattern: DURATION_PATTERN },
      basis: { type: 'string' },
      defaultPriority: { type: 'string' },
    },
  },
  { fieldRules: { respondWithin: deadline('响应时限'), resolveWithin: deadline('办结时限') } },
);

function pick(o: Record<string, unknown>): CategoryDefinition {
  const out: Record<string, unknown> = {};
  for (const f of CATEGORY_FIELDS) out[f] = o[f];
  return out as unknown as CategoryDefinition;
}

/** A valid category, whose fields replace a bad one's one at a time so that validateCategories can name the next. */
const STAND_IN: Readonly<Record<Field, unknown>> = { code: 'x', parentCode: null, nameZh: 'x', nameEn: 'x', respondWithin: '1m', resolveWithin: '30d', basis: 'calendar', defaultPriority: 'normal' };

const FIELD_ZH: Readonly<Record<Field, string>> = {
  code: '代码',
  parentCode: '上级类别',
  nameZh: '中文名称',
  nameEn: '英文名称',
  respondWithin: '响应时限',
  resolveWithin: '办结时限',
  basis: '计时方式',
  defaultPriority: '默认优先级',
};

/** Every problem of one category on its own (its parent is checked with the list), by field, as validateCategories words it. */
function itemProblems(item: Record<string, unknown>): [Field, { en: string; zh: string }][] {
  const out: [Field, { en: string; zh: string }][] = [];
  let probe: Record<string, unknown> = { ...pick(item), parentCode: item.parentCode === null || typeof item.parentCode === 'string' ? null : item.parentCode };
  for (let n = 0; n < CATEGORY_FIELDS.length + 1; n++) {
    try {
      validateCategories([probe]);
      return out;
    } catch (e) {
      const m = (e as Error).message;
      // "categories[0].code must be …", or "category x (categories[0]): respondWithin: …".
      const rest = m.includes(']): ') ? m.slice(m.indexOf(']): ') + 4) : m.replace(/^categories\[\d+\]\./, '');
      const field = CATEGORY_FIELDS.find((f) => rest.startsWith(f)) ?? null;
      if (field === null || out.some(([f]) => f === field)) {
        out.push([field ?? 'code', { en: rest, zh: rest }]);
        return out;
      }
      out.push([field, { en: rest, zh: `${FIELD_ZH[field]}：${zhReason(field, rest)}` }]);
      probe = { ...probe, [field]: STAND_IN[field] };
    }
  }
  return out;
}

function zhReason(field: Field, en: string): string {
  switch (field) {
    case 'code':
      return '须为以点分隔的小写 ASCII 段，如 municipal.water.burst';
    case 'parentCode':
      return '须为类别代码或留空';
    case 'nameZh':
    case 'nameEn':
      return '不能为空';
    case 'basis':
      return '须为 working（工作时间）或 calendar（自然时间）';
    case 'defaultPriority':
      return '须为 low、normal、high 或 urgent';
    case 'respondWithin':
      return en.includes('is longer than resolveWithin') ? '响应时限不能长于办结时限' : DURATION_RULE.zh;
    case 'resolveWithin':
      return DURATION_RULE.zh;
  }
}

// ───────────────────────────── what changed, what still uses a category ─────────────────────────────

export interface CategoryDiff {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
}

export function diffCategories(before: readonly CategoryDefinition[], after: readonly CategoryDefinition[]): CategoryDiff {
  const old = new Map(before.map((c) => [c.code, c]));
  const now = new Map(after.map((c) => [c.code, c]));
  const same = (a: CategoryDefinition, b: CategoryDefinition) => CATEGORY_FIELDS.every((f) => (a[f] ?? null) === (b[f] ?? null));
  return {
    added: [...now.keys()].filter((k) => !old.has(k)).sort(),
    removed: [...old.keys()].filter((k) => !now.has(k)).sort(),
    changed: [...now.values()].filter((c) => old.has(c.code) && !same(old.get(c.code)!, c)).map((c) => c.code).sort(),
  };
}

export interface CategoryUse {
  readonly code: string;
  /** Cases of the category, in any state (they keep their code for ever). */
  readonly cases: number;
  /** Units that handle it (their ids; the first 20). */
  readonly units: string[];
  readonly unitCount: number;
  /** Plans (in force) whose trigger names it. */
  readonly plans: string[];
  /** Rules (in force) that open cases of it. */
  readonly rules: string[];
  /** Rules of the routing table in force that name it: `rules/3`, `refine/0`. */
  readonly routing: string[];
  /** The appeal classifier answers with it. */
  readonly classifier: boolean;
}

export interface CategoryUsers {
  readonly units: readonly { readonly id: string; readonly categoryCodes: readonly string[] }[];
  readonly plans: readonly { readonly id: string; readonly categories: readonly string[] }[];
  readonly rules: readonly { readonly id: string; readonly category: string | null }[];
  readonly routing: { readonly rules: readonly { readonly category: string }[]; readonly refine: readonly { readonly category: string }[] } | null;
  readonly classifierCodes: readonly string[];
}

/** What still uses each of these codes; codes nothing uses are left out. */
export async function categoryUses(db: Tx, codes: readonly string[], users: CategoryUsers): Promise<CategoryUse[]> {
  if (codes.length === 0) return [];
  const cases = new Map<string, number>();
  for (let i = 0; i < codes.length; i += 500) {
    const rows = await db
      .selectFrom('cases')
      .select(['category_code', (eb) => eb.fn.countAll<number>().as('n')])
      .where('category_code', 'in', codes.slice(i, i + 500))
      .groupBy('category_code')
      .execute();
    for (const r of rows) cases.set(r.category_code, Number(r.n));
  }
  const out: CategoryUse[] = [];
  for (const code of codes) {
    const units = users.units.filter((u) => u.categoryCodes.includes(code)).map((u) => u.id);
    const use: CategoryUse = {
      code,
      cases: cases.get(code) ?? 0,
      units: units.slice(0, 20),
      unitCount: units.length,
      plans: users.plans.filter((p) => p.categories.includes(code)).map((p) => p.id),
      rules: users.rules.filter((r) => r.category === code).map((r) => r.id),
      routing: [
        ...(users.routing?.rules ?? []).flatMap((r, i) => (r.category === code ? [`rules/${i}`] : [])),
        ...(users.routing?.refine ?? []).flatMap((r, i) => (r.category === code ? [`refine/${i}`] : [])),
      ],
      classifier: users.classifierCodes.includes(code),
    };
    if (use.cases > 0 || use.unitCount > 0 || use.plans.length > 0 || use.rules.length > 0 || use.routing.length > 0 || use.classifier) out.push(use);
  }
  return out;
}

// ───────────────────────────── versions ─────────────────────────────

export interface CategoryVersionInfo {
  readonly version: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
  /** The list as it was before the first edit, recorded by the first save. */
  readonly baseline: boolean;
  readonly count: number;
}

export interface SavedCategories extends CategoryDiff {
  /** null: nothing was ever saved and nothing changed. */
  readonly version: number | null;
  /** false: the list equals the one in force, nothing was written. */
  readonly created: boolean;
}

const byCode = (a: CategoryDefinition, b: CategoryDefinition) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

async function listInForce(db: Tx): Promise<CategoryDefinition[]> {
  const rows = await db.selectFrom('categories').selectAll().execute();
  return rows
    .map(categoryFromRow)
    .sort(byCode);
}

function infoOf(r: { version: number; created_at: string; created_by: string; summary: string; items: string }): CategoryVersionInfo {
  const s = JSON.parse(r.summary) as Partial<CategoryDiff> & { baseline?: boolean };
  return { version: Number(r.version), createdAt: r.created_at, createdBy: r.created_by, added: s.added ?? [], removed: s.removed ?? [], changed: s.changed ?? [], baseline: s.baseline === true, count: (JSON.parse(r.items) as unknown[]).length };
}

export async function categoryVersions(db: Tx): Promise<CategoryVersionInfo[]> {
  const rows = await db.selectFrom('category_versions').selectAll().orderBy('version').execute();
  return rows.map(infoOf);
}

export async function categoryVersion(db: Tx, version: number): Promise<CategoryVersionInfo & { items: CategoryDefinition[] }> {
  const row = await db.selectFrom('category_versions').selectAll().where('version', '=', version).executeTakeFirst();
  if (!row) throw new CityLoopError('NOT_FOUND', { what: 'category list version', id: version });
  return { ...infoOf(row), items: JSON.parse(row.items) as CategoryDefinition[] };
}

/**
 * Replaces the list in force with a checked list, in one transaction with its version row; a
 * removed category that `usesOf` finds in use refuses the whole save (CATEGORY_IN_USE).
 */
export async function saveCategoryList(
  deps: { store: StoreAdapter; clock: Clock },
  items: readonly CategoryDefinition[],
  by: ChangeAuthor,
  usesOf: (tx: Tx, removed: readonly string[]) => Promise<CategoryUse[]>,
): Promise<SavedCategories> {
  const next = [...items].map((c) => ({ ...c })).sort(byCode);
  return saveOnce(deps, async (tx) => {
    const current = await listInForce(tx);
    const diff = diffCategories(current, next);
    const last = await tx.selectFrom('category_versions').select(['version', 'items']).orderBy('version', 'desc').limit(1).executeTakeFirst();
    if (diff.added.length + diff.removed.length + diff.changed.length === 0) return { version: last ? Number(last.version) : null, created: false, ...diff };
    const uses = await usesOf(tx, diff.removed);
    if (uses.length > 0) throw new CityLoopError('CATEGORY_IN_USE', { codes: uses.map((u) => u.code).join(', ') }, { uses });
    const now = deps.clock.now().toISOString();
    let version = last ? Number(last.version) : 0;
    // The list in force was not saved here (the first save, a demo reset, an import): keep it first.
    const stored = last ? diffCategories(JSON.parse(last.items) as CategoryDefinition[], current) : null;
    if (!stored || stored.added.length + stored.removed.length + stored.changed.length > 0) {
      version += 1;
      await tx.insertInto('category_versions').values({ version, items: JSON.stringify(current), summary: JSON.stringify({ baseline: true }), created_at: now, created_by: 'system' }).execute();
    }
    await tx.deleteFrom('categories').execute();
    for (let i = 0; i < next.length; i += 200) {
      await tx
        .insertInto('categories')
        .values(
          next.slice(i, i + 200).map(categoryToRow),
        )
        .execute();
    }
    version += 1;
    await tx.insertInto('category_versions').values({ version, items: JSON.stringify(next), summary: JSON.stringify(diff), created_at: now, created_by: authorName(by) }).execute();
    await recordAdminChanges(tx, deps.store, authorActor(by), now, [{ kind: 'categories', id: 'list', type: 'CategoriesSaved', payload: { version, added: diff.added, removed: diff.removed, changed: diff.changed } }]);
    return { version, created: true, ...diff };
  });
}

/**
 * Two saves at once (PostgreSQL runs them side by side) both take the next version number: the
 * second fails on the version's key and is rolled back whole. It is refused as a conflict, not
 * retried: each save is a whole list, and replaying it would silently undo the other's change.
 */
async function saveOnce<T>(deps: { store: StoreAdapter }, work: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await deps.store.transact(work);
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err.code === '23505' || err.code === '40001' || /UNIQUE constraint failed: category_versions/.test(err.message ?? '')) throw new CityLoopError('CATEGORIES_CONFLICT');
    throw e;
  }
}
