import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { testHttp } from '../support/http.ts';
import { unitIdOf } from '../../cities/chongqing/demo/demo-city.ts';
import { verifyEventLog } from '../../src/events/event-log.ts';

const JIEFANGBEI = { lng: 106.577, lat: 29.557, crs: 'gcj02' as const };
const WATER = unitIdOf('500103', 'water-supply');
const TRAFFIC = unitIdOf('500103', 'traffic-police');
const URBAN = unitIdOf('500103', 'urban-management');

describe.each(DIALECTS)('case lifecycle through the HTTP API on %s', (dialect) => {
  let t: TestPlatform;
  const tokens: Record<string, string> = {};
  const { call, ok } = testHttp(() => t.app, (u) => tokens[u]);
  const report = (user = 'yuzhong.operator', extra: object = {}) =>
    ok(user, 'POST', '/api/v1/cases', { categoryCode: 'municipal.water.burst', title: '国宾医院门前供水管道爆管', description: '路面积水，影响通行', ...JIEFANGBEI, ...extra });

  beforeAll(async () => {
    t = await openTestPlatform(dialect);
    for (const u of ['yuzhong.operator', 'yuzhong.water', 'yuzhong.traffic', 'yuzhong.urban', 'city.operator', 'citizen.zhang', 'admin']) tokens[u] = await t.signIn(u);
  });
  afterAll(async () => t?.close());

  it('reports, registers, dispatches, handles with a return, reopens after a failed check, closes and evaluates', async () => {
    const c = await report();
    expect(c.state).toBe('reported');
    expect(c.chain.map((l: any) => l.level)).toEqual(['city', 'district', 'street', 'community', 'grid']);
    expect(c.chain[1].code).toBe('500103');
    expect(c.centerId).toBe('center-500103');
    expect(c.number).toMatch(/^CL20260302\d{6}$/);

    const reg = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/register`, { note: '核实属实' });
    expect(reg.state).toBe('registered');
    expect(reg.respondDue).toBeTruthy();

    const d1 = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/dispatch`, { tasks: [{ unitId: WATER, role: 'lead' }, { unitId: TRAFFIC, role: 'assist' }] });
    expect(d1.state).toBe('dispatched');
    expect(d1.tasks).toHaveLength(2);
    const waterTask = d1.tasks.find((x: any) => x.unitId === WATER);
    const trafficTask = d1.tasks.find((x: any) => x.unitId === TRAFFIC);

    // The water company says the pipe is not theirs: 退回 with a reason.
    const back = await ok('yuzhong.water', 'POST', `/api/v1/cases/${c.id}/tasks/${waterTask.id}/return`, { reason: '该管段属市政排水，非供水管网' });
    expect(back.state).toBe('returned');
    const refused = await call('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/report-back`, { summary: 'x' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('CASE_INVALID_TRANSITION');

    const d2 = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/dispatch`, { tasks: [{ unitId: URBAN, role: 'lead' }] });
    expect(d2.state).toBe('dispatched');
    const urbanTask = d2.tasks.find((x: any) => x.unitId === URBAN);

    await ok('yuzhong.urban', 'POST', `/api/v1/cases/${c.id}/tasks/${urbanTask.id}/accept`, {});
    const started = await ok('yuzhong.urban', 'POST', `/api/v1/cases/${c.id}/tasks/${urbanTask.id}/start`, {});
    expect(started.state).toBe('in_progress');
    const early = await call('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/report-back`, { summary: '已处置' });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('CASE_RULE_VIOLATED');
    await ok('yuzhong.urban', 'POST', `/api/v1/cases/${c.id}/tasks/${urbanTask.id}/complete`, { note: '已关阀抢修' });
    const silentAssist = await call('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/report-back`, { summary: '已处置' });
    expect(silentAssist.status).toBe(409);
    expect(silentAssist.body.detail).toContain('交巡警');
    await ok('yuzhong.traffic', 'POST', `/api/v1/cases/${c.id}/tasks/${trafficTask.id}/accept`, {});
    await ok('yuzhong.traffic', 'POST', `/api/v1/cases/${c.id}/tasks/${trafficTask.id}/complete`, { note: '已疏导交通' });
    const rb = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/report-back`, { summary: '管道已修复，路面已清理' });
    expect(rb.state).toBe('reported_back');

    // 核查不通过 → reopened, a new round of work.
    const failed = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/check`, { passed: false, note: '现场仍有渗水' });
    expect(failed.state).toBe('reopened');
    expect(failed.round).toBe(2);
    const d3 = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/dispatch`, { tasks: [{ unitId: WATER, role: 'lead' }] });
    const t3 = d3.tasks.find((x: any) => x.round === 2);
    await ok('yuzhong.water', 'POST', `/api/v1/cases/${c.id}/tasks/${t3.id}/accept`, {});
    await ok('yuzhong.water', 'POST', `/api/v1/cases/${c.id}/tasks/${t3.id}/complete`, { note: '更换阀门' });
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/report-back`, { summary: '复查后已彻底修复' });
    expect((await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/check`, { passed: true })).state).toBe('checked');
    const closed = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/close`, {});
    expect(closed.state).toBe('closed');
    expect(closed.closedAt).toBeTruthy();
    const ev = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/evaluate`, { satisfaction: 'satisfied', comment: '回访满意' });
    expect(ev.state).toBe('evaluated');

    const timeline = await ok('yuzhong.operator', 'GET', `/api/v1/cases/${c.id}/events`);
    const types = timeline.items.map((e: any) => e.type);
    expect(types).toEqual([
      'CaseReported', 'CaseRegistered', 'CaseDispatched', 'TaskReturned', 'CaseDispatched', 'TaskAccepted', 'TaskStarted', 'TaskCompleted',
      'TaskAccepted', 'TaskCompleted', 'CaseReportedBack', 'CaseReopened', 'CaseDispatched', 'TaskAccepted', 'TaskCompleted', 'CaseReportedBack',
      'CaseChecked', 'CaseClosed', 'CaseEvaluated',
    ]);
    const returned = timeline.items.find((e: any) => e.type === 'TaskReturned');
    expect(returned.actor.name).toContain('供水');
    expect(returned.payload.reason).toContain('非供水管网');
    expect(timeline.items.map((e: any) => e.streamVersion)).toEqual(types.map((_: unknown, i: number) => i + 1));
    expect((await verifyEventLog(t.platform.store.db)).ok).toBe(true);
  });

  it('reopens an evaluated case when the reporter is unsatisfied', async () => {
    const c = await report('citizen.zhang', { categoryCode: 'appeal.environment.square-dance-noise', title: '广场舞夜间噪音扰民' });
    expect(c.source).toBe('citizen');
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/register`, {});
    const d = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/dispatch`, { tasks: [{ unitId: URBAN, role: 'lead' }] });
    const task = d.tasks[0];
    await ok('yuzhong.urban', 'POST', `/api/v1/cases/${c.id}/tasks/${task.id}/accept`, {});
    await ok('yuzhong.urban', 'POST', `/api/v1/cases/${c.id}/tasks/${task.id}/complete`, { note: '已劝导' });
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/report-back`, { summary: '已劝导降低音量' });
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/check`, { passed: true });
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/close`, {});
    const ev = await ok('citizen.zhang', 'POST', `/api/v1/cases/${c.id}/evaluate`, { satisfaction: 'unsatisfied', comment: '晚上十点后仍很吵' });
    expect(ev.state).toBe('evaluated');
    const re = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/reopen`, { reason: '市民不满意，重新办理' });
    expect(re.state).toBe('reopened');
    const timeline = await ok('yuzhong.operator', 'GET', `/api/v1/cases/${c.id}/events`);
    expect(timeline.items.at(-1).payload.cause).toBe('unsatisfied');
  });

  it('asks "solved?" and "satisfied?" apart; an unsolved answer reopens the case at once', async () => {
    const c = await report('citizen.zhang', { categoryCode: 'appeal.urban-rural.water-pressure', title: '小区水压太低，高层用不上水' });
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/register`, {});
    const d = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/dispatch`, { tasks: [{ unitId: WATER, role: 'lead' }] });
    await ok('yuzhong.water', 'POST', `/api/v1/cases/${c.id}/tasks/${d.tasks[0].id}/accept`, {});
    await ok('yuzhong.water', 'POST', `/api/v1/cases/${c.id}/tasks/${d.tasks[0].id}/complete`, { note: '已调整加压泵' });
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/report-back`, { summary: '已调整加压泵' });
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/check`, { passed: true });
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/close`, {});
    // The follow-up call: satisfied with the attitude, but the pressure is still low.
    const ev = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/evaluate`, { solved: false, satisfaction: 'unsatisfied', comment: '晚高峰水压仍然不足' });
    expect(ev.state).toBe('reopened');
    expect(ev.evaluation).toMatchObject({ solved: false, satisfaction: 'unsatisfied', reason: 'not_solved' });
    const timeline = await ok('citizen.zhang', 'GET', `/api/v1/cases/${c.id}/events`);
    const evaluated = timeline.items.find((e: any) => e.type === 'CaseEvaluated');
    expect(evaluated.payload.by).toBe('follow_up');
    expect(timeline.items.at(-1)).toMatchObject({ type: 'CaseReopened', payload: { cause: 'unsatisfied' } });
    // The citizen was told at each step, in Chinese.
    const replies = (await ok('citizen.zhang', 'GET', `/api/v1/cases/${c.id}/replies`)).items.map((r: any) => r.text);
    expect(replies[0]).toContain('已收到');
    expect(replies.some((x: string) => x.includes('已受理立案'))).toBe(true);
    expect(replies.some((x: string) => x.includes('供水'))).toBe(true);
    expect(replies.some((x: string) => x.includes('问题是否解决'))).toBe(true);
    expect(replies.at(-1)).toContain('重新办理');
    // An unsatisfied answer for a reason that handling again cannot fix is recorded, not reopened.
    const c2 = await report('citizen.zhang', { categoryCode: 'appeal.urban-rural.water-pressure', title: '要求免除水费' });
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c2.id}/register`, {});
    const d2 = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c2.id}/dispatch`, { tasks: [{ unitId: WATER, role: 'lead' }] });
    await ok('yuzhong.water', 'POST', `/api/v1/cases/${c2.id}/tasks/${d2.tasks[0].id}/accept`, {});
    await ok('yuzhong.water', 'POST', `/api/v1/cases/${c2.id}/tasks/${d2.tasks[0].id}/complete`, { note: '已解释政策' });
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c2.id}/report-back`, { summary: '已解释政策' });
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c2.id}/check`, { passed: true });
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c2.id}/close`, {});
    const own = await ok('citizen.zhang', 'POST', `/api/v1/cases/${c2.id}/evaluate`, { solved: true, satisfaction: 'unsatisfied', reason: 'beyond_policy' });
    expect(own.state).toBe('evaluated');
  });

  it('offers a duplicate for merging, counts the supporter and answers both reporters', async () => {
    tokens['citizen.li'] = await t.signIn('citizen.li');
    const first = await report('citizen.zhang', { categoryCode: 'appeal.environment.square-dance-noise', title: '解放碑广场舞音响太大', description: '每天晚上十点后广场舞音响声音很大，影响休息' });
    const text = '晚上十点以后广场舞音响还很大，吵得睡不着';
    // Before saving, the hotline agent sees the likely duplicate (about 100 m away, similar words).
    const dupes = await ok('yuzhong.operator', 'POST', '/api/v1/cases/duplicates', { categoryCode: 'appeal.environment.square-dance-noise', lng: 106.5779, lat: 29.5577, crs: 'gcj02', text });
    expect(dupes.items[0].case.id).toBe(first.id);
    expect(dupes.items[0].distanceMeters).toBeLessThan(250);
    const far = await ok('yuzhong.operator', 'POST', '/api/v1/cases/duplicates', { categoryCode: 'appeal.environment.square-dance-noise', lng: 106.5, lat: 29.53, crs: 'gcj02', text });
    expect(far.items.map((x: any) => x.case.id)).not.toContain(first.id);
    const second = await report('citizen.li', { categoryCode: 'appeal.environment.square-dance-noise', title: '广场舞噪音扰民', description: text, lng: 106.5779, lat: 29.5577 });
    const merged = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${second.id}/merge`, { intoCaseId: first.id, reason: '同一广场同一问题' });
    expect(merged.duplicate.state).toBe('merged');
    expect(merged.into.supporters).toHaveLength(1);
    expect(merged.into.supporters[0].reporterUserId).toBe(second.reporter.userId);
    // The first case is handled to closure; the supporter hears it too.
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${first.id}/register`, {});
    const d = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${first.id}/dispatch`, { tasks: [{ unitId: URBAN, role: 'lead' }] });
    await ok('yuzhong.urban', 'POST', `/api/v1/cases/${first.id}/tasks/${d.tasks[0].id}/accept`, {});
    await ok('yuzhong.urban', 'POST', `/api/v1/cases/${first.id}/tasks/${d.tasks[0].id}/complete`, { note: '已约谈广场舞队伍' });
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${first.id}/report-back`, { summary: '已约定晚九点半后停止' });
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${first.id}/check`, { passed: true });
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${first.id}/close`, {});
    const li = (await ok('citizen.li', 'GET', `/api/v1/cases/${second.id}/replies`)).items.map((r: any) => r.text);
    expect(li.some((x: string) => x.includes('合并办理'))).toBe(true);
    expect(li.some((x: string) => x.includes('已办结'))).toBe(true);
    expect((await call('citizen.li', 'GET', `/api/v1/cases/${first.id}`)).status).toBe(403);
  });

  it('escalates to the city center, which then owns the case', async () => {
    const c = await report();
    const esc = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/escalate`, { reason: '涉及主城多区供水干管，需市级统筹' });
    expect(esc.centerId).toBe('center-500000');
    expect(esc.tier).toBe('city');
    const districtTry = await call('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/register`, {});
    expect(districtTry.status).toBe(403);
    expect((await ok('city.operator', 'POST', `/api/v1/cases/${c.id}/register`, {})).state).toBe('registered');
    const again = await call('city.operator', 'POST', `/api/v1/cases/${c.id}/escalate`, { reason: '再上报' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('CASE_RULE_VIOLATED');
  });

  it('parks a case with a review date and takes it up again; declines with a reason', async () => {
    const c = await report();
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/register`, {});
    const past = await call('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/park`, { reason: '需纳入改造计划', reviewAt: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(409);
    const parked = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/park`, { reason: '需纳入老旧管网改造计划', reviewAt: '2026-06-01T00:00:00Z' });
    expect(parked.state).toBe('parked');
    expect(parked.parkedUntil).toBe('2026-06-01T00:00:00.000Z');
    const blocked = await call('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/dispatch`, { tasks: [{ unitId: WATER, role: 'lead' }] });
    expect(blocked.status).toBe(409);
    expect(blocked.body.detail).toContain('挂账');
    const un = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/unpark`, { note: '改造资金已落实' });
    expect(un.state).toBe('registered');

    const d = await report();
    const noReason = await call('yuzhong.operator', 'POST', `/api/v1/cases/${d.id}/decline`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.code).toBe('VALIDATION_FAILED');
    expect((await ok('yuzhong.operator', 'POST', `/api/v1/cases/${d.id}/decline`, { reason: '重复上报' })).state).toBe('declined');
  });

  it('refuses every transition the state does not allow, naming the state and the action', async () => {
    const c = await report();
    const attempts: [string, object][] = [
      ['dispatch', { tasks: [{ unitId: WATER, role: 'lead' }] }],
      ['report-back', { summary: 'x' }],
      ['check', { passed: true }],
      ['close', {}],
      ['evaluate', { satisfaction: 'satisfied' }],
      ['reopen', { reason: 'x' }],
      ['park', { reason: 'x', reviewAt: '2027-01-01T00:00:00Z' }],
      ['unpark', {}],
    ];
    for (const [action, body] of attempts) {
      const r = await call('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/${action}`, body);
      expect(r.status, action).toBe(409);
      expect(r.body.code).toBe('CASE_INVALID_TRANSITION');
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.body.detail).toContain('上报');
    }
    const en = await t.app.inject({ method: 'POST', url: `/api/v1/cases/${c.id}/close?lang=en`, headers: { authorization: `Bearer ${tokens['yuzhong.operator']}` }, payload: {} });
    expect(en.json().detail).toBe('The case is in state "reported"; "close" is not allowed');
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/register`, {});
    const twice = await call('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/register`, {});
    expect(twice.status).toBe(409);
    const two = await call('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/dispatch`, { tasks: [{ unitId: WATER, role: 'lead' }, { unitId: URBAN, role: 'lead' }] });
    expect(two.body.code).toBe('CASE_RULE_VIOLATED');
    const none = await call('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/dispatch`, { tasks: [{ unitId: WATER, role: 'assist' }] });
    expect(none.body.code).toBe('CASE_RULE_VIOLATED');
    const unknown = await call('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/dispatch`, { tasks: [{ unitId: 'unit-nope', role: 'lead' }] });
    expect(unknown.body.code).toBe('UNKNOWN_UNIT');
    const d = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${c.id}/dispatch`, { tasks: [{ unitId: WATER, role: 'lead' }] });
    const task = d.tasks[0];
    const startFirst = await call('yuzhong.water', 'POST', `/api/v1/cases/${c.id}/tasks/${task.id}/start`, {});
    expect(startFirst.status).toBe(409);
    expect(startFirst.body.code).toBe('TASK_INVALID_TRANSITION');
    await ok('yuzhong.water', 'POST', `/api/v1/cases/${c.id}/tasks/${task.id}/accept`, {});
    const acceptTwice = await call('yuzhong.water', 'POST', `/api/v1/cases/${c.id}/tasks/${task.id}/accept`, {});
    expect(acceptTwice.body.code).toBe('TASK_INVALID_TRANSITION');
    const stale = await call('yuzhong.water', 'POST', `/api/v1/cases/${c.id}/tasks/${task.id}/start`, { expectedVersion: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('CONFLICT_VERSION');
  });

  it('lists with filters and cursor pagination', async () => {
    for (let i = 0; i < 5; i++) await report('yuzhong.operator', { title: `分页测试 ${i}` });
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = await ok('yuzhong.operator', 'GET', `/api/v1/cases?q=${encodeURIComponent('分页测试')}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      for (const item of page.items) seen.add(item.id);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(seen.size).toBe(5);
    expect(pages).toBe(3);
    const reported = await ok('yuzhong.operator', 'GET', '/api/v1/cases?state=reported&jurisdiction=500103&category=municipal.water&limit=200');
    expect(reported.items.length).toBeGreaterThan(0);
    expect(reported.items.every((x: any) => x.state === 'reported' && x.categoryCode.startsWith('municipal.water'))).toBe(true);
    // The city center sees every district's cases.
    const city = await ok('city.operator', 'GET', '/api/v1/cases?limit=200');
    expect(city.items.length).toBeGreaterThan(0);
    const bad = await call('yuzhong.operator', 'GET', '/api/v1/cases?state=nonsense');
    expect(bad.status).toBe(400);
  });
});
