import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSettings } from '../src/config.ts';
import { openPlatform, type Platform } from '../src/platform.ts';
import { resetDemoCity, unitIdOf } from '../cities/chongqing/demo/demo-city.ts';
import { SYSTEM_PRINCIPAL } from '../src/auth/principal.ts';
import { createRandom } from '../src/geo/seeded-random.ts';
import { geometryBBox } from '../src/geo/geometry.ts';

const DISTRICT = '500103'; // 渝中区

/**
 * Cases reported, registered and dispatched (one lead and one assisting unit) per second,
 * through the same CaseService the API uses: every command its own durable transaction with its
 * events, projections and timers. `concurrency` commands are in flight at once.
 */
async function measure(platform: Platform, seconds: number, concurrency: number, path: 'atomic' | 'stepwise'): Promise<{ casesPerSecond: number; cases: number; events: number }> {
  const rnd = createRandom(42);
  const district = platform.resolver().get(DISTRICT);
  const bbox = district?.geometry ? geometryBBox(district.geometry) : [106.5, 29.53, 106.59, 29.57];
  const point = (): [number, number] => {
    for (;;) {
      const x = bbox[0]! + rnd() * (bbox[2]! - bbox[0]!);
      const y = bbox[1]! + rnd() * (bbox[3]! - bbox[1]!);
      if (platform.resolver().resolveLowest(x, y)) return [x, y];
    }
  };
  const lead = unitIdOf(DISTRICT, 'water-supply');
  const assist = unitIdOf(DISTRICT, 'traffic-police');
  const input = () => {
    const [lng, lat] = point();
    return { source: 'sensor' as const, categoryCode: 'municipal.water.burst', title: '供水管道爆管预警', lng, lat, crs: 'gcj02' as const };
  };
  const dispatch = { type: 'dispatch' as const, tasks: [{ unitId: lead, role: 'lead' as const }, { unitId: assist, role: 'assist' as const }] };
  const one =
    path === 'atomic'
      ? async () => {
          // The automatic path: report, register and dispatch in one transaction.
          await platform.cases.reportAndRun(SYSTEM_PRINCIPAL, input(), [{ type: 'register' }, dispatch]);
        }
      : async () => {
          // An operator's path: three requests, three transactions.
          const doc = await platform.cases.report(SYSTEM_PRINCIPAL, input());
          await platform.cases.execute(SYSTEM_PRINCIPAL, doc.id, { type: 'register' });
          await platform.cases.execute(SYSTEM_PRINCIPAL, doc.id, dispatch);
        };
  // Warm-up: JIT, statement caches, pool connections.
  for (let i = 0; i < 50; i++) await one();
  const eventsBefore = Number((await platform.store.db.selectFrom('log_head').select('seq').executeTakeFirstOrThrow()).seq);
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await one();
        done += 1;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const eventsAfter = Number((await platform.store.db.selectFrom('log_head').select('seq').executeTakeFirstOrThrow()).seq);
  return { casesPerSecond: Math.round(done / elapsed), cases: done, events: eventsAfter - eventsBefore };
}

async function benchOne(databaseUrl: string | undefined, seconds: number, log: (m: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'cityloop-bench-'));
  const settings = { ...readSettings({}), dataDir: dir, databaseUrl, demo: false };
  const schema = databaseUrl ? `bench_${process.pid}_${Date.now()}` : undefined;
  const platform = await openPlatform(settings, schema ? { pgSchema: schema } : {});
  try {
    log(`cases: loading ${DISTRICT} into ${platform.store.description}`);
    await resetDemoCity(platform.store, { districts: [DISTRICT] });
    await platform.reload();
    const concurrency = 16;
    log(`cases: measuring for ${seconds}s with ${concurrency} in flight`);
    const atomic = await measure(platform, seconds, concurrency, 'atomic');
    log(`cases: ${atomic.casesPerSecond}/s in one transaction each; now three transactions each`);
    const stepwise = await measure(platform, seconds, concurrency, 'stepwise');
    return {
      casesPerSecond: atomic.casesPerSecond,
      cases: atomic.cases,
      eventsPerSecond: Math.round((atomic.events / atomic.cases) * atomic.casesPerSecond),
      stepwiseCasesPerSecond: stepwise.casesPerSecond,
      concurrency,
      store: platform.store.description,
    };
  } finally {
    if (schema) await platform.store.db.schema.dropSchema(schema).ifExists().cascade().execute().catch(() => {});
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runCasesBench(opts: { seconds?: number; log?: (m: string) => void } = {}) {
  const seconds = opts.seconds ?? 5;
  const log = opts.log ?? (() => {});
  const sqlite = await benchOne(undefined, seconds, log);
  const pgUrl = process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : process.env.TEST_DATABASE_URL;
  const postgres = pgUrl ? await benchOne(pgUrl, seconds, log) : null;
  return { sqlite, ...(postgres ? { postgres } : {}) };
}
