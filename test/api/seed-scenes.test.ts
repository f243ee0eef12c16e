import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { testHttp } from '../support/http.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/actions/mqtt/embedded-broker.ts';
import { connectSimulatedDevice, type SimulatedDevice } from '../../src/actions/simulated-device.ts';
import { DEMO_POINTS } from '../../cities/chongqing/demo/demo-assets.ts';
import { unitIdOf } from '../../cities/chongqing/demo/demo-city.ts';
import { verifyEventLog } from '../../src/events/event-log.ts';

interface Scene {
  readonly name: string;
  readonly plan: string;
  readonly category: string;
  readonly source: string;
  readonly point: readonly [number, number];
  /** Who reports and applies the plan, and who steers the case afterwards. */
  readonly operator: string;
  readonly steerer: string;
  readonly tier: 'city' | 'district';
  readonly center: string;
  readonly tasks: readonly [key: string, role: 'lead' | 'assist', unit: string | RegExp][];
  readonly actions: readonly [key: string, target: string, outcome: string][];
  readonly after?: (t: TestPlatform, devices: SimulatedDevice[]) => void;
}

const community = /^unit-\d{9}-community$/;
const SCENES: Scene[] = [
  {
    name: '城市供水爆管处置 — under 500 mm, the district leads',
    plan: 'water-main-burst', category: 'municipal.water.burst', source: 'sensor', point: DEMO_POINTS.guobinHospital,
    operator: 'yuzhong.operator', steerer: 'yuzhong.operator', tier: 'district', center: 'center-500103',
    tasks: [
      ['repair', 'lead', unitIdOf('500103', 'water-supply')],
      ['traffic', 'assist', unitIdOf('500103', 'traffic-police')],
      ['utilities', 'assist', unitIdOf('500103', 'economy-it')],
      ['emergency-water', 'assist', unitIdOf('500103', 'fire-rescue')],
      ['notify-residents', 'assist', community],
    ],
    actions: [['notify-hotline', 'log:water-hotline', 'delivered']],
  },
  {
    name: '城市供水爆管处置 — 500 mm and more, the city leads with city units',
    plan: 'water-main-burst', category: 'municipal.water.burst', source: 'sensor', point: DEMO_POINTS.trunkMainBurst,
    operator: 'yuzhong.operator', steerer: 'city.operator', tier: 'city', center: 'center-500000',
    tasks: [
      ['repair', 'lead', unitIdOf('500103', 'water-supply')],
      ['traffic', 'assist', unitIdOf('500103', 'traffic-police')],
      ['utilities', 'assist', unitIdOf('500103', 'economy-it')],
      ['emergency-water', 'assist', unitIdOf('500103', 'fire-rescue')],
      ['notify-residents', 'assist', community],
      ['city-coordination', 'assist', unitIdOf('500000', 'water-supply')],
      ['city-urban', 'assist', unitIdOf('500000', 'urban-management')],
    ],
    actions: [['notify-hotline', 'log:water-hotline', 'delivered']],
  },
  {
    name: '下穿道积水处置 — signals red before anyone acts, restored at closure',
    plan: 'underpass-waterlogging', category: 'safety.underpass-waterlogging', source: 'sensor', point: DEMO_POINTS.nankaiUnderpass,
    operator: 'city.operator', steerer: 'city.operator', tier: 'district', center: 'center-500106',
    tasks: [
      ['traffic-control', 'lead', unitIdOf('500106', 'traffic-police')],
      ['drainage', 'assist', unitIdOf('500106', 'housing-construction')],
      ['site-order', 'assist', unitIdOf('500106', 'urban-management')],
    ],
    actions: [
      ['signals-red', 'signal-nankai-n', 'confirmed'],
      ['signals-red', 'signal-nankai-s', 'confirmed'],
    ],
    after: (_t, devices) => expect(devices.map((d) => d.state.phase)).toEqual(['normal', 'normal']),
  },
  {
    name: '渣土车撒漏 — city management enforces within 30 minutes',
    plan: 'muck-truck-spillage', category: 'construction.muck-spillage', source: 'camera', point: DEMO_POINTS.jiefangbei,
    operator: 'yuzhong.operator', steerer: 'yuzhong.operator', tier: 'district', center: 'center-500103',
    tasks: [
      ['enforcement', 'lead', unitIdOf('500103', 'urban-management')],
      ['source-site', 'assist', unitIdOf('500103', 'housing-construction')],
    ],
    actions: [],
  },
  {
    name: '森林火情处置 — forestry leads, villages around are told',
    plan: 'forest-fire', category: 'safety.forest-fire', source: 'sensor', point: DEMO_POINTS.nanshanForestFire,
    operator: 'nanan.operator', steerer: 'nanan.operator', tier: 'district', center: 'center-500108',
    tasks: [
      ['forestry', 'lead', unitIdOf('500108', 'forestry')],
      ['fire-brigade', 'assist', unitIdOf('500108', 'fire-rescue')],
      ['emergency', 'assist', unitIdOf('500108', 'emergency-management')],
      ['notify-villages', 'assist', community],
    ],
    actions: [['notify-villages', 'log:village-broadcast', 'delivered']],
  },
  {
    name: '窨井盖缺失 — the owning unit sets a barrier within an hour',
    plan: 'manhole-cover', category: 'municipal.manhole.missing', source: 'grid_worker', point: DEMO_POINTS.ownedManhole,
    operator: 'yuzhong.operator', steerer: 'yuzhong.operator', tier: 'district', center: 'center-500103',
    tasks: [['owner-repair', 'lead', unitIdOf('500103', 'urban-management')]],
    actions: [],
  },
  {
    name: '跨区域协同 — a trail on the border of 渝中 and 南岸',
    plan: 'cross-district-coordination', category: 'environment.riverbank-litter', source: 'citizen', point: [106.585, 29.555],
    operator: 'yuzhong.operator', steerer: 'yuzhong.operator', tier: 'district', center: 'center-500103',
    tasks: [
      ['clean-up', 'lead', unitIdOf('500103', 'urban-management')],
      ['clean-up@500108', 'assist', unitIdOf('500108', 'urban-management')],
    ],
    actions: [],
  },
];

describe('the seed scenes, each from the first report to closure', () => {
  let broker: EmbeddedBroker;
  let t: TestPlatform;
  const devices: SimulatedDevice[] = [];
  const tokens: Record<string, string> = {};
  const { ok } = testHttp(() => t.app, (u) => tokens[u]);

  beforeAll(async () => {
    broker = await startEmbeddedBroker({ port: 0 });
    for (const id of ['signal-nankai-n', 'signal-nankai-s']) devices.push(await connectSimulatedDevice({ url: broker.url, deviceId: id }));
    t = await openTestPlatform('sqlite', { mqttUrl: broker.url });
    for (const u of ['admin', 'yuzhong.operator', 'nanan.operator', 'city.operator']) tokens[u] = await t.signIn(u);
  });
  afterAll(async () => {
    await t?.close();
    for (const d of devices) await d.close();
    await broker?.close();
  });

  it.each(SCENES)('$name', async (scene) => {
    const reported = await ok(scene.operator, 'POST', '/api/v1/cases', {
      categoryCode: scene.category, source: scene.source, title: scene.name.split(' — ')[0], lng: scene.point[0], lat: scene.point[1], crs: 'gcj02',
    });
    const c = await ok(scene.operator, 'POST', `/api/v1/cases/${reported.id}/apply-plan`, {});
    expect(c.plan.id).toBe(scene.plan);
    expect(c.tier).toBe(scene.tier);
    expect(c.centerId).toBe(scene.center);
    // A task sent to each street of the grids around (key@street) counts as its plan task.
    const planKey = (k: string) => (scene.tasks.some(([key]) => key === k) ? k : k.split('@')[0]!);
    expect(new Set(c.tasks.map((x: any) => planKey(x.plan.key)))).toEqual(new Set(scene.tasks.map(([key]) => key)));
    for (const [key, role, unit] of scene.tasks) {
      const tasks = c.tasks.filter((x: any) => planKey(x.plan.key) === key);
      expect(tasks.length, key).toBeGreaterThan(0);
      for (const task of tasks) {
        expect(task.role).toBe(role);
        if (typeof unit === 'string') expect(task.unitId).toBe(unit);
        else expect(task.unitId).toMatch(unit);
      }
    }
    await t.platform.actions.idle();
    const applied = await ok(scene.steerer, 'GET', `/api/v1/cases/${c.id}`);
    expect((applied.automaticSteps ?? []).map((a: any) => [a.key, a.target, a.outcome]).sort()).toEqual([...scene.actions].sort());

    // Every unit signs, works and hands back what its plan asks for.
    for (const task of c.tasks) {
      await ok('admin', 'POST', `/api/v1/cases/${c.id}/tasks/${task.id}/accept`, {});
      const evidence: Record<string, unknown> = {};
      if (task.plan.handBack.includes('photo')) {
        const photo = await t.app.inject({ method: 'POST', url: `/api/v1/cases/${c.id}/attachments?fileName=site.jpg`, headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'image/jpeg' }, payload: Buffer.from(`photo of ${task.plan.key}`) });
        evidence.attachmentIds = [photo.json().id];
      }
      await ok('admin', 'POST', `/api/v1/cases/${c.id}/tasks/${task.id}/complete`, { note: `${task.unitName}已完成`, evidence });
    }
    if (scene.plan === 'cross-district-coordination') {
      await ok('nanan.operator', 'POST', `/api/v1/cases/${c.id}/agree-coordination`, { handledByUnitId: scene.tasks[0]![2], maintainedByUnitId: scene.tasks[1]![2], note: '本次由渝中区清理，后续由南岸区保洁' });
    }
    await ok(scene.steerer, 'POST', `/api/v1/cases/${c.id}/report-back`, { summary: '处置完毕' });
    await ok(scene.steerer, 'POST', `/api/v1/cases/${c.id}/check`, { passed: true });
    const closed = await ok(scene.steerer, 'POST', `/api/v1/cases/${c.id}/close`, {});
    expect(closed.state).toBe('closed');
    await t.platform.actions.idle();
    scene.after?.(t, devices);

    const types: string[] = (await ok(scene.steerer, 'GET', `/api/v1/cases/${c.id}/events`)).items.map((e: any) => e.type);
    expect(types.slice(0, 4)).toEqual(['CaseReported', 'PlanApplied', 'CaseRegistered', 'CaseDispatched']);
    expect(types.filter((x) => x === 'TaskCompleted')).toHaveLength(c.tasks.length);
    expect(types).toContain('CaseClosed');
    expect((await verifyEventLog(t.platform.store.db)).ok).toBe(true);
  });
});
