import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { openTestPlatform, type TestPlatform } from '../../test/support/test-platform.ts';
import { encodeMapColumns } from './map-routes.ts';
import { decodeMapColumns } from '../../web/src/map/columns.ts';

const arrayBufferOf = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

describe('the map\'s case columns, packed', () => {
  let tp: TestPlatform;
  let token: string;
  beforeAll(async () => {
    tp = await openTestPlatform('sqlite');
    token = await tp.signIn('yuzhong.operator');
    for (const [i, [lng, lat]] of [[106.5455, 29.5635], [106.5355, 29.5478], [106.5771, 29.5571]].entries()) {
      const r = await tp.app.inject({ method: 'POST', url: '/api/v1/cases', headers: { authorization: `Bearer ${token}` }, payload: { categoryCode: 'municipal.manhole.missing', source: 'sensor', title: `井盖 ${i}`, lng, lat, crs: 'gcj02', priority: i === 1 ? 'urgent' : 'normal' } });
      expect(r.statusCode).toBe(201);
    }
  }, 120_000);
  afterAll(async () => {
    await tp?.close();
  });

  it('carries the same columns as the JSON answer, gzipped when asked, read back as typed arrays', async () => {
    const json = (await tp.app.inject({ method: 'GET', url: '/api/v1/map/cases', headers: { authorization: `Bearer ${token}` } })).json();
    expect(json.count).toBe(3);
    const res = await tp.app.inject({ method: 'GET', url: '/api/v1/map/cases?format=bin', headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip, br' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.cityloop.map-columns');
    expect(res.headers['content-encoding']).toBe('gzip');
    const p = decodeMapColumns(arrayBufferOf(gunzipSync(res.rawPayload)));
    expect(p.count).toBe(3);
    expect(p.states).toEqual(json.states);
    expect(p.priorities).toEqual(json.priorities);
    for (let i = 0; i < 3; i++) {
      expect(p.idAt(i)).toBe(json.id[i]);
      expect(p.lng[i]).toBeCloseTo(json.lng[i], 6);
      expect(p.lat[i]).toBeCloseTo(json.lat[i], 6);
      expect(p.state[i]).toBe(json.state[i]);
      expect(p.priority[i]).toBe(json.priority[i]);
      expect(p.overdue[i]).toBe(json.overdue[i]);
    }
    // Without gzip in Accept-Encoding the bytes come as they are.
    const plain = await tp.app.inject({ method: 'GET', url: '/api/v1/map/cases?format=bin', headers: { authorization: `Bearer ${token}` } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(decodeMapColumns(arrayBufferOf(plain.rawPayload)).idAt(2)).toBe(json.id[2]);
  });

  it('keeps ids that are not UUIDs as text, and negative coordinates', () => {
    const cols = { count: 2, truncated: true, states: ['reported'], priorities: ['low', 'normal'], id: ['case-1', '案件-二'], lng: [-0.5, 106.123456], lat: [-33.25, 29.000001], state: [0, 0], priority: [1, 0], overdue: [0, 1] };
    const p = decodeMapColumns(arrayBufferOf(encodeMapColumns(cols)));
    expect(p.truncated).toBe(true);
    expect([p.idAt(0), p.idAt(1)]).toEqual(['case-1', '案件-二']);
    expect([...p.lng]).toEqual([-0.5, 106.123456]);
    expect([...p.lat]).toEqual([-33.25, 29.000001]);
    expect([...p.overdue]).toEqual([0, 1]);
  });
});
