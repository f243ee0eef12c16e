import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ManualClock } from '../clock.ts';
import { DEFAULT_THROTTLE_POLICY, SignInThrottle, type ThrottleVerdict } from './sign-in-throttle.ts';

const STRANGER = '203.0.113.7';
const DESK = '10.20.0.15';

/** A failed attempt: let through (counted) or refused. */
function fail(t: SignInThrottle, address: string, account: string): ThrottleVerdict {
  return t.begin(address, account);
}

describe('sign-in throttle', () => {
  it('lets five failures through from one address, then backs off 1 s, 2 s, 4 s … up to 15 minutes', () => {
    const clock = new ManualClock();
    const t = new SignInThrottle(clock);
    for (let i = 0; i < 5; i++) expect(fail(t, STRANGER, `user${i}`).allowed).toBe(true);
    const waits: number[] = [];
    for (let i = 0; i < 14; i++) {
      const v = t.begin(STRANGER, 'someone');
      expect(v.allowed).toBe(false);
      if (v.allowed) return;
      waits.push(v.retryAfterSeconds);
      clock.advance(v.retryAfterSeconds * 1000);
      expect(t.begin(STRANGER, 'someone').allowed).toBe(true);
    }
    expect(waits.slice(0, 6)).toEqual([1, 2, 4, 8, 16, 32]);
    expect(Math.max(...waits)).toBe(15 * 60);
    expect(waits.at(-1)).toBe(15 * 60);
  });

  it('never turns the real user away because a stranger failed at her name from elsewhere', () => {
    const clock = new ManualClock();
    const t = new SignInThrottle(clock);
    // Twelve wrong passwords, the stranger waiting out each back-off.
    for (let counted = 0; counted < 12; ) {
      const v = fail(t, STRANGER, 'city.supervisor');
      if (v.allowed) counted++;
      else clock.advance(v.retryAfterSeconds * 1000);
    }
    // The stranger's address is slowed, the account is under back-off for unknown addresses …
    expect(t.begin(STRANGER, 'city.supervisor').allowed).toBe(false);
    // … and the supervisor at her desk (no failure from there) is let in at once.
    expect(t.begin(DESK, 'city.supervisor').allowed).toBe(true);
    t.succeeded(DESK, 'city.supervisor');
    // Even after a typo or two from her desk, once she signed in from there it is known.
    for (let i = 0; i < 3; i++) expect(fail(t, DESK, 'city.supervisor').allowed).toBe(true);
    expect(t.begin(DESK, 'city.supervisor').allowed).toBe(true);
  });

  it('gives every guessing address only a couple of tries at an account under attack', () => {
    const clock = new ManualClock();
    const t = new SignInThrottle(clock);
    // A botnet: many addresses, a few tries each.
    let refused = 0;
    for (let a = 0; a < 20; a++) {
      for (let i = 0; i < 3; i++) if (!fail(t, `198.51.100.${a}`, 'admin').allowed) refused++;
    }
    // The first addresses meet no back-off yet; later ones get their free tries, then wait.
    expect(refused).toBeGreaterThan(10);
    const v = t.begin('198.51.100.19', 'admin');
    expect(v.allowed).toBe(false);
    if (!v.allowed) expect(v.by).toBe('account');
    // Other accounts from a fresh address are unaffected.
    expect(t.begin('192.0.2.1', 'yuzhong.operator').allowed).toBe(true);
  });

  it('counts attempts in flight, so a parallel burst is throttled like a sequence', () => {
    const t = new SignInThrottle(new ManualClock());
    const verdicts = Array.from({ length: 20 }, () => t.begin(STRANGER, 'admin'));
    expect(verdicts.filter((v) => v.allowed).length).toBe(5);
  });

  it('takes a success back and does not count a fault', () => {
    const t = new SignInThrottle(new ManualClock());
    for (let i = 0; i < 20; i++) {
      expect(t.begin(DESK, 'admin').allowed).toBe(true);
      if (i % 2) t.succeeded(DESK, 'admin');
      else t.cancelled(DESK, 'admin');
    }
  });

  it('forgets an address after an hour of quiet past the longest back-off', () => {
    const clock = new ManualClock();
    const t = new SignInThrottle(clock);
    for (let i = 0; i < 30; i++) {
      const v = fail(t, STRANGER, 'x');
      if (!v.allowed) clock.advance(v.retryAfterSeconds * 1000);
    }
    clock.advance(DEFAULT_THROTTLE_POLICY.forgetAfterMs + DEFAULT_THROTTLE_POLICY.maxDelayMs + 1);
    for (let i = 0; i < 5; i++) expect(t.begin(STRANGER, 'x').allowed).toBe(true);
  });

  it('always says a retry time in whole seconds, at least 1, at most the cap', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 5_000 })), { maxLength: 80 }), (steps) => {
        const clock = new ManualClock();
        const t = new SignInThrottle(clock);
        for (const [addr, acct, wait] of steps) {
          clock.advance(wait);
          const v = t.begin(`10.0.0.${addr}`, `user${acct}`);
          if (!v.allowed) {
            expect(Number.isInteger(v.retryAfterSeconds)).toBe(true);
            expect(v.retryAfterSeconds).toBeGreaterThanOrEqual(1);
            expect(v.retryAfterSeconds).toBeLessThanOrEqual(DEFAULT_THROTTLE_POLICY.maxDelayMs / 1000);
            expect(v.retryAt.getTime()).toBe(clock.now().getTime() + v.retryAfterSeconds * 1000);
          }
        }
      }),
    );
  });
});
