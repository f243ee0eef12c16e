import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Platform } from '../platform.ts';
import { registerMapRoutes } from './routes/map-routes.ts';
import { registerEvidenceRoutes } from './routes/evidence-routes.ts';

/** Where `vite build` writes the web application (web/vite.config.ts). */
export const WEB_DIST_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

/**
 * Paths the single-page application must never answer: an unknown API route stays a problem+json
 * 404 rather than becoming the app's HTML.
 */
const RESERVED = /^\/(api|docs|openapi\.json|open311|healthz|livez|readyz|assets)(\/|$|\?)/;

/**
 * The app's page may run only its own scripts and talk only to its own server: no inline script,
 * no other origin, not framed by another site. Styles allow inline (React's style attributes);
 * images allow data: and blob: (the icon, evidence photos read with the session's token); MapLibre's
 * worker is our own file.
 */
export const APP_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of the app's page (index.html, for every deep link). */
const APP_PAGE_HEADERS: Record<string, string> = {
  'cache-control': 'no-cache',
  'content-security-policy': APP_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

export interface WebAppOptions {
  /** The built application; default web/dist. */
  readonly distDir?: string;
}

/**
 * The cockpit and the other pages, served by the API's own server (no second server to run):
 * hashed files under /assets cached for good, every other GET that is not an API path answered
 * with index.html so that deep links (/cases/…) work. Without a build, `/` keeps pointing at
 * the API documentation.
 */
export async function registerWebApp(app: FastifyInstance, platform: Platform, opts: WebAppOptions = {}): Promise<void> {
  registerMapRoutes(app, platform);
  registerEvidenceRoutes(app, platform);
  const root = opts.distDir ?? WEB_DIST_DIR;
  if (!existsSync(`${root}/index.html`)) {
    app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/docs'));
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: false,
    preCompressed: true,
    setHeaders: (res, path) => {
      res.header('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      res.header('x-content-type-options', 'nosniff');
    },
  });
  const sendIndex = (_req: FastifyRequest, reply: FastifyReply) => reply.headers(APP_PAGE_HEADERS).sendFile('index.html', root);
  app.get('/', { schema: { hide: true } }, sendIndex);
  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    // A missing file (it has an extension) or an API path is a real 404, not the app.
    if (RESERVED.test(path) || /\.[a-z0-9]{1,8}$/i.test(path)) return reply.callNotFound();
    return sendIndex(req, reply);
  });
}
