/**
 * Who may see and run analyses (pure). A run belongs to a center (its owner): it is seen by the
 * people whose jurisdiction covers that center's, as cases are; the city's center and the system
 * see all. Citizens and grid workers do not see analyses at all; unit staff may read them (a
 * water authority reads the flood maps), operators, supervisors and administrators run them.
 * A raster can be analysed by whoever may see it: rasters of one's own center and the centers
 * below it, and the city center's (shared terrain).
 */
import { hasRole, type Principal, type Role } from '../auth/principal.ts';

/** What the policy needs of the org: the jurisdiction tree and where centers stand. */
export interface AnalysisScopeLookup {
  /** Whether `code` is `ancestor` or lies below it. */
  within(code: string, ancestor: string): boolean;
  centerJurisdiction(centerId: string): string | null;
  isCityCenter(centerId: string): boolean;
}

const READERS: readonly Role[] = ['admin', 'supervisor', 'operator', 'unit_staff', 'system'];
const RUNNERS: readonly Role[] = ['admin', 'supervisor', 'operator', 'system'];

export function mayReadAnalyses(p: Principal): boolean {
  return hasRole(p, ...READERS);
}

export function mayRunAnalyses(p: Principal): boolean {
  return hasRole(p, ...RUNNERS);
}

/** Sees everything: the system, and people of the city tier or bound to no place. */
function seesAll(p: Principal): boolean {
  return hasRole(p, 'system') || p.tier === 'city' || (p.centerId === null && p.unitId === null && p.jurisdictionCode === null && hasRole(p, 'admin'));
}

/** Whether the center's ground lies inside the caller's. */
export function coversCenter(p: Principal, centerId: string, look: AnalysisScopeLookup): boolean {
  if (seesAll(p)) return true;
  if (!p.jurisdictionCode) return false;
  const code = look.centerJurisdiction(centerId);
  return code !== null && look.within(code, p.jurisdictionCode);
}

/** THE visibility of a run: the reader's role, and its owner center under the reader's ground. */
export function maySeeAnalysis(p: Principal, run: { readonly ownerCenterId: string }, look: AnalysisScopeLookup): boolean {
  return mayReadAnalyses(p) && coversCenter(p, run.ownerCenterId, look);
}

/** Whether `p` may run a model on a raster owned by `rasterCenterId`. */
export function mayUseRaster(p: Principal, rasterCenterId: string, look: AnalysisScopeLookup): boolean {
  return coversCenter(p, rasterCenterId, look) || look.isCityCenter(rasterCenterId);
}
