import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildWebIfStale } from '../../web/scripts/build-if-stale.mjs';

/** Debian's Chromium (`apt-get install -y chromium`); the browser tests skip without it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
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

/**
 * A camera snapshot for the tests: a PNG of a road at dusk with a brown heap on it (drawn pixel by
 * pixel; real PNG bytes, so it passes the camera door's magic-byte check).
 */
export function roadSnapshotPng(width = 320, height = 180): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(td.length + 8);
    out.writeUInt32BE(data.length, 0);
    td.copy(out, 4);
    out.writeUInt32BE(crc(td), td.length + 4);
    return out;
  };
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      const horizon = height * 0.4;
      let rgb: [number, number, number];
      if (y < horizon) rgb = [40 + (y * 60) / horizon, 60 + (y * 50) / horizon, 110];
      else {
        const lane = Math.abs(x - width / 2) < 3 && Math.floor(y / 8) % 2 === 0;
        const heap = ((x - width * 0.62) / (width * 0.16)) ** 2 + ((y - height * 0.78) / (height * 0.1)) ** 2 < 1;
        rgb = heap ? [120, 84, 50] : lane ? [230, 220, 120] : [70, 72, 78];
      }
      rows[o + 1 + x * 3] = rgb[0];
      rows[o + 2 + x * 3] = rgb[1];
      rows[o + 3 + x * 3] = rgb[2];
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}
