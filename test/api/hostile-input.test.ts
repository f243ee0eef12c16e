/**
 * Hostile input, one regression test per finding of the outside probe (issue 14): deep JSON over
 * HTTP and over MQTT (a real client against the embedded broker: dead letter with the reason, and
 * the PUBACK still comes), `%` and `_` in the search filter, control characters and lone surrogates
 * in titles, strict number types, 415 for text sent to a JSON route. Open311's Host header is
 * tested in src/appeals/open311/open311.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAsync, type MqttClient } from 'mqtt';
import { openGatedTestPlatform, DIALECTS, type TestPlatform } from '../support/test-platform.ts';
import { ManualClock } from '../../src/clock.ts';
import type { EmbeddedBroker } from '../../src/actions/mqtt/embedded-broker.ts';
import { demoDeviceSecret } from '../../cities/chongqing/demo/demo-devices.ts';

const GAUGE = 'gauge-nankai-01';
const JFB = { lng: 106.577, lat: 29.557, crs: 'gcj02' as const };

function nested(depth: number, inner = '1'): string {
  return '{"a":'.repeat(depth) + inner + '}'.repeat(depth);
}
function nestedArrays(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

describe.each(DIALECTS)('hostile input on %s', (dialect) => {
  let tp: TestPlatform;
  let broker: EmbeddedBroker;
  let gated: Awaited<ReturnType<typeof openGatedTestPlatform>>;
  let admin: string;
  let operator: string;
  const inject = (method: 'GET' | 'POST', url: string, token: string | null, payload?: string | object, headers: Record<string, string> = {}) =>
    tp.app.inject({ method, url, ...(payload !== undefined ? { payload: payload as never } : {}), headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  const deadLetters = async () => (await inject('GET', '/api/v1/dead-letters?limit=1000', admin)).json().items as { reason: string; payload: string; deviceId: string | null }[];
  const caseCount = async () => Number((await tp.platform.store.db.selectFrom('cases').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    gated = await openGatedTestPlatform(dialect, new ManualClock(new Date()));
    ({ tp, broker } = gated);
    admin = await tp.signIn('admin');
    operator = await tp.signIn('yuzhong.operator');
  }, 120_000);
  afterAll(async () => {
    await gated?.close();
  });

  it('answers JSON nested 5,000 deep with 400 JSON_TOO_DEEP on every kind of route, as problem+json', async () => {
    const json = { 'content-type': 'application/json' };
    for (const body of [nested(5000), nestedArrays(5000), nested(65)]) {
      const targets: [string, string | null, Record<string, string>][] = [
        ['/api/v1/cases', operator, {}],
        [`/api/v1/devices/${GAUGE}/telemetry`, null, { 'x-device-secret': demoDeviceSecret(GAUGE) }],
        ['/api/v1/camera-events', admin, {}],
        ['/api/v1/auth/sign-in', null, {}],
      ];
      for (const [url, token, headers] of targets) {
        const r = await inject('POST', url, token, body, { ...json, ...headers });
        expect(r.statusCode, `${url} ${r.body}`).toBe(400);
        expect(r.headers['content-type']).toContain('application/problem+json');
        expect(r.json().code).toBe('JSON_TOO_DEEP');
      }
    }
    // At the limit the parser lets it through; the route's schema then judges it.
    const atLimit = await inject('POST', '/api/v1/cases', operator, JSON.stringify({ categoryCode: 'municipal.water.burst', title: '深', ...JFB, extra: JSON.parse(nested(63)) }), json);
    expect(atLimit.statusCode).toBe(400);
    expect(atLimit.json().code).toBe('VALIDATION_FAILED');
    expect((await inject('GET', '/healthz', null)).statusCode).toBe(200);
  });

  it('dead-letters deep, NUL-laden and oversized telemetry over MQTT with the reason, and still sends the PUBACK', async () => {
    const client: MqttClient = await connectAsync(broker.url, { clientId: `t-hostile-${Math.random().toString(36).slice(2, 8)}`, username: GAUGE, password: demoDeviceSecret(GAUGE), reconnectPeriod: 0, log: () => {} });
    try {
      const topic = `cityloop/devices/${GAUGE}/telemetry`;
      const payloads = [
        { body: `{"values":{"water_level":${nested(5000)}}}`, reason: 'JSON_TOO_DEEP' },
        { body: `{"values":{"water_level":0.1},"note":"a\\u0000b"}`, reason: 'TEXT_FORBIDDEN_CHARACTER' },
        { body: `{"values":{"water_level":0.1},"pad":"${'x'.repeat(300 * 1024)}"}`, reason: 'over the limit' },
        { body: `{"values":{"\u0000":1}}\u0000`, reason: 'not JSON' },
      ];
      const pubacks = new Set<number>();
      client.on('packetreceive', (packet) => {
        if (packet.cmd === 'puback' && typeof packet.messageId === 'number') pubacks.add(packet.messageId);
      });
      for (const p of payloads) {
        // At QoS 1 publishAsync settles once the broker's PUBACK for this message id has arrived.
        const sent = await client.publishAsync(topic, p.body, { qos: 1 });
        expect(sent?.messageId).toBeTypeOf('number');
        expect(pubacks.has(sent!.messageId!), `PUBACK for ${p.reason}`).toBe(true);
        expect(client.connected).toBe(true);
      }
      const dl = await deadLetters();
      for (const p of payloads) expect(dl.some((d) => d.deviceId === GAUGE && d.reason.includes(p.reason)), p.reason).toBe(true);
      // Kept as printable text: a NUL would not even fit in a PostgreSQL text column.
      expect(dl.every((d) => !d.payload.includes('\u0000'))).toBe(true);
      // The connection is still good for a reading that is fine.
      await client.publishAsync(topic, JSON.stringify({ values: { water_level: 0.12 } }), { qos: 1 });
      const readings = (await inject('GET', `/api/v1/devices/${GAUGE}/readings`, admin)).json().items as unknown[];
      expect(readings.length).toBeGreaterThan(0);
    } finally {
      await client.endAsync();
    }
  });

  it('dead-letters a deep camera event over MQTT and acknowledges it', async () => {
    const camera = [...tp.platform.sensing.devices.all()].find((d) => d.type === 'camera' && d.hasCredentials);
    expect(camera, 'a demo camera').toBeTruthy();
    const client = await connectAsync(broker.url, { clientId: `t-cam-${Math.random().toString(36).slice(2, 8)}`, username: camera!.id, password: demoDeviceSecret(camera!.id), reconnectPeriod: 0, log: () => {} });
    try {
      await client.publishAsync(`cityloop/devices/${camera!.id}/events`, nestedArrays(10_000), { qos: 1 });
      expect(client.connected).toBe(true);
      expect((await deadLetters()).some((d) => d.deviceId === camera!.id && d.reason.includes('JSON_TOO_DEEP'))).toBe(true);
    } finally {
      await client.endAsync();
    }
  });

  it('refuses deep or control-laden device files (GeoJSON and CSV) with a 4xx, never a 500', async () => {
    const deepProps = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const geojson = `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[106.577,29.557]},"properties":{"id":"deep-01","type":"gas_detector","properties":${deepProps}}}]}`;
    const csvDeep = `id,type,lon,lat,properties\ndeep-02,gas_detector,106.577,29.557,"${'{""a"":'.repeat(5000)}1${'}'.repeat(5000)}"\n`;
    const csvNul = 'id,type,lon,lat,name\nnul-01,gas_detector,106.577,29.557,燃气\u0000探头\n';
    for (const [body, type] of [[geojson, 'application/geo+json'], [csvDeep, 'text/csv'], [csvNul, 'text/csv']] as const) {
      const r = await inject('POST', `/api/v1/devices/import?format=${type === 'text/csv' ? 'csv' : 'geojson'}`, admin, body, { 'content-type': type });
      expect(r.statusCode, `${type} ${r.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
      expect(r.statusCode).toBeLessThan(500);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
    for (const id of ['deep-01', 'deep-02', 'nul-01']) expect(tp.platform.sensing.devices.get(id)).toBeUndefined();
  });

  it('never answers 5xx to YAML text with control characters on the routes that take text', async () => {
    const yaml = 'id: nul-plan\nname: "燃气\u0000泄漏"\ncategory: municipal.water.burst\n\u0000\u001b\n';
    for (const [method, url] of [['POST', '/api/v1/plans'], ['POST', '/api/v1/rules'], ['POST', '/api/v1/rules/validate'], ['POST', '/api/v1/routing-table'], ['POST', '/api/v1/routing-table/validate'], ['PUT', '/api/v1/categories'], ['POST', '/api/v1/categories/validate']] as const) {
      for (const body of [yaml, JSON.stringify({ source: yaml })]) {
        const type = body === yaml ? 'text/yaml' : 'application/json';
        const r = await tp.app.inject({ method, url, payload: body, headers: { authorization: `Bearer ${admin}`, 'content-type': type } });
        expect(r.statusCode, `${method} ${url} ${type} ${r.body.slice(0, 300)}`).toBeLessThan(500);
        if (r.statusCode >= 400) expect(r.headers['content-type']).toContain('application/problem+json');
      }
    }
    expect((await inject('GET', '/healthz', null)).statusCode).toBe(200);
  });

  it('searches for % and _ as themselves, not as wildcards', async () => {
    const titles = ['水压 100% 不足', '水压 1000 不足', 'pipe_a 渗漏', 'pipeXa 渗漏', '反斜杠 a\\b 井盖'];
    for (const title of titles) {
      const r = await inject('POST', '/api/v1/cases', operator, { categoryCode: 'municipal.water.burst', title, ...JFB });
      expect(r.statusCode, r.body).toBe(201);
    }
    const search = async (q: string) => ((await inject('GET', `/api/v1/cases?q=${encodeURIComponent(q)}&limit=200`, admin)).json().items as { title: string }[]).map((c) => c.title).filter((t) => titles.includes(t));
    expect(await search('%')).toEqual(['水压 100% 不足']);
    expect(await search('100%')).toEqual(['水压 100% 不足']);
    expect(await search('_')).toEqual(['pipe_a 渗漏']);
    expect(await search('pipe_a')).toEqual(['pipe_a 渗漏']);
    expect(await search('a\\b')).toEqual(['反斜杠 a\\b 井盖']);
    expect((await search('渗漏')).sort()).toEqual(['pipeXa 渗漏', 'pipe_a 渗漏'].sort());
    // The category filter is a prefix: a wildcard in it matches nothing.
    expect(((await inject('GET', '/api/v1/cases?category=municipal._ater&limit=200', admin)).json().items as unknown[]).length).toBe(0);
    expect(((await inject('GET', '/api/v1/cases?category=municipal&limit=200', admin)).json().items as unknown[]).length).toBeGreaterThan(0);
  });

  it('refuses NUL, ESC, DEL, C1 controls and unpaired surrogates in a title (and in keys), storing nothing', async () => {
    const before = await caseCount();
    for (const title of ['井盖\u0000缺失', '井盖\u001b[31m缺失', '井盖\u007f', '井盖\u0085', '井盖\ud800缺失', '缺失\udc00', '\ud83d']) {
      const r = await inject('POST', '/api/v1/cases', operator, JSON.stringify({ categoryCode: 'municipal.water.burst', title, ...JFB }), { 'content-type': 'application/json' });
      expect(r.statusCode, JSON.stringify(title)).toBe(400);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json().code).toBe('TEXT_FORBIDDEN_CHARACTER');
      expect(r.json().detail).toContain('/title');
    }
    const key = await inject('POST', '/api/v1/cases', operator, '{"categoryCode":"municipal.water.burst","title":"x","lng":106.577,"lat":29.557,"\\u0000":1}', { 'content-type': 'application/json' });
    expect(key.json().code).toBe('TEXT_FORBIDDEN_CHARACTER');
    const proto = await inject('POST', '/api/v1/cases', operator, '{"categoryCode":"municipal.water.burst","title":"x","lng":106.577,"lat":29.557,"__proto__":{"admin":true}}', { 'content-type': 'application/json' });
    expect(proto.statusCode).toBe(400);
    expect(await caseCount()).toBe(before);
    // TAB, LF, CR, a pair of surrogates (an emoji) and Chinese are text like any other.
    const fine = await inject('POST', '/api/v1/cases', operator, { categoryCode: 'municipal.water.burst', title: '井盖\t缺失 🚧', description: '第一行\r\n第二行', ...JFB });
    expect(fine.statusCode, fine.body).toBe(201);
    expect(fine.json().title).toBe('井盖\t缺失 🚧');
  });

  it('takes numbers as numbers only: null and "106.577" are refused in a JSON body, the query string still converts', async () => {
    const before = await caseCount();
    for (const lng of [null, '106.577', true, [106.577]]) {
      const r = await inject('POST', '/api/v1/cases', operator, { categoryCode: 'municipal.water.burst', title: '类型', lat: 29.557, lng });
      expect(r.statusCode, JSON.stringify(lng)).toBe(400);
      expect(r.json().code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(r.json().errors)).toContain('lng');
    }
    const title = await inject('POST', '/api/v1/cases', operator, { categoryCode: 'municipal.water.burst', title: 42, ...JFB });
    expect(title.statusCode).toBe(400);
    expect(await caseCount()).toBe(before);
    const q = await inject('GET', '/api/v1/geo/resolve?lng=106.5770&lat=29.5570&crs=gcj02', null);
    expect(q.statusCode).toBe(200);
  });

  it('answers 415 to text/plain, YAML, CSV or bytes sent to a JSON route; text routes still take text', async () => {
    const body = JSON.stringify({ categoryCode: 'municipal.water.burst', title: '媒体类型', ...JFB });
    for (const type of ['text/plain', 'text/yaml', 'text/csv', 'application/xml', 'application/octet-stream', 'application/x-www-form-urlencoded', 'application/geo+json', 'text/html']) {
      const r = await inject('POST', '/api/v1/cases', operator, body, { 'content-type': type });
      expect(r.statusCode, type).toBe(415);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    const telemetry = await inject('POST', `/api/v1/devices/${GAUGE}/telemetry`, null, '{"values":{"water_level":0.1}}', { 'content-type': 'text/plain', 'x-device-secret': demoDeviceSecret(GAUGE) });
    expect(telemetry.statusCode).toBe(415);
    // The rules' YAML route takes text: a draft is judged on its merits (not 415).
    const yaml = await inject('POST', '/api/v1/rules/validate', admin, 'id: x\n', { 'content-type': 'text/plain' });
    expect(yaml.statusCode).not.toBe(415);
  });
});
