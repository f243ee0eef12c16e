/**
 * Safe defaults (issue 16 item 9): while the demo runs (DEMO=true), an account signing in with the
 * published demo password is refused from any address but this machine's; an account whose
 * password was changed signs in from anywhere, and with the demo off the password is an ordinary one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestPlatform, TINY_PACK_DIR, type TestPlatform } from '../support/test-platform.ts';
import { expectProblem, testHttp } from '../support/http.ts';

describe.each(DIALECTS)('demo accounts sign in from this machine only on %s', (dialect) => {
  let demoOn: TestPlatform;
  let demoOff: TestPlatform;
  const tokens: Record<string, string> = {};
  const on = testHttp(() => demoOn.app, (u) => tokens[u]);
  const off = testHttp(() => demoOff.app, (u) => tokens[u]);
  const signIn = (client: typeof on, username: string, password: string, remoteAddress: string) =>
    client.request({ method: 'POST', url: '/api/v1/auth/sign-in', body: { username, password }, remoteAddress });

  beforeAll(async () => {
    demoOn = await openTestPlatform(dialect, { cityPack: TINY_PACK_DIR, settings: { demo: true } });
    demoOff = await openTestPlatform(dialect, { cityPack: TINY_PACK_DIR, settings: { demo: false } });
  }, 120_000);
  afterAll(async () => {
    await demoOn?.close();
    await demoOff?.close();
  });

  it('refuses the published password from the network, takes it from loopback', async () => {
    const password = demoOn.platform.pack.demo!.password;
    expectProblem(await signIn(on, 'admin', password, '203.0.113.7'), 403, 'DEMO_ACCOUNT_LOCAL_ONLY');
    expectProblem(await signIn(on, 'admin', password, '192.168.1.20'), 403, 'DEMO_ACCOUNT_LOCAL_ONLY');
    expectProblem(await signIn(on, 'admin', password, '2001:db8::5'), 403, 'DEMO_ACCOUNT_LOCAL_ONLY');
    for (const local of ['127.0.0.1', '127.3.4.5', '::1', '::ffff:127.0.0.1']) expect((await signIn(on, 'admin', password, local)).status, local).toBe(200);
    // A wrong password is still just wrong (nothing said about the demo).
    expectProblem(await signIn(on, 'admin', 'not-the-password', '203.0.113.7'), 401, 'AUTH_INVALID_CREDENTIALS');
  });

  it('lets an account with its own password in from anywhere, and the demo off changes nothing of sign-in', async () => {
    const password = demoOn.platform.pack.demo!.password;
    tokens.admin = (await signIn(on, 'admin', password, '127.0.0.1')).body.token;
    const changed = await on.request({ method: 'POST', url: '/api/v1/me/password', as: 'admin', body: { oldPassword: password, newPassword: 'an-own-password-1' }, remoteAddress: '127.0.0.1' });
    expect(changed.status, changed.text).toBe(200);
    expect((await signIn(on, 'admin', 'an-own-password-1', '203.0.113.7')).status).toBe(200);
    expect((await signIn(off, 'admin', demoOff.platform.pack.demo!.password, '203.0.113.7')).status).toBe(200);
  });
});
