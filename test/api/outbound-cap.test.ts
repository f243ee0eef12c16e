/**
 * Issue 14 (Trust), outbound requests and CAP, through the API: `POST /api/v1/cap {url}` goes
 * through the outbound policy (loopback, metadata, other hosts and schemes refused with 422
 * OUTBOUND_REFUSED; an unreachable server is 502 OUTBOUND_FAILED, never 500; nothing of a fetched
 * document is told back), our own CAP export coming back is recognised and raises nothing, empty
 * optional elements are tolerated, and the signature status is shown on the alert. The policy is
 * visible to administrators. Every server here listens on 127.0.0.1, allowed by address only.
 * On SQLite, and on PostgreSQL with TEST_DATABASE_URL.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { DIALECTS, openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { FIXTURE_CAP_DIR } from '../../src/sensing/cap/cap-test-kit.ts';
import { LOOPBACK_OUTBOUND_SETTINGS } from '../../src/outbound/outbound-test-kit.ts';

const fixture = (name: string) => readFileSync(`${FIXTURE_CAP_DIR}${name}`, 'utf8');
const SECRET_PAGE = '<html><title>Router admin</title><body>INTERNAL-SECRET-7731</body></html>';

describe.each(DIALECTS)('outbound requests and CAP on %s', (dialect) => {
  let tp: TestPlatform;
  let admin: string;
  const clock = new ManualClock('2025-07-01T02:30:00Z'); // 10:30 in Chongqing
  const servers: Server[] = [];
  const post = (token: string, payload: unknown, headers: Record<string, string> = {}) =>
    tp.app.inject({ method: 'POST', url: '/api/v1/cap', payload: payload as never, headers: { authorization: `Bearer ${token}`, ...headers } });
  const cap = (xml: string) => post(admin, xml, { 'content-type': 'application/cap+xml' });
  const get = (token: string, url: string) => tp.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  const count = async (table: 'alerts' | 'cap_messages') => Number((await tp.platform.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  /** A server on 127.0.0.1 answering each path from the table (404 otherwise). */
  async function serve(routes: Record<string, (res: import('node:http').ServerResponse) => void>): Promise<string> {
    const s = createServer((req, res) => {
      const route = routes[req.url ?? ''];
      if (route) route(res);
      else res.writeHead(404).end(SECRET_PAGE);
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    servers.push(s);
    return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
  }

  beforeAll(async () => {
    tp = await openTestPlatform(dialect, { clock, settings: { ...LOOPBACK_OUTBOUND_SETTINGS } });
    admin = await tp.signIn('admin');
  }, 120_000);
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });
  afterAll(async () => tp?.close());

  it('refuses loopback, metadata, IPv6, mapped and decimal forms, unlisted hosts and other schemes with 422 OUTBOUND_REFUSED', async () => {
    const base = await serve({ '/x': (res) => res.end(SECRET_PAGE) });
    const port = new URL(base).port;
    for (const url of [
      `http://127.0.0.2:${port}/x`,
      `http://localhost:${port}/x`,
      'http://169.254.169.254/latest/meta-data/',
      `http://[::1]:${port}/x`,
      `http://[::ffff:127.0.0.1]:${port}/x`,
      `http://2130706434:${port}/x`, // 127.0.0.2 written as one number
      'http://10.0.0.1/cap.xml',
      'https://www.weather.gov.cn/cap.xml',
      `ftp://127.0.0.1:${port}/x`,
      'file:///etc/passwd',
      'not a url',
    ]) {
      const r = await post(admin, { url });
      expect(r.statusCode, url).toBe(422);
      expect(r.headers['content-type'], url).toMatch(/application\/problem\+json/);
      expect(r.json().code, url).toBe('OUTBOUND_REFUSED');
      expect(r.body, url).not.toContain('INTERNAL-SECRET');
    }
    // Messages are zh-CN by default, English on request.
    const zh = await post(admin, { url: 'http://169.254.169.254/latest/meta-data/' });
    expect(zh.json().detail).toBe('服务器不会向该地址发出请求：主机 169.254.169.254 不在 OUTBOUND_ALLOW_HOSTS 允许范围内');
  });

  it('answers an unreachable, slow or failing server with 502 OUTBOUND_FAILED, never 500, and tells nothing of the answer', async () => {
    const base = await serve({ '/500': (res) => res.writeHead(500, { 'content-type': 'text/html' }).end(SECRET_PAGE) });
    const failing = await post(admin, { url: `${base}/500` }, { 'accept-language': 'en' });
    expect(failing.statusCode).toBe(502);
    expect(failing.json()).toMatchObject({ code: 'OUTBOUND_FAILED', failure: 'status', upstreamStatus: 500 });
    expect(failing.body).not.toContain('INTERNAL-SECRET');
    expect(failing.body).not.toMatch(/html|Router/i);
    // A port nobody listens on.
    const closed = await serve({});
    servers.pop()!.close();
    await new Promise((r) => setTimeout(r, 20));
    const gone = await post(admin, { url: `${closed}/feed.atom` });
    expect(gone.statusCode).toBe(502);
    expect(gone.json()).toMatchObject({ code: 'OUTBOUND_FAILED', failure: 'network', networkError: 'ECONNREFUSED' });
  });

  it('refuses a document that is not CAP without saying what it was; a redirect to loopback is refused', async () => {
    const base = await serve({
      '/page': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end(SECRET_PAGE),
      '/redirect': (res) => res.writeHead(302, { location: `http://127.0.0.3:${new URL(base).port}/page` }).end(),
    });
    const page = await post(admin, { url: `${base}/page` }, { 'accept-language': 'en' });
    expect(page.statusCode).toBe(422);
    expect(page.json().code).toBe('CAP_REFUSED');
    expect(page.json().problems).toBeUndefined();
    expect(page.body).not.toMatch(/INTERNAL-SECRET|<html>|root element|Router/);
    const hop = await post(admin, { url: `${base}/redirect` }, { 'accept-language': 'en' });
    expect(hop.statusCode).toBe(422);
    expect(hop.json().code).toBe('OUTBOUND_REFUSED');
    // 127.0.0.1 is allowed by address; 127.0.0.3, where the redirect pointed, is not.
    expect(hop.json().detail).toBe('The server will not send a request there: the redirect target is not in OUTBOUND_ALLOW_HOSTS');
    expect(hop.body).not.toContain('127.0.0.3');
  });

  it('tolerates empty optional elements: an NWS-style message with an empty polygon is imported (unmapped), and a usable polygon beside empty ones raises', async () => {
    const nws = await cap(fixture('nws-empty-polygon.cap'));
    expect(nws.statusCode, nws.body).toBe(201);
    expect(nws.json()).toMatchObject({ raised: [], unmapped: 1, signature: 'unsigned', ownMessage: false });
    expect(nws.json().warnings).toContainEqual(expect.stringMatching(/polygon\[0\]: .* \/ empty <polygon> ignored/));
    const flood = await cap(fixture('cq-flood-signed-empty.cap'));
    expect(flood.statusCode, flood.body).toBe(201);
    expect(flood.json().raised.map((a: { districtCode: string }) => a.districtCode).sort()).toEqual(['500103', '500108']);
  });

  it('shows the signature status on the alert: signed-unverified for a signed message, unsigned otherwise', async () => {
    const signed = (await tp.platform.store.db.selectFrom('alerts').select('id').where('dedup_key', 'like', 'cap:sw.cq@example.org:%').execute())[0]!;
    const one = (await get(admin, `/api/v1/alerts/${signed.id}`)).json();
    expect(one.evidence.cap.signature).toBe('signed-unverified');
    const orange = await cap(fixture('cq-rainstorm-orange.cap'));
    expect(orange.json().signature).toBe('unsigned');
    const plain = (await get(admin, `/api/v1/alerts/${orange.json().raised[0].id}`)).json();
    expect(plain.evidence.cap.signature).toBe('unsigned');
    const kept = await tp.platform.store.db.selectFrom('cap_messages').select('summary').where('sender', '=', 'sw.cq@example.org').executeTakeFirstOrThrow();
    expect(JSON.parse(kept.summary).signature).toBe('signed-unverified');
  });

  it('recognises our own export coming back — posted, answering ours only, or in a feed — and raises nothing', async () => {
    const rule = await tp.platform.sensing.alerts.raise({ dedupKey: 'test:echo', source: 'rule', severity: 'orange', title: '南开下穿道积水', location: { lon: 106.464, lat: 29.553 }, categoryCode: 'safety.underpass-waterlogging', at: clock.now().toISOString() });
    const area = (await tp.platform.sensing.alerts.activeAlerts()).find((a) => a.source === 'cap')!;
    const before = { alerts: await count('alerts'), kept: await count('cap_messages') };
    for (const a of [rule, area]) {
      const exported = await get(admin, `/api/v1/alerts/${a.id}/cap`);
      expect(exported.statusCode).toBe(200);
      const back = await cap(exported.body);
      expect(back.statusCode, back.body).toBe(200);
      expect(back.json()).toMatchObject({ ownMessage: true, duplicate: false, raised: [], ended: 0, sender: tp.settings.capSender });
    }
    // A cleared alert exports as an Update of ours: recognised too, and it ends nothing.
    const cleared = await tp.platform.sensing.alerts.clear('test:echo', 'test');
    const update = await cap(tp.platform.sensing.cap.exportAlert(cleared!, { sender: tp.settings.capSender }));
    expect(update.json()).toMatchObject({ ownMessage: true, msgType: 'Update', ended: 0 });
    // Another system's Alert re-broadcasting ours (its references name only our messages).
    const ours = tp.platform.sensing.cap.exportAlert(area, { sender: tp.settings.capSender });
    const identifier = /<identifier>([^<]+)<\/identifier>/.exec(ours)![1]!;
    const sent = /<sent>([^<]+)<\/sent>/.exec(ours)![1]!;
    const rebroadcast = ours
      .replace(`<identifier>${identifier}</identifier>`, '<identifier>PROVINCE-RELAY-1</identifier>')
      .replace(`<sender>${tp.settings.capSender}</sender>`, '<sender>relay.province@example.org</sender>')
      .replace('<scope>Public</scope>', `<scope>Public</scope><references>${tp.settings.capSender},${identifier},${sent}</references>`);
    const relayed = await cap(rebroadcast);
    expect(relayed.statusCode, relayed.body).toBe(200);
    expect(relayed.json()).toMatchObject({ ownMessage: true, raised: [] });
    // A relay that kept our identifier under its own sender (no references).
    const sameId = await cap(ours.replace(`<sender>${tp.settings.capSender}</sender>`, '<sender>relay.province@example.org</sender>'));
    expect(sameId.json()).toMatchObject({ ownMessage: true, raised: [] });
    // And through a polled feed that echoes our export.
    const base = await serve({
      '/feed.atom': (res) =>
        res.end(`<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>echo</title><id>urn:echo</id><updated>2025-07-01T02:30:00Z</updated><entry><id>urn:echo:1</id><title>ours</title><updated>2025-07-01T02:30:00Z</updated><link type="application/cap+xml" href="/ours.cap"/></entry></feed>`),
      '/ours.cap': (res) => res.writeHead(200, { 'content-type': 'application/cap+xml' }).end(ours),
    });
    const polled = await post(admin, { url: `${base}/feed.atom` });
    expect(polled.statusCode).toBe(200);
    expect(polled.json()).toMatchObject({ imported: 0, duplicates: 0, own: 1, refused: [] });
    expect({ alerts: await count('alerts'), kept: await count('cap_messages') }).toEqual(before);
    // Someone else's message is still imported as before.
    const other = await cap(fixture('cq-landslide-circle.cap'));
    expect(other.json().ownMessage).toBe(false);
  });

  it('lists a feed entry that is not CAP as refused without its content', async () => {
    const base = await serve({
      '/feed.atom': (res) =>
        res.end(`<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:t</id><updated>2025-07-01T02:30:00Z</updated><entry><id>urn:t:1</id><title>x</title><updated>2025-07-01T02:30:00Z</updated><link type="application/cap+xml" href="/page"/></entry></feed>`),
      '/page': (res) => res.end(SECRET_PAGE),
    });
    const r = await post(admin, { url: `${base}/feed.atom` });
    expect(r.statusCode).toBe(200);
    expect(r.json().refused).toEqual([{ url: `${base}/page`, reason: 'not a valid CAP message (1 problem; import the document itself to see them)' }]);
    expect(r.body).not.toMatch(/INTERNAL-SECRET|html/);
  });

  it('shows the outbound policy to administrators only', async () => {
    const r = await get(admin, '/api/v1/admin/outbound');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ allowHosts: ['127.0.0.1'], allowHttp: true, allowPrivate: false, connectTimeoutMs: 5000, timeoutMs: 15000, maxBytes: 2 * 1024 * 1024, maxRedirects: 3 });
    const operator = await tp.signIn('city.operator');
    expect((await get(operator, '/api/v1/admin/outbound')).statusCode).toBe(403);
  });
});
