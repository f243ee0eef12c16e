/**
 * What an API token may be used for. A system holding a token needs only part of what its account
 * may do: a dashboard reads, a gauge gateway posts telemetry, an Open311 client files requests. A
 * leaked token then does only that much harm. Sign-in sessions carry every scope (the person is
 * there); API tokens carry the scopes chosen when they were issued.
 *
 * Each request needs exactly one scope, decided from its method and path alone (pure):
 *   open311 — anything under /open311/;
 *   ingest  — posting telemetry, camera events and CAP warnings;
 *   read    — GET and HEAD on the rest;
 *   write   — every other method on the rest.
 */
export const TOKEN_SCOPES = ['read', 'write', 'ingest', 'open311'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Paths whose POST is ingest (a device, a camera platform or a warning feed delivering data). */
const INGEST_PATHS: readonly RegExp[] = [/^\/api\/v1\/devices\/[^/]+\/telemetry$/, /^\/api\/v1\/camera-events$/, /^\/api\/v1\/cap$/];

export function requiredScope(method: string, url: string): TokenScope {
  const path = url.split('?')[0]!;
  if (path === '/open311' || path.startsWith('/open311/')) return 'open311';
  const m = method.toUpperCase();
  if (m === 'GET' || m === 'HEAD') return 'read';
  if (m === 'POST' && INGEST_PATHS.some((r) => r.test(path))) return 'ingest';
  return 'write';
}

export function parseScopes(text: string | null): TokenScope[] {
  if (!text) return [];
  const list = JSON.parse(text) as unknown;
  return Array.isArray(list) ? list.filter((s): s is TokenScope => (TOKEN_SCOPES as readonly string[]).includes(s as string)) : [];
}
