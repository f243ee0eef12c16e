import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import type { TestPlatform } from '../support/test-platform.ts';
import { DEMO_POINTS } from '../../cities/chongqing/demo/demo-assets.ts';
import { gcj02ToWgs84 } from '../../src/geo/crs.ts';
import { HAS_CHROMIUM, SKIP_REASON, startUiServer, apiCaller, newWatchedPage, screenshot, signIn } from './browser.ts';

if (!HAS_CHROMIUM) console.warn(SKIP_REASON);

/**
 * 到场 in real Chromium: the water company's crew opens the unit workbench on a phone whose GPS
 * stands ~40 m from the burst at 解放碑. The task shows the site — address, landmark 解放碑, the
 * street, a small map, a geo: link in WGS-84 — the distance from the phone, and records the arrival;
 * the case page's task table then shows the arrival time. A phone that refuses its location is told
 * so in plain words.
 */
describe.skipIf(!HAS_CHROMIUM)('arrival on site in Chromium', () => {
  let t: TestPlatform;
  let base: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let opToken = '';
  let caseId = '';
  let repairTaskId = '';
  const title = '解放碑步行街供水管道爆管（到场测试）';
  const [lng, lat] = DEMO_POINTS.jiefangbei;
  /** The phone's GPS: WGS-84, about 40 m north of the point. */
  const [phoneLng, phoneLat] = gcj02ToWgs84(lng, lat + 0.00036);

  const api = (token: string, method: 'GET' | 'POST', url: string, payload?: unknown) => apiCaller(t)(token, method, url, payload);

  beforeAll(async () => {
    ({ t, base, browser } = await startUiServer());
    opToken = await t.signIn('yuzhong.operator');
    const c = await api(opToken, 'POST', '/api/v1/cases', { categoryCode: 'municipal.water.burst', title, lng, lat, crs: 'gcj02', address: '渝中区解放碑步行街邹容路口', siteContact: { name: '步行街物业 刘经理', phone: '023-63801234' } });
    caseId = c.id;
    const d = await api(opToken, 'POST', `/api/v1/cases/${caseId}/apply-plan`, {});
    repairTaskId = d.tasks.find((x: any) => x.plan.key === 'repair').id;
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it('shows the site on the workbench, measures the distance, records the arrival and shows it on the case clock', async () => {
    const ctx = await browser.newContext({
      viewport: { width: 414, height: 896 },
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      geolocation: { longitude: phoneLng, latitude: phoneLat, accuracy: 12 },
      permissions: ['geolocation'],
    });
    contexts.push(ctx);
    const { page, errors } = await newWatchedPage(ctx);
    await signIn(page, base, 'yuzhong.water');
    await page.goto(`${base}/unit`);
    const card = page.getByTestId('unit-task').filter({ hasText: title });
    await card.waitFor({ timeout: 20_000 });

    // Signed for first: arriving is for a crew that has taken the task.
    expect(await card.getByTestId('task-arrive').count()).toBe(0);
    await card.getByTestId('task-accept').click();
    await card.getByTestId('task-arrive').waitFor();

    // The site: address, the landmark, the street, the arrival clock of the plan (30 min).
    const site = card.getByTestId('site-card');
    expect(await site.getByTestId('site-address').textContent()).toBe('渝中区解放碑步行街邹容路口');
    expect(await site.getByTestId('site-landmark').textContent()).toBe('解放碑');
    expect(await site.textContent()).toContain('解放碑街道');
    await expect.poll(() => card.getByTestId('arrival-clock').textContent()).toMatch(/^\d\d:\d\d:\d\d/);
    // The reporter's contact is the center's: the crew sees that it must call through the center.
    expect(await site.getByTestId('site-contact').textContent()).toMatch(/无|仅指挥中心可见/);
    // The on-site contact given with the report is the crew's to call.
    expect(await site.getByTestId('site-contact-onsite').textContent()).toBe('步行街物业 刘经理 023-63801234');
    expect(await site.getByTestId('site-contact-onsite').getByRole('link').getAttribute('href')).toBe('tel:023-63801234');
    // Navigation: geo: in WGS-84 (not the GCJ-02 point of the map), 高德 in GCJ-02, each saying which.
    const geo = site.getByTestId('site-geo');
    expect(await geo.textContent()).toContain('WGS-84');
    const href = (await geo.getAttribute('href'))!;
    const [gLat, gLng] = /^geo:([\d.]+),([\d.]+)/.exec(href)!.slice(1).map(Number) as [number, number];
    const [wLng, wLat] = gcj02ToWgs84(lng, lat);
    expect(gLat).toBeCloseTo(wLat, 5);
    expect(gLng).toBeCloseTo(wLng, 5);
    expect(await site.getByTestId('site-amap').textContent()).toContain('GCJ-02');

    // The small map: a canvas over the boundary tiles.
    await site.getByTestId('site-map-toggle').click();
    await site.getByTestId('site-map').locator('canvas').waitFor({ timeout: 20_000 });

    // Distance from the phone: ~40 m.
    await site.getByTestId('site-measure').click();
    await expect.poll(() => site.getByTestId('site-distance').textContent().catch(() => null), { timeout: 10_000 }).toMatch(/^(3\d|4\d) 米$/);
    await screenshot(page, 'unit-workbench-site');

    // 到场: the server's clock is the test's own; bring it to the browser's time first.
    t.clock.set(new Date());
    await card.getByTestId('task-arrive').click();
    await expect.poll(() => card.getByTestId('arrive-note').textContent().catch(() => null), { timeout: 10_000 }).toMatch(/^已登记到场，距现场 (3\d|4\d) 米$/);
    await expect.poll(() => card.getByTestId('arrival-done').textContent().catch(() => null)).toMatch(/^已到场 .*距现场 (3\d|4\d) 米$/);
    expect(await card.getByTestId('task-arrive').count()).toBe(0);

    // One event, by the crew's account, with the position it sent (WGS-84 → stored GCJ-02).
    const events = (await api(opToken, 'GET', `/api/v1/cases/${caseId}/events`)).items.filter((e: any) => e.type === 'TaskArrived');
    expect(events).toHaveLength(1);
    expect(events[0].actor.name).toBeTruthy();
    expect(events[0].payload).toMatchObject({ taskId: repairTaskId, accuracyM: 12, late: false });
    expect(events[0].payload.lat).toBeCloseTo(lat + 0.00036, 5);

    // The case page: the task table shows the arrival time in its 到场 column, and the timeline names it.
    await page.goto(`${base}/cases/${caseId}`);
    const row = page.getByTestId('task-table').locator('tr').filter({ hasText: '区供水' }).first();
    await row.waitFor({ timeout: 15_000 });
    await expect.poll(() => row.getByTestId('task-arrival').textContent()).toMatch(/\d\d:\d\d.*(3\d|4\d) 米/);
    expect(await page.getByRole('columnheader', { name: '到场' }).isVisible()).toBe(true);
    expect(await page.textContent('body')).not.toContain('TaskArrived');
    expect(errors).toEqual([]);
  });

  it("keeps a grid worker's arrival made offline in the phone's outbox and sends it with the time it happened", async () => {
    const ctx = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      geolocation: { longitude: phoneLng, latitude: phoneLat, accuracy: 20 },
      permissions: ['geolocation'],
    });
    contexts.push(ctx);
    const watched = await newWatchedPage(ctx);
    const page = watched.page;
    watched.expected.push(/ERR_INTERNET_DISCONNECTED|ERR_FAILED|ERR_NETWORK_CHANGED/);
    await signIn(page, base, 'gridworker');
    await page.waitForURL(/\/grid$/);
    // The office's notice task of the same burst, with its site.
    const card = page.getByTestId('grid-task').filter({ hasText: title });
    await card.waitFor({ timeout: 20_000 });
    expect(await card.getByTestId('site-landmark').textContent({ timeout: 10_000 })).toBe('解放碑');
    const arriveButton = card.getByTestId('task-arrive');
    await arriveButton.waitFor();

    // No signal on site: the arrival waits on the phone, with the time the position was taken.
    await ctx.setOffline(true);
    await page.getByRole('status').filter({ hasText: '离线' }).waitFor();
    await arriveButton.click();
    await page.getByTestId('outbox-arrival').filter({ hasText: title }).waitFor({ timeout: 10_000 });
    await card.getByText('已到场，待发送').waitFor();
    const queued = JSON.parse((await page.evaluate<string | null>("localStorage.getItem('cityloop.arrivalOutbox')")) ?? '[]') as { at: string; taskId: string }[];
    expect(queued).toHaveLength(1);
    const notifyTaskId = queued[0]!.taskId;
    expect(await api(opToken, 'GET', `/api/v1/cases/${caseId}/events`).then((r) => r.items.filter((e: any) => e.type === 'TaskArrived' && e.payload.taskId === notifyTaskId))).toHaveLength(0);

    // Back online a while later: signed for (nobody had) and arrived, at the phone's time.
    await page.waitForTimeout(1500);
    t.clock.set(new Date());
    await ctx.setOffline(false);
    await expect.poll(() => page.getByTestId('task-note').textContent().catch(() => null), { timeout: 30_000 }).toMatch(new RegExp(`已登记到场：${title}（距现场 (3\\d|4\\d) 米）`));
    expect(await page.getByTestId('outbox-arrival').count()).toBe(0);
    const events = (await api(opToken, 'GET', `/api/v1/cases/${caseId}/events`)).items.filter((e: any) => e.payload.taskId === notifyTaskId);
    expect(events.map((e: any) => e.type)).toEqual(expect.arrayContaining(['TaskAccepted', 'TaskArrived']));
    const arrived = events.find((e: any) => e.type === 'TaskArrived');
    expect(arrived.payload.arrivedAt).toBe(new Date(queued[0]!.at).toISOString());
    expect(Date.parse(arrived.at)).toBeGreaterThan(Date.parse(arrived.payload.arrivedAt));
    await expect.poll(() => card.getByTestId('arrival-done').textContent().catch(() => null), { timeout: 10_000 }).toMatch(/^已到场/);
    expect(watched.errors).toEqual([]);
  });

  it('tells a crew whose phone refuses its location why there is no distance', async () => {
    const ctx = await browser.newContext({ viewport: { width: 414, height: 896 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    contexts.push(ctx);
    const { page } = await newWatchedPage(ctx);
    await signIn(page, base, 'yuzhong.traffic');
    await page.goto(`${base}/unit`);
    const card = page.getByTestId('unit-task').filter({ hasText: title });
    await card.waitFor({ timeout: 20_000 });
    await card.getByTestId('site-measure').click();
    await expect.poll(() => card.getByTestId('site-error').textContent().catch(() => null), { timeout: 15_000 }).toContain('定位权限已被拒绝');
    expect(await card.getByTestId('site-distance').count()).toBe(0);
  });
});
