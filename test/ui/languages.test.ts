import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestPlatform } from '../support/test-platform.ts';
import { unitIdOf } from '../../cities/chongqing/demo/demo-city.ts';
import { DEMO_POINTS } from '../../cities/chongqing/demo/demo-assets.ts';
import { HAS_CHROMIUM, SKIP_REASON, apiCaller, newWatchedPage, signIn, startUiServer } from './browser.ts';

if (!HAS_CHROMIUM) console.warn(SKIP_REASON);

/**
 * Every page in Chinese and in English, over demo data with cases in many states, read as a person
 * reads it: the visible text and the words of labels, titles and placeholders. A page fails on a
 * raw code — an `a.b.c` identifier (a category code), a snake_case key, a CamelCase event type —
 * and, in Chinese, on any English word but a short list (CityLoop, units like DN200 or PM2.5, case
 * numbers, the "English" switch). In English, a state chip in Chinese fails too. YAML in the
 * administrators' editors and `<code>` are what an administrator edits, and are not read.
 */
const WATER = unitIdOf('500103', 'water-supply');
const TRAFFIC = unitIdOf('500103', 'traffic-police');
const URBAN = unitIdOf('500103', 'urban-management');
const JFB = { lng: DEMO_POINTS.jiefangbei[0], lat: DEMO_POINTS.jiefangbei[1], crs: 'gcj02' as const };

/** Words allowed in a Chinese page: names and units, not words. */
const ZH_ALLOWED = [
  /^CityLoop$/,
  /^English$/,
  /^CL\d+$/,
  /^DN\d+$/,
  /^PM(2\.5|10)$/,
  /^(m|km|mm|cm|h|d|min|s|KB|MB|GB|mg|kPa|MPa|pH|NTU|dB|AQI|L|m³|Pa|ms|t)$/,
  /^(YAML|JSON|GeoJSON|CSV|XLSX|API|CAP|MQTT|TOTP|ID|SSE|URL|HTTP|HTTPS|GCJ|WGS)$/,
  /^(MapLibre|OpenStreetMap|OSM|Open311)$/,
  /^v\d+$/,
  /^[A-Z]$/,
];

interface Leak { readonly rule: string; readonly word: string; readonly context: string }

/** Runs in the page (as its source: the test is type-checked without the DOM): every piece of text a person reads, with its neighbourhood. */
const READABLE_TEXTS = `(() => {
  const out = [];
  const skip = (el) => {
    for (let e = el; e; e = e.parentElement) {
      if (['SCRIPT', 'STYLE', 'TEXTAREA', 'CODE', 'PRE', 'NOSCRIPT'].includes(e.tagName)) return true;
      if (e.hidden) return true;
    }
    return false;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent && n.textContent.trim();
    if (!text || skip(n.parentElement)) continue;
    const near = n.parentElement && n.parentElement.closest('li,tr,p,dd,section,dialog,header');
    out.push({ text, context: near ? near.innerText.slice(0, 160) : text });
  }
  for (const el of document.querySelectorAll('[title],[aria-label],[placeholder]')) {
    if (skip(el)) continue;
    for (const a of ['title', 'aria-label', 'placeholder']) {
      const v = el.getAttribute(a) && el.getAttribute(a).trim();
      if (v) out.push({ text: v, context: el.tagName.toLowerCase() + '[' + a + ']' });
    }
  }
  return out;
})()`;

function leaksIn(texts: { text: string; context: string }[], lang: 'zh' | 'en'): Leak[] {
  const leaks: Leak[] = [];
  for (const { text, context } of texts) {
    for (const m of text.matchAll(/\b[a-z][a-z0-9-]*(?:\.[a-z][a-z0-9-]*){2,}\b/g)) leaks.push({ rule: 'a.b.c identifier', word: m[0], context });
    for (const m of text.matchAll(/\b[a-z][a-z0-9]*_[a-z0-9_]+\b/g)) leaks.push({ rule: 'snake_case key', word: m[0], context });
    for (const m of text.matchAll(/\b[A-Z][a-z]+(?:[A-Z][a-z]+)+\b/g)) if (!ZH_ALLOWED.some((r) => r.test(m[0]))) leaks.push({ rule: 'CamelCase type', word: m[0], context });
    if (lang === 'en') {
      // "1 tasks": one of a thing is singular.
      // (Words whose singular ends in s — status, bus, analysis, series — are not plurals.)
      for (const m of text.matchAll(/(?<![\d.,])\b1 (?!(?:\w*(?:ss|us|is)|series|species|news)\b)([a-z]+s)\b/g)) leaks.push({ rule: 'plural after 1', word: m[0], context });
    }
    if (lang === 'zh') {
      // File names a person gave (site.jpg) are theirs, not the page's.
      const words = text.replace(/\b[\w-]+\.(jpe?g|png|gif|webp|geojson|json|pdf)\b/gi, '').match(/[A-Za-z][A-Za-z0-9.]*/g) ?? [];
      for (const w of words) if (!ZH_ALLOWED.some((r) => r.test(w.replace(/\.$/, '')))) leaks.push({ rule: 'English in zh', word: w, context });
    }
  }
  return leaks;
}

describe.skipIf(!HAS_CHROMIUM)('every page in Chinese and in English, without raw codes', () => {
  let t: TestPlatform;
  let base: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pages: Record<string, Page> = {};
  const caseIds: Record<string, string> = {};
  const seen: string[] = [];

  beforeAll(async () => {
    ({ t, base, browser } = await startUiServer());
    const api = apiCaller(t);
    const tok: Record<string, string> = {};
    for (const u of ['yuzhong.operator', 'yuzhong.water', 'yuzhong.traffic', 'citizen.zhang']) tok[u] = await t.signIn(u);
    const op = (method: 'GET' | 'POST', url: string, body?: unknown) => api(tok['yuzhong.operator']!, method, url, body);
    const report = async (title: string, categoryCode = 'municipal.water.burst') => (await api(tok['citizen.zhang']!, 'POST', '/api/v1/cases', { categoryCode, title, description: '路面积水', ...JFB })).id as string;
    const dispatched = async (title: string) => {
      const id = await report(title);
      await op('POST', `/api/v1/cases/${id}/register`, {});
      const d = await op('POST', `/api/v1/cases/${id}/dispatch`, { tasks: [{ unitId: WATER, role: 'lead' }, { unitId: TRAFFIC, role: 'assist' }] });
      return { id, lead: d.tasks.find((x: any) => x.unitId === WATER).id as string, assist: d.tasks.find((x: any) => x.unitId === TRAFFIC).id as string };
    };
    const leadDone = async (title: string) => {
      const d = await dispatched(title);
      await api(tok['yuzhong.water']!, 'POST', `/api/v1/cases/${d.id}/tasks/${d.lead}/accept`, {});
      await api(tok['yuzhong.water']!, 'POST', `/api/v1/cases/${d.id}/tasks/${d.lead}/complete`, { note: '已关阀抢修' });
      return d;
    };
    const reportedBack = async (title: string) => {
      const d = await leadDone(title);
      await api(tok['yuzhong.traffic']!, 'POST', `/api/v1/cases/${d.id}/tasks/${d.assist}/accept`, {});
      await api(tok['yuzhong.traffic']!, 'POST', `/api/v1/cases/${d.id}/tasks/${d.assist}/complete`, { note: '已疏导交通' });
      await op('POST', `/api/v1/cases/${d.id}/report-back`, { summary: '管道已修复' });
      return d.id;
    };
    caseIds.reported = await report('上报状态：解放碑供水管爆裂');
    caseIds.registered = await report('立案状态：八一路供水管爆裂');
    await op('POST', `/api/v1/cases/${caseIds.registered}/register`, {});
    caseIds.dispatched = (await dispatched('派遣状态：民族路供水管爆裂')).id;
    caseIds.assistSilent = (await leadDone('处置状态：邹容路供水管爆裂')).id;
    const ret = await dispatched('退回状态：五一路供水管爆裂');
    await api(tok['yuzhong.water']!, 'POST', `/api/v1/cases/${ret.id}/tasks/${ret.lead}/return`, { reason: '非供水管网' });
    caseIds.returned = ret.id;
    caseIds.reportedBack = await reportedBack('反馈状态：较场口供水管爆裂');
    caseIds.closed = await reportedBack('结案状态：七星岗供水管爆裂');
    await op('POST', `/api/v1/cases/${caseIds.closed}/check`, { passed: true });
    await op('POST', `/api/v1/cases/${caseIds.closed}/close`, {});
    caseIds.evaluated = await reportedBack('评价状态：大坪供水管爆裂');
    await op('POST', `/api/v1/cases/${caseIds.evaluated}/check`, { passed: true });
    await op('POST', `/api/v1/cases/${caseIds.evaluated}/close`, {});
    await api(tok['citizen.zhang']!, 'POST', `/api/v1/cases/${caseIds.evaluated}/evaluate`, { satisfaction: 'unsatisfied', reason: 'slow', comment: '太慢了' });
    caseIds.parked = await report('挂账状态：两路口供水管爆裂');
    await op('POST', `/api/v1/cases/${caseIds.parked}/register`, {});
    await op('POST', `/api/v1/cases/${caseIds.parked}/park`, { reason: '待汛期后改造', reviewAt: new Date(Date.now() + 20 * 86_400_000).toISOString() });
    caseIds.declined = await report('不予立案：重复反映');
    await op('POST', `/api/v1/cases/${caseIds.declined}/decline`, { reason: '重复反映' });
    caseIds.plan = await report('预案调度：解放碑步行街供水管道爆管');
    await op('POST', `/api/v1/cases/${caseIds.plan}/apply-plan`, {});
    caseIds.appeal = (await api(tok['citizen.zhang']!, 'POST', '/api/v1/appeals', { text: '解放碑步行街路灯不亮已经一周了', place: '解放碑' })).id;
    // A task the water company has signed for: its site card offers 到场.
    const onSite = await dispatched('签收状态：临江门供水管爆裂');
    await api(tok['yuzhong.water']!, 'POST', `/api/v1/cases/${onSite.id}/tasks/${onSite.lead}/accept`, {});
    caseIds.accepted = onSite.id;
    // A saved view of the case list, for the admin who opens it.
    await api(await t.signIn('admin'), 'POST', '/api/v1/case-views', { name: '渝中区在办供水', query: { state: ['dispatched', 'in_progress'], category: 'municipal.water.burst', source: 'citizen' } });

    for (const user of ['admin', 'yuzhong.operator', 'yuzhong.water', 'gridworker', 'citizen.zhang', '(signed out)']) {
      const ctx = await browser.newContext({ viewport: { width: 1500, height: 1000 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      contexts.push(ctx);
      const { page } = await newWatchedPage(ctx);
      if (user !== '(signed out)') await signIn(page, base, user);
      pages[user] = page;
    }
  }, 300_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  /** Opens a page in a language, lets it settle, and returns what leaks. */
  async function visit(user: string, path: string, lang: 'zh' | 'en', ready: string, then?: (page: Page) => Promise<void>): Promise<Leak[]> {
    const page = pages[user]!;
    await page.goto(`${base}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
    await page.locator(ready).first().waitFor({ timeout: 20_000 });
    // The live feed holds a request open: wait for the page's loading notes to go instead of network idle.
    await page.locator('[role="status"]:text-matches("加载中|Loading|推演中|Dry run…")').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
    await page.waitForTimeout(700);
    if (then) await then(page);
    seen.push(`${lang} ${user} ${path}`);
    const leaks = leaksIn((await page.evaluate(READABLE_TEXTS)) as { text: string; context: string }[], lang);
    if (lang === 'en') {
      for (const chip of await page.locator('.chip[class*="state-"], .chip[class*="task-"]').allInnerTexts()) {
        if (/[\u4e00-\u9fff]/.test(chip)) leaks.push({ rule: 'Chinese state in en', word: chip, context: path });
      }
    }
    return leaks.map((l) => ({ ...l, context: `${lang} ${user} ${path}: ${l.context}` }));
  }

  const LANGS = ['zh', 'en'] as const;

  it.each(LANGS)('sign-in, cockpit, KPIs and every admin tab (account security included) in %s', async (lang) => {
    const leaks: Leak[] = [];
    leaks.push(...(await visit('(signed out)', '/signin', lang, 'form')));
    leaks.push(...(await visit('yuzhong.operator', '/cockpit', lang, '[data-testid="cockpit"], main h1, main h2')));
    leaks.push(...(await visit('admin', '/kpis', lang, 'main table, main h1')));
    const tabs = lang === 'zh' ? ['预案', '告警规则', '派单目录', '事项类别', '账号安全'] : ['Plans', 'Alert rules', 'Routing table', 'Categories', 'Account security'];
    for (const name of tabs) {
      leaks.push(
        ...(await visit('admin', '/admin', lang, '[role="tab"]', async (page) => {
          const tab = page.getByRole('tab', { name, exact: false }).first();
          if (await tab.count()) {
            await tab.click();
            await page.waitForTimeout(1000);
          }
        })),
      );
    }
    expect(leaks).toEqual([]);
  }, 240_000);

  it.each(LANGS)('the case page of a case in every state, and the one-click dispatch dry run, in %s', async (lang) => {
    const leaks: Leak[] = [];
    for (const [state, id] of Object.entries(caseIds)) {
      leaks.push(...(await visit('admin', `/cases/${id}`, lang, '[data-testid="case-page"]')).map((l) => ({ ...l, context: `${state} ${l.context}` })));
    }
    leaks.push(
      ...(await visit('admin', `/cases/${caseIds.reported}`, lang, '[data-testid="one-click-dispatch"]', async (page) => {
        await page.getByTestId('one-click-dispatch').click();
        await page.getByTestId('plan-name').waitFor({ timeout: 20_000 });
      })),
    );
    leaks.push(...(await visit('yuzhong.operator', `/cases/${caseIds.assistSilent}`, lang, '[data-testid="case-page"]')));
    leaks.push(...(await visit('yuzhong.water', `/cases/${caseIds.dispatched}`, lang, '[data-testid="case-page"]')));
    expect(leaks).toEqual([]);
  }, 240_000);

  it.each(LANGS)('the unit workbench, the grid worker and the citizen in %s', async (lang) => {
    const leaks: Leak[] = [];
    leaks.push(...(await visit('yuzhong.water', '/unit', lang, '[data-testid="unit-workbench"]', async (page) => {
      await page.getByTestId('unit-task').first().waitFor({ timeout: 20_000 });
      // The site card of the task signed for: address, landmark, the 到场 button.
      const card = page.getByTestId('unit-task').filter({ hasText: '签收状态' });
      await card.getByTestId('site-address').waitFor({ timeout: 20_000 });
      await card.getByTestId('task-arrive').waitFor({ timeout: 20_000 });
      await card.getByTestId('site-map-toggle').click();
      await page.waitForTimeout(500);
    })));
    leaks.push(
      ...(await visit('gridworker', '/grid', lang, 'main h1, main h2', async (page) => {
        await page.getByTestId('grid-task').first().getByTestId('site-address').waitFor({ timeout: 20_000 });
      })),
    );
    leaks.push(
      ...(await visit('citizen.zhang', '/citizen', lang, '[data-testid="citizen"]', async (page) => {
        await page.getByTestId('my-appeals').locator('li').first().waitFor({ timeout: 20_000 });
        for (const b of await page.getByTestId('my-appeals').locator('button.item').all()) await b.click();
        await page.waitForTimeout(500);
      })),
    );
    expect(leaks).toEqual([]);
  }, 240_000);

  it.each(LANGS)('the case list (filters, a saved view, the export), the handover and the admin tabs of people, units and centers in %s', async (lang) => {
    const leaks: Leak[] = [];
    leaks.push(
      ...(await visit('admin', '/cases?state=dispatched&state=in_progress&category=municipal.water.burst&source=citizen&tier=district&overdue=false&q=%E4%BE%9B%E6%B0%B4', lang, '[data-testid="case-list-page"]', async (page) => {
        await page.getByTestId('case-link').first().waitFor({ timeout: 20_000 });
        await page.locator('details summary').filter({ hasText: lang === 'zh' ? '管理视图' : 'Manage views' }).click();
        await page.getByTestId('export-csv').click();
        await page.locator('[role="status"]').filter({ hasText: lang === 'zh' ? '已导出' : 'Exported' }).waitFor({ timeout: 20_000 });
      })),
    );
    // A saved view applied: the list it names, and the export of one case.
    leaks.push(
      ...(await visit('admin', '/cases', lang, '[data-testid="case-list-page"]', async (page) => {
        const views = page.getByTestId('views');
        await views.locator('option', { hasText: '渝中区在办供水' }).waitFor({ state: 'attached', timeout: 20_000 });
        await views.selectOption({ label: '渝中区在办供水' });
        await page.getByTestId('case-link').first().waitFor({ timeout: 20_000 });
        await page.getByTestId('case-search').fill('签收状态');
        await page.getByTestId('case-search-go').click();
        await page.getByTestId('case-table').locator('tbody tr').filter({ hasText: '签收状态' }).waitFor({ timeout: 20_000 });
        await page.getByTestId('export-xlsx').click();
        await page.locator('[role="status"]').filter({ hasText: lang === 'zh' ? '已导出' : 'Exported' }).waitFor({ timeout: 20_000 });
      })),
    );
    leaks.push(...(await visit('yuzhong.operator', '/handover', lang, '[data-testid="handover-counts"]')));
    // 模型分析: the runs, the start form of each model (the flood's hyetograph editor, the dam's breach).
    for (const model of ['lake', 'flood', 'dambreak']) {
      leaks.push(
        ...(await visit('yuzhong.operator', '/analyses', lang, '[data-testid="analysis-form"]', async (page) => {
          await page.getByTestId(`model-${model}`).check();
          await page.waitForTimeout(300);
        })),
      );
    }
    leaks.push(
      ...(await visit('admin', '/admin', lang, '[role="tab"]', async (page) => {
        await page.getByRole('tab', { name: lang === 'zh' ? '人员' : 'People' }).click();
        const row = page.getByTestId('people-list').getByRole('row').filter({ hasText: 'yuzhong.water' });
        await row.waitFor({ timeout: 20_000 });
        await row.getByRole('button').click();
        await page.getByTestId('person-form').waitFor();
        await page.locator('details summary').filter({ hasText: lang === 'zh' ? '新建人员' : 'New person' }).click();
        await page.waitForTimeout(800);
      })),
    );
    leaks.push(
      ...(await visit('admin', '/admin', lang, '[role="tab"]', async (page) => {
        await page.getByRole('tab', { name: lang === 'zh' ? '单位与中心' : 'Units and centers' }).click();
        await page.getByTestId('units-editor').locator('input').first().fill('渝中区');
        const row = page.getByTestId('unit-list').getByRole('row').filter({ hasText: '供水' }).first();
        await row.waitFor({ timeout: 20_000 });
        await row.getByRole('button').click();
        await page.getByTestId('unit-form').waitFor();
        await page.locator('details summary').filter({ hasText: lang === 'zh' ? '新建单位' : 'New unit' }).click();
        await page.locator('details summary').filter({ hasText: lang === 'zh' ? '中心' : 'Centers' }).last().click();
        await page.getByTestId('center-list').locator('..').locator('input').first().fill('渝中');
        await page.waitForTimeout(800);
      })),
    );
    expect(leaks).toEqual([]);
  }, 300_000);

  it('offers only what the server accepts: 反馈 disabled with the reason while an assist is silent; 挂账 asks for a review date; a citizen sees the public state', async () => {
    const page = pages['yuzhong.operator']!;
    await page.goto(`${base}/cases/${caseIds.assistSilent}?lang=zh`);
    const rb = page.getByTestId('report-back');
    await rb.waitFor({ timeout: 20_000 });
    expect(await rb.isDisabled()).toBe(true);
    expect(await page.getByTestId('step-reasons').innerText()).toContain('协办单位尚未答复：渝中区公安交巡警支队');
    // 催办 per open task, 督办 for the supervisor only: the operator sees no 督办.
    expect(await page.getByTestId('task-step-remind').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('step-supervise').count()).toBe(0);

    await page.goto(`${base}/cases/${caseIds.dispatched}?lang=zh`);
    await page.getByTestId('step-park').click();
    const review = page.getByTestId('park-review');
    expect(await page.getByLabel('挂账原因').count()).toBe(1);
    expect(await review.inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await page.getByLabel('挂账原因').fill('待统一改造');
    await page.getByRole('dialog').getByRole('button', { name: '挂账' }).click();
    await page.locator('[data-testid="case-page"][data-state="parked"]').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('step-unpark').isEnabled()).toBe(true);

    const citizen = pages['citizen.zhang']!;
    await citizen.goto(`${base}/citizen?lang=zh`);
    // Being handled (a lead done, an assist still working): 处理中, not the center's 处置中.
    const item = citizen.getByTestId('my-appeals').locator('li').filter({ hasText: '处置状态' });
    await item.waitFor({ timeout: 20_000 });
    expect(await item.innerText()).toContain('· 处理中 ·');
    // The case the operator just parked: 暂缓办理.
    expect(await citizen.getByTestId('my-appeals').locator('li').filter({ hasText: '派遣状态' }).innerText()).toContain('· 暂缓办理 ·');
    expect(seen.length).toBeGreaterThan(20);
  }, 120_000);
});
