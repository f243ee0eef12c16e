import type { Clock } from '../clock.ts';
import { CityLoopError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { OrgDirectory } from '../org/org-directory.ts';
import type { JurisdictionResolver } from '../geo/resolver.ts';
import type { StoreAdapter, Tx } from '../store/store.ts';
import type { Selectable } from 'kysely';
import type { UserTable } from '../store/schema.ts';

type UserRow = Selectable<UserTable>;
import { recordAdminChanges, type AdminChange } from '../events/admin-events.ts';
import { hashPassword, hashToken, newToken, verifyPassword } from './password.ts';
import { hasRole, ROLES, type Principal, type Role } from './principal.ts';
import type { Revocations } from './session-registry.ts';
import { SignInThrottle } from './sign-in-throttle.ts';
import { classifyIp, parseIp } from '../outbound/ip-address.ts';
import { parseScopes, TOKEN_SCOPES, type TokenScope } from './token-scopes.ts';
import { base32Encode, newTotpSecret, openSecret, otpauthUri, sealSecret, verifyTotp } from './totp.ts';

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

/** The token a request came with: what a long-lived connection binds to, what scopes allow. */
export interface Credential {
  readonly tokenId: string;
  readonly userId: string;
  readonly kind: 'session' | 'api';
  /** Every scope for a sign-in session; the issued ones for an API token. */
  readonly scopes: readonly TokenScope[];
  readonly expiresAt: string | null;
}

/** An API token as its owner and administrators see it: never the token or its hash. */
export interface ApiTokenView {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly scopes: TokenScope[];
  readonly createdAt: string;
  readonly createdBy: string | null;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly status: 'active' | 'expired' | 'revoked';
}

export const API_TOKEN_DEFAULT_DAYS = 90;
export const API_TOKEN_MAX_DAYS = 365;
/** Roles that may turn on a second factor (TOTP). */
export const SECOND_FACTOR_ROLES: readonly Role[] = ['admin', 'supervisor'];
export const MIN_PASSWORD_LENGTH = 8;

// A fixed hash to compare against when the user does not exist, so timing does not tell which
// user names are real.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
const DAY_MS = 24 * 3600_000;
/**
 * Refusals that mean a wrong secret was tried: they count toward the sign-in throttle. A right
 * password without its code (AUTH_TOTP_REQUIRED, the first step of a two-step form) does not.
 */
const WRONG_SECRET = new Set<string>(['AUTH_INVALID_CREDENTIALS', 'AUTH_TOTP_INVALID', 'OLD_PASSWORD_WRONG']);

export interface AuthServiceDeps {
  readonly store: StoreAdapter;
  readonly clock: Clock;
  readonly org: OrgDirectory;
  resolver(): JurisdictionResolver;
  readonly sessionTtlHours: number;
  /** Where revocations are announced (the live feed listens). */
  readonly revocations: Revocations;
  /** The key that seals TOTP secrets (32 bytes), read when first needed. */
  totpKey(): Buffer;
  /** The issuer shown in authenticator apps. */
  readonly totpIssuer?: string;
  readonly throttle?: SignInThrottle;
  /** While the demo runs (DEMO=true): its published password, good only from a loopback address. */
  readonly demoPassword?: string | null;
}

/**
 * Sign-in (session tokens), API tokens for systems, passwords, disabling users and the second
 * factor. Only token hashes are stored. Every change of an account or a token is an event in the
 * log (streams `user:ID`, `token:ID`) written in the changing transaction; revocations are
 * announced after the commit so open connections end at once.
 */
export class AuthService {
  readonly #store: StoreAdapter;
  readonly #db: Tx;
  readonly #clock: Clock;
  readonly #org: OrgDirectory;
  readonly #resolver: () => JurisdictionResolver;
  readonly #sessionTtlMs: number;
  readonly #revocations: Revocations;
  readonly #totpKey: () => Buffer;
  readonly #issuer: string;
  readonly throttle: SignInThrottle;
  readonly #demoPassword: string | null;

  constructor(deps: AuthServiceDeps) {
    this.#store = deps.store;
    this.#db = deps.store.db;
    this.#clock = deps.clock;
    this.#org = deps.org;
    this.#resolver = deps.resolver;
    this.#sessionTtlMs = deps.sessionTtlHours * 3600_000;
    this.#revocations = deps.revocations;
    this.#totpKey = deps.totpKey;
    this.#issuer = deps.totpIssuer ?? 'CityLoop';
    this.throttle = deps.throttle ?? new SignInThrottle(deps.clock);
    this.#demoPassword = deps.demoPassword ?? null;
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

  /**
   * An administrator creates a user: the user and the event that records it (who, when, with
   * which roles and place — never the password) in one transaction.
   */
  /** Whether a user of this name exists (enabled or not). */
  async usernameTaken(username: string): Promise<boolean> {
    return (await this.#db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst()) !== undefined;
  }

  async createUserBy(actor: Pick<Principal, 'userId' | 'displayName' | 'roles'>, u: NewUser): Promise<string> {
    const at = this.#clock.now().toISOString();
    return this.#store.transact(async (tx) => {
      const id = await this.createUser(u, tx);
      await recordAdminChanges(tx, this.#store, actor, at, [
        { kind: 'user', id, type: 'UserCreated', payload: { username: u.username, displayName: u.displayName, roles: [...u.roles], centerId: u.centerId ?? null, unitId: u.unitId ?? null, jurisdictionCode: u.jurisdictionCode ?? null } },
      ]);
      return id;
    });
  }

  /**
   * Signs in from a client address. Throttled by address and by account (sign-in-throttle.ts); an
   * account with a second factor needs `totp` too, and a wrong code counts as a failed attempt.
   */
  async signIn(username: string, password: string, opts: { address: string; totp?: string | undefined }): Promise<{ token: string; expiresAt: string; principal: Principal }> {
    return this.#attempt(opts.address, username, () => this.#signIn(username, password, opts.totp, opts.address));
  }

  /**
   * Runs a check of a secret (a password or a code) under the throttle: refused with a time to
   * retry while the address or the account backs off; a wrong secret stays counted, a success takes
   * its count back, any other failure (a fault of ours) does not count.
   */
  async #attempt<T>(address: string, username: string, check: () => Promise<T>): Promise<T> {
    const account = username.toLowerCase();
    const verdict = this.throttle.begin(address, account);
    if (!verdict.allowed) {
      const retryAt = verdict.retryAt.toISOString();
      throw new CityLoopError('SIGN_IN_THROTTLED', { seconds: verdict.retryAfterSeconds, retryAt }, { retryAfter: verdict.retryAfterSeconds, retryAt });
    }
    try {
      const r = await check();
      this.throttle.succeeded(address, account);
      return r;
    } catch (e) {
      if (!(e instanceof CityLoopError && WRONG_SECRET.has(e.code))) this.throttle.cancelled(address, account);
      throw e;
    }
  }

  async #signIn(username: string, password: string, code: string | undefined, address: string): Promise<{ token: string; expiresAt: string; principal: Principal }> {
    const user = await this.#db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
    if (!user || !ok || user.disabled || !user.password_hash) throw new CityLoopError('AUTH_INVALID_CREDENTIALS');
    // The demo's password is published: an account that still has it is anyone's from the network.
    if (this.#demoPassword !== null && password === this.#demoPassword && !isLoopbackAddress(address)) throw new CityLoopError('DEMO_ACCOUNT_LOCAL_ONLY');
    const now = this.#clock.now();
    if (user.totp_secret && user.totp_confirmed_at) {
      if (!code) throw new CityLoopError('AUTH_TOTP_REQUIRED');
      await this.#useTotpCode(user, code, now);
    }
    const { token, expiresAt } = await this.#issueSession(this.#db, user.id, now);
    return { token, expiresAt, principal: this.principalOf(user) };
  }

  /** Checks a code and marks its step used, so the same code is refused the second time. */
  async #useTotpCode(user: UserRow, code: string, now: Date, db: Tx = this.#db): Promise<void> {
    const secret = openSecret(this.#totpKey(), user.totp_secret!, user.id);
    const last = user.totp_last_step === null ? null : Number(user.totp_last_step);
    const step = verifyTotp(secret, code.trim(), now, last);
    if (step === null) throw new CityLoopError('AUTH_TOTP_INVALID');
    // Conditional on the step read: two requests racing with the same code cannot both pass.
    const q = db.updateTable('users').set({ totp_last_step: step }).where('id', '=', user.id);
    const r = await (last === null ? q.where('totp_last_step', 'is', null) : q.where('totp_last_step', '=', last)).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new CityLoopError('AUTH_TOTP_INVALID');
  }

  async #issueSession(db: Tx, userId: string, now: Date): Promise<{ token: string; expiresAt: string }> {
    const token = newToken('cls');
    const expiresAt = new Date(now.getTime() + this.#sessionTtlMs).toISOString();
    await db
      .insertInto('auth_tokens')
      .values({ id: newId(), user_id: userId, token_hash: hashToken(token), kind: 'session', name: 'sign-in', created_at: now.toISOString(), expires_at: expiresAt, revoked_at: null, scopes: null, created_by: userId })
      .execute();
    return { token, expiresAt };
  }

  /**
   * Issues an API token: scopes chosen by the issuer, an expiry of at most a year. Citizens hold
   * none (their app signs in); the issue is an event in the log, without the token.
   */
  async createApiToken(
    actor: Pick<Principal, 'userId' | 'displayName' | 'roles'>,
    userId: string,
    name: string,
    opts: { scopes: readonly TokenScope[]; expiresInDays?: number | undefined },
  ): Promise<{ id: string; token: string; name: string; scopes: TokenScope[]; expiresAt: string }> {
    const user = await this.#db.selectFrom('users').select(['id', 'roles', 'disabled']).where('id', '=', userId).executeTakeFirst();
    if (!user) throw new CityLoopError('NOT_FOUND', { what: 'user', id: userId });
    const roles = JSON.parse(user.roles) as Role[];
    if (roles.every((r) => r === 'citizen')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'API tokens for citizens' });
    if (user.disabled) throw new CityLoopError('VALIDATION_FAILED', { detail: 'the user is disabled' });
    const scopes = [...new Set(opts.scopes)].filter((s) => (TOKEN_SCOPES as readonly string[]).includes(s));
    if (scopes.length === 0) throw new CityLoopError('VALIDATION_FAILED', { detail: `scopes: one or more of ${TOKEN_SCOPES.join(', ')}` });
    const days = opts.expiresInDays ?? API_TOKEN_DEFAULT_DAYS;
    if (!Number.isInteger(days) || days < 1 || days > API_TOKEN_MAX_DAYS) throw new CityLoopError('VALIDATION_FAILED', { detail: `expiresInDays: 1 to ${API_TOKEN_MAX_DAYS}` });
    const token = newToken('clt');
    const id = newId();
    const now = this.#clock.now();
    const at = now.toISOString();
    const expiresAt = new Date(now.getTime() + days * DAY_MS).toISOString();
    const label = name.slice(0, 100);
    await this.#store.transact(async (tx) => {
      await tx
        .insertInto('auth_tokens')
        .values({ id, user_id: userId, token_hash: hashToken(token), kind: 'api', name: label, created_at: at, expires_at: expiresAt, revoked_at: null, scopes: JSON.stringify(scopes), created_by: actor.userId })
        .execute();
      await recordAdminChanges(tx, this.#store, actor, at, [{ kind: 'token', id, type: 'ApiTokenIssued', payload: { userId, name: label, scopes, expiresAt } }]);
    });
    return { id, token, name: label, scopes, expiresAt };
  }

  async listApiTokens(userId: string): Promise<ApiTokenView[]> {
    const rows = await this.#db.selectFrom('auth_tokens').selectAll().where('user_id', '=', userId).where('kind', '=', 'api').orderBy('created_at', 'desc').orderBy('id').limit(1000).execute();
    const now = this.#clock.now().toISOString();
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      name: r.name,
      scopes: parseScopes(r.scopes),
      createdAt: r.created_at,
      createdBy: r.created_by ?? null,
      expiresAt: r.expires_at,
      revokedAt: r.revoked_at,
      status: r.revoked_at ? 'revoked' : r.expires_at && r.expires_at <= now ? 'expired' : 'active',
    }));
  }

  /** Revokes an API token of `actor` (or any, for an administrator); its open connections end. */
  async revokeApiToken(actor: Principal, tokenId: string): Promise<void> {
    const row = await this.#db.selectFrom('auth_tokens').select(['id', 'user_id', 'kind', 'revoked_at', 'name']).where('id', '=', tokenId).executeTakeFirst();
    // Another user's token is "not found" rather than "forbidden": ids say nothing to strangers.
    if (!row || row.kind !== 'api' || (row.user_id !== actor.userId && !hasRole(actor, 'admin'))) throw new CityLoopError('NOT_FOUND', { what: 'API token', id: tokenId });
    if (row.revoked_at) return;
    const at = this.#clock.now().toISOString();
    await this.#store.transact(async (tx) => {
      await tx.updateTable('auth_tokens').set({ revoked_at: at }).where('id', '=', tokenId).where('revoked_at', 'is', null).execute();
      await recordAdminChanges(tx, this.#store, actor, at, [{ kind: 'token', id: tokenId, type: 'ApiTokenRevoked', payload: { userId: row.user_id, name: row.name } }]);
    });
    this.#revocations.publish({ kind: 'token', tokenId, reason: 'token_revoked' });
  }

  /**
   * Sign-out: the token of the request stops working, and streams opened with it end. Signing out
   * with an API token revokes it, and that is an event in the log like any revocation.
   */
  async revoke(token: string, actor: Pick<Principal, 'userId' | 'displayName' | 'roles'>): Promise<void> {
    const row = await this.#db.selectFrom('auth_tokens').select(['id', 'kind', 'user_id', 'name']).where('token_hash', '=', hashToken(token)).where('revoked_at', 'is', null).executeTakeFirst();
    if (!row) return;
    const at = this.#clock.now().toISOString();
    await this.#store.transact(async (tx) => {
      await tx.updateTable('auth_tokens').set({ revoked_at: at }).where('id', '=', row.id).where('revoked_at', 'is', null).execute();
      if (row.kind === 'api') await recordAdminChanges(tx, this.#store, actor, at, [{ kind: 'token', id: row.id, type: 'ApiTokenRevoked', payload: { userId: row.user_id, name: row.name, by: 'sign-out' } }]);
    });
    this.#revocations.publish({ kind: 'token', tokenId: row.id, reason: row.kind === 'api' ? 'token_revoked' : 'signed_out' });
  }

  /**
   * Changes one's own password, given the old one (throttled like a sign-in: a stolen session is
   * not a free password oracle). Every sign-in session of the user ends, streams included; the
   * answer is a new session for the caller. API tokens stay (they are listed and revoked apart).
   */
  async changePassword(p: Principal, oldPassword: string, newPassword: string, address: string): Promise<{ token: string; expiresAt: string }> {
    if (newPassword.length < MIN_PASSWORD_LENGTH) throw new CityLoopError('VALIDATION_FAILED', { detail: `newPassword: at least ${MIN_PASSWORD_LENGTH} characters` });
    if (newPassword === oldPassword) throw new CityLoopError('VALIDATION_FAILED', { detail: 'newPassword: the same as the old one' });
    await this.#attempt(address, p.username, async () => {
      const user = await this.#db.selectFrom('users').select('password_hash').where('id', '=', p.userId).executeTakeFirst();
      if (!user?.password_hash || !(await verifyPassword(oldPassword, user.password_hash))) throw new CityLoopError('OLD_PASSWORD_WRONG');
    });
    const hash = await hashPassword(newPassword);
    const now = this.#clock.now();
    const at = now.toISOString();
    const session = await this.#store.transact(async (tx) => {
      await tx.updateTable('users').set({ password_hash: hash }).where('id', '=', p.userId).execute();
      const ended = await tx.updateTable('auth_tokens').set({ revoked_at: at }).where('user_id', '=', p.userId).where('kind', '=', 'session').where('revoked_at', 'is', null).executeTakeFirst();
      await recordAdminChanges(tx, this.#store, p, at, [{ kind: 'user', id: p.userId, type: 'UserPasswordChanged', payload: { sessionsEnded: Number(ended.numUpdatedRows) } }]);
      return this.#issueSession(tx, p.userId, now);
    });
    this.#revocations.publish({ kind: 'user', userId: p.userId, reason: 'password_changed', tokenKinds: ['session'] });
    return session;
  }

  /**
   * Disables or enables a user (administrators). Disabling revokes every token of the user —
   * sessions and API tokens — and ends their connections; enabling revives none of them.
   */
  async setDisabled(actor: Principal, userId: string, disabled: boolean, reason: string | null): Promise<{ tokensRevoked: number }> {
    if (userId === actor.userId && disabled) throw new CityLoopError('VALIDATION_FAILED', { detail: 'an administrator cannot disable their own account' });
    const user = await this.#db.selectFrom('users').select(['id', 'username', 'disabled']).where('id', '=', userId).executeTakeFirst();
    if (!user) throw new CityLoopError('NOT_FOUND', { what: 'user', id: userId });
    if (Boolean(user.disabled) === disabled) return { tokensRevoked: 0 };
    const at = this.#clock.now().toISOString();
    const revoked = await this.#store.transact(async (tx) => {
      await tx.updateTable('users').set({ disabled: disabled ? 1 : 0 }).where('id', '=', userId).execute();
      let n = 0;
      if (disabled) n = Number((await tx.updateTable('auth_tokens').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst()).numUpdatedRows);
      const change: AdminChange = { kind: 'user', id: userId, type: disabled ? 'UserDisabled' : 'UserEnabled', payload: { username: user.username, reason, ...(disabled ? { tokensRevoked: n } : {}) } };
      await recordAdminChanges(tx, this.#store, actor, at, [change]);
      return n;
    });
    if (disabled) this.#revocations.publish({ kind: 'user', userId, reason: 'user_disabled' });
    return { tokensRevoked: revoked };
  }

  /**
   * Begins (or begins again) TOTP enrolment: a new secret, sealed in the store, shown once as an
   * otpauth:// URI and in base32. It is not asked for at sign-in until confirmed with a code.
   */
  async beginTotp(p: Principal): Promise<{ secret: string; otpauthUri: string }> {
    if (!hasRole(p, ...SECOND_FACTOR_ROLES)) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'second factor (supervisors and administrators)' });
    const user = await this.#requireUser(p.userId);
    if (user.totp_confirmed_at) throw new CityLoopError('TOTP_ALREADY_ENABLED');
    const secret = newTotpSecret();
    const at = this.#clock.now().toISOString();
    await this.#store.transact(async (tx) => {
      await tx.updateTable('users').set({ totp_secret: sealSecret(this.#totpKey(), secret, p.userId), totp_confirmed_at: null, totp_last_step: null }).where('id', '=', p.userId).execute();
      await recordAdminChanges(tx, this.#store, p, at, [{ kind: 'user', id: p.userId, type: 'UserSecondFactorEnrolmentBegun', payload: { method: 'totp' } }]);
    });
    return { secret: base32Encode(secret), otpauthUri: otpauthUri(secret, user.username, this.#issuer) };
  }

  /** Confirms enrolment with a code from the app: from now on sign-in needs a code. */
  async confirmTotp(p: Principal, code: string, address: string): Promise<void> {
    const user = await this.#requireUser(p.userId);
    if (user.totp_confirmed_at) throw new CityLoopError('TOTP_ALREADY_ENABLED');
    if (!user.totp_secret) throw new CityLoopError('TOTP_NOT_ENABLED');
    const now = this.#clock.now();
    const at = now.toISOString();
    await this.#attempt(address, p.username, () =>
      this.#store.transact(async (tx) => {
        await this.#useTotpCode(user, code, now, tx);
        await tx.updateTable('users').set({ totp_confirmed_at: at }).where('id', '=', p.userId).execute();
        await recordAdminChanges(tx, this.#store, p, at, [{ kind: 'user', id: p.userId, type: 'UserSecondFactorEnabled', payload: { method: 'totp' } }]);
      }),
    );
  }

  /** Turns the second factor off, given a valid code (the holder of the app agrees). */
  async disableTotp(p: Principal, code: string, address: string): Promise<void> {
    const user = await this.#requireUser(p.userId);
    if (!user.totp_secret || !user.totp_confirmed_at) throw new CityLoopError('TOTP_NOT_ENABLED');
    const now = this.#clock.now();
    const at = now.toISOString();
    await this.#attempt(address, p.username, () =>
      this.#store.transact(async (tx) => {
        await this.#useTotpCode(user, code, now, tx);
        await tx.updateTable('users').set({ totp_secret: null, totp_confirmed_at: null, totp_last_step: null }).where('id', '=', p.userId).execute();
        await recordAdminChanges(tx, this.#store, p, at, [{ kind: 'user', id: p.userId, type: 'UserSecondFactorDisabled', payload: { method: 'totp', by: 'owner' } }]);
      }),
    );
  }

  /** An administrator removes a user's second factor (a lost phone); the user may enrol again. */
  async resetTotp(actor: Principal, userId: string, reason: string | null): Promise<void> {
    const user = await this.#requireUser(userId);
    if (!user.totp_secret) throw new CityLoopError('TOTP_NOT_ENABLED');
    const at = this.#clock.now().toISOString();
    await this.#store.transact(async (tx) => {
      await tx.updateTable('users').set({ totp_secret: null, totp_confirmed_at: null, totp_last_step: null }).where('id', '=', userId).execute();
      await recordAdminChanges(tx, this.#store, actor, at, [{ kind: 'user', id: userId, type: 'UserSecondFactorDisabled', payload: { method: 'totp', by: 'administrator', reason } }]);
    });
  }

  /** Whether the user has a confirmed second factor (for /me and the settings page). */
  async secondFactorOf(userId: string): Promise<{ totp: 'off' | 'pending' | 'on' }> {
    const u = await this.#requireUser(userId);
    return { totp: u.totp_confirmed_at ? 'on' : u.totp_secret ? 'pending' : 'off' };
  }

  async #requireUser(id: string): Promise<UserRow> {
    const u = await this.#db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!u) throw new CityLoopError('NOT_FOUND', { what: 'user', id });
    return u;
  }

  /** The principal of a token; with `scope`, the token must carry it (Open311's api_key). */
  async authenticate(token: string, scope?: TokenScope): Promise<Principal> {
    const { principal, credential } = await this.authenticateCredential(token);
    if (scope && !credential.scopes.includes(scope)) throw new CityLoopError('TOKEN_SCOPE_MISSING', { scope });
    return principal;
  }

  /** The principal and the credential itself (its id, kind, scopes and expiry). */
  async authenticateCredential(token: string): Promise<{ principal: Principal; credential: Credential }> {
    const row = await this.#db
      .selectFrom('auth_tokens')
      .innerJoin('users', 'users.id', 'auth_tokens.user_id')
      .selectAll('users')
      .select(['auth_tokens.id as token_id', 'auth_tokens.kind', 'auth_tokens.scopes', 'auth_tokens.expires_at', 'auth_tokens.revoked_at'])
      .where('auth_tokens.token_hash', '=', hashToken(token))
      .executeTakeFirst();
    if (!row || row.revoked_at || row.disabled || (row.expires_at && row.expires_at <= this.#clock.now().toISOString())) {
      throw new CityLoopError('AUTH_INVALID_TOKEN');
    }
    const kind = row.kind === 'api' ? 'api' : 'session';
    return {
      principal: this.principalOf(row),
      credential: { tokenId: row.token_id, userId: row.id, kind, scopes: kind === 'api' ? parseScopes(row.scopes) : [...TOKEN_SCOPES], expiresAt: row.expires_at },
    };
  }

  principalOf(u: Pick<UserRow, 'id' | 'username' | 'display_name' | 'roles' | 'center_id' | 'unit_id' | 'jurisdiction_code'>): Principal {
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

/** Whether a client address is this machine's own (127.0.0.0/8, ::1, or IPv4 loopback inside IPv6). */
export function isLoopbackAddress(address: string): boolean {
  const ip = parseIp(address);
  return ip !== null && classifyIp(ip) === 'loopback';
}
