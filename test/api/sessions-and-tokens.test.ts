/**
 * Trust (issue 14): sessions end when they end, API tokens have scopes and an expiry and can be
 * listed and revoked, sign-in throttling backs off without letting a stranger lock anyone out, and
 * supervisors may add a TOTP second factor. Live-feed streams are real HTTP connections to the
 * server listening on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { openTestPlatform, DIALECTS, type TestPlatform } from '../support/test-platform.ts';
import { DEMO_PASSWORD } from '../../cities/chongqing/demo/demo-city.ts';
import { base32Decode, hotp, totpStep } from '../../src/auth/totp.ts';

const JIEFANGBEI = { lng: 106.577, lat: 29.557, crs: 'gcj02' as const };

interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/** A live-feed stream over a real connection: the events so far, and a promise of its end. */
interface Stream {
  readonly events: SseEvent[];
  readonly ended: Promise<void>;
  close(): void;
}

async function openStream(base: string, token: string, how: 'header' | 'query' = 'header'): Promise<Stream> {
  const abort = new AbortController();
  const url = how === 'query' ? `${base}/api/v1/events/stream?access_token=${encodeURIComponent(token)}` : `${base}/api/v1/events/stream`;
  const res = await fetch(url, { headers: how === 'header' ? { authorization: `Bearer ${token}` } : {}, signal: abort.signal });
  if (res.status !== 200) throw new Error(`stream refused: ${res.status} ${await res.text()}`);
  const events: SseEvent[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let opened!: () => void;
  const isOpen = new Promise<void>((r) => (opened = r));
  const ended = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        if (buffer.includes(': CityLoop live feed')) opened();
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event) events.push({ event, data: data ?? '' });
        }
      }
    } catch {
      // aborted by the test
    }
  })();
  await isOpen;
  return { events, ended, close: () => abort.abort() };
}

/** The stream ended by the server, its last event saying why. */
async function endedWith(s: Stream, reason: string): Promise<void> {
  await s.ended;
  const last = s.events.at(-1);
  expect(last?.event).toBe('session-ended');
  expect(JSON.parse(last!.data)).toEqual({ reason });
}

describe.each(DIALECTS)('sessions, tokens, throttling and the second factor on %s', (dialect) => {
  let t: TestPlatform;
  let base = '';
  let admin = '';
  const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, token: string | null, payload?: unknown, remoteAddress?: string) =>
    t.app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload !== undefined ? { payload: payload as object } : {}), ...(remoteAddress ? { remoteAddress } : {}) });
  const signIn = (username: string, password: string, remoteAddress: string, totp?: string) =>
    inject('POST', '/api/v1/auth/sign-in', null, { username, password, ...(totp !== undefined ? { totp } : {}) }, remoteAddress);
  const eventsOf = async (streamId: string) =>
    (await t.platform.store.db.selectFrom('events').select(['type', 'actor', 'payload']).where('stream_id', '=', streamId).orderBy('stream_version').execute()).map((e) => ({
      type: e.type,
      actor: JSON.parse(e.actor) as { id: string },
      payload: JSON.parse(e.payload) as Record<string, unknown>,
    }));
  /** A user of our own, so disabling or changing a password touches no other test's account. */
  let userCount = 0;
  const newOperator = async (): Promise<{ id: string; username: string; password: string }> => {
    const username = `op-${dialect}-${++userCount}`;
    const password = 'first-password-1';
    const res = await inject('POST', '/api/v1/users', admin, { username, displayName: username, password, roles: ['operator'], centerId: 'center-500103' });
    expect(res.statusCode, res.body).toBe(201);
    return { id: res.json().id, username, password };
  };
  const sessionOf = async (username: string, password: string, address = '10.9.0.1'): Promise<string> => {
    const res = await signIn(username, password, address);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().token;
  };

  beforeAll(async () => {
    t = await openTestPlatform(dialect);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    admin = await t.signIn('admin');
  }, 120_000);
  afterAll(async () => t?.close());

  describe('live-feed streams end with their session', () => {
    it('delivers events, then ends at sign-out', async () => {
      const op = await t.signIn('yuzhong.operator');
      const s = await openStream(base, op);
      const c = await inject('POST', '/api/v1/cases', op, { categoryCode: 'municipal.water.burst', title: '爆管（流测试）', ...JIEFANGBEI });
      expect(c.statusCode).toBe(201);
      // The stream is live before the sign-out …
      for (let i = 0; i < 200 && !s.events.some((e) => e.event === 'CaseReported'); i++) await new Promise((r) => setTimeout(r, 10));
      expect(s.events.map((e) => e.event)).toContain('CaseReported');
      expect((await inject('POST', '/api/v1/auth/sign-out', op)).statusCode).toBe(204);
      // … and ends with it, saying why; the token opens no new one.
      await endedWith(s, 'signed_out');
      await expect(openStream(base, op)).rejects.toThrow(/401/);
    });

    it('ends a stream when its token expires, not before', async () => {
      const op = await t.signIn('yuzhong.operator');
      const ttl = t.settings.sessionTtlHours * 3600_000;
      // One second before expiry on the platform's clock: the stream's own timer ends it.
      t.clock.advance(ttl - 1000);
      const s = await openStream(base, op, 'query');
      const other = await t.signIn('yuzhong.operator');
      const lives = await openStream(base, other);
      await endedWith(s, 'expired');
      expect(lives.events.some((e) => e.event === 'session-ended')).toBe(false);
      lives.close();
      await lives.ended;
      // Every session of the beforeAll is as old: the administrator signs in again.
      admin = await t.signIn('admin');
    });

    it('ends every stream of a user whose password changed; the old password and sessions stop working', async () => {
      const u = await newOperator();
      const first = await sessionOf(u.username, u.password);
      const second = await sessionOf(u.username, u.password);
      const a = await openStream(base, first);
      const b = await openStream(base, second);
      const wrong = await inject('POST', '/api/v1/me/password', first, { oldPassword: 'not-it-at-all', newPassword: 'second-password-2' }, '10.9.0.2');
      expect(wrong.statusCode).toBe(403);
      expect(wrong.json().code).toBe('OLD_PASSWORD_WRONG');
      const changed = await inject('POST', '/api/v1/me/password', first, { oldPassword: u.password, newPassword: 'second-password-2' }, '10.9.0.2');
      expect(changed.statusCode, changed.body).toBe(200);
      await endedWith(a, 'password_changed');
      await endedWith(b, 'password_changed');
      expect((await inject('GET', '/api/v1/me', second)).statusCode).toBe(401);
      expect((await inject('GET', '/api/v1/me', changed.json().token)).json().username).toBe(u.username);
      expect((await signIn(u.username, u.password, '10.9.0.3')).statusCode).toBe(401);
      expect((await signIn(u.username, 'second-password-2', '10.9.0.3')).statusCode).toBe(200);
      const log = await eventsOf(`user:${u.id}`);
      expect(log.at(-1)).toMatchObject({ type: 'UserPasswordChanged', actor: { id: u.id }, payload: { sessionsEnded: 2 } });
      expect(JSON.stringify(log)).not.toContain('second-password-2');
    });

    it('ends the streams and revokes the tokens of a disabled user; enabling revives none', async () => {
      const u = await newOperator();
      const session = await sessionOf(u.username, u.password);
      const apiToken = (await inject('POST', '/api/v1/auth/api-tokens', session, { name: 'wall screen', scopes: ['read'] })).json().token as string;
      const a = await openStream(base, session);
      const b = await openStream(base, apiToken, 'query');
      const op = await t.signIn('yuzhong.operator');
      expect((await inject('POST', `/api/v1/users/${u.id}/disable`, op, {})).statusCode).toBe(403);
      const res = await inject('POST', `/api/v1/users/${u.id}/disable`, admin, { reason: '离职 left the center' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ id: u.id, disabled: true, tokensRevoked: 2 });
      await endedWith(a, 'user_disabled');
      await endedWith(b, 'user_disabled');
      expect((await signIn(u.username, u.password, '10.9.0.4')).json().code).toBe('AUTH_INVALID_CREDENTIALS');
      // Enabled again (no body at all is fine): signs in anew, the old tokens stay dead.
      const enabled = await t.app.inject({ method: 'POST', url: `/api/v1/users/${u.id}/enable`, headers: { authorization: `Bearer ${admin}` } });
      expect(enabled.statusCode, enabled.body).toBe(200);
      expect((await signIn(u.username, u.password, '10.9.0.4')).statusCode).toBe(200);
      expect((await inject('GET', '/api/v1/me', session)).statusCode).toBe(401);
      expect((await inject('GET', '/api/v1/me', apiToken)).statusCode).toBe(401);
      const log = await eventsOf(`user:${u.id}`);
      const adminId = (await inject('GET', '/api/v1/me', admin)).json().userId;
      // Created by the administrator, then disabled and enabled again.
      expect(log.map((e) => e.type)).toEqual(['UserCreated', 'UserDisabled', 'UserEnabled']);
      expect(log[1]).toMatchObject({ actor: { id: adminId }, payload: { reason: '离职 left the center', tokensRevoked: 2 } });
      // An administrator cannot shut themselves out.
      expect((await inject('POST', `/api/v1/users/${adminId}/disable`, admin, {})).statusCode).toBe(400);
    });

    it('ends the streams of a revoked API token, and only those', async () => {
      const op = await t.signIn('yuzhong.operator');
      const issued = await inject('POST', '/api/v1/auth/api-tokens', op, { name: 'district screen', scopes: ['read'] });
      expect(issued.statusCode, issued.body).toBe(201);
      const { id, token } = issued.json();
      const viaToken = await openStream(base, token);
      const viaSession = await openStream(base, op);
      expect((await inject('DELETE', `/api/v1/auth/api-tokens/${id}`, op)).statusCode).toBe(204);
      await endedWith(viaToken, 'token_revoked');
      expect((await inject('GET', '/api/v1/me', token)).statusCode).toBe(401);
      expect(viaSession.events.some((e) => e.event === 'session-ended')).toBe(false);
      viaSession.close();
      await viaSession.ended;
    });
  });

  describe('API tokens', () => {
    it('refuses citizens', async () => {
      const citizen = await t.signIn('citizen.zhang');
      const res = await inject('POST', '/api/v1/auth/api-tokens', citizen, { name: 'mine', scopes: ['read'] });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN_ROLE');
      // Nor may an administrator issue one that acts as a citizen.
      const citizenId = (await inject('GET', '/api/v1/me', citizen)).json().userId;
      expect((await inject('POST', '/api/v1/auth/api-tokens', admin, { userId: citizenId, name: 'x', scopes: ['read'] })).statusCode).toBe(403);
    });

    it('enforces scopes on every request: a read token cannot POST, a write token cannot GET, ingest and open311 go their own ways', async () => {
      const op = await t.signIn('yuzhong.operator');
      const issue = async (scopes: string[]) => (await inject('POST', '/api/v1/auth/api-tokens', op, { name: scopes.join('+'), scopes })).json().token as string;
      const read = await issue(['read']);
      const write = await issue(['write']);
      expect((await inject('GET', '/api/v1/cases?limit=1', read)).statusCode).toBe(200);
      const post = await inject('POST', '/api/v1/cases', read, { categoryCode: 'municipal.water.burst', title: 'x', ...JIEFANGBEI });
      expect(post.statusCode).toBe(403);
      expect(post.json()).toMatchObject({ code: 'TOKEN_SCOPE_MISSING' });
      expect(post.json().detail).toContain('write');
      expect((await inject('POST', '/api/v1/cases', write, { categoryCode: 'municipal.water.burst', title: '写令牌上报', ...JIEFANGBEI })).statusCode).toBe(201);
      expect((await inject('GET', '/api/v1/cases?limit=1', write)).json().code).toBe('TOKEN_SCOPE_MISSING');
      // Open311 wants its own scope, as a bearer token and as an api_key.
      const services = await t.app.inject({ method: 'GET', url: `/open311/v2/requests.json?api_key=${read}` });
      expect(services.statusCode).toBe(403);
      const o311 = await issue(['open311']);
      expect((await t.app.inject({ method: 'GET', url: `/open311/v2/requests.json?api_key=${o311}` })).statusCode).toBe(200);
      // A token cannot issue tokens, even with write: that needs a signed-in session.
      const mint = await inject('POST', '/api/v1/auth/api-tokens', write, { name: 'child', scopes: ['read', 'write', 'ingest', 'open311'] });
      expect(mint.statusCode).toBe(403);
      expect(mint.json().code).toBe('SESSION_REQUIRED');
    });

    it('expires: 90 days by default, at most a year, shorter on request', async () => {
      const op = await t.signIn('yuzhong.operator');
      const now = t.clock.now().getTime();
      const byDefault = await inject('POST', '/api/v1/auth/api-tokens', op, { name: 'default', scopes: ['read'] });
      expect(Date.parse(byDefault.json().expiresAt) - now).toBe(90 * 86_400_000);
      const week = await inject('POST', '/api/v1/auth/api-tokens', op, { name: 'a week', scopes: ['read'], expiresInDays: 7 });
      expect(Date.parse(week.json().expiresAt) - now).toBe(7 * 86_400_000);
      const tooLong = await inject('POST', '/api/v1/auth/api-tokens', op, { name: 'for ever', scopes: ['read'], expiresInDays: 366 });
      expect(tooLong.statusCode).toBe(400);
      const noScope = await inject('POST', '/api/v1/auth/api-tokens', op, { name: 'none', scopes: [] });
      expect(noScope.statusCode).toBe(400);
      const weekToken = week.json().token as string;
      expect((await inject('GET', '/api/v1/me', weekToken)).statusCode).toBe(200);
      const listed = (await inject('GET', '/api/v1/auth/api-tokens', op)).json().items as { id: string; status: string }[];
      expect(listed.find((x) => x.id === week.json().id)?.status).toBe('active');
      t.clock.advance(7 * 86_400_000);
      expect((await inject('GET', '/api/v1/me', weekToken)).json().code).toBe('AUTH_INVALID_TOKEN');
      const admin2 = await t.signIn('admin');
      const opId = (await inject('GET', '/api/v1/me', byDefault.json().token)).json().userId;
      const after = (await inject('GET', `/api/v1/auth/api-tokens?userId=${opId}`, admin2)).json().items as { id: string; status: string }[];
      expect(after.find((x) => x.id === week.json().id)?.status).toBe('expired');
      admin = admin2;
    });

    it('are listed and revoked by their owner and by an administrator, never shown again, each step in the log', async () => {
      const op = await t.signIn('yuzhong.operator');
      const other = await t.signIn('nanan.operator');
      const issued = (await inject('POST', '/api/v1/auth/api-tokens', op, { name: 'gauge gateway', scopes: ['ingest', 'read'], expiresInDays: 30 })).json();
      const mine = (await inject('GET', '/api/v1/auth/api-tokens', op)).json().items as Record<string, unknown>[];
      const entry = mine.find((x) => x.id === issued.id)!;
      expect(entry).toMatchObject({ name: 'gauge gateway', scopes: ['ingest', 'read'], status: 'active', revokedAt: null });
      expect(JSON.stringify(mine)).not.toContain(issued.token);
      const opId = entry.userId as string;
      // Another operator can neither list nor revoke it; an administrator can both.
      expect((await inject('GET', `/api/v1/auth/api-tokens?userId=${opId}`, other)).statusCode).toBe(403);
      expect((await inject('DELETE', `/api/v1/auth/api-tokens/${issued.id}`, other)).statusCode).toBe(404);
      const seenByAdmin = (await inject('GET', `/api/v1/auth/api-tokens?userId=${opId}`, admin)).json().items as { id: string }[];
      expect(seenByAdmin.map((x) => x.id)).toContain(issued.id);
      expect((await inject('DELETE', `/api/v1/auth/api-tokens/${issued.id}`, admin)).statusCode).toBe(204);
      expect((await inject('GET', '/api/v1/me', issued.token)).statusCode).toBe(401);
      const after = ((await inject('GET', '/api/v1/auth/api-tokens', op)).json().items as { id: string; status: string }[]).find((x) => x.id === issued.id);
      expect(after?.status).toBe('revoked');
      const log = await eventsOf(`token:${issued.id}`);
      const adminId = (await inject('GET', '/api/v1/me', admin)).json().userId;
      expect(log.map((e) => [e.type, e.actor.id])).toEqual([
        ['ApiTokenIssued', opId],
        ['ApiTokenRevoked', adminId],
      ]);
      expect(log[0]!.payload).toMatchObject({ userId: opId, name: 'gauge gateway', scopes: ['ingest', 'read'] });
      const stored = await t.platform.store.db.selectFrom('auth_tokens').select('token_hash').where('id', '=', issued.id).executeTakeFirstOrThrow();
      expect(stored.token_hash).not.toBe(issued.token);
      expect(JSON.stringify(log)).not.toContain(issued.token);
      expect(JSON.stringify(log)).not.toContain(stored.token_hash);
    });
    it('signing out with an API token revokes it, recorded in the log like any revocation', async () => {
      const op = await t.signIn('yuzhong.operator');
      const { id, token } = (await inject('POST', '/api/v1/auth/api-tokens', op, { name: 'one-off', scopes: ['read', 'write'] })).json();
      const opId = (await inject('GET', '/api/v1/me', op)).json().userId;
      expect((await inject('POST', '/api/v1/auth/sign-out', token)).statusCode).toBe(204);
      expect((await inject('GET', '/api/v1/me', token)).statusCode).toBe(401);
      expect((await eventsOf(`token:${id}`)).map((e) => [e.type, e.actor.id, e.payload.by])).toEqual([
        ['ApiTokenIssued', opId, undefined],
        ['ApiTokenRevoked', opId, 'sign-out'],
      ]);
    });
  });

  describe('sign-in throttling', () => {
    it('does not let a stranger lock out the duty supervisor: the stranger backs off, she signs in at once', async () => {
      const stranger = '203.0.113.66';
      let refusals = 0;
      let retryAfter: string | undefined;
      // Twelve wrong passwords, the stranger waiting out each back-off it is told of.
      for (let counted = 0; counted < 12; ) {
        const r = await signIn('city.supervisor', `guess-${counted}`, stranger);
        if (r.statusCode === 401) {
          expect(r.json().code).toBe('AUTH_INVALID_CREDENTIALS');
          counted++;
          continue;
        }
        expect(r.statusCode).toBe(429);
        refusals++;
        retryAfter = r.headers['retry-after'] as string | undefined;
        expect(retryAfter).toMatch(/^\d+$/);
        const body = r.json();
        expect(body.code).toBe('SIGN_IN_THROTTLED');
        expect(body.retryAfter).toBe(Number(retryAfter));
        expect(Date.parse(body.retryAt) - t.clock.now().getTime()).toBe(Number(retryAfter) * 1000);
        t.clock.advance(Number(retryAfter) * 1000);
      }
      expect(refusals).toBeGreaterThan(0);
      // Even the right password from the stranger's address waits now …
      const theirs = await signIn('city.supervisor', DEMO_PASSWORD, stranger);
      expect(theirs.statusCode).toBe(429);
      expect(Number(theirs.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // … while the supervisor, from her desk, is let in at once.
      const hers = await signIn('city.supervisor', DEMO_PASSWORD, '10.20.0.15');
      expect(hers.statusCode, hers.body).toBe(200);
      // From a new address she is let in too, even after a typo.
      expect((await signIn('city.supervisor', 'typo', '10.20.0.99')).statusCode).toBe(401);
      expect((await signIn('city.supervisor', DEMO_PASSWORD, '10.20.0.99')).statusCode).toBe(200);
    });

    it('counts parallel guesses as they come, so a burst is throttled too', async () => {
      const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => signIn('burst.target', `burst-${i}`, '198.51.100.23')));
      const codes = burst.map((r) => r.statusCode).sort();
      expect(codes.filter((c) => c === 401).length).toBe(5);
      expect(codes.filter((c) => c === 429).length).toBe(7);
      expect(burst.every((r) => r.statusCode !== 429 || /^\d+$/.test(String(r.headers['retry-after'])))).toBe(true);
    });
  });

  describe('second factor (TOTP)', () => {
    it('enrols a supervisor, then asks the code at sign-in; a wrong or reused code is refused and counted', async () => {
      const sup = await t.signIn('yuzhong.supervisor');
      const begun = await inject('POST', '/api/v1/me/second-factor/totp', sup);
      expect(begun.statusCode, begun.body).toBe(201);
      expect(begun.headers['cache-control']).toBe('no-store');
      const { secret, otpauthUri } = begun.json();
      expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/CityLoop:yuzhong\.supervisor\?/);
      const key = base32Decode(secret);
      const codeAt = (offsetSteps = 0) => hotp(key, totpStep(t.clock.now()) + offsetSteps);
      // Not asked for before it is confirmed.
      expect((await signIn('yuzhong.supervisor', DEMO_PASSWORD, '10.30.0.1')).statusCode).toBe(200);
      expect((await inject('GET', '/api/v1/me/second-factor', sup)).json()).toEqual({ totp: 'pending' });
      const badConfirm = await inject('POST', '/api/v1/me/second-factor/totp/confirm', sup, { code: codeAt(5) }, '10.30.0.1');
      expect(badConfirm.json().code).toBe('AUTH_TOTP_INVALID');
      expect((await inject('POST', '/api/v1/me/second-factor/totp/confirm', sup, { code: codeAt() }, '10.30.0.1')).statusCode).toBe(204);
      expect((await inject('GET', '/api/v1/me/second-factor', sup)).json()).toEqual({ totp: 'on' });
      // The secret is stored sealed: neither it nor its bytes appear in the row or the log.
      const row = await t.platform.store.db.selectFrom('users').select(['id', 'totp_secret']).where('username', '=', 'yuzhong.supervisor').executeTakeFirstOrThrow();
      expect(row.totp_secret).toBeTruthy();
      expect(row.totp_secret).not.toContain(secret);
      expect(row.totp_secret).not.toContain(key.toString('base64url'));
      const log = await eventsOf(`user:${row.id}`);
      expect(log.map((e) => e.type)).toEqual(['UserSecondFactorEnrolmentBegun', 'UserSecondFactorEnabled']);
      expect(JSON.stringify(log)).not.toContain(secret);
      // Sign-in: the password alone is not enough; a wrong code is refused; the right one passes once.
      const missing = await signIn('yuzhong.supervisor', DEMO_PASSWORD, '10.30.0.2');
      expect(missing.statusCode).toBe(401);
      expect(missing.json().code).toBe('AUTH_TOTP_REQUIRED');
      const wrong = await signIn('yuzhong.supervisor', DEMO_PASSWORD, '10.30.0.2', codeAt(3));
      expect(wrong.json().code).toBe('AUTH_TOTP_INVALID');
      t.clock.advance(30_000);
      const code = codeAt();
      const ok = await signIn('yuzhong.supervisor', DEMO_PASSWORD, '10.30.0.2', code);
      expect(ok.statusCode, ok.body).toBe(200);
      expect((await signIn('yuzhong.supervisor', DEMO_PASSWORD, '10.30.0.3', code)).json().code).toBe('AUTH_TOTP_INVALID');
      // Wrong codes count toward the throttle like wrong passwords.
      const guesser = '10.30.0.77';
      const codes: number[] = [];
      for (let i = 0; i < 7; i++) codes.push((await signIn('yuzhong.supervisor', DEMO_PASSWORD, guesser, String(100000 + i))).statusCode);
      expect(codes[0]).toBe(401);
      expect(codes.filter((c) => c === 401).length).toBeLessThanOrEqual(5);
      expect(codes.at(-1)).toBe(429);
      // Turned off with a valid code: the password alone signs in again.
      const fresh = ok.json().token as string;
      t.clock.advance(30_000);
      expect((await inject('POST', '/api/v1/me/second-factor/totp/disable', fresh, { code: codeAt() }, '10.30.0.4')).statusCode).toBe(204);
      expect((await signIn('yuzhong.supervisor', DEMO_PASSWORD, '10.30.0.4')).statusCode).toBe(200);
      expect((await eventsOf(`user:${row.id}`)).at(-1)).toMatchObject({ type: 'UserSecondFactorDisabled', actor: { id: row.id } });
    });

    it('is for supervisors and administrators only, and needs a session', async () => {
      const op = await t.signIn('yuzhong.operator');
      const r = await inject('POST', '/api/v1/me/second-factor/totp', op);
      expect(r.statusCode).toBe(403);
      expect(r.json().code).toBe('FORBIDDEN_ROLE');
      const adm = await t.signIn('admin');
      const token = (await inject('POST', '/api/v1/auth/api-tokens', adm, { name: 'w', scopes: ['write'] })).json().token as string;
      expect((await inject('POST', '/api/v1/me/second-factor/totp', token)).json().code).toBe('SESSION_REQUIRED');
    });

    it('can be reset by an administrator when the phone is lost', async () => {
      const sup = await t.signIn('city.supervisor');
      const { secret } = (await inject('POST', '/api/v1/me/second-factor/totp', sup)).json();
      const key = base32Decode(secret);
      expect((await inject('POST', '/api/v1/me/second-factor/totp/confirm', sup, { code: hotp(key, totpStep(t.clock.now())) }, '10.40.0.1')).statusCode).toBe(204);
      expect((await signIn('city.supervisor', DEMO_PASSWORD, '10.40.0.2')).json().code).toBe('AUTH_TOTP_REQUIRED');
      const supId = (await inject('GET', '/api/v1/me', sup)).json().userId;
      expect((await inject('POST', `/api/v1/users/${supId}/second-factor/reset`, sup, {})).statusCode).toBe(403);
      const adm = await t.signIn('admin');
      expect((await inject('POST', `/api/v1/users/${supId}/second-factor/reset`, adm, { reason: '手机丢失 lost phone' })).statusCode).toBe(204);
      expect((await signIn('city.supervisor', DEMO_PASSWORD, '10.40.0.2')).statusCode).toBe(200);
    });
  });
});

describe.each(DIALECTS)('a revocation made by another process on %s', (dialect) => {
  let t: TestPlatform;
  let base = '';
  beforeAll(async () => {
    t = await openTestPlatform(dialect, { settings: { sessionRecheckSeconds: 1 } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  }, 120_000);
  afterAll(async () => t?.close());

  it('ends the stream at its next re-check of the token (SESSION_RECHECK_SECONDS)', async () => {
    const op = await t.signIn('yuzhong.operator');
    const s = await openStream(base, op);
    // A second server (or the CLI) on the same store signs the token out: this process hears nothing.
    const second = await t.openSecond();
    try {
      const me = await second.auth.authenticate(op);
      await second.auth.revoke(op, me);
    } finally {
      await second.close();
    }
    await endedWith(s, 'token_revoked');
  });
});
