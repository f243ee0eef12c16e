/**
 * Who may see and act on an alert (pure). Centers see the alerts inside their jurisdiction and
 * verify or dismiss those owned at their tier or below (a district matter goes to the district
 * center, as in the seed); a unit sees the alerts of its own devices and those it watches.
 */
import { hasRole, type Principal } from '../../auth/principal.ts';
import { CityLoopError } from '../../errors.ts';
import type { AlertDoc } from './alert-model.ts';

const TIER_RANK = { street: 0, district: 1, city: 2 } as const;

function inChain(a: Pick<AlertDoc, 'chain'>, code: string | null): boolean {
  return code !== null && a.chain.some((l) => l.code === code);
}

export function canSeeAlert(p: Principal, a: AlertDoc): boolean {
  if (hasRole(p, 'admin', 'system')) return true;
  if (hasRole(p, 'operator', 'supervisor', 'grid_worker') && inChain(a, p.jurisdictionCode)) return true;
  if (hasRole(p, 'unit_staff') && p.unitId !== null && (a.ownerUnitId === p.unitId || a.watchers.includes(p.unitId))) return true;
  return false;
}

/** Acknowledging (接警) is for anyone who sees the alert and works at a center or a unit. */
export function assertMayAcknowledge(p: Principal, a: AlertDoc): void {
  if (hasRole(p, 'admin', 'system')) return;
  if (!canSeeAlert(p, a)) throw new CityLoopError('FORBIDDEN_JURISDICTION');
  if (!hasRole(p, 'operator', 'supervisor', 'unit_staff')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'acknowledge alert' });
}

/** Verifying or dismissing is the owning center's call, or a center above it. */
export function assertMayDecide(p: Principal, a: AlertDoc, action: string): void {
  if (hasRole(p, 'admin', 'system')) return;
  if (!canSeeAlert(p, a)) throw new CityLoopError('FORBIDDEN_JURISDICTION');
  if (!hasRole(p, 'operator', 'supervisor')) throw new CityLoopError('FORBIDDEN_ROLE', { action });
  if (p.tier === null || TIER_RANK[p.tier] < TIER_RANK[a.tier]) throw new CityLoopError('FORBIDDEN_JURISDICTION');
}

/** A unit joins as a watcher itself; a center may add any unit. */
export function assertMayAddWatcher(p: Principal, a: AlertDoc, unitId: string): void {
  if (hasRole(p, 'admin', 'system')) return;
  // A bureau following a warning inside the area it serves (a city bureau: the whole city).
  if (hasRole(p, 'unit_staff') && p.unitId === unitId && inChain(a, p.jurisdictionCode)) return;
  if (hasRole(p, 'operator', 'supervisor') && canSeeAlert(p, a)) return;
  throw new CityLoopError('FORBIDDEN_ROLE', { action: 'watch alert' });
}
