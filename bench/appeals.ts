import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSettings } from '../src/config.ts';
import { openPlatform } from '../src/platform.ts';
import { resetDemoCity } from '../cities/chongqing/demo/demo-city.ts';
import { createRandom } from '../src/geo/seeded-random.ts';
import { runClassifierBench } from './appeals-classifier.ts';
import { readRoutingSet, scoreBySplit, type RoutedAppeal } from './appeal-routing-eval.ts';

const MESSAGES = [
  '广场舞噪音太大，晚上十点还在跳',
  '公交车半小时才来一班，等车太难了',
  '我们小区水压太低，高层用不上水',
  '小区门口的商家卖过期食品，请市场监管部门查处',
  '公司拖欠三个月工资不发，请劳动部门帮忙',
  '附近工厂晚上偷排废气，气味很大',
  '孩子学校乱收补课费，希望教育部门管一管',
  '社区医院排队时间太长，医生态度不好',
];

/**
 * Specific routing on the labelled set (specificAccuracy, familyAccuracy, dangerRecall,
 * dangerPrecision; the dev and held-out parts in routingSet), then appeals taken in end to end per second: classified, placed, routed by the routing table,
 * registered and dispatched — two durable transactions each (the report as the citizen, the routing
 * as the system), on SQLite with 16 in flight; plus the classifier's own speed and held-out score.
 */
export async function runAppealsBench(opts: { seconds?: number; log?: (m: string) => void } = {}) {
  const seconds = opts.seconds ?? 5;
  const log = opts.log ?? (() => {});
  const classifier = await runClassifierBench({ seconds: Math.min(seconds, 3), log });
  const dir = mkdtempSync(join(tmpdir(), 'cityloop-bench-appeals-'));
  const platform = await openPlatform({ ...readSettings({}), dataDir: dir, demo: false });
  try {
    log('appeals: loading 500103 (渝中区)');
    await resetDemoCity(platform.store, { districts: ['500103'] });
    await platform.reload();
    const citizen = await platform.store.db.selectFrom('users').selectAll().where('username', '=', 'citizen.zhang').executeTakeFirstOrThrow();
    const p = platform.auth.principalOf(citizen);
    // Specific routing: the labelled set, each message through the intake POST /api/v1/appeals uses.
    const set = readRoutingSet();
    log(`appeals: routing ${set.length} labelled messages`);
    const routed: RoutedAppeal[] = [];
    for (const m of set) {
      const doc = await platform.intake.submit(p, { text: m.text, lng: 106.5733, lat: 29.5599, crs: 'wgs84', source: 'citizen' });
      routed.push({ categoryCode: doc.categoryCode, priority: doc.priority, danger: doc.routing?.danger ?? null, outcome: doc.routing?.outcome ?? null });
    }
    const familyOf = (code: string) => platform.org.category(code)?.parentCode ?? code;
    const routing = scoreBySplit(set, routed, familyOf);
    const rnd = createRandom(7);
    const one = async () => {
      await platform.intake.submit(p, { text: MESSAGES[Math.floor(rnd() * MESSAGES.length)]!, lng: 106.55 + rnd() * 0.03, lat: 29.552 + rnd() * 0.008, crs: 'gcj02', source: 'citizen' });
    };
    for (let i = 0; i < 50; i++) await one();
    let done = 0;
    const until = performance.now() + seconds * 1000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (performance.now() < until) {
          await one();
          done += 1;
        }
      }),
    );
    const appealsPerSecond = Math.round(done / ((performance.now() - t0) / 1000));
    const { dev, holdout, ...whole } = routing;
    return {
      classifiedPerSecond: classifier.classifiedPerSecond,
      appealsPerSecond,
      macroF1: classifier.macroF1,
      accuracy: classifier.accuracy,
      appeals: done,
      specificAccuracy: whole.specificAccuracy,
      familyAccuracy: whole.familyAccuracy,
      dangerRecall: whole.dangerRecall,
      dangerPrecision: whole.dangerPrecision,
      routingSet: { ...whole, dev, holdout },
    };
  } finally {
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
