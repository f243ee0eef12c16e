/**
 * The outbound client against real HTTP servers on 127.0.0.1 (nothing else is ever contacted:
 * every refusal happens before a connection, and host names are resolved by a stand-in).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CityLoopError } from '../errors.ts';
import { loopbackClient } from './outbound-test-kit.ts';
import { outboundFailureOf } from './outbound-fetch.ts';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly host: string | undefined;
  readonly body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function server(handle: (req: IncomingMessage, res: ServerResponse, seen: Seen) => void): Promise<{ port: number; base: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const s = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const one = { method: req.method ?? '', url: req.url ?? '', host: req.headers.host, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(one);
      handle(req, res, one);
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  const port = (s.address() as { port: number }).port;
  return { port, base: `http://127.0.0.1:${port}`, seen };
}

/** The error a promise rejects with, as a CityLoopError. */
async function failureOf(p: Promise<unknown>): Promise<CityLoopError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CityLoopError);
  return e as CityLoopError;
}

const SECRET_PAGE = 'INTERNAL-ADMIN-PAGE root:x:0:0';

describe('outbound requests', () => {
  it('fetches from an allowed address and returns status, headers and body', async () => {
    const { base, seen } = await server((_q, res) => res.writeHead(200, { 'content-type': 'application/xml' }).end('<ok/>'));
    const res = await loopbackClient().request(`${base}/feed.xml?x=1`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml');
    expect(res.body.toString()).toBe('<ok/>');
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/feed.xml?x=1' });
  });

  it('connects to the address it checked, not to a second resolution of the name', async () => {
    const { port, seen } = await server((_q, res) => res.end('pinned'));
    let lookups = 0;
    // feed.cityloop.test exists for this resolver only: the system resolver would not find it.
    const client = loopbackClient({ allowHosts: ['feed.cityloop.test', '127.0.0.1'] }, async (host) => {
      lookups += 1;
      expect(host).toBe('feed.cityloop.test');
      return ['127.0.0.1'];
    });
    const body = await client.get(`http://feed.cityloop.test:${port}/a`);
    expect(body.toString()).toBe('pinned');
    expect(lookups).toBe(1);
    expect(seen[0]!.host).toBe(`feed.cityloop.test:${port}`);
  });

  it('refuses a name when any one of its addresses is loopback, private or link-local, before connecting', async () => {
    const { port, seen } = await server((_q, res) => res.end(SECRET_PAGE));
    for (const answer of [['93.184.216.34', '127.0.0.1'], ['10.0.0.7'], ['169.254.169.254'], ['::1'], ['::ffff:127.0.0.1'], ['fd00::1'], ['93.184.216.34', 'not-an-address'], []]) {
      const client = loopbackClient({ allowHosts: ['*'] }, async () => answer);
      const e = await failureOf(client.request(`http://rebind.cityloop.test:${port}/`));
      expect(e.code, answer.join()).toBe('OUTBOUND_REFUSED');
      expect(e.status).toBe(422);
      expect(e.extra).toEqual({ rule: 'address' });
    }
    expect(seen).toHaveLength(0);
  });

  it('refuses loopback, metadata, IPv6 and mapped forms, other hosts and other schemes by URL', async () => {
    const client = loopbackClient({ allowHosts: ['*'] }, async () => {
      throw new Error('no name is resolved in this test');
    });
    for (const url of [
      'http://127.0.0.2/',
      'http://2130706433/',
      'http://0x7f.0.0.1/',
      'http://0177.0.0.1/',
      'http://127.1:1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://[fe80::1]/',
      'http://0.0.0.0/',
      'http://10.1.2.3/',
    ]) {
      const e = await failureOf(client.request(url));
      expect(e.code, url).toBe('OUTBOUND_REFUSED');
      expect(e.message, url).toMatch(/points to (a loopback|a link-local|an unspecified|a private)/);
    }
    const strict = loopbackClient({ allowHosts: ['127.0.0.1'], allowHttp: false });
    expect((await failureOf(strict.request('ftp://127.0.0.1/cap.xml'))).message).toMatch(/scheme ftp: is not allowed/);
    expect((await failureOf(strict.request('file:///etc/passwd'))).message).toMatch(/scheme file: is not allowed/);
    expect((await failureOf(strict.request('http://127.0.0.1/'))).message).toMatch(/scheme http: is not allowed/);
    expect((await failureOf(loopbackClient().request('http://example.org/'))).message).toMatch(/host example.org is not in OUTBOUND_ALLOW_HOSTS/);
  });

  it('follows redirects, checking each hop; a POST answered 303 becomes a GET', async () => {
    const { base, seen } = await server((q, res) => {
      if (q.url === '/a') res.writeHead(302, { location: '/b' }).end();
      else if (q.url === '/b') res.writeHead(301, { location: `${base}/c` }).end();
      else if (q.url === '/post') res.writeHead(303, { location: '/c' }).end();
      else res.end(`at ${q.url}`);
    });
    const client = loopbackClient();
    expect((await client.get(`${base}/a`)).toString()).toBe('at /c');
    const posted = await client.request(`${base}/post`, { method: 'POST', body: 'x=1', headers: { 'content-type': 'text/plain' } });
    expect(posted.body.toString()).toBe('at /c');
    expect(seen.slice(-2).map((s) => `${s.method} ${s.url} ${s.body}`)).toEqual(['POST /post x=1', 'GET /c ']);
  });

  it('refuses a redirect to a loopback address it was not allowed, without saying where it pointed', async () => {
    const target = await server((_q, res) => res.end(SECRET_PAGE));
    const { base } = await server((_q, res) => res.writeHead(302, { location: `http://127.0.0.2:${target.port}/admin` }).end());
    // 127.0.0.1 is allowed by address; `*` lists any host, but 127.0.0.2 is loopback and not in the range.
    const e = await failureOf(loopbackClient({ allowHosts: ['127.0.0.1', '*'] }).get(`${base}/feed`));
    expect(e.code).toBe('OUTBOUND_REFUSED');
    expect(e.message).toBe('The server will not send a request there: the redirect target points to a loopback address (needs OUTBOUND_ALLOW_PRIVATE or its range in OUTBOUND_ALLOW_HOSTS)');
    expect(target.seen).toHaveLength(0);
    // And a redirect to a host off the list.
    const { base: b2 } = await server((_q, res) => res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' }).end());
    const e2 = await failureOf(loopbackClient().get(`${b2}/feed`));
    expect(e2.message).toBe('The server will not send a request there: the redirect target is not in OUTBOUND_ALLOW_HOSTS');
  });

  it('stops after three redirects', async () => {
    const { base, seen } = await server((q, res) => res.writeHead(302, { location: `/r${Number(q.url!.slice(2)) + 1}` }).end());
    const e = await failureOf(loopbackClient().get(`${base}/r0`));
    expect(e.code).toBe('OUTBOUND_FAILED');
    expect(outboundFailureOf(e)?.failure).toBe('redirects');
    expect(seen).toHaveLength(4);
  });

  it('gives up on a server that does not answer in time', async () => {
    const { base } = await server(() => {}); // never answers
    const e = await failureOf(loopbackClient({ timeoutMs: 200 }).get(`${base}/slow`));
    expect(e.code).toBe('OUTBOUND_FAILED');
    expect(e.status).toBe(502);
    expect(e.message).toBe('The outbound request failed: no answer within 200 ms');
    // A per-call limit too.
    const e2 = await failureOf(loopbackClient().get(`${base}/slow`, { timeoutMs: 150 }));
    expect(outboundFailureOf(e2)).toEqual({ failure: 'timeout', limitMs: 150 });
  });

  it('gives up on a connection that does not stand in time (a TLS handshake never answered)', async () => {
    // Accepts TCP and then says nothing: the TLS handshake of an https request never completes.
    const sockets: Socket[] = [];
    const silent = createTcpServer((sock) => sockets.push(sock));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as { port: number }).port;
      const e = await failureOf(loopbackClient({ connectTimeoutMs: 150, timeoutMs: 5_000 }).get(`https://127.0.0.1:${port}/feed`));
      expect(e.code).toBe('OUTBOUND_FAILED');
      expect(outboundFailureOf(e)).toEqual({ failure: 'connect-timeout', limitMs: 150 });
      expect(e.message).toBe('The outbound request failed: no connection within 150 ms');
    } finally {
      for (const sock of sockets) sock.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('reaches an IPv6 address allowed by an explicit entry, and connects to it', async () => {
    const s = createServer((_q, res) => res.end('over ipv6'));
    await new Promise<void>((r) => s.listen(0, '::1', r));
    servers.push(s);
    const port = (s.address() as { port: number }).port;
    expect((await loopbackClient({ allowHosts: ['::1'] }).get(`http://[::1]:${port}/`)).toString()).toBe('over ipv6');
    // Without the entry, ::1 is loopback like 127.0.0.1.
    expect((await failureOf(loopbackClient({ allowHosts: ['*'] }).get(`http://[::1]:${port}/`))).code).toBe('OUTBOUND_REFUSED');
  });

  it('aborts a body past the size limit, declared or streamed', async () => {
    let streamedWrites = 0;
    const { base } = await server((q, res) => {
      if (q.url === '/declared') {
        res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
        res.write(Buffer.alloc(1024, 65));
        return; // would send 10 MiB
      }
      // No length: chunks until the client goes away.
      res.writeHead(200);
      const chunk = Buffer.alloc(16 * 1024, 66);
      const pump = () => {
        while (!res.destroyed && streamedWrites < 1000) {
          streamedWrites += 1;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const client = loopbackClient({ maxBytes: 64 * 1024 });
    for (const path of ['/declared', '/streamed']) {
      const e = await failureOf(client.get(`${base}${path}`));
      expect(e.code, path).toBe('OUTBOUND_FAILED');
      expect(e.message, path).toBe(`The outbound request failed: the answer is larger than ${64 * 1024} bytes`);
    }
    // The stream was cut off long before its 16 MiB.
    expect(streamedWrites).toBeLessThan(1000);
  });

  it('reports an error status and an unreachable server without anything of the response', async () => {
    const { base } = await server((_q, res) => res.writeHead(500, { 'content-type': 'text/html' }).end(SECRET_PAGE));
    const e = await failureOf(loopbackClient().get(`${base}/x`));
    expect(e.code).toBe('OUTBOUND_FAILED');
    expect(e.message).toBe('The outbound request failed: the server answered HTTP 500');
    expect(e.localized('zh')).toBe('外部请求失败：对方返回 HTTP 500');
    expect(JSON.stringify({ m: e.message, p: e.params, x: e.extra })).not.toContain('INTERNAL-ADMIN');

    const gone = await server(() => {});
    servers.pop()!.close();
    await new Promise((r) => setTimeout(r, 20));
    const e2 = await failureOf(loopbackClient().get(`${gone.base}/x`));
    expect(e2.code).toBe('OUTBOUND_FAILED');
    expect(outboundFailureOf(e2)).toEqual({ failure: 'network', networkError: 'ECONNREFUSED' });

    const nowhere = loopbackClient({ allowHosts: ['no-such-host.cityloop.test'] }, async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    });
    const e3 = await failureOf(nowhere.get('http://no-such-host.cityloop.test/'));
    expect(e3.message).toBe('The outbound request failed: host not found (ENOTFOUND)');
  });
});
