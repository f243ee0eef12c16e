import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../../src/clock.ts';
import { readSettings, type Settings } from '../../src/config.ts';
import { openPlatform, type Platform, type PlatformSettings } from '../../src/platform.ts';
import { buildApp } from '../../src/http/app.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/actions/mqtt/embedded-broker.ts';

/** The PostgreSQL suite runs when TEST_DATABASE_URL is set (CI sets it); otherwise it is skipped. */
export const PG_URL = process.env.TEST_DATABASE_URL;
export type Dialect = 'sqlite' | 'postgres';
export const DIALECTS: Dialect[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/** The tiny city pack only tests use (pass it as `cityPack`): two districts, four streets, a handful of units. */
export const TINY_PACK_DIR = fileURLToPath(new URL('../cities/tiny', import.meta.url));

/** Of the default pack (Chongqing): 渝中区, 南岸区 and 沙坪坝区 (the underpass): enough for every scenario, quick to generate. */
export const TEST_DISTRICTS = ['500103', '500106', '500108'];

export interface TestPlatform {
  readonly platform: Platform;
  readonly app: FastifyInstance;
  readonly clock: ManualClock;
  readonly dialect: Dialect;
  /** The platform's settings (the pack's defaults filled in). */
  readonly settings: PlatformSettings;
  signIn(username: string): Promise<string>;
  close(): Promise<void>;
  /** Closes the platform and opens it again on the same store, as a restart would. */
  restart(): Promise<TestPlatform>;
  /** Another platform on the same store, as a second process would hold it (the caller closes it). */
  openSecond(): Promise<Platform>;
}

let counter = 0;

export async function openTestPlatform(dialect: Dialect, opts: { clock?: ManualClock; seed?: boolean; mqttUrl?: string; mqttCredentials?: { username: string; password: string }; districts?: string[]; settings?: Partial<Settings>; cityPack?: string } = {}): Promise<TestPlatform> {
  const dir = mkdtempSync(join(tmpdir(), 'cityloop-test-'));
  const schema = dialect === 'postgres' ? `t_${process.pid}_${Date.now()}_${counter++}` : undefined;
  // The pack is read as CITY_PACK would be, so that its folders (plans, rules) become the defaults.
  const settings: Settings = { ...readSettings(opts.cityPack ? { CITY_PACK: opts.cityPack } : {}), dataDir: dir, databaseUrl: dialect === 'postgres' ? PG_URL : undefined, demo: false, timerIntervalMs: 60_000, ...(opts.settings ?? {}) };
  const clock = opts.clock ?? new ManualClock('2026-03-02T01:00:00Z'); // Monday 09:00 in Chongqing
  const open = async (seed: boolean): Promise<TestPlatform> => {
    const platform = await openPlatform(settings, { clock, ...(schema ? { pgSchema: schema } : {}), ...(opts.mqttUrl ? { mqttUrl: opts.mqttUrl } : {}), ...(opts.mqttCredentials ? { mqttCredentials: opts.mqttCredentials } : {}) });
    const demo = platform.pack.demo;
    if (seed) {
      if (!demo) throw new Error(`city pack ${platform.pack.id} has no demo to seed the test store with`);
      // The districts option narrows the default pack's 38 districts; a tiny pack ignores it.
      await demo.seed(platform.store, { districts: opts.districts ?? TEST_DISTRICTS });
      await platform.reload();
    }
    const app = await buildApp(platform);
    const tp: TestPlatform = {
      platform,
      app,
      clock,
      dialect,
      settings: platform.settings,
      async signIn(username) {
        const res = await app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username, password: demo?.password } });
        if (res.statusCode !== 200) throw new Error(`sign-in of ${username} failed: ${res.body}`);
        return (res.json() as { token: string }).token;
      },
      async close() {
        await app.close();
        if (schema) await platform.store.db.schema.dropSchema(schema).ifExists().cascade().execute();
        await platform.close();
        rmSync(dir, { recursive: true, force: true });
      },
      async restart() {
        await app.close();
        await platform.close();
        return open(false);
      },
      openSecond: () => openPlatform(settings, { clock, ...(schema ? { pgSchema: schema } : {}), classifier: null }),
    };
    return tp;
  };
  return open(opts.seed ?? true);
}

/**
 * A test platform behind a gated embedded broker, as `serve` runs it: devices log in with their
 * secrets, the platform with the broker's own credentials. `restart()` keeps the broker and sets
 * its gate on the new platform.
 */
export async function openGatedTestPlatform(dialect: Dialect, clock: ManualClock, settings?: Partial<Settings>): Promise<{ tp: TestPlatform; broker: EmbeddedBroker; restart(): Promise<TestPlatform>; close(): Promise<void> }> {
  const broker = await startEmbeddedBroker({ port: 0, gated: true });
  let tp = await openTestPlatform(dialect, { clock, mqttUrl: broker.url, mqttCredentials: broker.platformCredentials, ...(settings ? { settings } : {}) });
  broker.setGate(tp.platform.sensing.gate());
  const handle = {
    get tp() {
      return tp;
    },
    broker,
    async restart() {
      tp = await tp.restart();
      broker.setGate(tp.platform.sensing.gate());
      return tp;
    },
    async close() {
      await tp.close();
      await broker.close();
    },
  };
  return handle;
}
