/**
 * Who is calling: the principal a request carries (set by the app's authentication hook) and the
 * guards every route uses. Apart from the app, so that routes do not import the app that imports them.
 */
import type { FastifyRequest } from 'fastify';
import { CityLoopError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import type { Credential } from '../auth/auth-service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The token the principal came with (its id, kind, scopes and expiry); null without one. */
    credential: Credential | null;
  }
}


/** Reads the bearer token (or, for EventSource which cannot send headers, ?access_token=). */
export function tokenOf(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (typeof h === 'string') {
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    if (m) return m[1] ?? null;
  }
  const q = (req.query as Record<string, unknown> | undefined)?.access_token;
  return typeof q === 'string' && q.length > 0 ? q : null;
}

export function redactQuery(url: string): string {
  return url.replace(/([?&](access_token|token|password|api_key)=)[^&]*/gi, '$1***');
}

/** The raw bearer token of a request (what sign-out revokes); null without one. */
export function bearerTokenOf(req: FastifyRequest): string | null {
  return tokenOf(req);
}

/**
 * Managing credentials (issuing API tokens, changing a password or the second factor) needs a
 * signed-in session: an API token, even one with the write scope, cannot mint or change others.
 */
export function requireSession(req: FastifyRequest, action: string): Principal {
  const p = requirePrincipal(req);
  if (req.credential?.kind !== 'session') throw new CityLoopError('SESSION_REQUIRED', { action });
  return p;
}

export function requirePrincipal(req: FastifyRequest): Principal {
  if (!req.principal) throw new CityLoopError('AUTH_REQUIRED');
  return req.principal;
}
