/**
 * Every administrative write is an event in the one log, with its actor (issue 14): rules saved
 * and switched off, plans, the routing table and the category list saved; the administrators read
 * them back through `/api/v1/audit/changes`, and no one else may.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { testHttp } from '../support/http.ts';
import { verifyEventLog } from '../../src/events/event-log.ts';

const repo = (p: string) => new URL(`../../${p}`, import.meta.url);

describe.each(DIALECTS)('administrative changes in the event log on %s', (dialect) => {
  let tp: TestPlatform;
  const tokens: Record<string, string> = {};
  const { call } = testHttp(() => tp.app, (u) => tokens[u]);
  const changes = async (query: string) => {
    const r = await call('admin', 'GET', `/api/v1/audit/changes?${query}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.items as { kind: string; id: string; type: string; actor: { id: string; name: string }; payload: any }[];
  };

  beforeAll(async () => {
    tp = await openTestPlatform(dialect);
    for (const u of ['admin', 'yuzhong.operator', 'city.supervisor']) tokens[u] = await tp.signIn(u);
  }, 120_000);
  afterAll(async () => tp?.close());

  it('records a rule saved and switched off, with the administrator as actor', async () => {
    const source = readFileSync(repo('cities/chongqing/rules/device-offline.yaml'), 'utf8').replace(/name: (.*)/, 'name: $1（改）');
    const saved = await call('admin', 'POST', '/api/v1/rules', source, { 'content-type': 'text/yaml' });
    expect(saved.status, JSON.stringify(saved.body)).toBeLessThan(300);
    const id = saved.body.items?.[0]?.id ?? saved.body.id ?? saved.body[0]?.id;
    expect(typeof id).toBe('string');
    expect((await call('admin', 'POST', `/api/v1/rules/${id}/deactivate`, {})).status).toBe(200);
    const events = await changes(`kind=rule&id=${id}`);
    expect(events.map((e) => e.type)).toEqual(['RuleDeactivated', 'RuleSaved', ...events.slice(2).map(() => 'RuleSaved')]);
    const me = (await call('admin', 'GET', '/api/v1/me')).body;
    expect(events[0]!.actor).toMatchObject({ id: me.userId, name: me.displayName });
    expect(events[1]!.actor).toMatchObject({ id: me.userId, name: me.displayName });
  });

  it('records a plan, the routing table and the category list saved', async () => {
    const plan = readFileSync(repo('cities/chongqing/plans/manhole-cover.yaml'), 'utf8').replace(/name: (.*)/, 'name: $1（修订）');
    const p = await call('admin', 'POST', '/api/v1/plans', plan, { 'content-type': 'text/yaml' });
    expect(p.status, JSON.stringify(p.body)).toBeLessThan(300);
    const planEvents = await changes(`kind=plan&id=${p.body.id}`);
    expect(planEvents[0]).toMatchObject({ type: 'PlanSaved', payload: { id: p.body.id, version: p.body.version } });

    const table = readFileSync(repo('cities/chongqing/routing/routing-table.yaml'), 'utf8') + '\n# 修订\n';
    const t = await call('admin', 'POST', '/api/v1/routing-table', table, { 'content-type': 'text/yaml' });
    expect(t.status, JSON.stringify(t.body)).toBeLessThan(300);
    expect((await changes('kind=routing'))[0]).toMatchObject({ type: 'RoutingTableSaved', payload: { version: t.body.version } });

    const items = (await call<{ items: { code: string; [field: string]: unknown }[] }>('yuzhong.operator', 'GET', '/api/v1/categories')).body.items;
    const next = items.map((c) => (c.code === 'environment.dead-animal' ? { ...c, nameZh: '动物尸体（路面）' } : c));
    const c = await call('admin', 'PUT', '/api/v1/categories', { items: next });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    expect((await changes('kind=categories'))[0]).toMatchObject({ type: 'CategoriesSaved', payload: { changed: ['environment.dead-animal'] } });

    // All of it, newest first, in one list; and the chain still verifies.
    const all = await changes('limit=500');
    expect(all.map((e) => e.type)).toEqual(expect.arrayContaining(['CategoriesSaved', 'RoutingTableSaved', 'PlanSaved', 'RuleDeactivated', 'RuleSaved']));
    expect(all.findIndex((e) => e.type === 'CategoriesSaved')).toBeLessThan(all.findIndex((e) => e.type === 'PlanSaved'));
    expect((await verifyEventLog(tp.platform.store.db)).ok).toBe(true);
  });

  it('records a user created by an administrator, without the password', async () => {
    const password = 'a-new-users-password-1';
    const r = await call('admin', 'POST', '/api/v1/users', { username: 'audit.newbie', displayName: '新坐席', password, roles: ['operator'] });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const events = await changes(`kind=user&id=${r.body.id}`);
    expect(events.map((e) => e.type)).toEqual(['UserCreated']);
    expect(events[0]!.payload).toMatchObject({ username: 'audit.newbie', roles: ['operator'] });
    expect(JSON.stringify(events[0])).not.toContain(password);
    const me = (await call('admin', 'GET', '/api/v1/me')).body;
    expect(events[0]!.actor.id).toBe(me.userId);
  });

  it('pages by sequence number', async () => {
    const first = await call('admin', 'GET', '/api/v1/audit/changes?limit=2');
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextBefore).toBe(first.body.items[1].seq);
    const second = await call('admin', 'GET', `/api/v1/audit/changes?limit=2&before=${first.body.nextBefore}`);
    expect(second.body.items[0].seq).toBeLessThan(first.body.items[1].seq);
  });

  it('shows them to administrators only', async () => {
    for (const u of ['yuzhong.operator', 'city.supervisor']) {
      const r = await call(u, 'GET', '/api/v1/audit/changes');
      expect(r.status, u).toBe(403);
      expect(r.body.code).toBe('FORBIDDEN_ROLE');
    }
    const anon = await tp.app.inject({ method: 'GET', url: '/api/v1/audit/changes' });
    expect(anon.statusCode).toBe(401);
    expect((await call('admin', 'GET', '/api/v1/audit/changes?id=x')).status).toBe(400);
  });
});
