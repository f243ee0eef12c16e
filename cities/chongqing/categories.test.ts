import { describe, expect, it } from 'vitest';
import { isCityLoopError } from '../../src/errors.ts';
import { parseDuration } from '../../src/calendar/working-calendar.ts';
import { DEMO_CATEGORIES, expandCategoryCode, validateCategories, type CategoryDefinition } from './categories.ts';

const byCode = new Map(DEMO_CATEGORIES.map((c) => [c.code, c]));
const copy = (): CategoryDefinition[] => DEMO_CATEGORIES.map((c) => ({ ...c }));

describe('DEMO_CATEGORIES', () => {
  it('passes its own validation and has a realistic size', () => {
    expect(() => validateCategories(DEMO_CATEGORIES)).not.toThrow();
    expect(DEMO_CATEGORIES.length).toBeGreaterThanOrEqual(60);
    expect(DEMO_CATEGORIES.length).toBeLessThanOrEqual(90);
  });

  it('is a two-level tree whose child codes extend their parent code', () => {
    for (const c of DEMO_CATEGORIES) {
      if (c.parentCode === null) continue;
      expect(byCode.get(c.parentCode)?.parentCode, c.code).toBeNull();
      expect(c.code.startsWith(`${c.parentCode}.`), c.code).toBe(true);
    }
  });

  it('has the GB/T 30428 families and the seven 12345 appeal families', () => {
    const top = DEMO_CATEGORIES.filter((c) => c.parentCode === null).map((c) => c.nameZh);
    expect(top).toEqual(
      expect.arrayContaining(['市容环境', '宣传广告', '施工管理', '街面秩序', '突发事件', '市政公用设施', '交通设施', '园林绿化', '公共安全']),
    );
    const appeals = DEMO_CATEGORIES.filter((c) => c.parentCode === null && c.code.startsWith('appeal.')).map((c) => c.nameZh);
    expect(appeals.sort()).toEqual(['交通运输', '劳动和社会保障', '卫生计生', '商贸旅游', '城乡建设', '教育文体', '环境保护'].sort());
  });

  it("has the seed's matters", () => {
    const names = new Map([
      ['municipal.water.burst', '供水管道爆裂'],
      ['safety.road-waterlogging', '道路积水'],
      ['safety.underpass-waterlogging', '下穿道积水'],
      ['construction.muck-spillage', '渣土车抛洒'],
      ['appeal.environment.square-dance-noise', '噪音扰民（广场舞）'],
      ['appeal.transport.bus-frequency', '公交班次间隔过长'],
      ['appeal.urban-rural.water-pressure', '水压不足'],
      ['appeal.commerce-tourism.consumer-dispute', '消费纠纷'],
      ['municipal.manhole.missing', '井盖缺失'],
      ['street-order.street-vending', '占道经营'],
      ['environment.exposed-garbage', '暴露垃圾'],
      ['safety.forest-fire', '森林火灾'],
      ['safety.geohazard', '地质灾害（滑坡、危岩、崩塌）'],
    ]);
    for (const [code, nameZh] of names) expect(byCode.get(code)?.nameZh, code).toBe(nameZh);
    expect(DEMO_CATEGORIES.some((c) => c.nameZh.includes('犬只'))).toBe(true);
  });

  it('runs emergencies on the calendar clock in minutes and ordinary matters on working time', () => {
    const burst = byCode.get('municipal.water.burst')!;
    expect(burst).toMatchObject({ basis: 'calendar', respondWithin: '10m', resolveWithin: '4h', defaultPriority: 'urgent' });
    expect(byCode.get('appeal.transport.bus-frequency')).toMatchObject({ basis: 'working', respondWithin: '2h', resolveWithin: '5d' });
    for (const c of DEMO_CATEGORIES.filter((c) => c.defaultPriority === 'urgent')) {
      expect(c.basis, c.code).toBe('calendar');
      expect(parseDuration(c.respondWithin, { basis: c.basis }).minutes, c.code).toBeLessThanOrEqual(10);
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(DEMO_CATEGORIES)).toBe(true);
    expect(Object.isFrozen(DEMO_CATEGORIES[0])).toBe(true);
  });
});

describe('validateCategories rejects', () => {
  it('a duplicate code', () => {
    const list = copy();
    list.push({ ...list[1]! });
    expect(() => validateCategories(list)).toThrow(/environment\.exposed-garbage .*used twice/);
  });

  it('a parent that does not exist', () => {
    const list = copy();
    list.push({ ...list[1]!, code: 'ghost.child', parentCode: 'ghost' });
    expect(() => validateCategories(list)).toThrow(/ghost\.child: parent ghost does not exist/);
  });

  it('a parent chain that loops', () => {
    const list = copy();
    list.push({ ...list[1]!, code: 'a', parentCode: 'b' }, { ...list[1]!, code: 'b', parentCode: 'a' });
    expect(() => validateCategories(list)).toThrow(/loops/);
  });

  it('an unparseable duration, naming the field', () => {
    const list = copy();
    list[3] = { ...list[3]!, resolveWithin: '5 days' };
    expect(() => validateCategories(list)).toThrow(new RegExp(`${list[3].code} .*resolveWithin: invalid duration "5 days"`));
  });

  it('a response slower than the resolution', () => {
    const list = copy();
    list[3] = { ...list[3]!, respondWithin: '3d', resolveWithin: '2h', basis: 'working' };
    expect(() => validateCategories(list)).toThrow(/respondWithin \(3d\) is longer than resolveWithin \(2h\)/);
  });

  it('a bad code, basis or priority and a non-array', () => {
    expect(() => validateCategories({})).toThrow(/array/);
    expect(() => validateCategories([{ ...DEMO_CATEGORIES[0]!, code: 'Bad Code' }])).toThrow(/code must be/);
    expect(() => validateCategories([{ ...DEMO_CATEGORIES[0]!, basis: 'weekly' }])).toThrow(/basis/);
    expect(() => validateCategories([{ ...DEMO_CATEGORIES[0]!, defaultPriority: 'asap' }])).toThrow(/defaultPriority/);
    expect(() => validateCategories([{ ...DEMO_CATEGORIES[0]!, nameEn: '' }])).toThrow(/nameEn/);
  });
});

describe('expandCategoryCode', () => {
  it('gives a leaf itself and a parent all its leaves', () => {
    expect(expandCategoryCode('municipal.water.burst')).toEqual(['municipal.water.burst']);
    expect(expandCategoryCode('appeal.labour')).toEqual(['appeal.labour.wage-arrears', 'appeal.labour.social-insurance']);
  });

  it('reports an unknown code with the catalogue error', () => {
    try {
      expandCategoryCode('nope');
      expect.unreachable();
    } catch (e) {
      expect(isCityLoopError(e) && e.code).toBe('UNKNOWN_CATEGORY');
    }
  });
});
