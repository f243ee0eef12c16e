import type { FastifyInstance } from 'fastify';
import type { OutgoingHttpHeaders } from 'node:http';
import { expect } from 'vitest';
import type { ErrorCode } from '../../src/errors.ts';

/**
 * The one way API tests talk HTTP: Fastify's `inject` (no socket), a user's bearer token, the JSON
 * body of the answer parsed and typed by a generic. Tests used to define this in each file with
 * `as any`; here it is once.
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * The body of an answer a test reads without declaring its shape. Such tests read deep into the
 * answer and pin every value they read with an assertion, so a loose type hides nothing there;
 * pass the generic where the compiler should check the reads. The one loose type of the API tests.
 */
export type LooseJson = any;

export interface HttpAnswer<T> {
  readonly status: number;
  /** The parsed JSON body; null for an empty body; the text for a body that is not JSON (whatever its type says). */
  readonly body: T;
  readonly headers: OutgoingHttpHeaders;
  /** The body as sent. */
  readonly text: string;
}

export interface HttpRequest {
  readonly method: Method;
  readonly url: string;
  /** A user name (looked up by the client's `tokenOf`), or null to send no credentials. */
  readonly as?: string | null;
  /** An object is sent as JSON; a string or a Buffer as is (set its content-type in headers). */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly remoteAddress?: string;
}

/** RFC 9457 problem+json, as the platform answers every error. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  readonly code: ErrorCode;
  readonly traceId: string;
  readonly [extra: string]: unknown;
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return null;
  if (contentType && /json/i.test(contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // Said JSON, is not: the text, for the test to show (reading a field of it then fails).
      return text;
    }
  }
  return text;
}

export interface HttpClient {
  /** Any request, with every option. */
  request<T = LooseJson>(req: HttpRequest): Promise<HttpAnswer<T>>;
  /** `user` (null: anonymous) sends `method url` with an optional body and headers. */
  call<T = LooseJson>(user: string | null, method: Method, url: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer<T>>;
  /** As `call`, for a request that must succeed: the body of a 2xx answer, or an error saying what came back. */
  ok<T = LooseJson>(user: string | null, method: Method, url: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
}

/**
 * A client over an app. Both arguments are read at each request, so a client made before
 * `beforeAll` signs in (or before a restart swaps the app) uses what is current then.
 * `tokenOf` maps the user a test names to a bearer token (usually a lookup in the tokens signed in).
 */
export function testHttp(app: () => FastifyInstance, tokenOf: (user: string) => string | undefined): HttpClient {
  async function request<T = LooseJson>(req: HttpRequest): Promise<HttpAnswer<T>> {
    const token = req.as ? tokenOf(req.as) : undefined;
    if (req.as && token === undefined) throw new Error(`no token for ${req.as}: sign in first`);
    const res = await app().inject({
      method: req.method,
      url: req.url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(req.headers ?? {}) },
      ...(req.body !== undefined ? { payload: req.body as string } : {}),
      ...(req.remoteAddress ? { remoteAddress: req.remoteAddress } : {}),
    });
    const contentType = res.headers['content-type'];
    return { status: res.statusCode, body: parseBody(res.body, typeof contentType === 'string' ? contentType : undefined) as T, headers: res.headers, text: res.body };
  }
  const call = <T = LooseJson>(user: string | null, method: Method, url: string, body?: unknown, headers?: Record<string, string>) =>
    request<T>({ method, url, as: user, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
  const ok = async <T = LooseJson>(user: string | null, method: Method, url: string, body?: unknown, headers?: Record<string, string>): Promise<T> => {
    const r = await call<T>(user, method, url, body, headers);
    if (r.status >= 300) throw new Error(`${method} ${url} as ${user ?? 'nobody'}: ${r.status} ${r.text}`);
    return r.body;
  };
  return { request, call, ok };
}

/**
 * Asserts that an answer is the platform's problem+json for `code` with `status`, and returns the
 * problem. The message on failure shows the answer, so a wrong refusal says what it was instead.
 */
export function expectProblem(res: HttpAnswer<unknown>, status: number, code: ErrorCode): Problem {
  const seen = `${res.status} ${res.text.slice(0, 500)}`;
  expect(res.status, seen).toBe(status);
  expect(String(res.headers['content-type']), seen).toMatch(/^application\/problem\+json/);
  const p = res.body as Problem;
  expect(p.code, seen).toBe(code);
  expect(p.status, seen).toBe(status);
  expect(typeof p.detail === 'string' && p.detail.length > 0, seen).toBe(true);
  return p;
}
