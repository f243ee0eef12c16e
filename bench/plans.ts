/**
 * Plans matched and run per second: a burst-main alarm reported and run by the plan that
 * matches it, in one transaction each, through the same CaseService the API uses — the plan
 * chosen from the registry, its facts read from the asset map (the nearest water main within 50 m
 * decides district or city), its units resolved, and the case, its PlanApplied, registration,
 * dispatch, tasks and timers persisted. Points are seeded and scattered within 30 m of the two
 * demo burst sites (a DN300 main by 国宾医院, the DN800 trunk on 长江二路), so both levels run.
 * Then the nearest-asset figure of `bench/assets.ts` (1,000,000 generated main segments).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSettings } from '../src/config.ts';
import { openPlatform, type Platform } from '../src/platform.ts';
import { resetDemoCity } from '../cities/chongqing/demo/demo-city.ts';
import { SYSTEM_PRINCIPAL } from '../src/auth/principal.ts';
import { DEMO_POINTS } from '../cities/chongqing/demo/demo-assets.ts';
import { createRandom } from '../src/geo/seeded-random.ts';
import { METERS_PER_DEGREE } from '../src/geo/geometry.ts';
import type { CaseCommand } from '../src/cases/decide-case.ts';
import { runAssetBench } from './assets.ts';

const DISTRICT = '500103'; // 渝中区
const SITES = [DEMO_POINTS.guobinHospital, DEMO_POINTS.trunkMainBurst] as const;
const RADIUS_M = 30;
const CONCURRENCY = 16;

export interface PlansBenchResult {
  plansPerSecond: number;
  nearestAssetQueriesPerSecond: number;
  /** Cases reported and run by a plan in the timed window. */
  cases: number;
  /** Water-main segments indexed for the nearest-asset figure. */
  segments: number;
  /** Tasks the plan dispatched per case, on average. */
  tasksPerCase: number;
  /** Share of the timed cases the plan gave to the city tier (the rest: district). */
  cityShare: number;
  concurrency: number;
  store: string;
}

/** A seeded point uniformly inside a disc of RADIUS_M around one of the sites, alternating. */
function pointsNearSites(seed: number): () => [number, number] {
  const rnd = createRandom(seed);
  let i = 0;
  return () => {
    const [x, y] = SITES[i++ % SITES.length]!;
    const r = RADIUS_M * Math.sqrt(rnd());
    const a = rnd() * 2 * Math.PI;
    const kx = METERS_PER_DEGREE * Math.cos((y * Math.PI) / 180);
    return [x + (r * Math.cos(a)) / kx, y + (r * Math.sin(a)) / METERS_PER_DEGREE];
  };
}

async function measure(platform: Platform, seconds: number) {
  const point = pointsNearSites(42);
  const applyPlan: CaseCommand[] = [{ type: 'apply_plan' }];
  let n = 0;
  const one = async () => {
    const [lng, lat] = point();
    n += 1;
    const doc = await platform.cases.reportAndRun(
      SYSTEM_PRINCIPAL,
      { categoryCode: 'municipal.water.burst', source: 'sensor', title: `供水管道爆管预警 ${n}`, lng, lat, crs: 'gcj02' },
      applyPlan,
    );
    if (!doc.plan || doc.tasks.length === 0) throw new Error(`case ${doc.number} was not run by a plan`);
    return doc;
  };
  // Warm-up: JIT, statement caches, the plan's compiled expressions.
  for (let i = 0; i < 50; i++) await one();
  const tasksBefore = await countTasks(platform);
  let done = 0;
  let tasks = 0;
  let city = 0;
  const deadline = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const doc = await one();
        done += 1;
        tasks += doc.tasks.length;
        if (doc.tier === 'city') city += 1;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  // The tasks must be in the store, not only in the returned documents.
  const persisted = (await countTasks(platform)) - tasksBefore;
  if (persisted !== tasks) throw new Error(`expected ${tasks} task rows, found ${persisted}`);
  return { plansPerSecond: Math.round(done / elapsed), cases: done, tasksPerCase: done ? tasks / done : 0, cityShare: done ? city / done : 0 };
}

async function countTasks(platform: Platform): Promise<number> {
  const row = await platform.store.db.selectFrom('tasks').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function runPlansBench(opts: { seconds?: number; log?: (m: string) => void } = {}): Promise<PlansBenchResult> {
  const seconds = opts.seconds ?? 5;
  const log = opts.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'cityloop-bench-plans-'));
  const settings = { ...readSettings({}), dataDir: dir, databaseUrl: undefined, demo: false };
  const platform = await openPlatform(settings, {});
  let run: Awaited<ReturnType<typeof measure>>;
  let store: string;
  try {
    log(`plans: loading ${DISTRICT} into ${platform.store.description}`);
    await resetDemoCity(platform.store, { districts: [DISTRICT] });
    // Loads the org, the asset map and the plans folder (it needs the categories).
    await platform.reload();
    if (!platform.plans.latest('water-main-burst')) throw new Error('the plan water-main-burst is not loaded (PLANS_DIR?)');
    log(`plans: measuring for ${seconds}s with ${CONCURRENCY} in flight`);
    run = await measure(platform, seconds);
    store = platform.store.description;
    log(`plans: ${run.plansPerSecond}/s, ${run.tasksPerCase.toFixed(1)} tasks a case, ${(run.cityShare * 100).toFixed(0)}% city level`);
  } finally {
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  }
  log('plans: nearest-asset queries over generated mains');
  const assets = await runAssetBench({ seconds, onProgress: (m) => log(`plans: ${m}`) });
  return {
    plansPerSecond: run.plansPerSecond,
    nearestAssetQueriesPerSecond: assets.nearestAssetQueriesPerSecond,
    cases: run.cases,
    segments: assets.segments,
    tasksPerCase: Math.round(run.tasksPerCase * 100) / 100,
    cityShare: Math.round(run.cityShare * 1000) / 1000,
    concurrency: CONCURRENCY,
    store,
  };
}
