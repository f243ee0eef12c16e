import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { expectProblem, testHttp } from '../support/http.ts';
import { centerIdOf, unitIdOf } from '../../cities/chongqing/demo/demo-city.ts';
import type { Grid } from '../../src/raster/grid.ts';
import { crsTransform } from '../../src/raster/raster-crs.ts';
import { gcj02ToWgs84 } from '../../src/geo/crs.ts';
import { verifyEventLog } from '../../src/events/event-log.ts';

/**
 * 灾害态势研判 and 避险转移 end to end: a real lake analysis (the analyses' runner on its worker
 * thread) over a bowl of terrain around 解放碑, its impact over the demo city's generated
 * population, the evacuation case with a task per community, counts by the community office and
 * the center's override — and every refusal of the routes.
 */
const CENTRE_GCJ = { lng: 106.577, lat: 29.557 };
const BOTTOM_M = 200;
/** z = bottom + r² / CURVATURE: at 218 m the lake reaches 600 m from the centre. */
const CURVATURE_M = 20_000;
const LEVEL_M = 218;

function bowl(size: number, cell: number): Grid {
  const [cx, cy] = crsTransform('EPSG:32648').fromWgs84(...gcj02ToWgs84(CENTRE_GCJ.lng, CENTRE_GCJ.lat));
  const data = new Float32Array(size * size);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const dx = (col - size / 2) * cell;
      const dy = (row - size / 2) * cell;
      data[row * size + col] = BOTTOM_M + (dx * dx + dy * dy) / CURVATURE_M;
    }
  }
  return { width: size, height: size, originX: cx - (size / 2 + 0.5) * cell, originY: cy + (size / 2 + 0.5) * cell, cellWidth: cell, cellHeight: cell, crs: 'EPSG:32648', sourceNodata: null, data };
}

describe('flood impact and evacuation through the API', () => {
  let t: TestPlatform;
  let analysisId: string;
  const tokens: Record<string, string> = {};
  const { call, ok } = testHttp(() => t.app, (u) => tokens[u]);

  beforeAll(async () => {
    // 渝中 holds the flood; 南岸 is the other district every refusal is tried from.
    t = await openTestPlatform('sqlite', { districts: ['500103', '500108'] });
    for (const u of ['yuzhong.operator', 'yuzhong.water', 'nanan.operator', 'gridworker', 'citizen.zhang', 'city.operator']) tokens[u] = await t.signIn(u);
    const raster = await t.platform.rasters.save(bowl(40, 40), { name: '解放碑碗形地形', kind: 'dem', ownerCenterId: centerIdOf('500103'), createdBy: 'test' });
    const run = await ok('yuzhong.operator', 'POST', '/api/v1/analyses', { model: 'lake', rasterId: raster.id, name: '解放碑积水', inputs: { seed: CENTRE_GCJ, levelM: LEVEL_M } });
    analysisId = run.id;
    await t.platform.analyses.idle();
    expect((await ok('yuzhong.operator', 'GET', `/api/v1/analyses/${analysisId}`)).state).toBe('succeeded');
  }, 60_000);
  afterAll(async () => t?.close());

  it('the impact: communities and grids reached, people by the generated population, earliest arrival first', async () => {
    const impact = await ok('yuzhong.operator', 'GET', `/api/v1/analyses/${analysisId}/impact`);
    expect(impact.populationGenerated).toBe(true);
    expect(impact.floodedAreaM2).toBeGreaterThan(500_000); // a lake of ~600 m radius: ~1.1 km²
    const communities = impact.places.filter((p: any) => p.kind === 'community');
    expect(communities.length).toBeGreaterThanOrEqual(2);
    expect(communities.every((c: any) => c.kindName === '社区（村）' && c.code.startsWith('500103'))).toBe(true);
    // The people affected add up from the grids; the list to move is the communities with people.
    const grids = impact.places.filter((p: any) => p.kind === 'grid');
    expect(impact.peopleAffected).toBe(grids.reduce((s: number, g: any) => s + g.peopleAffected, 0));
    expect(impact.peopleToMove.reduce((s: number, c: any) => s + c.people, 0)).toBe(impact.peopleAffected);
    expect(impact.peopleAffected).toBeGreaterThan(0);
    // A lake has no arrival time: every place waits the same, deeper first.
    const depths = impact.peopleToMove.map((c: any) => c.maxDepthM);
    expect([...depths].sort((a: number, b: number) => b - a)).toEqual(depths);
    // Assets under the water, named in the page's language: the demo's substation and road by 解放碑.
    const byId = new Map(impact.assets.map((a: any) => [a.id, a]));
    expect(byId.get('demo-substation-jiefangbei')).toMatchObject({ type: 'substation', typeName: '变电站' });
    expect(byId.get('demo-road-minzu')).toMatchObject({ type: 'road', typeName: '道路' });
    expect((byId.get('demo-substation-jiefangbei') as any).depthM).toBeGreaterThan(0.15);
    const en = await ok('yuzhong.operator', 'GET', `/api/v1/analyses/${analysisId}/impact?lang=en`);
    expect(en.places.find((p: any) => p.kind === 'grid').kindName).toBe('grid');
    expect(en.assets.find((a: any) => a.id === 'demo-road-minzu').typeName).toBe('road');
  });

  it('refuses the impact to another district (not found), a citizen (role) and an unknown run', async () => {
    expectProblem(await call('nanan.operator', 'GET', `/api/v1/analyses/${analysisId}/impact`), 404, 'NOT_FOUND');
    expectProblem(await call('citizen.zhang', 'GET', `/api/v1/analyses/${analysisId}/impact`), 403, 'FORBIDDEN_ROLE');
    expectProblem(await call(null, 'GET', `/api/v1/analyses/${analysisId}/impact`), 401, 'AUTH_REQUIRED');
    expectProblem(await call('yuzhong.operator', 'GET', '/api/v1/analyses/nope/impact'), 404, 'NOT_FOUND');
  });

  it('the board before the start is not found; only a center starts it, and only its own district', async () => {
    expectProblem(await call('yuzhong.operator', 'GET', `/api/v1/analyses/${analysisId}/evacuation`), 404, 'NOT_FOUND');
    expectProblem(await call('nanan.operator', 'POST', `/api/v1/analyses/${analysisId}/evacuation`, {}), 404, 'NOT_FOUND');
    expectProblem(await call('yuzhong.water', 'POST', `/api/v1/analyses/${analysisId}/evacuation`, {}), 403, 'FORBIDDEN_ROLE');
    expectProblem(await call('citizen.zhang', 'POST', `/api/v1/analyses/${analysisId}/evacuation`, {}), 403, 'FORBIDDEN_ROLE');
  });

  let board: any;
  it('starts 避险转移: one case on the plan, one task per community to its community office; a second start answers the first', async () => {
    const impact = await ok('yuzhong.operator', 'GET', `/api/v1/analyses/${analysisId}/impact`);
    const res = await call('yuzhong.operator', 'POST', `/api/v1/analyses/${analysisId}/evacuation`, {});
    expect(res.status, res.text).toBe(201);
    board = res.body;
    expect(board.communities.map((c: any) => [c.communityCode, c.expected])).toEqual(impact.peopleToMove.map((c: any) => [c.communityCode, c.people]));
    expect(board.totals).toMatchObject({ expected: impact.peopleAffected, moved: 0, staying: 0, missing: 0, accountedFor: 0, communities: impact.peopleToMove.length });
    expect(board.communities.every((c: any) => c.taskState === 'dispatched' && c.taskStateName === '已派遣' && c.unitName.endsWith('社区事务办公室'))).toBe(true);
    const again = await ok('yuzhong.operator', 'POST', `/api/v1/analyses/${analysisId}/evacuation`, {});
    expect(again.caseId).toBe(board.caseId);
    const doc = await ok('yuzhong.operator', 'GET', `/api/v1/cases/${board.caseId}`);
    expect(doc.categoryCode).toBe('safety.evacuation');
    expect(doc.plan.id).toBe('flood-evacuation');
    // The lead is the district's emergency management; each community's task names its community.
    const tasks = doc.tasks as any[];
    expect(tasks.filter((x) => x.role === 'lead').map((x) => x.unitId)).toEqual([unitIdOf('500103', 'emergency-management')]);
    expect(tasks.filter((x) => x.role === 'assist')).toHaveLength(board.communities.length);
    // The board is seen by whoever sees the run, the units of the district too, and by the
    // community offices' grid workers through their tasks on the case.
    expect((await ok('yuzhong.water', 'GET', `/api/v1/analyses/${analysisId}/evacuation`)).caseId).toBe(board.caseId);
    expect((await ok('gridworker', 'GET', `/api/v1/analyses/${analysisId}/evacuation`)).caseId).toBe(board.caseId);
    expectProblem(await call('gridworker', 'GET', `/api/v1/analyses/${analysisId}/impact`), 403, 'FORBIDDEN_ROLE');
    expectProblem(await call('nanan.operator', 'GET', `/api/v1/analyses/${analysisId}/evacuation`), 404, 'NOT_FOUND');
    expectProblem(await call('citizen.zhang', 'GET', `/api/v1/analyses/${analysisId}/evacuation`), 403, 'FORBIDDEN_ROLE');
  });

  it('a community office reports its own communities\' counts; the task completes once everyone is accounted for', async () => {
    const mine = board.communities.find((c: any) => (t.platform.org.unit(unitIdOf(t.platform.resolver().get(c.communityCode)!.parentCode!, 'community'))?.id ?? '') === gridworkerUnit());
    expect(mine, 'a community of the grid worker\'s street is reached').toBeDefined();
    const url = `/api/v1/cases/${board.caseId}/evacuation/${mine.communityCode}`;
    // Done by hand, even with a reading, before the count accounts for everyone: refused.
    await ok('gridworker', 'POST', `/api/v1/cases/${board.caseId}/tasks/${mine.taskId}/accept`, {});
    const byHand = await call('gridworker', 'POST', `/api/v1/cases/${board.caseId}/tasks/${mine.taskId}/complete`, { note: '已转移', evidence: { reading: { name: 'unaccounted', value: 0, unit: '人' } } });
    expectProblem(byHand, 409, 'CASE_RULE_VIOLATED');
    const partial = await ok('gridworker', 'POST', url, { moved: Math.max(0, mine.expected - 3), staying: 0, missing: 3, note: '3人未联系上' });
    expect(partial).toMatchObject({ moved: Math.max(0, mine.expected - 3), missing: 3, accountedFor: false, taskState: 'accepted' });
    const full = await ok('gridworker', 'POST', url, { moved: mine.expected - 1, staying: 1, missing: 0 });
    expect(full).toMatchObject({ accountedFor: true, taskState: 'done', override: null });
    // Each count is an event of the case, by the grid worker.
    const timeline = await ok('yuzhong.operator', 'GET', `/api/v1/cases/${board.caseId}/events`);
    const tallies = timeline.items.filter((e: any) => e.type === 'TaskTallied');
    expect(tallies).toHaveLength(2);
    expect(tallies.every((e: any) => e.actor.name === '网格员 杨帆')).toBe(true);
    expect((await verifyEventLog(t.platform.store.db)).ok).toBe(true);
  });

  it('refuses counts from units without the task, other districts and bad numbers; the center overrides with a reason', async () => {
    const other = board.communities.find((c: any) => t.platform.org.unit(unitIdOf(t.platform.resolver().get(c.communityCode)!.parentCode!, 'community'))?.id !== gridworkerUnit());
    expect(other, 'a community of another street is reached').toBeDefined();
    const url = `/api/v1/cases/${board.caseId}/evacuation/${other.communityCode}`;
    expectProblem(await call('gridworker', 'POST', url, { moved: 1, staying: 0, missing: 0 }), 403, 'FORBIDDEN_JURISDICTION');
    expectProblem(await call('yuzhong.water', 'POST', url, { moved: 1, staying: 0, missing: 0 }), 403, 'FORBIDDEN_JURISDICTION');
    expectProblem(await call('nanan.operator', 'POST', url, { moved: 1, staying: 0, missing: 0 }), 403, 'FORBIDDEN_JURISDICTION');
    expectProblem(await call('yuzhong.operator', 'POST', url, { moved: 1, staying: 0, missing: 0 }), 403, 'FORBIDDEN_ROLE');
    const bad = await call('yuzhong.operator', 'POST', url, { moved: -1, staying: 0, missing: 0 });
    expect(bad.status).toBe(400);
    expectProblem(await call('gridworker', 'POST', `/api/v1/cases/${board.caseId}/evacuation/000000000000`, { moved: 1, staying: 0, missing: 0 }), 404, 'NOT_FOUND');
    expectProblem(await call('gridworker', 'POST', url, { override: '不归我管' }), 403, 'FORBIDDEN_ROLE');
    const overridden = await ok('yuzhong.operator', 'POST', url, { override: '该社区居民已自行撤离，电话确认' });
    expect(overridden).toMatchObject({ accountedFor: true, taskState: 'done', override: '该社区居民已自行撤离，电话确认' });
    const after = await ok('yuzhong.operator', 'GET', `/api/v1/analyses/${analysisId}/evacuation?lang=en`);
    expect(after.totals.accountedFor).toBe(2);
    expect(after.communities.find((c: any) => c.communityCode === other.communityCode).taskStateName).toBe('done');
  });

  /** The grid worker's unit: the community office of the street around 解放碑. */
  function gridworkerUnit(): string {
    const grid = t.platform.resolver().resolveLowest(CENTRE_GCJ.lng, CENTRE_GCJ.lat)!;
    let r = t.platform.resolver().get(grid);
    while (r && r.level !== 'street') r = r.parentCode ? t.platform.resolver().get(r.parentCode) : undefined;
    return unitIdOf(r!.code, 'community');
  }
});
