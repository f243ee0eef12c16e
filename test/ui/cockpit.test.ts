import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestPlatform } from '../support/test-platform.ts';
import { DEMO_POINTS } from '../../cities/chongqing/demo/demo-assets.ts';
import { DEMO_MUCK, demoMuckSpillEvent } from '../../cities/chongqing/demo/demo-muck-chain.ts';
import { readFileSync } from 'node:fs';
import { FIXTURE_CAP_DIR } from '../../src/sensing/cap/cap-test-kit.ts';
import { HAS_CHROMIUM, SKIP_REASON, startUiServer, apiCaller, newWatchedPage, roadSnapshotPng, screenshot, signIn, type WatchedPage } from './browser.ts';

if (!HAS_CHROMIUM) console.warn(SKIP_REASON);

/**
 * The page's globals as the predicates below read them, in the browser. Predicates are functions,
 * not strings: the app's Content-Security-Policy forbids eval, which a string predicate needs each
 * time it is polled.
 */
type PageGlobals = any;

/**
 * The cockpit in real Chromium against the real server: sign in, see the demo city, verify an
 * alert (the case opens with its plan's tasks) and dismiss another with a reason, dispatch the
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

  const api = (token: string, method: 'GET' | 'POST', url: string, payload?: unknown) => apiCaller(t)(token, method, url, payload);
  const open = async (user: string, viewport = { width: 1920, height: 1080 }) => {
    const ctx = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    contexts.push(ctx);
    const w = await newWatchedPage(ctx);
    watched.push(w);
    await signIn(w.page, base, user);
    return w.page;
  };

  beforeAll(async () => {
    ({ t, base, browser } = await startUiServer());
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
    await operator.waitForFunction(() => { const c = (globalThis as PageGlobals).__cockpit; return c && c.boundaries.featureCount('district') > 0 && c.boundaries.featureCount('street') > 0; }, undefined, { timeout: 30_000 });
    await expect.poll(() => operator.getByTestId('case-count').textContent()).toMatch(/在办案件 \d+/);
    expect(await operator.getByRole('heading', { name: '待立案' }).isVisible()).toBe(true);
    expect(await operator.locator('.map-title strong').textContent()).toBe('渝中区');
  }, 90_000);

  it('verify an alert: a burst alert appears live with a sound and a badge; the operator opens it, sees the evidence, verifies it and the case opens with its plan\'s tasks', async () => {
    // The vital signs and the devices of the district are there before anything happens.
    await operator.getByTestId('vitals-panel').waitFor({ timeout: 15_000 });
    expect(await operator.getByTestId('vital-signs').locator('> li').count()).toBe(6);
    await operator.waitForFunction(() => (globalThis as PageGlobals).__cockpit.devices.some((d: PageGlobals) => d.properties.id === 'pressure-yz-01' && d.properties.alerting === false), undefined, { timeout: 15_000 });
    // Count the tones the page plays (Web Audio, no sound file).
    await operator.evaluate(`(() => {
      window.__tones = 0;
      const orig = AudioContext.prototype.createOscillator;
      AudioContext.prototype.createOscillator = function () {
        window.__tones++;
        return orig.call(this);
      };
    })()`);
    // The meter's readings before the burst: steady, then falling pressure and rising flow.
    const now = t.clock.now().getTime();
    const readings = Array.from({ length: 40 }, (_, i) => {
      const late = Math.max(0, i - 33);
      return { ts: new Date(now - (40 - i) * 15_000).toISOString(), values: { pressure: Math.round((0.42 - 0.004 * (i % 3) - 0.012 * late) * 1000) / 1000, flow: Math.round(820 + 6 * (i % 4) + 22 * late) } };
    });
    const sent = await t.platform.sensing.pipeline.submit('pressure-yz-01', { json: readings }, 'http', null);
    expect(sent.accepted).toBe(40);
    const [lon, lat] = DEMO_POINTS.trunkMainBurst;
    const raised = await t.platform.sensing.alerts.raise({
      dedupKey: 'test:ui:burst',
      source: 'rule',
      severity: 'orange',
      title: '长江二路输水干管疑似爆管',
      description: '压力 60 秒内下降 43%，流量上升 34%',
      location: { lon, lat },
      deviceId: 'pressure-yz-01',
      categoryCode: 'municipal.water.burst',
      metric: 'pressure',
      value: 0.24,
      readings: { pressure: 0.24, flow: 1100 },
      at: t.clock.now().toISOString(),
    });
    // It appears live: in the list, with the badge, the tones, the title, and the meter turns red on the map.
    const item = operator.getByTestId('alerts-panel').getByRole('button', { name: new RegExp(raised.number) });
    await item.waitFor({ timeout: 15_000 });
    await expect.poll(() => operator.getByTestId('urgent-badge').textContent(), { timeout: 5_000 }).toBe('1');
    await expect.poll(() => operator.title()).toMatch(/^\(1\) /);
    await expect.poll(() => operator.evaluate('window.__tones')).toBeGreaterThanOrEqual(2);
    await operator.waitForFunction(() => (globalThis as PageGlobals).__cockpit.devices.some((d: PageGlobals) => d.properties.id === 'pressure-yz-01' && d.properties.alerting === true), undefined, { timeout: 15_000 });
    // Open it: the evidence is the meter's readings as a chart.
    await item.click();
    const panel = operator.getByTestId('alert-panel');
    await panel.getByRole('heading', { name: /长江二路输水干管疑似爆管/ }).waitFor();
    await panel.getByRole('img', { name: '设备读数曲线' }).locator('canvas').waitFor({ timeout: 15_000 });
    // Opened is seen: the badge and the title's count are gone.
    await expect.poll(() => operator.getByTestId('urgent-badge').count()).toBe(0);
    await expect.poll(() => operator.title()).not.toMatch(/^\(\d+\) /);
    await operator.waitForTimeout(400); // the chart's first animation
    await screenshot(operator, 'alert');
    // Acknowledge, then verify: the case opens and the water-main plan dispatches its tasks.
    await panel.getByTestId('acknowledge-alert').click();
    await expect.poll(() => panel.getAttribute('data-status'), { timeout: 10_000 }).toBe('acknowledged');
    await panel.getByLabel('核实说明（可选）').fill('现场巡查确认路面冒水');
    await panel.getByTestId('verify-alert').click();
    const opened = panel.getByTestId('alert-case');
    await opened.waitFor({ timeout: 15_000 });
    await expect.poll(() => opened.getByTestId('alert-case-plan').textContent(), { timeout: 15_000 }).toBe('城市供水爆管处置');
    expect(await opened.getByTestId('task-table').locator('tbody tr').count()).toBeGreaterThanOrEqual(5);
    await expect.poll(() => panel.getAttribute('data-status')).toBe('verified');
    // Verified alerts leave the list of alerts to verify.
    await expect.poll(() => operator.getByTestId('alerts-panel').getByRole('button', { name: new RegExp(raised.number) }).count(), { timeout: 10_000 }).toBe(0);
    const a = await api(opToken, 'GET', `/api/v1/alerts/${raised.id}`);
    expect(a.status).toBe('verified');
    const c = await api(opToken, 'GET', `/api/v1/cases/${a.caseId}`);
    expect(c.plan.id).toBe('water-main-burst');
    expect(c.tasks.length).toBeGreaterThanOrEqual(5);
    // The link leads to the case page with its tasks.
    await opened.getByTestId('alert-case-link').click();
    await operator.getByTestId('case-page').waitFor();
    await operator.getByTestId('timeline').getByText('启动预案').waitFor();
    await operator.goto(`${base}/cockpit`);
    await operator.getByTestId('alerts-panel').waitFor({ timeout: 15_000 });
  }, 120_000);

  it('dismisses a camera alert as a false alarm, with the reason; the snapshot is the evidence', async () => {
    const r = await t.platform.sensing.cameraEvent({ ...demoMuckSpillEvent('noPermit', t.clock.now()), snapshot: `data:image/png;base64,${roadSnapshotPng().toString('base64')}` }, { cameraId: DEMO_MUCK.cameraId });
    const alert = r.alert!;
    const item = operator.getByTestId('alerts-panel').getByRole('button', { name: new RegExp(alert.number) });
    await item.waitFor({ timeout: 15_000 });
    await item.click();
    const panel = operator.getByTestId('alert-panel');
    await panel.getByTestId('alert-snapshot').waitFor({ timeout: 15_000 });
    await expect.poll(() => panel.getByTestId('alert-snapshot').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(320);
    // No reason, no dismissal.
    expect(await panel.getByTestId('dismiss-alert').isDisabled()).toBe(true);
    await panel.getByTestId('dismiss-reason-input').fill('洒水车作业，路面为清水，非渣土撒漏');
    await panel.getByTestId('dismiss-alert').click();
    await expect.poll(() => panel.getAttribute('data-status'), { timeout: 10_000 }).toBe('dismissed');
    expect(await panel.getByTestId('dismiss-reason').textContent()).toBe('洒水车作业，路面为清水，非渣土撒漏');
    await expect.poll(() => operator.getByTestId('alerts-panel').getByRole('button', { name: new RegExp(alert.number) }).count(), { timeout: 10_000 }).toBe(0);
    const a = await api(opToken, 'GET', `/api/v1/alerts/${alert.id}`);
    expect(a.dismissed.reason).toBe('洒水车作业，路面为清水，非渣土撒漏');
    expect(a.caseId).toBeNull();
    await panel.getByRole('button', { name: '关闭预警' }).click();
  }, 90_000);

  it('shows a CAP warning\'s signature status in the alert panel (签名状态: 已签名（未验证）)', async () => {
    // A signed message whose signature the server does not verify: the panel says so honestly.
    const r = await t.platform.sensing.cap.import(readFileSync(`${FIXTURE_CAP_DIR}cq-flood-signed-empty.cap`), 'test');
    const alert = r.raised.find((x) => x.districtCode === '500103')!;
    const page = await open('yuzhong.operator');
    await page.waitForURL(/\/cockpit$/);
    const item = page.getByTestId('alerts-panel').getByRole('button', { name: new RegExp(alert.number) });
    await item.waitFor({ timeout: 15_000 });
    await item.click();
    const signature = page.getByTestId('alert-panel').getByTestId('cap-signature');
    await signature.waitFor({ timeout: 15_000 });
    expect(await signature.getAttribute('data-signature')).toBe('signed-unverified');
    expect(await signature.locator('dt').textContent()).toBe('签名状态');
    expect(await signature.locator('dd').textContent()).toBe('已签名（未验证）');
  }, 90_000);

  it('a reported burst appears live; one click runs the water-main plan and the tasks appear', async () => {
    const [lng, lat] = DEMO_POINTS.guobinHospital;
    const before = Number(await operator.evaluate('window.__cockpit.caseCount'));
    const reported = await api(opToken, 'POST', '/api/v1/cases', { categoryCode: 'municipal.water.burst', source: 'sensor', title: '国宾医院门前供水管道爆管', lng, lat, crs: 'gcj02', priority: 'urgent' });
    caseId = reported.id;
    // From the live feed, without a reload.
    const item = operator.getByTestId('to-register').getByRole('button', { name: new RegExp(reported.number) });
    await item.waitFor({ timeout: 15_000 });
    await operator.getByTestId('activity').getByText(/上报 · /).first().waitFor();
    // On the map too: the cockpit asks for the case layer again and reloads its tiles.
    await expect.poll(() => operator.evaluate('window.__cockpit.caseCount'), { timeout: 10_000 }).toBe(before + 1);
    await item.click();
    await operator.getByTestId('selected-case').waitFor();
    // The map flies to it, and the case is drawn there from the server's vector tiles.
    await operator.waitForFunction((id) => (globalThis as PageGlobals).__cockpit.map.querySourceFeatures('cases', { sourceLayer: 'cases' }).some((f: PageGlobals) => f.properties.id === id), caseId, { timeout: 15_000 });
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
    await operator.waitForFunction(() => (globalThis as PageGlobals).__caseMap?.map.loaded(), undefined, { timeout: 30_000 });
    const watcher = await open('yuzhong.supervisor');
    await watcher.goto(`${base}/cases/${caseId}`);
    await watcher.getByTestId('case-page').waitFor();
    await watcher.waitForFunction(() => (globalThis as PageGlobals).__caseMap?.map.loaded(), undefined, { timeout: 30_000 });

    // Draw with real clicks on the map canvas: three corners, then Finish.
    await operator.getByTestId('plot-polygon').click();
    const box = (await operator.getByTestId('case-map').boundingBox())!;
    for (const [dx, dy] of [[0.3, 0.3], [0.7, 0.3], [0.5, 0.7]] as const) await operator.mouse.click(box.x + box.width * dx, box.y + box.height * dy);
    await operator.getByTestId('plot-finish').click();
    await operator.getByTestId('plot-save').click();
    await operator.getByText(/标绘已保存/).waitFor();
    const attachments = (await api(opToken, 'GET', `/api/v1/cases/${caseId}`)).attachments as { fileName: string }[];
    expect(attachments.some((a) => a.fileName.endsWith('.plot.geojson'))).toBe(true);
    await watcher.waitForFunction(() => { const plot = (globalThis as PageGlobals).__caseMap.plot; return plot.features.length === 1 && plot.features[0].geometry.type === 'Polygon'; }, undefined, { timeout: 15_000 });
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
    // Commands carry the version the operator saw: wait until the page shows the case as it now is
    // (the units' answers came live), or the server rightly refuses a decision taken on a stale view.
    const latest = (await api(opToken, 'GET', `/api/v1/cases/${caseId}`)).version;
    await expect.poll(async () => Number(await operator.getByTestId('case-page').getAttribute('data-version')), { timeout: 15_000 }).toBeGreaterThanOrEqual(latest);
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

  it('opened straight on /cockpit (the wall screen each morning): MapLibre gets the worker started with the app, draws no sky, and draws first when the view is complete', async () => {
    const page = await open('city.operator');
    await page.waitForURL(/\/cockpit$/);
    const workerScripts: string[] = [];
    const deviceLists: string[] = [];
    page.context().on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (/maplibre-gl-worker[^/]*\.js$/.test(path)) workerScripts.push(r.url());
      if (path === '/api/v1/devices') deviceLists.push(r.url());
    });
    await page.goto(`${base}/cockpit`);
    await page.waitForFunction(() => (globalThis as PageGlobals).document.body.dataset.casesShown !== undefined, undefined, { timeout: 60_000 });
    // One worker, started by the app before MapLibre's code had arrived and handed to the map.
    expect(workerScripts).toHaveLength(1);
    const marks = (await page.evaluate('performance.getEntriesByType("mark").map((m) => m.name)')) as string[];
    expect(marks).toEqual(expect.arrayContaining(['cityloop:map-worker-started', 'cityloop:map-worker-handed-over']));
    expect(await page.evaluate('window.Worker.name')).toBe('Worker');
    expect(await page.evaluate('window.__cockpit.map.querySourceFeatures("cases", { sourceLayer: "cases" }).length')).toBeGreaterThan(0);
    // The city view draws no devices, so none were asked for (they come by the view's box from a district's zoom).
    expect(deviceLists).toEqual([]);
    expect(await page.evaluate(() => (globalThis as PageGlobals).__cockpit.devices.length)).toBe(0);
    // The invisible full-screen sky pass is skipped: its shader was never even compiled.
    const programs = (await page.evaluate('Object.keys(window.__cockpit.map.painter.programCache.programs)')) as string[];
    expect(programs.some((p) => p.startsWith('circle/'))).toBe(true);
    expect(programs.filter((p) => p.startsWith('sky/'))).toEqual([]);
    // The first frame was drawn once the view's tiles were in, its case layer among them, not before.
    const timeOf = async (name: string) => (await page.evaluate((n) => (globalThis as PageGlobals).performance.getEntriesByName(n)[0]?.startTime ?? null, name)) as number | null;
    const firstDraw = await timeOf('cityloop:first-draw');
    expect(firstDraw).not.toBeNull();
    expect(firstDraw!).toBeGreaterThanOrEqual((await timeOf('cityloop:cases-set'))!);
  }, 90_000);

  it('a district dense with devices: the map says it shows only part of them, and shows the rest as the operator zooms in', async () => {
    // 5,001 meters in a square of 1 km in 渝中区, imported as an administrator would: more than one
    // answer of the device list holds (5,000).
    const rows = Array.from({ length: 5001 }, (_, i) => `dense-${i},water_pressure,压力计${i},${(106.5755 + (i % 71) * 0.00014).toFixed(6)},${(29.5565 + Math.floor(i / 71) * 0.00014).toFixed(6)},gcj02,`);
    const admin = await t.signIn('admin');
    const imported = await t.app.inject({ method: 'POST', url: '/api/v1/devices/import', headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' }, payload: `id,type,name,lon,lat,crs,thresholds\n${rows.join('\n')}\n` });
    expect(imported.statusCode, imported.body).toBe(200);
    const page = await open('yuzhong.operator');
    await page.waitForURL(/\/cockpit$/);
    await page.getByTestId('devices-capped').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('devices-capped').textContent()).toContain('显示 5,000 台');
    expect(await page.evaluate(() => (globalThis as PageGlobals).__cockpit.devices.length)).toBe(5000);
    // Zoomed in on a corner of the square, the view holds fewer than a full answer: all are drawn, the notice goes.
    await page.evaluate(() => (globalThis as PageGlobals).__cockpit.map.jumpTo({ center: [106.5757, 29.5567], zoom: 18 }));
    await page.getByTestId('devices-capped').waitFor({ state: 'detached', timeout: 15_000 });
    const shown = (await page.evaluate(() => (globalThis as PageGlobals).__cockpit.devices.map((d: PageGlobals) => d.properties.id))) as string[];
    expect(shown).toContain('dense-0');
    expect(shown.length).toBeLessThan(5000);
  }, 120_000);

  it('no page logged an error', () => {
    expect(watched.flatMap((w) => w.errors)).toEqual([]);
  });
});
