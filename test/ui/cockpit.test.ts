import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ManualClock } from '../../src/clock.ts';
import { openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { DEMO_POINTS } from '../../src/assets/demo-assets.ts';
import { HAS_CHROMIUM, SKIP_REASON, ensureWebBuilt, launchChromium, newWatchedPage, screenshot, signIn, type WatchedPage } from './browser.ts';

if (!HAS_CHROMIUM) console.warn(SKIP_REASON);

/**
 * The cockpit in real Chromium against the real server: sign in, see the demo city, dispatch the
 * water-main plan with one click and watch the tasks appear, plot a cordon shared live, the unit's
 * workbench, close the case; the citizen's submit-and-follow path.
 */
describe.skipIf(!HAS_CHROMIUM)('cockpit in Chromium', () => {
  let t: TestPlatform;
  let base: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const watched: WatchedPage[] = [];
  let operator: Page;
  let caseId = '';
  let opToken = '';

  const api = async (token: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload !== undefined ? { payload: payload as never } : {}) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json() as any;
  };
  const open = async (user: string, viewport = { width: 1920, height: 1080 }) => {
    const ctx = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    contexts.push(ctx);
    const w = await newWatchedPage(ctx);
    watched.push(w);
    await signIn(w.page, base, user);
    return w.page;
  };

  beforeAll(async () => {
    await ensureWebBuilt();
    // The server's clock is the real one, so the clocks the browser shows are real too.
    t = await openTestPlatform('sqlite', { clock: new ManualClock(new Date()) });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
    opToken = await t.signIn('yuzhong.operator');
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it('signs in and shows the operator\'s district with its streets and the open cases', async () => {
    operator = await open('yuzhong.operator');
    await operator.waitForURL(/\/cockpit$/);
    await operator.waitForFunction('window.__cockpit && window.__cockpit.boundaries.featureCount("district") > 0 && window.__cockpit.boundaries.featureCount("street") > 0', undefined, { timeout: 30_000 });
    await expect.poll(() => operator.getByTestId('case-count').textContent()).toMatch(/在办案件 \d+/);
    expect(await operator.getByRole('heading', { name: '待立案' }).isVisible()).toBe(true);
    expect(await operator.locator('.map-title strong').textContent()).toBe('渝中区');
  }, 90_000);

  it('a reported burst appears live; one click runs the water-main plan and the tasks appear', async () => {
    const [lng, lat] = DEMO_POINTS.guobinHospital;
    const reported = await api(opToken, 'POST', '/api/v1/cases', { categoryCode: 'municipal.water.burst', source: 'sensor', title: '国宾医院门前供水管道爆管', lng, lat, crs: 'gcj02', priority: 'urgent' });
    caseId = reported.id;
    // From the live feed, without a reload.
    const item = operator.getByTestId('to-register').getByRole('button', { name: new RegExp(reported.number) });
    await item.waitFor({ timeout: 15_000 });
    await operator.getByTestId('activity').getByText(/上报 · /).first().waitFor();
    await item.click();
    await operator.getByTestId('selected-case').waitFor();
    await operator.getByTestId('one-click-dispatch').click();
    const dialog = operator.getByTestId('dispatch-dialog');
    await expect.poll(() => dialog.getByTestId('plan-name').textContent(), { timeout: 15_000 }).toBe('城市供水爆管处置');
    expect(await dialog.locator('tbody tr').count()).toBeGreaterThanOrEqual(5);
    await screenshot(operator, 'dispatch-dry-run');
    await operator.getByTestId('confirm-dispatch').click();
    const rows = operator.getByTestId('selected-case').getByTestId('task-table').locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
    expect(await operator.getByTestId('selected-case').getByText('渝中区供水公司（水厂）').isVisible()).toBe(true);
    await screenshot(operator, 'cockpit');
    const doc = await api(opToken, 'GET', `/api/v1/cases/${caseId}`);
    expect(doc.state).toBe('dispatched');
    expect(doc.plan.id).toBe('water-main-burst');
  }, 90_000);

  it('plots a cordon on the case page, saved with the case and shown live to another operator', async () => {
    await operator.getByTestId('open-case').click();
    await operator.getByTestId('case-page').waitFor();
    await operator.getByTestId('timeline').getByText('启动预案').waitFor();
    await operator.waitForFunction('window.__caseMap && window.__caseMap.map.loaded()', undefined, { timeout: 30_000 });
    const watcher = await open('yuzhong.supervisor');
    await watcher.goto(`${base}/cases/${caseId}`);
    await watcher.getByTestId('case-page').waitFor();
    await watcher.waitForFunction('window.__caseMap && window.__caseMap.map.loaded()', undefined, { timeout: 30_000 });

    // Draw with real clicks on the map canvas: three corners, then Finish.
    await operator.getByTestId('plot-polygon').click();
    const box = (await operator.getByTestId('case-map').boundingBox())!;
    for (const [dx, dy] of [[0.3, 0.3], [0.7, 0.3], [0.5, 0.7]] as const) await operator.mouse.click(box.x + box.width * dx, box.y + box.height * dy);
    await operator.getByTestId('plot-finish').click();
    await operator.getByTestId('plot-save').click();
    await operator.getByText(/标绘已保存/).waitFor();
    const attachments = (await api(opToken, 'GET', `/api/v1/cases/${caseId}`)).attachments as { fileName: string }[];
    expect(attachments.some((a) => a.fileName.endsWith('.plot.geojson'))).toBe(true);
    await watcher.waitForFunction('window.__caseMap.plot.features.length === 1 && window.__caseMap.plot.features[0].geometry.type === "Polygon"', undefined, { timeout: 15_000 });
    await screenshot(operator, 'case');
  }, 120_000);

  it('the water company works its task on the workbench; the center reports back, checks and closes', async () => {
    const water = await open('yuzhong.water');
    await water.waitForURL(/\/unit$/);
    const task = water.getByTestId('unit-task').filter({ hasText: '国宾医院' });
    await task.getByTestId('task-accept').click();
    await task.getByTestId('task-start').click();
    await task.getByTestId('task-complete').click();
    await water.getByLabel(/办理情况/).fill('已关阀抢修，恢复供水');
    await water.getByTestId('task-photo').setInputFiles({ name: 'site.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('a photo of the repaired main') });
    await water.getByTestId('complete-submit').click();
    await expect.poll(async () => (await api(opToken, 'GET', `/api/v1/cases/${caseId}`)).tasks.find((x: any) => x.role === 'lead').state, { timeout: 15_000 }).toBe('done');
    await screenshot(water, 'unit-workbench');

    // The assisting units answer through the API.
    const admin = await t.signIn('admin');
    const doc = await api(admin, 'GET', `/api/v1/cases/${caseId}`);
    for (const x of doc.tasks.filter((y: any) => y.state !== 'done')) {
      await api(admin, 'POST', `/api/v1/cases/${caseId}/tasks/${x.id}/accept`, {});
      await api(admin, 'POST', `/api/v1/cases/${caseId}/tasks/${x.id}/complete`, { note: `${x.unitName}已完成` });
    }
    await operator.getByTestId('report-back').waitFor({ timeout: 15_000 });
    await operator.getByTestId('report-back').click();
    await operator.getByRole('dialog').getByRole('textbox').fill('爆管已修复，供水恢复');
    await operator.getByRole('dialog').getByRole('button', { name: '确定' }).click();
    await operator.getByTestId('check').click();
    await operator.getByRole('dialog').getByRole('button', { name: '提交核查' }).click();
    await operator.getByTestId('close-case').click();
    await operator.getByRole('dialog').getByRole('button', { name: '确定' }).click();
    await expect.poll(() => operator.getByTestId('case-page').getAttribute('data-state'), { timeout: 15_000 }).toBe('closed');
    await operator.getByTestId('timeline').getByText('结案').waitFor();
  }, 120_000);

  it('a citizen submits an appeal in their words and follows it', async () => {
    const citizen = await open('citizen.zhang', { width: 390, height: 844 });
    await citizen.waitForURL(/\/citizen$/);
    await citizen.getByLabel('反映的问题').fill('解放碑步行街的路灯晚上不亮，已经一个星期了');
    await citizen.getByLabel(/地点/).fill('解放碑');
    await citizen.getByRole('button', { name: '提交' }).click();
    const ok = citizen.getByTestId('submitted');
    await ok.waitFor({ timeout: 15_000 });
    const number = /CL\d+/.exec((await ok.textContent()) ?? '')?.[0];
    expect(number).toBeTruthy();
    const mine = citizen.getByTestId('my-appeals').getByRole('button', { name: new RegExp(number!) });
    await mine.click();
    await citizen.getByTestId('replies').locator('li').first().waitFor();
    await screenshot(citizen, 'citizen');
  }, 90_000);

  it('the grid worker reports from the phone through the outbox', async () => {
    const grid = await open('gridworker', { width: 390, height: 844 });
    await grid.waitForURL(/\/grid$/);
    await grid.getByLabel('标题').fill('井盖缺失');
    await grid.getByLabel('情况描述').fill('人行道上一个井盖缺失，有行人跌落危险');
    await grid.getByLabel('类别').selectOption({ index: 1 });
    await grid.getByRole('button', { name: '网格中心点' }).click();
    await grid.getByRole('button', { name: '上报' }).click();
    await grid.getByTestId('grid-matters').getByText('井盖缺失').waitFor({ timeout: 15_000 });
    await screenshot(grid, 'grid-worker');
  }, 90_000);

  it('the administrator edits a plan and sees its validation errors in place; KPIs are charted', async () => {
    const admin = await open('admin');
    // The refused plan answers 422 on purpose.
    watched[watched.length - 1]!.expected.push(/status of 422 .*\/api\/v1\/plans$/);
    await admin.goto(`${base}/admin`);
    await admin.getByRole('button', { name: /城市供水爆管处置/ }).click();
    const yaml = admin.getByLabel('预案 YAML');
    await expect.poll(() => yaml.inputValue(), { timeout: 15_000 }).toContain('water-main-burst');
    await yaml.fill('id: water-main-burst\nname: 城市供水爆管处置\nversion: oops\n');
    await admin.getByRole('button', { name: '校验并保存新版本' }).click();
    await admin.locator('#plan-problems li').first().waitFor({ timeout: 15_000 });
    await admin.goto(`${base}/kpis`);
    await admin.getByRole('img', { name: '三率柱状图' }).locator('canvas').waitFor({ timeout: 15_000 });
    expect(await admin.getByTestId('chart').count()).toBe(1);
    await screenshot(admin, 'kpis');
  }, 90_000);

  it('speaks English on request', async () => {
    await operator.goto(`${base}/cockpit`);
    await operator.getByTestId('lang-switch').click();
    await operator.getByRole('link', { name: 'Cockpit' }).waitFor();
    expect(await operator.getByRole('heading', { name: 'To register' }).isVisible()).toBe(true);
    await operator.getByTestId('lang-switch').click();
  }, 60_000);

  it('no page logged an error', () => {
    expect(watched.flatMap((w) => w.errors)).toEqual([]);
  });
});
