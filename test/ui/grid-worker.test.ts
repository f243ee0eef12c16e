import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestPlatform } from '../support/test-platform.ts';
import { DEMO_POINTS } from '../../cities/chongqing/demo/demo-assets.ts';
import { HAS_CHROMIUM, SKIP_REASON, startUiServer, apiCaller, newWatchedPage, roadSnapshotPng, screenshot, signIn, type WatchedPage } from './browser.ts';

if (!HAS_CHROMIUM) console.warn(SKIP_REASON);

/**
 * The grid worker's phone in real Chromium: the water-main plan's "notify residents" task of their
 * community office is in 我的任务 with its place and clock; they press done while offline, the
 * phone keeps it; back online the answer to the completion is lost on the way, the outbox resends
 * it once, the server recognises the resend, and the task shows done — completed once.
 */
describe.skipIf(!HAS_CHROMIUM)('grid worker tasks in Chromium', () => {
  let t: TestPlatform;
  let base: string;
  let browser: Browser;
  let ctx: BrowserContext;
  let watched: WatchedPage;
  let page: Page;
  let opToken = '';
  let caseId = '';
  let taskId = '';
  const title = '解放碑步行街供水管道爆管';

  const api = (token: string, method: 'GET' | 'POST', url: string, payload?: unknown) => apiCaller(t)(token, method, url, payload);
  const taskEvents = async (type: string) => (await api(opToken, 'GET', `/api/v1/cases/${caseId}/events`)).items.filter((e: any) => e.type === type && e.payload.taskId === taskId);

  beforeAll(async () => {
    ({ t, base, browser } = await startUiServer());
    opToken = await t.signIn('yuzhong.operator');
    // A burst at 解放碑, dispatched by the water-main plan: its notice task goes to the community
    // office of each street within 300 m, the grid worker's among them.
    const office = (await api(await t.signIn('gridworker'), 'GET', '/api/v1/me')).unitId as string;
    const c = await api(opToken, 'POST', '/api/v1/cases', { categoryCode: 'municipal.water.burst', title, lng: DEMO_POINTS.jiefangbei[0], lat: DEMO_POINTS.jiefangbei[1], crs: 'gcj02' });
    caseId = c.id;
    const d = await api(opToken, 'POST', `/api/v1/cases/${caseId}/apply-plan`, {});
    taskId = d.tasks.find((x: any) => x.unitId === office).id;
  }, 240_000);

  afterAll(async () => {
    await ctx?.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it('shows the task on a phone, takes done offline, resends it once after a lost answer and shows it done', async () => {
    ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    watched = await newWatchedPage(ctx);
    page = watched.page;
    // Offline, and the answer dropped on purpose: Chromium logs those requests as failed.
    watched.expected.push(/ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_RESET|ERR_FAILED|ERR_NETWORK_CHANGED/);
    await signIn(page, base, 'gridworker');
    await page.waitForURL(/\/grid$/);

    // 我的任务: the case, its place, the plan's instructions, the deadline clock and a done button.
    const card = page.getByTestId('grid-task').filter({ hasText: title });
    await card.waitFor({ timeout: 15_000 });
    expect(await page.getByRole('heading', { name: '我的任务' }).isVisible()).toBe(true);
    expect(await card.textContent()).toContain('通知受影响居民');
    expect(await card.getByText('地点：').isVisible()).toBe(true);
    await expect.poll(() => card.locator('.clock').textContent()).toMatch(/^\d\d:\d\d:\d\d$/);
    const done = card.getByRole('button', { name: '完成' });
    expect(await done.getAttribute('aria-describedby')).toBeTruthy();
    // Usable on a phone: the card fits the screen.
    expect((await card.boundingBox())!.width).toBeLessThanOrEqual(390);

    // The answer to the first completion that reaches the server is lost on the way back.
    let completes = 0;
    await page.route(`**/api/v1/cases/${caseId}/tasks/${taskId}/complete`, async (route) => {
      completes++;
      if (completes === 1) {
        await route.fetch();
        await route.abort('connectionreset');
      } else await route.continue();
    });

    // Offline: done goes into the phone's outbox.
    await ctx.setOffline(true);
    await page.getByRole('status').filter({ hasText: '离线' }).waitFor();
    await done.click();
    const form = card.getByRole('form', { name: '办结反馈' });
    await form.getByLabel('办理情况（可选）').fill('已逐户通知停水及太平洋广场应急供水点');
    await form.getByLabel('现场照片（可选）').setInputFiles({ name: 'notice.png', mimeType: 'image/png', buffer: roadSnapshotPng() });
    await form.getByRole('button', { name: '确认完成' }).click();
    await expect.poll(() => card.getAttribute('data-task-state')).toBe('queued');
    expect(await card.getByText('已完成，待发送').isVisible()).toBe(true);
    await page.getByTestId('outbox-task').filter({ hasText: title }).waitFor();
    expect(await taskEvents('TaskAccepted')).toHaveLength(0);
    expect(completes).toBe(0);
    await screenshot(page, 'grid-worker-tasks');

    // Online: the outbox signs for the task, uploads the photo and reports it done; the answer is lost.
    await ctx.setOffline(false);
    await expect.poll(() => completes, { timeout: 30_000 }).toBe(1);
    await expect.poll(async () => (await taskEvents('TaskCompleted')).length, { timeout: 10_000 }).toBe(1);
    // The phone saw no answer: the entry stays, with its second failed try (the first was offline) —
    // unless the outbox's own 15-second retry has already sent it again.
    const entry = page.getByTestId('outbox-task').filter({ hasText: title });
    await expect.poll(async () => completes === 2 || /尝试 2/.test((await entry.textContent({ timeout: 1_000 }).catch(() => '')) ?? ''), { timeout: 15_000 }).toBe(true);

    // The worker sends it again: the server knows the resend, nothing is completed twice.
    if (completes === 1) await page.getByRole('button', { name: '立即重发' }).click({ timeout: 5_000 });
    await page.getByTestId('grid-tasks-done').getByText(title).waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('task-note').textContent()).toContain(`已办结：${title}`);
    expect(await page.getByTestId('outbox-task').count()).toBe(0);
    expect(await page.getByTestId('grid-task').filter({ hasText: title }).count()).toBe(0);
    const finished = page.getByTestId('grid-task-done').filter({ hasText: title });
    expect(await finished.getAttribute('data-task-state')).toBe('done');
    expect(await finished.textContent()).toContain('已逐户通知停水');

    expect(completes).toBe(2);
    const completed = await taskEvents('TaskCompleted');
    expect(completed).toHaveLength(1);
    expect(completed[0].payload.note).toBe('已逐户通知停水及太平洋广场应急供水点');
    expect(completed[0].payload.evidence.attachmentIds).toHaveLength(1);
    expect(await taskEvents('TaskAccepted')).toHaveLength(1);
    const c = await api(opToken, 'GET', `/api/v1/cases/${caseId}`);
    expect(c.attachments).toHaveLength(1);
    expect(c.tasks.find((x: any) => x.id === taskId).state).toBe('done');
    expect(watched.errors).toEqual([]);
  }, 120_000);
});
