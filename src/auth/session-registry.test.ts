import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { Revocations, SessionRegistry, type SessionEndReason } from './session-registry.ts';
import { until } from '../../test/support/until.ts';

function setup() {
  const clock = new ManualClock('2026-03-02T01:00:00Z');
  const revocations = new Revocations();
  const sessions = new SessionRegistry(clock, revocations);
  const ended: [string, SessionEndReason][] = [];
  const open = (name: string, tokenId: string, userId: string, kind: 'session' | 'api' = 'session', expiresAt: string | null = null) =>
    sessions.attach({ tokenId, userId, kind, expiresAt }, (r) => ended.push([name, r]));
  return { clock, revocations, sessions, ended, open };
}

describe('session registry', () => {
  it('ends the connections of a revoked token, and only those', () => {
    const s = setup();
    s.open('a1', 't1', 'u1');
    s.open('a2', 't1', 'u1');
    s.open('b', 't2', 'u1');
    s.revocations.publish({ kind: 'token', tokenId: 't1', reason: 'signed_out' });
    expect(s.ended).toEqual([
      ['a1', 'signed_out'],
      ['a2', 'signed_out'],
    ]);
    expect(s.sessions.size).toBe(1);
  });

  it('ends every connection of a user, or those of the named token kinds', () => {
    const s = setup();
    s.open('phone', 't1', 'u1');
    s.open('gateway', 't2', 'u1', 'api');
    s.open('other user', 't3', 'u2');
    s.revocations.publish({ kind: 'user', userId: 'u1', reason: 'password_changed', tokenKinds: ['session'] });
    expect(s.ended).toEqual([['phone', 'password_changed']]);
    s.revocations.publish({ kind: 'user', userId: 'u1', reason: 'user_disabled' });
    expect(s.ended.at(-1)).toEqual(['gateway', 'user_disabled']);
    expect(s.sessions.size).toBe(1);
  });

  it('ends a connection once, and not after it was detached', () => {
    const s = setup();
    const detach = s.open('gone', 't1', 'u1');
    s.open('stays', 't1', 'u1');
    detach();
    s.revocations.publish({ kind: 'token', tokenId: 't1', reason: 'token_revoked' });
    s.revocations.publish({ kind: 'user', userId: 'u1', reason: 'user_disabled' });
    expect(s.ended).toEqual([['stays', 'token_revoked']]);
    expect(s.sessions.size).toBe(0);
  });

  it('ends a connection when its token expires', async () => {
    const s = setup();
    // The clock stands still: the timer waits the real 300 ms that were left at attach.
    s.open('short', 't1', 'u1', 'session', new Date(s.clock.now().getTime() + 300).toISOString());
    s.open('long', 't2', 'u1', 'session', new Date(s.clock.now().getTime() + 3600_000).toISOString());
    s.open('past', 't3', 'u1', 'session', new Date(s.clock.now().getTime() - 1).toISOString());
    await until(() => s.ended.length === 2);
    expect(s.ended.map(([n]) => n).sort()).toEqual(['past', 'short']);
    expect(s.ended.every(([, r]) => r === 'expired')).toBe(true);
    expect(s.sessions.size).toBe(1);
  });

  it('keeps ending the others when one connection fails to close', () => {
    const s = setup();
    s.sessions.attach({ tokenId: 't1', userId: 'u1', kind: 'session', expiresAt: null }, () => {
      throw new Error('socket already gone');
    });
    s.open('next', 't1', 'u1');
    s.revocations.publish({ kind: 'token', tokenId: 't1', reason: 'signed_out' });
    expect(s.ended).toEqual([['next', 'signed_out']]);
  });
});
