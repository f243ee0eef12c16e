/**
 * Analyses end to end on the test platform: a terrain stored, runs asked for through the API,
 * computed on worker threads, their layers read as images with corners and legends, repeated
 * (same result), cancelled (nothing kept), refused (other district, citizen, bad inputs, deleted
 * raster), and started by a CAP rainstorm warning.
 */
import { readFileSync } from 'node:fs';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { ManualClock } from '../../src/clock.ts';
import { expectProblem, testHttp } from '../support/http.ts';
import { until } from '../support/until.ts';
import { BOWL_BOTTOM_M, BOWL_CENTRE_GCJ, BOWL_CURVATURE_M, bowlDem, squareAroundCentre } from '../support/analysis-dem.ts';
import { centerIdOf } from '../../cities/chongqing/demo/demo-ids.ts';
import { FIXTURE_CAP_DIR } from '../../src/sensing/cap/cap-test-kit.ts';
import type { AnalysisRecord, CommittedAnalysis } from '../../src/analyses/analysis-model.ts';
import { lakeFill } from '../../src/hydro/terrain/lake-fill.ts';
import { terrainOf } from '../../src/raster/grid.ts';
import { crsTransform } from '../../src/raster/raster-crs.ts';
import { GridPlacer } from '../../src/analyses/models/model-job.ts';
import { maskCount, polygonMask } from '../../src/hydro/cell-masks.ts';

const USERS = ['yuzhong.operator', 'yuzhong.water', 'nanan.operator', 'citizen.zhang', 'admin'];

describe('analyses over the API', () => {
  let tp: TestPlatform;
  const tokens = new Map<string, string>();
  const http = testHttp(() => tp.app, (u) => tokens.get(u));
  let demId: string;
  let bigDemId: string;
  const heard: CommittedAnalysis[] = [];

  beforeAll(async () => {
    // 10:00 in Chongqing while the fixtures' rainstorm warning runs (an expired warning raises nothing).
    tp = await openTestPlatform('sqlite', { districts: ['500103', '500108'], clock: new ManualClock('2025-07-01T02:00:00Z') });
    for (const u of USERS) tokens.set(u, await tp.signIn(u));
    const owner = { kind: 'dem' as const, ownerCenterId: centerIdOf('500103'), createdBy: 'test' };
    demId = (await tp.platform.rasters.save(bowlDem(80, 10), { name: 'bowl 80', ...owner })).id;
    bigDemId = (await tp.platform.rasters.save(bowlDem(400, 2), { name: 'bowl 400', ...owner })).id;
    tp.platform.bus.subscribeAnalyses((c) => heard.push(c));
  }, 60_000);
  afterAll(() => tp?.close());

  const finished = (id: string, user = 'yuzhong.operator') =>
    until(async () => {
      const r = await http.ok<AnalysisRecord>(user, 'GET', `/api/v1/analyses/${id}`);
      return ['succeeded', 'failed', 'cancelled'].includes(r.state) ? r : null;
    }, 30_000);

  const lake = { datum: 'gcj02', seed: BOWL_CENTRE_GCJ, levelM: BOWL_BOTTOM_M + 10 };

  it('runs a lake: queued (202), run off the main thread, its depth layer an image with GCJ-02 corners and a legend', async () => {
    const asked = await http.call('yuzhong.operator', 'POST', '/api/v1/analyses', { model: 'lake', rasterId: demId, inputs: lake, name: '水位 210 m' });
    expect(asked.status, asked.text).toBe(202);
    expect(asked.body).toMatchObject({ model: 'lake', version: 1, rasterId: demId, ownerCenterId: centerIdOf('500103'), inputs: { ...lake }, stateName: expect.any(String) });
    expect(['queued', 'running']).toContain(asked.body.state);
    const done = await finished(asked.body.id);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    const rasterSha = (await tp.platform.rasters.get(demId))!.sha256;
    expect(done.rasterSha256).toBe(rasterSha);
    // The lake of the kernel itself, on the same cells: the run adds nothing and loses nothing.
    const direct = lakeFill(terrainOf(await tp.platform.rasters.load(demId)), { col: 40, row: 40 }, BOWL_BOTTOM_M + 10);
    expect(done.summary).toMatchObject({ cells: direct.cells, floodedAreaM2: direct.areaM2, maxDepthM: 10 });
    expect(done.summary!.volumeM3).toBeCloseTo(direct.volumeM3, 0);
    // The bowl's exact lake: π·h·r²/2 with r² = h·curvature (the cells approximate it within 2 %).
    const exact = (Math.PI * 10 * 10 * BOWL_CURVATURE_M) / 2;
    expect(Math.abs(done.summary!.volumeM3 - exact) / exact).toBeLessThan(0.02);
    const view = await http.ok('yuzhong.operator', 'GET', `/api/v1/analyses/${done.id}`);
    expect(view.layers).toHaveLength(1);
    const layer = view.layers[0];
    expect(layer).toMatchObject({ name: 'depth', unit: 'm', min: 0, max: 10, imageUrl: `/api/v1/analyses/${done.id}/layers/depth.png` });
    expect(layer.legend).toMatchObject({ ramp: 'depth', min: 0, max: 10 });
    expect(layer.corners).toHaveLength(4);
    const [nw, , se] = layer.corners as number[][];
    expect(nw![0]).toBeLessThan(BOWL_CENTRE_GCJ.lng);
    expect(se![0]).toBeGreaterThan(BOWL_CENTRE_GCJ.lng);
    expect(se![1]).toBeLessThan(BOWL_CENTRE_GCJ.lat);
    expect(nw![1]).toBeGreaterThan(BOWL_CENTRE_GCJ.lat);
    const png = await tp.app.inject({ method: 'GET', url: layer.imageUrl, headers: { authorization: `Bearer ${tokens.get('yuzhong.operator')}` } });
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    const img = decode(png.rawPayload);
    // The middle is under water (opaque), a corner is dry (transparent).
    const alpha = (x: number, y: number) => (img.data as Uint8Array)[(y * img.width + x) * img.channels + 3];
    expect(alpha(Math.floor(img.width / 2), Math.floor(img.height / 2))).toBe(255);
    expect(alpha(0, 0)).toBe(0);
    // Every change of state is an event of the run's stream, in the audit of changes.
    const changes = await http.ok('admin', 'GET', `/api/v1/audit/changes?kind=analysis&id=${done.id}`);
    expect(changes.items.map((c: { type: string }) => c.type).reverse()).toEqual(['AnalysisQueued', 'AnalysisStarted', 'AnalysisSucceeded']);
    // …and on the bus the live feed listens to.
    expect(heard.filter((c) => c.analysis.id === done.id && c.seq !== null).map((c) => c.type)).toEqual(['AnalysisQueued', 'AnalysisStarted', 'AnalysisSucceeded']);
    const recent = await http.ok('yuzhong.operator', 'GET', '/api/v1/feed/recent?since=2000-01-01T00:00:00Z');
    expect(recent.items.filter((i: { data: { analysis?: { id: string } } }) => i.data.analysis?.id === done.id).map((i: { type: string }) => i.type)).toEqual(['AnalysisSucceeded', 'AnalysisStarted', 'AnalysisQueued']);
    const other = await http.ok('nanan.operator', 'GET', '/api/v1/feed/recent?since=2000-01-01T00:00:00Z');
    expect(other.items.some((i: { data: { analysis?: unknown } }) => i.data.analysis)).toBe(false);

    // A rerun: a new version of the same family, the same inputs, the same result to the bit.
    const again = await http.call('yuzhong.operator', 'POST', `/api/v1/analyses/${done.id}/rerun`, {});
    expect(again.status, again.text).toBe(202);
    expect(again.body).toMatchObject({ rootId: done.id, parentId: done.id, version: 2, inputs: done.inputs, rasterSha256: rasterSha });
    const second = await finished(again.body.id);
    const shaOf = async (r: AnalysisRecord) => {
      const rec = await tp.platform.analyses.get((await tp.platform.auth.authenticateCredential(tokens.get('yuzhong.operator')!)).principal, r.id);
      return (await tp.platform.rasters.get(rec.results![0]!.rasterId))!.sha256;
    };
    expect(await shaOf(second)).toBe(await shaOf(done));
  }, 60_000);

  it('streams a run’s changes and progress on the live feed, in both languages', async () => {
    await tp.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = tp.app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const ac = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/events/stream`, { headers: { authorization: `Bearer ${tokens.get('yuzhong.operator')}` }, signal: ac.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    const asked = await http.ok('yuzhong.operator', 'POST', '/api/v1/analyses', { model: 'lake', rasterId: demId, inputs: lake });
    try {
      while (!text.includes('event: AnalysisSucceeded')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
    } finally {
      ac.abort();
    }
    const item = text.split('\n\n').find((b) => b.includes('event: AnalysisSucceeded'))!;
    expect(item).toMatch(/^id: \d+$/m);
    const data = JSON.parse(/^data: (.*)$/m.exec(item)![1]!);
    expect(data.analysis).toMatchObject({ id: asked.id, state: 'succeeded', modelName: { zh: '静态淹没（水位）', en: 'lake at a level' }, stateName: { zh: '已完成', en: 'succeeded' }, summary: { maxDepthM: 10 } });
    expect(text).toContain('event: AnalysisQueued');
  }, 60_000);

  it('runs a short flood: maximum depth, arrival time, velocity, snapshots, isochrones; the rain is all there', async () => {
    const inputs = { rainfall: [{ area: squareAroundCentre(150), hyetograph: [{ t: 0, value: 400 }, { t: 300, value: 0 }] }], boundary: 'closed', durationS: 600, outputIntervalS: 200 };
    const asked = await http.call('yuzhong.operator', 'POST', '/api/v1/analyses', { model: 'flood', rasterId: demId, inputs });
    expect(asked.status, asked.text).toBe(202);
    const done = await finished(asked.body.id);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    // 400 mm/h for 300 s over the cells whose centres lie in the square, all of it kept (closed box).
    const grid = await tp.platform.rasters.load(demId);
    const placer = new GridPlacer(grid, 'gcj02', crsTransform(grid.crs).fromWgs84);
    const cells = maskCount(polygonMask(grid, placer.polygons(squareAroundCentre(150))[0]!));
    expect(cells).toBeGreaterThan(850);
    const rain = (0.4 / 3600) * 300 * cells * 100;
    expect(Math.abs(done.summary!.volumeM3 - rain)).toBeLessThan(rain * 0.001);
    expect(Math.abs(done.summary!.massBalanceErrorPct!)).toBeLessThan(0.1);
    expect(done.summary!.simulatedSeconds).toBeCloseTo(600, 3);
    const view = await http.ok('yuzhong.operator', 'GET', `/api/v1/analyses/${done.id}`);
    expect(view.layers.map((l: { name: string }) => l.name)).toEqual(['maxDepth', 'arrivalTime', 'maxVelocity', 'finalDepth']);
    expect(view.snapshots.map((s: { t: number }) => s.t)).toEqual([200, 400, 600]);
    const snap = await tp.app.inject({ method: 'GET', url: view.snapshots[1].imageUrl, headers: { authorization: `Bearer ${tokens.get('yuzhong.operator')}` } });
    expect(snap.statusCode).toBe(200);
    expect(snap.headers['content-type']).toBe('image/png');
    const iso = await http.ok('yuzhong.operator', 'GET', `/api/v1/analyses/${done.id}/isochrones?stepMinutes=1`);
    expect(iso.type).toBe('FeatureCollection');
    expect(iso.features.length).toBeGreaterThan(0);
    const [lng, lat] = iso.features[0].geometry.coordinates[0];
    expect(Math.abs(lng - BOWL_CENTRE_GCJ.lng)).toBeLessThan(0.005);
    expect(Math.abs(lat - BOWL_CENTRE_GCJ.lat)).toBeLessThan(0.005);
  }, 60_000);

  it('cancels a long run: the thread ends, nothing is kept; the server answers while it runs', async () => {
    const inputs = { rainfall: [{ hyetograph: [{ t: 0, value: 100 }] }], durationS: 129_600, outputIntervalS: 3600 };
    const asked = await http.ok('yuzhong.operator', 'POST', '/api/v1/analyses', { model: 'flood', rasterId: bigDemId, inputs });
    // Progress reaches the row (and the bus) while the model computes.
    const running = await until(async () => {
      const r = await http.ok('yuzhong.operator', 'GET', `/api/v1/analyses/${asked.id}`);
      return r.state === 'running' && r.progress > 0 ? r : null;
    }, 20_000);
    expect(running.progressMessage).toMatch(/\d/);
    expect(heard.some((c) => c.analysis.id === asked.id && c.type === 'AnalysisProgress' && c.seq === null)).toBe(true);
    // The server answers while the model computes on its thread.
    const health = await tp.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect((await http.ok('yuzhong.operator', 'GET', `/api/v1/analyses/${asked.id}`)).state).toBe('running');
    expectProblem(await http.call('nanan.operator', 'POST', `/api/v1/analyses/${asked.id}/cancel`, {}), 404, 'NOT_FOUND');
    const cancelled = await http.call('yuzhong.operator', 'POST', `/api/v1/analyses/${asked.id}/cancel`, { reason: '演练结束' });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.body).toMatchObject({ state: 'cancelled', cancelRequestedAt: expect.any(String) });
    await tp.platform.analyses.idle();
    const after = await http.ok('yuzhong.operator', 'GET', `/api/v1/analyses/${asked.id}`);
    expect(after).toMatchObject({ state: 'cancelled', summary: null });
    expect((await tp.platform.rasters.list({ kind: 'result' })).filter((r) => r.name.startsWith(`analysis:${asked.id}:`))).toEqual([]);
    expectProblem(await http.call('yuzhong.operator', 'POST', `/api/v1/analyses/${asked.id}/cancel`, {}), 409, 'ANALYSIS_INVALID_STATE');
    const changes = await http.ok('admin', 'GET', `/api/v1/audit/changes?kind=analysis&id=${asked.id}`);
    expect(changes.items[0]).toMatchObject({ type: 'AnalysisCancelled', actor: { name: expect.stringContaining('刘洋') }, payload: { from: 'running', reason: '演练结束' } });
  }, 60_000);

  it('refuses: another district does not see the run, a citizen may not ask, bad inputs name their field', async () => {
    const [run] = (await http.ok('yuzhong.operator', 'GET', '/api/v1/analyses?state=succeeded&model=lake')).items;
    expect(run).toBeDefined();
    expectProblem(await http.call('nanan.operator', 'GET', `/api/v1/analyses/${run.id}`), 404, 'NOT_FOUND');
    expectProblem(await http.call('nanan.operator', 'GET', `/api/v1/analyses/${run.id}/layers/depth.png`), 404, 'NOT_FOUND');
    expectProblem(await http.call('nanan.operator', 'GET', `/api/v1/analyses/${run.id}/snapshots/0.png`), 404, 'NOT_FOUND');
    expectProblem(await http.call('nanan.operator', 'GET', `/api/v1/analyses/${run.id}/isochrones`), 404, 'NOT_FOUND');
    expectProblem(await http.call('nanan.operator', 'POST', `/api/v1/analyses/${run.id}/rerun`, {}), 404, 'NOT_FOUND');
    expect((await http.ok('nanan.operator', 'GET', '/api/v1/analyses')).items).toEqual([]);
    // …nor may it run a model on the other district's terrain.
    expect(expectProblem(await http.call('nanan.operator', 'POST', '/api/v1/analyses', { model: 'lake', rasterId: demId, inputs: lake }), 404, 'NOT_FOUND').field).toBe('rasterId');
    expectProblem(await http.call('citizen.zhang', 'GET', '/api/v1/analyses'), 403, 'FORBIDDEN_ROLE');
    expectProblem(await http.call('citizen.zhang', 'GET', `/api/v1/analyses/${run.id}`), 403, 'FORBIDDEN_ROLE');
    expectProblem(await http.call('citizen.zhang', 'POST', '/api/v1/analyses', { model: 'lake', rasterId: demId, inputs: lake }), 403, 'FORBIDDEN_ROLE');
    expectProblem(await http.call('citizen.zhang', 'POST', `/api/v1/analyses/${run.id}/cancel`, {}), 403, 'FORBIDDEN_ROLE');
    expectProblem(await http.call(null, 'GET', '/api/v1/analyses'), 401, 'AUTH_REQUIRED');
    // Unit staff read the runs of their district but do not start them.
    expect((await http.ok('yuzhong.water', 'GET', `/api/v1/analyses/${run.id}`)).id).toBe(run.id);
    expectProblem(await http.call('yuzhong.water', 'POST', '/api/v1/analyses', { model: 'lake', rasterId: demId, inputs: lake }), 403, 'FORBIDDEN_ROLE');

    const bad = async (body: unknown, field: string, status = 422, code: 'ANALYSIS_INPUT_INVALID' | 'ANALYSIS_RASTER_GONE' = 'ANALYSIS_INPUT_INVALID') => {
      const p = expectProblem(await http.call('yuzhong.operator', 'POST', '/api/v1/analyses', body), status, code);
      expect(p.field).toBe(field);
    };
    const rain = { rainfall: [{ hyetograph: [{ t: 0, value: 10 }, { t: 60, value: 20 }, { t: 120, value: -5 }] }], durationS: 600 };
    await bad({ model: 'flood', rasterId: demId, inputs: rain }, 'inputs.rainfall[0].hyetograph[2].value');
    const dam = { crestLine: [[BOWL_CENTRE_GCJ.lng, BOWL_CENTRE_GCJ.lat], [BOWL_CENTRE_GCJ.lng + 0.05, BOWL_CENTRE_GCJ.lat]], crestLevelM: 230, reservoirLevelM: 220, reservoirSide: { lng: BOWL_CENTRE_GCJ.lng, lat: BOWL_CENTRE_GCJ.lat + 0.001 } };
    await bad({ model: 'dambreak', rasterId: demId, inputs: { dam, durationS: 600 } }, 'inputs.dam.crestLine');
    await bad({ model: 'lake', rasterId: demId, inputs: { ...lake, seed: { lng: 106.7, lat: 29.5 } } }, 'inputs.seed');
    await bad({ model: 'tsunami', rasterId: demId }, 'model');
    await bad({ model: 'lake', rasterId: demId, inputs: { ...lake, levelM: 'high' } }, 'inputs.levelM');
    expect(expectProblem(await http.call('yuzhong.operator', 'POST', '/api/v1/analyses', { model: 'lake', rasterId: 'no-such-raster', inputs: lake }), 404, 'NOT_FOUND').field).toBe('rasterId');
    // A raster whose cells are no longer those a run read: no repeat (409 naming rasterId).
    const changed = await tp.platform.rasters.save(bowlDem(20, 10), { name: 'changed', kind: 'dem', ownerCenterId: centerIdOf('500103'), createdBy: 'test' });
    const once = await http.ok('yuzhong.operator', 'POST', '/api/v1/analyses', { model: 'fill', rasterId: changed.id });
    await finished(once.id);
    await tp.platform.store.db.updateTable('rasters').set({ sha256: '0'.repeat(64) }).where('id', '=', changed.id).execute();
    expect(expectProblem(await http.call('yuzhong.operator', 'POST', `/api/v1/analyses/${once.id}/rerun`, {}), 409, 'ANALYSIS_RASTER_CHANGED').field).toBe('rasterId');
    // A deleted raster: 410 naming rasterId, for a new run and for a repeat of an old one.
    const doomed = await tp.platform.rasters.save(bowlDem(20, 10), { name: 'doomed', kind: 'dem', ownerCenterId: centerIdOf('500103'), createdBy: 'test' });
    const before = await http.ok('yuzhong.operator', 'POST', '/api/v1/analyses', { model: 'fill', rasterId: doomed.id });
    await finished(before.id);
    await tp.platform.rasters.remove(doomed.id, 'test');
    await bad({ model: 'lake', rasterId: doomed.id, inputs: lake }, 'rasterId', 410, 'ANALYSIS_RASTER_GONE');
    expect(expectProblem(await http.call('yuzhong.operator', 'POST', `/api/v1/analyses/${before.id}/rerun`, {}), 410, 'ANALYSIS_RASTER_GONE').field).toBe('rasterId');
  }, 60_000);

  it('starts a flood run from a CAP rainstorm warning on the district’s terrain, once', async () => {
    tp.clock.advance(60_000);
    const newest = await tp.platform.rasters.save(bowlDem(40, 20), { name: 'newest', kind: 'dem', ownerCenterId: centerIdOf('500103'), createdBy: 'test' });
    const xml = readFileSync(`${FIXTURE_CAP_DIR}cq-rainstorm-orange.cap`, 'utf8');
    const r = await tp.app.inject({ method: 'POST', url: '/api/v1/cap', headers: { authorization: `Bearer ${tokens.get('admin')}`, 'content-type': 'application/cap+xml' }, payload: xml });
    expect(r.statusCode, r.body).toBeLessThan(300);
    const run = await until(async () => (await http.ok('yuzhong.operator', 'GET', '/api/v1/analyses?model=flood')).items.find((a: AnalysisRecord) => a.triggerKey?.startsWith('cap:')), 10_000);
    expect(run).toMatchObject({ ownerCenterId: centerIdOf('500103'), createdBy: expect.stringMatching(/^trigger:cap:/) });
    // orange → 17 mm/h over the warning's area for 3 h, snapshots every 15 min, on the newest terrain of 渝中区.
    expect(run.rasterId).toBe(newest.id);
    expect(run.inputs).toMatchObject({ rainfall: [{ hyetograph: [{ t: 0, value: 17 }], area: { type: expect.stringMatching(/Polygon/) } }], durationS: 10_800, outputIntervalS: 900 });
    // 南岸区 has no terrain stored: its alert starts nothing. The same warning again starts nothing new.
    await tp.app.inject({ method: 'POST', url: '/api/v1/cap', headers: { authorization: `Bearer ${tokens.get('admin')}`, 'content-type': 'application/cap+xml' }, payload: xml });
    const runs = (await http.ok('admin', 'GET', '/api/v1/analyses?model=flood')).items.filter((a: AnalysisRecord) => a.triggerKey);
    expect(runs).toHaveLength(1);
    await http.ok('yuzhong.operator', 'POST', `/api/v1/analyses/${run.id}/cancel`, {});
  }, 60_000);

  it('after a crash, a run left running is queued again and finishes; one interrupted too often fails', async () => {
    const asked = await http.ok('yuzhong.operator', 'POST', '/api/v1/analyses', { model: 'lake', rasterId: demId, inputs: lake });
    await finished(asked.id);
    // As a crash would leave it: running, no result, its layers saved but not yet recorded.
    const db = tp.platform.store.db;
    const row = await db.selectFrom('analyses').select('result_rasters').where('id', '=', asked.id).executeTakeFirstOrThrow();
    const orphan = (JSON.parse(row.result_rasters!) as Array<{ rasterId: string }>)[0]!.rasterId;
    await db.updateTable('analyses').set({ state: 'running', summary: null, result_rasters: null, finished_at: null, attempts: 1 }).where('id', '=', asked.id).execute();
    // What openPlatform does at start (the platform's restart is tested elsewhere; it costs seconds).
    await tp.platform.analyses.recover();
    expect((await tp.platform.rasters.get(orphan))!.deletedAt).not.toBeNull();
    tp.platform.analyses.kick();
    const done = await finished(asked.id);
    expect(done.state).toBe('succeeded');
    const changes = await http.ok('admin', 'GET', `/api/v1/audit/changes?kind=analysis&id=${asked.id}`);
    expect(changes.items.slice(0, 3).map((c: { type: string }) => c.type)).toEqual(['AnalysisSucceeded', 'AnalysisStarted', 'AnalysisRequeued']);
    await db.updateTable('analyses').set({ state: 'running' }).where('id', '=', asked.id).execute();
    await tp.platform.analyses.recover();
    expect(await http.ok('yuzhong.operator', 'GET', `/api/v1/analyses/${asked.id}`)).toMatchObject({ state: 'failed', error: { code: 'INTERRUPTED' } });
  }, 60_000);
});
