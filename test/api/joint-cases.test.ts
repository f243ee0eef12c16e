import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { testHttp } from '../support/http.ts';
import { interiorPoint } from '../../src/geo/geometry.ts';
import { unitIdOf } from '../../cities/chongqing/demo/demo-city.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { newId } from '../../src/ids.ts';

/** 江北区 and 渝北区: the seed's riverside trail on their border that neither cleaned for years. */
describe('joint cases across a district boundary (141)', () => {
  let t: TestPlatform;
  const tokens: Record<string, string> = {};
  const { call } = testHttp(() => t.app, (u) => tokens[u]);

  beforeAll(async () => {
    t = await openTestPlatform('sqlite', { districts: ['500105', '500112'] });
    // Operators of the two district centers and a grid worker of 江北 (the demo has none there).
    const hash = await hashPassword('cityloop-demo');
    for (const [username, center, roles, j] of [
      ['jiangbei.operator', 'center-500105', ['operator'], null],
      ['yubei.operator', 'center-500112', ['operator'], null],
      ['jiangbei.grid', null, ['grid_worker'], '500105'],
    ] as const) {
      await t.platform.store.db.insertInto('users').values({ id: newId(), username, display_name: username, password_hash: hash, roles: JSON.stringify(roles), center_id: center, unit_id: null, jurisdiction_code: j, phone: null, created_at: new Date().toISOString(), disabled: 0 }).execute();
      tokens[username] = await t.signIn(username);
    }
  });
  afterAll(async () => t?.close());

  /** A short line that crosses from 江北 into 渝北, found by walking between the two districts. */
  function trailAcrossTheBorder(): [number, number][] {
    const r = t.platform.resolver();
    const a = interiorPoint(r.get('500105')!.geometry!);
    const b = interiorPoint(r.get('500112')!.geometry!);
    const at = (i: number): [number, number] => [a[0] + ((b[0] - a[0]) * i) / 2000, a[1] + ((b[1] - a[1]) * i) / 2000];
    const district = (p: [number, number]) => r.resolve(p[0], p[1])?.chain[1]?.code;
    for (let i = 80; i <= 2000; i++) {
      // The trail starts well inside 江北 (more than JOINT_CASE_METERS from the border) and ends in 渝北.
      const start = at(i - 80);
      if (district(at(i)) === '500112' && district(at(i - 1)) === '500105' && district(start) === '500105' && t.platform.resolver().distanceMeters('500112', start[0], start[1]) > 150) {
        return [start, at(i - 40), at(i)];
      }
    }
    throw new Error('no border crossing found');
  }

  it('makes a trail crossing the boundary a joint case of 江北区 and 渝北区; both accept and record who cleans now and who keeps it clean', async () => {
    const line = trailAcrossTheBorder();
    // The worker stands on the 江北 side, far from the border: only the line makes it a joint case.
    const r = await call('jiangbei.grid', 'POST', '/api/v1/cases', { categoryCode: 'environment.riverbank-litter', title: '滨江步道垃圾多年无人清扫', lng: line[0]![0], lat: line[0]![1], crs: 'gcj02', line });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.source).toBe('grid_worker');
    expect(r.body.centerId).toBe('center-500105');
    expect(r.body.coordination.centerIds).toEqual(['center-500112']);
    // Both districts see it.
    expect((await call('yubei.operator', 'GET', `/api/v1/cases/${r.body.id}`)).status).toBe(200);
    expect((await call('yubei.operator', 'GET', '/api/v1/cases?limit=200')).body.items.map((x: any) => x.id)).toContain(r.body.id);
    const events = (await call('jiangbei.operator', 'GET', `/api/v1/cases/${r.body.id}/events`)).body.items;
    expect(events[1]).toMatchObject({ type: 'JointCaseOpened', payload: { districts: [{ code: '500112', name: '渝北区' }] } });
    // Each accepts its part.
    await call('jiangbei.operator', 'POST', `/api/v1/cases/${r.body.id}/register`, {});
    expect((await call('jiangbei.operator', 'POST', `/api/v1/cases/${r.body.id}/accept-joint`, {})).status).toBe(200);
    const accepted = await call('yubei.operator', 'POST', `/api/v1/cases/${r.body.id}/accept-joint`, {});
    expect(accepted.body.coordination.accepted).toEqual(['center-500105', 'center-500112']);
    expect((await call('yubei.operator', 'POST', `/api/v1/cases/${r.body.id}/accept-joint`, {})).status).toBe(409);
    // The seed's agreement: 渝北 cleans it now, 江北's contractor keeps it clean.
    const agreed = await call('yubei.operator', 'POST', `/api/v1/cases/${r.body.id}/agree-coordination`, {
      handledByUnitId: unitIdOf('500112', 'urban-management'),
      maintainedByUnitId: unitIdOf('500105', 'urban-management'),
      note: '渝北区本次清理，江北区保洁合同单位负责后续日常保洁',
    });
    expect(agreed.status, JSON.stringify(agreed.body)).toBe(200);
    expect(agreed.body.coordination.agreement).toMatchObject({ handledByName: '渝北区城市管理局', maintainedByName: '江北区城市管理局' });
  });

  it('makes a report right on the border a joint case too', async () => {
    const line = trailAcrossTheBorder();
    const near = line[2]!; // the first step into 渝北, metres from 江北
    const r = await call('jiangbei.grid', 'POST', '/api/v1/cases', { categoryCode: 'environment.riverbank-litter', title: '界碑旁垃圾', lng: near[0], lat: near[1], crs: 'gcj02' });
    expect(r.body.centerId).toBe('center-500112');
    expect(r.body.coordination.centerIds).toEqual(['center-500105']);
  });

  it('keeps a report far from any boundary a case of one district', async () => {
    const p = interiorPoint(t.platform.resolver().get('500105')!.geometry!);
    const r = await call('jiangbei.grid', 'POST', '/api/v1/cases', { categoryCode: 'environment.exposed-garbage', title: '暴露垃圾', lng: p[0], lat: p[1], crs: 'gcj02' });
    expect(r.body.coordination ?? null).toBeNull();
  });
});
