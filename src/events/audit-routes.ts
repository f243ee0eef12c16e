import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Platform } from '../platform.ts';
import { CityLoopError } from '../errors.ts';
import { requirePrincipal } from '../server/app.ts';
import { withProblems } from '../server/schemas.ts';
import { hasRole } from '../auth/principal.ts';
import { verifyEventLog } from './event-log.ts';

export function registerAuditRoutes(app: FastifyInstance, platform: Platform): void {
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
}
