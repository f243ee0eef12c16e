/**
 * The administration of people (issue 16 item 8): users listed, created, changed, moved between
 * units and centers, disabled and enabled, their passwords reset to a one-time password; units
 * created, renamed, moved under another center, disabled; a center created. Every change is an
 * event in the log, read back at /api/v1/audit/changes. The city administrator may do all of it;
 * a district administrator only inside its district, and it is refused everything outside.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { expectProblem, testHttp } from '../support/http.ts';
import { verifyEventLog } from '../../src/events/event-log.ts';
import { centerIdOf, unitIdOf } from '../../cities/chongqing/demo/demo-ids.ts';

const DISTRICT_ADMIN_PASSWORD = 'district-admin-password-1';

describe.each(DIALECTS)('user and unit administration on %s', (dialect) => {
  let tp: TestPlatform;
  const tokens: Record<string, string> = {};
  const { call, ok } = testHttp(() => tp.app, (u) => tokens[u]);
  const idOf = async (username: string) => {
    const items = (await ok('admin', 'GET', `/api/v1/users?q=${encodeURIComponent(username)}`)).items as { id: string; username: string }[];
    const u = items.find((i) => i.username === username);
    if (!u) throw new Error(`no user ${username}`);
    return u.id;
  };
  const changes = async (kind: string, id: string) =>
    ((await ok('admin', 'GET', `/api/v1/audit/changes?kind=${kind}&id=${encodeURIComponent(id)}`)).items as { type: string; actor: { name: string }; payload: any }[]);
  const signInWith = (username: string, password: string) => call(null, 'POST', '/api/v1/auth/sign-in', { username, password });

  beforeAll(async () => {
    tp = await openTestPlatform(dialect);
    for (const u of ['admin', 'yuzhong.operator', 'yuzhong.water']) tokens[u] = await tp.signIn(u);
    // A district administrator of 渝中区, made by the city administrator.
    await ok('admin', 'POST', '/api/v1/users', { username: 'yuzhong.admin', displayName: '渝中区管理员', password: DISTRICT_ADMIN_PASSWORD, roles: ['admin'], centerId: centerIdOf('500103') });
    tokens['yuzhong.admin'] = (await ok(null, 'POST', '/api/v1/auth/sign-in', { username: 'yuzhong.admin', password: DISTRICT_ADMIN_PASSWORD })).token;
  }, 120_000);
  afterAll(async () => tp?.close());

  it('lists and searches users: the city administrator sees all, a district administrator its district only, others nobody', async () => {
    const all = (await ok('admin', 'GET', '/api/v1/users?limit=500')).items.map((u: { username: string }) => u.username);
    expect(all).toEqual(expect.arrayContaining(['admin', 'yuzhong.operator', 'nanan.operator', 'city.operator']));
    const district = (await ok('yuzhong.admin', 'GET', '/api/v1/users?limit=500')).items.map((u: { username: string }) => u.username);
    expect(district).toEqual(expect.arrayContaining(['yuzhong.operator', 'yuzhong.water', 'yuzhong.admin']));
    for (const outside of ['admin', 'nanan.operator', 'city.operator', 'nanan.water']) expect(district).not.toContain(outside);
    const found = (await ok('admin', 'GET', `/api/v1/users?q=${encodeURIComponent('孙强')}`)).items;
    expect(found.map((u: { username: string }) => u.username)).toEqual(['yuzhong.water']);
    expect(JSON.stringify(found)).not.toMatch(/password|scrypt|totp_secret/);
    expectProblem(await call('yuzhong.operator', 'GET', '/api/v1/users'), 403, 'FORBIDDEN_ROLE');
    expectProblem(await call('yuzhong.admin', 'GET', `/api/v1/users/${await idOf('nanan.operator')}`), 403, 'FORBIDDEN_JURISDICTION');
  });

  it('a district administrator creates users inside its district only, and no administrators', async () => {
    const body = (username: string, centerId: string, roles = ['operator']) => ({ username, displayName: `新人 ${username}`, password: 'new-person-password-1', roles, centerId });
    const r = await call('yuzhong.admin', 'POST', '/api/v1/users', body('yuzhong.newbie', centerIdOf('500103')));
    expect(r.status, r.text).toBe(201);
    expect((await changes('user', r.body.id)).map((e) => e.type)).toEqual(['UserCreated']);
    expect((await changes('user', r.body.id))[0]!.actor.name).toBe('渝中区管理员');
    expectProblem(await call('yuzhong.admin', 'POST', '/api/v1/users', body('nanan.newbie', centerIdOf('500108'))), 403, 'FORBIDDEN_JURISDICTION');
    expectProblem(await call('yuzhong.admin', 'POST', '/api/v1/users', body('yuzhong.admin2', centerIdOf('500103'), ['admin'])), 403, 'FORBIDDEN_ROLE');
    expectProblem(await call('yuzhong.admin', 'POST', '/api/v1/users', { ...body('cityless', centerIdOf('500103')), centerId: undefined }), 403, 'FORBIDDEN_JURISDICTION');
  });

  it('disables and enables users of its district; another district\'s are refused', async () => {
    const newbie = await idOf('yuzhong.newbie');
    tokens['yuzhong.newbie'] = (await ok(null, 'POST', '/api/v1/auth/sign-in', { username: 'yuzhong.newbie', password: 'new-person-password-1' })).token;
    expect((await ok('yuzhong.admin', 'POST', `/api/v1/users/${newbie}/disable`, { reason: '调岗' })).disabled).toBe(true);
    expectProblem(await call('yuzhong.newbie', 'GET', '/api/v1/me'), 401, 'AUTH_INVALID_TOKEN');
    expect((await ok('yuzhong.admin', 'GET', `/api/v1/users/${newbie}`)).disabled).toBe(true);
    expect((await ok('yuzhong.admin', 'POST', `/api/v1/users/${newbie}/enable`, {})).disabled).toBe(false);
    expect((await changes('user', newbie)).map((e) => e.type)).toEqual(['UserEnabled', 'UserDisabled', 'UserCreated']);
    const nanan = await idOf('nanan.operator');
    expectProblem(await call('yuzhong.admin', 'POST', `/api/v1/users/${nanan}/disable`, {}), 403, 'FORBIDDEN_JURISDICTION');
    // Administrators are the city administrator's to change: refused for the role, wherever they are.
    expectProblem(await call('yuzhong.admin', 'POST', `/api/v1/users/${await idOf('admin')}/disable`, {}), 403, 'FORBIDDEN_ROLE');
    expect((await ok('admin', 'GET', `/api/v1/users/${nanan}`)).disabled).toBe(false);
  });

  it('resets a password to a one-time password shown once: the old password and sessions end, the new one signs in', async () => {
    const water = await idOf('yuzhong.water');
    const r = await call('yuzhong.admin', 'POST', `/api/v1/users/${water}/password-reset`, { reason: '忘记密码' });
    expect(r.status, r.text).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    const otp = r.body.oneTimePassword as string;
    expect(otp).toMatch(/^[a-z2-9]{7}-[a-z2-9]{7}$/);
    expect(r.body.sessionsEnded).toBeGreaterThanOrEqual(1);
    expectProblem(await call('yuzhong.water', 'GET', '/api/v1/me'), 401, 'AUTH_INVALID_TOKEN');
    expectProblem(await signInWith('yuzhong.water', 'cityloop-demo'), 401, 'AUTH_INVALID_CREDENTIALS');
    expect((await signInWith('yuzhong.water', otp)).status).toBe(200);
    const events = await changes('user', water);
    expect(events[0]).toMatchObject({ type: 'UserPasswordReset', payload: { reason: '忘记密码' } });
    expect(JSON.stringify(events)).not.toContain(otp);
    expectProblem(await call('yuzhong.admin', 'POST', `/api/v1/users/${await idOf('nanan.water')}/password-reset`, {}), 403, 'FORBIDDEN_JURISDICTION');
    expectProblem(await call('yuzhong.operator', 'POST', `/api/v1/users/${water}/password-reset`, {}), 403, 'FORBIDDEN_ROLE');
  });

  it('changes roles and moves a user between units and centers, inside the district; the city administrator moves across', async () => {
    const traffic = await idOf('yuzhong.traffic');
    const moved = await ok('yuzhong.admin', 'PATCH', `/api/v1/users/${traffic}`, { unitId: unitIdOf('500103', 'urban-management'), reason: '借调城管' });
    expect(moved.unitId).toBe(unitIdOf('500103', 'urban-management'));
    const ev = (await changes('user', traffic))[0]!;
    expect(ev).toMatchObject({ type: 'UserMoved', payload: { changed: { unitId: { from: unitIdOf('500103', 'traffic-police'), to: unitIdOf('500103', 'urban-management') } }, reason: '借调城管' } });
    expectProblem(await call('yuzhong.admin', 'PATCH', `/api/v1/users/${traffic}`, { unitId: unitIdOf('500108', 'urban-management') }), 403, 'FORBIDDEN_JURISDICTION');
    expectProblem(await call('yuzhong.admin', 'PATCH', `/api/v1/users/${traffic}`, { roles: ['admin'] }), 403, 'FORBIDDEN_ROLE');
    const roles = await ok('yuzhong.admin', 'PATCH', `/api/v1/users/${traffic}`, { roles: ['unit_staff', 'grid_worker'] });
    expect(roles.roles).toEqual(['unit_staff', 'grid_worker']);
    expect((await changes('user', traffic))[0]).toMatchObject({ type: 'UserChanged', payload: { changed: { roles: { from: ['unit_staff'], to: ['unit_staff', 'grid_worker'] } } } });
    // The moved user's rights follow at once: a new sign-in is the new unit's staff.
    const me = await ok(null, 'POST', '/api/v1/auth/sign-in', { username: 'yuzhong.traffic', password: 'cityloop-demo' });
    expect(me.user.unitId).toBe(unitIdOf('500103', 'urban-management'));
    // The city administrator moves a user to another district's center; it leaves the district administrator's sight.
    const op = await idOf('yuzhong.newbie');
    expect((await ok('admin', 'PATCH', `/api/v1/users/${op}`, { centerId: centerIdOf('500108') })).centerId).toBe(centerIdOf('500108'));
    expectProblem(await call('yuzhong.admin', 'GET', `/api/v1/users/${op}`), 403, 'FORBIDDEN_JURISDICTION');
    expectProblem(await call('admin', 'PATCH', `/api/v1/users/${op}`, { unitId: 'unit-none' }), 422, 'UNKNOWN_UNIT');
  });

  it('creates, renames, moves and disables units; plans stop picking a disabled unit', async () => {
    const created = await call('yuzhong.admin', 'POST', '/api/v1/units', { name: '渝中区排水公司', kind: 'drainage-test', centerId: centerIdOf('500103'), categoryCodes: ['municipal'] });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({ tier: 'district', jurisdictionCode: '500103', disabled: false });
    expect(tp.platform.org.unitOfKind('drainage-test', '500103')?.id).toBe(id);
    expectProblem(await call('yuzhong.admin', 'POST', '/api/v1/units', { name: '第二家', kind: 'drainage-test', centerId: centerIdOf('500103'), categoryCodes: ['municipal'] }), 400, 'VALIDATION_FAILED');
    expectProblem(await call('yuzhong.admin', 'POST', '/api/v1/units', { name: '南岸排水', kind: 'drainage-test', centerId: centerIdOf('500108'), categoryCodes: ['municipal'] }), 403, 'FORBIDDEN_JURISDICTION');
    expectProblem(await call('yuzhong.operator', 'POST', '/api/v1/units', { name: '坐席建的', kind: 'drainage-test', centerId: centerIdOf('500103'), categoryCodes: ['municipal'] }), 403, 'FORBIDDEN_ROLE');
    expect((await ok('yuzhong.admin', 'PATCH', `/api/v1/units/${id}`, { name: '渝中区排水有限公司' })).name).toBe('渝中区排水有限公司');
    // Moved under a street center of the district: it serves the street now.
    const street = tp.platform.org.centers().find((c) => c.tier === 'street' && tp.platform.resolver().get(c.jurisdictionCode)?.parentCode === '500103')!;
    expect(await ok('yuzhong.admin', 'PATCH', `/api/v1/units/${id}`, { centerId: street.id, reason: '下沉街道' })).toMatchObject({ tier: 'street', jurisdictionCode: street.jurisdictionCode });
    expectProblem(await call('yuzhong.admin', 'PATCH', `/api/v1/units/${id}`, { centerId: centerIdOf('500108') }), 403, 'FORBIDDEN_JURISDICTION');
    expect((await ok('yuzhong.admin', 'POST', `/api/v1/units/${id}/disable`, { reason: '撤并' })).disabled).toBe(true);
    expect(tp.platform.org.unitOfKind('drainage-test', street.jurisdictionCode)).toBeUndefined();
    expect(tp.platform.org.unit(id)?.disabled).toBe(true);
    const listed = (await ok('yuzhong.operator', 'GET', `/api/v1/units?q=${encodeURIComponent('排水有限')}`)).items;
    expect(listed).toEqual([expect.objectContaining({ id, disabled: true })]);
    expect((await changes('unit', id)).map((e) => e.type)).toEqual(['UnitDisabled', 'UnitMoved', 'UnitRenamed', 'UnitCreated']);
    // Another district's unit: refused.
    expectProblem(await call('yuzhong.admin', 'POST', `/api/v1/units/${unitIdOf('500108', 'water-supply')}/disable`, {}), 403, 'FORBIDDEN_JURISDICTION');
    expect(tp.platform.org.unit(unitIdOf('500108', 'water-supply'))?.disabled).toBe(false);
  });

  it('another process reads a renamed or disabled unit again (the configuration watch)', async () => {
    const other = await tp.openSecond();
    try {
      await other.config.start(3_600_000); // a long interval: the test looks itself
      const id = unitIdOf('500103', 'economy-it');
      expect(await other.config.check()).toEqual([]);
      await ok('admin', 'PATCH', `/api/v1/units/${id}`, { name: '渝中区经济和信息化委员会' });
      expect(await other.config.check()).toEqual(['org']);
      expect(other.org.unit(id)?.name).toBe('渝中区经济和信息化委员会');
      await ok('admin', 'POST', `/api/v1/units/${id}/disable`, {});
      expect(await other.config.check()).toEqual(['org']);
      expect(other.org.unitOfKind('economy-it', '500103')).toBeUndefined();
      await ok('admin', 'POST', `/api/v1/units/${id}/enable`, {});
    } finally {
      await other.close();
    }
  });

  it('creates a center for a jurisdiction that has none; a district administrator only below its district', async () => {
    const street = tp.platform.resolver().list('street').find((j) => j.parentCode === '500103')!;
    const nananStreet = tp.platform.resolver().list('street').find((j) => j.parentCode === '500108')!;
    // Make room: the demo gives every street a center.
    await tp.platform.store.db.deleteFrom('centers').where('id', 'in', [centerIdOf(street.code), centerIdOf(nananStreet.code)]).execute();
    await tp.platform.org.reload(tp.platform.store.db);
    expectProblem(await call('yuzhong.admin', 'POST', '/api/v1/centers', { name: '南岸某街道中心', jurisdictionCode: nananStreet.code }), 403, 'FORBIDDEN_JURISDICTION');
    expectProblem(await call('yuzhong.admin', 'POST', '/api/v1/centers', { name: '渝中区中心', jurisdictionCode: '500103' }), 403, 'FORBIDDEN_JURISDICTION');
    const c = await call('yuzhong.admin', 'POST', '/api/v1/centers', { name: `${street.name}城市运行和治理中心`, jurisdictionCode: street.code });
    expect(c.status, c.text).toBe(201);
    expect(c.body).toMatchObject({ tier: 'street', jurisdictionCode: street.code, parentCenterId: centerIdOf('500103') });
    expectProblem(await call('admin', 'POST', '/api/v1/centers', { name: '重复', jurisdictionCode: street.code }), 400, 'VALIDATION_FAILED');
    expect((await call('admin', 'POST', '/api/v1/centers', { name: '南岸街道中心', jurisdictionCode: nananStreet.code })).status).toBe(201);
    expect((await changes('center', c.body.id)).map((e) => e.type)).toEqual(['CenterCreated']);
    expect((await verifyEventLog(tp.platform.store.db)).ok).toBe(true);
  });
});
