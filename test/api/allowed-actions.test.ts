import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { testHttp } from '../support/http.ts';
import { unitIdOf } from '../../cities/chongqing/demo/demo-city.ts';

/**
 * The case view's `allowedActions` says what the server will accept: every step offered as allowed
 * is accepted (each tried on its own copy of the case, brought to the same point), every step
 * offered as refused answers 409 with the very reason the view gave, in the caller's language, and
 * a step not offered at all is refused.
 */
const JIEFANGBEI = { lng: 106.577, lat: 29.557, crs: 'gcj02' as const };
const WATER = unitIdOf('500103', 'water-supply');
const TRAFFIC = unitIdOf('500103', 'traffic-police');
const URBAN = unitIdOf('500103', 'urban-management');
const USERS = ['yuzhong.operator', 'yuzhong.supervisor', 'yuzhong.water', 'yuzhong.traffic', 'citizen.zhang'];

type Stage = 'reported' | 'registered' | 'dispatched' | 'lead done, assist silent' | 'reported back' | 'checked' | 'closed' | 'parked';
const STAGES: Stage[] = ['reported', 'registered', 'dispatched', 'lead done, assist silent', 'reported back', 'checked', 'closed', 'parked'];

describe.each(DIALECTS)('allowedActions match what the server accepts on %s', (dialect) => {
  let t: TestPlatform;
  const tokens: Record<string, string> = {};
  const { call, ok } = testHttp(() => t.app, (u) => tokens[u]);

  beforeAll(async () => {
    t = await openTestPlatform(dialect);
    for (const u of USERS) tokens[u] = await t.signIn(u);
  });
  afterAll(async () => t?.close());

  const op = 'yuzhong.operator';
  async function bring(stage: Stage): Promise<string> {
    const c = await ok('citizen.zhang', 'POST', '/api/v1/cases', { categoryCode: 'municipal.water.burst', title: '供水管道爆管', description: '路面积水', ...JIEFANGBEI });
    const at = (s: Stage) => STAGES.indexOf(stage) >= STAGES.indexOf(s);
    if (stage === 'reported') return c.id;
    await ok(op, 'POST', `/api/v1/cases/${c.id}/register`, {});
    if (stage === 'parked') {
      await ok(op, 'POST', `/api/v1/cases/${c.id}/park`, { reason: '待汛期后统一改造', reviewAt: new Date(Date.now() + 30 * 86_400_000).toISOString() });
      return c.id;
    }
    if (!at('dispatched')) return c.id;
    const d = await ok(op, 'POST', `/api/v1/cases/${c.id}/dispatch`, { tasks: [{ unitId: WATER, role: 'lead' }, { unitId: TRAFFIC, role: 'assist' }] });
    if (!at('lead done, assist silent')) return c.id;
    const lead = d.tasks.find((x: any) => x.unitId === WATER);
    const assist = d.tasks.find((x: any) => x.unitId === TRAFFIC);
    await ok('yuzhong.water', 'POST', `/api/v1/cases/${c.id}/tasks/${lead.id}/accept`, {});
    await ok('yuzhong.water', 'POST', `/api/v1/cases/${c.id}/tasks/${lead.id}/start`, {});
    await ok('yuzhong.water', 'POST', `/api/v1/cases/${c.id}/tasks/${lead.id}/complete`, { note: '已关阀抢修' });
    if (!at('reported back')) return c.id;
    await ok('yuzhong.traffic', 'POST', `/api/v1/cases/${c.id}/tasks/${assist.id}/accept`, {});
    await ok('yuzhong.traffic', 'POST', `/api/v1/cases/${c.id}/tasks/${assist.id}/complete`, { note: '已疏导交通' });
    await ok(op, 'POST', `/api/v1/cases/${c.id}/report-back`, { summary: '管道已修复' });
    if (!at('checked')) return c.id;
    await ok(op, 'POST', `/api/v1/cases/${c.id}/check`, { passed: true });
    if (!at('closed')) return c.id;
    await ok(op, 'POST', `/api/v1/cases/${c.id}/close`, {});
    return c.id;
  }

  /** The request a page sends for a step, with what a person fills in. */
  function requestFor(doc: any, a: { action: string; taskId: string | null }): { url: string; body: Record<string, unknown> } {
    const base = `/api/v1/cases/${doc.id}`;
    const task = `${base}/tasks/${a.taskId}`;
    const activeUnits = new Set(doc.tasks.filter((x: any) => x.round === doc.round && !['returned', 'cancelled'].includes(x.state)).map((x: any) => x.unitId));
    const hasLead = doc.tasks.some((x: any) => x.round === doc.round && x.role === 'lead' && !['returned', 'cancelled'].includes(x.state));
    const table: Record<string, { url: string; body: Record<string, unknown> }> = {
      register: { url: `${base}/register`, body: {} },
      decline: { url: `${base}/decline`, body: { reason: '不属于受理范围' } },
      apply_plan: { url: `${base}/apply-plan`, body: {} },
      dispatch: { url: `${base}/dispatch`, body: { tasks: [{ unitId: activeUnits.has(URBAN) ? TRAFFIC : URBAN, role: hasLead ? 'assist' : 'lead' }] } },
      accept_task: { url: `${task}/accept`, body: {} },
      start_task: { url: `${task}/start`, body: {} },
      complete_task: { url: `${task}/complete`, body: { note: '已处置' } },
      return_task: { url: `${task}/return`, body: { reason: '非本单位职责' } },
      report_back: { url: `${base}/report-back`, body: { summary: '已修复' } },
      check: { url: `${base}/check`, body: { passed: true } },
      close: { url: `${base}/close`, body: {} },
      evaluate: { url: `${base}/evaluate`, body: { satisfaction: 'satisfied' } },
      reopen: { url: `${base}/reopen`, body: { reason: '市民反映仍未修好' } },
      escalate: { url: `${base}/escalate`, body: { reason: '涉及多个区县' } },
      park: { url: `${base}/park`, body: { reason: '待统一改造', reviewAt: new Date(Date.now() + 7 * 86_400_000).toISOString() } },
      unpark: { url: `${base}/unpark`, body: {} },
      remind: { url: `${base}/remind`, body: { taskId: a.taskId } },
      supervise: { url: `${base}/supervise`, body: { reason: '群众反映强烈' } },
    };
    const r = table[a.action];
    if (!r) throw new Error(`no request for ${a.action}`);
    return r;
  }

  it.each(STAGES)('at "%s", for every user: each allowed step is accepted, each refused one answers 409 with the given reason', async (stage) => {
    const id = await bring(stage);
    let tried = 0;
    for (const user of USERS) {
      const view = await call(user, 'GET', `/api/v1/cases/${id}`);
      if (view.status !== 200) continue; // not this user's case
      const doc = view.body;
      for (const a of doc.allowedActions) {
        expect(typeof a.name).toBe('string');
        expect(a.name).not.toMatch(/[a-z]_[a-z]/);
        if (a.allowed) {
          // Tried on its own copy: the step changes the case, and the next one is judged on the stage as it was.
          const copy = await bring(stage);
          const fresh = await ok(user, 'GET', `/api/v1/cases/${copy}`);
          const same = fresh.allowedActions.find((x: any) => x.action === a.action && (a.taskId === null || fresh.tasks.find((tk: any) => tk.id === x.taskId)?.unitId === doc.tasks.find((tk: any) => tk.id === a.taskId)?.unitId));
          expect(same?.allowed, `${stage} ${user} ${a.action}`).toBe(true);
          const req = requestFor(fresh, same);
          const res = await call(user, 'POST', req.url, req.body);
          expect(res.status, `${stage} ${user} ${a.action}: ${res.text}`).toBe(200);
        } else {
          expect(a.reason, `${stage} ${user} ${a.action}`).toBeTruthy();
          const req = requestFor(doc, a);
          const res = await call(user, 'POST', req.url, req.body);
          expect(res.status, `${stage} ${user} ${a.action}: ${res.text}`).toBe(409);
          expect(res.body.detail).toBe(a.reason);
        }
        tried += 1;
      }
      // A step the view does not offer this user is refused.
      const offered = new Set(doc.allowedActions.filter((a: any) => a.allowed).map((a: any) => a.action));
      for (const action of ['close', 'report_back', 'register', 'park'].filter((x) => !offered.has(x))) {
        const req = requestFor(doc, { action, taskId: null });
        const res = await call(user, 'POST', req.url, req.body);
        expect(res.status, `${stage} ${user} ${action} not offered`).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
    }
    expect(tried).toBeGreaterThan(0);
  });

  it('refuses 反馈 while an assist has not answered, saying so in Chinese (and in English when asked)', async () => {
    const id = await bring('lead done, assist silent');
    const zh = await ok(op, 'GET', `/api/v1/cases/${id}`);
    const rb = zh.allowedActions.find((a: any) => a.action === 'report_back');
    expect(rb).toMatchObject({ allowed: false, name: '反馈' });
    expect(rb.reason).toBe('不满足办理条件：协办单位尚未答复：渝中区公安交巡警支队');
    expect(zh.actions).not.toContain('report_back');
    const en = await ok(op, 'GET', `/api/v1/cases/${id}?lang=en`);
    const rbEn = en.allowedActions.find((a: any) => a.action === 'report_back');
    expect(rbEn.name).toBe('report back');
    expect(rbEn.reason).toMatch(/^A handling rule forbids this: assisting units have not answered/);
    const refused = await call(op, 'POST', `/api/v1/cases/${id}/report-back`, { summary: '已修复' });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).not.toMatch(/[A-Za-z]{4,}/);
  });

  it('names the category, tier and a citizen\'s public state', async () => {
    const id = await bring('dispatched');
    const staff = await ok(op, 'GET', `/api/v1/cases/${id}`);
    expect(staff.categoryName).toBe('供水管道爆裂');
    expect(staff.tierName).toBe('区县级');
    expect(staff.stateName).toBe('派遣');
    const citizen = await ok('citizen.zhang', 'GET', `/api/v1/cases/${id}`);
    expect(citizen.stateName).toBe('处理中');
    expect(citizen.publicStateName).toBe('处理中');
    const missing = await call(op, 'GET', '/api/v1/cases/nope');
    expect(missing.body.detail).toBe('未找到事项：nope');
  });
});
