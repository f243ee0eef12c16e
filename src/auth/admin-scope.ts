/**
 * Who may administer whom (pure). The city administrator (an administrator of the city's center, or
 * of no center, unit or area) administers every user, unit and center. An administrator of a district (or a
 * street) center administers only what lies inside its ground: users whose center, unit and area
 * are all inside it, units serving it, centers below it — before and after a change alike, so a
 * district administrator can neither reach into another district nor move someone out of its own.
 * Administrators are made, changed and disabled by the city administrator only: a district
 * administrator cannot raise anyone (itself included) to its own rights.
 */
import { hasRole, type Principal, type Role } from './principal.ts';

/** What the policy needs to know of the city: the jurisdiction tree and the org's places. */
export interface AdminScopeLookup {
  /** Whether `code` is `ancestor` or lies below it. */
  within(code: string | null, ancestor: string): boolean;
  /** The jurisdiction a center serves, or null for an unknown center. */
  centerJurisdiction(centerId: string): string | null;
  /** The jurisdiction a unit serves, or null for an unknown unit. */
  unitJurisdiction(unitId: string): string | null;
}

/** Where a user belongs: what a change of the user is judged on. */
export interface UserPlacement {
  readonly roles: readonly Role[];
  readonly centerId: string | null;
  readonly unitId: string | null;
  readonly jurisdictionCode: string | null;
}

/** `all`: the city administrator; `within`: the ground of a district (or street) administrator. */
export type AdminGround = { readonly all: true } | { readonly all: false; readonly within: string };

export type AdminRefusal = 'role' | 'jurisdiction';

/** The ground `p` administers, or null when `p` administers nothing. */
export function adminGround(p: Principal): AdminGround | null {
  if (!hasRole(p, 'admin')) return null;
  if (p.tier === 'city' || (p.centerId === null && p.unitId === null && p.jurisdictionCode === null)) return { all: true };
  // A district's (or street's) administrator, or one bound to a unit or an area: that ground only.
  return p.jurisdictionCode ? { all: false, within: p.jurisdictionCode } : null;
}

/** Whether the place of `u` lies inside `ground` (a user bound to no place is the city's). */
function userInside(u: UserPlacement, ground: string, look: AdminScopeLookup): boolean {
  const places: (string | null)[] = [];
  if (u.centerId) places.push(look.centerJurisdiction(u.centerId));
  if (u.unitId) places.push(look.unitJurisdiction(u.unitId));
  if (u.jurisdictionCode) places.push(u.jurisdictionCode);
  if (places.length === 0) return false;
  return places.every((c) => c !== null && look.within(c, ground));
}

/** Whether `p` may see a user (the list, one user). */
export function maySeeUser(p: Principal, u: UserPlacement, look: AdminScopeLookup): boolean {
  const g = adminGround(p);
  return g !== null && (g.all || userInside(u, g.within, look));
}

/**
 * Whether `p` may make a user that was `before` (undefined for a new one) be `after` (undefined for
 * a change that keeps the placement: disable, enable, reset a password or second factor).
 */
export function userChangeRefusal(p: Principal, before: UserPlacement | undefined, after: UserPlacement | undefined, look: AdminScopeLookup): AdminRefusal | null {
  const g = adminGround(p);
  if (g === null) return 'role';
  if (g.all) return null;
  for (const u of [before, after]) {
    if (!u) continue;
    if (u.roles.includes('admin') || u.roles.includes('system')) return 'role';
    if (!userInside(u, g.within, look)) return 'jurisdiction';
  }
  return null;
}

/** Whether `p` may create, change or disable a unit serving `before` and then `after`. */
export function unitChangeRefusal(p: Principal, before: string | undefined, after: string | undefined, look: AdminScopeLookup): AdminRefusal | null {
  const g = adminGround(p);
  if (g === null) return 'role';
  if (g.all) return null;
  for (const code of [before, after]) if (code !== undefined && !look.within(code, g.within)) return 'jurisdiction';
  return null;
}

/** Whether `p` may create a center serving `jurisdictionCode`: only below its own ground. */
export function centerChangeRefusal(p: Principal, jurisdictionCode: string, look: AdminScopeLookup): AdminRefusal | null {
  const g = adminGround(p);
  if (g === null) return 'role';
  if (g.all) return null;
  return jurisdictionCode !== g.within && look.within(jurisdictionCode, g.within) ? null : 'jurisdiction';
}
