import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { testHttp } from '../support/http.ts';
import { DEMO_POINTS } from '../../cities/chongqing/demo/demo-assets.ts';
import { unitIdOf } from '../../cities/chongqing/demo/demo-city.ts';
import { verifyEventLog } from '../../src/events/event-log.ts';
import { SYSTEM_PRINCIPAL } from '../../src/auth/principal.ts';

const at = (p: readonly [number, number]) => ({ lng: p[0], lat: p[1], crs: 'gcj02' as const });

describe('plans as data: the seed scenes through the API', () => {
  let t: TestPlatform;
  const tokens: Record<string, string> = {};
  const { call, ok } = testHttp(() => t.app, (u) => tokens[u]);
  const counts = async () => {
    const db = t.platform.store.db;
    const c = await db.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const e = await db.selectFrom('log_head').select('seq').executeTakeFirstOrThrow();
    return { cases: Number(c.n), events: Number(e.seq) };
  };

  beforeAll(async () => {
    t = await openTestPlatform('sqlite');
    for (const u of ['admin', 'yuzhong.operator', 'yuzhong.water', 'yuzhong.traffic', 'yuzhong.econ', 'yuzhong.fire', 'city.operator']) tokens[u] = await t.signIn(u);
  });
  afterAll(async () => t?.close());

  it('ships the seed scenarios as plans', async () => {
    const list = await ok('yuzhong.operator', 'GET', '/api/v1/plans');
    expect(list.items.map((p: any) => p.id)).toEqual(expect.arrayContaining(['water-main-burst', 'underpass-waterlogging', 'muck-truck-spillage', 'forest-fire', 'manhole-cover']));
    const schema = await t.app.inject({ method: 'GET', url: '/api/v1/plans/schema' });
    expect(schema.json().$id).toContain('plan');
  });

  it('dry-runs without side effects: a burst under 500 mm is a district matter with five tasks', async () => {
    const before = await counts();
    const run = await ok('yuzhong.operator', 'POST', '/api/v1/plans/water-main-burst/simulate', { categoryCode: 'municipal.water.burst', ...at(DEMO_POINTS.guobinHospital) });
    expect(run.matched).toBe(true);
    expect(run.tier).toBe('district');
    expect(run.facts.water_main.diameter_mm).toBeLessThan(500);
    expect(run.problems).toEqual([]);
    expect(run.tasks.slice(0, 4).map((x: any) => [x.key, x.role, x.unitId])).toEqual([
      ['repair', 'lead', unitIdOf('500103', 'water-supply')],
      ['traffic', 'assist', unitIdOf('500103', 'traffic-police')],
      ['utilities', 'assist', unitIdOf('500103', 'economy-it')],
      ['emergency-water', 'assist', unitIdOf('500103', 'fire-rescue')],
    ]);
    // The grid workers of the grids within 300 m, through each of their streets' community office.
    const notify = run.tasks.slice(4);
    expect(notify.length).toBeGreaterThan(0);
    expect(notify.every((x: any) => x.key.startsWith('notify-residents') && /^unit-500103\d{3}-community$/.test(x.unitId))).toBe(true);
    expect(run.facts.nearby_grids.length).toBeGreaterThan(0);
    expect(run.facts.water_point.name).toContain('太平洋广场');
    expect(run.actions[0].message).toContain('供水管道爆管');
    expect(await counts()).toEqual(before);
  });

  it('runs the district plan from report to closure', async () => {
    const c = await ok('yuzhong.operator', 'POST', '/api/v1/cases', { categoryCode: 'municipal.water.burst', title: '国宾医院门前供水管道爆管', ...at(DEMO_POINTS.guobinHospital) });
    const preview = await ok('yuzhong.operator', 'GET', `/api/v1/cases/${c.id}/plan-preview`);
    expect(preview.planId).toBe('water-main-burst');
    const d = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/apply-plan`, {});
    expect(d.state).toBe('dispatched');
    expect(d.tier).toBe('district');
    expect(d.plan).toMatchObject({ id: 'water-main-burst', version: 1, tier: 'district' });
    expect(d.tasks.length).toBeGreaterThanOrEqual(5);
    const byKey = Object.fromEntries(d.tasks.map((x: any) => [x.plan.key, x]));
    expect(byKey.repair.role).toBe('lead');
    expect(byKey.repair.plan.instructions).toContain('抢修');
    expect(byKey.repair.plan.arriveBy).toBeTruthy();
    const handle = async (user: string, task: any, note: string) => {
      await ok(user, 'POST', `/api/v1/cases/${c.id}/tasks/${task.id}/accept`, {});
      await ok(user, 'POST', `/api/v1/cases/${c.id}/tasks/${task.id}/complete`, { note });
    };
    // The plan asks the lead for a photo: without it the task cannot be reported done.
    await ok('yuzhong.water', 'POST', `/api/v1/cases/${c.id}/tasks/${byKey.repair.id}/accept`, {});
    const noPhoto = await call('yuzhong.water', 'POST', `/api/v1/cases/${c.id}/tasks/${byKey.repair.id}/complete`, { note: '已修复' });
    expect(noPhoto.status).toBe(409);
    expect(noPhoto.body.detail).toContain('须回传现场照片');
    const photo = await t.app.inject({ method: 'POST', url: `/api/v1/cases/${c.id}/attachments?fileName=repair.jpg`, headers: { authorization: `Bearer ${tokens['yuzhong.water']}`, 'content-type': 'image/jpeg' }, payload: Buffer.from('jpeg bytes of the repaired pipe') });
    expect(photo.statusCode).toBe(201);
    const done = await ok('yuzhong.water', 'POST', `/api/v1/cases/${c.id}/tasks/${byKey.repair.id}/complete`, { note: '已关阀抢修，恢复供水', evidence: { attachmentIds: [photo.json().id] } });
    expect(done.tasks.find((x: any) => x.id === byKey.repair.id).evidence.attachmentIds).toEqual([photo.json().id]);
    await handle('yuzhong.traffic', byKey.traffic, '已疏导交通');
    await handle('yuzhong.econ', byKey.utilities, '电力通信管线无损');
    await handle('yuzhong.fire', byKey['emergency-water'], '太平洋广场应急供水');
    for (const task of d.tasks.filter((x: any) => x.plan.key.startsWith('notify-residents'))) await handle('admin', task, '网格员已通知居民');
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/report-back`, { summary: '三小时内恢复供水' });
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/check`, { passed: true });
    expect((await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/close`, {})).state).toBe('closed');
    const timeline = await ok('yuzhong.operator', 'GET', `/api/v1/cases/${c.id}/events`);
    const types = timeline.items.map((e: any) => e.type);
    expect(types.slice(0, 4)).toEqual(['CaseReported', 'PlanApplied', 'CaseRegistered', 'CaseDispatched']);
    expect(types).toContain('AttachmentAdded');
    expect(timeline.items[1].payload).toMatchObject({ planId: 'water-main-burst', version: 1, tier: 'district', centerId: 'center-500103' });
    expect(types.at(-1)).toBe('CaseClosed');
    expect((await verifyEventLog(t.platform.store.db)).ok).toBe(true);
    // 复盘: the closed case feeds the plan's review.
    const review = await ok('yuzhong.operator', 'GET', '/api/v1/plans/water-main-burst/review');
    expect(review.cases).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(review)).toContain('repair');
  });

  it('gives a burst of a main of 500 mm or more to the city, with city units added', async () => {
    const c = await ok('yuzhong.operator', 'POST', '/api/v1/cases', { categoryCode: 'municipal.water.burst', title: '长江二路干管爆管', ...at(DEMO_POINTS.trunkMainBurst) });
    const d = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/apply-plan`, {});
    expect(d.tier).toBe('city');
    expect(d.centerId).toBe('center-500000');
    const keys = d.tasks.map((x: any) => x.plan.key);
    expect(keys).toEqual(expect.arrayContaining(['city-coordination', 'city-urban']));
    expect(d.tasks.find((x: any) => x.plan.key === 'city-coordination').unitId).toBe(unitIdOf('500000', 'water-supply'));
  });

  it('runs the escalation clock: reminds after 5 minutes, escalates after 10, silent once answered', async () => {
    const c = await ok('yuzhong.operator', 'POST', '/api/v1/cases', { categoryCode: 'safety.underpass-waterlogging', source: 'sensor', title: '南开下穿道积水超限', ...at(DEMO_POINTS.nankaiUnderpass) });
    // 沙坪坝 has no demo operator: the city operator steers it.
    const d = await ok('city.operator', 'POST', `/api/v1/cases/${c.id}/apply-plan`, {});
    expect(d.centerId).toBe('center-500106');
    t.clock.advance(5 * 60_000 + 1000);
    await t.platform.timers.runDue();
    let tl = await ok('city.operator', 'GET', `/api/v1/cases/${c.id}/events`);
    const reminded = tl.items.filter((e: any) => e.type === 'TaskReminded' && e.payload.reason.includes('预案'));
    expect(reminded).toHaveLength(3);
    // One unit signs; at 10 minutes the two silent ones make the district escalate to the city.
    const traffic = d.tasks.find((x: any) => x.plan.key === 'traffic-control');
    await t.platform.cases.execute(SYSTEM_PRINCIPAL, c.id, { type: 'accept_task', taskId: traffic.id });
    t.clock.advance(5 * 60_000);
    await t.platform.timers.runDue();
    tl = await ok('city.operator', 'GET', `/api/v1/cases/${c.id}/events`);
    const esc = tl.items.filter((e: any) => e.type === 'CaseEscalated');
    expect(esc).toHaveLength(1);
    expect(esc[0].payload).toMatchObject({ fromCenterId: 'center-500106', toCenterId: 'center-500000' });
    expect(esc[0].actor.id).toBe('system');
    // Everyone answers: later steps stay silent.
    const after = await ok('city.operator', 'GET', `/api/v1/cases/${c.id}`);
    for (const task of after.tasks.filter((x: any) => x.state === 'dispatched')) {
      await t.platform.cases.execute(SYSTEM_PRINCIPAL, c.id, { type: 'accept_task', taskId: task.id });
    }
    t.clock.advance(60 * 60_000);
    await t.platform.timers.runDue();
    const later = (await ok('city.operator', 'GET', `/api/v1/cases/${c.id}/events`)).items.filter((e: any) => e.type === 'TaskReminded' || e.type === 'CaseEscalated');
    expect(later.filter((e: any) => e.payload.reason?.includes('预案')).length).toBe(4);
    // Drainage waits for the traffic police to close the underpass: signed for, it may not start yet.
    const drainage = d.tasks.find((x: any) => x.plan.key === 'drainage');
    expect(drainage.plan.dependsOn).toEqual(['traffic-control']);
    const early = await call('admin', 'POST', `/api/v1/cases/${c.id}/tasks/${drainage.id}/start`, {});
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('CASE_RULE_VIOLATED');
    expect(early.body.detail).toContain('须等待沙坪坝区公安交巡警支队先完成');
    await t.platform.cases.execute(SYSTEM_PRINCIPAL, c.id, { type: 'complete_task', taskId: traffic.id, note: '已封闭下穿道' });
    expect((await call('admin', 'POST', `/api/v1/cases/${c.id}/tasks/${drainage.id}/start`, {})).status).toBe(200);
  });

  it('shares a matter on the border of two districts with both centers and records their agreement', async () => {
    tokens['nanan.operator'] = await t.signIn('nanan.operator');
    // On the 渝中 bank of the Yangtze, within 500 m of 南岸区.
    const border = { lng: 106.585, lat: 29.555, crs: 'gcj02' as const };
    const c = await ok('yuzhong.operator', 'POST', '/api/v1/cases', { categoryCode: 'environment.riverbank-litter', title: '滨江步道垃圾多年无人清扫', ...border });
    expect((await call('nanan.operator', 'GET', `/api/v1/cases/${c.id}`)).status).toBe(403);
    const d = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/apply-plan`, {});
    expect(d.plan.id).toBe('cross-district-coordination');
    expect(d.coordination.centerIds).toEqual(['center-500108']);
    expect(d.tasks.map((x: any) => [x.role, x.unitId])).toEqual([
      ['lead', unitIdOf('500103', 'urban-management')],
      ['assist', unitIdOf('500108', 'urban-management')],
    ]);
    // The neighbouring district now sees the case, lists it, and may record the agreement.
    expect((await ok('nanan.operator', 'GET', `/api/v1/cases/${c.id}`)).id).toBe(c.id);
    expect((await ok('nanan.operator', 'GET', '/api/v1/cases?limit=200')).items.map((x: any) => x.id)).toContain(c.id);
    const agreed = await ok('nanan.operator', 'POST', `/api/v1/cases/${c.id}/agree-coordination`, {
      handledByUnitId: unitIdOf('500103', 'urban-management'),
      maintainedByUnitId: unitIdOf('500108', 'urban-management'),
      note: '渝中区本次清理，南岸区环卫合同单位负责后续保洁',
    });
    expect(agreed.coordination.agreement).toMatchObject({ handledByName: expect.stringContaining('渝中区'), maintainedByName: expect.stringContaining('南岸区') });
    // A district that does not share the case cannot record anything.
    const plain = await ok('yuzhong.operator', 'POST', '/api/v1/cases', { categoryCode: 'environment.exposed-garbage', title: '暴露垃圾', ...at(DEMO_POINTS.jiefangbei) });
    expect((await call('nanan.operator', 'POST', `/api/v1/cases/${plain.id}/agree-coordination`, { handledByUnitId: unitIdOf('500103', 'urban-management'), maintainedByUnitId: unitIdOf('500108', 'urban-management'), note: 'x' })).status).toBe(403);
  });

  it('reports back a flooded underpass only after the gauge has read normal for 15 minutes', async () => {
    const c = await ok('city.operator', 'POST', '/api/v1/cases', { categoryCode: 'safety.underpass-waterlogging', source: 'sensor', title: '南开下穿道积水', ...at(DEMO_POINTS.nankaiUnderpass) });
    // The plan reads the gauge: under the underpass's 0.5 m limit it does not apply.
    await ok('city.operator', 'POST', `/api/v1/cases/${c.id}/sensor-state`, { state: 'abnormal', deviceId: 'gauge-nankai-01', reading: { name: 'water_level', value: 0.3, unit: 'm' } });
    expect((await call('city.operator', 'GET', `/api/v1/cases/${c.id}/plan-preview`)).body.code).toBe('PLAN_NO_MATCH');
    await ok('city.operator', 'POST', `/api/v1/cases/${c.id}/sensor-state`, { state: 'abnormal', deviceId: 'gauge-nankai-01', reading: { name: 'water_level', value: 0.62, unit: 'm' } });
    const preview = await ok('city.operator', 'GET', `/api/v1/cases/${c.id}/plan-preview`);
    expect(preview.planId).toBe('underpass-waterlogging');
    const d = await ok('city.operator', 'POST', `/api/v1/cases/${c.id}/apply-plan`, {});
    for (const task of d.tasks) {
      await t.platform.cases.execute(SYSTEM_PRINCIPAL, c.id, { type: 'accept_task', taskId: task.id });
      await t.platform.cases.execute(SYSTEM_PRINCIPAL, c.id, { type: 'complete_task', taskId: task.id, note: '已处置' });
    }
    const wet = await call('city.operator', 'POST', `/api/v1/cases/${c.id}/report-back`, { summary: '已排水' });
    expect(wet.status).toBe(409);
    await ok('city.operator', 'POST', `/api/v1/cases/${c.id}/sensor-state`, { state: 'normal', reading: { name: 'water_level', value: 0.12, unit: 'm' } });
    t.clock.advance(10 * 60_000);
    await ok('city.operator', 'POST', `/api/v1/cases/${c.id}/sensor-state`, { state: 'normal', reading: { name: 'water_level', value: 0.08, unit: 'm' } });
    const early = await call('city.operator', 'POST', `/api/v1/cases/${c.id}/report-back`, { summary: '已排水' });
    expect(early.status).toBe(409);
    expect(early.body.detail).toContain('15');
    t.clock.advance(6 * 60_000);
    expect((await ok('city.operator', 'POST', `/api/v1/cases/${c.id}/report-back`, { summary: '水位恢复正常15分钟' })).state).toBe('reported_back');
  });

  it('finds the owner of a manhole, and falls back to city management when it has none', async () => {
    const owned = await ok('yuzhong.operator', 'POST', '/api/v1/plans/manhole-cover/simulate', { categoryCode: 'municipal.manhole.missing', ...at(DEMO_POINTS.ownedManhole) });
    expect(owned.tasks).toHaveLength(1);
    expect(owned.tasks[0].key).toBe('owner-repair');
    const unowned = await ok('yuzhong.operator', 'POST', '/api/v1/plans/manhole-cover/simulate', { categoryCode: 'municipal.manhole.missing', ...at(DEMO_POINTS.unownedManhole) });
    expect(unowned.tasks.map((x: any) => [x.key, x.unitId])).toEqual([['fallback-repair', unitIdOf('500103', 'urban-management')]]);
  });

  it('turns the signals outside a flooded underpass red and sends three departments with a 10-minute arrival', async () => {
    const run = await ok('yuzhong.operator', 'POST', '/api/v1/plans/underpass-waterlogging/simulate', { categoryCode: 'safety.underpass-waterlogging', source: 'sensor', ...at(DEMO_POINTS.nankaiUnderpass) });
    expect(run.tier).toBe('district');
    expect(run.tasks.map((x: any) => x.unitId)).toEqual([unitIdOf('500106', 'traffic-police'), unitIdOf('500106', 'housing-construction'), unitIdOf('500106', 'urban-management')]);
    expect(run.tasks.every((x: any) => x.arriveWithinMs === 10 * 60_000)).toBe(true);
    expect(run.actions[0]).toMatchObject({ type: 'device', command: { name: 'set_phase', params: { phase: 'red' } } });
    expect([...run.actions[0].deviceIds].sort()).toEqual(['signal-nankai-n', 'signal-nankai-s']);
  });

  it('refuses a plan with a bad field or a bad expression, naming the path', async () => {
    const bad = `id: broken-plan\nname: 坏预案\ntrigger: { categories: [municipal.water.burst] }\nlevel: [{ tier: district }]\ntasks:\n  - key: a\n    role: boss\n    unit: { kind: water-supply, scope: district }\n    instructions: x\n    deadline: 1h\n`;
    const r = await call('admin', 'POST', '/api/v1/plans', bad, { 'content-type': 'text/yaml' });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('PLAN_INVALID');
    expect(r.body.errors.map((e: any) => e.path)).toContain('/tasks/0/role');
    const badExpr = bad.replace('role: boss', 'role: lead\n    when: "facts.x >"');
    const r2 = await call('admin', 'POST', '/api/v1/plans', badExpr, { 'content-type': 'text/yaml' });
    expect(r2.body.code).toBe('PLAN_INVALID');
    expect(r2.body.errors[0].path).toBe('/tasks/0/when');
    expect((await call('yuzhong.operator', 'POST', '/api/v1/plans', bad, { 'content-type': 'text/yaml' })).status).toBe(403);
  });

  it('shows a role that resolves to nobody and refuses to apply it', async () => {
    const plan = `id: nobody-plan\nname: 无人承接\npriority: 100\ntrigger: { categories: [municipal.drain.blocked] }\nlevel: [{ tier: district }]\ntasks:\n  - key: a\n    role: lead\n    unit: { kind: forestry, scope: street }\n    instructions: x\n    deadline: 1h\n`;
    expect((await call('admin', 'POST', '/api/v1/plans', plan, { 'content-type': 'text/yaml' })).status).toBe(201);
    const c = await ok('yuzhong.operator', 'POST', '/api/v1/cases', { categoryCode: 'municipal.drain.blocked', title: '排水堵塞', ...at(DEMO_POINTS.jiefangbei) });
    const preview = await ok('yuzhong.operator', 'GET', `/api/v1/cases/${c.id}/plan-preview`);
    expect(preview.problems[0].path).toBe('/tasks/0/unit');
    const r = await call('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/apply-plan`, {});
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('PLAN_UNRESOLVED');
    expect((await ok('yuzhong.operator', 'GET', `/api/v1/cases/${c.id}`)).state).toBe('reported');
  });

  it('keeps a running case on the version it started with; versions are listed and compared', async () => {
    const c = await ok('yuzhong.operator', 'POST', '/api/v1/cases', { categoryCode: 'construction.muck-spillage', title: '渣土车撒漏', source: 'camera', ...at(DEMO_POINTS.jiefangbei) });
    const d = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/apply-plan`, {});
    expect(d.plan.version).toBe(1);
    const v1 = await ok('admin', 'GET', '/api/v1/plans/muck-truck-spillage');
    const v2source = v1.source.replace('arriveWithin: 30m', 'arriveWithin: 20m');
    const saved = await call('admin', 'POST', '/api/v1/plans', { source: v2source });
    expect(saved.status).toBe(201);
    expect(saved.body.version).toBe(2);
    const diff = await ok('admin', 'GET', '/api/v1/plans/muck-truck-spillage/diff?from=1&to=2');
    expect(JSON.stringify(diff.changes)).toContain('arriveWithin');
    expect((await ok('admin', 'GET', '/api/v1/plans/muck-truck-spillage/versions')).items).toHaveLength(2);
    const still = await ok('yuzhong.operator', 'GET', `/api/v1/cases/${c.id}`);
    expect(still.plan.version).toBe(1);
    const c2 = await ok('yuzhong.operator', 'POST', '/api/v1/cases', { categoryCode: 'construction.muck-spillage', title: '渣土车撒漏2', source: 'camera', ...at(DEMO_POINTS.jiefangbei) });
    expect((await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c2.id}/apply-plan`, {})).plan.version).toBe(2);
  });
});
