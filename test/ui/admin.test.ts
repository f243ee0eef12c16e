import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestPlatform } from '../support/test-platform.ts';
import { HAS_CHROMIUM, SKIP_REASON, startUiServer, newWatchedPage, screenshot, signIn, type WatchedPage } from './browser.ts';
import { base32Decode, hotp, totpStep } from '../../src/auth/totp.ts';

if (!HAS_CHROMIUM) console.warn(SKIP_REASON);

const GAUGE = 'gauge-nankai-01';

/**
 * The administration page in real Chromium: an administrator breaks a rule's YAML and sees the
 * problem on its line, fixes it, dry-runs it over the gauge's stored readings, saves it and sees
 * the new version listed; the routing table's dry run; a category's deadline refused in its cell.
 */
describe.skipIf(!HAS_CHROMIUM)('administration in Chromium', () => {
  let t: TestPlatform;
  let base: string;
  let browser: Browser;
  let ctx: BrowserContext;
  let watched: WatchedPage;
  let page: Page;

  beforeAll(async () => {
    ({ t, base, browser } = await startUiServer());
    ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    watched = await newWatchedPage(ctx);
    page = watched.page;
    await signIn(page, base, 'admin');
    // The underpass gauge's last hours: up to 0.36 m, under the shipped rule's 0.5 m.
    const now = t.clock.now().getTime();
    const readings = [0.1, 0.36, 0.15].map((v, i) => ({ ts: new Date(now - (3 - i) * 3_600_000).toISOString(), values: { water_level: v } }));
    expect((await t.platform.sensing.pipeline.submit(GAUGE, { json: readings }, 'http', null)).accepted).toBe(3);
  }, 240_000);

  afterAll(async () => {
    await ctx?.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it('a rule: a YAML error shown on its line, fixed, dry-run over stored readings, saved as a new version', async () => {
    await page.goto(`${base}/admin`);
    await page.getByRole('tab', { name: '告警规则' }).click();
    await page.getByTestId('rule-list').getByRole('button', { name: /下穿道积水超限/ }).click();
    const yaml = page.getByLabel('规则 YAML');
    await expect.poll(() => yaml.inputValue(), { timeout: 15_000 }).toContain('id: underpass-water-level');
    const original = await yaml.inputValue();
    const line = original.split('\n').findIndex((l) => l.includes('threshold:')) + 1;
    expect(line).toBeGreaterThan(1);

    // Break it: the problem appears on its line, beside and under the text, as it is typed.
    await yaml.fill(original.replace('above: $limit_m', 'above: high'));
    const problems = page.locator('#rule-problems li');
    await problems.first().waitFor({ timeout: 15_000 });
    expect(await problems.first().textContent()).toContain(`第 ${line} 行`);
    expect(await problems.first().textContent()).toContain('/condition/threshold/above');
    expect(await yaml.getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'admin-rule-problem');
    // Choosing the problem puts the cursor on its line.
    await page.getByRole('button', { name: `转到第 ${line} 行` }).click();
    const cursorLine = await yaml.evaluate((el) => {
      const area = el as unknown as { value: string; selectionStart: number };
      return area.value.slice(0, area.selectionStart).split('\n').length;
    });
    expect(cursorLine).toBe(line);

    // Fix it, with a lower limit, and dry-run it over the last day.
    await yaml.fill(original.replace('limit_m: 0.5', 'limit_m: 0.3').replace('clear_m: 0.4', 'clear_m: 0.2'));
    await page.getByRole('button', { name: '校验', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '校验通过' }).waitFor({ timeout: 15_000 });
    expect(await problems.count()).toBe(0);
    await page.getByRole('button', { name: '试运行' }).click();
    const result = page.getByTestId('rule-dry-run');
    await result.waitFor({ timeout: 15_000 });
    const raise = result.getByRole('row').filter({ hasText: '触发' });
    await expect.poll(() => raise.count()).toBe(1);
    expect(await raise.textContent()).toContain('南开下穿道积水监测');
    expect(await raise.textContent()).toContain('0.36');
    expect(await raise.textContent()).toContain('黄色');
    expect(await result.getByRole('row').filter({ hasText: '解除' }).count()).toBe(1);
    // Nothing was written by the dry run.
    expect((await t.platform.rules.versions('underpass-water-level')).length).toBe(1);
    await screenshot(page, 'admin-rule-dry-run');

    // Save: version 2, by the administrator, listed; the engine has it.
    await page.getByRole('button', { name: '保存新版本' }).click();
    await page.getByRole('status').filter({ hasText: '已保存为第 2 版' }).waitFor({ timeout: 15_000 });
    await page.getByTestId('rule-versions').getByText(/第 2 版 · admin/).waitFor({ timeout: 15_000 });
    expect(t.platform.rules.latest('underpass-water-level')?.version).toBe(2);
    expect(await page.getByTestId('rule-list').getByRole('button', { name: /下穿道积水超限/ }).textContent()).toContain('第 2 版');

    // Switched off and on again: each a version; off, the engine no longer has it.
    await page.getByTestId('rule-toggle').click();
    await page.getByRole('status').filter({ hasText: '已停用（第 3 版）' }).waitFor({ timeout: 15_000 });
    expect(t.platform.rules.latest('underpass-water-level')).toBeUndefined();
    expect(await page.getByTestId('rule-list').getByRole('button', { name: /下穿道积水超限/ }).textContent()).toContain('停用');
    await page.getByTestId('rule-toggle').click();
    await page.getByRole('status').filter({ hasText: '已启用（第 4 版）' }).waitFor({ timeout: 15_000 });
    expect(t.platform.rules.latest('underpass-water-level')?.version).toBe(4);
  }, 120_000);

  it('the routing table: a dry run of a sample message beside the table in force; a version\'s text', async () => {
    await page.getByRole('tab', { name: '派单目录' }).click();
    const yaml = page.getByLabel('派单目录 YAML');
    await expect.poll(() => yaml.inputValue(), { timeout: 15_000 }).toContain('rules:');
    await page.getByRole('button', { name: '推演' }).click();
    await page.getByTestId('route-draft-lead').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('route-draft').textContent()).toContain('公交班次间隔过长');
    expect(await page.getByTestId('route-draft-lead').textContent()).toMatch(/交通/);
    await screenshot(page, 'admin-routing-dry-run');
    // A bad draft: its problem on its line, and the dry run refuses it.
    await yaml.fill('rules:\n  - category: appeal.transport\n    lead: { kind: no-such-unit, scope: district }\n');
    await page.locator('#routing-problems li').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('#routing-problems li').first().textContent()).toContain('第 3 行');
    expect(await page.locator('#routing-problems li').first().textContent()).toContain('未知的单位类型 no-such-unit');
    await page.getByRole('button', { name: '放弃修改' }).click();
    await page.getByTestId('routing-versions').getByRole('button', { name: '查看第 1 版' }).click();
    expect(await page.getByTestId('routing-version-view').textContent()).toContain('file:routing-table.yaml');
  }, 60_000);

  it('categories: a bad deadline is refused beside its cell; nothing is saved', async () => {
    await page.getByRole('tab', { name: '事项类别' }).click();
    await page.getByLabel('筛选').fill('道路不洁');
    const respond = page.getByLabel('道路不洁 响应时限');
    await respond.fill('soon');
    await page.getByRole('button', { name: '校验', exact: true }).click();
    const cellError = page.locator('[id$="-respondWithin-error"]');
    await cellError.waitFor({ timeout: 15_000 });
    expect(await cellError.textContent()).toContain('响应时限');
    expect(await respond.getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'admin-category-problem');
    await page.getByRole('button', { name: '放弃修改' }).click();
    expect(t.platform.org.category('environment.road-dirt')?.respondWithin).toBe('2h');
  }, 60_000);

  it('my account: an API token issued (shown once) and revoked; the second factor set up and turned off', async () => {
    await page.getByRole('tab', { name: '账号安全' }).click();
    const tokens = page.getByTestId('api-tokens');
    await tokens.getByLabel('用途').fill('大屏 wall screen');
    await tokens.getByRole('button', { name: '签发令牌' }).click();
    const issued = page.getByTestId('issued-token');
    await issued.waitFor({ timeout: 15_000 });
    const token = (await issued.locator('code').textContent())!;
    expect(token).toMatch(/^clt_/);
    const row = tokens.locator('tr', { hasText: '大屏 wall screen' });
    await row.getByRole('button', { name: '吊销' }).click();
    await row.getByText('已吊销').waitFor({ timeout: 15_000 });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);

    const factor = page.getByTestId('second-factor');
    await factor.getByRole('button', { name: '开始登记' }).click();
    const secret = (await factor.locator('code').textContent())!;
    const key = base32Decode(secret);
    await factor.getByLabel('动态验证码').fill(hotp(key, totpStep(t.clock.now())));
    await factor.getByRole('button', { name: '确认启用' }).click();
    await factor.getByText('已启用').waitFor({ timeout: 15_000 });
    // A later step's code turns it off again (each code is good once).
    t.clock.advance(30_000);
    await factor.getByLabel('动态验证码').fill(hotp(key, totpStep(t.clock.now())));
    await factor.getByRole('button', { name: '停用' }).click();
    await factor.getByText('未启用').waitFor({ timeout: 15_000 });
  }, 60_000);

  it('sign-in asks a supervisor with a second factor for the code, then lets her in', async () => {
    const api = async (method: 'POST' | 'GET', url: string, token: string, payload?: object) => t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
    const sup = await t.signIn('city.supervisor');
    const { secret } = (await api('POST', '/api/v1/me/second-factor/totp', sup, {})).json();
    const key = base32Decode(secret);
    expect((await api('POST', '/api/v1/me/second-factor/totp/confirm', sup, { code: hotp(key, totpStep(t.clock.now())) })).statusCode).toBe(204);
    t.clock.advance(30_000);
    const other = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    try {
      const p = await other.newPage();
      await p.goto(`${base}/signin`);
      await p.getByLabel('用户名').fill('city.supervisor');
      await p.getByLabel('密码').fill('cityloop-demo');
      await p.getByRole('button', { name: /^登录$/ }).click();
      const code = p.getByLabel('动态验证码');
      await code.waitFor({ timeout: 15_000 });
      expect(await p.getByRole('alert').textContent()).toContain('动态验证码');
      await code.fill(hotp(key, totpStep(t.clock.now())));
      await p.getByRole('button', { name: /^登录$/ }).click();
      await p.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: 15_000 });
    } finally {
      await other.close();
      const admin = await t.signIn('admin');
      const supId = (await api('GET', '/api/v1/me', sup)).json().userId;
      await api('POST', `/api/v1/users/${supId}/second-factor/reset`, admin, {});
    }
  }, 60_000);

  it('no page logged an error', () => {
    expect(watched.errors).toEqual([]);
  });
});
