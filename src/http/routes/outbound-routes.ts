/**
 * The outbound policy as administrators see it: which hosts the server may send requests to
 * (CAP feeds, webhooks), whether plain http and private addresses are allowed, and the limits.
 * Read-only: the policy is set by environment (OUTBOUND_* settings) and read at start-up.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { CityLoopError } from '../../errors.ts';
import { requirePrincipal } from '../request-principal.ts';
import { withProblems } from '../schemas.ts';
import { hasRole } from '../../auth/principal.ts';
import { describeOutboundPolicy } from '../../outbound/outbound-policy.ts';

/** What these routes use of the platform (and nothing more). */
type OutboundRouteDeps = Pick<Platform, 'outbound'>;


export function registerOutboundRoutes(app: FastifyInstance, platform: OutboundRouteDeps): void {
  app.get(
    '/api/v1/admin/outbound',
    {
      schema: {
        tags: ['administration'],
        summary: 'The outbound request policy (OUTBOUND_* settings): allowed hosts, http, private addresses, time and size limits, redirects (administrators)',
        security: [{ bearer: [] }],
        response: withProblems({
          200: Type.Object({
            allowHosts: Type.Array(Type.String()),
            allowHttp: Type.Boolean(),
            allowPrivate: Type.Boolean(),
            connectTimeoutMs: Type.Integer(),
            timeoutMs: Type.Integer(),
            maxBytes: Type.Integer(),
            maxRedirects: Type.Integer(),
          }),
        }),
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      if (!hasRole(p, 'admin')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'see the outbound policy' });
      return describeOutboundPolicy(platform.outbound.policy);
    },
  );
}
