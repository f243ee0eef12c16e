import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, testHttp } from './http.ts';

/** The shared HTTP test helper against a tiny app: what it sends, what it parses, what it refuses. */
describe('test HTTP helper', () => {
  let app: FastifyInstance;
  const tokens: Record<string, string> = { alice: 'tok-alice' };
  const http = testHttp(() => app, (u) => tokens[u]);

  beforeAll(async () => {
    app = Fastify();
    app.all('/echo', async (req) => ({ method: req.method, auth: req.headers.authorization ?? null, type: req.headers['content-type'] ?? null, body: req.body ?? null, ip: req.ip }));
    app.get('/empty', async (_req, reply) => reply.code(204).send());
    app.get('/text', async (_req, reply) => reply.type('text/csv').send('a,b\n1,2\n'));
    app.get('/problem', async (_req, reply) =>
      reply.code(409).type('application/problem+json; charset=utf-8').send({ type: 'urn:x', title: 't', status: 409, detail: '不能', instance: '/problem', code: 'CASE_INVALID_TRANSITION', traceId: 'r1' }),
    );
    app.get('/plain-409', async (_req, reply) => reply.code(409).send({ code: 'CASE_INVALID_TRANSITION', status: 409, detail: 'x' }));
    await app.ready();
  });
  afterAll(() => app.close());

  it('sends the user\'s bearer token, a JSON body and extra headers; parses the JSON answer', async () => {
    const r = await http.call<{ method: string; auth: string; body: unknown }>('alice', 'POST', '/echo', { a: 1 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ method: 'POST', auth: 'Bearer tok-alice', type: 'application/json', body: { a: 1 } });
    const anon = await http.request({ method: 'PUT', url: '/echo', as: null, body: 'x: 1', headers: { 'content-type': 'text/plain' }, remoteAddress: '10.1.2.3' });
    expect(anon.body).toMatchObject({ method: 'PUT', auth: null, type: 'text/plain', body: 'x: 1', ip: '10.1.2.3' });
  });

  it('an empty body is null, a body that is not JSON its text', async () => {
    expect((await http.call('alice', 'GET', '/empty')).body).toBeNull();
    expect((await http.call('alice', 'GET', '/text')).body).toBe('a,b\n1,2\n');
  });

  it('ok returns the body of a success and throws with the answer otherwise', async () => {
    expect(await http.ok('alice', 'GET', '/echo')).toMatchObject({ method: 'GET' });
    await expect(http.ok('alice', 'GET', '/problem')).rejects.toThrow(/GET \/problem as alice: 409 .*CASE_INVALID_TRANSITION/);
  });

  it('refuses to send as a user who has not signed in', async () => {
    await expect(http.call('bob', 'GET', '/echo')).rejects.toThrow('no token for bob');
  });

  it('expectProblem passes on the problem and fails on a wrong status, code or media type', async () => {
    const r = await http.call('alice', 'GET', '/problem');
    expect(expectProblem(r, 409, 'CASE_INVALID_TRANSITION').detail).toBe('不能');
    expect(() => expectProblem(r, 400, 'CASE_INVALID_TRANSITION')).toThrow();
    expect(() => expectProblem(r, 409, 'NOT_FOUND')).toThrow();
    const plain = await http.call('alice', 'GET', '/plain-409');
    expect(() => expectProblem(plain, 409, 'CASE_INVALID_TRANSITION')).toThrow(/problem/);
  });
});
