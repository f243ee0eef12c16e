import { describe, expect, it } from 'vitest';
import { DEMO_CATEGORIES, expandCategoryCode } from './categories.ts';
import {
  CITY_UNIT_KINDS,
  DISTRICT_UNIT_KINDS,
  STREET_UNIT_KINDS,
  listUnitKinds,
  unitKindsForCategory,
  validateUnitKinds,
  type UnitKind,
} from './unit-kinds.ts';

const parents = new Set(DEMO_CATEGORIES.map((c) => c.parentCode).filter((p) => p !== null));
const leaves = DEMO_CATEGORIES.filter((c) => !parents.has(c.code)).map((c) => c.code);
const kindsOf = (code: string, tier: 'city' | 'district' | 'street'): string[] =>
  unitKindsForCategory(code, tier).map((k) => k.kind);

describe('unit catalogues', () => {
  it.each([
    ['district', DISTRICT_UNIT_KINDS],
    ['street', STREET_UNIT_KINDS],
    ['city', CITY_UNIT_KINDS],
  ] as const)('%s kinds are unique and reference only existing categories', (tier, kinds) => {
    expect(() => validateUnitKinds(kinds)).not.toThrow();
    expect(listUnitKinds(tier)).toBe(kinds);
  });

  it('every category leaf is handled by at least one district unit kind', () => {
    const unhandled = leaves.filter((leaf) => unitKindsForCategory(leaf, 'district').length === 0);
    expect(unhandled).toEqual([]);
  });

  it('every district kind handles at least one leaf', () => {
    for (const k of DISTRICT_UNIT_KINDS) {
      expect(k.categoryCodes.flatMap((c) => expandCategoryCode(c)).length, k.kind).toBeGreaterThan(0);
    }
  });

  it('has the departments a Chongqing district has', () => {
    const names = DISTRICT_UNIT_KINDS.map((k) => k.nameZh);
    expect(names).toEqual(
      expect.arrayContaining([
        '城市管理局', '住房城乡建委', '公安交巡警支队', '消防救援支队', '供水公司（水厂）', '经济信息委', '市场监管局',
        '生态环境局', '卫生健康委', '教委', '人力社保局', '交通局', '商务委', '应急管理局', '规划自然资源局', '公安分局',
        '水利局', '林业局', '民政局', '文化旅游委',
      ]),
    );
    expect(CITY_UNIT_KINDS.map((k) => k.nameZh)).toEqual(
      expect.arrayContaining(['市城市管理局', '市住房城乡建委', '市应急管理局', '市水务集团']),
    );
  });
});

describe('unitKindsForCategory', () => {
  it("finds every unit of the seed's water main burst in the district", () => {
    expect(kindsOf('municipal.water.burst', 'district')).toEqual(
      expect.arrayContaining(['water-supply', 'traffic-police', 'economy-it', 'fire-rescue']),
    );
  });

  it("routes the seed's consumer dispute to the street market-supervision post and the community", () => {
    expect(kindsOf('appeal.commerce-tourism.consumer-dispute', 'street')).toEqual(['market-supervision-post', 'community']);
  });

  it('sends a flooded underpass to traffic police, housing and city management', () => {
    expect(kindsOf('safety.underpass-waterlogging', 'district')).toEqual(
      expect.arrayContaining(['urban-management', 'housing-construction', 'traffic-police']),
    );
  });

  it('for a parent code returns only kinds that cover the whole family', () => {
    expect(kindsOf('appeal.labour', 'district')).toEqual(['human-resources']);
    expect(kindsOf('safety', 'district')).toEqual(['emergency-management']);
    expect(kindsOf('municipal', 'district')).toEqual([]);
  });

  it('uses the tier', () => {
    expect(kindsOf('municipal.water.burst', 'city')).toEqual(['water-supply']);
    expect(CITY_UNIT_KINDS.find((k) => k.kind === 'water-supply')?.nameZh).toBe('市水务集团');
  });

  it('rejects an unknown category', () => {
    expect(() => unitKindsForCategory('nope', 'district')).toThrow(/Unknown category: nope/);
  });
});

describe('validateUnitKinds rejects', () => {
  const base: UnitKind = { kind: 'x-unit', nameZh: '某单位', nameEn: 'Some unit', categoryCodes: ['environment'] };
  it('an unknown category code, a duplicate kind, a bad kind and an empty list of codes', () => {
    expect(() => validateUnitKinds([{ ...base, categoryCodes: ['environment.nope'] }])).toThrow(/x-unit: category environment\.nope does not exist/);
    expect(() => validateUnitKinds([base, base])).toThrow(/x-unit: listed twice/);
    expect(() => validateUnitKinds([{ ...base, kind: 'X Unit' }])).toThrow(/kind must be/);
    expect(() => validateUnitKinds([{ ...base, categoryCodes: [] }])).toThrow(/handles no category/);
  });
});
