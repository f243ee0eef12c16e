/**
 * Editing the category list (事项类别): the whole list is replaced at once (administrators),
 * checked first, refused when it leaves out a category still in use, kept as a version; the
 * org directory re-reads it after the save. Reading it stays `GET /api/v1/categories` (org-routes.ts).
 * Reference: docs/reference/administration.md.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { CityLoopError } from '../../errors.ts';
import { requirePrincipal } from '../request-principal.ts';
import { withProblems } from '../schemas.ts';
import { hasRole } from '../../auth/principal.ts';
import type { Tx } from '../../store/store.ts';
import { categoryUses, categoryVersion, categoryVersions, checkCategoryList, diffCategories, saveCategoryList, type CategoryUsers } from '../../org/category-versions.ts';
import { problemsError } from '../../documents/problem.ts';

/** What these routes use of the platform (and nothing more). */
export type CategoryRouteDeps = Pick<Platform, 'clock' | 'intake' | 'org' | 'pack' | 'plans' | 'reload' | 'rules' | 'store'>;


const Loose = Type.Object({}, { additionalProperties: true });
const ListBody = Type.Union(
  [
    Type.String({ maxLength: 1048576, description: 'YAML or JSON text: a list of categories, or { categories: [...] }' }),
    Type.Object({ source: Type.String({ maxLength: 1048576 }) }, { additionalProperties: false }),
    Type.Object({ items: Type.Array(Loose, { maxItems: 5000 }) }, { additionalProperties: false }),
  ],
  { description: 'the whole new list: YAML/JSON text (text/yaml), JSON {source}, or JSON {items} as the admin page sends it' },
);
const VersionParams = Type.Object({ version: Type.Integer({ minimum: 1 }) });
const Saved = Type.Object({ version: Type.Union([Type.Integer(), Type.Null()]), created: Type.Boolean(), added: Type.Array(Type.String()), removed: Type.Array(Type.String()), changed: Type.Array(Type.String()) });

export function registerCategoryRoutes(app: FastifyInstance, platform: CategoryRouteDeps): void {
  const bearer = [{ bearer: [] }];
  const staff = (req: FastifyRequest) => {
    const p = requirePrincipal(req);
    if (!hasRole(p, 'admin', 'operator', 'supervisor')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'read category versions' });
    return p;
  };
  const read = (body: Static<typeof ListBody>) => {
    const r = checkCategoryList(typeof body === 'string' ? body : 'source' in body ? body.source : body.items);
    if (!r.ok) throw problemsError('CATEGORIES_INVALID', r.problems);
    return r.items;
  };
  // Everything that names a category and would break without it.
  const users = (): CategoryUsers => ({
    units: platform.org.units(),
    plans: platform.plans.candidates().map((c) => ({ id: c.plan.id, categories: c.plan.trigger.categories })),
    rules: platform.rules.active().map((v) => ({ id: v.rule.id, category: v.rule.category })),
    routing: platform.intake.table?.table ?? null,
    // The shipped classifier answers with the codes the pack maps its labels to.
    classifierCodes: Object.values(platform.pack.appealLabelCategories ?? {}),
  });
  const usesOf = (tx: Tx, removed: readonly string[]) => categoryUses(tx, removed, users());

  app.put<{ Body: Static<typeof ListBody> }>(
    '/api/v1/categories',
    {
      schema: {
        tags: ['org'],
        summary: 'Replace the category list as a whole (administrators): checked (422 CATEGORIES_INVALID with each problem\'s path and line), refused when it removes a category still in use (409 CATEGORY_IN_USE), kept as a new version',
        security: bearer,
        body: ListBody,
        response: withProblems({ 201: Saved, 200: Saved }),
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      if (!hasRole(p, 'admin')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'change categories' });
      const items = read(req.body);
      const saved = await saveCategoryList({ store: platform.store, clock: platform.clock }, items, p, usesOf);
      // Only the org directory: platform.reload() would also rebuild the geography and re-read the plan and rule folders.
      if (saved.created) await platform.org.reload(platform.store.db);
      return reply.code(saved.created ? 201 : 200).send(saved);
    },
  );

  app.post<{ Body: Static<typeof ListBody> }>(
    '/api/v1/categories/validate',
    {
      schema: {
        tags: ['org'],
        summary: 'Check a category list without saving it: its problems (path, line, message), what it adds, removes and changes, and what still uses the removed ones',
        security: bearer,
        body: ListBody,
        response: withProblems({ 200: Type.Object({ ok: Type.Boolean(), problems: Type.Array(Loose), added: Type.Array(Type.String()), removed: Type.Array(Type.String()), changed: Type.Array(Type.String()), inUse: Type.Array(Loose) }) }),
      },
    },
    async (req) => {
      staff(req);
      const b = req.body;
      const r = checkCategoryList(typeof b === 'string' ? b : 'source' in b ? b.source : b.items);
      if (!r.ok) return { ok: false, problems: r.problems.map((x) => ({ ...x })), added: [], removed: [], changed: [], inUse: [] };
      const diff = diffCategories(platform.org.categories(), r.items);
      const inUse = await categoryUses(platform.store.db, diff.removed, users());
      return { ok: inUse.length === 0, problems: [], ...diff, inUse: inUse.map((u) => ({ ...u })) };
    },
  );

  app.get(
    '/api/v1/categories/versions',
    { schema: { tags: ['org'], summary: 'Every saved version of the category list, oldest first: who, when, what was added, removed and changed', security: bearer, response: withProblems({ 200: Type.Object({ items: Type.Array(Loose) }) }) } },
    async (req) => {
      staff(req);
      return { items: (await categoryVersions(platform.store.db)).map((v) => ({ ...v })) };
    },
  );

  app.get<{ Params: Static<typeof VersionParams> }>(
    '/api/v1/categories/versions/:version',
    { schema: { tags: ['org'], summary: 'One saved version of the category list, with its items', security: bearer, params: VersionParams, response: withProblems({ 200: Loose }) } },
    async (req) => {
      staff(req);
      return { ...(await categoryVersion(platform.store.db, req.params.version)) };
    },
  );
}

