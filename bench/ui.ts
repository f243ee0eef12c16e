/**
 * The cockpit's figures in headless Chromium (Debian's, driven by playwright-core):
 * - firstMapMs: from navigation to the cockpit map drawn with every open case of the demo city
 *   (100,000 by default) clustered on it — page, scripts, focus, boundaries, the case columns,
 *   clustering in MapLibre's worker and the first idle frame;
 * - panFps: frames per second while the map is panned one step per frame over those cases, once
 *   the side panels (asked for after the first map) have come;
 * - firstScreenJsGzipBytes: gzipped size of every script the cockpit loaded until the first map
 *   (main thread and MapLibre's worker), as web/dist's .gz files.
 * The cases are real: reported through CaseService into a fresh SQLite store of the full demo
 * city, at seeded random places inside it.
 */
import { mkdtempSync, mkdirSync, rmSync, statSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSettings } from '../src/config.ts';
import { openPlatform } from '../src/platform.ts';
import { resetDemoCity, DEMO_PASSWORD } from '../cities/chongqing/demo/demo-city.ts';
import { buildApp } from '../src/http/app.ts';
import { SYSTEM_PRINCIPAL } from '../src/auth/principal.ts';
import { createRandom } from '../src/geo/seeded-random.ts';
import { buildWebIfStale } from '../web/scripts/build-if-stale.mjs';

const DIST = fileURLToPath(new URL('../web/dist/', import.meta.url));
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface UiBenchResult {
  firstMapMs: number;
  panFps: number;
  firstScreenJsGzipBytes: number;
}

export interface UiBenchOptions {
  /** Open cases on the map (default 100,000). */
  readonly cases?: number;
  /** Seconds of panning (default 3). */
  readonly seconds?: number;
  /** The viewer: city.operator sees the whole city. */
  readonly user?: string;
  /** Measurements in fresh browser contexts; the figures are their medians (default 3). */
  readonly runs?: number;
  /**
   * A folder to keep the seeded store in and use again (seeding 100,000 cases takes minutes):
   * for working on the figures; without it the store is made and removed each time.
   */
  readonly store?: string;
  readonly log?: (m: string) => void;
}

/** Chromium's flags in the bench: see docs/guides/cockpit.md (Figures) for why these. */
export const BENCH_CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const CATEGORIES = ['municipal.water.burst', 'municipal.manhole.missing', 'environment.riverbank-litter', 'street-order.vagrancy', 'advertising.flyers'];
const PRIORITIES = ['low', 'normal', 'normal', 'high', 'urgent'] as const;

/**
 * The server side of a live cockpit over the same cases, measured after the browser runs: a case is
 * reported and the city's summary asked for, which waits for the case index to be rebuilt (read and
 * clustered on its own thread). `rebuildMs`: report to answer; `longestStallMs`: the longest time
 * the server's event loop was held meanwhile (what every other request waited at worst). Medians of 3.
 */
export interface CaseIndexFigures {
  readonly rebuildMs: number;
  readonly longestStallMs: number;
}

export async function runUiBench(opts: UiBenchOptions = {}): Promise<UiBenchResult & { cases: number; seedSeconds: number; jsFiles: string[]; runs: { firstMapMs: number; panFps: number; marks: [string, number][] }[]; renderer: string; jsGzipBytesByFile: Record<string, number>; caseIndex: CaseIndexFigures }> {
  const log = opts.log ?? (() => undefined);
  const total = opts.cases ?? 100_000;
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`bench ui needs Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium`);
  const { chromium } = await import('playwright-core');
  log('ui: building the web app if stale');
  await buildWebIfStale({ quiet: true });

  const dir = opts.store ?? mkdtempSync(join(tmpdir(), 'cityloop-bench-ui-'));
  mkdirSync(dir, { recursive: true });
  const marker = join(dir, 'bench-ui-seeded.json');
  const seeded = opts.store && existsSync(marker) && (JSON.parse(readFileSync(marker, 'utf8')) as { cases: number }).cases === total;
  const settings = { ...readSettings({}), dataDir: dir, demo: false, mqttUrl: undefined, timerIntervalMs: 3_600_000 };
  const platform = await openPlatform(settings, { classifier: null });
  try {
    const t0 = performance.now();
    if (seeded) log(`ui: using the store seeded before in ${dir}`);
    else await seed();
    async function seed() {
    log('ui: loading the whole demo city');
    await resetDemoCity(platform.store);
    await platform.reload();
    const categories = CATEGORIES.filter((c) => platform.org.category(c));
    const resolver = platform.resolver();
    const districts = resolver.list('district');
    const rnd = createRandom(7);
    const boxes = districts.map((d) => {
      let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
      const walk = (c: unknown): void => {
        if (Array.isArray(c) && typeof c[0] === 'number') {
          minX = Math.min(minX, c[0] as number); maxX = Math.max(maxX, c[0] as number);
          minY = Math.min(minY, c[1] as number); maxY = Math.max(maxY, c[1] as number);
        } else if (Array.isArray(c)) for (const x of c) walk(x);
      };
      walk((d.geometry as { coordinates?: unknown } | null)?.coordinates);
      return [minX, minY, maxX, maxY] as const;
    });
    // Denser in the nine central districts, as a real city's reports are.
    const central = new Set(['500103', '500104', '500105', '500106', '500107', '500108', '500112', '500113', '500109']);
    const centralIdx = districts.map((d, k) => (central.has(d.code) ? k : -1)).filter((k) => k >= 0);
    const point = (): [number, number] => {
      for (;;) {
        const i = centralIdx.length > 0 && rnd() < 0.6 ? centralIdx[Math.floor(rnd() * centralIdx.length)]! : Math.floor(rnd() * districts.length);
        const b = boxes[i]!;
        if (!Number.isFinite(b[0])) continue;
        const x = b[0] + rnd() * (b[2] - b[0]);
        const y = b[1] + rnd() * (b[3] - b[1]);
        if (resolver.resolveLowest(x, y)) return [x, y];
      }
    };
    log(`ui: reporting ${total} cases`);
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < total) {
          const n = next++;
          const [lng, lat] = point();
          await platform.cases.report(SYSTEM_PRINCIPAL, { source: 'sensor', categoryCode: categories[n % categories.length]!, title: `事件 ${n}`, lng, lat, crs: 'gcj02', priority: PRIORITIES[n % PRIORITIES.length] });
          if (n % 10_000 === 0 && n > 0) log(`ui: ${n} cases`);
        }
      }),
    );
    if (opts.store) writeFileSync(marker, JSON.stringify({ cases: total }));
    }
    log(`ui: ready in ${Math.round((performance.now() - t0) / 100) / 10} s; starting the server and Chromium`);

    const app = await buildApp(platform);
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: BENCH_CHROMIUM_ARGS });
    try {
      const signIn = await app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username: opts.user ?? 'city.operator', password: DEMO_PASSWORD } });
      const session = signIn.json() as { token: string; expiresAt: string; user: unknown };
      const runs: { firstMapMs: number; panFps: number; firstScreenJsGzipBytes: number; cases: number; jsFiles: string[]; marks: [string, number][]; renderer: string }[] = [];
      for (let run = 0; run < Math.max(1, opts.runs ?? 3); run++) {
        // A fresh context each time: nothing cached, as on a first visit.
        const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
        await ctx.addInitScript(`localStorage.setItem('cityloop.session', ${JSON.stringify(JSON.stringify(session))})`);
        const scripts = new Set<string>();
        ctx.on('request', (r) => {
          const u = new URL(r.url());
          if (u.pathname.startsWith('/assets/') && u.pathname.endsWith('.js')) scripts.add(u.pathname);
        });
        const page = await ctx.newPage();
        await page.goto(`${base}/cockpit`);
        // A function, not a string: the app's Content-Security-Policy forbids the eval a polled string needs.
        await page.waitForFunction(() => typeof (globalThis as { __cityloopFirstMapMs?: number }).__cityloopFirstMapMs === 'number', undefined, { timeout: 120_000, polling: 50 });
        const firstMapMs = Math.round(Number(await page.evaluate('window.__cityloopFirstMapMs')));
        const shown = Number(await page.evaluate('window.__cockpit.caseCount'));
        const marks = (await page.evaluate('performance.getEntriesByType("mark").map((m) => [m.name, Math.round(m.startTime)])')) as [string, number][];
        const renderer = String(await page.evaluate(`(() => { const gl = window.__cockpit.map.painter.context.gl; const i = gl.getExtension('WEBGL_debug_renderer_info'); return i ? gl.getParameter(i.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER); })()`));
        log(`ui: run ${run + 1}: first map ${firstMapMs} ms, marks ${JSON.stringify(marks)}; WebGL: ${renderer}`);
        // The first screen's scripts: those the page asked for until the first map, by its own
        // resource timing (the side panels' code comes after it, with them), and MapLibre's worker.
        const requested = await page.evaluate((): string[] => {
          const g = globalThis as unknown as { performance: { getEntriesByType(t: string): { name: string; startTime: number }[] }; __cityloopFirstMapMs: number };
          return g.performance.getEntriesByType('resource').filter((e) => e.startTime <= g.__cityloopFirstMapMs).map((e) => new URL(e.name).pathname);
        });
        const firstScreen = new Set<string>(requested.filter((p) => scripts.has(p)));
        for (const w of page.workers()) {
          const u = new URL(w.url());
          if (u.pathname.endsWith('.js')) firstScreen.add(u.pathname);
        }
        const jsFiles = [...firstScreen].sort();
        // The pan is measured on the settled cockpit: the side panels are asked for once the first
        // map is drawn, and their answers and rendering are not the map's frame rate.
        await page.getByTestId('vitals-panel').waitFor({ timeout: 15_000 }).catch(() => undefined);
        await page.waitForTimeout(500);
        const seconds = opts.seconds ?? 3;
        const panFps = Number(
          await page.evaluate(`(async () => {
            const m = window.__cockpit.map;
            await new Promise((r) => (m.loaded() ? r() : m.once('idle', r)));
            let frames = 0;
            const t0 = performance.now();
            let dir = 1;
            await new Promise((done) => {
              const step = () => {
                frames++;
                if (frames % 60 === 0) dir = -dir;
                m.panBy([12 * dir, 4 * dir], { animate: false });
                if (performance.now() - t0 < ${seconds * 1000}) requestAnimationFrame(step);
                else done();
              };
              requestAnimationFrame(step);
            });
            return frames / ((performance.now() - t0) / 1000);
          })()`),
        );
        log(`ui: run ${run + 1}: pan ${panFps.toFixed(1)} fps`);
        const firstScreenJsGzipBytes = jsFiles.reduce((sum, p) => {
          const f = join(DIST, p.replace(/^\//, ''));
          return sum + (existsSync(`${f}.gz`) ? statSync(`${f}.gz`).size : statSync(f).size);
        }, 0);
        runs.push({ firstMapMs, panFps, firstScreenJsGzipBytes, cases: shown, jsFiles, marks, renderer });
        await ctx.close();
      }
      const last = runs[runs.length - 1]!;
      const rebuilds: { rebuildMs: number; longestStallMs: number }[] = [];
      for (let i = 0; i < 3; i++) {
        // A 5 ms ticker: how late it runs is how long the event loop was held. (perf_hooks'
        // monitorEventLoopDelay missed most of these stalls when tried.)
        let longestStallMs = 0;
        let tick = performance.now();
        const ticker = setInterval(() => {
          const now = performance.now();
          longestStallMs = Math.max(longestStallMs, now - tick - 5);
          tick = now;
        }, 5);
        const t = performance.now();
        await platform.cases.report(SYSTEM_PRINCIPAL, { source: 'sensor', categoryCode: CATEGORIES[0]!, title: `事件 ${total + i}`, lng: 106.55, lat: 29.56, crs: 'gcj02', priority: 'normal' });
        await app.inject({ method: 'GET', url: '/api/v1/map/cases/summary', headers: { authorization: `Bearer ${session.token}` } });
        const rebuildMs = performance.now() - t;
        // The ticker sees a stall when it next runs: give it that turn before reading it.
        await new Promise((r) => setTimeout(r, 20));
        clearInterval(ticker);
        rebuilds.push({ rebuildMs, longestStallMs: Math.max(0, longestStallMs) });
      }
      const caseIndex = { rebuildMs: Math.round(median(rebuilds.map((r) => r.rebuildMs))), longestStallMs: Math.round(median(rebuilds.map((r) => r.longestStallMs))) };
      log(`ui: case index rebuilt in ${caseIndex.rebuildMs} ms after a change; the server's longest stall meanwhile ${caseIndex.longestStallMs} ms`);
      return {
        firstMapMs: Math.round(median(runs.map((r) => r.firstMapMs))),
        panFps: Math.round(median(runs.map((r) => r.panFps)) * 10) / 10,
        firstScreenJsGzipBytes: Math.max(...runs.map((r) => r.firstScreenJsGzipBytes)),
        cases: last.cases,
        seedSeconds: seeded ? 0 : Math.round((performance.now() - t0) / 100) / 10,
        jsFiles: last.jsFiles,
        runs: runs.map((r) => ({ firstMapMs: r.firstMapMs, panFps: Math.round(r.panFps * 10) / 10, marks: r.marks })),
        renderer: last.renderer,
        caseIndex,
        jsGzipBytesByFile: Object.fromEntries(last.jsFiles.map((p) => {
          const f = join(DIST, p.replace(/^\//, ''));
          return [p, existsSync(`${f}.gz`) ? statSync(`${f}.gz`).size : statSync(f).size];
        })),
      };
    } finally {
      await browser.close();
      await app.close();
    }
  } finally {
    await platform.close();
    if (!opts.store) rmSync(dir, { recursive: true, force: true });
  }
}

// `npx tsx bench/ui.ts [--cases N] [--runs N] [--seconds S] [--store DIR] [--json]`
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const json = process.argv.includes('--json');
  const num = (name: string) => (arg(name) !== undefined ? Number(arg(name)) : undefined);
  runUiBench({
    ...(num('--cases') ? { cases: num('--cases')! } : {}),
    ...(num('--runs') ? { runs: num('--runs')! } : {}),
    ...(num('--seconds') ? { seconds: num('--seconds')! } : {}),
    ...(arg('--store') ? { store: arg('--store')! } : {}),
    log: json ? () => undefined : (m) => console.error(m),
  }).then(
    (r) => {
      const out = { firstMapMs: r.firstMapMs, panFps: r.panFps, firstScreenJsGzipBytes: r.firstScreenJsGzipBytes };
      console.log(json ? JSON.stringify(out) : JSON.stringify({ ...r }, null, 2));
      process.exit(0);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
