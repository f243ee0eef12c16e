/**
 * Who may see and change a raster (pure). A raster belongs to the center that uploaded it. Center
 * staff (administrators, operators, supervisors) see the rasters of their center, of the centers
 * below it, and of the city's center (the shared terrain); the city administrator of no center and
 * the system see all. Uploads and removals: administrators and operators of a center, for that
 * center only (the city administrator of no center, and the command line, for any).
 */
import { adminGround } from '../../auth/admin-scope.ts';
import { hasRole, type Principal } from '../../auth/principal.ts';

export interface RasterCenter {
  readonly id: string;
  readonly tier: string;
  readonly parentCenterId: string | null;
}

export type RasterRefusal = 'role' | 'jurisdiction';

/** The administrator of the whole city who belongs to no center (adminGround all, no center), or the system. */
function actsForEveryCenter(p: Principal): boolean {
  if (hasRole(p, 'system')) return true;
  return p.centerId === null && adminGround(p)?.all === true;
}

/** The centers whose rasters `p` sees: 'all', a list, or 'role' when `p`'s role sees none. */
export function visibleRasterCenters(p: Principal, centers: readonly RasterCenter[]): 'all' | 'role' | string[] {
  if (actsForEveryCenter(p)) return 'all';
  if (!hasRole(p, 'admin', 'operator', 'supervisor')) return 'role';
  const seen = new Set<string>(centers.filter((c) => c.tier === 'city').map((c) => c.id));
  if (p.centerId) {
    // The caller's center and every center below it, however deep.
    const children = new Map<string, string[]>();
    for (const c of centers) if (c.parentCenterId) children.set(c.parentCenterId, [...(children.get(c.parentCenterId) ?? []), c.id]);
    const stack = [p.centerId];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id) && id !== p.centerId) continue;
      seen.add(id);
      stack.push(...(children.get(id) ?? []));
    }
  }
  return [...seen];
}

export function maySeeRaster(p: Principal, ownerCenterId: string, centers: readonly RasterCenter[]): boolean {
  const v = visibleRasterCenters(p, centers);
  return v === 'all' || (v !== 'role' && v.includes(ownerCenterId));
}

/** Whether `p`'s role uploads and removes rasters at all (for some center). */
export function mayChangeRasters(p: Principal): boolean {
  return actsForEveryCenter(p) || hasRole(p, 'admin', 'operator');
}

/** Why `p` may not upload or remove a raster of `ownerCenterId`, or null when it may. */
export function rasterChangeRefusal(p: Principal, ownerCenterId: string): RasterRefusal | null {
  if (actsForEveryCenter(p)) return null;
  if (!mayChangeRasters(p)) return 'role';
  return p.centerId === ownerCenterId ? null : 'jurisdiction';
}
