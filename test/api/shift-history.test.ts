import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { expectProblem, testHttp } from '../support/http.ts';
import { DEMO_POINTS } from '../../cities/chongqing/demo/demo-assets.ts';

/**
 * A shift's history (issue 16, item 6): the live feed's history filtered exactly as the stream, the
 * vital-sign alert that stays one alert while the state it is about goes on, and the handover of a
 * shift — each refused outside the caller's jurisdiction.
 */
interface FeedItem {
  id: number;
  type: string;
  data: { case?: { id: string; number: string }; alert?: { id: string } };
}

const BURSTS = 'water.open-bursts';

describe.each(DIALECTS)('shift history on %s', (dialect) => {
  let t: TestPlatform;
  const tokens: Record<string, string> = {};
  const { call, ok } = testHttp(() => t.app, (u) => tokens[u]);
  const ids: { yuzhong: string; nanan: string } = { yuzhong: '', nanan: '' };
  const report = (user: string, title: string, at: readonly [number, number]) =>
    ok<{ id: string; number: string; state: string; version: number }>(user, 'POST', '/api/v1/cases', { categoryCode: 'municipal.water.burst', title, lng: at[0], lat: at[1], crs: 'gcj02' });
  const recent = (user: string, query = '') => ok<{ items: FeedItem[]; nextBefore: number | null; since: string }>(user, 'GET', `/api/v1/feed/recent${query}`);
  const burstsIn = async (district: string) => {
    const v = await ok<{ items: { key: string; value: number; level: string }[] }>('admin', 'GET', `/api/v1/indicators?jurisdiction=${district}`);
    return v.items.find((i) => i.key === BURSTS)!;
  };
  const burstAlerts = async (district: string) =>
    (await ok<{ items: { id: string; dedupKey: string; status: string; severity: string; count: number; title: string }[] }>('admin', 'GET', '/api/v1/alerts?source=indicator&limit=200')).items.filter((a) => a.dedupKey === `indicator:${BURSTS}:${district}`);

  beforeAll(async () => {
    t = await openTestPlatform(dialect);
    for (const u of ['admin', 'yuzhong.operator', 'yuzhong.supervisor', 'nanan.operator', 'street.operator', 'citizen.zhang']) tokens[u] = await t.signIn(u);
    t.clock.advance(60_000);
    ids.yuzhong = (await report('yuzhong.operator', '交接班测试：解放碑供水爆管', DEMO_POINTS.jiefangbei)).id;
    ids.nanan = (await report('nanan.operator', '交接班测试：南山供水爆管', DEMO_POINTS.nanshanForestFire)).id;
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  it("reads the feed's history filtered as the live feed: another district's cases are not in it", async () => {
    const mine = await recent('yuzhong.operator');
    const cases = new Set(mine.items.map((i) => i.data.case?.id).filter(Boolean));
    expect(cases.has(ids.yuzhong)).toBe(true);
    expect(cases.has(ids.nanan)).toBe(false);
    const theirs = await recent('nanan.operator');
    expect(theirs.items.some((i) => i.data.case?.id === ids.nanan)).toBe(true);
    expect(theirs.items.some((i) => i.data.case?.id === ids.yuzhong)).toBe(false);
    // The citizen reported neither: none of the two is in their history.
    const citizen = await recent('citizen.zhang');
    expect(citizen.items.some((i) => i.data.case?.id === ids.yuzhong || i.data.case?.id === ids.nanan)).toBe(false);
    // Newest first, each once, with the ids the stream sends (Last-Event-ID); a page goes on with `before`.
    const all = await recent('admin');
    const seqs = all.items.map((i) => i.id);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(all.items.find((i) => i.data.case?.id === ids.yuzhong)?.type).toBe('CaseReported');
    const first = await recent('admin', '?limit=1');
    expect(first.items).toHaveLength(1);
    expect(first.nextBefore).toBe(first.items[0]!.id);
    const second = await recent('admin', `?limit=1&before=${first.nextBefore}`);
    expect(second.items[0]!.id).toBe(seqs[1]);
    // Since a time after the reports: they are not in it.
    const later = new Date(t.clock.now().getTime() + 1000).toISOString();
    expect((await recent('admin', `?since=${encodeURIComponent(later)}`)).items).toEqual([]);
    expectProblem(await call(null, 'GET', '/api/v1/feed/recent'), 401, 'AUTH_REQUIRED');
  });

  it('keeps one vital-sign alert while the state goes on; only a worse state raises anew', async () => {
    const district = '500103';
    const before = await burstsIn(district);
    expect(before.value).toBeGreaterThanOrEqual(1);
    expect(before.level).not.toBe('normal');
    await t.platform.sensing.watchIndicators();
    const [a] = await burstAlerts(district);
    expect(a).toMatchObject({ status: 'raised', count: 1 });
    expect(a!.title).toContain(`${before.value}件`);
    // Seen again each minute, unchanged: the same alert, not counted again, no new event.
    for (let i = 0; i < 3; i++) {
      t.clock.advance(60_000);
      await t.platform.sensing.watchIndicators();
    }
    const again = await burstAlerts(district);
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ id: a!.id, count: 1 });
    const timeline = (await ok('admin', 'GET', `/api/v1/alerts/${a!.id}/timeline`)).items.map((e: { type: string }) => e.type);
    expect(timeline).toEqual(['AlertRaised']);
    // The operator dismisses it (the case is in hand): the same state does not raise it again.
    await ok('yuzhong.operator', 'POST', `/api/v1/alerts/${a!.id}/dismiss`, { reason: '爆管已立案处置中' });
    t.clock.advance(60_000);
    await t.platform.sensing.watchIndicators();
    expect((await burstAlerts(district)).filter((x) => x.status !== 'dismissed')).toEqual([]);
    // A worse state (more bursts, up to the next colour) raises a new alert.
    const extra: string[] = [];
    let now = before;
    while (now.level === before.level && extra.length < 6) {
      extra.push((await report('yuzhong.operator', `交接班测试：又一处爆管 ${extra.length + 1}`, [DEMO_POINTS.jiefangbei[0] + 0.002 * (extra.length + 1), DEMO_POINTS.jiefangbei[1]])).id);
      now = await burstsIn(district);
    }
    expect(now.level).not.toBe(before.level);
    t.clock.advance(60_000);
    await t.platform.sensing.watchIndicators();
    const worse = (await burstAlerts(district)).filter((x) => x.status === 'raised');
    expect(worse).toHaveLength(1);
    expect(worse[0]!.id).not.toBe(a!.id);
    expect(worse[0]!.severity).toBe(now.level);
    // One fewer burst (the last one declined), still not normal: the same alert, its value and title updated.
    const last = extra.pop()!;
    const doc = await ok<{ version: number }>('yuzhong.operator', 'GET', `/api/v1/cases/${last}`);
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${last}/decline`, { reason: '重复上报', expectedVersion: doc.version });
    const lower = await burstsIn(district);
    t.clock.advance(60_000);
    await t.platform.sensing.watchIndicators();
    const updated = (await burstAlerts(district)).filter((x) => x.status === 'raised');
    expect(updated).toHaveLength(1);
    expect(updated[0]).toMatchObject({ id: worse[0]!.id, count: 1, severity: lower.level });
    expect(updated[0]!.title).toContain(`${lower.value}件`);
    const types = (await ok('admin', 'GET', `/api/v1/alerts/${worse[0]!.id}/timeline`)).items.map((e: { type: string }) => e.type);
    expect(types).toEqual(['AlertRaised', 'AlertUpdated']);
  });

  it('hands a shift over: open, overdue, escalated, alerts and what changed since the shift began', async () => {
    const h0 = await ok('yuzhong.operator', 'GET', '/api/v1/handover');
    expect(h0.jurisdiction.code).toBe('500103');
    // The default: the start of the current shift (08:00 or 20:00 on the city's clock).
    expect(h0.since).toBe(h0.shiftStarts[0]);
    expect([0, 12]).toContain(new Date(h0.since).getUTCHours());
    expect(h0.counts.open).toBeGreaterThanOrEqual(1);
    expect(h0.counts.reported).toBeGreaterThanOrEqual(1);
    expect(h0.changed.map((c: { id: string }) => c.id)).toContain(ids.yuzhong);
    expect(h0.changed.map((c: { id: string }) => c.id)).not.toContain(ids.nanan);
    expect(h0.counts.eventsByType.find((e: { type: string }) => e.type === 'CaseReported')?.n).toBeGreaterThanOrEqual(1);
    expect(h0.counts.openByState.every((s: { stateName: string; state: string }) => s.stateName !== s.state)).toBe(true);
    expect(h0.alerts.some((a: { title: string }) => a.title.includes('供水'))).toBe(true);
    // Dispatched by its plan, supervised (督办), then overdue once its deadlines pass.
    await ok('yuzhong.operator', 'POST', `/api/v1/cases/${ids.yuzhong}/apply-plan`, {});
    const c = await ok('yuzhong.operator', 'GET', `/api/v1/cases/${ids.yuzhong}`);
    await ok('yuzhong.supervisor', 'POST', `/api/v1/cases/${ids.yuzhong}/supervise`, { reason: '群众反映强烈，督办', expectedVersion: c.version });
    t.clock.advance(10 * 24 * 3600_000);
    await t.platform.cases.fireDueTimers(1000);
    // Ten days later the sessions have expired: sign in again.
    for (const u of Object.keys(tokens)) tokens[u] = await t.signIn(u);
    const h1 = await ok('yuzhong.operator', 'GET', `/api/v1/handover?since=${encodeURIComponent(h0.shiftStarts[2])}`);
    expect(h1.since).toBe(h0.shiftStarts[2]);
    expect(h1.overdue.map((x: { id: string }) => x.id)).toContain(ids.yuzhong);
    expect(h1.counts.overdue).toBeGreaterThanOrEqual(1);
    const esc = h1.escalated.find((x: { id: string }) => x.id === ids.yuzhong);
    expect(esc).toMatchObject({ supervised: true, overdue: true });
    expect(h1.counts.escalated).toBeGreaterThanOrEqual(1);
    expect(h1.overdue.some((x: { id: string }) => x.id === ids.nanan)).toBe(false);
    // The other district's operator sees their own case, never this one.
    const nanan = await ok('nanan.operator', 'GET', '/api/v1/handover');
    expect(nanan.overdue.map((x: { id: string }) => x.id)).not.toContain(ids.yuzhong);
  });

  it('raises a dismissed vital sign again only after it has been back to normal', async () => {
    const district = '500108';
    // 南岸's one open burst is this test's own report.
    expect(await burstsIn(district)).toMatchObject({ value: 1, level: 'yellow' });
    await t.platform.sensing.watchIndicators();
    const [a] = (await burstAlerts(district)).filter((x) => x.status === 'raised');
    expect(a).toBeDefined();
    await ok('nanan.operator', 'POST', `/api/v1/alerts/${a!.id}/dismiss`, { reason: '已在处置' });
    const c = await ok<{ version: number }>('nanan.operator', 'GET', `/api/v1/cases/${ids.nanan}`);
    await ok('nanan.operator', 'POST', `/api/v1/cases/${ids.nanan}/decline`, { reason: '非供水爆管', expectedVersion: c.version });
    expect((await burstsIn(district)).level).toBe('normal');
    t.clock.advance(60_000);
    await t.platform.sensing.watchIndicators();
    // Settled: the dismissed alert stays dismissed, with the end of its condition on its timeline.
    expect((await ok('admin', 'GET', `/api/v1/alerts/${a!.id}`)).status).toBe('dismissed');
    expect((await ok('admin', 'GET', `/api/v1/alerts/${a!.id}/timeline`)).items.map((e: { type: string }) => e.type)).toEqual(['AlertRaised', 'AlertDismissed', 'AlertCleared']);
    // A new burst is a new state: a new alert.
    await report('nanan.operator', '交接班测试：南山又一处爆管', DEMO_POINTS.nanshanForestFire);
    t.clock.advance(60_000);
    await t.platform.sensing.watchIndicators();
    const fresh = (await burstAlerts(district)).filter((x) => x.status === 'raised');
    expect(fresh).toHaveLength(1);
    expect(fresh[0]!.id).not.toBe(a!.id);
    expect((await ok('admin', 'GET', '/api/v1/audit/verify')).ok).toBe(true);
  });

  it("refuses a handover outside the caller's jurisdiction, and to people without a desk", async () => {
    expectProblem(await call('yuzhong.operator', 'GET', '/api/v1/handover?jurisdiction=500108'), 403, 'FORBIDDEN_JURISDICTION');
    expectProblem(await call('street.operator', 'GET', '/api/v1/handover?jurisdiction=500103'), 403, 'FORBIDDEN_JURISDICTION');
    expectProblem(await call('citizen.zhang', 'GET', '/api/v1/handover'), 403, 'FORBIDDEN_ROLE');
    expectProblem(await call(null, 'GET', '/api/v1/handover'), 401, 'AUTH_REQUIRED');
    const street = await ok('street.operator', 'GET', '/api/v1/handover');
    expect(street.overdue.every((x: { id: string }) => x.id !== ids.nanan)).toBe(true);
    expect((await ok('admin', 'GET', '/api/v1/handover?jurisdiction=500108')).jurisdiction.code).toBe('500108');
  });
});
