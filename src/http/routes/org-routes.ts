import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { requirePrincipal } from '../request-principal.ts';
import { withProblems } from '../schemas.ts';
import { registerCategoryRoutes, type CategoryRouteDeps } from './category-routes.ts';
import { registerOrgAdminRoutes, type OrgAdminRouteDeps } from './org-admin-routes.ts';

/** What these routes use of the platform (and nothing more). */
type OrgRouteDeps = Pick<Platform, 'org'> & CategoryRouteDeps & OrgAdminRouteDeps;


const CenterView = Type.Object({ id: Type.String(), tier: Type.String(), jurisdictionCode: Type.String(), name: Type.String(), parentCenterId: Type.Union([Type.String(), Type.Null()]) });
const UnitView = Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String(), tier: Type.String(), jurisdictionCode: Type.String(), categoryCodes: Type.Array(Type.String()), disabled: Type.Boolean() });
const CategoryView = Type.Object({
  code: Type.String(),
  parentCode: Type.Union([Type.String(), Type.Null()]),
  nameZh: Type.String(),
  nameEn: Type.String(),
  respondWithin: Type.String(),
  resolveWithin: Type.String(),
  basis: Type.String(),
  defaultPriority: Type.String(),
});

const CenterQuery = Type.Object({ tier: Type.Optional(Type.String()), jurisdiction: Type.Optional(Type.String()), lang: Type.Optional(Type.String()) });
const UnitQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 100, description: 'text in the name or id' })), jurisdiction: Type.Optional(Type.String()), kind: Type.Optional(Type.String()), category: Type.Optional(Type.String()), tier: Type.Optional(Type.String()), lang: Type.Optional(Type.String()) });

export function registerOrgRoutes(app: FastifyInstance, platform: OrgRouteDeps): void {
  const bearer = [{ bearer: [] }];
  registerCategoryRoutes(app, platform);
  registerOrgAdminRoutes(app, platform);
  app.get(
    '/api/v1/categories',
    { schema: { tags: ['org'], summary: '事项类别 — the category tree with deadlines; public', response: withProblems({ 200: Type.Object({ items: Type.Array(CategoryView) }) }) } },
    async () => ({ items: platform.org.categories().sort((a, b) => a.code.localeCompare(b.code)) }),
  );

  app.get<{ Querystring: Static<typeof CenterQuery> }>(
    '/api/v1/centers',
    { schema: { tags: ['org'], summary: '运行和治理中心 — centers of the three tiers', security: bearer, querystring: CenterQuery, response: withProblems({ 200: Type.Object({ items: Type.Array(CenterView) }) }) } },
    async (req) => {
      requirePrincipal(req);
      const { tier, jurisdiction } = req.query;
      return { items: platform.org.centers().filter((c) => (!tier || c.tier === tier) && (!jurisdiction || c.jurisdictionCode === jurisdiction)).sort((a, b) => a.id.localeCompare(b.id)) };
    },
  );

  app.get<{ Querystring: Static<typeof UnitQuery> }>(
    '/api/v1/units',
    { schema: { tags: ['org'], summary: '部门/单位 — units and the categories they handle', security: bearer, querystring: UnitQuery, response: withProblems({ 200: Type.Object({ items: Type.Array(UnitView) }) }) } },
    async (req) => {
      requirePrincipal(req);
      const { jurisdiction, kind, category, tier } = req.query;
      const text = req.query.q?.trim();
      const cat = category ? platform.org.category(category) : undefined;
      const handles = (codes: readonly string[]) => !category || codes.includes(category) || (cat?.parentCode ? codes.includes(cat.parentCode) : false);
      const items = platform.org
        .units()
        .filter((u) => (!jurisdiction || u.jurisdictionCode === jurisdiction) && (!kind || u.kind === kind) && (!tier || u.tier === tier) && handles(u.categoryCodes) && (!text || u.name.includes(text) || u.id.includes(text)))
        .sort((a, b) => a.id.localeCompare(b.id))
        .slice(0, 2000);
      return { items };
    },
  );
}
