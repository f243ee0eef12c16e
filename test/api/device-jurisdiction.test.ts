/**
 * Device management stays inside the caller's ground (issue 14, item 1): a district operator may
 * neither re-key, delete, move, overwrite by import, register into nor hand to another district's
 * unit a device of another district; the real device keeps working; every change that is allowed
 * is an event in the log with its actor, and the chain still verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { testHttp } from '../support/http.ts';
import { demoDeviceSecret } from '../../cities/chongqing/demo/demo-devices.ts';
import { unitIdOf } from '../../cities/chongqing/demo/demo-city.ts';
import { verifyEventLog } from '../../src/events/event-log.ts';

const SHAPINGBA_GAUGE = 'gauge-nankai-01'; // 沙坪坝区, the underpass gauge
const SHAPINGBA_SIGNAL = 'signal-nankai-s';
const YUZHONG_METER = 'pressure-yz-01'; // 渝中区
/** A point in 南岸区 (南坪) and one in 渝中区 (解放碑), GCJ-02. */
const NANAN = { lon: 106.5637, lat: 29.5313 };
const YUZHONG = { lon: 106.577, lat: 29.557 };

describe.each(DIALECTS)('device management by jurisdiction on %s', (dialect) => {
  let tp: TestPlatform;
  const tokens: Record<string, string> = {};
  const { call } = testHttp(() => tp.app, (u) => tokens[u]);
  const deviceEvents = async (id: string) =>
    tp.platform.store.db.selectFrom('events').select(['type', 'actor_id', 'payload']).where('stream_id', '=', `device:${id}`).orderBy('stream_version').execute();
  const asBody = (id: string) => {
    const d = tp.platform.sensing.devices.require(id);
    return { id: d.id, type: d.type, name: d.name, lon: d.lon, lat: d.lat, crs: 'gcj02', unitId: d.unitId, assetId: d.assetId, thresholds: { ...d.thresholds }, properties: { ...d.properties } };
  };

  beforeAll(async () => {
    tp = await openTestPlatform(dialect);
    for (const u of ['admin', 'city.operator', 'yuzhong.operator', 'nanan.operator', 'street.operator', 'yuzhong.water', 'gridworker', 'citizen.zhang']) tokens[u] = await tp.signIn(u);
  }, 120_000);
  afterAll(async () => tp?.close());

  it('refuses another district\'s operator every write to a device of 沙坪坝, and writes nothing', async () => {
    const before = tp.platform.sensing.devices.require(SHAPINGBA_GAUGE);
    const rotate = await call('nanan.operator', 'POST', `/api/v1/devices/${SHAPINGBA_GAUGE}/secret`, {});
    expect(rotate.status).toBe(403);
    expect(rotate.body.code).toBe('FORBIDDEN_JURISDICTION');
    expect(JSON.stringify(rotate.body)).not.toMatch(/secret"\s*:\s*"/);
    // The real gauge still logs in with its own secret.
    expect(tp.platform.sensing.devices.authenticate(SHAPINGBA_GAUGE, demoDeviceSecret(SHAPINGBA_GAUGE))).toBe(true);

    const del = await call('nanan.operator', 'DELETE', `/api/v1/devices/${SHAPINGBA_SIGNAL}`);
    expect(del.status).toBe(403);
    expect(tp.platform.sensing.devices.get(SHAPINGBA_SIGNAL)).toBeDefined();

    const put = await call('nanan.operator', 'PUT', `/api/v1/devices/${SHAPINGBA_GAUGE}`, { ...asBody(SHAPINGBA_GAUGE), name: '被改了' });
    expect(put.status).toBe(403);
    expect(tp.platform.sensing.devices.require(SHAPINGBA_GAUGE)).toEqual(before);
    expect(await deviceEvents(SHAPINGBA_GAUGE)).toEqual([]);
  });

  it('refuses moving a device of 渝中 into 南岸, by its own district as by the other', async () => {
    const moved = { ...asBody(YUZHONG_METER), ...NANAN, assetId: null };
    // 南岸's operator may not take 渝中's meter onto its own ground …
    expect((await call('nanan.operator', 'PUT', `/api/v1/devices/${YUZHONG_METER}`, moved)).status).toBe(403);
    // … nor may 渝中's operator put it on 南岸's.
    expect((await call('yuzhong.operator', 'PUT', `/api/v1/devices/${YUZHONG_METER}`, moved)).status).toBe(403);
    expect(tp.platform.sensing.devices.require(YUZHONG_METER).districtCode).toBe('500103');
  });

  it('refuses registering a device on another district\'s ground or for another district\'s unit', async () => {
    const onNanan = await call('yuzhong.operator', 'POST', '/api/v1/devices', { id: 'yz-intruder-01', type: 'water_gauge', name: '越界水位计', ...NANAN, crs: 'gcj02' });
    expect(onNanan.status).toBe(403);
    const forNananUnit = await call('yuzhong.operator', 'POST', '/api/v1/devices', { id: 'yz-intruder-02', type: 'water_gauge', name: '他区单位水位计', ...YUZHONG, crs: 'gcj02', unitId: unitIdOf('500108', 'water-supply') });
    expect(forNananUnit.status).toBe(403);
    expect(tp.platform.sensing.devices.get('yz-intruder-01')).toBeUndefined();
    expect(tp.platform.sensing.devices.get('yz-intruder-02')).toBeUndefined();
  });

  it('refuses a whole import that would overwrite another district\'s device, and imports nothing of it', async () => {
    const g = tp.platform.sensing.devices.require(SHAPINGBA_GAUGE);
    const csv = ['id,type,name,lon,lat', `nanan-new-01,water_gauge,南岸新水位计,${NANAN.lon},${NANAN.lat}`, `${SHAPINGBA_GAUGE},water_gauge,改名水位计,${NANAN.lon},${NANAN.lat}`].join('\n');
    const r = await call('nanan.operator', 'POST', '/api/v1/devices/import?format=csv', csv, { 'content-type': 'text/csv' });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('FORBIDDEN_JURISDICTION');
    expect(r.body.errors.map((e: { index: number }) => e.index)).toEqual([1]);
    expect(tp.platform.sensing.devices.get('nanan-new-01')).toBeUndefined();
    expect(tp.platform.sensing.devices.require(SHAPINGBA_GAUGE)).toEqual(g);
  });

  it('refuses the roles that do not manage devices', async () => {
    for (const u of ['street.operator', 'yuzhong.water', 'gridworker', 'citizen.zhang']) {
      const r = await call(u, 'POST', `/api/v1/devices/${YUZHONG_METER}/secret`, {});
      expect(r.status, u).toBe(403);
      expect(r.body.code, u).toBe('FORBIDDEN_ROLE');
    }
  });

  it('lets a district manage its own devices, the city and the administrator any, each change an event with its actor', async () => {
    const created = await call('yuzhong.operator', 'POST', '/api/v1/devices', { id: 'yz-own-01', type: 'water_gauge', name: '渝中自有水位计', ...YUZHONG, crs: 'gcj02', unitId: unitIdOf('500103', 'water-supply') });
    expect(created.status).toBe(201);
    const renamed = await call('yuzhong.operator', 'PUT', '/api/v1/devices/yz-own-01', { ...asBody('yz-own-01'), name: '渝中自有水位计（改）' });
    expect(renamed.status).toBe(200);
    const rotated = await call('city.operator', 'POST', '/api/v1/devices/yz-own-01/secret', {});
    expect(rotated.status).toBe(200);
    expect(tp.platform.sensing.devices.authenticate('yz-own-01', rotated.body.secret)).toBe(true);
    const imported = await call('nanan.operator', 'POST', '/api/v1/devices/import?format=csv', ['id,type,name,lon,lat', `nanan-own-01,water_gauge,南岸自有水位计,${NANAN.lon},${NANAN.lat}`].join('\n'), { 'content-type': 'text/csv' });
    expect(imported.status).toBe(200);
    expect((await call('admin', 'DELETE', '/api/v1/devices/yz-own-01')).status).toBe(204);

    const events = await deviceEvents('yz-own-01');
    expect(events.map((e) => e.type)).toEqual(['DeviceRegistered', 'DeviceUpdated', 'DeviceSecretRotated', 'DeviceRemoved']);
    const yz = await tp.platform.store.db.selectFrom('users').select(['id', 'username']).where('username', 'in', ['yuzhong.operator', 'city.operator', 'admin']).execute();
    const idOf = (name: string) => yz.find((u) => u.username === name)!.id;
    expect(events.map((e) => e.actor_id)).toEqual([idOf('yuzhong.operator'), idOf('yuzhong.operator'), idOf('city.operator'), idOf('admin')]);
    expect(JSON.parse(events[1]!.payload)).toMatchObject({ changes: { name: { from: '渝中自有水位计', to: '渝中自有水位计（改）' } } });
    // No secret and no hash of one is ever in the log.
    for (const e of events) expect(e.payload).not.toContain(rotated.body.secret);
    expect((await deviceEvents('nanan-own-01')).map((e) => JSON.parse(e.payload).via)).toEqual(['import']);
    const report = await verifyEventLog(tp.platform.store.db);
    expect(report.ok).toBe(true);
  });
});
