import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { CityLoopError } from '../../errors.ts';
import { hasRole } from '../../auth/principal.ts';
import { requirePrincipal } from '../request-principal.ts';
import { langOf } from '../problem.ts';
import { withProblems } from '../schemas.ts';
import { CASE_STATE_NAMES, type CaseDoc } from '../../cases/case-model.ts';
import { shiftStart } from '../../cases/handover-queries.ts';
import { ALERT_STATUS_NAMES, type AlertDoc } from '../../sensing/alerts/alert-model.ts';

/** What these routes use of the platform (and nothing more). */
type HandoverRouteDeps = Pick<Platform, 'cases' | 'clock' | 'org' | 'resolver' | 'sensing'>;

const HandoverQuery = Type.Object({
  since: Type.Optional(Type.String({ format: 'date-time', description: 'what changed since this time (default: the start of the current shift, 08:00 or 20:00 city time)' })),
  jurisdiction: Type.Optional(Type.String({ maxLength: 20, description: "a jurisdiction inside the caller's (default: the caller's own)" })),
  lang: Type.Optional(Type.String()),
});

const CaseSummary = Type.Object({
  id: Type.String(),
  number: Type.String(),
  title: Type.String(),
  state: Type.String(),
  stateName: Type.String(),
  priority: Type.String(),
  categoryName: Type.String(),
  place: Type.String(),
  overdue: Type.Boolean(),
  supervised: Type.Boolean(),
  resolveDue: Type.Union([Type.String(), Type.Null()]),
});

const AlertSummary = Type.Object({
  id: Type.String(),
  number: Type.String(),
  title: Type.String(),
  severity: Type.String(),
  status: Type.String(),
  statusName: Type.String(),
  lastAt: Type.String(),
});

const Counted = Type.Object({ n: Type.Integer() });

const HandoverAnswer = Type.Object({
  since: Type.String(),
  at: Type.String(),
  shiftStarts: Type.Array(Type.String(), { description: 'the current shift start, then the two before it' }),
  jurisdiction: Type.Object({ code: Type.String(), name: Type.String() }),
  counts: Type.Object({
    open: Type.Integer(),
    openByState: Type.Array(Type.Composite([Counted, Type.Object({ state: Type.String(), stateName: Type.String() })])),
    overdue: Type.Integer(),
    escalated: Type.Integer(),
    alerts: Type.Integer(),
    reported: Type.Integer(),
    closed: Type.Integer(),
    changed: Type.Integer(),
    eventsByType: Type.Array(Type.Composite([Counted, Type.Object({ type: Type.String() })])),
  }),
  overdue: Type.Array(CaseSummary),
  escalated: Type.Array(CaseSummary),
  changed: Type.Array(CaseSummary),
  alerts: Type.Array(AlertSummary),
});

/** The most cases each list of the handover shows (the counts count them all). */
const LIST_LIMIT = 50;

/** A shift's handover (交接班): open, overdue, escalated and supervised cases, active alerts, what changed. */
export function registerHandoverRoutes(app: FastifyInstance, platform: HandoverRouteDeps): void {
  const within = (code: string, ancestor: string): boolean => {
    const r = platform.resolver();
    for (let c: string | null = code; c; c = r.get(c)?.parentCode ?? null) if (c === ancestor) return true;
    return false;
  };

  app.get<{ Querystring: Static<typeof HandoverQuery> }>(
    '/api/v1/handover',
    {
      schema: {
        tags: ['cases'],
        summary: "交接班 — a shift's handover: open cases by state, overdue, escalated or supervised, active alerts, and what changed since a time (default the start of the current shift), of the caller's jurisdiction or one inside it (administrators, operators, supervisors)",
        security: [{ bearer: [] }],
        querystring: HandoverQuery,
        response: withProblems({ 200: HandoverAnswer }),
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      if (!hasRole(p, 'admin', 'operator', 'supervisor')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'read the shift handover' });
      const lang = langOf(req);
      const resolver = platform.resolver();
      const code = req.query.jurisdiction ?? p.jurisdictionCode ?? resolver.list('city')[0]?.code;
      const j = code ? resolver.get(code) : undefined;
      if (!code || !j) throw new CityLoopError('NOT_FOUND', { what: '辖区/jurisdiction', id: code ?? '' });
      if (!hasRole(p, 'admin') && !(p.jurisdictionCode && within(code, p.jurisdictionCode))) throw new CityLoopError('FORBIDDEN_JURISDICTION');
      const now = platform.clock.now();
      const since = req.query.since ? new Date(req.query.since) : shiftStart(now);
      if (Number.isNaN(since.getTime())) throw new CityLoopError('VALIDATION_FAILED', { detail: 'since must be a date-time' });
      const narrowed = req.query.jurisdiction ? { jurisdiction: code } : {};
      const h = await platform.cases.handover(p, { since: since.toISOString(), limit: LIST_LIMIT, ...narrowed });
      // Alerts waiting for a person (raised or acknowledged), those of the jurisdiction the caller may see.
      const alerts = (await platform.sensing.alerts.list(p, { status: ['raised', 'acknowledged'], limit: 500 })).items.filter((a) => a.chain.some((l) => l.code === code) || (j.level === 'city' && a.chain.length === 0));
      const summary = (d: CaseDoc) => {
        const cat = platform.org.category(d.categoryCode);
        return {
          id: d.id,
          number: d.number,
          title: d.title,
          state: d.state,
          stateName: CASE_STATE_NAMES[d.state][lang],
          priority: d.priority,
          categoryName: cat ? (lang === 'en' ? cat.nameEn : cat.nameZh) : d.categoryCode,
          place: d.chain[d.chain.length - 1]?.name ?? '',
          overdue: d.overdue,
          supervised: d.supervisedBy.length > 0,
          resolveDue: d.resolveDue,
        };
      };
      const alertSummary = (a: AlertDoc) => ({ id: a.id, number: a.number, title: a.title, severity: a.severity, status: a.status, statusName: ALERT_STATUS_NAMES[a.status][lang], lastAt: a.lastAt });
      return {
        since: since.toISOString(),
        at: now.toISOString(),
        shiftStarts: [0, 1, 2].map((b) => shiftStart(now, b).toISOString()),
        jurisdiction: { code, name: j.name },
        counts: {
          ...h.counts,
          openByState: h.counts.openByState.map((r) => ({ ...r, stateName: CASE_STATE_NAMES[r.state as CaseDoc['state']]?.[lang] ?? r.state })),
          alerts: alerts.length,
        },
        overdue: h.overdue.map(summary),
        escalated: h.escalated.map(summary),
        changed: h.changed.map(summary),
        alerts: alerts.slice(0, LIST_LIMIT).map(alertSummary),
      };
    },
  );
}
