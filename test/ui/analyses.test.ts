import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeArrayBuffer } from 'geotiff';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestPlatform } from '../support/test-platform.ts';
import { DEMO_POINTS } from '../../cities/chongqing/demo/demo-assets.ts';
import { gcj02ToWgs84 } from '../../src/geo/crs.ts';
import { HAS_CHROMIUM, SKIP_REASON, apiCaller, newWatchedPage, screenshot, signIn, startUiServer, type WatchedPage } from './browser.ts';

if (!HAS_CHROMIUM) console.warn(SKIP_REASON);

type PageGlobals = any;

/** A bowl 48 × 48 cells of 0.0004° (about 40 m) in WGS-84 around 解放碑: 200 m at the bottom, rising 1 m a cell outwards. */
const SIZE = 48;
const CELL = 0.0004;
function bowlDem(): ArrayBuffer {
  const [lng, lat] = gcj02ToWgs84(DEMO_POINTS.jiefangbei[0], DEMO_POINTS.jiefangbei[1]);
  const values = new Float32Array(SIZE * SIZE);
  const c = (SIZE - 1) / 2;
  for (let r = 0; r < SIZE; r++) for (let k = 0; k < SIZE; k++) values[r * SIZE + k] = 200 + Math.hypot(r - c, k - c);
  return writeArrayBuffer(values, {
    width: SIZE,
    height: SIZE,
    ModelPixelScale: [CELL, CELL, 0],
    ModelTiepoint: [0, 0, 0, lng - (SIZE / 2) * CELL, lat + (SIZE / 2) * CELL, 0],
    GeographicTypeGeoKey: 4326,
    GeogCitationGeoKey: 'WGS 84',
    GTModelTypeGeoKey: 2,
    GTRasterTypeGeoKey: 1,
  }) as ArrayBuffer;
}

/** Text a person reads on the page, as one string (raw codes must not be in it). */
const visibleText = (page: Page, sel: string) => page.locator(sel).innerText();

/**
 * 模型分析 in real Chromium over the real server: a DEM uploaded through the API, a lake started
 * from the form with its seed clicked on the map, the run's progress and result — the image
 * overlay on the map, the legend — then a flood with a hyetograph typed by rows and its time
 * slider and isochrones, a refusal shown beside its field, and the same pages in English.
 */
describe.skipIf(!HAS_CHROMIUM)('analyses in Chromium', () => {
  let t: TestPlatform;
  let base: string;
  let browser: Browser;
  let ctx: BrowserContext;
  let watched: WatchedPage;
  let page: Page;
  let op: string;
  let raster: { id: string; image: { corners: [number, number][] } };

  beforeAll(async () => {
    ({ t, base, browser } = await startUiServer());
    op = await t.signIn('yuzhong.operator');
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/rasters?name=${encodeURIComponent('解放碑测试地形')}&kind=dem`, headers: { authorization: `Bearer ${op}`, 'content-type': 'image/tiff' }, payload: Buffer.from(bowlDem()) });
    if (res.statusCode >= 300) throw new Error(`upload: ${res.statusCode} ${res.body}`);
    raster = await apiCaller(t)(op, 'GET', `/api/v1/rasters/${res.json().id}`);
    ctx = await browser.newContext({ viewport: { width: 1500, height: 950 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    watched = await newWatchedPage(ctx);
    page = watched.page;
    await signIn(page, base, 'yuzhong.operator');
  }, 300_000);

  afterAll(async () => {
    await ctx?.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  /** Clicks the map at a GCJ-02 point (where the page's map draws it). */
  const clickMap = async (lng: number, lat: number) => {
    const p = (await page.evaluate(([x, y]) => (globalThis as PageGlobals).__analysisMap.map.project([x, y]), [lng, lat] as const)) as { x: number; y: number };
    const box = (await page.getByTestId('analysis-map').boundingBox())!;
    await page.mouse.click(box.x + p.x, box.y + p.y);
  };
  const centre = () => {
    const cs = raster.image.corners;
    return [cs.reduce((s, c) => s + c[0], 0) / cs.length, cs.reduce((s, c) => s + c[1], 0) / cs.length] as const;
  };
  const imageUrl = () => page.evaluate(() => (globalThis as PageGlobals).__modelOverlays?.imageUrl ?? null) as Promise<string | null>;
  const sourceKind = () => page.evaluate(() => (globalThis as PageGlobals).__analysisMap.map.getSource('model-image')?.type ?? null) as Promise<string | null>;

  it('starts a lake from the form with its seed clicked on the map, and shows the result with its legend', async () => {
    // Until 避险转移 is started a finished run's board answers 404 (no evacuation yet), which Chromium logs.
    watched.expected.push(/status of 404 .*\/evacuation$/);
    await page.getByRole('link', { name: '模型分析' }).click();
    await page.waitForURL(/\/analyses$/);
    await page.waitForFunction(() => (globalThis as PageGlobals).__modelOverlays !== undefined, undefined, { timeout: 30_000 });
    // The chosen terrain is drawn where the inputs are to be clicked.
    await expect.poll(imageUrl, { timeout: 15_000 }).toContain(`/api/v1/rasters/${raster.id}/image.png`);
    expect(await sourceKind()).toBe('image');

    await page.getByTestId('pick-seed').click();
    const [lng, lat] = centre();
    await clickMap(lng, lat);
    await expect.poll(() => page.getByTestId('seed-text').innerText()).toMatch(/^\d+\.\d{5}, \d+\.\d{5}$/);
    await page.getByTestId('lake-level').fill('210');
    // Every progress bar the page shows from now on is noted (a small lake may be done within a second).
    await page.evaluate(() => {
      const seen: number[] = [];
      (globalThis as PageGlobals).__progressSeen = seen;
      const doc = (globalThis as PageGlobals).document;
      new (globalThis as PageGlobals).MutationObserver(() => {
        for (const p of doc.querySelectorAll('[data-testid="analyses-page"] progress')) seen.push(Number(p.value));
      }).observe(doc.body, { subtree: true, childList: true, attributes: true });
    });
    await page.getByTestId('analysis-start').click();
    await page.waitForURL(/\/analyses\/[^/]+$/);
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);

    // The run is listed, and reaches 已完成 through the live feed (or the page's reading while it runs).
    await expect.poll(() => page.getByTestId('run-list').innerText()).toContain('静态淹没');
    await expect.poll(() => page.getByTestId('run-state').innerText(), { timeout: 30_000 }).toBe('已完成');
    // Its progress was shown while it was queued or running, and is gone now that it is done.
    expect(((await page.evaluate(() => (globalThis as PageGlobals).__progressSeen)) as number[]).length).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="analysis-result"] progress').count()).toBe(0);
    // The result's layer is the map's image source now, stretched over its corners; the legend shows its stops.
    await expect.poll(imageUrl, { timeout: 15_000 }).toContain(`/api/v1/analyses/${id}/layers/`);
    expect(await sourceKind()).toBe('image');
    const legend = page.getByTestId('raster-legend');
    await legend.waitFor();
    expect(await legend.locator('figcaption').innerText()).toMatch(/水深/);
    expect(await legend.getByTestId('legend-stop').count()).toBeGreaterThanOrEqual(2);
    const record = await apiCaller(t)(op, 'GET', `/api/v1/analyses/${id}`);
    expect(await legend.getByTestId('legend-stop').count()).toBe(record.layers.find((l: any) => (l.imageUrl as string).length > 0 && imageUrlMatches(l.imageUrl, record.layers)).legend.stops.length);
    // Opacity reaches the map's layer.
    await page.getByTestId('overlay-opacity').fill('40');
    await expect.poll(() => page.evaluate(() => (globalThis as PageGlobals).__analysisMap.map.getPaintProperty('model-image', 'raster-opacity'))).toBeCloseTo(0.4, 5);
    // What it means: the communities to move around 解放碑, and 避险转移 started from the page.
    const people = page.getByTestId('impact-people').locator('tbody tr');
    await expect.poll(() => people.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await page.getByTestId('start-evacuation').click();
    const board = page.getByTestId('evacuation-board');
    await board.waitFor({ timeout: 20_000 });
    expect(await board.locator('tbody tr').count()).toBe(await people.count());
    expect(await page.getByTestId('start-evacuation').count()).toBe(0);
    // Names, not codes.
    expect(await visibleText(page, '[data-testid="analysis-result"]')).not.toMatch(/\b(lake|succeeded|maxDepth|depth)\b/);
  });

  it('runs a flood with a hyetograph typed by rows, and plays its snapshots on the time slider with isochrones', async () => {
    await page.getByTestId('new-run').click();
    await page.waitForURL(/\/analyses$/);
    await page.getByTestId('model-flood').check();
    // A refusal is shown beside the row it names: rain cannot be negative.
    await page.getByTestId('hyetograph-add').click();
    const rows = page.getByTestId('hyetograph-row');
    await rows.nth(2).locator('input').nth(1).fill('-5');
    watched.expected.push(/status of 422/);
    await page.getByTestId('analysis-start').click();
    await expect.poll(() => rows.nth(2).locator('[role="alert"]').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await rows.nth(2).locator('input').nth(1).getAttribute('aria-invalid')).toBe('true');
    await rows.nth(2).getByRole('button').click();

    // The rain falls on an area drawn by clicks.
    const [lng, lat] = centre();
    const d = SIZE * CELL * 0.3;
    await page.getByTestId('pick-area').click();
    for (const [x, y] of [[lng - d, lat - d], [lng + d, lat - d], [lng + d, lat + d], [lng - d, lat + d]] as const) await clickMap(x, y);
    await page.getByTestId('pick-done').click();
    await page.getByTestId('duration').fill('30');
    await page.getByTestId('output-interval').fill('5');
    await page.getByTestId('analysis-start').click();
    await page.waitForURL(/\/analyses\/[^/]+$/);
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await expect.poll(() => page.getByTestId('run-state').innerText(), { timeout: 60_000 }).toBe('已完成');

    const slider = page.getByTestId('time-slider');
    await slider.waitFor();
    const record = await apiCaller(t)(op, 'GET', `/api/v1/analyses/${id}`);
    expect(record.snapshots.length).toBeGreaterThan(1);
    await page.getByTestId('time-range').fill('1');
    await expect.poll(imageUrl).toContain(record.snapshots[1].imageUrl);
    expect(await page.getByTestId('time-label').innerText()).toMatch(/^\+\d:\d\d$/);
    await page.getByTestId('time-play').click();
    await expect.poll(imageUrl, { timeout: 15_000 }).toContain(record.snapshots[record.snapshots.length - 1].imageUrl);

    await page.getByTestId('isochrone-step').selectOption({ label: '每 5 分钟' });
    await expect.poll(() => page.evaluate(() => (globalThis as PageGlobals).__analysisMap.map.getSource('isochrones')?.type ?? null), { timeout: 15_000 }).toBe('geojson');
    await screenshot(page, 'analyses');
  });

  it('draws a dam’s crest by clicks, and shows the refusal of a crest off the terrain beside the crest field', async () => {
    await page.goto(`${base}/analyses`);
    await page.getByTestId('model-dambreak').check();
    const [lng, lat] = centre();
    const far = SIZE * CELL * 2;
    await page.getByTestId('pick-crest').click();
    for (const [x, y] of [[lng + far, lat - far / 4], [lng + far, lat + far / 4]] as const) await clickMap(x, y);
    await page.getByTestId('pick-done').click();
    await page.getByTestId('pick-reservoir').click();
    await clickMap(lng, lat);
    await page.getByLabel('坝顶高程（米）').fill('215');
    await page.getByLabel('库水位（米）').fill('212');
    watched.expected.push(/status of 422/);
    await page.getByTestId('analysis-start').click();
    const crest = page.getByRole('group', { name: '坝顶线（在地图上点击）' });
    await expect.poll(() => crest.locator('[role="alert"]').count(), { timeout: 10_000 }).toBe(1);
    expect(await crest.locator('[role="alert"]').innerText()).toMatch(/[\u4e00-\u9fff]/);
    expect(page.url()).toMatch(/\/analyses$/);
  });

  it('imports a terrain from the form: the stored DEM is selected at once, and a file that is no GeoTIFF is refused in Chinese', async () => {
    await page.goto(`${base}/analyses`);
    await page.getByTestId('analysis-form').waitFor();
    const before = await page.getByTestId('analysis-raster').locator('option').count();
    await page.getByTestId('dem-upload').setInputFiles({ name: '南岸坡地.tif', mimeType: 'image/tiff', buffer: Buffer.from(bowlDem()) });
    await expect.poll(() => page.getByTestId('analysis-raster').locator('option').count(), { timeout: 15_000 }).toBe(before + 1);
    const chosen = await page.getByTestId('analysis-raster').inputValue();
    const stored = await apiCaller(t)(op, 'GET', `/api/v1/rasters/${chosen}`);
    expect(stored.name).toBe('南岸坡地');
    expect(stored.kind).toBe('dem');
    watched.expected.push(/status of 422/);
    await page.getByTestId('dem-upload').setInputFiles({ name: 'notes.tif', mimeType: 'image/tiff', buffer: Buffer.from('这不是一个地形文件') });
    const refusal = page.getByTestId('dem-upload-error');
    await refusal.waitFor({ timeout: 10_000 });
    expect(await refusal.innerText()).toMatch(/[\u4e00-\u9fff]/);
    expect(await page.getByTestId('analysis-raster').locator('option').count()).toBe(before + 1);
  });

  it('shows a run in English without Chinese names or codes', async () => {
    const list = await apiCaller(t)(op, 'GET', '/api/v1/analyses');
    const items = Array.isArray(list) ? list : list.items;
    const done = items.find((a: any) => a.model === 'flood' && a.state === 'succeeded');
    await page.goto(`${base}/analyses/${encodeURIComponent(done.id)}?lang=en`);
    await expect.poll(() => page.getByTestId('run-state').innerText(), { timeout: 15_000 }).toBe('Done');
    const text = await visibleText(page, '[data-testid="analysis-result"]');
    expect(text).toContain('Flash flood');
    // The page's own words are English; the impact below names real places (社区, 街道) as they are called.
    const own = (await page.evaluate(() => {
      const panel = (globalThis as PageGlobals).document.querySelector('[data-testid="analysis-result"]').cloneNode(true);
      panel.querySelectorAll('[data-testid="impact-people"] tbody, [data-testid="impact-assets"] tbody, [data-testid="evacuation-board"] tbody').forEach((n: PageGlobals) => n.remove());
      return panel.textContent;
    })) as string;
    expect(own).not.toMatch(/[\u4e00-\u9fff]/);
    expect(await page.getByTestId('impact-list').locator('h2').innerText()).toBe('Impact assessment');
    expect(await page.getByTestId('raster-legend').locator('figcaption').innerText()).toMatch(/depth/i);
    await page.goto(`${base}/analyses?lang=zh`);
    await page.getByTestId('analysis-form').waitFor();
    expect(watched.errors).toEqual([]);
  });
});

/** The layer shown first is the deepest water's (maxDepth or depth), else the first. */
function imageUrlMatches(url: string, layers: { name: string; imageUrl: string }[]): boolean {
  const first = layers.find((l) => ['maxDepth', 'depth', 'finalDepth'].includes(l.name)) ?? layers[0];
  return first?.imageUrl === url;
}
