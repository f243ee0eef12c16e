/**
 * Sign-in throttling by client address and by account, with exponential back-off, never a lock a
 * stranger can set off.
 *
 * - An address that failed `freeFailures` times waits `baseDelayMs`, doubling with every further
 *   failure up to `maxDelayMs`, whichever account it tried. A guesser's own address slows down.
 * - An account that failed `freeFailures` times (from anywhere) backs off the same way, but only
 *   for addresses unknown to it: an address from which the account signed in successfully is
 *   known, and an address that has failed fewer than `freeTriesPerAddress` times against the
 *   account is not slowed by the account's back-off either. So the duty supervisor, signing in from
 *   her own desk (or from a new address, with the right password) is never turned away because a
 *   stranger guessed at her name from elsewhere, while every guessing address gets only a couple of
 *   tries against her before it waits.
 *
 * Every attempt counts as a failure from the moment it is let through, and a success takes its
 * count back: a burst of parallel guesses is throttled like the same guesses one after another.
 *
 * The state is held in memory of this process and forgotten after `forgetAfterMs` of quiet. With
 * several server processes, each throttles the attempts it receives: a guesser spreading its tries
 * over n processes gets up to n times as many (see docs/reference/security.md).
 */
import type { Clock } from '../clock.ts';

export interface ThrottlePolicy {
  /** Failures before any back-off. */
  readonly freeFailures: number;
  /** The first back-off; it doubles with every further failure. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Failures an unknown address may make against one account before the account's back-off applies to it. */
  readonly freeTriesPerAddress: number;
  /** A record without a failure for this long is dropped (the slate is clean again). */
  readonly forgetAfterMs: number;
  /** How long a successful sign-in keeps an address known to the account. */
  readonly knownAddressMs: number;
  /** Bound on the remembered addresses and accounts (the oldest go first). */
  readonly maxEntries: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  freeFailures: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  freeTriesPerAddress: 2,
  forgetAfterMs: 60 * 60_000,
  knownAddressMs: 30 * 24 * 3600_000,
  maxEntries: 100_000,
};

export type ThrottleVerdict = { readonly allowed: true } | { readonly allowed: false; readonly retryAt: Date; readonly retryAfterSeconds: number; readonly by: 'address' | 'account' };

interface FailureRecord {
  failures: number;
  lastFailureMs: number;
}

interface AccountRecord extends FailureRecord {
  /** Failures against this account per address. */
  readonly byAddress: Map<string, number>;
}

/** When a record with this many failures may try again (0: it may now). */
export function backOffUntil(r: FailureRecord, p: ThrottlePolicy): number {
  if (r.failures < p.freeFailures) return 0;
  const steps = r.failures - p.freeFailures;
  const delay = steps >= 30 ? p.maxDelayMs : Math.min(p.baseDelayMs * 2 ** steps, p.maxDelayMs);
  return r.lastFailureMs + delay;
}

export class SignInThrottle {
  readonly #clock: Clock;
  readonly #policy: ThrottlePolicy;
  readonly #addresses = new Map<string, FailureRecord>();
  readonly #accounts = new Map<string, AccountRecord>();
  /** account → address → last successful sign-in (ms). */
  readonly #known = new Map<string, Map<string, number>>();

  constructor(clock: Clock, policy: Partial<ThrottlePolicy> = {}) {
    this.#clock = clock;
    this.#policy = { ...DEFAULT_THROTTLE_POLICY, ...policy };
  }

  /**
   * Asks whether an attempt from `address` at `account` may go on; if so it is counted as a failure
   * until `succeeded` takes it back.
   */
  begin(address: string, account: string): ThrottleVerdict {
    const now = this.#clock.now().getTime();
    const p = this.#policy;
    const addr = this.#fresh(this.#addresses, address, now);
    const acct = this.#fresh(this.#accounts, account, now);
    let until = 0;
    let by: 'address' | 'account' = 'address';
    if (addr) until = backOffUntil(addr, p);
    if (acct && !this.#isKnown(account, address, now) && (acct.byAddress.get(address) ?? 0) >= p.freeTriesPerAddress) {
      const a = backOffUntil(acct, p);
      if (a > until) (until = a), (by = 'account');
    }
    if (until > now) {
      const retryAfterSeconds = Math.max(1, Math.ceil((until - now) / 1000));
      return { allowed: false, retryAt: new Date(now + retryAfterSeconds * 1000), retryAfterSeconds, by };
    }
    this.#count(address, account, now, +1);
    return { allowed: true };
  }

  /** The attempt was right: its count is taken back and the address becomes known to the account. */
  succeeded(address: string, account: string): void {
    const now = this.#clock.now().getTime();
    this.#count(address, account, now, -1);
    const acct = this.#accounts.get(account);
    acct?.byAddress.delete(address);
    let m = this.#known.get(account);
    if (!m) {
      m = new Map();
      this.#known.set(account, m);
      this.#bound(this.#known);
    }
    m.delete(address);
    m.set(address, now);
    if (m.size > 100) m.delete(m.keys().next().value as string);
  }

  /** The attempt ended for another reason than its credentials (a fault): it does not count. */
  cancelled(address: string, account: string): void {
    this.#count(address, account, this.#clock.now().getTime(), -1);
  }

  #count(address: string, account: string, now: number, delta: 1 | -1): void {
    const addr = this.#addresses.get(address) ?? { failures: 0, lastFailureMs: now };
    const acct = this.#accounts.get(account) ?? { failures: 0, lastFailureMs: now, byAddress: new Map<string, number>() };
    addr.failures = Math.max(0, addr.failures + delta);
    acct.failures = Math.max(0, acct.failures + delta);
    const perAddress = Math.max(0, (acct.byAddress.get(address) ?? 0) + delta);
    if (perAddress > 0) acct.byAddress.set(address, perAddress);
    else acct.byAddress.delete(address);
    if (delta > 0) addr.lastFailureMs = acct.lastFailureMs = now;
    this.#put(this.#addresses, address, addr);
    this.#put(this.#accounts, account, acct);
  }

  #put<T extends FailureRecord>(m: Map<string, T>, key: string, r: T): void {
    m.delete(key);
    if (r.failures === 0) return;
    m.set(key, r);
    this.#bound(m);
  }

  #bound(m: Map<string, unknown>): void {
    while (m.size > this.#policy.maxEntries) m.delete(m.keys().next().value as string);
  }

  #fresh<T extends FailureRecord>(m: Map<string, T>, key: string, now: number): T | undefined {
    const r = m.get(key);
    if (r && now - r.lastFailureMs > this.#policy.forgetAfterMs + this.#policy.maxDelayMs) {
      m.delete(key);
      return undefined;
    }
    return r;
  }

  #isKnown(account: string, address: string, now: number): boolean {
    const at = this.#known.get(account)?.get(address);
    return at !== undefined && now - at <= this.#policy.knownAddressMs;
  }
}
