import type { Tier } from '../org/tiers.ts';

export const ROLES = ['admin', 'supervisor', 'operator', 'unit_staff', 'grid_worker', 'citizen', 'system'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES: Record<Role, { zh: string; en: string }> = {
  admin: { zh: '管理员', en: 'administrator' },
  supervisor: { zh: '督办员', en: 'supervisor' },
  operator: { zh: '坐席/值班员', en: 'operator' },
  unit_staff: { zh: '部门人员', en: 'unit staff' },
  grid_worker: { zh: '网格员', en: 'grid worker' },
  citizen: { zh: '市民', en: 'citizen' },
  system: { zh: '系统', en: 'system' },
};

/** Who is asking: a signed-in person or a system holding an API token. */
export interface Principal {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly roles: readonly Role[];
  readonly centerId: string | null;
  /** Tier of the person's center, if they belong to one. */
  readonly tier: Tier | null;
  readonly unitId: string | null;
  /** The jurisdiction the person works in (the center's, the unit's, or the grid worker's grid). */
  readonly jurisdictionCode: string | null;
}

export function hasRole(p: Principal, ...roles: Role[]): boolean {
  return p.roles.some((r) => roles.includes(r));
}

export const SYSTEM_PRINCIPAL: Principal = {
  userId: 'system',
  username: 'system',
  displayName: '系统',
  roles: ['system'],
  centerId: null,
  tier: null,
  unitId: null,
  jurisdictionCode: null,
};

/**
 * Whoever runs a `cityloop` command on the server's machine: they hold the store itself, so they
 * act with a system's rights. The log records them as `cli`, with the operating-system account
 * they used in the name.
 */
export function commandLinePrincipal(osUser: string): Principal {
  return { ...SYSTEM_PRINCIPAL, userId: 'cli', username: 'cli', displayName: `命令行 cityloop CLI（${osUser}）` };
}
