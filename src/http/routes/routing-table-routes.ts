/**
 * The routing table's administration routes, beside the ones in appeal-routes.ts (read, versions,
 * save): a check of a draft with each problem's path and line, a dry run of a draft for a sample
 * message, and one stored version's text. Nothing here writes.
 * Reference: docs/reference/administration.md.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { CityLoopError } from '../../errors.ts';
import { requirePrincipal } from '../request-principal.ts';
import { withProblems } from '../schemas.ts';
import { hasRole } from '../../auth/principal.ts';
import type { ChainLink } from '../../cases/case-model.ts';
import { checkRoutingTable, dryRunRoute, type RoutingTableOptions } from '../../appeals/routing-table-check.ts';
import { higherPriority } from '../../appeals/appeal-keywords.ts';
import type { RoutingTable } from '../../appeals/routing-table.ts';
import { problemsError } from '../../documents/problem.ts';

/** What these routes use of the platform (and nothing more). */
export type RoutingTableRouteDeps = Pick<Platform, 'cases' | 'gazetteer' | 'intake' | 'org' | 'planner'>;


const Loose = Type.Object({}, { additionalProperties: true });
const SourceBody = Type.Union([Type.String({ maxLength: 262144 }), Type.Object({ source: Type.String({ maxLength: 262144 }) })]);
const DryRunBody = Type.Object(
  {
    source: Type.Optional(Type.String({ maxLength: 262144, description: 'a draft table (YAML); absent: the table in force' })),
    text: Type.String({ minLength: 1, maxLength: 5000, description: 'a sample message in the citizen\'s words' }),
    title: Type.Optional(Type.String({ maxLength: 200 })),
    categoryCode: Type.Optional(Type.String({ maxLength: 100, description: 'as a hotline agent would choose it: no classification' })),
    place: Type.Optional(Type.String({ maxLength: 200, description: 'a place name (解放碑, 石油路街道 …)' })),
    lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    crs: Type.Optional(Type.Union([Type.Literal('gcj02'), Type.Literal('wgs84')])),
  },
  { additionalProperties: false },
);
const VersionParams = Type.Object({ version: Type.Integer({ minimum: 1 }) });

export function registerRoutingTableAdminRoutes(app: FastifyInstance, platform: RoutingTableRouteDeps): void {
  const bearer = [{ bearer: [] }];
  const staff = (req: FastifyRequest) => {
    const p = requirePrincipal(req);
    if (!hasRole(p, 'admin', 'operator', 'supervisor')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'appeal routing' });
    return p;
  };
  // The intake checks a table it saves against the same (appeal-intake.ts).
  const options = (): RoutingTableOptions => ({ knownUnitKinds: new Set(platform.org.units().map((u) => u.kind)), knownCategories: new Set(platform.org.categories().map((c) => c.code)) });

  app.post<{ Body: string | { source: string } }>(
    '/api/v1/routing-table/validate',
    {
      schema: {
        tags: ['appeals'],
        summary: 'Check a draft routing table without saving it: every problem with its path, line and message (in Chinese and English)',
        security: bearer,
        body: SourceBody,
        response: withProblems({ 200: Type.Object({ ok: Type.Boolean(), problems: Type.Array(Loose), rules: Type.Integer(), refine: Type.Integer() }) }),
      },
    },
    async (req) => {
      staff(req);
      const r = checkRoutingTable(typeof req.body === 'string' ? req.body : req.body.source, options());
      return r.ok ? { ok: true, problems: [], rules: r.table.rules.length, refine: r.table.refine.length } : { ok: false, problems: r.problems.map((p) => ({ ...p })), rules: 0, refine: 0 };
    },
  );

  app.post<{ Body: Static<typeof DryRunBody> }>(
    '/api/v1/routing-table/dry-run',
    {
      schema: {
        tags: ['appeals'],
        summary: '分拨推演 — the category, rule and units a draft routing table (or the one in force) would choose for a sample message and place, beside what the table in force chooses; changes nothing',
        security: bearer,
        body: DryRunBody,
        response: withProblems({ 200: Loose }),
      },
    },
    async (req) => {
      staff(req);
      const b = req.body;
      const inForce = platform.intake.table;
      let draft: RoutingTable;
      if (b.source !== undefined) {
        const r = checkRoutingTable(b.source, options());
        if (!r.ok) throw problemsError('ROUTING_TABLE_INVALID', r.problems);
        draft = r.table;
      } else if (inForce) draft = inForce.table;
      else throw new CityLoopError('NOT_FOUND', { what: 'routing table', id: 'in force' });
      // Where: coordinates first, else the place name, as the intake does.
      let place: { lng: number; lat: number; chain: ChainLink[] } | null = null;
      if (b.lng !== undefined && b.lat !== undefined) place = platform.cases.locate(b.lng, b.lat, b.crs ?? 'wgs84');
      else if (b.place) {
        const found = platform.gazetteer().locate(b.place);
        if (found) place = platform.cases.locate(found.lng, found.lat, 'gcj02');
      }
      const deps = {
        classify: (text: string, title?: string) => platform.intake.classify(text, title),
        threshold: platform.intake.threshold,
        chain: place?.chain ?? null,
        unitOfKind: (kind: string, code: string) => platform.org.unitOfKind(kind, code),
        categoryName: (code: string) => platform.org.category(code)?.nameZh ?? null,
        unitKindName: (kind: string) => platform.intake.unitKindName(kind),
        // The plan the intake would dispatch by, asked of the place as the intake asks of the case.
        planFor: (categoryCode: string, raised: 'high' | 'urgent' | null) => {
          if (!place) return null;
          const usual = platform.org.category(categoryCode)?.defaultPriority ?? 'normal';
          const priority = raised ? higherPriority(usual, raised) : usual;
          try {
            const run = platform.planner.planFor(platform.planner.hypotheticalCase({ categoryCode, lng: place.lng, lat: place.lat, crs: 'gcj02', source: 'citizen', priority, title: b.title ?? b.text.slice(0, 60), description: b.text }));
            return run.problems.length === 0 && run.tasks.length > 0 ? { planId: run.planId, name: run.name } : null;
          } catch (e) {
            if (e instanceof CityLoopError) return null;
            throw e;
          }
        },
      };
      const input = { text: b.text, title: b.title, categoryCode: b.categoryCode };
      return {
        place: place ? { lng: place.lng, lat: place.lat, crs: 'gcj02', chain: place.chain } : null,
        draft: dryRunRoute(draft, input, deps),
        inForce: inForce ? { version: inForce.version, ...dryRunRoute(inForce.table, input, deps) } : null,
      };
    },
  );

  app.get<{ Params: Static<typeof VersionParams> }>(
    '/api/v1/routing-table/versions/:version',
    { schema: { tags: ['appeals'], summary: 'One version of the routing table: its text, who stored it and when', security: bearer, params: VersionParams, response: withProblems({ 200: Type.Object({ version: Type.Integer(), createdAt: Type.String(), createdBy: Type.String(), source: Type.String() }) }) } },
    async (req) => {
      staff(req);
      const info = (await platform.intake.versions()).find((v) => v.version === req.params.version);
      if (!info) throw new CityLoopError('NOT_FOUND', { what: 'routing table version', id: req.params.version });
      return { ...info, source: await platform.intake.source(req.params.version) };
    },
  );
}

