import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleNotFound } from './problem.ts';
import { Problem } from './schemas.ts';
import type { Platform } from '../platform.ts';
import { registerWebApp } from './web-app.ts';

describe('serving the web app beside the API', () => {
  let app: FastifyInstance;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cityloop-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'app-abc123.js'), 'console.log(1)');
    app = Fastify();
    app.setNotFoundHandler(handleNotFound);
    app.addSchema(Problem);
    app.get('/api/v1/known', async () => ({ ok: true }));
    await registerWebApp(app, {} as Platform, { distDir: dir });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers deep links with the app and caches hashed assets for good', async () => {
    for (const url of ['/', '/cockpit', '/cases/01abc']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type']).toMatch(/text\/html/);
      expect(r.headers['cache-control']).toBe('no-cache');
      // Only its own scripts, its own server, never framed.
      expect(r.headers['content-security-policy'], url).toContain("script-src 'self';");
      expect(r.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
    const js = await app.inject({ url: '/assets/app-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toMatch(/immutable/);
    expect(js.headers['x-content-type-options']).toBe('nosniff');
  });

  it('never shadows the API: unknown API paths and missing files stay problem+json 404s', async () => {
    expect((await app.inject({ url: '/api/v1/known' })).json()).toEqual({ ok: true });
    for (const url of ['/api/v1/nope', '/api/v1/cases/x/nope', '/openapi.json', '/docs', '/assets/missing.js', '/favicon.ico']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(404);
      expect(r.headers['content-type'], url).toMatch(/problem\+json/);
    }
  });
});
