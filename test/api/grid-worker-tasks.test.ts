import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { testHttp } from '../support/http.ts';
import { DEMO_POINTS } from '../../cities/chongqing/demo/demo-assets.ts';
import { unitIdOf } from '../../cities/chongqing/demo/demo-city.ts';
import { verifyEventLog } from '../../src/events/event-log.ts';

/**
 * 网格员的任务: a burst at 解放碑 runs the water-main plan, whose "notify residents" step goes to the
 * community office of each street the grids within 300 m lie in. The demo grid worker belongs to the
 * office of their street: they list the task with its case, sign for it and finish it with a note and
 * a photo from a phone whose answers get lost — resends change nothing — and cannot touch a
 * department's task or another office's.
 */
describe.each(DIALECTS)('grid worker tasks on %s', (dialect) => {
  let t: TestPlatform;
  const tokens: Record<string, string> = {};
  let gridStreet = '';
  let otherStreet = '';
  let caseId = '';
  let notifyTaskId = '';
  let repairTaskId = '';
  let doneBody: { note: string; evidence: { attachmentIds: string[] } } | null = null;

  const { call, ok } = testHttp(() => t.app, (u) => tokens[u]);
  const taskEvents = async (type: string, taskId: string) => {
    const ev = await ok('yuzhong.operator', 'GET', `/api/v1/cases/${caseId}/events`);
    return ev.items.filter((e: any) => e.type === type && e.payload.taskId === taskId);
  };
  /** A grid of a street: the first grid of its first community. */
  const gridOf = (street: string) => {
    const r = t.platform.resolver();
    const community = r.childrenOf(street).find((c) => c.level === 'community')!;
    return r.childrenOf(community.code).find((g) => g.level === 'grid')!.code;
  };

  beforeAll(async () => {
    t = await openTestPlatform(dialect);
    for (const u of ['admin', 'yuzhong.operator', 'yuzhong.water', 'gridworker']) tokens[u] = await t.signIn(u);
    const me = await ok('gridworker', 'GET', '/api/v1/me');
    const chain = t.platform.resolver().resolve(DEMO_POINTS.jiefangbei[0], DEMO_POINTS.jiefangbei[1])!.chain;
    gridStreet = chain.find((l) => l.level === 'street')!.code;
    expect(me.jurisdictionCode).toBe(chain.find((l) => l.level === 'grid')!.code);
    expect(me.unitId).toBe(unitIdOf(gridStreet, 'community'));
    otherStreet = t.platform.resolver().childrenOf('500103').find((s) => s.level === 'street' && s.code !== gridStreet)!.code;
    // Two more grid workers: a colleague of the same office in another grid, and one of another street's office.
    const sameStreetGrid = t.platform.resolver().childrenOf(gridStreet).flatMap((c) => t.platform.resolver().childrenOf(c.code)).find((g) => g.level === 'grid' && g.code !== me.jurisdictionCode)!.code;
    for (const [username, grid, unit] of [
      ['grid.colleague', sameStreetGrid, unitIdOf(gridStreet, 'community')],
      ['grid.other', gridOf(otherStreet), unitIdOf(otherStreet, 'community')],
      ['grid.loose', me.jurisdictionCode, null],
    ] as const) {
      await ok('admin', 'POST', '/api/v1/users', { username, displayName: username, password: 'long-enough-secret', roles: ['grid_worker'], jurisdictionCode: grid, ...(unit ? { unitId: unit } : {}) });
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username, password: 'long-enough-secret' } });
      tokens[username] = res.json().token;
    }
    // The README's burst at 解放碑, dispatched by its plan.
    const c = await ok('yuzhong.operator', 'POST', '/api/v1/cases', { categoryCode: 'municipal.water.burst', title: '解放碑步行街供水管道爆管', lng: DEMO_POINTS.jiefangbei[0], lat: DEMO_POINTS.jiefangbei[1], crs: 'gcj02' });
    caseId = c.id;
    const d = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${caseId}/apply-plan`, {});
    notifyTaskId = d.tasks.find((x: any) => x.unitId === unitIdOf(gridStreet, 'community')).id;
    repairTaskId = d.tasks.find((x: any) => x.plan.key === 'repair').id;
  });
  afterAll(async () => t?.close());

  it("lists the office's notice task with its case for the grid worker, and for no one of another office", async () => {
    const mine = await ok('gridworker', 'GET', '/api/v1/tasks?state=dispatched&state=accepted&state=in_progress');
    expect(mine.items.map((x: any) => x.id)).toEqual([notifyTaskId]);
    const item = mine.items[0];
    expect(item).toMatchObject({ caseId, role: 'assist', state: 'dispatched', stateName: '已派遣', unitId: unitIdOf(gridStreet, 'community') });
    expect(item.plan.key).toMatch(/^notify-residents/);
    expect(item.plan.instructions).toContain('通知受影响居民');
    expect(item.case).toMatchObject({ title: '解放碑步行街供水管道爆管', state: 'dispatched', categoryCode: 'municipal.water.burst' });
    expect(item.case.address).not.toBe('');
    expect(Date.parse(item.deadline)).toBeGreaterThan(t.clock.now().getTime());
    expect((await ok('gridworker', 'GET', '/api/v1/tasks?lang=en')).items[0].stateName).toBe('dispatched');
    // A colleague of the same office (another grid of the street) shares it; another street's office does not.
    expect((await ok('grid.colleague', 'GET', '/api/v1/tasks')).items.map((x: any) => x.id)).toEqual([notifyTaskId]);
    expect((await ok('grid.other', 'GET', '/api/v1/tasks')).items.map((x: any) => x.id)).not.toContain(notifyTaskId);
    const peek = await call('grid.other', 'GET', `/api/v1/tasks?unit=${unitIdOf(gridStreet, 'community')}`);
    expect(peek.status).toBe(403);
    // A grid worker who belongs to no office has no task list.
    expect((await call('grid.loose', 'GET', '/api/v1/tasks')).body.code).toBe('VALIDATION_FAILED');
    // The case shows the grid worker what they may do with it.
    const seen = await ok('gridworker', 'GET', `/api/v1/cases/${caseId}`);
    expect(seen.actions).toEqual(expect.arrayContaining(['accept_task']));
    expect(seen.actions).not.toContain('return_task');
  });

  it("refuses the grid worker a department's task, sending the office's task back, and another office's grid worker everything", async () => {
    const dept = await call('gridworker', 'POST', `/api/v1/cases/${caseId}/tasks/${repairTaskId}/accept`, {}, { 'idempotency-key': 'gw-dept-1' });
    expect(dept.status).toBe(403);
    expect(dept.body.code).toBe('FORBIDDEN_JURISDICTION');
    const back = await call('gridworker', 'POST', `/api/v1/cases/${caseId}/tasks/${notifyTaskId}/return`, { reason: '不归我们' });
    expect(back.status).toBe(403);
    expect(back.body.code).toBe('FORBIDDEN_ROLE');
    for (const action of ['accept', 'start', 'complete']) {
      const other = await call('grid.other', 'POST', `/api/v1/cases/${caseId}/tasks/${notifyTaskId}/${action}`, { ...(action === 'complete' ? { note: '已通知' } : {}) }, { 'idempotency-key': `other-${action}` });
      expect(other.status, action).toBe(403);
    }
    const loose = await call('grid.loose', 'POST', `/api/v1/cases/${caseId}/tasks/${notifyTaskId}/accept`, {});
    expect(loose.status).toBe(403);
    expect(loose.body.code).toBe('FORBIDDEN_JURISDICTION');
    expect(await taskEvents('TaskAccepted', notifyTaskId)).toHaveLength(0);
    expect(await taskEvents('TaskAccepted', repairTaskId)).toHaveLength(0);
  });

  it('signs for and finishes the task from a phone whose answers get lost: every resend is harmless', async () => {
    const key = { 'idempotency-key': 'gw-done-0001' };
    // Sign for it; the answer is lost, the phone sends again (and again, at once).
    const accepted = await call('gridworker', 'POST', `/api/v1/cases/${caseId}/tasks/${notifyTaskId}/accept`, {}, key);
    expect(accepted.status).toBe(200);
    expect(accepted.headers['idempotent-replayed']).toBeUndefined();
    const again = await Promise.all([1, 2].map(() => call('gridworker', 'POST', `/api/v1/cases/${caseId}/tasks/${notifyTaskId}/accept`, {}, key)));
    expect(again.map((r) => r.status)).toEqual([200, 200]);
    expect(again.every((r) => r.headers['idempotent-replayed'] === 'true')).toBe(true);
    expect(await taskEvents('TaskAccepted', notifyTaskId)).toHaveLength(1);
    // The photo, sent twice: one attachment.
    const photo = Buffer.from('\x89PNG\r\n\x1a\n-notice-on-the-door');
    const upload = () => t.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/attachments?fileName=notice.png`, headers: { authorization: `Bearer ${tokens.gridworker}`, 'content-type': 'image/png', 'idempotency-key': 'gw-done-0001-p0' }, payload: photo });
    const p1 = await upload();
    const p2 = await upload();
    expect([p1.statusCode, p2.statusCode]).toEqual([201, 200]);
    expect(p2.json().id).toBe(p1.json().id);
    const attachmentId = p1.json().id as string;
    // Done, with a note and the photo; resent after a lost answer, and once more racing.
    const body = { note: '已逐户通知停水及应急供水点（太平洋广场）', evidence: { attachmentIds: [attachmentId] } };
    doneBody = body;
    const done = await call('gridworker', 'POST', `/api/v1/cases/${caseId}/tasks/${notifyTaskId}/complete`, body, key);
    expect(done.status).toBe(200);
    expect(done.body.tasks.find((x: any) => x.id === notifyTaskId).state).toBe('done');
    const resent = await Promise.all([1, 2].map(() => call('gridworker', 'POST', `/api/v1/cases/${caseId}/tasks/${notifyTaskId}/complete`, body, key)));
    expect(resent.map((r) => r.status)).toEqual([200, 200]);
    expect(resent[0]!.headers['idempotent-replayed']).toBe('true');
    expect(resent[0]!.body.tasks.find((x: any) => x.id === notifyTaskId)).toMatchObject({ state: 'done', note: body.note });
    const completed = await taskEvents('TaskCompleted', notifyTaskId);
    expect(completed).toHaveLength(1);
    expect(completed[0].actor.id).toBe((await ok('gridworker', 'GET', '/api/v1/me')).userId);
    expect(completed[0].payload.evidence.attachmentIds).toEqual([attachmentId]);
    const c = await ok('yuzhong.operator', 'GET', `/api/v1/cases/${caseId}`);
    expect(c.attachments).toHaveLength(1);
    // The list shows it done today.
    const since = new Date(t.clock.now().getTime() - 3600_000).toISOString();
    const today = await ok('gridworker', 'GET', `/api/v1/tasks?state=done&updatedSince=${encodeURIComponent(since)}`);
    expect(today.items.map((x: any) => [x.id, x.state, x.note])).toEqual([[notifyTaskId, 'done', body.note]]);
    expect((await ok('gridworker', 'GET', '/api/v1/tasks?state=dispatched&state=accepted&state=in_progress')).items).toHaveLength(0);
  });

  it('still refuses what is not a resend: another note, no key, a colleague after the fact', async () => {
    const other = await call('gridworker', 'POST', `/api/v1/cases/${caseId}/tasks/${notifyTaskId}/complete`, { note: '另一条说明' }, { 'idempotency-key': 'gw-done-0002' });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('TASK_INVALID_TRANSITION');
    // Without an Idempotency-Key the answer stays the strict one.
    const noKey = await call('gridworker', 'POST', `/api/v1/cases/${caseId}/tasks/${notifyTaskId}/complete`, doneBody!);
    expect(noKey.status).toBe(409);
    const colleague = await call('grid.colleague', 'POST', `/api/v1/cases/${caseId}/tasks/${notifyTaskId}/complete`, { note: doneBody!.note }, { 'idempotency-key': 'colleague-1' });
    expect(colleague.status).toBe(409);
    expect(colleague.body.code).toBe('TASK_INVALID_TRANSITION');
    expect(await taskEvents('TaskCompleted', notifyTaskId)).toHaveLength(1);
    expect((await verifyEventLog(t.platform.store.db)).ok).toBe(true);
  });
});
