/**
 * Warnings from other systems (CAP) and cameras (the muck-truck chain), through the API: import,
 * update and cancel by reference, refusal of unsafe or invalid messages (every shared sample), the
 * export validated against CAP-v1.2.xsd, and video-AI events enriched and raised — over the
 * webhook and over MQTT.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAsync } from 'mqtt';
import { openGatedTestPlatform, DIALECTS, type TestPlatform } from '../support/test-platform.ts';
import { ManualClock } from '../../src/clock.ts';
import type { EmbeddedBroker } from '../../src/actions/mqtt/embedded-broker.ts';
import { FIXTURE_CAP_DIR, SKIP_SHARED_CAP, SHARED_CAP_DIR, validateWithCapXsd } from '../../src/sensing/cap/cap-test-kit.ts';
import { LOOPBACK_OUTBOUND_SETTINGS } from '../../src/outbound/outbound-test-kit.ts';
import { DEMO_MUCK, demoMuckSpillEvent } from '../../cities/chongqing/demo/demo-muck-chain.ts';
import { demoDeviceSecret } from '../../cities/chongqing/demo/demo-devices.ts';

const fixture = (name: string) => readFileSync(`${FIXTURE_CAP_DIR}${name}`, 'utf8');
// The shared samples: these must be refused, the rest imported.
const REFUSED = new Set(['invalid.cap', 'canada_errors.cap', 'noaa_errors.cap', 'no_optional_fields.cap', 'xee.cap']);

describe.each(DIALECTS)('CAP warnings and camera events on %s', (dialect) => {
  let tp: TestPlatform;
  let broker: EmbeddedBroker;
  let admin: string;
  const clock = new ManualClock('2025-07-01T02:00:00Z'); // 10:00 in Chongqing, while the rainstorm warning runs
  const post = (url: string, token: string | null, payload: unknown, headers: Record<string, string> = {}) =>
    tp.app.inject({ method: 'POST', url, payload: payload as never, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  const cap = (xml: string | Buffer, token = admin) => post('/api/v1/cap', token, xml, { 'content-type': 'application/cap+xml' });

  let gated: Awaited<ReturnType<typeof openGatedTestPlatform>>;
  beforeAll(async () => {
    // The feed server of the polling test listens on 127.0.0.1, which the administrator must allow.
    gated = await openGatedTestPlatform(dialect, clock, LOOPBACK_OUTBOUND_SETTINGS);
    ({ tp, broker } = gated);
    admin = await tp.signIn('admin');
  }, 120_000);
  afterAll(async () => {
    await gated?.close();
  });

  it('raises one alert per district a warning touches, and follows Update and Cancel', async () => {
    const r = await cap(fixture('cq-rainstorm-orange.cap'));
    expect(r.statusCode).toBe(201);
    const body = r.json();
    expect(body.raised.map((a: { districtCode: string }) => a.districtCode).sort()).toEqual(['500103', '500108']);
    expect(new Set(body.raised.map((a: { severity: string }) => a.severity))).toEqual(new Set(['orange']));
    // The district operator sees the warning on their district.
    const yz = await tp.signIn('yuzhong.operator');
    const mine = (await tp.app.inject({ method: 'GET', url: '/api/v1/alerts?source=cap', headers: { authorization: `Bearer ${yz}` } })).json().items;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ districtCode: '500103', source: 'cap', categoryCode: 'safety.road-waterlogging' });
    // The same message again is recognised, not raised twice.
    const again = await cap(fixture('cq-rainstorm-orange.cap'));
    expect(again.statusCode).toBe(200);
    expect(again.json().duplicate).toBe(true);
    // The red update replaces the orange alerts.
    const up = (await cap(fixture('cq-rainstorm-red-update.cap'))).json();
    expect(up.ended).toBe(2);
    expect(up.raised.length).toBeGreaterThan(0);
    const active = (await tp.platform.sensing.alerts.activeAlerts()).filter((a) => a.source === 'cap');
    expect(new Set(active.map((a) => a.severity))).toEqual(new Set(['red']));
    // The cancel withdraws everything of both.
    const cancel = (await cap(fixture('cq-rainstorm-cancel.cap'))).json();
    expect(cancel.ended).toBe(up.raised.length);
    expect((await tp.platform.sensing.alerts.activeAlerts()).filter((a) => a.source === 'cap')).toHaveLength(0);
  });

  it('polls an Atom feed of CAP links (the admin may ask for it through the API)', async () => {
    const { createServer } = await import('node:http');
    const files: Record<string, string> = {
      '/feed.atom': `<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>重庆市气象台</title><id>urn:test:feed</id><updated>2025-07-01T01:30:00Z</updated>
        <entry><id>urn:test:1</id><title>滑坡</title><updated>2025-07-01T01:30:00Z</updated><link rel="alternate" type="application/cap+xml" href="/landslide.cap"/></entry></feed>`,
      '/landslide.cap': fixture('cq-landslide-circle.cap'),
    };
    const server = createServer((req, res) => {
      const body = files[req.url ?? ''];
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/xml' }).end(body ?? '');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    try {
      const yz = await tp.signIn('yuzhong.operator');
      expect((await post('/api/v1/cap', yz, { url: `http://127.0.0.1:${port}/feed.atom` })).statusCode).toBe(403);
      const r = await post('/api/v1/cap', admin, { url: `http://127.0.0.1:${port}/feed.atom` });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ imported: 1, duplicates: 0, own: 0, refused: [] });
      const again = (await post('/api/v1/cap', admin, { url: `http://127.0.0.1:${port}/feed.atom` })).json();
      expect(again).toMatchObject({ imported: 0, duplicates: 1 });
    } finally {
      server.close();
    }
  });

  it('places a circle on the districts it touches; a geocode-only area is kept but placed nowhere', async () => {
    const circle = await tp.platform.store.db.selectFrom('alerts').select(['district_code']).where('source', '=', 'cap').where('dedup_key', 'like', '%CQ-GH-20250702-0042%').execute();
    expect(circle.map((a) => a.district_code)).toContain('500106');
    const geo = (await cap(fixture('cq-geocode-only.cap'))).json();
    expect(geo.raised).toHaveLength(0);
    expect(geo.unmapped).toBeGreaterThan(0);
  });

  it.skipIf(SKIP_SHARED_CAP)('imports every good shared sample and refuses the bad ones with a reason, the entity attack included', async () => {
    const names = readdirSync(SHARED_CAP_DIR).filter((n) => n.endsWith('.cap'));
    expect(names.length).toBeGreaterThanOrEqual(15);
    for (const name of names) {
      const res = await cap(readFileSync(`${SHARED_CAP_DIR}${name}`));
      if (REFUSED.has(name)) {
        expect(res.statusCode, name).toBe(422);
        expect(res.json().code, name).toBe('CAP_REFUSED');
        expect(res.json().problems.length, name).toBeGreaterThan(0);
      } else {
        expect([200, 201], `${name}: ${res.body.slice(0, 300)}`).toContain(res.statusCode);
        // Canada, the US and Australia touch no district of Chongqing.
        expect(res.json().raised, name).toEqual([]);
      }
    }
    const xee = await cap(readFileSync(`${SHARED_CAP_DIR}xee.cap`));
    expect(xee.json().detail).toMatch(/DOCTYPE|DTD/i);
    // Nothing of a refused message was kept.
    const kept = await tp.platform.store.db.selectFrom('cap_messages').select('identifier').execute();
    expect(kept.some((k) => k.identifier.includes('xee'))).toBe(false);
  });

  it('exports any alert as CAP 1.2 that validates against the XSD', async () => {
    const a = await tp.platform.sensing.alerts.raise({ dedupKey: 'test:export', source: 'rule', severity: 'red', title: '南开下穿道积水 <超限> & 封闭', location: { lon: 106.464, lat: 29.553 }, deviceId: 'gauge-nankai-01', metric: 'water_level', value: 1.3, readings: { water_level: 1.3 }, categoryCode: 'safety.underpass-waterlogging', at: clock.now().toISOString() });
    const res = await tp.app.inject({ method: 'GET', url: `/api/v1/alerts/${a.id}/cap`, headers: { authorization: `Bearer ${admin}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/cap\+xml/);
    const cleared = await tp.platform.sensing.alerts.clear('test:export', 'test');
    const area = (await tp.platform.sensing.alerts.activeAlerts()).find((x) => x.source === 'cap');
    const docs = [{ name: 'active.xml', xml: res.body }, { name: 'cleared.xml', xml: tp.platform.sensing.cap.exportAlert(cleared!, { sender: 'cityloop@example.org' }) }];
    if (area) docs.push({ name: 'area.xml', xml: tp.platform.sensing.cap.exportAlert(area, { sender: 'cityloop@example.org' }) });
    const verdicts = await validateWithCapXsd(docs);
    for (const [name, v] of verdicts) expect(v, `${name}: ${v.errors.join('; ')}`).toMatchObject({ valid: true });
    // And it reads back as a CAP message of ours.
    expect(res.body).toContain('&lt;超限&gt; &amp; 封闭');
  });

  it('enriches a camera\'s spill with the truck\'s permit and route and raises it once', async () => {
    const body = demoMuckSpillEvent('noPermit', clock.now());
    const noAuth = await post('/api/v1/camera-events', null, body);
    expect(noAuth.statusCode).toBe(401);
    const res = await post('/api/v1/camera-events', null, body, { 'x-device-secret': demoDeviceSecret(DEMO_MUCK.cameraId) });
    expect(res.statusCode).toBe(201);
    const r = res.json();
    expect(r.enrichment.flags).toContain('no_permit');
    expect(r.alert).toMatchObject({ source: 'camera', categoryCode: 'construction.muck-spillage', deviceId: DEMO_MUCK.cameraId, districtCode: '500103' });
    const dup = await post('/api/v1/camera-events', null, body, { 'x-device-secret': demoDeviceSecret(DEMO_MUCK.cameraId) });
    expect(dup.statusCode).toBe(200);
    expect(dup.json().duplicate).toBe(true);
    const bad = await post('/api/v1/camera-events', admin, { ...body, confidence: 'sure' });
    expect(bad.statusCode).toBe(400);
  });

  it('takes camera events over MQTT too: an off-route truck is flagged', async () => {
    const cam = await connectAsync(broker.url, { username: DEMO_MUCK.cameraId, password: demoDeviceSecret(DEMO_MUCK.cameraId), reconnectPeriod: 0, log: () => {} });
    clock.advance(60_000);
    await cam.publishAsync(`cityloop/devices/${DEMO_MUCK.cameraId}/events`, JSON.stringify(demoMuckSpillEvent('offRoute', clock.now())), { qos: 1 });
    await cam.endAsync();
    const events = (await tp.app.inject({ method: 'GET', url: '/api/v1/camera-events', headers: { authorization: `Bearer ${admin}` } })).json().items as { plate: string | null; enrichment: { flags: string[] } }[];
    const off = events.find((e) => e.plate === DEMO_MUCK.plates.offRoute);
    expect(off?.enrichment.flags).toContain('off_route');
    // The cameras' districts bound who sees their events: 南岸's center sees none of 渝中's.
    const seen = async (user: string) => ((await tp.app.inject({ method: 'GET', url: '/api/v1/camera-events', headers: { authorization: `Bearer ${await tp.signIn(user)}` } })).json().items as unknown[]).length;
    expect(await seen('yuzhong.operator')).toBeGreaterThanOrEqual(2);
    expect(await seen('nanan.operator')).toBe(0);
  });
});
