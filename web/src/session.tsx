import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, loadSession, saveSession, setUnauthorizedHandler } from './api.ts';
import { liveFeed } from './live-feed.ts';
import type { Role, Session, User } from './types.ts';

interface SessionCtx {
  readonly session: Session | null;
  /** `totp`: the one-time code of an account with a second factor. */
  signIn(username: string, password: string, totp?: string): Promise<Session>;
  signOut(): Promise<void>;
}

const Ctx = createContext<SessionCtx | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(loadSession);
  const drop = useCallback(() => {
    saveSession(null);
    liveFeed.stop();
    setSession(null);
  }, []);
  useEffect(() => setUnauthorizedHandler(drop), [drop]);
  const value = useMemo<SessionCtx>(
    () => ({
      session,
      signIn: async (username, password, totp) => {
        const r = await api<{ token: string; expiresAt: string; user: User }>('/api/v1/auth/sign-in', { body: { username, password, ...(totp ? { totp } : {}) } });
        const s: Session = { token: r.token, expiresAt: r.expiresAt, user: r.user };
        saveSession(s);
        liveFeed.stop();
        setSession(s);
        return s;
      },
      signOut: async () => {
        try {
          await api('/api/v1/auth/sign-out', { method: 'POST', body: {} });
        } catch {
          // already gone
        }
        drop();
      },
    }),
    [session, drop],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): SessionCtx {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

export function hasRole(u: User | null | undefined, ...roles: Role[]): boolean {
  return !!u && u.roles.some((r) => roles.includes(r));
}

/** The page each kind of user works in all day. */
export function homeOf(u: User): string {
  if (hasRole(u, 'admin', 'operator', 'supervisor')) return '/cockpit';
  if (hasRole(u, 'unit_staff')) return '/unit';
  if (hasRole(u, 'grid_worker')) return '/grid';
  return '/citizen';
}
