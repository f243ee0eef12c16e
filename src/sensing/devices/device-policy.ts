/**
 * Who may see and who may change a device (pure). A device is held by the place it stands in: the
 * center whose jurisdiction contains it may read it, and a city or district center may register,
 * move, re-key and remove it — never a device of another district, and never move one of its own
 * into another's ground or hand it to another district's unit. Administrators hold them all.
 */
import { hasRole, type Principal } from '../../auth/principal.ts';

/** Where a device stands and who owns it: what a change is judged on. */
export interface DeviceHolding {
  readonly jurisdictionCode: string | null;
  readonly unitId: string | null;
}

/** What the policy needs to know of the city: the jurisdiction tree and the units' places. */
export interface DevicePolicyLookup {
  /** Whether `code` is `ancestor` or lies below it. */
  within(code: string | null, ancestor: string): boolean;
  /** The jurisdiction a unit serves, or null for an unknown unit. */
  unitJurisdiction(unitId: string): string | null;
}

export type DeviceRefusal = 'role' | 'jurisdiction';

/** The roles that manage devices at all: administrators, and city and district center staff. */
export function mayManageDevices(p: Principal): boolean {
  return hasRole(p, 'admin') || (hasRole(p, 'operator', 'supervisor') && (p.tier === 'city' || p.tier === 'district'));
}

export function maySeeDevice(p: Principal, d: DeviceHolding, look: Pick<DevicePolicyLookup, 'within'>): boolean {
  if (hasRole(p, 'admin', 'system')) return true;
  if (hasRole(p, 'operator', 'supervisor', 'grid_worker') && p.jurisdictionCode && look.within(d.jurisdictionCode, p.jurisdictionCode)) return true;
  if (hasRole(p, 'unit_staff') && p.unitId !== null && d.unitId === p.unitId) return true;
  return false;
}

/**
 * Whether `p` may make a device that stood at `before` (undefined for a new one) stand at `after`
 * (undefined for a removal or a new secret). Both places must lie in the caller's jurisdiction,
 * and the owning unit must serve the caller's ground: a unit of the caller's jurisdiction or
 * below, or one above it (a city-wide company may own a device in a district).
 */
export function deviceChangeRefusal(p: Principal, before: DeviceHolding | undefined, after: DeviceHolding | undefined, look: DevicePolicyLookup): DeviceRefusal | null {
  if (!mayManageDevices(p)) return 'role';
  if (hasRole(p, 'admin')) return null;
  const ground = p.jurisdictionCode;
  if (!ground) return 'jurisdiction';
  for (const place of [before, after]) {
    if (!place) continue;
    if (!look.within(place.jurisdictionCode, ground)) return 'jurisdiction';
    if (place.unitId !== null) {
      const served = look.unitJurisdiction(place.unitId);
      if (served === null) continue; // an unknown unit is refused by the registry with its own error
      if (!look.within(served, ground) && !look.within(ground, served)) return 'jurisdiction';
    }
  }
  return null;
}
