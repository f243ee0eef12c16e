import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestPlatform } from '../support/test-platform.ts';
import { DEMO_POINTS } from '../../cities/chongqing/demo/demo-assets.ts';
import { HAS_CHROMIUM, SKIP_REASON, startUiServer, apiCaller, newWatchedPage, screenshot, signIn, type WatchedPage } from './browser.ts';

if (!HAS_CHROMIUM) console.warn(SKIP_REASON);

/** Event types and other codes that must never reach the page. */
const RAW_CODE = /\b(Case[A-Z]\w+|Task[A-Z]\w+|Alert[A-Z]\w+|ActionRecorded|PlanApplied|municipal\.\w+|reported_back|in_progress)\b/;

/**
 * A shift's history in real Chromium: the cockpit's live list shows the last hours after a reload
 * (only the operator's district, each event once, by name) and goes on live without doubles; the
 * handover page lists the overdue case and what changed since the shift began.
 */
describe.skipIf(!HAS_CHROMIUM)('shift history in Chromium', () => {
  let t: TestPlatform;
  let base: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const watched: WatchedPage[] = [];
  let operator: Page;
  let opToken = '';
  const cases: Record<'late' | 'fresh' | 'other', { id: string; number: string; version: number }> = {} as never;

  const api = (token: string, method: 'GET' | 'POST', url: string, payload?: unknown) => apiCaller(t)(token, method, url, payload);
  const report = async (token: string, title: string, at: readonly [number, number]) =>
    (await api(token, 'POST', '/api/v1/cases', { categoryCode: 'municipal.water.burst', title, lng: at[0], lat: at[1], crs: 'gcj02' })) as { id: string; number: string; version: number };
  const linesOf = async (page: Page, text: string) => (await page.getByTestId('activity').locator('li').allTextContents()).filter((l) => l.includes(text));

  beforeAll(async () => {
    ({ t, base, browser } = await startUiServer());
    // A case of the shift before: dispatched, then left to run over its deadlines (ten days on).
    opToken = await t.signIn('yuzhong.operator');
    cases.late = await report(opToken, '交接班：超期的爆管', DEMO_POINTS.jiefangbei);
    await api(opToken, 'POST', `/api/v1/cases/${cases.late.id}/apply-plan`, {});
    t.clock.advance(10 * 24 * 3600_000);
    await t.platform.cases.fireDueTimers(1000);
    // This shift: a new report in 渝中, and one in 南岸 the 渝中 operator must not see.
    opToken = await t.signIn('yuzhong.operator');
    cases.fresh = await report(opToken, '交接班：本班新上报的爆管', DEMO_POINTS.guobinHospital);
    cases.other = await report(await t.signIn('nanan.operator'), '交接班：南岸的爆管', DEMO_POINTS.nanshanForestFire);
    const ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    contexts.push(ctx);
    const w = await newWatchedPage(ctx);
    watched.push(w);
    operator = w.page;
    await signIn(operator, base, 'yuzhong.operator');
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it('the live list has the history after a reload, only the district, each event once, by name; then streams without doubles', async () => {
    await operator.waitForURL(/\/cockpit$/);
    const reported = `上报 · ${cases.fresh.number}`;
    await expect.poll(() => linesOf(operator, reported), { timeout: 20_000 }).toHaveLength(1);
    await operator.reload();
    await expect.poll(() => linesOf(operator, reported), { timeout: 20_000 }).toHaveLength(1);
    expect(await linesOf(operator, cases.other.number)).toEqual([]);
    // A new event arrives live, once; after a reload it is there once too (history and stream meet).
    await operator.getByTestId('feed-status').getByText('实时').waitFor({ timeout: 20_000 });
    await api(opToken, 'POST', `/api/v1/cases/${cases.fresh.id}/register`, { expectedVersion: cases.fresh.version });
    const registered = `立案 · ${cases.fresh.number}`;
    await expect.poll(() => linesOf(operator, registered), { timeout: 20_000 }).toHaveLength(1);
    await operator.reload();
    await expect.poll(() => linesOf(operator, registered), { timeout: 20_000 }).toHaveLength(1);
    expect(await linesOf(operator, reported)).toHaveLength(1);
    const all = (await operator.getByTestId('activity').locator('li').allTextContents()).join('\n');
    expect(all).not.toMatch(RAW_CODE);
  }, 120_000);

  it('the handover page lists the overdue case, the alerts and what changed since the shift began; printable, in both languages', async () => {
    await operator.getByRole('link', { name: '交接班' }).click();
    await operator.waitForURL(/\/handover$/);
    const overdue = operator.getByTestId('handover-overdue');
    await overdue.getByRole('link', { name: cases.late.number }).waitFor({ timeout: 20_000 });
    expect(await overdue.getByRole('link', { name: cases.fresh.number }).count()).toBe(0);
    const changes = operator.getByTestId('handover-changes');
    await changes.getByRole('link', { name: cases.fresh.number }).waitFor();
    // The other district's case is never among the changes.
    expect(await changes.textContent()).not.toContain(cases.other.number);
    expect(await operator.getByTestId('handover-events').textContent()).toContain(`上报 · ${cases.fresh.number}`);
    expect(Number(await operator.locator('[data-count="overdue"] strong').textContent())).toBeGreaterThanOrEqual(1);
    expect(Number(await operator.locator('[data-count="reported"] strong').textContent())).toBeGreaterThanOrEqual(1);
    expect(await operator.getByTestId('handover').textContent()).not.toMatch(RAW_CODE);
    // Another starting point: the shift before (more changes, never fewer).
    const before = await changes.getByRole('row').count();
    await operator.getByTestId('since-select').selectOption('1');
    await expect.poll(async () => changes.getByRole('row').count()).toBeGreaterThanOrEqual(before);
    // Printed: the app's bar is gone, the heading of the printout is there.
    await operator.emulateMedia({ media: 'print' });
    expect(await operator.locator('.topbar').isVisible()).toBe(false);
    expect(await operator.locator('.print-only').isVisible()).toBe(true);
    await operator.emulateMedia({ media: 'screen' });
    await screenshot(operator, 'handover');
    // English: names, never codes.
    await operator.getByTestId('lang-switch').click();
    await operator.getByRole('heading', { name: /Shift handover/ }).waitFor();
    const en = (await operator.getByTestId('handover').textContent()) ?? '';
    expect(en).toContain('Overdue cases');
    expect(en).not.toMatch(RAW_CODE);
    // States by their English names once the page has asked again in English.
    await expect.poll(() => operator.getByTestId('open-by-state').textContent()).toMatch(/^Open by state: [^\u4e00-\u9fff]+$/);
    await operator.getByTestId('lang-switch').click();
  }, 120_000);

  it('left no errors in the browser console', () => {
    for (const w of watched) expect(w.errors).toEqual([]);
  });
});
