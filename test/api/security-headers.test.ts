/**
 * Security headers on every answer (issue 14): every page runs only the server's own scripts (no
 * 'unsafe-inline' for scripts) and cannot be framed; API answers carry a policy that allows
 * nothing; nosniff and a referrer policy everywhere; HSTS only on requests that came over HTTPS,
 * as said by a proxy the administrator trusts (TRUST_PROXY), never by a client's own header.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import { openTestPlatform, type TestPlatform } from '../support/test-platform.ts';

function directives(csp: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (csp ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name, values.join(' '));
  }
  return out;
}

describe('security headers', () => {
  let tp: TestPlatform;
  let app: FastifyInstance;
  let proxied: FastifyInstance;
  let dist: string;
  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'cityloop-dist-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/assets/app-1.js"></script>');
    writeFileSync(join(dist, 'assets', 'app-1.js'), 'console.log(1)');
    tp = await openTestPlatform('sqlite', { districts: ['500103'] });
    app = await buildApp(tp.platform, { webDistDir: dist });
    proxied = await buildApp({ ...tp.platform, settings: { ...tp.platform.settings, trustProxy: true } } as typeof tp.platform, { webDistDir: dist });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await proxied?.close();
    await tp?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  const PAGES = ['/', '/cockpit', '/cases/CL20260302000001', '/grid', '/citizen', '/kpis', '/admin', '/docs'];

  it('gives every page a policy that runs no inline script and forbids framing', async () => {
    for (const url of PAGES) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type'], url).toMatch(/text\/html/);
      const csp = directives(r.headers['content-security-policy'] as string | undefined);
      const scripts = csp.get('script-src') ?? csp.get('default-src');
      expect(scripts, url).toBeDefined();
      expect(scripts, url).not.toContain('unsafe-inline');
      expect(scripts, url).not.toContain('unsafe-eval');
      expect(scripts, url).not.toMatch(/\*|https?:/);
      expect(csp.get('frame-ancestors'), url).toBe("'none'");
      expect(csp.get('object-src'), url).toBe("'none'");
      expect(r.headers['x-content-type-options'], url).toBe('nosniff');
      expect(r.headers['referrer-policy'], url).toBe('same-origin');
      expect(r.headers['x-frame-options'], url).toBe('DENY');
    }
  });

  it('gives API answers, problems and documents a policy that allows nothing', async () => {
    for (const url of ['/healthz', '/openapi.json', '/api/v1/categories', '/api/v1/me', '/api/v1/no-such-route', '/open311/v2/discovery.json']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBeLessThan(500);
      expect(r.headers['content-security-policy'], url).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(r.headers['x-content-type-options'], url).toBe('nosniff');
      expect(r.headers['referrer-policy'], url).toBe('same-origin');
    }
    // A script keeps no document policy: a worker takes its policy from its own headers.
    const js = await app.inject({ url: '/assets/app-1.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-security-policy']).toBeUndefined();
    expect(js.headers['x-content-type-options']).toBe('nosniff');
  });

  it('sends HSTS only over HTTPS as a trusted proxy says, never on a client\'s word', async () => {
    const plain = await app.inject({ url: '/' });
    expect(plain.headers['strict-transport-security']).toBeUndefined();
    // Without TRUST_PROXY a client cannot claim HTTPS.
    const forged = await app.inject({ url: '/', headers: { 'x-forwarded-proto': 'https' } });
    expect(forged.headers['strict-transport-security']).toBeUndefined();
    for (const url of ['/', '/api/v1/categories']) {
      const tls = await proxied.inject({ url, headers: { 'x-forwarded-proto': 'https' } });
      expect(tls.headers['strict-transport-security'], url).toBe('max-age=31536000; includeSubDomains');
    }
    const proxiedPlain = await proxied.inject({ url: '/', headers: { 'x-forwarded-proto': 'http' } });
    expect(proxiedPlain.headers['strict-transport-security']).toBeUndefined();
  });
});
