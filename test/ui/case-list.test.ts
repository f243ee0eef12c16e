import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestPlatform } from '../support/test-platform.ts';
import { DEMO_POINTS } from '../../cities/chongqing/demo/demo-assets.ts';
import { HAS_CHROMIUM, SKIP_REASON, startUiServer, apiCaller, newWatchedPage, screenshot, signIn, type WatchedPage } from './browser.ts';

if (!HAS_CHROMIUM) console.warn(SKIP_REASON);

type PageGlobals = any;

/**
 * The case list in real Chromium: a duty operator searches in Chinese, filters, sees names (never
 * codes), opens a case from the list by its number; on the cockpit's map two cases at one point
 * form a cluster no zoom splits, and clicking it lists both.
 */
describe.skipIf(!HAS_CHROMIUM)('case list and search in Chromium', () => {
  let t: TestPlatform;
  let base: string;
  let browser: Browser;
  let ctx: BrowserContext;
  let watched: WatchedPage;
  let page: Page;
  let manhole: { id: string; number: string };
  const twin = ['朝天门广场护栏损坏', '朝天门广场地砖松动'];
  const twinPoint = [DEMO_POINTS.pacificSquare[0], DEMO_POINTS.pacificSquare[1]] as const;

  beforeAll(async () => {
    ({ t, base, browser } = await startUiServer());
    const op = await t.signIn('yuzhong.operator');
    const api = apiCaller(t);
    manhole = await api(op, 'POST', '/api/v1/cases', { categoryCode: 'municipal.manhole.missing', title: '下水道井盖不见了', description: '已经有人差点掉下去', address: '解放碑步行街八一路口', lng: DEMO_POINTS.jiefangbei[0], lat: DEMO_POINTS.jiefangbei[1], crs: 'gcj02', priority: 'urgent' });
    // Two cases reported at exactly one point.
    for (const title of twin) await api(op, 'POST', '/api/v1/cases', { categoryCode: 'municipal.manhole.damaged', title, lng: twinPoint[0], lat: twinPoint[1], crs: 'gcj02' });
    ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    watched = await newWatchedPage(ctx);
    page = watched.page;
    await signIn(page, base, 'yuzhong.operator');
  }, 300_000);

  afterAll(async () => {
    await ctx?.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it('searches in Chinese, filters, shows names not codes, and opens a case by its number', async () => {
    await page.getByRole('link', { name: '事项清单' }).click();
    await page.waitForURL(/\/cases$/);
    const rows = page.getByTestId('case-table').locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(3);

    // Two characters: found (the fallback of short queries).
    await page.getByTestId('case-search').fill('井盖');
    await page.getByTestId('case-search-go').click();
    await page.waitForURL(/q=/);
    await expect.poll(() => rows.count()).toBe(1);
    const row = rows.first();
    expect(await row.textContent()).toContain('下水道井盖不见了');
    // Names, not codes: the category, the state and the priority.
    expect(await row.textContent()).toContain('井盖缺失');
    expect(await row.textContent()).toContain('上报');
    expect(await row.textContent()).toContain('紧急');
    expect(await page.getByTestId('case-list-page').textContent()).not.toMatch(/municipal\.|reported\b|urgent\b/);

    // The reporter's words find it too; a filter that excludes it empties the list.
    await page.getByTestId('case-search').fill('差点掉下去');
    await page.getByTestId('case-search-go').click();
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByTestId('filter-state').selectOption({ label: '结案' });
    await page.getByTestId('case-list-empty').waitFor();
    await page.getByTestId('filter-state').selectOption({ label: '在办（未办结）' });
    await expect.poll(() => rows.count()).toBe(1);

    // Sorted by priority with the search cleared: the urgent one first.
    await page.getByTestId('filter-clear').click();
    await page.getByTestId('sort').selectOption({ label: '紧急程度' });
    await expect.poll(() => rows.first().textContent()).toContain('下水道井盖不见了');

    // Saved as a view, chosen again after clearing.
    await page.getByTestId('case-search').fill('井盖');
    await page.getByTestId('case-search-go').click();
    await page.getByTestId('filter-overdue').selectOption({ label: '未超期' });
    await page.getByTestId('view-name').fill('紧急井盖');
    await page.getByTestId('view-save').click();
    await expect.poll(() => page.getByTestId('views').locator('option').allTextContents()).toContain('紧急井盖');
    await page.getByTestId('filter-clear').click();
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(3);
    await screenshot(page, 'case-list');
    await page.getByTestId('views').selectOption({ label: '紧急井盖' });
    await expect.poll(() => rows.count()).toBe(1);
    expect(await page.getByTestId('filter-overdue').inputValue()).toBe('false');

    // Opened from the list: the address names the case by its number, and the page finds it.
    await rows.first().getByTestId('case-link').click();
    await page.waitForURL(new RegExp(`/cases/${manhole.number}$`));
    await page.getByRole('heading', { level: 1, name: '下水道井盖不见了' }).waitFor({ timeout: 15_000 });
    await page.goto(`${base}/cases/${manhole.number}`);
    await page.getByRole('heading', { level: 1, name: '下水道井盖不见了' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('main').textContent()).not.toContain('未找到');
  });

  it('lists the cases of a cluster that no zoom splits, and of points drawn on one another, when clicked on the cockpit map', async () => {
    await page.goto(`${base}/cockpit`);
    await page.waitForFunction(() => (globalThis as PageGlobals).__cockpit?.map, undefined, { timeout: 30_000 });
    // The server's last clustered zoom: the two cases are one cluster here, and stay one past it.
    await page.evaluate(([lng, lat]) => (globalThis as PageGlobals).__cockpit.map.jumpTo({ center: [lng, lat], zoom: 14 }), twinPoint);
    await page.waitForFunction(
      () => (globalThis as PageGlobals).__cockpit.map.queryRenderedFeatures({ layers: ['case-clusters'] }).some((f: PageGlobals) => f.properties.point_count >= 2),
      undefined,
      { timeout: 20_000 },
    );
    const at = (await page.evaluate(([lng, lat]) => {
      const m = (globalThis as PageGlobals).__cockpit.map;
      const p = m.project([lng, lat]);
      const r = m.getContainer().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    }, twinPoint)) as { x: number; y: number };
    await page.mouse.click(at.x, at.y);
    await page.waitForURL(/\/cases\?bbox=/, { timeout: 10_000 });
    await page.getByTestId('filter-bbox').waitFor();
    const rows = page.getByTestId('case-table').locator('tbody tr');
    await expect.poll(async () => (await rows.allTextContents()).join('|'), { timeout: 15_000 }).toContain(twin[0]);
    const text = (await rows.allTextContents()).join('|');
    expect(text).toContain(twin[1]);
    expect(text).not.toContain('下水道井盖不见了');

    // Past the clustered zooms the two are points drawn on one another: a click lists both too.
    await page.goto(`${base}/cockpit`);
    await page.waitForFunction(() => (globalThis as PageGlobals).__cockpit?.map, undefined, { timeout: 30_000 });
    await page.evaluate(([lng, lat]) => (globalThis as PageGlobals).__cockpit.map.jumpTo({ center: [lng, lat], zoom: 17 }), twinPoint);
    await page.waitForFunction(() => (globalThis as PageGlobals).__cockpit.map.queryRenderedFeatures({ layers: ['case-points'] }).length >= 2, undefined, { timeout: 20_000 });
    const spot = (await page.evaluate(([lng, lat]) => {
      const m = (globalThis as PageGlobals).__cockpit.map;
      const p = m.project([lng, lat]);
      const r = m.getContainer().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    }, twinPoint)) as { x: number; y: number };
    await page.mouse.click(spot.x, spot.y);
    await page.waitForURL(/\/cases\?bbox=/, { timeout: 10_000 });
    await expect.poll(async () => (await rows.allTextContents()).join('|'), { timeout: 15_000 }).toContain(twin[1]);
    expect((await rows.allTextContents()).join('|')).toContain(twin[0]);
    expect(watched.errors).toEqual([]);
  });

  it('reads only English in English: headers, category, state and priority by their English names', async () => {
    await page.goto(`${base}/cases?q=${encodeURIComponent('井盖不见')}`);
    await page.getByTestId('lang-switch').click();
    const rows = page.getByTestId('case-table').locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('case-table').locator('thead').textContent()).toContain('Number');
    await expect.poll(() => rows.first().textContent()).toContain('Missing manhole cover');
    const row = (await rows.first().textContent()) ?? '';
    expect(row).toContain('reported');
    expect(row).toContain('urgent');
    expect(row).not.toMatch(/井盖缺失|上报|紧急/);
    // The filters' words (place and unit names are proper names, Chinese in both languages).
    for (const id of ['filter-state', 'filter-category', 'filter-tier', 'filter-source', 'filter-overdue', 'sort', 'order']) {
      expect(await page.getByTestId(id).textContent(), id).not.toMatch(/[\u4e00-\u9fff]/);
    }
    await page.getByTestId('lang-switch').click();
    expect(watched.errors).toEqual([]);
  });
});
