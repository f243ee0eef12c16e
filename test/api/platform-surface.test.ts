import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { ERRORS } from '../../src/errors.ts';
import { SETTING_NAMES } from '../../src/config.ts';
import { redactQuery } from '../../src/http/request-principal.ts';

const JFB = { lng: 106.577, lat: 29.557, crs: 'gcj02' as const };

describe('health, OpenAPI, documentation and the live feed', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await openTestPlatform('sqlite');
  });
  afterAll(async () => t?.close());

  it('answers /healthz with versions and the store', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(r.statusCode).toBe(200);
    const b = r.json();
    expect(b.status).toBe('ok');
    expect(b.store.kind).toBe('sqlite');
    expect(b.node).toBe(process.version);
    expect(b.jurisdictions).toBeGreaterThan(100);
  });

  it('publishes an OpenAPI 3 document of every route, and /docs', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    const paths = Object.keys(doc.paths);
    for (const p of ['/healthz', '/api/v1/cases', '/api/v1/cases/{id}', '/api/v1/cases/{id}/dispatch', '/api/v1/cases/{id}/tasks/{taskId}/return', '/api/v1/geo/resolve', '/api/v1/auth/sign-in', '/api/v1/events/stream', '/api/v1/audit/verify']) {
      expect(paths).toContain(p);
    }
    for (const [path, ops] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        expect(op.summary, `${method} ${path} has a summary`).toBeTruthy();
        if (method === 'post' && !path.endsWith('/attachments') && !path.endsWith('sign-out')) expect(op.requestBody, `${method} ${path} has a body schema`).toBeTruthy();
      }
    }
    const ui = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
  });

  it('documents every error code and every setting', () => {
    const errors = readFileSync('docs/reference/errors.md', 'utf8');
    for (const code of Object.keys(ERRORS)) expect(errors, code).toContain(`\`${code}\``);
    const settings = readFileSync('docs/reference/settings.md', 'utf8');
    const readme = readFileSync('README.md', 'utf8');
    for (const name of SETTING_NAMES) {
      expect(settings, name).toContain(`\`${name}\``);
      expect(readme, name).toContain(`\`${name}\``);
    }
  });

  it('never logs a token from the query string', () => {
    expect(redactQuery('/api/v1/events/stream?access_token=cls_secret&types=CaseReported')).toBe('/api/v1/events/stream?access_token=***&types=CaseReported');
    expect(redactQuery('/open311/v2/requests.json?api_key=clt_secret')).toBe('/open311/v2/requests.json?api_key=***');
  });

  it('resolves a point publicly in either datum', async () => {
    const g = (await t.app.inject({ method: 'GET', url: '/api/v1/geo/resolve?lng=106.5770&lat=29.5570&crs=gcj02' })).json();
    expect(g.chain[1]).toMatchObject({ code: '500103', name: '渝中区', level: 'district' });
    expect(g.chain.at(-1).level).toBe('grid');
    const w = (await t.app.inject({ method: 'GET', url: `/api/v1/geo/resolve?lng=${g.wgs84.lng}&lat=${g.wgs84.lat}&crs=wgs84` })).json();
    expect(w.chain).toEqual(g.chain);
    const out = await t.app.inject({ method: 'GET', url: '/api/v1/geo/resolve?lng=104.066&lat=30.572&crs=gcj02' });
    expect(out.statusCode).toBe(422);
    expect(out.json().code).toBe('GEO_OUTSIDE_CITY');
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/geo/resolve?lng=500&lat=29&crs=gcj02' });
    expect(bad.statusCode).toBe(400);
  });

  it('streams events live, only those the subscriber may see', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const yz = await t.signIn('yuzhong.operator');
    const na = await t.signIn('nanan.operator');
    // The feed greets a subscriber once it listens: the case is reported only after both greetings.
    const read = async (token: string, wantTitle: string) => {
      const ac = new AbortController();
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/events/stream?access_token=${token}`, { signal: ac.signal });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const reader = res.body!.getReader();
      let text = '';
      let greeted: () => void = () => {};
      const ready = new Promise<void>((r) => (greeted = r));
      const done = (async () => {
        const until = Date.now() + 5000;
        // One read at a time: a read that lost the race to the timer still gets the next chunk.
        let pending: ReturnType<typeof reader.read> | null = null;
        while (Date.now() < until) {
          pending ??= reader.read();
          const chunk = await Promise.race([pending, new Promise<null>((r) => setTimeout(() => r(null), 300))]);
          if (chunk) pending = null;
          if (chunk?.done) break;
          if (chunk) text += new TextDecoder().decode(chunk.value);
          if (text.includes(': CityLoop live feed')) greeted();
          if (text.includes(wantTitle)) break;
        }
        greeted();
        ac.abort();
        return text;
      })();
      return { ready, done };
    };
    const yzFeed = await read(yz, '直播测试');
    const naFeed = await read(na, '直播测试');
    await Promise.all([yzFeed.ready, naFeed.ready]);
    const c = await t.app.inject({ method: 'POST', url: '/api/v1/cases', headers: { authorization: `Bearer ${yz}` }, payload: { categoryCode: 'municipal.water.burst', title: '直播测试', ...JFB } });
    expect(c.statusCode).toBe(201);
    const [yzText, naText] = await Promise.all([yzFeed.done, naFeed.done]);
    expect(yzText).toContain('event: CaseReported');
    expect(yzText).toContain('直播测试');
    expect(naText).not.toContain('直播测试');
  });
});

describe('KPIs over the API', () => {
  it('answers the 三率 by district as JSON and CSV, for staff only', async () => {
    const t = await openTestPlatform('sqlite');
    try {
      const op = await t.signIn('yuzhong.operator');
      const c = await t.app.inject({ method: 'POST', url: '/api/v1/cases', headers: { authorization: `Bearer ${op}` }, payload: { categoryCode: 'municipal.water.burst', title: 'kpi', lng: 106.577, lat: 29.557, crs: 'gcj02' } });
      await t.app.inject({ method: 'POST', url: `/api/v1/cases/${c.json().id}/register`, headers: { authorization: `Bearer ${op}` }, payload: {} });
      const r = await t.app.inject({ method: 'GET', url: '/api/v1/kpis?groupBy=district', headers: { authorization: `Bearer ${op}` } });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().rows[0]).toMatchObject({ group: '500103', cases: 1, registered: 1, resolutionRate: 0 });
      const csv = await t.app.inject({ method: 'GET', url: '/api/v1/kpis?groupBy=category&format=csv', headers: { authorization: `Bearer ${op}` } });
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.body).toContain('供水管道爆裂');
      const citizen = await t.signIn('citizen.zhang');
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/kpis', headers: { authorization: `Bearer ${citizen}` } })).statusCode).toBe(403);
    } finally {
      await t.close();
    }
  });
});
