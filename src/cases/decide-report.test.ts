import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import { isCityLoopError } from '../errors.ts';
import { checkReport, decideReport, owningTier, type ReportCaseInput } from './decide-report.ts';

const principal = (over: Partial<Principal>): Principal => ({
  userId: over.username ?? 'u',
  username: 'u',
  displayName: '张三',
  roles: [],
  centerId: null,
  tier: null,
  unitId: null,
  jurisdictionCode: null,
  ...over,
});
const operator = principal({ username: 'op', roles: ['operator'], displayName: '值班员' });
const citizen = principal({ username: 'citizen.zhang', roles: ['citizen'], displayName: '张三' });
const gridWorker = principal({ username: 'grid', roles: ['grid_worker'], displayName: '李四' });

const input: ReportCaseInput = { categoryCode: 'municipal.manhole', title: '  井盖缺失 ', lng: 106.58, lat: 29.56, crs: 'gcj02' };
const place = { lng: 106.58, lat: 29.56, chain: [{ code: '500000', name: '重庆市', level: 'city' as const }, { code: '500103', name: '渝中区', level: 'district' as const }] };
const ctx = { number: 'CL20260302000001', categoryCode: 'municipal.manhole', place, center: { id: 'center-500103', tier: 'district' as const }, joint: { districts: [], centerIds: [] } };

function refusal(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isCityLoopError(e) ? e.code : 'other';
  }
  return undefined;
}

describe('checkReport', () => {
  const cases: { name: string; p: Principal; in: Partial<ReportCaseInput>; source?: string; priority?: string; refused?: string }[] = [
    { name: 'staff: inspection by default, the category\'s priority', p: operator, in: {}, source: 'inspection', priority: 'normal' },
    { name: 'staff may name the channel and the priority', p: operator, in: { source: 'hotline', priority: 'urgent' }, source: 'hotline', priority: 'urgent' },
    { name: 'a citizen reports as a citizen, whatever they claim', p: citizen, in: { source: 'sensor' }, source: 'citizen', priority: 'normal' },
    { name: 'a grid worker reports as a grid worker', p: gridWorker, in: { source: 'hotline' }, source: 'grid_worker', priority: 'normal' },
    { name: 'a blank title is refused', p: operator, in: { title: '   ' }, refused: 'VALIDATION_FAILED' },
    { name: 'an unknown source is refused', p: operator, in: { source: 'fax' as never }, refused: 'VALIDATION_FAILED' },
    { name: 'an unknown priority is refused', p: operator, in: { priority: 'whenever' as never }, refused: 'VALIDATION_FAILED' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const run = () => checkReport(c.p, { ...input, ...c.in }, 'normal');
      if (c.refused) return expect(refusal(run)).toBe(c.refused);
      const r = run();
      expect(r).toEqual({ title: '井盖缺失', source: c.source, priority: c.priority });
    });
  }
});

describe('owningTier', () => {
  it('is the city for an unplaced report, else the one asked for, else the default', () => {
    expect(owningTier({ unplaced: true, tier: 'street' }, 'district')).toBe('city');
    expect(owningTier({ tier: 'street' }, 'district')).toBe('street');
    expect(owningTier({}, 'district')).toBe('district');
  });
});

describe('decideReport', () => {
  it('reports the case as checked, placed and owned; staff enter the reporter as given', () => {
    const checked = checkReport(operator, input, 'normal');
    const [e, ...rest] = decideReport(operator, { ...input, reporter: { name: ' 王五 ', phone: '13800001234' } }, checked, ctx);
    expect(rest).toEqual([]);
    expect(e).toEqual({
      type: 'CaseReported',
      payload: {
        number: 'CL20260302000001',
        source: 'inspection',
        categoryCode: 'municipal.manhole',
        priority: 'normal',
        title: '井盖缺失',
        description: '',
        location: { lng: 106.58, lat: 29.56, address: '重庆市渝中区' },
        chain: place.chain,
        centerId: 'center-500103',
        tier: 'district',
        reporter: { userId: null, name: '王五', phone: '13800001234', anonymous: false },
        externalRef: null,
      },
    });
  });

  it('records a citizen as the reporter, with their own name unless they gave one', () => {
    const checked = checkReport(citizen, input, 'normal');
    const [e] = decideReport(citizen, { ...input, address: '解放碑', reporter: { anonymous: true } }, checked, ctx);
    expect(e?.type === 'CaseReported' && e.payload.reporter).toEqual({ userId: 'citizen.zhang', name: '张三', phone: null, anonymous: true });
    expect(e?.type === 'CaseReported' && e.payload.location.address).toBe('解放碑');
  });

  it('records a site contact (现场联系人) given with a phone, trimmed; none without a phone', () => {
    const checked = checkReport(citizen, input, 'normal');
    const [e] = decideReport(citizen, { ...input, siteContact: { name: ' 物业 刘经理 ', phone: ' 023-63801234 ' } }, checked, ctx);
    expect(e?.type === 'CaseReported' && e.payload.siteContact).toEqual({ name: '物业 刘经理', phone: '023-63801234' });
    const [bare] = decideReport(citizen, { ...input, siteContact: { phone: '13900000000' } }, checked, ctx);
    expect(bare?.type === 'CaseReported' && bare.payload.siteContact).toEqual({ name: null, phone: '13900000000' });
    for (const siteContact of [{ name: '刘经理', phone: '  ' }, { name: '刘经理' }]) {
      const [none] = decideReport(citizen, { ...input, siteContact }, checked, ctx);
      expect(none?.type === 'CaseReported' && 'siteContact' in none.payload).toBe(false);
    }
  });

  it('cuts long texts to their limits', () => {
    const long = { ...input, title: '长'.repeat(300), description: '述'.repeat(6000) };
    const [e] = decideReport(operator, long, checkReport(operator, long, 'normal'), ctx);
    expect(e?.type === 'CaseReported' && [e.payload.title.length, e.payload.description.length]).toEqual([200, 5000]);
  });

  it('opens a joint case when other districts share it, saying why', () => {
    const joint = { districts: [{ code: '500105', name: '江北区' }], centerIds: ['center-500105'] };
    const near = decideReport(operator, input, checkReport(operator, input, 'normal'), { ...ctx, joint });
    expect(near[1]).toEqual({ type: 'JointCaseOpened', payload: { centerIds: ['center-500105'], districts: joint.districts, reason: '位于区县边界100米内' } });
    const line = { ...input, line: [[106.5, 29.5], [106.6, 29.6]] as [number, number][] };
    expect(decideReport(operator, line, checkReport(operator, line, 'normal'), { ...ctx, joint })[1]).toMatchObject({ payload: { reason: '事项跨越区县边界' } });
  });
});
