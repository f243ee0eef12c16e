import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { CityLoopError } from '../../errors.ts';
import { requirePrincipal } from '../request-principal.ts';
import { withProblems } from '../schemas.ts';
import { hasRole } from '../../auth/principal.ts';
import { kpisToCsv, rankUnits, tallyKpis, type KpiGroup, type KpiPeriod } from '../../kpis/compute-kpis.ts';
import { casePages } from '../../kpis/case-pages.ts';

/** What these routes use of the platform (and nothing more). */
type KpiRouteDeps = Pick<Platform, 'cases' | 'org'>;


const KpiQuery = Type.Object({
  groupBy: Type.Optional(Type.Union(['district', 'street', 'category', 'unit', 'center', 'all'].map((x) => Type.Literal(x)), { default: 'district' })),
  period: Type.Optional(Type.Union(['day', 'week', 'month', 'all'].map((x) => Type.Literal(x)), { default: 'all' })),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  jurisdiction: Type.Optional(Type.String({ maxLength: 30 })),
  category: Type.Optional(Type.String({ maxLength: 100 })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' })),
  lang: Type.Optional(Type.String()),
});

const Row = Type.Object({
  group: Type.String(),
  groupName: Type.String(),
  period: Type.String(),
  cases: Type.Integer(),
  registered: Type.Integer(),
  responseRate: Type.Union([Type.Number(), Type.Null()]),
  resolutionRate: Type.Union([Type.Number(), Type.Null()]),
  satisfactionRate: Type.Union([Type.Number(), Type.Null()]),
  onTimeRate: Type.Union([Type.Number(), Type.Null()]),
  averageHandlingHours: Type.Union([Type.Number(), Type.Null()]),
  overdue: Type.Integer(),
  rank: Type.Optional(Type.Integer()),
});

export function registerKpiRoutes(app: FastifyInstance, platform: KpiRouteDeps): void {
  const names = (code: string) => platform.org.category(code)?.nameZh ?? platform.org.center(code)?.name;

  app.get<{ Querystring: Static<typeof KpiQuery> }>(
    '/api/v1/kpis',
    {
      schema: {
        tags: ['kpis'],
        summary: '三率 — response, resolution, satisfaction and on-time rates and handling time, by district, street, category, center or unit, per day/week/month (JSON or CSV)',
        security: [{ bearer: [] }],
        querystring: KpiQuery,
        response: withProblems({ 200: Type.Object({ groupBy: Type.String(), period: Type.String(), cases: Type.Integer(), rows: Type.Array(Row) }) }),
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      if (!hasRole(p, 'admin', 'operator', 'supervisor')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'read KPIs' });
      const q = req.query;
      const groupBy = (q.groupBy ?? 'district') as KpiGroup;
      const pages = casePages(platform.cases, p, { from: q.from, to: q.to, jurisdiction: q.jurisdiction, category: q.category });
      const tally = await tallyKpis(pages, { groupBy, period: (q.period ?? 'all') as KpiPeriod, names });
      let rows = tally.rows;
      if (groupBy === 'unit') rows = rankUnits(rows);
      if (q.format === 'csv') {
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="kpis-${groupBy}.csv"`).send(kpisToCsv(rows));
      }
      return { groupBy, period: q.period ?? 'all', cases: tally.cases, rows };
    },
  );
}
