import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePlan } from './plan-definition.ts';
import { decidePlanRun, gatherFacts, type MapLookup, type PlanCase, type UnitLookup } from './plan-engine.ts';
import { planToJson } from './plan-diff.ts';

/**
 * Facts the caller supplies (`supplied`) and one task per supplied place (`forEachOf`), on the
 * shipped 避险转移 plan: the engine is pure, so the map and the units are small tables here.
 */
const PLAN = parsePlan(readFileSync(new URL('../../cities/chongqing/plans/flood-evacuation.yaml', import.meta.url), 'utf8'));

// Communities C1, C2 in street S1 and C3 in street S2, all in district D.
const STREET_OF: Record<string, string> = { C1: 'S1', C2: 'S1', C3: 'S2' };
const map: MapLookup = {
  nearest: () => null,
  within: () => [],
  gridsWithin: () => [],
  ancestorAt: (code, level) => (level === 'street' ? (STREET_OF[code] ?? null) : 'D'),
  districtsWithin: () => [],
};
const UNITS: Record<string, { id: string; name: string }> = {
  'emergency-management@D': { id: 'u-em', name: '应急管理局' },
  'community@S1': { id: 'u-s1', name: '甲街道社区事务办公室' },
  'community@S2': { id: 'u-s2', name: '乙街道社区事务办公室' },
};
const units: UnitLookup = { unitOfKind: (kind, code) => UNITS[`${kind}@${code}`], unit: (id) => Object.values(UNITS).find((u) => u.id === id) };
const CASE: PlanCase = {
  id: 'case-1', number: 'N1', categoryCode: 'safety.evacuation', source: 'external', priority: 'urgent', title: '避险转移', description: '',
  lng: 0, lat: 0, address: '', chain: [{ code: 'D', name: '甲区', level: 'district' }], district: 'D', street: null,
};
const NOW = '2026-07-01T00:00:00.000Z';
const CAND = { plan: PLAN, version: 1 };

function run(supplied: Record<string, unknown>) {
  const facts = gatherFacts(PLAN, CASE, map, { case: CASE, alert: null, now: NOW }, supplied);
  return decidePlanRun(CAND, CASE, facts, units, map, { now: NOW });
}

describe('supplied facts and a task per supplied place', () => {
  it('reads the shipped 避险转移 plan: the communities are a supplied fact', () => {
    expect(PLAN.facts).toEqual([{ name: 'affected_communities', lookup: 'supplied', level: 'community' }]);
    // Back to data and read again: the same fact.
    expect(planToJson(PLAN).facts).toEqual({ affected_communities: { supplied: { level: 'community' } } });
  });

  it('one task per community, to its street office; two communities of one street both get theirs', () => {
    const r = run({ affected_communities: [{ code: 'C2', name: '东社区', expected: 200 }, { code: 'C1', name: '西社区', expected: 500 }, { code: 'C3', name: '南社区', expected: 10 }] });
    expect(r.problems).toEqual([]);
    expect(r.tasks.map((t) => [t.key, t.role, t.unitId])).toEqual([
      ['command', 'lead', 'u-em'],
      ['evacuate@C2', 'assist', 'u-s1'],
      ['evacuate@C1', 'assist', 'u-s1'],
      ['evacuate@C3', 'assist', 'u-s2'],
    ]);
    expect(r.tasks[1]!.instructions.startsWith('（东社区）')).toBe(true);
    expect(r.tasks[1]!.handBack).toEqual(['reading']);
    // What the plan was given is kept with the run's facts.
    expect(r.facts.affected_communities).toEqual([{ code: 'C2', name: '东社区', expected: 200 }, { code: 'C1', name: '西社区', expected: 500 }, { code: 'C3', name: '南社区', expected: 10 }]);
    // Each task carries the people it must account for.
    expect(r.tasks.map((t) => t.expected)).toEqual([undefined, 200, 500, 10]);
  });

  it('nothing supplied, or entries without a code: a problem, so the run is not applied', () => {
    expect(run({}).problems.map((p) => p.message)).toEqual(['task evacuate: the supplied fact affected_communities holds no place']);
    expect(run({ affected_communities: [{ name: '无编码' }] }).problems).toHaveLength(1);
  });

  it('a community no office serves is named in the problems', () => {
    const r = run({ affected_communities: [{ code: 'C9', name: '外社区' }] });
    expect(r.problems.map((p) => p.message)).toEqual(['task evacuate: no community unit serves 外社区 (C9)']);
  });

  it('refuses a supplied fact used where an asset is needed', () => {
    const bad = `
id: bad
name: bad
trigger: { categories: [safety.evacuation] }
facts:
  places: { supplied: { level: community } }
level: [{ tier: district }]
tasks:
  - { key: lead, role: lead, unit: { owner: places }, instructions: x, deadline: 1h }
`;
    expect(() => parsePlan(bad)).toThrow(/owner needs one asset/);
  });
});
