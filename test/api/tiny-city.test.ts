/**
 * The core on a city it was not written for: the tiny test pack (test/cities/tiny, 青溪市) on both
 * stores. A report is placed in its district and street, the pack's plan routes it to that
 * district's unit, the case runs to closure; KPIs, categories and `plans check` see only the
 * tiny city's catalogue.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestPlatform, TINY_PACK_DIR, type TestPlatform } from '../support/test-platform.ts';
import { ManualClock } from '../../src/clock.ts';
import { verifyEventLog } from '../../src/events/event-log.ts';
import { HEDONG, HEDONG_SOUTH_POINT, HEXI, HEXI_NORTH_POINT, STREETS, TINY_CATEGORIES, unitIdOf } from '../cities/tiny/city.ts';

const at = (p: readonly [number, number]) => ({ lng: p[0], lat: p[1], crs: 'gcj02' as const });

describe.each(DIALECTS)('the tiny city pack (%s)', (dialect) => {
  let t: TestPlatform;
  const tokens: Record<string, string> = {};
  const call = async (user: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${tokens[user]}` }, ...(payload !== undefined ? { payload: payload as object } : {}) });
    return { status: res.statusCode, body: res.json() as any };
  };
  const ok = async (user: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const r = await call(user, method, url, payload);
    if (r.status >= 300) throw new Error(`${method} ${url} as ${user}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };

  beforeAll(async () => {
    // Monday 2 March 2026, 16:00 in Qingxi (+08:00): one working hour left in the tiny city's day.
    t = await openTestPlatform(dialect, { cityPack: TINY_PACK_DIR, clock: new ManualClock('2026-03-02T08:00:00Z') });
    for (const u of ['admin', 'hexi.operator', 'hexi.roads', 'hedong.operator', 'citizen.wang']) tokens[u] = await t.signIn(u);
  });
  afterAll(async () => t?.close());

  it('is the pack in use, with its own settings defaults', () => {
    expect(t.platform.pack.id).toBe('tiny');
    expect(t.platform.pack.name.zh).toBe('青溪市');
    expect(t.settings.capSender).toBe('cityloop@qingxi.example');
    expect(t.settings.plansDir).toBe(join(TINY_PACK_DIR, 'plans'));
  });

  it('lists the tiny catalogue and no other', async () => {
    const items = (await ok('hexi.operator', 'GET', '/api/v1/categories')).items as { code: string }[];
    expect(items.map((c) => c.code).sort()).toEqual(TINY_CATEGORIES.map((c) => c.code).sort());
    const plans = (await ok('hexi.operator', 'GET', '/api/v1/plans')).items as { id: string }[];
    expect(plans.map((p) => p.id)).toEqual(['road-flooding']);
  });

  it('runs the loop: located in 河西区/柳湾街道, routed to its roads office by the plan, closed', async () => {
    const c = await ok('citizen.wang', 'POST', '/api/v1/cases', { categoryCode: 'roads.flooding', title: '柳湾路积水没过脚踝', source: 'citizen', ...at(HEXI_NORTH_POINT) });
    expect(c.chain.map((l: any) => [l.level, l.code])).toEqual([
      ['city', '990000'],
      ['district', HEXI],
      ['street', STREETS.hexiNorth],
    ]);
    expect(c.centerId).toBe(`center-${HEXI}`);
    // 河东区's center may not see it; 河西区's steers it.
    expect((await call('hedong.operator', 'GET', `/api/v1/cases/${c.id}`)).status).toBe(403);
    const preview = await ok('hexi.operator', 'GET', `/api/v1/cases/${c.id}/plan-preview`);
    expect(preview.planId).toBe('road-flooding');
    const d = await ok('hexi.operator', 'POST', `/api/v1/cases/${c.id}/apply-plan`, {});
    expect(d.state).toBe('dispatched');
    expect(d.plan).toMatchObject({ id: 'road-flooding', version: 1, tier: 'district' });
    expect(d.tasks.map((x: any) => [x.plan.key, x.role, x.unitId])).toEqual([['pump', 'lead', unitIdOf(HEXI, 'roads-office')]]);
    const task = d.tasks[0];
    await ok('hexi.roads', 'POST', `/api/v1/cases/${c.id}/tasks/${task.id}/accept`, {});
    await ok('hexi.roads', 'POST', `/api/v1/cases/${c.id}/tasks/${task.id}/start`, {});
    await ok('hexi.roads', 'POST', `/api/v1/cases/${c.id}/tasks/${task.id}/complete`, { note: '已抽排' });
    await ok('hexi.operator', 'POST', `/api/v1/cases/${c.id}/report-back`, { summary: '积水已排净' });
    expect((await ok('hexi.operator', 'POST', `/api/v1/cases/${c.id}/check`, { passed: true })).state).toBe('checked');
    expect((await ok('hexi.operator', 'POST', `/api/v1/cases/${c.id}/close`, {})).state).toBe('closed');
    const types = (await ok('hexi.operator', 'GET', `/api/v1/cases/${c.id}/events`)).items.map((e: any) => e.type);
    expect(types.slice(0, 4)).toEqual(['CaseReported', 'PlanApplied', 'CaseRegistered', 'CaseDispatched']);
    expect(types.at(-1)).toBe('CaseClosed');
    expect((await verifyEventLog(t.platform.store.db)).ok).toBe(true);
  });

  it("counts deadlines in the pack's office hours (08:30–17:00, no lunch break)", async () => {
    const c = await ok('hedong.operator', 'POST', '/api/v1/cases', { categoryCode: 'roads.pothole', title: '东门路坑洼', ...at(HEDONG_SOUTH_POINT) });
    expect(c.chain.find((l: any) => l.level === 'street').code).toBe(STREETS.hedongSouth);
    const reg = await ok('hedong.operator', 'POST', `/api/v1/cases/${c.id}/register`, {});
    // 2 working hours from Monday 16:00: one until 17:00, one from 08:30 on Tuesday → 09:30 (+08:00).
    // Chongqing's hours (14:00–18:00) would have made it Monday 18:00.
    expect(reg.respondDue).toBe('2026-03-03T01:30:00.000Z');
    expect(reg.centerId).toBe(`center-${HEDONG}`);
  });

  it("serves the pack's Open311 attributes and none of Chongqing's", async () => {
    const services = (await t.app.inject({ method: 'GET', url: '/open311/v2/services.json' })).json() as { service_code: string; metadata: boolean }[];
    expect(Object.fromEntries(services.map((s) => [s.service_code, s.metadata]))).toEqual({ 'parks.litter': false, 'roads.flooding': true, 'roads.pothole': false });
    const def = (await t.app.inject({ method: 'GET', url: '/open311/v2/services/roads.flooding.json' })).json() as { attributes: { code: string; required: boolean }[] };
    expect(def.attributes.map((a) => [a.code, a.required])).toEqual([['water_depth', true]]);
  });

  it('lets no unit read the muck-truck chain when the pack names no reader kinds; center staff still read it', async () => {
    expect((await call('hexi.roads', 'GET', '/api/v1/muck/permits')).status).toBe(403);
    expect((await call('hexi.operator', 'GET', '/api/v1/muck/permits')).status).toBe(200);
  });

  it('gives KPIs by district over the tiny city', async () => {
    const k = await ok('admin', 'GET', '/api/v1/kpis?groupBy=district');
    const rows = k.rows as { group: string; groupName: string; cases: number }[];
    expect(rows.map((r) => r.group).sort()).toEqual([HEDONG, HEXI]);
    expect(rows.find((r) => r.group === HEXI)).toMatchObject({ groupName: '河西区', cases: 1 });
    expect(rows.find((r) => r.group === HEDONG)).toMatchObject({ groupName: '河东区', cases: 1 });
  });
});

describe('cityloop plans check on the tiny pack', () => {
  const exec = promisify(execFile);
  const dir = mkdtempSync(join(tmpdir(), 'cityloop-tiny-cli-'));
  // An empty store: the catalogue is the pack's.
  const env = { ...process.env, CITY_PACK: TINY_PACK_DIR, DATABASE_URL: `sqlite:${join(dir, 'cli.sqlite')}`, DATA_DIR: dir };
  const cli = async (...args: string[]) => {
    try {
      const r = await exec(process.execPath, ['bin/cityloop.js', ...args], { env, timeout: 120_000 });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("accepts the tiny plan and refuses one naming Chongqing's categories and units", async () => {
    const good = await cli('plans', 'check', join(TINY_PACK_DIR, 'plans', 'road-flooding.yaml'));
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toContain('city pack tiny');
    const bad = await cli('plans', 'check', 'cities/chongqing/plans/manhole-cover.yaml');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('municipal.manhole.missing');
    expect(bad.stderr).toContain('urban-management');
  });

  it('writes a plan for the tiny city that the Chongqing catalogue would refuse', async () => {
    const file = join(dir, 'parks.yaml');
    writeFileSync(file, 'id: park-litter\nname: 公园垃圾清理\ntrigger: { categories: [parks.litter] }\nlevel: [{ tier: district }]\ntasks:\n  - key: clean\n    role: lead\n    unit: { kind: parks-office, scope: district }\n    instructions: 清理\n    deadline: 1d\n');
    expect((await cli('plans', 'check', file)).code).toBe(0);
    const chongqing = await exec(process.execPath, ['bin/cityloop.js', 'plans', 'check', file], { env: { ...env, CITY_PACK: 'chongqing' } }).then(
      () => 0,
      (e: { code: number }) => e.code,
    );
    expect(chongqing).toBe(1);
  });
});
