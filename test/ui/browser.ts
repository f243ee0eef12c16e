import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildWebIfStale } from '../../web/scripts/build-if-stale.mjs';
import { ManualClock } from '../../src/clock.ts';
import { openTestPlatform, type TestPlatform } from '../support/test-platform.ts';

/** Debian's Chromium (`apt-get install -y chromium`); the browser tests skip without it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Under CI=true a missing browser is a failure (the launch throws), never a silent skip.
export const HAS_CHROMIUM = existsSync(CHROMIUM) || process.env.CI === 'true';
export const SKIP_REASON = `browser tests skipped: no Chromium at ${CHROMIUM} (install it with \`apt-get install -y chromium\`; .ci/run does)`;

/** Flags for a closed network: no background fetches, no component updates, no QUIC probes. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const SCREENSHOT_DIR = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
/** Screenshots for the README are written only when asked (CITYLOOP_SCREENSHOTS=1), so a test run leaves the tree clean. */
export const WRITE_SCREENSHOTS = process.env.CITYLOOP_SCREENSHOTS === '1';

export async function ensureWebBuilt(): Promise<void> {
  await buildWebIfStale({ quiet: true });
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Console errors and uncaught exceptions of a page: a test ends by expecting none. */
export interface WatchedPage {
  readonly page: Page;
  readonly errors: string[];
  /** Answers a test provokes on purpose (a refused plan): Chromium logs every 4xx as a console error. */
  readonly expected: RegExp[];
}

export async function newWatchedPage(ctx: BrowserContext): Promise<WatchedPage> {
  const page = await ctx.newPage();
  const errors: string[] = [];
  const expected: RegExp[] = [];
  page.on('console', (m) => {
    const line = `console: ${m.text()} @ ${m.location().url}`;
    if (m.type() === 'error' && !expected.some((r) => r.test(line))) errors.push(line);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return { page, errors, expected };
}

export async function signIn(page: Page, base: string, username: string): Promise<void> {
  await page.goto(`${base}/signin`);
  await page.getByLabel(/用户名|User name/).fill(username);
  await page.getByLabel(/密码|Password/).fill('cityloop-demo');
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  if (!WRITE_SCREENSHOTS) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}

export { roadSnapshotPng } from '../support/png.ts';

/**
 * The web app built, the real server on a free port and Chromium launched. The server's clock is
 * the real one, so the clocks the browser shows are real too.
 */
export async function startUiServer(): Promise<{ t: TestPlatform; base: string; browser: Browser }> {
  await ensureWebBuilt();
  const t = await openTestPlatform('sqlite', { clock: new ManualClock(new Date()) });
  const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  return { t, base, browser: await launchChromium() };
}

/** Calls the API in-process as the holder of a token; an answer of 300 or above throws with its body. */
export function apiCaller(t: TestPlatform) {
  return async (token: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload !== undefined ? { payload: payload as never } : {}) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json() as any;
  };
}
