import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { testHttp } from '../support/http.ts';
import { DEMO_POINTS } from '../../cities/chongqing/demo/demo-assets.ts';
import { unitIdOf } from '../../cities/chongqing/demo/demo-city.ts';
import { gcj02ToWgs84 } from '../../src/geo/crs.ts';

/**
 * 到场: the crews of the water-main plan at 解放碑 find the site (address, landmark, street, both
 * datums, a geo: link) and record their arrival from the phone's GPS (WGS-84). The plan's
 * `arriveWithin` is met by arriving, not by signing for the task: a crew that signed at once but
 * never arrived is overdue for arrival when its deadline passes; one that arrived in time is not.
 * Only the task's own unit may arrive on it, and only near the site.
 */
const MIN = 60_000;

describe.each(DIALECTS)('arrival on site on %s', (dialect) => {
  let t: TestPlatform;
  const tokens: Record<string, string> = {};
  let caseId = '';
  let repairTaskId = '';
  let trafficTaskId = '';
  let notifyTaskId = '';
  const [lng, lat] = DEMO_POINTS.jiefangbei;
  /** Where the water crew's phone says it stands: ~30 m east of the point, in WGS-84 as a phone's GPS gives it. */
  const [phoneLng, phoneLat] = gcj02ToWgs84(lng + 0.0003, lat);

  const { call, ok } = testHttp(() => t.app, (u) => tokens[u]);
  const eventsOf = async (type: string, taskId: string) => {
    const ev = await ok('yuzhong.operator', 'GET', `/api/v1/cases/${caseId}/events`);
    return ev.items.filter((e: any) => e.type === type && e.payload.taskId === taskId);
  };
  const arrive = (user: string, taskId: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    call(user, 'POST', `/api/v1/cases/${caseId}/tasks/${taskId}/arrive`, body, headers);

  beforeAll(async () => {
    t = await openTestPlatform(dialect);
    for (const u of ['admin', 'yuzhong.operator', 'yuzhong.water', 'yuzhong.traffic', 'nanan.water', 'gridworker', 'citizen.zhang']) tokens[u] = await t.signIn(u);
    const c = await ok('citizen.zhang', 'POST', '/api/v1/cases', { categoryCode: 'municipal.water.burst', title: '解放碑步行街供水管道爆管', lng, lat, crs: 'gcj02', address: '渝中区解放碑步行街', reporter: { name: '张三', phone: '13800001234' }, siteContact: { name: '步行街物业 刘经理', phone: '023-63801234' } });
    caseId = c.id;
    const d = await ok('yuzhong.operator', 'POST', `/api/v1/cases/${caseId}/apply-plan`, {});
    repairTaskId = d.tasks.find((x: any) => x.plan.key === 'repair').id;
    trafficTaskId = d.tasks.find((x: any) => x.plan.key === 'traffic').id;
    const gridStreet = t.platform.resolver().resolve(lng, lat)!.chain.find((l) => l.level === 'street')!.code;
    notifyTaskId = d.tasks.find((x: any) => x.unitId === unitIdOf(gridStreet, 'community')).id;
  });
  afterAll(async () => t?.close());

  it('shows the crew the site: address, nearest landmark, street, both datums, a geo: link in WGS-84, the contact masked', async () => {
    const site = await ok('yuzhong.water', 'GET', `/api/v1/cases/${caseId}/site`);
    expect(site).toMatchObject({ caseId, address: '渝中区解放碑步行街', gcj02: { lng, lat } });
    expect(site.landmark).toEqual({ name: '解放碑', distanceM: 0 });
    expect(site.chain.map((l: any) => l.level)).toEqual(expect.arrayContaining(['district', 'street', 'community']));
    expect(site.chain.find((l: any) => l.level === 'district').name).toBe('渝中区');
    // GCJ-02 is offset from WGS-84 by a few hundred metres in Chongqing: the geo: URI carries WGS-84.
    const [wLng, wLat] = gcj02ToWgs84(lng, lat);
    expect(site.wgs84.lng).toBeCloseTo(wLng, 5);
    expect(site.wgs84.lat).toBeCloseTo(wLat, 5);
    expect(Math.abs(site.wgs84.lng - lng)).toBeGreaterThan(0.002);
    expect(site.geoUri).toBe(`geo:${site.wgs84.lat},${site.wgs84.lng}?q=${site.wgs84.lat},${site.wgs84.lng}`);
    expect(site.amapUrl).toContain(`position=${lng},${lat}`);
    // The unit's staff see the reporter masked; the center's operator in full.
    expect(site.contact).toMatchObject({ name: '张*', phone: '138****1234', full: false });
    expect((await ok('yuzhong.operator', 'GET', `/api/v1/cases/${caseId}/site`)).contact).toMatchObject({ name: '张三', phone: '13800001234', full: true });
    // The site contact the reporter gave is for the crews: the unit sees it in full.
    expect(site.siteContact).toEqual({ name: '步行街物业 刘经理', phone: '023-63801234' });
    // Another district's unit has no task here and sees nothing of it.
    const outside = await call('nanan.water', 'GET', `/api/v1/cases/${caseId}/site`);
    expect(outside.status).toBe(403);
    expect(outside.body.code).toBe('FORBIDDEN_JURISDICTION');
  });

  it("refuses an arrival on another unit's task, from the center, before signing for it, and far from the site", async () => {
    const here = { lng: phoneLng, lat: phoneLat, crs: 'wgs84' };
    const other = await arrive('nanan.water', repairTaskId, here);
    expect([other.status, other.body.code]).toEqual([403, 'FORBIDDEN_JURISDICTION']);
    const neighbour = await arrive('yuzhong.traffic', repairTaskId, here);
    expect([neighbour.status, neighbour.body.code]).toEqual([403, 'FORBIDDEN_JURISDICTION']);
    const office = await arrive('gridworker', repairTaskId, here);
    expect([office.status, office.body.code]).toEqual([403, 'FORBIDDEN_JURISDICTION']);
    const center = await arrive('yuzhong.operator', repairTaskId, here);
    expect([center.status, center.body.code]).toEqual([403, 'FORBIDDEN_ROLE']);
    const unsigned = await arrive('yuzhong.water', repairTaskId, here);
    expect([unsigned.status, unsigned.body.code]).toEqual([409, 'TASK_INVALID_TRANSITION']);
    // Both crews sign for their tasks at once (09:00).
    await ok('yuzhong.water', 'POST', `/api/v1/cases/${caseId}/tasks/${repairTaskId}/accept`, {});
    await ok('yuzhong.traffic', 'POST', `/api/v1/cases/${caseId}/tasks/${trafficTaskId}/accept`, {});
    // From the depot, ~2 km away: not on site, in Chinese and English.
    const far = await arrive('yuzhong.water', repairTaskId, { lng: lng + 0.02, lat, crs: 'gcj02' });
    expect([far.status, far.body.code]).toEqual([409, 'TASK_ARRIVAL_TOO_FAR']);
    expect(far.body.detail).toMatch(/距现场约 19\d\d 米/);
    const farEn = await call('yuzhong.water', 'POST', `/api/v1/cases/${caseId}/tasks/${repairTaskId}/arrive?lang=en`, { lng: lng + 0.02, lat, crs: 'gcj02' }, { 'accept-language': 'en' });
    expect(farEn.body.detail).toMatch(/about 19\d\d m from the site/);
    for (const type of ['TaskArrived', 'TaskArrivalOverdue']) expect(await eventsOf(type, repairTaskId)).toHaveLength(0);
  });

  it('records the arrival with who, when, where and the distance; a resend of it is harmless; the arrival deadline is met by arriving', async () => {
    t.clock.advance(12 * MIN);
    const key = { 'idempotency-key': 'arrive-water-1' };
    const at = t.clock.now().toISOString();
    const body = { lng: phoneLng, lat: phoneLat, crs: 'wgs84', accuracy: 8, at };
    const first = await arrive('yuzhong.water', repairTaskId, body, key);
    expect(first.status).toBe(200);
    const task = first.body.tasks.find((x: any) => x.id === repairTaskId);
    // Stored in GCJ-02, the datum of the case: the phone's WGS-84 converted on the way in.
    expect(task.arrival).toMatchObject({ at, accuracyM: 8, late: false, arriveBy: task.plan.arriveBy });
    expect(task.arrival.lng).toBeCloseTo(lng + 0.0003, 5);
    expect(task.arrival.distanceM).toBeGreaterThanOrEqual(25);
    expect(task.arrival.distanceM).toBeLessThanOrEqual(35);
    expect(task.state).toBe('accepted');
    // The answer was lost: the offline queue sends the same arrival again.
    const again = await arrive('yuzhong.water', repairTaskId, body, key);
    expect([again.status, again.headers['idempotent-replayed']]).toEqual([200, 'true']);
    // A second, different arrival is refused: one arrival per task.
    const second = await arrive('yuzhong.water', repairTaskId, { lng, lat, crs: 'gcj02' });
    expect([second.status, second.body.code]).toEqual([409, 'TASK_ALREADY_ARRIVED']);
    const arrived = await eventsOf('TaskArrived', repairTaskId);
    expect(arrived).toHaveLength(1);
    const me = await ok('yuzhong.water', 'GET', '/api/v1/me');
    expect(arrived[0].actor.id).toBe(me.userId);
    expect(arrived[0].payload).toMatchObject({ arrivedAt: at, accuracyM: 8, late: false });
    // The unit's task list carries the arrival.
    const listed = (await ok('yuzhong.water', 'GET', '/api/v1/tasks')).items.find((x: any) => x.id === repairTaskId);
    expect(listed.arrival).toMatchObject({ at, late: false });
  });

  it('fires the arrival deadline only for the crew that signed but did not arrive; a late arrival is recorded late', async () => {
    // 09:21: the traffic police's 20 minutes have passed; they signed at 09:00 but are not there.
    t.clock.advance(9 * MIN);
    await t.platform.timers.runDue();
    const overdue = await eventsOf('TaskArrivalOverdue', trafficTaskId);
    expect(overdue).toHaveLength(1);
    expect(overdue[0].actor.id).toBe('system');
    const reminders = await eventsOf('TaskReminded', trafficTaskId);
    expect(reminders.map((e: any) => e.payload.reason)).toContain('超过到场时限，尚未到场');
    // Signing for it was on time: no "not signed for" reminder.
    expect(reminders.map((e: any) => e.payload.reason)).not.toContain('超时未签收，请立即签收');
    // 09:31: the water crew's 30 minutes pass, but it arrived at 09:12: nothing fires for it.
    t.clock.advance(10 * MIN);
    await t.platform.timers.runDue();
    expect(await eventsOf('TaskArrivalOverdue', repairTaskId)).toHaveLength(0);
    // The police arrive at 09:31: recorded, and late.
    const late = await arrive('yuzhong.traffic', trafficTaskId, { lng, lat, crs: 'gcj02' });
    expect(late.status).toBe(200);
    const traffic = late.body.tasks.find((x: any) => x.id === trafficTaskId);
    expect(traffic).toMatchObject({ arrivalOverdue: true, arrival: { late: true, distanceM: 0 } });
    expect(late.body.tasks.find((x: any) => x.id === repairTaskId).arrivalOverdue).toBeUndefined();
    // The arrival overdue is not the task's work overdue: its deadline (3 h) still runs.
    expect(traffic.overdue).toBe(false);
  });

  it("lets a grid worker arrive on the community office's task, and nobody of another office", async () => {
    await ok('gridworker', 'POST', `/api/v1/cases/${caseId}/tasks/${notifyTaskId}/accept`, {});
    const r = await arrive('gridworker', notifyTaskId, { lng, lat, crs: 'gcj02' });
    expect(r.status).toBe(200);
    // The office's notice task has no arrival deadline: the arrival is recorded, never late.
    expect(r.body.tasks.find((x: any) => x.id === notifyTaskId).arrival).toMatchObject({ arriveBy: null, late: false });
    expect((await ok('gridworker', 'GET', `/api/v1/cases/${caseId}`)).actions).toContain('arrive_task');
  });
});
