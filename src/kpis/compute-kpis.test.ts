import { describe, expect, it } from 'vitest';
import type { CaseDoc, TaskDoc } from '../cases/case-model.ts';
import { computeKpis, kpisToCsv, periodOf, rankUnits, tallyKpis } from './compute-kpis.ts';
import { casePages } from './case-pages.ts';
import type { Principal } from '../auth/principal.ts';

const chain = [
  { code: '500000', name: '重庆市', level: 'city' as const },
  { code: '500103', name: '渝中区', level: 'district' as const },
  { code: '500103003', name: '解放碑街道', level: 'street' as const },
];

function task(unitId: string, unitName: string, over: Partial<TaskDoc>): TaskDoc {
  return {
    id: `${unitId}-t`, unitId, unitName, role: 'lead', round: 1, state: 'done',
    dispatchedAt: '2026-03-02T01:00:00.000Z', respondDue: '2026-03-02T03:00:00.000Z', deadline: '2026-03-05T01:00:00.000Z',
    acceptedAt: '2026-03-02T02:00:00.000Z', startedAt: null, doneAt: '2026-03-04T01:00:00.000Z', note: 'x', returnReason: null, overdue: false, reminders: 0,
    ...over,
  };
}

function doc(id: string, over: Partial<CaseDoc>): CaseDoc {
  return {
    id, number: id, state: 'closed', stateBeforePark: null, source: 'citizen', categoryCode: 'appeal.environment.square-dance-noise', priority: 'normal',
    title: id, description: '', location: { lng: 106.57, lat: 29.55, address: '' }, chain, centerId: 'center-500103', tier: 'district',
    supervisedBy: [], reporter: { userId: null, name: null, phone: null, anonymous: false }, externalRef: null, tasks: [], round: 1,
    registeredAt: '2026-03-02T01:00:00.000Z', respondDue: '2026-03-02T03:00:00.000Z', resolveDue: '2026-03-06T01:00:00.000Z',
    respondedAt: '2026-03-02T02:00:00.000Z', reportedBackAt: null, closedAt: '2026-03-04T01:00:00.000Z', parkedUntil: null, declineReason: null,
    summary: null, evaluation: null, attachments: [], overdue: false, createdAt: '2026-03-02T00:30:00.000Z', updatedAt: '2026-03-04T01:00:00.000Z', version: 9,
    ...over,
  };
}

// A: answered in time, closed in time (48 h), satisfied. B: answered late, closed late (144 h), unsatisfied.
// C: nobody answered, still open and overdue. D: declined.
const CASES: CaseDoc[] = [
  doc('A', { evaluation: { satisfaction: 'satisfied', comment: null, at: '2026-03-05T00:00:00.000Z' }, tasks: [task('unit-w', '供水公司', {})] }),
  doc('B', {
    respondedAt: '2026-03-02T05:00:00.000Z', closedAt: '2026-03-08T01:00:00.000Z', state: 'evaluated',
    evaluation: { satisfaction: 'unsatisfied', comment: '没修好', at: '2026-03-09T00:00:00.000Z' },
    tasks: [task('unit-w', '供水公司', { acceptedAt: '2026-03-02T05:00:00.000Z', doneAt: '2026-03-07T01:00:00.000Z' })],
  }),
  doc('C', { state: 'dispatched', respondedAt: null, closedAt: null, overdue: true, tasks: [task('unit-u', '城市管理局', { state: 'dispatched', acceptedAt: null, doneAt: null, overdue: true })] }),
  doc('D', { state: 'declined', registeredAt: null, respondDue: null, resolveDue: null, respondedAt: null, closedAt: '2026-03-02T02:00:00.000Z', createdAt: '2026-03-09T00:30:00.000Z' }),
];

describe('三率 and the other figures', () => {
  it('computes the rates of a district on a known set', () => {
    const [row] = computeKpis(CASES, { groupBy: 'district', period: 'all' });
    expect(row).toEqual({
      group: '500103', groupName: '渝中区', period: 'all', cases: 4, registered: 3,
      responseRate: 0.3333, resolutionRate: 0.6667, satisfactionRate: 0.5, onTimeRate: 0.5, averageHandlingHours: 96, overdue: 1,
    });
  });

  it('computes per unit from its tasks, and ranks units', () => {
    const rows = computeKpis(CASES, { groupBy: 'unit', period: 'all' });
    const water = rows.find((r) => r.group === 'unit-w')!;
    expect(water).toMatchObject({ cases: 2, responseRate: 0.5, onTimeRate: 0.5, satisfactionRate: 0.5, averageHandlingHours: 84 });
    const urban = rows.find((r) => r.group === 'unit-u')!;
    expect(urban).toMatchObject({ cases: 1, responseRate: 0, onTimeRate: null, overdue: 1 });
    expect(rankUnits(rows).map((r) => r.group)).toEqual(['unit-w', 'unit-u']);
  });

  it('splits by week and month in China\'s local time', () => {
    expect(periodOf('2026-03-01T16:30:00.000Z', 'day')).toBe('2026-03-02');
    expect(periodOf('2026-03-02T00:30:00.000Z', 'week')).toBe('2026-W10');
    expect(periodOf('2026-01-01T00:00:00.000Z', 'week')).toBe('2026-W01');
    expect(periodOf('2026-03-02T00:30:00.000Z', 'month')).toBe('2026-03');
    const weeks = computeKpis(CASES, { groupBy: 'all', period: 'week' });
    expect(weeks.map((r) => [r.period, r.cases])).toEqual([['2026-W10', 3], ['2026-W11', 1]]);
  });

  it('exports CSV with a header and no formula injection', () => {
    const csv = kpisToCsv([{ ...computeKpis(CASES, { groupBy: 'district', period: 'all' })[0]!, groupName: '=HYPERLINK("x")' }]);
    expect(csv.split('\n')[0]).toContain('响应率 response rate');
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
  });
});

describe('KPIs counted page by page', () => {
  it('counts every case a lister pages through — 60,000, past the 50,000 it once stopped at — as computeKpis would', async () => {
    const TOTAL = 60_000;
    const all = Array.from({ length: TOTAL }, (_, i) =>
      doc(`c${i}`, i % 3 === 0 ? { state: 'in_progress', closedAt: null, overdue: i % 2 === 0 } : { evaluation: { satisfaction: i % 5 === 0 ? 'unsatisfied' : 'satisfied', comment: null, at: '2026-03-05T00:00:00.000Z' } }),
    );
    let calls = 0;
    const lister = {
      async list(_p: Principal, f: { cursor?: string | undefined; limit?: number | undefined }) {
        calls += 1;
        const from = f.cursor ? Number(f.cursor) : 0;
        const to = Math.min(from + (f.limit ?? 50), TOTAL);
        return { items: all.slice(from, to), nextCursor: to < TOTAL ? String(to) : null };
      },
    };
    const p = { userId: 'a', username: 'a', displayName: 'a', roles: ['admin'], centerId: null, tier: null, unitId: null, jurisdictionCode: null } as Principal;
    const opts = { groupBy: 'district' as const, period: 'all' as const };
    const tally = await tallyKpis(casePages(lister, p, {}), opts);
    expect(calls).toBe(TOTAL / 200);
    expect(tally.cases).toBe(TOTAL);
    expect(tally.rows).toEqual(computeKpis(all, opts));
    expect(tally.rows[0]).toMatchObject({ group: '500103', cases: TOTAL, overdue: TOTAL / 6 });
  });
});
