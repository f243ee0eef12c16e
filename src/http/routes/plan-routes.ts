import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { CityLoopError } from '../../errors.ts';
import { requirePrincipal } from '../request-principal.ts';
import { withProblems } from '../schemas.ts';
import { hasRole } from '../../auth/principal.ts';
import { CASE_SOURCES } from '../../cases/case-model.ts';
import { PLAN_JSON_SCHEMA, planToJson, summarizePlanDiff } from '../../plans/plan-definition.ts';
import { reviewPlan } from '../../plans/plan-review.ts';

/** What these routes use of the platform (and nothing more). */
type PlanRouteDeps = Pick<Platform, 'cases' | 'planner' | 'plans'>;


const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const VersionParams = Type.Object({ id: Type.String({ maxLength: 64 }), version: Type.Integer({ minimum: 1 }) });
const Loose = Type.Object({}, { additionalProperties: true });
const PlanSummary = Type.Object({ id: Type.String(), version: Type.Integer(), name: Type.String(), description: Type.Union([Type.String(), Type.Null()]), categories: Type.Array(Type.String()), priority: Type.Number() });
const SimulateBody = Type.Object(
  {
    categoryCode: Type.String({ minLength: 1, maxLength: 100 }),
    lng: Type.Number({ minimum: -180, maximum: 180 }),
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    crs: Type.Union([Type.Literal('gcj02'), Type.Literal('wgs84')]),
    source: Type.Optional(Type.Union(CASE_SOURCES.map((s) => Type.Literal(s)))),
    title: Type.Optional(Type.String({ maxLength: 200 })),
    description: Type.Optional(Type.String({ maxLength: 5000 })),
    priority: Type.Optional(Type.String()),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
const RunView = Type.Object(
  {
    planId: Type.String(),
    version: Type.Integer(),
    name: Type.String(),
    matched: Type.Boolean(),
    tier: Type.String(),
    facts: Loose,
    tasks: Type.Array(Loose),
    actions: Type.Array(Loose),
    escalation: Type.Array(Loose),
    problems: Type.Array(Type.Object({ path: Type.String(), message: Type.String() })),
  },
  { $id: 'PlanRun' },
);

export function registerPlanRoutes(app: FastifyInstance, platform: PlanRouteDeps): void {
  app.addSchema(RunView);
  const bearer = [{ bearer: [] }];
  const staff = (req: Parameters<typeof requirePrincipal>[0]) => {
    const p = requirePrincipal(req);
    if (!hasRole(p, 'admin', 'operator', 'supervisor')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'read plans' });
    return p;
  };

  app.get('/api/v1/plans/schema', { schema: { tags: ['plans'], summary: 'The JSON Schema of a plan (YAML) file; public', response: { 200: Loose } } }, async () => PLAN_JSON_SCHEMA);

  app.get(
    '/api/v1/plans',
    { schema: { tags: ['plans'], summary: '预案 — the newest version of every plan', security: bearer, response: withProblems({ 200: Type.Object({ items: Type.Array(PlanSummary) }) }) } },
    async (req) => {
      staff(req);
      return {
        items: platform.plans
          .candidates()
          .map((c) => ({ id: c.plan.id, version: c.version, name: c.plan.name, description: c.plan.description, categories: [...c.plan.trigger.categories], priority: c.plan.priority }))
          .sort((a, b) => a.id.localeCompare(b.id)),
      };
    },
  );

  app.post<{ Body: string | { source: string } }>(
    '/api/v1/plans',
    {
      schema: {
        tags: ['plans'],
        summary: 'Store a plan (YAML as text/yaml, or JSON {source}) as its next version (administrators); refused with every problem and its path',
        security: bearer,
        body: Type.Union([Type.String({ maxLength: 262144 }), Type.Object({ source: Type.String({ maxLength: 262144 }) })]),
        response: withProblems({ 201: Type.Object({ id: Type.String(), version: Type.Integer(), created: Type.Boolean() }), 200: Type.Object({ id: Type.String(), version: Type.Integer(), created: Type.Boolean() }) }),
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      if (!hasRole(p, 'admin')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'change plans' });
      const source = typeof req.body === 'string' ? req.body : req.body.source;
      const r = await platform.plans.save(source, p);
      return reply.code(r.created ? 201 : 200).send(r);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/plans/:id',
    { schema: { tags: ['plans'], summary: 'The newest version of a plan: its data and its YAML', security: bearer, params: IdParams, response: withProblems({ 200: Type.Object({ id: Type.String(), version: Type.Integer(), definition: Loose, source: Type.String() }) }) } },
    async (req) => {
      staff(req);
      const c = platform.plans.latest(req.params.id);
      if (!c) throw new CityLoopError('NOT_FOUND', { what: 'plan', id: req.params.id });
      const v = await platform.plans.get(c.plan.id, c.version);
      return { id: c.plan.id, version: c.version, definition: planToJson(c.plan) as unknown as Record<string, unknown>, source: v.source };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/plans/:id/versions',
    { schema: { tags: ['plans'], summary: 'Every version of a plan', security: bearer, params: IdParams, response: withProblems({ 200: Type.Object({ items: Type.Array(Loose) }) }) } },
    async (req) => {
      staff(req);
      const items = await platform.plans.versions(req.params.id);
      if (items.length === 0) throw new CityLoopError('NOT_FOUND', { what: 'plan', id: req.params.id });
      return { items };
    },
  );

  app.get<{ Params: Static<typeof VersionParams> }>(
    '/api/v1/plans/:id/versions/:version',
    { schema: { tags: ['plans'], summary: 'One version of a plan', security: bearer, params: VersionParams, response: withProblems({ 200: Type.Object({ id: Type.String(), version: Type.Integer(), definition: Loose, source: Type.String() }) }) } },
    async (req) => {
      staff(req);
      const v = await platform.plans.get(req.params.id, req.params.version);
      return { id: req.params.id, version: req.params.version, definition: planToJson(v.candidate.plan) as unknown as Record<string, unknown>, source: v.source };
    },
  );

  const ReviewQuery = Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })), lang: Type.Optional(Type.String()) });
  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof ReviewQuery> }>(
    '/api/v1/plans/:id/review',
    {
      schema: {
        tags: ['plans'],
        summary: '复盘 — from the closed cases of a plan: how long each step took to accept and to finish (median, 90th percentile) and where cases waited longest',
        security: bearer,
        params: IdParams,
        querystring: ReviewQuery,
        response: withProblems({ 200: Loose }),
      },
    },
    async (req) => {
      const p = staff(req);
      const cases = await platform.cases.eventsOfPlanCases(p, req.params.id);
      return reviewPlan(cases, { planId: req.params.id, ...(req.query.version ? { version: req.query.version } : {}) }) as unknown as Record<string, unknown>;
    },
  );

  const DiffQuery = Type.Object({ from: Type.Integer({ minimum: 1 }), to: Type.Integer({ minimum: 1 }), lang: Type.Optional(Type.String()) });
  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof DiffQuery> }>(
    '/api/v1/plans/:id/diff',
    { schema: { tags: ['plans'], summary: 'What changed between two versions of a plan', security: bearer, params: IdParams, querystring: DiffQuery, response: withProblems({ 200: Type.Object({ changes: Type.Array(Loose) }) }) } },
    async (req) => {
      staff(req);
      const a = await platform.plans.get(req.params.id, req.query.from);
      const b = await platform.plans.get(req.params.id, req.query.to);
      return { changes: summarizePlanDiff(a.candidate.plan, b.candidate.plan) as unknown as Record<string, unknown>[] };
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof SimulateBody> }>(
    '/api/v1/plans/:id/simulate',
    {
      schema: {
        tags: ['plans'],
        summary: '预案推演 — dry run: the level, each task with its unit, and the actions for a hypothetical case; changes nothing',
        security: bearer,
        params: IdParams,
        body: SimulateBody,
        response: withProblems({ 200: Type.Ref('PlanRun') }),
      },
    },
    async (req) => {
      staff(req);
      const b = req.body;
      const c = platform.planner.hypotheticalCase(b);
      const explicit = b.version !== undefined ? (await platform.plans.get(req.params.id, b.version)).candidate : undefined;
      return platform.planner.planFor(c, req.params.id, null, explicit);
    },
  );
}
