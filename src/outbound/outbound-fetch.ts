/**
 * The one door through which the server sends a request to a URL it was given (CAP feeds and
 * messages, notification webhooks). Everything goes through `OutboundClient.request`:
 *
 *  - the URL is checked against the policy (scheme, allow-listed host: `outbound-policy.ts`);
 *  - the host is resolved with node:dns (`lookup`, all addresses) and EVERY address checked;
 *  - the connection goes to the address that was checked: `node:http(s)` is given a `lookup`
 *    that answers only that address, so a name cannot resolve to something else between the
 *    check and the connect (DNS rebinding). Node's built-in fetch takes no such hook, hence
 *    node:http. TLS still verifies the certificate against the host name (SNI is the name);
 *  - a fresh connection per request (`agent: false`): no pooled socket to an earlier address;
 *  - redirects are followed by hand, each hop checked again like the first, at most
 *    `maxRedirects`; 303 (and 301/302 after a POST) become a GET without a body;
 *  - a connect time limit per hop, a total time limit for the whole exchange, and a size limit
 *    on the body: past it the request is aborted, not read to the end.
 *
 * Failures are CityLoopErrors: OUTBOUND_REFUSED (422) when the policy forbids the target,
 * OUTBOUND_FAILED (502) when it cannot be reached, is too slow, too large or answers an error
 * status. Neither ever carries the response body, nor where a redirect pointed; the `failure`
 * member says which case it is for callers that map it (the webhook channel), `networkError` the
 * system's code (ECONNREFUSED, ENOTFOUND …), `upstreamStatus` an error status.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction, Socket } from 'node:net';
import { CityLoopError } from '../errors.ts';
import { formatIp, parseIp, type IpAddress } from './ip-address.ts';
import { checkOutboundAddresses, checkOutboundUrl, type CheckedUrl, type OutboundPolicy, type Refusal } from './outbound-policy.ts';

export type OutboundFailure = 'timeout' | 'connect-timeout' | 'too-large' | 'status' | 'network' | 'redirects';
export type OutboundRefusalRule = 'url' | 'address';

export interface OutboundRequest {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** This call's total time limit (default: the policy's). */
  readonly timeoutMs?: number;
  /** This call's body limit (default: the policy's). */
  readonly maxBytes?: number;
  /** 0: a 3xx is returned as the answer, not followed (default: the policy's). */
  readonly maxRedirects?: number;
}

export interface OutboundResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Host name → its addresses; node:dns `lookup` (the system resolver, /etc/hosts included) by default. */
export type ResolveHost = (host: string) => Promise<string[]>;

const systemResolve: ResolveHost = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const REDIRECT_HOP: Refusal = { zh: '重定向目标', en: 'the redirect target' };

export function outboundRefused(refusal: Refusal, rule: OutboundRefusalRule): CityLoopError {
  return new CityLoopError('OUTBOUND_REFUSED', { reason: refusal.en, reasonZh: refusal.zh }, { rule });
}

function failed(failure: OutboundFailure, en: string, zh: string, more: Record<string, unknown> = {}): CityLoopError {
  return new CityLoopError('OUTBOUND_FAILED', { reason: en, reasonZh: zh }, { failure, ...more });
}

/** The failure kind of an OUTBOUND_FAILED error (undefined for anything else). */
export function outboundFailureOf(e: unknown): { failure: OutboundFailure; networkError?: string; upstreamStatus?: number } | undefined {
  if (!(e instanceof CityLoopError) || e.code !== 'OUTBOUND_FAILED' || !e.extra) return undefined;
  return e.extra as { failure: OutboundFailure; networkError?: string; upstreamStatus?: number };
}

export class OutboundClient {
  readonly policy: OutboundPolicy;
  readonly #resolve: ResolveHost;

  constructor(policy: OutboundPolicy, opts: { readonly resolve?: ResolveHost } = {}) {
    this.policy = policy;
    this.#resolve = opts.resolve ?? systemResolve;
  }

  /** Any status comes back (a 3xx only when redirects are not followed); failures throw. */
  async request(url: string | URL, req: OutboundRequest = {}): Promise<OutboundResponse> {
    const timeoutMs = req.timeoutMs ?? this.policy.timeoutMs;
    const maxBytes = req.maxBytes ?? this.policy.maxBytes;
    const maxRedirects = req.maxRedirects ?? this.policy.maxRedirects;
    const deadline = Date.now() + timeoutMs;
    const first = checkOutboundUrl(this.policy, url);
    if (!first.ok) throw outboundRefused(first.refusal, 'url');
    let checked = first.checked;
    let method = req.method ?? 'GET';
    let body = req.body;
    for (let hop = 0; ; hop++) {
      const what = hop === 0 ? { zh: `主机 ${checked.host}`, en: `host ${checked.host}` } : REDIRECT_HOP;
      const address = await this.#checkedAddress(checked, what, deadline, timeoutMs);
      const res = await exchange(checked, address, { method, headers: req.headers ?? {}, body, deadline, timeoutMs, connectTimeoutMs: Math.min(this.policy.connectTimeoutMs, timeoutMs), maxBytes });
      if (!REDIRECTS.has(res.status) || maxRedirects === 0) return res;
      const location = res.headers.location;
      if (!location) throw failed('redirects', `HTTP ${res.status} without a Location`, `HTTP ${res.status} 重定向却没有 Location`, { upstreamStatus: res.status });
      if (hop >= maxRedirects) throw failed('redirects', `more than ${maxRedirects} redirects`, `重定向超过 ${maxRedirects} 次`);
      let next: URL;
      try {
        next = new URL(location, checked.url);
      } catch {
        throw failed('redirects', 'a redirect to an invalid URL', '重定向到无效的 URL');
      }
      const again = checkOutboundUrl(this.policy, next, REDIRECT_HOP);
      if (!again.ok) throw outboundRefused(again.refusal, 'url');
      checked = again.checked;
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
    }
  }

  /** A GET that must answer 2xx: its body. */
  async get(url: string | URL, req: Omit<OutboundRequest, 'method' | 'body'> = {}): Promise<Buffer> {
    const res = await this.request(url, req);
    if (res.status < 200 || res.status > 299) throw failed('status', `the server answered HTTP ${res.status}`, `对方返回 HTTP ${res.status}`, { upstreamStatus: res.status });
    return res.body;
  }

  async #checkedAddress(checked: CheckedUrl, what: Refusal, deadline: number, timeoutMs: number): Promise<IpAddress> {
    let addresses: IpAddress[];
    if (checked.literal) addresses = [checked.literal];
    else {
      let found: string[];
      try {
        found = await withDeadline(this.#resolve(checked.host), deadline, () => failed('timeout', `no answer within ${timeoutMs} ms`, `${timeoutMs} 毫秒内无应答`, { limitMs: timeoutMs }));
      } catch (e) {
        if (e instanceof CityLoopError) throw e;
        const code = (e as { code?: string }).code ?? 'EAI_FAIL';
        throw failed('network', `host not found (${code})`, `找不到主机（${code}）`, { networkError: code });
      }
      const parsed = found.map((a) => parseIp(a));
      // An answer we cannot read is not one we can vouch for: refused, not skipped.
      if (parsed.some((a) => a === null)) throw outboundRefused({ zh: `${what.zh} 解析出无法识别的地址`, en: `${what.en} resolved to an address that cannot be read` }, 'address');
      addresses = parsed as IpAddress[];
    }
    const refusal = checkOutboundAddresses(this.policy, addresses, what);
    if (refusal) throw outboundRefused(refusal, 'address');
    return addresses[0]!;
  }
}

function withDeadline<T>(p: Promise<T>, deadline: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), Math.max(0, deadline - Date.now()));
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e as Error);
      },
    );
  });
}

interface Exchange {
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array | undefined;
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxBytes: number;
}

/** One request to the checked address; the body read up to the limit. */
function exchange(checked: CheckedUrl, address: IpAddress, x: Exchange): Promise<OutboundResponse> {
  const { url } = checked;
  const pinned = formatIp(address);
  const family = address.family;
  // Answers only the checked address, whatever name the socket asks for.
  const lookup = ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (opts?.all) cb(null, [{ address: pinned, family }]);
    else cb(null, pinned, family);
  }) as unknown as LookupFunction;
  const headers: Record<string, string> = { 'user-agent': 'CityLoop-outbound', ...x.headers };
  const payload = x.body === undefined ? undefined : typeof x.body === 'string' ? Buffer.from(x.body, 'utf8') : Buffer.from(x.body);
  if (payload) headers['content-length'] = String(payload.byteLength);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;

  return new Promise<OutboundResponse>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, res?: OutboundResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(total);
      clearTimeout(connect);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(res!);
    };
    const req = send({
      protocol: url.protocol,
      host: checked.host,
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: x.method,
      headers,
      lookup,
      family,
      agent: false,
      ...(url.username || url.password ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
    });
    const total = setTimeout(() => finish(failed('timeout', `no answer within ${x.timeoutMs} ms`, `${x.timeoutMs} 毫秒内无应答`, { limitMs: x.timeoutMs })), Math.max(0, x.deadline - Date.now()));
    const connect = setTimeout(() => finish(failed('connect-timeout', `no connection within ${x.connectTimeoutMs} ms`, `${x.connectTimeoutMs} 毫秒内未能建立连接`, { limitMs: x.connectTimeoutMs })), x.connectTimeoutMs);
    req.on('socket', (socket: Socket) => {
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connect));
    });
    req.on('error', (e: Error & { code?: string }) => {
      const code = e.code ?? 'ERROR';
      finish(failed('network', `network error ${code}`, `网络错误 ${code}`, { networkError: code }));
    });
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (Number.isFinite(declared) && declared > x.maxBytes) {
        finish(tooLarge(x.maxBytes));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.byteLength;
        if (size > x.maxBytes) finish(tooLarge(x.maxBytes));
        else chunks.push(c);
      });
      res.on('end', () => finish(null, { status, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (e: Error & { code?: string }) => finish(failed('network', `network error ${e.code ?? 'ERROR'}`, `网络错误 ${e.code ?? 'ERROR'}`, { networkError: e.code ?? 'ERROR' })));
    });
    req.end(payload);
  });
}

function tooLarge(maxBytes: number): CityLoopError {
  return failed('too-large', `the answer is larger than ${maxBytes} bytes`, `应答超过 ${maxBytes} 字节`, { limitBytes: maxBytes });
}
