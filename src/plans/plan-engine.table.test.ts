import { describe, expect, it } from 'vitest';
import type { AssetRecord, AssetType } from '../assets/asset.ts';
import { parsePlan } from './plan-definition.ts';
import { categoryMatches, decidePlanRun, gatherFacts, selectPlan, type Candidate, type MapLookup, type PlanCase, type UnitLookup } from './plan-engine.ts';

/**
 * The plan engine on small hand-made maps. Coordinates are metres on a plane (the engine hands
 * them to the map untouched), so a row can say "a main 30 m away" and mean it. Plans are written as
 * YAML and loaded by parsePlan, as the registry loads them.
 */

interface Place {
  readonly id: string;
  readonly type: AssetType;
  readonly at: [number, number];
  readonly unitId?: string | null;
  readonly properties?: Record<string, unknown>;
}

const asset = (p: Place): AssetRecord => ({
  id: p.id,
  type: p.type,
  name: p.id,
  geometry: { type: 'Point', coordinates: p.at },
  properties: p.properties ?? {},
  unitId: p.unitId ?? null,
  jurisdictionCode: '500103',
  generated: true,
});

/** Grids with their place and street, and districts with their centre, for the map's other questions. */
interface World {
  readonly assets: readonly Place[];
  readonly grids?: readonly { code: string; at: [number, number]; street: string | null }[];
  readonly districts?: readonly { code: string; name: string; at: [number, number] }[];
}

function mapOf(w: World): MapLookup {
  const dist = (a: readonly number[], lng: number, lat: number) => Math.hypot(a[0]! - lng, a[1]! - lat);
  const hits = (type: AssetType, lng: number, lat: number, r: number, filter?: (a: AssetRecord) => boolean) =>
    w.assets
      .filter((p) => p.type === type)
      .map((p) => ({ asset: asset(p), distanceMeters: dist(p.at, lng, lat) }))
      .filter((h) => h.distanceMeters <= r && (!filter || filter(h.asset)))
      .sort((a, b) => a.distanceMeters - b.distanceMeters);
  return {
    nearest: (type, lng, lat, r, filter) => hits(type, lng, lat, r, filter)[0] ?? null,
    within: (type, lng, lat, r, filter) => hits(type, lng, lat, r, filter),
    gridsWithin: (lng, lat, r) => (w.grids ?? []).filter((g) => dist(g.at, lng, lat) <= r).map((g) => g.code),
    ancestorAt: (code, level) => (level === 'street' ? ((w.grids ?? []).find((g) => g.code === code)?.street ?? null) : code.slice(0, 6)),
    districtsWithin: (lng, lat, r) => (w.districts ?? []).filter((d) => dist(d.at, lng, lat) <= r).map((d) => ({ code: d.code, name: d.name })),
  };
}

/** Units by kind and jurisdiction: `kind@code` → unit. */
function unitsOf(byKind: Record<string, string>, owners: Record<string, string> = {}): UnitLookup {
  const all = new Map<string, { id: string; name: string }>();
  for (const id of [...Object.values(byKind), ...Object.keys(owners)]) all.set(id, { id, name: owners[id] ?? `名称${id}` });
  return { unitOfKind: (kind, code) => (byKind[`${kind}@${code}`] ? all.get(byKind[`${kind}@${code}`]!) : undefined), unit: (id) => all.get(id) };
}

const CASE: PlanCase = {
  id: 'case-1',
  number: 'YZ-0001',
  categoryCode: 'municipal.water.burst',
  source: 'citizen',
  priority: 'normal',
  title: '爆管',
  description: '',
  lng: 0,
  lat: 0,
  address: '解放碑',
  chain: [{ code: '500000', name: '重庆市', level: 'city' }, { code: '500103', name: '渝中区', level: 'district' }, { code: '500103001', name: '解放碑街道', level: 'street' }],
  district: '500103',
  street: '500103001',
};
const NOW = '2026-03-02T01:00:00.000Z';

const BURST = parsePlan(`
id: burst
name: 爆管处置
priority: 10
trigger:
  categories: [municipal.water]
  sources: [citizen, sensor]
  when: "facts.main != null"
facts:
  main: { nearest: { type: water_main, withinMeters: 50 } }
  signals: { within: { type: traffic_signal, withinMeters: 150 } }
  grids: { gridsWithin: { withinMeters: 300 } }
  villages: { within: { type: place, withinMeters: 3000, where: "asset.properties.kind == 'village'" } }
level:
  - when: "facts.main.diameter_mm >= 500"
    tier: city
  - tier: district
tasks:
  - key: repair
    role: lead
    unit: { owner: main }
    instructions: 抢修
    deadline: 3h
    arriveWithin: 10m
    dependsOn: [traffic]
    handBack: [photo]
  - key: traffic
    role: assist
    unit: { kind: traffic-police, scope: district }
    instructions: 疏导
    deadline: 1h
  - key: city
    role: assist
    when: "level.tier == 'city'"
    unit: { kind: water-supply, scope: city }
    instructions: 统筹
    deadline: 6h
  - key: residents
    role: assist
    unit: { kind: community, scope: street, forEachOf: grids }
    instructions: 通知居民
    deadline: 1h
actions:
  - key: signals-red
    device: { fromFact: signals }
    command: { name: set_phase, params: { phase: red } }
    undoOnClose: { name: set_phase, params: { phase: normal } }
    retry: { times: 2, every: 30s }
    when: "len(facts.signals) > 0"
  - key: hotline
    notify: { channel: webhook, to: hotline, template: "【{{case.number}}】{{plan.name}}：{{case.address}}（{{level.tier}}）" }
`);

/** A plan for any municipal matter, lower priority: what is left when the burst plan does not apply. */
const genericPlan = (id: string) =>
  parsePlan(`
id: ${id}
name: 一般市政
trigger: { categories: [municipal] }
level: [{ tier: district }]
tasks:
  - { key: handle, role: lead, unit: { kind: urban-management, scope: district }, instructions: 处置, deadline: 1d }
`);
const GENERIC = genericPlan('generic');
/** Same priority as GENERIC, larger id: loses the tie. */
const GENERIC_B = genericPlan('generic-b');
const BORDER = parsePlan(`
id: border
name: 跨区山林
trigger: { categories: [forest] }
coordination: { districtsWithinMeters: 2000 }
level: [{ tier: district }]
tasks:
  - { key: fire, role: lead, unit: { kind: forestry, scope: district }, instructions: 扑救, deadline: 2h }
  - { key: fire-other, role: assist, unit: { kind: forestry, scope: district }, instructions: 协助, deadline: 2h, when: "false" }
`);

const cand = (plan: ReturnType<typeof parsePlan>, version = 1): Candidate => ({ plan, version });

describe('categoryMatches: a parent code covers its children', () => {
  it.each([
    [['municipal.water'], 'municipal.water.burst', true],
    [['municipal.water'], 'municipal.water', true],
    [['municipal.water'], 'municipal.waterfall', false],
    [['municipal.water'], 'municipal', false],
    [['traffic', 'municipal.water'], 'municipal.water.leak', true],
    [[], 'municipal.water.burst', false],
  ] as const)('%j covers %s: %s', (codes, code, expected) => {
    expect(categoryMatches(codes, code)).toBe(expected);
  });
});

const MAIN = (diameter: number, at: [number, number] = [30, 0], unitId: string | null = 'unit-water'): Place => ({ id: 'wm-1', type: 'water_main', at, unitId, properties: { diameter_mm: diameter } });
const base = { case: CASE, alert: null, now: NOW };

describe('gatherFacts: the facts a plan reads from the map', () => {
  it.each([
    ['the nearest main within 50 m, with its properties flattened and its distance', [MAIN(300, [30, 40])], 'main', { diameter_mm: 300, id: 'wm-1', type: 'water_main', name: 'wm-1', unitId: 'unit-water', jurisdictionCode: '500103', distanceMeters: 50, properties: { diameter_mm: 300 } }],
    ['no main within 50 m: null', [MAIN(300, [40, 40])], 'main', null],
    ['of two mains the nearer', [MAIN(300, [45, 0]), { ...MAIN(800, [12.34, 0]), id: 'wm-2' }], 'main', expect.objectContaining({ id: 'wm-2', diameter_mm: 800, distanceMeters: 12.3 })],
    ['signals within 150 m, nearest first', [{ id: 's-far', type: 'traffic_signal', at: [0, 140] }, { id: 's-near', type: 'traffic_signal', at: [0, 20] }, { id: 's-out', type: 'traffic_signal', at: [0, 151] }], 'signals', [expect.objectContaining({ id: 's-near', distanceMeters: 20 }), expect.objectContaining({ id: 's-far', distanceMeters: 140 })]],
    ['within with a where: only the villages', [{ id: 'v1', type: 'place', at: [1000, 0], properties: { kind: 'village' } }, { id: 't1', type: 'place', at: [500, 0], properties: { kind: 'town' } }], 'villages', [expect.objectContaining({ id: 'v1' })]],
    ['within finding nothing: an empty list', [], 'signals', []],
  ] as [string, Place[], string, unknown][])('%s', (_name, assets, fact, expected) => {
    expect(gatherFacts(BURST, CASE, mapOf({ assets }), base)[fact]).toEqual(expected);
  });

  it('gridsWithin: the codes of the grids in reach', () => {
    const grids = [{ code: 'g1', at: [100, 0] as [number, number], street: 's1' }, { code: 'g2', at: [0, 299] as [number, number], street: 's1' }, { code: 'g3', at: [301, 0] as [number, number], street: 's2' }];
    expect(gatherFacts(BURST, CASE, mapOf({ assets: [], grids }), base).grids).toEqual(['g1', 'g2']);
  });
});

describe('selectPlan: which plan applies', () => {
  const all = [cand(GENERIC_B), cand(BURST), cand(GENERIC)];
  it.each([
    ['a burst with a main in reach: the burst plan (higher priority)', CASE, [MAIN(300)], 'burst'],
    ['no main in reach: the burst plan\'s condition fails, the generic plan applies', CASE, [], 'generic'],
    ['a source the burst plan does not take: the generic plan', { ...CASE, source: 'hotline' }, [MAIN(300)], 'generic'],
    ['another municipal category: the generic plan (equal priority: the smaller id)', { ...CASE, categoryCode: 'municipal.road.pothole' }, [MAIN(300)], 'generic'],
    ['a category no plan covers: none', { ...CASE, categoryCode: 'traffic.signal-fault' }, [MAIN(300)], null],
  ] as [string, PlanCase, Place[], string | null][])('%s', (_name, c, assets, expected) => {
    const chosen = selectPlan(all, c, mapOf({ assets }), { now: NOW });
    expect(chosen?.candidate.plan.id ?? null).toBe(expected);
    if (expected === 'burst') expect(chosen!.facts.main).toEqual(expect.objectContaining({ id: 'wm-1' }));
  });
});

const POLICE = { 'traffic-police@500103': 'unit-police' };
const GRIDS = [{ code: 'g1', at: [100, 0] as [number, number], street: '500103001' }];
const COMMUNITY = { 'community@500103001': 'unit-community-1' };
const OWNERS = { 'unit-water': '区供水公司' };
const SIGNALS: Place[] = [{ id: 'sig-a', type: 'traffic_signal', at: [0, 50], properties: { device_id: 'signal-a' } }, { id: 'sig-b', type: 'traffic_signal', at: [0, 80], properties: { device_id: 'signal-b' } }];

interface RunRow {
  readonly name: string;
  readonly world: World;
  readonly units: UnitLookup;
  readonly tier: 'city' | 'district' | 'street';
  /** key → unit id of every task, in order. */
  readonly tasks: [string, string][];
  readonly actions: unknown[];
  readonly problems: { path: string; message: string }[];
}

const HOTLINE = (tier: string) => ({ type: 'notify', key: 'hotline', channel: 'webhook', to: 'hotline', message: `【YZ-0009】爆管处置：解放碑（${tier}）` });
const SIGNALS_RED = { type: 'device', key: 'signals-red', deviceIds: ['signal-a', 'signal-b'], command: { name: 'set_phase', params: { phase: 'red' } }, undoOnClose: { name: 'set_phase', params: { phase: 'normal' } }, retry: { times: 2, everyMs: 30_000 } };

const RUNS: RunRow[] = [
  {
    name: 'a 300 mm main: the district leads; the owner repairs, the police assist, the community informs',
    world: { assets: [MAIN(300), ...SIGNALS], grids: GRIDS },
    units: unitsOf({ ...POLICE, ...COMMUNITY }, OWNERS),
    tier: 'district',
    tasks: [['repair', 'unit-water'], ['traffic', 'unit-police'], ['residents', 'unit-community-1']],
    actions: [SIGNALS_RED, HOTLINE('district')],
    problems: [],
  },
  {
    name: 'a 600 mm main: the city leads, and its water group coordinates',
    world: { assets: [MAIN(600), ...SIGNALS], grids: GRIDS },
    units: unitsOf({ ...POLICE, ...COMMUNITY, 'water-supply@500000': 'unit-city-water' }, OWNERS),
    tier: 'city',
    tasks: [['repair', 'unit-water'], ['traffic', 'unit-police'], ['city', 'unit-city-water'], ['residents', 'unit-community-1']],
    actions: [SIGNALS_RED, HOTLINE('city')],
    problems: [],
  },
  {
    name: 'no signal in reach: the device action\'s condition fails, only the notification',
    world: { assets: [MAIN(300)], grids: GRIDS },
    units: unitsOf({ ...POLICE, ...COMMUNITY }, OWNERS),
    tier: 'district',
    tasks: [['repair', 'unit-water'], ['traffic', 'unit-police'], ['residents', 'unit-community-1']],
    actions: [HOTLINE('district')],
    problems: [],
  },
  {
    name: 'grids in two streets: one community task per street',
    world: { assets: [MAIN(300)], grids: [...GRIDS, { code: 'g2', at: [0, 200], street: '500103002' }, { code: 'g3', at: [0, -200], street: '500103001' }] },
    units: unitsOf({ ...POLICE, ...COMMUNITY, 'community@500103002': 'unit-community-2' }, OWNERS),
    tier: 'district',
    tasks: [['repair', 'unit-water'], ['traffic', 'unit-police'], ['residents@500103001', 'unit-community-1'], ['residents@500103002', 'unit-community-2']],
    actions: [HOTLINE('district')],
    problems: [],
  },
  {
    name: 'a main with no owner: no lead, two problems',
    world: { assets: [MAIN(300, [30, 0], null)], grids: GRIDS },
    units: unitsOf({ ...POLICE, ...COMMUNITY }, OWNERS),
    tier: 'district',
    tasks: [['traffic', 'unit-police'], ['residents', 'unit-community-1']],
    actions: [HOTLINE('district')],
    problems: [
      { path: '/tasks/0/unit', message: 'task repair: the main found on the map has no owning unit' },
      { path: '/tasks', message: 'the plan gives this case 0 lead tasks; exactly one is needed' },
    ],
  },
  {
    name: 'no traffic police serves the district: a problem, the rest still resolved',
    world: { assets: [MAIN(300)], grids: GRIDS },
    units: unitsOf({ ...COMMUNITY }, OWNERS),
    tier: 'district',
    tasks: [['repair', 'unit-water'], ['residents', 'unit-community-1']],
    actions: [HOTLINE('district')],
    problems: [{ path: '/tasks/1/unit', message: 'task traffic: no traffic-police unit serves the district of this place (500103)' }],
  },
  {
    name: 'no grid in reach lies in a street: a problem',
    world: { assets: [MAIN(300)], grids: [{ code: 'g9', at: [10, 0], street: null }] },
    units: unitsOf({ ...POLICE, ...COMMUNITY }, OWNERS),
    tier: 'district',
    tasks: [['repair', 'unit-water'], ['traffic', 'unit-police']],
    actions: [HOTLINE('district')],
    problems: [{ path: '/tasks/3/unit', message: 'task residents: no grid of grids lies in a street' }],
  },
  {
    name: 'a street without a community unit: a problem for that street',
    world: { assets: [MAIN(300)], grids: GRIDS },
    units: unitsOf({ ...POLICE }, OWNERS),
    tier: 'district',
    tasks: [['repair', 'unit-water'], ['traffic', 'unit-police']],
    actions: [HOTLINE('district')],
    problems: [{ path: '/tasks/3/unit', message: 'task residents: no community unit serves 500103001' }],
  },
  {
    name: 'signals without a device: the action is a problem',
    world: { assets: [MAIN(300), { id: 'sig-x', type: 'traffic_signal', at: [0, 10] }], grids: GRIDS },
    units: unitsOf({ ...POLICE, ...COMMUNITY }, OWNERS),
    tier: 'district',
    tasks: [['repair', 'unit-water'], ['traffic', 'unit-police'], ['residents', 'unit-community-1']],
    actions: [HOTLINE('district')],
    problems: [{ path: '/actions/0/device', message: 'action signals-red: no device found to send set_phase to' }],
  },
  {
    name: 'the owner of the main is also the police unit: two tasks for one unit is a problem',
    world: { assets: [MAIN(300, [30, 0], 'unit-police')], grids: GRIDS },
    units: unitsOf({ ...POLICE, ...COMMUNITY }, { 'unit-police': '区交警' }),
    tier: 'district',
    tasks: [['repair', 'unit-police'], ['traffic', 'unit-police'], ['residents', 'unit-community-1']],
    actions: [HOTLINE('district')],
    problems: [{ path: '/tasks', message: 'unit 区交警 would get two tasks on one case' }],
  },
];

describe('decidePlanRun: level, units and actions', () => {
  it.each(RUNS)('$name', (row) => {
    const map = mapOf(row.world);
    const facts = gatherFacts(BURST, CASE, map, base);
    const run = decidePlanRun(cand(BURST, 4), CASE, facts, row.units, map, { now: NOW, caseNumber: 'YZ-0009' });
    expect(run.tier).toBe(row.tier);
    expect(run.tasks.map((t) => [t.key, t.unitId])).toEqual(row.tasks);
    expect(run.actions).toEqual(row.actions);
    expect(run.problems).toEqual(row.problems);
    expect([run.planId, run.version, run.name]).toEqual(['burst', 4, '爆管处置']);
  });

  it('a resolved task carries what the plan says of it', () => {
    const map = mapOf({ assets: [MAIN(300)], grids: GRIDS });
    const run = decidePlanRun(cand(BURST), CASE, gatherFacts(BURST, CASE, map, base), unitsOf({ ...POLICE, ...COMMUNITY }, OWNERS), map, { now: NOW });
    expect(run.tasks[0]).toEqual({ key: 'repair', role: 'lead', unitId: 'unit-water', unitName: '区供水公司', instructions: '抢修', deadlineMs: 3 * 3_600_000, arriveWithinMs: 600_000, dependsOn: ['traffic'], handBack: ['photo'] });
    expect(run.tasks[1]).toMatchObject({ key: 'traffic', role: 'assist', deadlineMs: 3_600_000, arriveWithinMs: null, dependsOn: [], handBack: [] });
    // Without a case number given, the template reads the case's own.
    expect(run.actions).toEqual([{ ...HOTLINE('district'), message: '【YZ-0001】爆管处置：解放碑（district）' }]);
    expect(run.closure).toEqual({ reportBackWhen: 'leads_done', requireEvidence: false, sensorNormalFor: null });
  });

  const FOREST: PlanCase = { ...CASE, categoryCode: 'forest', district: '500103' };
  it.each([
    [
      'a neighbour within reach: its center shares the case, its forestry unit assists',
      [{ code: '500103', name: '渝中区', at: [0, 0] }, { code: '500106', name: '南岸区', at: [1500, 0] }, { code: '500108', name: '沙坪坝区', at: [2500, 0] }],
      { 'forestry@500103': 'f-yz', 'forestry@500106': 'f-na' },
      [['fire', 'f-yz', 'lead'], ['fire@500106', 'f-na', 'assist']],
      [{ code: '500106', name: '南岸区' }],
      [],
    ],
    [
      'a neighbour without a forestry unit: it shares the case; a problem names it',
      [{ code: '500103', name: '渝中区', at: [0, 0] }, { code: '500106', name: '南岸区', at: [1500, 0] }],
      { 'forestry@500103': 'f-yz' },
      [['fire', 'f-yz', 'lead']],
      [{ code: '500106', name: '南岸区' }],
      [{ path: '/coordination', message: 'no forestry unit serves 南岸区' }],
    ],
    ['no neighbour in reach: nobody shares', [{ code: '500103', name: '渝中区', at: [0, 0] }], { 'forestry@500103': 'f-yz' }, [['fire', 'f-yz', 'lead']], [], []],
  ] as [string, World['districts'], Record<string, string>, [string, string, string][], unknown[], unknown[]][])('coordination: %s', (_name, districts, byKind, tasks, coordination, problems) => {
    const map = mapOf({ assets: [], districts: districts! });
    const run = decidePlanRun(cand(BORDER), FOREST, {}, unitsOf(byKind), map, { now: NOW });
    expect(run.tasks.map((t) => [t.key, t.unitId, t.role])).toEqual(tasks);
    expect(run.coordination).toEqual(coordination);
    expect(run.problems).toEqual(problems);
    if (tasks.length > 1) expect(run.tasks[1]!.instructions).toBe('（跨区域协同）扑救');
  });
});
