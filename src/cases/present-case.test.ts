import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import { SYSTEM_ACTOR, type CaseEvent } from './case-events.ts';
import { evolveCase } from './evolve-case.ts';
import { isOpenCase, TERMINAL_STATES, CASE_STATES } from './case-model.ts';
import { presentCase, presentEvent, reporterSeenBy } from './present-case.ts';

const DISTRICT = '500103';
const OTHER_DISTRICT = '500105';

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

function reported(reporter: { userId: string | null; name: string | null; phone: string | null; anonymous: boolean }): CaseEvent {
  return {
    seq: 1,
    id: 'e1',
    streamId: 'c1',
    streamVersion: 1,
    schemaVersion: 1,
    actor: SYSTEM_ACTOR,
    at: '2026-03-02T01:00:00.000Z',
    type: 'CaseReported',
    payload: {
      number: 'CL20260302000001',
      source: 'citizen',
      categoryCode: 'x',
      priority: 'normal',
      title: '井盖缺失',
      description: '',
      location: { lng: 106.58, lat: 29.56, address: '解放碑' },
      chain: [
        { code: '500000', name: '重庆市', level: 'city' },
        { code: DISTRICT, name: '渝中区', level: 'district' },
      ],
      centerId: 'center-500103',
      tier: 'district',
      reporter,
      externalRef: null,
    },
  } as CaseEvent;
}

const viewers: Record<string, Principal> = {
  admin: principal({ username: 'admin', roles: ['admin'] }),
  operatorHere: principal({ username: 'op', roles: ['operator'], jurisdictionCode: DISTRICT, centerId: 'center-500103', tier: 'district' }),
  // Staff by role, but of another district: a bare role check once showed them the contact on the timeline.
  operatorElsewhere: principal({ username: 'op2', roles: ['operator'], jurisdictionCode: OTHER_DISTRICT, centerId: 'center-500105', tier: 'district' }),
  supervisorElsewhere: principal({ username: 'sup2', roles: ['supervisor'], jurisdictionCode: OTHER_DISTRICT }),
  unitStaff: principal({ username: 'water', roles: ['unit_staff'], unitId: 'unit-water' }),
  reporter: principal({ username: 'citizen.zhang', roles: ['citizen'] }),
  otherCitizen: principal({ username: 'citizen.li', roles: ['citizen'] }),
};

describe('what a viewer sees of a reporter', () => {
  for (const anonymous of [false, true]) {
    const e = reported({ userId: 'citizen.zhang', name: '张三', phone: '13912345678', anonymous });
    const doc = evolveCase(null, e)!;
    for (const [who, p] of Object.entries(viewers)) {
      it(`${who}${anonymous ? ' (anonymous report)' : ''}: the same on the case, its timeline and the feed`, () => {
        const onCase = presentCase(doc, p, 'zh', { checks: [], category: null }).reporter;
        const onTimeline = (presentEvent(e, doc, p) as Extract<CaseEvent, { type: 'CaseReported' }>).payload.reporter;
        expect(onTimeline).toEqual(onCase);
        expect(onCase).toEqual(reporterSeenBy(p, doc));
      });
    }
    it(`decides by the policy${anonymous ? ' (anonymous report)' : ''}: full for the center here, the admin and the reporter; masked for the rest`, () => {
      for (const who of ['admin', 'operatorHere', 'reporter']) expect(reporterSeenBy(viewers[who]!, doc).phone).toBe('13912345678');
      for (const who of ['operatorElsewhere', 'supervisorElsewhere', 'unitStaff', 'otherCitizen']) {
        expect(reporterSeenBy(viewers[who]!, doc)).toEqual({ userId: null, name: '张*', phone: '139****5678', anonymous });
      }
    });
  }

  it('leaves other events as they are', () => {
    const e = reported({ userId: null, name: null, phone: null, anonymous: false });
    const doc = evolveCase(null, e)!;
    const other = { ...e, type: 'CaseRegistered', payload: { respondDue: 'a', resolveDue: 'b', note: null } } as CaseEvent;
    expect(presentEvent(other, doc, viewers.unitStaff!)).toBe(other);
  });
});

describe('terminal states', () => {
  it('are closed, evaluated, declined and merged; every other state is open', () => {
    expect([...TERMINAL_STATES].sort()).toEqual(['closed', 'declined', 'evaluated', 'merged']);
    expect(CASE_STATES.filter((s) => isOpenCase(s))).toEqual(CASE_STATES.filter((s) => !TERMINAL_STATES.includes(s)));
    expect(isOpenCase('merged')).toBe(false);
    expect(isOpenCase('reported_back')).toBe(true);
  });
});
