import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { testHttp } from '../support/http.ts';

describe('smart routing of appeals (智能分拨)', () => {
  let t: TestPlatform;
  const tokens: Record<string, string> = {};
  const { call } = testHttp(() => t.app, (u) => tokens[u]);

  beforeAll(async () => {
    t = await openTestPlatform('sqlite');
    for (const u of ['admin', 'yuzhong.operator', 'citizen.zhang']) tokens[u] = await t.signIn(u);
  });
  afterAll(async () => t?.close());

  it('routes a hotline agent\'s consumer dispute at a named place to the street\'s market supervision post, with the community assisting', async () => {
    const r = await call('yuzhong.operator', 'POST', '/api/v1/appeals', {
      text: '在解放碑一家商场买的电器坏了，商家不给退换，承诺的赠品也没给',
      categoryCode: 'appeal.commerce-tourism.consumer-dispute',
      place: '解放碑附近',
      reporter: { name: '赵六', phone: '13600000000' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.source).toBe('hotline');
    expect(r.body.state).toBe('dispatched');
    const lead = r.body.tasks.find((x: any) => x.role === 'lead');
    expect(lead.unitId).toMatch(/^unit-500103\d{3}-market-supervision-post$/);
    expect(r.body.tasks.find((x: any) => x.role === 'assist').unitId).toMatch(/-community$/);
    expect(r.body.routing).toMatchObject({ automatic: true, outcome: 'dispatched' });
    // The why names the category and the unit, not their codes (the codes are the record's fields below).
    const leadName = t.platform.org.unit(lead.unitId)!.name;
    expect(r.body.routing.why).toMatch(new RegExp(`^派单目录：消费纠纷 → ${leadName}；坐席选定类别`));
    expect(r.body.routing.why).not.toMatch(/[a-z]{2,}/);
    const events = (await call('yuzhong.operator', 'GET', `/api/v1/cases/${r.body.id}/events`)).body.items;
    const routed = events.find((e: any) => e.type === 'AppealRouted');
    expect(routed.payload).toMatchObject({ categoryCode: 'appeal.commerce-tourism.consumer-dispute', rule: 'appeal.commerce-tourism.consumer-dispute@*', routingVersion: 1 });
    expect(routed.actor.id).toBe('system');
  });

  it.each([
    ['广场舞噪音太大，晚上十点还在跳', /^unit-500103\d{3}-street-enforcement$/, 'appeal.environment.square-dance-noise'],
    ['公交车半小时才来一班，等车太难了', /^unit-500103-transport$/, 'appeal.transport.bus-frequency'],
    ['我们小区水压太低，高层用不上水', /^unit-500103-water-supply$/, 'appeal.urban-rural.water-pressure'],
  ])('routes the seed\'s citizen message "%s" to the right kind of unit', async (text, unit, category) => {
    const r = await call('citizen.zhang', 'POST', '/api/v1/appeals', { text, lng: 106.5733, lat: 29.5599, crs: 'wgs84' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.source).toBe('citizen');
    expect(r.body.categoryCode).toBe(category);
    expect(r.body.state).toBe('dispatched');
    expect(r.body.tasks.find((x: any) => x.role === 'lead').unitId).toMatch(unit);
    const routed = (await call('citizen.zhang', 'GET', `/api/v1/cases/${r.body.id}/events`)).body.items.find((e: any) => e.type === 'AppealRouted');
    expect(routed.payload.top.length).toBe(3);
    expect(routed.payload.why).toContain('派单目录');
    expect(routed.payload.why).toContain(`派单目录：${t.platform.org.category(String(routed.payload.rule).split('@')[0]!)!.nameZh}`);
    expect(routed.payload.why).not.toMatch(/[a-z]{2,}/);
  });

  it('sends a message the classifier is unsure of to the triage queue, with the reason', async () => {
    const text = '你好，我想反映一个情况，麻烦尽快处理一下';
    const c = await call('yuzhong.operator', 'POST', '/api/v1/appeals/classify', { text });
    expect(c.body.top).toHaveLength(3);
    expect(c.body.triage).toBe(true);
    const r = await call('citizen.zhang', 'POST', '/api/v1/appeals', { text, lng: 106.5733, lat: 29.5599, crs: 'wgs84' });
    expect(r.body.state).toBe('reported');
    expect(r.body.routing).toMatchObject({ outcome: 'triage' });
    expect(r.body.routing.why).toContain('置信度');
    const queue = await call('yuzhong.operator', 'GET', '/api/v1/appeals/triage');
    expect(queue.body.items.map((x: any) => x.id)).toContain(r.body.id);
  });

  it('sends an appeal at a place nobody can find to the city center\'s triage queue instead of guessing', async () => {
    tokens['city.operator'] = await t.signIn('city.operator');
    const r = await call('yuzhong.operator', 'POST', '/api/v1/appeals', { text: '路灯不亮', categoryCode: 'municipal.lighting.out', place: '火星基地' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.state).toBe('reported');
    expect(r.body.centerId).toBe('center-500000');
    expect(r.body.chain.map((l: any) => l.level)).toEqual(['city']);
    expect(r.body.routing.why).toContain('火星基地');
    const queue = await call('city.operator', 'GET', '/api/v1/appeals/triage');
    expect(queue.body.items.map((x: any) => x.id)).toContain(r.body.id);
    expect((await call('yuzhong.operator', 'POST', '/api/v1/appeals', { text: '路灯不亮', categoryCode: 'municipal.lighting.out' })).status).toBe(400);
  });

  it('keeps the routing table as versioned data that administrators edit', async () => {
    const current = await call('yuzhong.operator', 'GET', '/api/v1/routing-table');
    expect(current.body.version).toBe(1);
    // 渝中区 routes bus complaints to its traffic police: a local rule beats the city-wide one.
    const changed = `${current.body.source}  - category: appeal.transport.bus-frequency\n    jurisdiction: '500103'\n    lead: { kind: traffic-police, scope: district }\n`;
    expect((await call('yuzhong.operator', 'POST', '/api/v1/routing-table', { source: changed })).status).toBe(403);
    const bad = await call('admin', 'POST', '/api/v1/routing-table', { source: 'rules:\n  - category: appeal.transport\n    lead: { kind: no-such-unit, scope: district }\n' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('/rules/0/lead/kind');
    const saved = await call('admin', 'POST', '/api/v1/routing-table', { source: changed });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expect(saved.body.version).toBe(2);
    expect((await call('admin', 'GET', '/api/v1/routing-table/versions')).body.items).toHaveLength(2);
    const r = await call('yuzhong.operator', 'POST', '/api/v1/appeals', { text: '公交车半小时才来一班', categoryCode: 'appeal.transport.bus-frequency', lng: 106.577, lat: 29.557, crs: 'gcj02' });
    expect(r.body.tasks[0].unitId).toBe('unit-500103-traffic-police');
    const routed = (await call('yuzhong.operator', 'GET', `/api/v1/cases/${r.body.id}/events`)).body.items.find((e: any) => e.type === 'AppealRouted');
    expect(routed.payload.routingVersion).toBe(2);
  });

  it('counts a re-routing after the lead returned the task as a misroute', async () => {
    const r = await call('yuzhong.operator', 'POST', '/api/v1/appeals', { text: '小区水压太低', categoryCode: 'appeal.urban-rural.water-pressure', lng: 106.577, lat: 29.557, crs: 'gcj02' });
    const lead = r.body.tasks.find((x: any) => x.role === 'lead');
    await t.platform.cases.execute((await import('../../src/auth/principal.ts')).SYSTEM_PRINCIPAL, r.body.id, { type: 'return_task', taskId: lead.id, reason: '属物业管理范围' });
    const stats = await call('yuzhong.operator', 'GET', '/api/v1/appeals/routing-stats');
    expect(stats.body.misrouted).toBeGreaterThanOrEqual(1);
    expect(stats.body.misrouteRate).toBeGreaterThan(0);
  });
});
