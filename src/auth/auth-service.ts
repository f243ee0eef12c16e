import type { Clock } from '../clock.ts';
import { CityLoopError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { OrgDirectory } from '../org/org-directory.ts';
import type { JurisdictionResolver } from '../geo/resolver.ts';
import type { Tx } from '../store/store.ts';
import type { UserTable } from '../store/schema.ts';
import { hashPassword, hashToken, newToken, verifyPassword } from './password.ts';
import { ROLES, type Principal, type Role } from './principal.ts';

export interface NewUser {
  readonly username: string;
  readonly displayName: string;
  readonly password: string | null;
  readonly roles: readonly Role[];
  readonly centerId?: string | null;
  readonly unitId?: string | null;
  /** For grid workers (their grid) and citizens; staff take their center's or unit's. */
  readonly jurisdictionCode?: string | null;
  readonly phone?: string | null;
}

/** Ten wrong passwords for one user name within 15 minutes lock further tries until the window ends. */
const MAX_FAILURES = 10;
const FAILURE_WINDOW_MS = 15 * 60_000;

// A fixed hash to compare against when the user does not exist, so timing does not tell which
// user names are real.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** Sign-in (session tokens) and API tokens for systems. Only token hashes are stored. */
export class AuthService {
  readonly #db: Tx;
  readonly #clock: Clock;
  readonly #org: OrgDirectory;
  readonly #resolver: () => JurisdictionResolver;
  readonly #sessionTtlMs: number;

  constructor(deps: { db: Tx; clock: Clock; org: OrgDirectory; resolver: () => JurisdictionResolver; sessionTtlHours: number }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#org = deps.org;
    this.#resolver = deps.resolver;
    this.#sessionTtlMs = deps.sessionTtlHours * 3600_000;
  }

  async createUser(u: NewUser, db: Tx = this.#db): Promise<string> {
    if (!/^[a-z0-9][a-z0-9._-]{1,63}$/.test(u.username)) {
      throw new CityLoopError('VALIDATION_FAILED', { detail: 'username: 2–64 lower-case letters, digits, dot, dash or underscore' });
    }
    for (const r of u.roles) if (!ROLES.includes(r)) throw new CityLoopError('VALIDATION_FAILED', { detail: `unknown role ${r}` });
    if (u.centerId && !this.#org.center(u.centerId)) throw new CityLoopError('NOT_FOUND', { what: 'center', id: u.centerId });
    if (u.unitId && !this.#org.unit(u.unitId)) throw new CityLoopError('UNKNOWN_UNIT', { id: u.unitId });
    const id = newId();
    await db
      .insertInto('users')
      .values({
        id,
        username: u.username,
        display_name: u.displayName,
        password_hash: u.password ? await hashPassword(u.password) : null,
        roles: JSON.stringify(u.roles),
        center_id: u.centerId ?? null,
        unit_id: u.unitId ?? null,
        jurisdiction_code: u.jurisdictionCode ?? null,
        phone: u.phone ?? null,
        created_at: this.#clock.now().toISOString(),
        disabled: 0,
      })
      .execute();
    return id;
  }

  /** Failed sign-ins per user name within the window: slows password guessing. */
  readonly #failures = new Map<string, { count: number; since: number }>();

  async signIn(username: string, password: string): Promise<{ token: string; expiresAt: string; principal: Principal }> {
    const nowMs = this.#clock.now().getTime();
    const f = this.#failures.get(username);
    if (f && nowMs - f.since < FAILURE_WINDOW_MS && f.count >= MAX_FAILURES) throw new CityLoopError('RATE_LIMITED');
    try {
      return await this.#signIn(username, password);
    } catch (e) {
      if (e instanceof CityLoopError && e.code === 'AUTH_INVALID_CREDENTIALS') {
        const cur = f && nowMs - f.since < FAILURE_WINDOW_MS ? f : { count: 0, since: nowMs };
        cur.count += 1;
        this.#failures.set(username, cur);
        if (this.#failures.size > 10_000) this.#failures.delete(this.#failures.keys().next().value as string);
      }
      throw e;
    }
  }

  async #signIn(username: string, password: string): Promise<{ token: string; expiresAt: string; principal: Principal }> {
    const user = await this.#db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
    if (!user || !ok || user.disabled || !user.password_hash) throw new CityLoopError('AUTH_INVALID_CREDENTIALS');
    const token = newToken('cls');
    const now = this.#clock.now();
    const expiresAt = new Date(now.getTime() + this.#sessionTtlMs).toISOString();
    await this.#db
      .insertInto('auth_tokens')
      .values({ id: newId(), user_id: user.id, token_hash: hashToken(token), kind: 'session', name: 'sign-in', created_at: now.toISOString(), expires_at: expiresAt, revoked_at: null })
      .execute();
    return { token, expiresAt, principal: this.principalOf(user) };
  }

  async createApiToken(userId: string, name: string): Promise<{ id: string; token: string }> {
    const user = await this.#db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!user) throw new CityLoopError('NOT_FOUND', { what: 'user', id: userId });
    const token = newToken('clt');
    const id = newId();
    await this.#db
      .insertInto('auth_tokens')
      .values({ id, user_id: userId, token_hash: hashToken(token), kind: 'api', name: name.slice(0, 100), created_at: this.#clock.now().toISOString(), expires_at: null, revoked_at: null })
      .execute();
    return { id, token };
  }

  async revoke(token: string): Promise<void> {
    await this.#db.updateTable('auth_tokens').set({ revoked_at: this.#clock.now().toISOString() }).where('token_hash', '=', hashToken(token)).execute();
  }

  async authenticate(token: string): Promise<Principal> {
    const row = await this.#db
      .selectFrom('auth_tokens')
      .innerJoin('users', 'users.id', 'auth_tokens.user_id')
      .selectAll('users')
      .select(['auth_tokens.expires_at', 'auth_tokens.revoked_at'])
      .where('auth_tokens.token_hash', '=', hashToken(token))
      .executeTakeFirst();
    if (!row || row.revoked_at || row.disabled || (row.expires_at && row.expires_at <= this.#clock.now().toISOString())) {
      throw new CityLoopError('AUTH_INVALID_TOKEN');
    }
    return this.principalOf(row);
  }

  principalOf(u: UserTable): Principal {
    const center = u.center_id ? this.#org.center(u.center_id) : undefined;
    const unit = u.unit_id ? this.#org.unit(u.unit_id) : undefined;
    return {
      userId: u.id,
      username: u.username,
      displayName: u.display_name,
      roles: JSON.parse(u.roles) as Role[],
      centerId: center?.id ?? null,
      tier: center?.tier ?? null,
      unitId: unit?.id ?? null,
      jurisdictionCode: u.jurisdiction_code ?? center?.jurisdictionCode ?? unit?.jurisdictionCode ?? null,
    };
  }

  /** Whether a jurisdiction exists (for validating users' areas). */
  knowsJurisdiction(code: string): boolean {
    return this.#resolver().get(code) !== undefined;
  }
}
