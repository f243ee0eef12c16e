import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import type { TestPlatform } from '../support/test-platform.ts';
import { DEMO_POINTS } from '../../cities/chongqing/demo/demo-assets.ts';
import { HAS_CHROMIUM, SKIP_REASON, startUiServer, apiCaller, newWatchedPage, signIn, type WatchedPage } from './browser.ts';

if (!HAS_CHROMIUM) console.warn(SKIP_REASON);

/** axe-core's browser build, read from the package (no network). */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The page's globals as the functions below read them, in the browser (this file is type-checked without the DOM's types). */
type PageGlobals = any;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * Every page a user works in, checked in Chromium by axe-core against WCAG 2.1 A and AA (labels,
 * names, roles, contrast, landmarks, …), in Chinese and in English, on the wall screen and on a
 * phone; and the cockpit worked by keyboard alone. The map's canvas is WebGL: axe cannot see into
 * it, and its controls and overlays are checked like the rest of the page.
 */
describe.skipIf(!HAS_CHROMIUM)('accessibility in Chromium', () => {
  let t: TestPlatform;
  let base: string;
  let browser: Browser;
  const watched: WatchedPage[] = [];
  let caseId = '';

  beforeAll(async () => {
    ({ t, base, browser } = await startUiServer());
    const op = await t.signIn('yuzhong.operator');
    const c = await apiCaller(t)(op, 'POST', '/api/v1/cases', { categoryCode: 'municipal.water.burst', title: '解放碑供水管道爆管', lng: DEMO_POINTS.jiefangbei[0], lat: DEMO_POINTS.jiefangbei[1], crs: 'gcj02' });
    caseId = c.id;
    await apiCaller(t)(op, 'POST', `/api/v1/cases/${caseId}/apply-plan`, {});
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const open = async (user: string, opts: { phone?: boolean; locale?: 'zh-CN' | 'en-GB' } = {}): Promise<Page> => {
    // The axe script is added to the page as the test's own: the app's Content-Security-Policy
    // (rightly) refuses any script it did not serve.
    const ctx = await browser.newContext({
      ...(opts.phone ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } : { viewport: { width: 1920, height: 1080 } }),
      locale: opts.locale ?? 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      bypassCSP: true,
    });
    const w = await newWatchedPage(ctx);
    watched.push(w);
    await signIn(w.page, base, user);
    if (opts.locale === 'en-GB') await w.page.evaluate(() => (globalThis as PageGlobals).localStorage.setItem('cityloop.lang', 'en'));
    return w.page;
  };

  const violations = async (page: Page): Promise<string[]> => {
    await page.evaluate(AXE_SOURCE);
    const found = (await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
      const r = await axe.run((globalThis as PageGlobals).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
      return r.violations;
    })) as AxeViolation[];
    return found.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} — ${n.target.join(' ')}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`));
  };

  const pages: [string, string, string, { phone?: boolean }][] = [
    ['the cockpit', 'yuzhong.operator', '/cockpit', {}],
    ['the case page', 'yuzhong.operator', '/cases/{case}', {}],
    ['the case list', 'yuzhong.operator', '/cases', {}],
    ['vital signs and KPIs', 'yuzhong.operator', '/kpis', {}],
    ['the shift handover', 'yuzhong.operator', '/handover', {}],
    ['the analyses (模型分析)', 'yuzhong.operator', '/analyses', {}],
    ['plans and settings', 'admin', '/admin', {}],
    ['the unit workbench', 'yuzhong.water', '/unit', {}],
    ['the grid worker\'s phone page', 'gridworker', '/grid', { phone: true }],
    ['the citizen\'s page', 'citizen.zhang', '/citizen', { phone: true }],
  ];

  for (const locale of ['zh-CN', 'en-GB'] as const) {
    it.each(pages)(`%s has no WCAG A/AA violations (${locale})`, async (_name, user, path, opts) => {
      const page = await open(user, { ...opts, locale });
      await page.goto(`${base}${path.replace('{case}', caseId)}`);
      // The live feed keeps a connection open, so the network is never idle: wait for the page's
      // headings, then give its lazy panels their turn (the cockpit asks for its lists after the map).
      await page.locator('main h1, main h2').first().waitFor({ timeout: 20_000 });
      await page.waitForTimeout(2000);
      expect(await violations(page)).toEqual([]);
      await page.context().close();
    }, 60_000);
  }

  it('the sign-in page has no WCAG A/AA violations', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', bypassCSP: true });
    const page = await ctx.newPage();
    await page.goto(`${base}/signin`);
    await page.getByLabel(/用户名/).waitFor();
    expect(await violations(page)).toEqual([]);
    await ctx.close();
  }, 60_000);

  it('the cockpit works by keyboard alone: skip link, a new case from the list, its one-click dispatch dialog and back', async () => {
    const op = await t.signIn('yuzhong.operator');
    const title = '键盘测试：较场口井盖缺失';
    await apiCaller(t)(op, 'POST', '/api/v1/cases', { categoryCode: 'municipal.water.burst', title, lng: DEMO_POINTS.jiefangbei[0], lat: DEMO_POINTS.jiefangbei[1], crs: 'gcj02' });
    const page = await open('yuzhong.operator');
    // Loaded afresh, as the wall screen is each morning: nothing has the focus yet.
    await page.goto(`${base}/cockpit`);
    const item = page.getByRole('button', { name: new RegExp(title) });
    await item.waitFor({ timeout: 20_000 });
    // The first stop is the skip link, and it leads into the main content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as PageGlobals).document.activeElement?.textContent)).toBe('跳到主要内容');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => (globalThis as PageGlobals).location.hash)).toBe('#main');
    // Tab on until the new case in 待立案 has the focus (every stop on the way is named).
    const unnamed: string[] = [];
    let reached = false;
    for (let i = 0; i < 200 && !reached; i++) {
      await page.keyboard.press('Tab');
      const f = await page.evaluate(() => {
        const doc = (globalThis as PageGlobals).document;
        const el = doc.activeElement;
        if (!el || el === doc.body) return null;
        const name = (el.getAttribute('aria-label') ?? el.textContent ?? el.getAttribute('title') ?? '').trim();
        return { name: name as string, tag: el.tagName as string };
      });
      if (f && !f.name && f.tag !== 'CANVAS') unnamed.push(f.tag);
      reached = !!f?.name.includes(title);
    }
    expect(reached).toBe(true);
    expect(unnamed).toEqual([]);
    await page.keyboard.press('Enter');
    const card = page.getByTestId('selected-case');
    await card.getByRole('heading', { name: new RegExp(title) }).waitFor({ timeout: 10_000 });
    // On to its one-click dispatch, opened with Enter; Escape closes the dialog.
    for (let i = 0; i < 30; i++) {
      if ((await page.evaluate(() => (globalThis as PageGlobals).document.activeElement?.getAttribute('data-testid'))) === 'one-click-dispatch') break;
      await page.keyboard.press('Tab');
    }
    expect(await page.evaluate(() => (globalThis as PageGlobals).document.activeElement?.getAttribute('data-testid'))).toBe('one-click-dispatch');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor({ timeout: 10_000 });
    expect(await page.evaluate(() => !!(globalThis as PageGlobals).document.activeElement?.closest('dialog'))).toBe(true);
    // The dialog with its dry run (level, tasks, units) passes the same checks as the pages.
    await dialog.getByText(/任务|预案/).first().waitFor({ timeout: 10_000 });
    expect(await violations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', timeout: 5_000 });
    await page.context().close();
  }, 90_000);

  it('no page logged an error', () => {
    expect(watched.flatMap((w) => w.errors)).toEqual([]);
  });
});
