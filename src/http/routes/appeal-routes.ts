import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { CityLoopError } from '../../errors.ts';
import { requirePrincipal } from '../request-principal.ts';
import { langOf } from '../problem.ts';
import { withProblems } from '../schemas.ts';
import { hasRole } from '../../auth/principal.ts';
import { presentCase } from '../../cases/present-case.ts';
import { canSeeCase } from '../../cases/case-policy.ts';
import { automaticallyRoutedCases, casesAwaitingTriage } from '../../cases/case-queries.ts';
import { registerRoutingTableAdminRoutes, type RoutingTableRouteDeps } from './routing-table-routes.ts';

/** What these routes use of the platform (and nothing more). */
type AppealRouteDeps = Pick<Platform, 'intake' | 'store'> & RoutingTableRouteDeps;


const AppealBody = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 5000, description: 'what the citizen said, in their words' }),
    title: Type.Optional(Type.String({ maxLength: 200 })),
    categoryCode: Type.Optional(Type.String({ maxLength: 100, description: 'set by a hotline agent who chose the category; otherwise the classifier decides' })),
    lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    crs: Type.Optional(Type.Union([Type.Literal('gcj02'), Type.Literal('wgs84')], { description: 'datum of lng/lat (default wgs84, as phones report)' })),
    place: Type.Optional(Type.String({ maxLength: 200, description: 'a place name when there are no coordinates (解放碑, 三峡广场, 石油路街道 …)' })),
    reporter: Type.Optional(Type.Object({ name: Type.Optional(Type.String({ maxLength: 50 })), phone: Type.Optional(Type.String({ maxLength: 30 })), anonymous: Type.Optional(Type.Boolean()) }, { additionalProperties: false })),
    clientRequestId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
const ClassifyBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 5000 }), title: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });
const Loose = Type.Object({}, { additionalProperties: true });

export function registerAppealRoutes(app: FastifyInstance, platform: AppealRouteDeps): void {
  const bearer = [{ bearer: [] }];
  const staff = (req: Parameters<typeof requirePrincipal>[0]) => {
    const p = requirePrincipal(req);
    if (!hasRole(p, 'admin', 'operator', 'supervisor')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'appeal routing' });
    return p;
  };
  registerRoutingTableAdminRoutes(app, platform);

  app.post<{ Body: Static<typeof AppealBody> }>(
    '/api/v1/appeals',
    {
      schema: {
        tags: ['appeals'],
        summary: '民呼我为 — an appeal in the citizen\'s words: classified, placed, routed by the routing table, registered and dispatched, or sent to triage; records why',
        security: bearer,
        body: AppealBody,
        response: withProblems({ 201: Type.Ref('Case') }),
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const source = hasRole(p, 'operator', 'supervisor', 'admin') ? 'hotline' : hasRole(p, 'grid_worker') ? 'grid_worker' : 'citizen';
      const header = req.headers['idempotency-key'];
      const doc = await platform.intake.submit(p, { ...req.body, source, clientRequestId: req.body.clientRequestId ?? (typeof header === 'string' ? header : undefined) });
      return reply.code(201).header('location', `/api/v1/cases/${doc.id}`).send(presentCase(doc, p, langOf(req), platform.cases.viewContext(p, doc)));
    },
  );

  app.post<{ Body: Static<typeof ClassifyBody> }>(
    '/api/v1/appeals/classify',
    {
      schema: {
        tags: ['appeals'],
        summary: 'The category the classifier suggests, with confidence and the top three (for the hotline console and the grid worker\'s phone)',
        security: bearer,
        body: ClassifyBody,
        response: withProblems({ 200: Loose }),
      },
    },
    async (req) => {
      requirePrincipal(req);
      const c = platform.intake.classify(req.body.text, req.body.title);
      if (!c) throw new CityLoopError('VALIDATION_FAILED', { detail: 'no classifier is loaded' });
      return { ...c, triage: c.confidence < platform.intake.threshold, threshold: platform.intake.threshold };
    },
  );

  app.get(
    '/api/v1/appeals/triage',
    { schema: { tags: ['appeals'], summary: '人工分拨 — appeals waiting for a person to route them, oldest first', security: bearer, response: withProblems({ 200: Type.Object({ items: Type.Array(Type.Ref('Case')) }) }) } },
    async (req) => {
      const p = staff(req);
      const waiting = await casesAwaitingTriage(platform.store.db);
      return { items: waiting.filter((d) => canSeeCase(p, d)).map((d) => presentCase(d, p, langOf(req), platform.cases.viewContext(p, d))) };
    },
  );

  app.get(
    '/api/v1/routing-table',
    { schema: { tags: ['appeals'], summary: '派单目录 — the routing table in force', security: bearer, response: withProblems({ 200: Type.Object({ version: Type.Union([Type.Integer(), Type.Null()]), rules: Type.Array(Loose), source: Type.String() }) }) } },
    async (req) => {
      staff(req);
      const t = platform.intake.table;
      return { version: t?.version ?? null, rules: (t?.table.rules ?? []) as unknown as Record<string, unknown>[], source: t ? await platform.intake.source(t.version) : '' };
    },
  );

  app.get(
    '/api/v1/routing-table/versions',
    { schema: { tags: ['appeals'], summary: 'Every version of the routing table', security: bearer, response: withProblems({ 200: Type.Object({ items: Type.Array(Loose) }) }) } },
    async (req) => {
      staff(req);
      return { items: await platform.intake.versions() };
    },
  );

  app.post<{ Body: string | { source: string } }>(
    '/api/v1/routing-table',
    {
      schema: {
        tags: ['appeals'],
        summary: 'Store a new version of the routing table (YAML as text/yaml, or JSON {source}); administrators',
        security: bearer,
        body: Type.Union([Type.String({ maxLength: 262144 }), Type.Object({ source: Type.String({ maxLength: 262144 }) })]),
        response: withProblems({ 201: Type.Object({ version: Type.Integer(), created: Type.Boolean() }), 200: Type.Object({ version: Type.Integer(), created: Type.Boolean() }) }),
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      if (!hasRole(p, 'admin')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'change the routing table' });
      const r = await platform.intake.saveTable(typeof req.body === 'string' ? req.body : req.body.source, p);
      return reply.code(r.created ? 201 : 200).send(r);
    },
  );

  app.get(
    '/api/v1/appeals/routing-stats',
    {
      schema: {
        tags: ['appeals'],
        summary: 'How smart routing does: appeals routed automatically, sent to triage, and misrouted (the lead unit returned the task); the misroute rate',
        security: bearer,
        response: withProblems({ 200: Type.Object({ routed: Type.Integer(), triaged: Type.Integer(), misrouted: Type.Integer(), misrouteRate: Type.Union([Type.Number(), Type.Null()]) }) }),
      },
    },
    async (req) => {
      const p = staff(req);
      const docs = (await automaticallyRoutedCases(platform.store.db)).filter((d) => canSeeCase(p, d));
      const routed = docs.filter((d) => d.routing?.outcome === 'dispatched');
      const misrouted = routed.filter((d) => d.tasks.some((t) => t.role === 'lead' && t.state === 'returned')).length;
      return { routed: routed.length, triaged: docs.length - routed.length, misrouted, misrouteRate: routed.length === 0 ? null : Math.round((misrouted / routed.length) * 10_000) / 10_000 };
    },
  );
}
