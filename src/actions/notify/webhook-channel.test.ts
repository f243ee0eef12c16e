import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import type { Notification } from '../notify.ts';
import { createWebhookChannel } from './webhook-channel.ts';
import { loopbackClient } from '../../outbound/outbound-test-kit.ts';

// Every receiver here is on 127.0.0.1, which the administrator must allow explicitly.
const outbound = loopbackClient();

interface Received {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A real HTTP receiver on 127.0.0.1; `answer` decides each response from the request count. */
async function receiver(answer: (req: Received, n: number, res: ServerResponse) => void): Promise<{ base: string; received: Received[] }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      answer(r, received.length, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { base: `http://127.0.0.1:${(server.address() as { port: number }).port}`, received };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const note: Notification = { channel: 'webhook', to: 'duty-office', message: '南开下穿道积水，信号灯已转红', caseId: 'case-7', key: 'case-7/notify-duty' };
const SECRET = 's3cret-for-tests';

describe('webhook channel', () => {
  it('POSTs the JSON body with an HMAC signature the receiver can verify', async () => {
    const { base, received } = await receiver((r, _n, res) => {
      const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`);
      const given = Buffer.from(String(r.headers['x-cityloop-signature'] ?? ''));
      res.statusCode = given.length === expected.length && timingSafeEqual(given, expected) ? 204 : 401;
      res.end();
    });
    const ch = createWebhookChannel({ outbound, targets: { 'duty-office': `${base}/hooks/duty?token=abc` }, secret: SECRET, clock: new ManualClock('2026-01-05T03:00:00Z') });
    expect(ch.name).toBe('webhook');
    await expect(ch.send(note)).resolves.toEqual({ delivered: true, detail: null });
    expect(received).toHaveLength(1);
    expect(received[0]!.path).toBe('/hooks/duty?token=abc');
    expect(received[0]!.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(received[0]!.body)).toEqual({ to: 'duty-office', message: note.message, caseId: 'case-7', key: 'case-7/notify-duty', sentAt: '2026-01-05T03:00:00.000Z' });
  });

  it('sends no signature without a secret', async () => {
    const { base, received } = await receiver((_r, _n, res) => res.end('ok'));
    const ch = createWebhookChannel({ outbound, name: 'county', targets: { 'duty-office': base } });
    expect(ch.name).toBe('county');
    await expect(ch.send(note)).resolves.toMatchObject({ delivered: true });
    expect(received[0]!.headers['x-cityloop-signature']).toBeUndefined();
  });

  it('retries after a 500 and delivers on the next attempt', async () => {
    const { base, received } = await receiver((_r, n, res) => {
      res.statusCode = n === 1 ? 500 : 200;
      res.end();
    });
    const ch = createWebhookChannel({ outbound, targets: { 'duty-office': base }, secret: SECRET, retryDelayMs: 10 });
    await expect(ch.send(note)).resolves.toEqual({ delivered: true, detail: 'delivered on attempt 2' });
    expect(received).toHaveLength(2);
    // The same body (and key) both times, so the receiver can drop a duplicate.
    expect(received[0]!.body).toBe(received[1]!.body);
  });

  it('gives up after two retries of a 5xx, and does not retry a 4xx', async () => {
    const failing = await receiver((_r, _n, res) => {
      res.statusCode = 503;
      res.end();
    });
    const ch = createWebhookChannel({ outbound, targets: { 'duty-office': failing.base }, retryDelayMs: 10 });
    await expect(ch.send(note)).resolves.toEqual({ delivered: false, detail: 'HTTP 503 after 3 attempts' });
    expect(failing.received).toHaveLength(3);

    const refusing = await receiver((_r, _n, res) => {
      res.statusCode = 400;
      res.end();
    });
    const ch2 = createWebhookChannel({ outbound, targets: { 'duty-office': refusing.base }, retryDelayMs: 10 });
    await expect(ch2.send(note)).resolves.toEqual({ delivered: false, detail: 'receiver answered HTTP 400' });
    expect(refusing.received).toHaveLength(1);
  });

  it('retries network errors and timeouts, and never reports the URL or the secret', async () => {
    const slow = await receiver(() => {}); // never answers
    const gone = await receiver((_r, _n, res) => res.end());
    const goneBase = gone.base;
    const s = servers.pop()!;
    await new Promise((r) => s.close(r));
    const ch = createWebhookChannel({
      outbound,
      targets: { slow: `${slow.base}/t/TOKEN123`, gone: `${goneBase}/t/TOKEN123` },
      secret: SECRET,
      timeoutMs: 100,
      retryDelayMs: 10,
    });
    const r1 = await ch.send({ ...note, to: 'slow' });
    expect(r1).toEqual({ delivered: false, detail: 'no answer within 100 ms after 3 attempts' });
    expect(slow.received).toHaveLength(3);
    const r2 = await ch.send({ ...note, to: 'gone' });
    expect(r2).toEqual({ delivered: false, detail: 'network error ECONNREFUSED after 3 attempts' });
    for (const r of [r1, r2]) expect(r.detail).not.toMatch(/TOKEN123|127\.0\.0\.1|s3cret/);
  });

  it('reports an unknown recipient as undelivered without a request', async () => {
    const { base, received } = await receiver((_r, _n, res) => res.end());
    const ch = createWebhookChannel({ outbound, targets: { 'duty-office': base } });
    await expect(ch.send({ ...note, to: 'mayor' })).resolves.toEqual({ delivered: false, detail: 'no webhook target for recipient "mayor"' });
    expect(received).toHaveLength(0);
  });

  it('sends nothing to a receiver the outbound policy refuses, and does not retry it', async () => {
    const { base, received } = await receiver((_r, _n, res) => res.end());
    // Default policy: no allow-listed host, no private addresses, https only.
    const strict = loopbackClient({ allowHosts: [], allowHttp: false });
    const ch = createWebhookChannel({ outbound: strict, targets: { 'duty-office': `${base}/t/TOKEN123` }, retryDelayMs: 10 });
    const r = await ch.send(note);
    expect(r).toEqual({ delivered: false, detail: 'refused by the outbound policy (url)' });
    // Allowed by host and scheme, but loopback without OUTBOUND_ALLOW_PRIVATE: the address check refuses.
    const byName = loopbackClient({ allowHosts: ['localhost'] }, async () => ['127.0.0.1']);
    const ch2 = createWebhookChannel({ outbound: byName, targets: { 'duty-office': base.replace('127.0.0.1', 'localhost') }, retryDelayMs: 10 });
    await expect(ch2.send(note)).resolves.toEqual({ delivered: false, detail: 'refused by the outbound policy (address)' });
    expect(received).toHaveLength(0);
  });

  it('answers a redirect as a failure instead of following it', async () => {
    const target = await receiver((_r, _n, res) => res.end());
    const { base, received } = await receiver((_r, _n, res) => {
      res.writeHead(307, { location: `${target.base}/elsewhere` }).end();
    });
    const ch = createWebhookChannel({ outbound, targets: { 'duty-office': base }, retryDelayMs: 10 });
    await expect(ch.send(note)).resolves.toEqual({ delivered: false, detail: 'receiver answered HTTP 307' });
    expect(received).toHaveLength(1);
    expect(target.received).toHaveLength(0);
  });

  it('accepts only http and https URLs, at creation', () => {
    expect(() => createWebhookChannel({ outbound, targets: { a: 'file:///etc/passwd' } })).toThrow(/"a" must be an http or https URL \(got file:\)/);
    expect(() => createWebhookChannel({ outbound, targets: { a: 'ftp://example.org/x' } })).toThrow(/http or https/);
    expect(() => createWebhookChannel({ outbound, targets: { a: 'not a url' } })).toThrow(/"a" is not a valid URL/);
    expect(() => createWebhookChannel({ outbound, targets: { a: 'https://example.org/hook' } })).not.toThrow();
  });
});
