/**
 * The security headers of every answer. Pages (the app's, the API documentation) carry a
 * Content-Security-Policy that runs only the server's own scripts — never inline ones — and
 * forbids framing; every other answer gets a policy that allows nothing, since an API answer is
 * never meant to be rendered as a document. Scripts are left without one: a worker script's own
 * headers are its policy, and MapLibre's worker must reach the tiles. HSTS is sent only on a
 * request that came in over HTTPS (directly, or through a trusted proxy that says so): sent over
 * plain HTTP it would be ignored, and on localhost it would pin the name to HTTPS.
 */
import type { FastifyInstance } from 'fastify';

/** The API documentation page (Swagger UI): its scripts are files, its styles partly inline. */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Anything that is not a page or a script: nothing may load from it, nothing may frame it. */
export const NON_DOCUMENT_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

export const HSTS = 'max-age=31536000; includeSubDomains';

export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'same-origin');
    if (!reply.hasHeader('x-frame-options')) reply.header('x-frame-options', 'DENY');
    const type = String(reply.getHeader('content-type') ?? '');
    if (!reply.hasHeader('content-security-policy') && !/javascript/i.test(type)) reply.header('content-security-policy', NON_DOCUMENT_CONTENT_SECURITY_POLICY);
    if (req.protocol === 'https') reply.header('strict-transport-security', HSTS);
    return payload;
  });
}
