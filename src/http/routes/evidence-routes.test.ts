import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestPlatform, type TestPlatform } from '../../../test/support/test-platform.ts';
import { encodePng } from '../../../test/support/png.ts';
import { DEMO_MUCK, demoMuckSpillEvent } from '../../../cities/chongqing/demo/demo-muck-chain.ts';

/** A real 1×1 PNG, so the snapshot passes the camera door's magic-byte check. */
const tinyPng = (): Buffer => encodePng(1, 1, () => [200, 60, 40]);

describe('the cockpit\'s evidence routes', () => {
  let tp: TestPlatform;
  const get = async (url: string, user: string) => tp.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${await tp.signIn(user)}` } });

  beforeAll(async () => {
    tp = await openTestPlatform('sqlite');
  }, 120_000);
  afterAll(async () => {
    await tp?.close();
  });

  it('tells the cockpit that this server has alerts, devices and vital signs', async () => {
    const focus = (await get('/api/v1/map/focus', 'yuzhong.operator')).json();
    expect(focus.capabilities).toEqual({ alerts: true, devices: true, indicators: true });
  });

  it('serves a camera alert\'s snapshot to those who may see the alert, and only to them', async () => {
    const png = tinyPng();
    const r = await tp.platform.sensing.cameraEvent({ ...demoMuckSpillEvent('noPermit', tp.clock.now()), snapshot: `data:image/png;base64,${png.toString('base64')}` }, { cameraId: DEMO_MUCK.cameraId });
    expect(r.alert).toBeTruthy();
    const id = r.alert!.id;
    expect(typeof r.alert!.evidence.snapshotSha256).toBe('string');
    const ok = await get(`/api/v1/map/alerts/${id}/snapshot`, 'yuzhong.operator');
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe('image/png');
    expect(ok.rawPayload.equals(png)).toBe(true);
    // 南岸's center does not see 渝中's alerts.
    expect((await get(`/api/v1/map/alerts/${id}/snapshot`, 'nanan.operator')).statusCode).toBe(403);
    expect((await tp.app.inject({ method: 'GET', url: `/api/v1/map/alerts/${id}/snapshot` })).statusCode).toBe(401);
  });

  it('answers 404 (problem+json) for an alert without a snapshot', async () => {
    const a = await tp.platform.sensing.alerts.raise({ dedupKey: 'test:no-snapshot', source: 'rule', severity: 'yellow', title: '无抓拍', location: { lon: 106.5355, lat: 29.5478 }, categoryCode: 'municipal.water.burst', at: tp.clock.now().toISOString() });
    const res = await get(`/api/v1/map/alerts/${a.id}/snapshot`, 'yuzhong.operator');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });
});
