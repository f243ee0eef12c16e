/** Who administers whom, table by table (pure): the city administrator, a district's, others. */
import { describe, expect, it } from 'vitest';
import { adminGround, centerChangeRefusal, maySeeUser, unitChangeRefusal, userChangeRefusal, type AdminScopeLookup, type UserPlacement } from './admin-scope.ts';
import type { Principal } from './principal.ts';

// A tiny tree: city 500000 → districts 500103, 500108 → street 500103001.
const parent: Record<string, string | null> = { '500000': null, '500103': '500000', '500108': '500000', '500103001': '500103' };
const look: AdminScopeLookup = {
  within: (code, ancestor) => {
    for (let c: string | null = code; c; c = parent[c] ?? null) if (c === ancestor) return true;
    return false;
  },
  centerJurisdiction: (id) => ({ 'c-city': '500000', 'c-yz': '500103', 'c-na': '500108', 'c-yz-s': '500103001' })[id] ?? null,
  unitJurisdiction: (id) => ({ 'u-yz': '500103', 'u-na': '500108', 'u-city': '500000' })[id] ?? null,
};
const person = (over: Partial<Principal>): Principal => ({ userId: 'p', username: 'p', displayName: 'p', roles: ['admin'], centerId: null, tier: null, unitId: null, jurisdictionCode: null, ...over });
const cityAdmin = person({});
const cityCenterAdmin = person({ centerId: 'c-city', tier: 'city', jurisdictionCode: '500000' });
const yzAdmin = person({ centerId: 'c-yz', tier: 'district', jurisdictionCode: '500103' });
const unitAdmin = person({ unitId: 'u-yz', jurisdictionCode: '500103' });
const operator = person({ roles: ['operator'], centerId: 'c-yz', tier: 'district', jurisdictionCode: '500103' });
const user = (over: Partial<UserPlacement>): UserPlacement => ({ roles: ['operator'], centerId: null, unitId: null, jurisdictionCode: null, ...over });

describe('admin scope', () => {
  it('gives the city administrator everything, a district administrator its district, others nothing', () => {
    expect(adminGround(cityAdmin)).toEqual({ all: true });
    expect(adminGround(cityCenterAdmin)).toEqual({ all: true });
    expect(adminGround(yzAdmin)).toEqual({ all: false, within: '500103' });
    expect(adminGround(unitAdmin)).toEqual({ all: false, within: '500103' });
    expect(adminGround(operator)).toBeNull();
  });

  it.each([
    ['a user of its district center', user({ centerId: 'c-yz' }), true],
    ['a user of a street center below', user({ centerId: 'c-yz-s' }), true],
    ['a unit staff of its district', user({ roles: ['unit_staff'], unitId: 'u-yz' }), true],
    ['a grid worker of its area', user({ roles: ['grid_worker'], jurisdictionCode: '500103001' }), true],
    ['a user of another district', user({ centerId: 'c-na' }), false],
    ['a user of a city-wide unit', user({ unitId: 'u-city' }), false],
    ['a user with no place', user({}), false],
    ['a user in its district with a unit of another', user({ centerId: 'c-yz', unitId: 'u-na' }), false],
    ['a user of an unknown center', user({ centerId: 'c-none' }), false],
  ])('a district administrator sees %s: %s', (_what, u, seen) => {
    expect(maySeeUser(yzAdmin, u, look)).toBe(seen);
    expect(maySeeUser(cityAdmin, u, look)).toBe(true);
    expect(maySeeUser(operator, u, look)).toBe(false);
  });

  it('judges a user change before and after; administrators are the city administrator\'s', () => {
    const inside = user({ centerId: 'c-yz' });
    const outside = user({ centerId: 'c-na' });
    expect(userChangeRefusal(yzAdmin, undefined, inside, look)).toBeNull();
    expect(userChangeRefusal(yzAdmin, inside, outside, look)).toBe('jurisdiction');
    expect(userChangeRefusal(yzAdmin, outside, inside, look)).toBe('jurisdiction');
    expect(userChangeRefusal(yzAdmin, inside, { ...inside, roles: ['admin'] }, look)).toBe('role');
    expect(userChangeRefusal(yzAdmin, { ...inside, roles: ['admin'] }, undefined, look)).toBe('role');
    expect(userChangeRefusal(cityAdmin, outside, { ...inside, roles: ['admin'] }, look)).toBeNull();
    expect(userChangeRefusal(operator, undefined, inside, look)).toBe('role');
  });

  it('judges units and centers by their place', () => {
    expect(unitChangeRefusal(yzAdmin, '500103', '500103001', look)).toBeNull();
    expect(unitChangeRefusal(yzAdmin, '500103', '500108', look)).toBe('jurisdiction');
    expect(unitChangeRefusal(yzAdmin, '500000', undefined, look)).toBe('jurisdiction');
    expect(unitChangeRefusal(operator, undefined, undefined, look)).toBe('role');
    expect(unitChangeRefusal(cityAdmin, '500000', '500108', look)).toBeNull();
    expect(centerChangeRefusal(yzAdmin, '500103001', look)).toBeNull();
    expect(centerChangeRefusal(yzAdmin, '500103', look)).toBe('jurisdiction');
    expect(centerChangeRefusal(yzAdmin, '500108', look)).toBe('jurisdiction');
    expect(centerChangeRefusal(cityAdmin, '500108', look)).toBeNull();
    expect(centerChangeRefusal(operator, '500103001', look)).toBe('role');
  });
});
