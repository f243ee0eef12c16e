import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { CityLoopError } from '../../errors.ts';
import { requirePrincipal } from '../request-principal.ts';
import { withProblems } from '../schemas.ts';
import { hasRole } from '../../auth/principal.ts';
import { verifyEventLog } from '../../events/event-log.ts';
import { ADMIN_STREAM_KINDS, adminStreamId, listAdminChanges } from '../../events/admin-events.ts';

/** What these routes use of the platform (and nothing more). */
type AuditRouteDeps = Pick<Platform, 'store'>;


const ChangesQuery = Type.Object({
  kind: Type.Optional(Type.Union(ADMIN_STREAM_KINDS.map((k) => Type.Literal(k)))),
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'with kind: one thing\'s changes (a device id, a rule id …)' })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'cursor: only events before this sequence number' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});

export function registerAuditRoutes(app: FastifyInstance, platform: AuditRouteDeps): void {
  app.get(
    '/api/v1/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: 'Verify the hash chain of the whole event log (administrators and supervisors)',
        security: [{ bearer: [] }],
        response: withProblems({
          200: Type.Object({
            ok: Type.Boolean(),
            events: Type.Integer(),
            headSeq: Type.Integer(),
            headHash: Type.String(),
            problems: Type.Array(Type.Object({ seq: Type.Union([Type.Integer(), Type.Null()]), kind: Type.String(), detail: Type.String() })),
          }),
        }),
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      if (!hasRole(p, 'admin', 'supervisor')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'audit verify' });
      return verifyEventLog(platform.store.db);
    },
  );

  app.get<{ Querystring: { kind?: (typeof ADMIN_STREAM_KINDS)[number]; id?: string; before?: number; limit?: number } }>(
    '/api/v1/audit/changes',
    {
      schema: {
        tags: ['audit'],
        summary: '配置变更记录 — administrative changes (devices, rules, plans, routing table, categories, users, units, tokens), newest first: who, when, what (administrators)',
        security: [{ bearer: [] }],
        querystring: ChangesQuery,
        response: withProblems({ 200: Type.Object({ items: Type.Array(Type.Object({}, { additionalProperties: true })), nextBefore: Type.Union([Type.Integer(), Type.Null()]) }) }),
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      if (!hasRole(p, 'admin')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'read the administrative changes' });
      const q = req.query;
      if (q.id !== undefined && q.kind === undefined) throw new CityLoopError('VALIDATION_FAILED', { detail: 'id: give kind with it' });
      return listAdminChanges(platform.store.db, { streamPrefix: q.kind === undefined ? undefined : q.id === undefined ? `${q.kind}:` : adminStreamId(q.kind, q.id), exact: q.id !== undefined, before: q.before, limit: q.limit ?? 100 });
    },
  );
}
