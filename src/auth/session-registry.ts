/**
 * Sessions end when they end. A bearer token is checked when a request arrives, but a live-feed
 * stream (SSE) or a device's MQTT connection outlives that check by hours. Whatever revokes a
 * credential (sign-out, a password change, a user disabled, an API token revoked, a device's secret
 * rotated or the device deleted or disabled) announces it here, after its transaction committed;
 * every long-lived connection bound to that credential listens and closes itself.
 *
 * This is an in-process notifier: a revocation made by another process (a second server on the
 * same PostgreSQL, the CLI) is not heard here. The live feed therefore also re-checks its token
 * now and then (see `feed-routes.ts`), and an expiry is a timer of the connection itself.
 */
import type { Clock } from '../clock.ts';

/** Why a session ended; connections may tell their client (the feed sends it as its last event). */
export type SessionEndReason = 'signed_out' | 'expired' | 'password_changed' | 'user_disabled' | 'user_changed' | 'token_revoked' | 'device_secret_rotated' | 'device_removed' | 'device_disabled';

/** What was revoked: one token, every token of a user, or a device's credentials. */
export type Revocation =
  | { readonly kind: 'token'; readonly tokenId: string; readonly reason: SessionEndReason }
  | { readonly kind: 'user'; readonly userId: string; readonly reason: SessionEndReason; /** token kinds ended (all when absent) */ readonly tokenKinds?: readonly ('session' | 'api')[] }
  | { readonly kind: 'device'; readonly deviceId: string; readonly reason: SessionEndReason };

/** The interface the feed and the broker subscribe to; the auth service and the device registry publish. */
export interface RevocationNotifier {
  /** Returns the function that unsubscribes. */
  subscribe(listener: (r: Revocation) => void): () => void;
}

export class Revocations implements RevocationNotifier {
  readonly #listeners = new Set<(r: Revocation) => void>();

  subscribe(listener: (r: Revocation) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Call after the change committed: a listener closes connections at once. */
  publish(r: Revocation): void {
    for (const l of [...this.#listeners]) {
      try {
        l(r);
      } catch {
        // One listener's failure must not keep the others' sessions open.
      }
    }
  }
}

/** The credential a long-lived connection was opened with. */
export interface SessionBinding {
  readonly tokenId: string;
  readonly userId: string;
  readonly kind: 'session' | 'api';
  /** ISO time; null: no expiry. */
  readonly expiresAt: string | null;
}

interface Attached {
  readonly binding: SessionBinding;
  readonly end: (reason: SessionEndReason) => void;
  timer: ReturnType<typeof setTimeout> | null;
}

/** setTimeout refuses delays above 2^31-1 ms (~24.8 days): longer waits are chained. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The long-lived connections of users, indexed by token and by user, so a revocation touches only
 * the connections it concerns. A connection attaches with its binding and a function that closes
 * it; it is ended (once) by a revocation or by its token's expiry, whichever comes first.
 */
export class SessionRegistry {
  readonly #clock: Clock;
  readonly #byToken = new Map<string, Set<Attached>>();
  readonly #byUser = new Map<string, Set<Attached>>();

  constructor(clock: Clock, notifier: RevocationNotifier) {
    this.#clock = clock;
    notifier.subscribe((r) => {
      if (r.kind === 'token') this.#endAll(this.#byToken.get(r.tokenId), r.reason);
      else if (r.kind === 'user') {
        const kinds = r.tokenKinds;
        this.#endAll(this.#byUser.get(r.userId), r.reason, kinds ? (a) => kinds.includes(a.binding.kind) : undefined);
      }
    });
  }

  /** Open connections (for tests and health figures). */
  get size(): number {
    let n = 0;
    for (const s of this.#byToken.values()) n += s.size;
    return n;
  }

  /**
   * Attaches a connection; `end` is called at most once, then the connection is detached. Returns
   * the function that detaches it without ending (the client went away by itself).
   */
  attach(binding: SessionBinding, end: (reason: SessionEndReason) => void): () => void {
    const a: Attached = { binding, end, timer: null };
    add(this.#byToken, binding.tokenId, a);
    add(this.#byUser, binding.userId, a);
    if (binding.expiresAt) this.#arm(a, Date.parse(binding.expiresAt));
    return () => this.#detach(a);
  }

  #arm(a: Attached, expiresAtMs: number): void {
    const left = expiresAtMs - this.#clock.now().getTime();
    if (left <= 0) {
      // Ended from a timer callback or right away; never inside attach's caller's own stack.
      a.timer = setTimeout(() => this.#end(a, 'expired'), 0);
      return;
    }
    a.timer = left > MAX_TIMER_MS ? setTimeout(() => this.#arm(a, expiresAtMs), MAX_TIMER_MS) : setTimeout(() => this.#end(a, 'expired'), left);
    a.timer.unref?.();
  }

  #endAll(set: Set<Attached> | undefined, reason: SessionEndReason, only?: (a: Attached) => boolean): void {
    if (!set) return;
    for (const a of [...set]) if (!only || only(a)) this.#end(a, reason);
  }

  #end(a: Attached, reason: SessionEndReason): void {
    if (!this.#detach(a)) return;
    try {
      a.end(reason);
    } catch {
      // A connection that cannot be closed (its socket already gone) must not keep the others open.
    }
  }

  #detach(a: Attached): boolean {
    if (a.timer) clearTimeout(a.timer);
    a.timer = null;
    const had = remove(this.#byToken, a.binding.tokenId, a);
    remove(this.#byUser, a.binding.userId, a);
    return had;
  }
}

function add<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}

function remove<K, V>(m: Map<K, Set<V>>, k: K, v: V): boolean {
  const s = m.get(k);
  if (!s || !s.delete(v)) return false;
  if (s.size === 0) m.delete(k);
  return true;
}
