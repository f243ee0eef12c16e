import { describe, expect, it } from 'vitest';
import type { CaseDoc, TaskDoc } from './case-model.ts';
import type { CaseCommandType } from './decide-case.ts';
import { CityLoopError } from '../errors.ts';
import { assertMayCommand, canSeeCase } from './case-policy.ts';
import type { Principal } from '../auth/principal.ts';

/**
 * Who may work a task: unit staff their unit's tasks; a grid worker (网格员) the tasks of the
 * community office they belong to — sign for, start, finish, but not send back — and nobody else's.
 */
const STREET = '500103001';
const GRID = '500103001001001';
const OTHER_STREET = '500103002';
const OTHER_GRID = '500103002001001';
const COMMUNITY = `unit-${STREET}-community`;
const OTHER_COMMUNITY = `unit-${OTHER_STREET}-community`;
const WATER = 'unit-500103-water-supply';

const principal = (over: Partial<Principal>): Principal => ({
  userId: over.username ?? 'u',
  username: 'u',
  displayName: 'u',
  roles: [],
  centerId: null,
  tier: null,
  unitId: null,
  jurisdictionCode: null,
  ...over,
});

const gridWorker = principal({ username: 'gridworker', roles: ['grid_worker'], jurisdictionCode: GRID, unitId: COMMUNITY });
/** A grid worker of a grid in another street: another community office. */
const otherGridWorker = principal({ username: 'other.grid', roles: ['grid_worker'], jurisdictionCode: OTHER_GRID, unitId: OTHER_COMMUNITY });
/** A grid worker whose account names no office: sees the grid, works no task. */
const looseGridWorker = principal({ username: 'loose.grid', roles: ['grid_worker'], jurisdictionCode: GRID });
const waterStaff = principal({ username: 'water', roles: ['unit_staff'], unitId: WATER, jurisdictionCode: '500103' });
const citizen = principal({ username: 'citizen', roles: ['citizen'] });

const task = (id: string, unitId: string, role: 'lead' | 'assist'): TaskDoc => ({
  id,
  unitId,
  unitName: unitId,
  role,
  round: 1,
  state: 'dispatched',
  dispatchedAt: '2026-03-02T01:00:00.000Z',
  respondDue: '2026-03-02T02:00:00.000Z',
  deadline: '2026-03-02T04:00:00.000Z',
  acceptedAt: null,
  startedAt: null,
  doneAt: null,
  note: null,
  returnReason: null,
  overdue: false,
  reminders: 0,
});

/** A burst in `grid` (street `street`), with the water company's lead and the community office's notice task. */
function burst(street: string, grid: string, reporterUserId: string | null = null): CaseDoc {
  return {
    id: 'c1',
    number: 'CL1',
    state: 'dispatched',
    stateBeforePark: null,
    source: 'sensor',
    categoryCode: 'municipal.water.burst',
    priority: 'high',
    title: '爆管',
    description: '',
    location: { lng: 106.577, lat: 29.557, address: '解放碑' },
    chain: [
      { code: '500000', name: '重庆市', level: 'city' },
      { code: '500103', name: '渝中区', level: 'district' },
      { code: street, name: '街道', level: 'street' },
      { code: grid.slice(0, 12), name: '社区', level: 'community' },
      { code: grid, name: '网格', level: 'grid' },
    ],
    centerId: 'center-500103',
    tier: 'district',
    supervisedBy: [],
    reporter: { userId: reporterUserId, name: null, phone: null, anonymous: false },
    externalRef: null,
    tasks: [task('t-repair', WATER, 'lead'), task('t-notify', COMMUNITY, 'assist')],
    round: 1,
    registeredAt: null,
    respondDue: null,
    resolveDue: null,
    respondedAt: null,
    reportedBackAt: null,
    closedAt: null,
    parkedUntil: null,
    declineReason: null,
    summary: null,
    evaluation: null,
    attachments: [],
    overdue: false,
    createdAt: '2026-03-02T01:00:00.000Z',
    updatedAt: '2026-03-02T01:00:00.000Z',
    version: 3,
  };
}

const refusal = (p: Principal, doc: CaseDoc, type: CaseCommandType, taskId: string): string | null => {
  try {
    assertMayCommand(p, doc, { type, taskId });
    return null;
  } catch (e) {
    if (e instanceof CityLoopError) return e.code;
    throw e;
  }
};

describe('case policy: tasks of units and of grid workers', () => {
  const inGrid = burst(STREET, GRID);

  it("lets a grid worker sign for, start and finish their community office's task", () => {
    for (const c of ['accept_task', 'start_task', 'complete_task'] as const) expect(refusal(gridWorker, inGrid, c, 't-notify')).toBeNull();
  });

  it('leaves sending the task back to the office', () => {
    expect(refusal(gridWorker, inGrid, 'return_task', 't-notify')).toBe('FORBIDDEN_ROLE');
  });

  it("refuses a grid worker a department's task, even on a case in the grid", () => {
    expect(canSeeCase(gridWorker, inGrid)).toBe(true);
    for (const c of ['accept_task', 'start_task', 'complete_task'] as const) expect(refusal(gridWorker, inGrid, c, 't-repair')).toBe('FORBIDDEN_JURISDICTION');
    expect(refusal(gridWorker, inGrid, 'complete_task', 'no-such-task')).toBe('FORBIDDEN_JURISDICTION');
  });

  it('refuses the grid worker of a grid in another street: another office, not their case', () => {
    expect(canSeeCase(otherGridWorker, inGrid)).toBe(false);
    expect(refusal(otherGridWorker, inGrid, 'complete_task', 't-notify')).toBe('FORBIDDEN_JURISDICTION');
    // Even when they reported the case themselves, the task is not theirs.
    const reported = burst(STREET, GRID, otherGridWorker.userId);
    expect(canSeeCase(otherGridWorker, reported)).toBe(true);
    expect(refusal(otherGridWorker, reported, 'complete_task', 't-notify')).toBe('FORBIDDEN_JURISDICTION');
  });

  it('refuses a grid worker who belongs to no office, in their own grid', () => {
    expect(canSeeCase(looseGridWorker, inGrid)).toBe(true);
    expect(refusal(looseGridWorker, inGrid, 'accept_task', 't-notify')).toBe('FORBIDDEN_JURISDICTION');
    expect(refusal(looseGridWorker, inGrid, 'complete_task', 't-notify')).toBe('FORBIDDEN_JURISDICTION');
  });

  it("shows the office's grid workers a case next door that gave the office a task (the grids within 300 m)", () => {
    const nextDoor = burst(OTHER_STREET, OTHER_GRID);
    expect(canSeeCase(gridWorker, nextDoor)).toBe(true);
    expect(refusal(gridWorker, nextDoor, 'complete_task', 't-notify')).toBeNull();
    // Without a task for the office, a case outside the grid stays out of sight.
    const none = { ...nextDoor, tasks: [task('t-repair', WATER, 'lead')] };
    expect(canSeeCase(gridWorker, none)).toBe(false);
    expect(refusal(gridWorker, none, 'complete_task', 't-repair')).toBe('FORBIDDEN_JURISDICTION');
  });

  it('still lets a grid worker check on site, and nothing of the center', () => {
    const back = { ...inGrid, state: 'reported_back' as const };
    expect(() => assertMayCommand(gridWorker, back, { type: 'check' })).not.toThrow();
    expect(() => assertMayCommand(gridWorker, inGrid, { type: 'dispatch' })).toThrow(expect.objectContaining({ code: 'FORBIDDEN_ROLE' }));
  });

  it("keeps unit staff to their unit's tasks, returning included", () => {
    expect(refusal(waterStaff, inGrid, 'accept_task', 't-repair')).toBeNull();
    expect(refusal(waterStaff, inGrid, 'return_task', 't-repair')).toBeNull();
    expect(refusal(waterStaff, inGrid, 'complete_task', 't-notify')).toBe('FORBIDDEN_JURISDICTION');
  });

  it('gives a citizen no task, not even on their own report', () => {
    const own = burst(STREET, GRID, citizen.userId);
    expect(refusal(citizen, own, 'complete_task', 't-notify')).toBe('FORBIDDEN_ROLE');
  });
});
