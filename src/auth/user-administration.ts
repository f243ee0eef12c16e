/**
 * The administration of people (issue 16): users listed and searched, their roles, names and
 * places (center, unit, area) changed, a password reset to a one-time password shown once. Who may
 * is decided by the pure `admin-scope.ts`; every change is an event of the user's stream
 * (`user:ID`) written in the changing transaction, and the user's live connections end so they
 * reopen with the new rights. Creating, disabling and enabling stay in `auth-service.ts`.
 */
import { randomInt } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { CityLoopError } from '../errors.ts';
import type { OrgDirectory } from '../org/org-directory.ts';
import type { JurisdictionResolver } from '../geo/resolver.ts';
import type { StoreAdapter } from '../store/store.ts';
import { likeContains } from '../store/like-pattern.ts';
import { recordAdminChanges } from '../events/admin-events.ts';
import { hashPassword } from './password.ts';
import { ROLES, type Principal, type Role } from './principal.ts';
import type { Revocations } from './session-registry.ts';
import { maySeeUser, userChangeRefusal, type AdminScopeLookup, type UserPlacement } from './admin-scope.ts';

/** A user as administrators see it: never the password or the second factor's secret. */
export interface UserView {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly roles: Role[];
  readonly centerId: string | null;
  readonly unitId: string | null;
  readonly jurisdictionCode: string | null;
  readonly phone: string | null;
  readonly createdAt: string;
  readonly disabled: boolean;
  readonly secondFactor: boolean;
}

export interface UserQuery {
  /** Text in the user name, display name or phone. */
  readonly q?: string | undefined;
  readonly centerId?: string | undefined;
  readonly unitId?: string | undefined;
  readonly role?: Role | undefined;
  readonly disabled?: boolean | undefined;
  readonly limit: number;
}

/** What an administrator may change of a user; absent fields stay. */
export interface UserPatch {
  readonly displayName?: string | undefined;
  readonly roles?: readonly Role[] | undefined;
  readonly centerId?: string | null | undefined;
  readonly unitId?: string | null | undefined;
  readonly jurisdictionCode?: string | null | undefined;
  readonly phone?: string | null | undefined;
}

/** Letters and digits that cannot be mistaken for one another when read aloud or copied. */
const OTP_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const OTP_LENGTH = 14;
/** How many rows are read to fill one page of the users an administrator may see. */
const SCAN_LIMIT = 20_000;

export function oneTimePassword(): string {
  let s = '';
  for (let i = 0; i < OTP_LENGTH; i++) s += OTP_ALPHABET[randomInt(OTP_ALPHABET.length)];
  return `${s.slice(0, 7)}-${s.slice(7)}`;
}

export interface UserAdministrationDeps {
  readonly store: StoreAdapter;
  readonly clock: Clock;
  readonly org: OrgDirectory;
  resolver(): JurisdictionResolver;
  readonly revocations: Revocations;
}

type UserRow = { id: string; username: string; display_name: string; roles: string; center_id: string | null; unit_id: string | null; jurisdiction_code: string | null; phone: string | null; created_at: string; disabled: number; totp_confirmed_at: string | null };

export class UserAdministration {
  readonly #d: UserAdministrationDeps;
  constructor(deps: UserAdministrationDeps) {
    this.#d = deps;
  }

  /** The jurisdiction tree and the org's places, as the policy asks for them. */
  lookup(): AdminScopeLookup {
    const r = this.#d.resolver();
    return {
      within: (code, ancestor) => {
        for (let c = code; c; c = r.get(c)?.parentCode ?? null) if (c === ancestor) return true;
        return false;
      },
      centerJurisdiction: (id) => this.#d.org.center(id)?.jurisdictionCode ?? null,
      unitJurisdiction: (id) => this.#d.org.unit(id)?.jurisdictionCode ?? null,
    };
  }

  /** Refuses `p` a change of a user from `before` to `after` (403 with the reason). */
  check(p: Principal, before: UserPlacement | undefined, after: UserPlacement | undefined, action: string): void {
    const refusal = userChangeRefusal(p, before, after, this.lookup());
    if (refusal === 'role') throw new CityLoopError('FORBIDDEN_ROLE', { action });
    if (refusal === 'jurisdiction') throw new CityLoopError('FORBIDDEN_JURISDICTION');
  }

  /** The users `p` administers that match the query, by user name. */
  async list(p: Principal, q: UserQuery): Promise<{ items: UserView[]; truncated: boolean }> {
    let query = this.#d.store.db.selectFrom('users').select(['id', 'username', 'display_name', 'roles', 'center_id', 'unit_id', 'jurisdiction_code', 'phone', 'created_at', 'disabled', 'totp_confirmed_at']);
    const text = q.q?.trim();
    if (text) query = query.where((eb) => eb.or([likeContains('username', text.toLowerCase()), likeContains('display_name', text), likeContains('phone', text)]));
    if (q.centerId) query = query.where('center_id', '=', q.centerId);
    if (q.unitId) query = query.where('unit_id', '=', q.unitId);
    if (q.role) query = query.where(likeContains('roles', `"${q.role}"`));
    if (q.disabled !== undefined) query = query.where('disabled', '=', q.disabled ? 1 : 0);
    const rows = await query.orderBy('username').limit(SCAN_LIMIT).execute();
    const look = this.lookup();
    const items: UserView[] = [];
    for (const row of rows) {
      const v = viewOf(row);
      if (!maySeeUser(p, v, look)) continue;
      if (items.length === q.limit) return { items, truncated: true };
      items.push(v);
    }
    return { items, truncated: false };
  }

  /** One user, if `p` administers it: 403 for a user outside the caller's ground. */
  async get(p: Principal, id: string): Promise<UserView> {
    const v = await this.#find(id);
    if (!v) throw new CityLoopError('NOT_FOUND', { what: 'user', id });
    if (!maySeeUser(p, v, this.lookup())) this.check(p, v, undefined, 'read user');
    return v;
  }

  /** A user as stored, for the policy, or undefined. */
  async placementOf(id: string): Promise<UserView | undefined> {
    return this.#find(id);
  }

  async #find(id: string): Promise<UserView | undefined> {
    const row = await this.#d.store.db
      .selectFrom('users')
      .select(['id', 'username', 'display_name', 'roles', 'center_id', 'unit_id', 'jurisdiction_code', 'phone', 'created_at', 'disabled', 'totp_confirmed_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? viewOf(row) : undefined;
  }

  /**
   * Changes a user's name, roles, phone or place (moved to another center or unit). The policy
   * judges the user before and after; the event names each field with its old and new value.
   */
  async update(p: Principal, id: string, patch: UserPatch, reason: string | null): Promise<UserView> {
    const before = await this.get(p, id);
    const after: UserView = {
      ...before,
      ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}),
      ...(patch.roles !== undefined ? { roles: [...new Set(patch.roles)] } : {}),
      ...(patch.centerId !== undefined ? { centerId: patch.centerId } : {}),
      ...(patch.unitId !== undefined ? { unitId: patch.unitId } : {}),
      ...(patch.jurisdictionCode !== undefined ? { jurisdictionCode: patch.jurisdictionCode } : {}),
      ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
    };
    for (const r of after.roles) if (!ROLES.includes(r) || r === 'system') throw new CityLoopError('VALIDATION_FAILED', { detail: `roles: unknown role ${r}` });
    if (after.roles.length === 0) throw new CityLoopError('VALIDATION_FAILED', { detail: 'roles: at least one' });
    if (after.centerId && !this.#d.org.center(after.centerId)) throw new CityLoopError('NOT_FOUND', { what: 'center', id: after.centerId });
    if (after.unitId && !this.#d.org.unit(after.unitId)) throw new CityLoopError('UNKNOWN_UNIT', { id: after.unitId });
    if (after.jurisdictionCode && !this.#d.resolver().get(after.jurisdictionCode)) throw new CityLoopError('NOT_FOUND', { what: 'jurisdiction', id: after.jurisdictionCode });
    if (id === p.userId && before.roles.includes('admin') && !after.roles.includes('admin')) throw new CityLoopError('VALIDATION_FAILED', { detail: 'an administrator cannot take away their own administration' });
    this.check(p, before, after, 'change user');
    const changed: Record<string, { from: unknown; to: unknown }> = {};
    for (const k of ['displayName', 'roles', 'centerId', 'unitId', 'jurisdictionCode', 'phone'] as const) {
      if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) changed[k] = { from: before[k], to: after[k] };
    }
    if (Object.keys(changed).length === 0) return before;
    const at = this.#d.clock.now().toISOString();
    await this.#d.store.transact(async (tx) => {
      await tx
        .updateTable('users')
        .set({ display_name: after.displayName, roles: JSON.stringify(after.roles), center_id: after.centerId, unit_id: after.unitId, jurisdiction_code: after.jurisdictionCode, phone: after.phone })
        .where('id', '=', id)
        .execute();
      const moved = 'centerId' in changed || 'unitId' in changed || 'jurisdictionCode' in changed;
      await recordAdminChanges(tx, this.#d.store, p, at, [{ kind: 'user', id, type: moved ? 'UserMoved' : 'UserChanged', payload: { username: before.username, changed, reason } }]);
    });
    // Open streams were filtered with the old rights: they end, and reopen with the new ones.
    if ('roles' in changed || 'centerId' in changed || 'unitId' in changed || 'jurisdictionCode' in changed) this.#d.revocations.publish({ kind: 'user', userId: id, reason: 'user_changed' });
    return after;
  }

  /**
   * Resets a user's password to a one-time password, returned once (the administrator hands it
   * over; the user changes it at /me/password). Every session of the user ends; API tokens stay.
   */
  async resetPassword(p: Principal, id: string, reason: string | null): Promise<{ oneTimePassword: string; sessionsEnded: number }> {
    const user = await this.get(p, id);
    this.check(p, user, undefined, 'reset password');
    const password = oneTimePassword();
    const hash = await hashPassword(password);
    const at = this.#d.clock.now().toISOString();
    const ended = await this.#d.store.transact(async (tx) => {
      await tx.updateTable('users').set({ password_hash: hash }).where('id', '=', id).execute();
      const r = await tx.updateTable('auth_tokens').set({ revoked_at: at }).where('user_id', '=', id).where('kind', '=', 'session').where('revoked_at', 'is', null).executeTakeFirst();
      const n = Number(r.numUpdatedRows);
      await recordAdminChanges(tx, this.#d.store, p, at, [{ kind: 'user', id, type: 'UserPasswordReset', payload: { username: user.username, sessionsEnded: n, reason } }]);
      return n;
    });
    this.#d.revocations.publish({ kind: 'user', userId: id, reason: 'password_changed', tokenKinds: ['session'] });
    return { oneTimePassword: password, sessionsEnded: ended };
  }
}

function viewOf(row: UserRow): UserView {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    roles: JSON.parse(row.roles) as Role[],
    centerId: row.center_id,
    unitId: row.unit_id,
    jurisdictionCode: row.jurisdiction_code,
    phone: row.phone,
    createdAt: row.created_at,
    disabled: Boolean(row.disabled),
    secondFactor: row.totp_confirmed_at !== null,
  };
}
