import { describe, expect, it } from 'vitest';
import { DEMO_CATEGORIES } from '../../cities/chongqing/categories.ts';
import { listUnitKinds } from '../../cities/chongqing/unit-kinds.ts';
import { PLAN_JSON_SCHEMA, PlanError, parsePlan, planToJson, summarizePlanDiff, type ParsePlanOptions, type PlanDefinition } from './plan-definition.ts';

/** The seed's first scene: a burst main near 国宾医院; under 500 mm the district leads. */
const WATER_MAIN_BURST = `
id: water-main-burst
name: 城市供水爆管处置
description: 供水管道爆管：关阀抢修、交通疏导、管线保护、应急供水、通知居民。
priority: 10
trigger:
  categories: [municipal.water.burst]
  sources: [sensor, camera, citizen, grid_worker, external, inspection, hotline]
  when: "facts.water_main.diameter_mm != null"
facts:
  water_main: { nearest: { type: water_main, withinMeters: 50 } }
  signals:    { within: { type: traffic_signal, withinMeters: 150 } }
  villages:   { within: { type: place, withinMeters: 3000, where: "asset.properties.kind == 'village'" } }
  grids:      { gridsWithin: { withinMeters: 300 } }
level:
  - when: "facts.water_main.diameter_mm >= 500"
    tier: city
  - tier: district
tasks:
  - key: repair
    role: lead
    unit: { kind: water-supply, scope: district }
    instructions: 关阀止水，组织抢修
    deadline: 3h
    arriveWithin: 10m
    dependsOn: [traffic]
    handBack: [photo, text, reading]
  - key: traffic
    role: assist
    unit: { kind: traffic-police, scope: district }
    instructions: 在抢修点周边设置警戒，疏导交通
    deadline: 3h
  - key: utilities
    role: assist
    unit: { kind: economy-it, scope: district }
    instructions: 协调电力、通信等管线单位到场，保护周边管线
    deadline: 3h
  - key: emergency-water
    role: assist
    unit: { kind: fire-rescue, scope: district }
    instructions: 在太平洋广场为居民提供应急供水
    deadline: 3h
  - key: notify-residents
    role: assist
    unit: { kind: community, scope: street }
    instructions: 组织网格员通知受影响居民
    deadline: 1h
  - key: city-coordination
    role: assist
    when: "level.tier == 'city'"
    unit: { kind: water-supply, scope: city }
    instructions: 市水务集团统筹调度
    deadline: 6h
actions:
  - key: signals-red
    device: { fromFact: signals }
    command: { name: set_phase, params: { phase: red } }
    undoOnClose: { name: set_phase, params: { phase: normal } }
    retry: { times: 3, every: 30s }
    when: "len(facts.signals) > 0"
  - key: notify-residents
    notify: { channel: webhook, to: "district-water-hotline", template: "【{{case.number}}】{{plan.name}}：{{case.address}}停水抢修，预计3小时恢复" }
escalation:
  - after: 10m
    unless: accepted
    do: remind
    repeat: 3
  - after: 20m
    unless: accepted
    do: escalate
closure:
  reportBackWhen: leads_done
  requireEvidence: true
  sensorNormalFor: 15m
`;

/** The demo city's unit kinds and categories, as the server will pass them. */
const DEMO: ParsePlanOptions = {
  knownUnitKinds: new Set((['city', 'district', 'street'] as const).flatMap((tier) => listUnitKinds(tier).map((k) => k.kind))),
  knownCategories: new Set(DEMO_CATEGORIES.map((c) => c.code)),
};

/** The PlanError a text raises. */
function planErrorOf(text: string, opts: ParsePlanOptions = {}): PlanError {
  try {
    parsePlan(text, opts);
  } catch (e) {
    if (e instanceof PlanError) return e;
    throw e;
  }
  throw new Error('expected the plan to be refused');
}

/** The water-main plan with one line replaced, for one mistake at a time. */
const withLine = (from: string, to: string): string => {
  if (!WATER_MAIN_BURST.includes(from)) throw new Error(`test plan has no ${JSON.stringify(from)}`);
  return WATER_MAIN_BURST.replace(from, to);
};

/** The tier the plan's level rules give, as the engine decides it. */
const tierFor = (def: PlanDefinition, input: Record<string, unknown>): string =>
  def.level.find((rule) => rule.when === null || rule.when.evaluateBoolean(input))!.tier;

describe('a valid plan: the seed water-main burst', () => {
  const def = parsePlan(WATER_MAIN_BURST, { ...DEMO, fileName: 'plans/water-main-burst.yaml' });

  it('reads the header and the trigger', () => {
    expect(def).toMatchObject({ id: 'water-main-burst', name: '城市供水爆管处置', priority: 10 });
    expect(def.description).toMatch(/^供水管道爆管/);
    expect(def.trigger.categories).toEqual(['municipal.water.burst']);
    expect(def.trigger.sources).toHaveLength(7);
    expect(def.trigger.when?.paths).toEqual(['facts.water_main.diameter_mm']);
  });

  it('reads the facts as typed lookups, in order', () => {
    expect(def.facts.map((f) => [f.name, f.lookup, 'withinMeters' in f ? f.withinMeters : null])).toEqual([
      ['water_main', 'nearest', 50],
      ['signals', 'within', 150],
      ['villages', 'within', 3000],
      ['grids', 'gridsWithin', 300],
    ]);
    const villages = def.facts[2]!;
    expect(villages.lookup === 'within' && villages.assetType).toBe('place');
    expect(villages.lookup === 'within' && villages.where?.evaluateBoolean({ asset: { properties: { kind: 'village' } } })).toBe(true);
  });

  it('decides the level by the diameter of the nearest main: under 500 mm the district, else the city', () => {
    expect(tierFor(def, { facts: { water_main: { diameter_mm: 400 } } })).toBe('district');
    expect(tierFor(def, { facts: { water_main: { diameter_mm: 500 } } })).toBe('city');
    expect(tierFor(def, { facts: { water_main: null } })).toBe('district');
    expect(def.trigger.when!.evaluateBoolean({ facts: { water_main: null } })).toBe(false);
  });

  it('reads tasks with units, durations and conditions', () => {
    expect(def.tasks.map((t) => [t.key, t.role])).toEqual([
      ['repair', 'lead'],
      ['traffic', 'assist'],
      ['utilities', 'assist'],
      ['emergency-water', 'assist'],
      ['notify-residents', 'assist'],
      ['city-coordination', 'assist'],
    ]);
    const repair = def.tasks[0]!;
    expect(repair.unit).toEqual({ by: 'kind', kind: 'water-supply', scope: 'district' });
    expect(repair.deadline).toEqual({ text: '3h', ms: 3 * 3_600_000 });
    expect(repair.arriveWithin).toEqual({ text: '10m', ms: 600_000 });
    expect(repair.dependsOn).toEqual(['traffic']);
    expect(repair.handBack).toEqual(['photo', 'text', 'reading']);
    expect(repair.when).toBeNull();
    expect(def.tasks[1]!.arriveWithin).toBeNull();
    const city = def.tasks[5]!;
    expect(city.when?.evaluateBoolean({ level: { tier: 'city' } })).toBe(true);
    expect(city.when?.evaluateBoolean({ level: { tier: 'district' } })).toBe(false);
  });

  it('reads a device action and a notification with its template split once', () => {
    const [signals, notify] = def.actions;
    expect(signals).toMatchObject({
      type: 'device',
      key: 'signals-red',
      device: { from: 'fact', fact: 'signals' },
      command: { name: 'set_phase', params: { phase: 'red' } },
      undoOnClose: { name: 'set_phase', params: { phase: 'normal' } },
      retry: { times: 3, every: { text: '30s', ms: 30_000 } },
    });
    expect(notify?.type).toBe('notify');
    if (notify?.type !== 'notify') return;
    expect(notify).toMatchObject({ channel: 'webhook', to: 'district-water-hotline' });
    const parts = notify.template.parts.map((p) => (typeof p === 'string' ? p : `{${p.source}}`));
    expect(parts).toEqual(['【', '{case.number}', '】', '{plan.name}', '：', '{case.address}', '停水抢修，预计3小时恢复']);
  });

  it('reads escalation and closure, with defaults', () => {
    expect(def.escalation).toEqual([
      { after: { text: '10m', ms: 600_000 }, unless: 'accepted', do: 'remind', repeat: 3 },
      { after: { text: '20m', ms: 1_200_000 }, unless: 'accepted', do: 'escalate', repeat: 0 },
    ]);
    expect(def.closure).toEqual({ reportBackWhen: 'leads_done', requireEvidence: true, sensorNormalFor: { text: '15m', ms: 900_000 } });
  });

  it('is frozen: a running case cannot change the plan it shares', () => {
    expect(Object.isFrozen(def)).toBe(true);
    expect(Object.isFrozen(def.tasks[0]!.unit)).toBe(true);
    expect(Object.isFrozen((def.actions[0] as { command: { params: object } }).command.params)).toBe(true);
  });

  it('goes back to plain data that parses to the same plan (JSON is YAML)', () => {
    const json = planToJson(def);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json); // plain data: no functions left
    expect(json.level[0]).toEqual({ when: 'facts.water_main.diameter_mm >= 500', tier: 'city' });
    expect(json.tasks[1]).toEqual({
      key: 'traffic', role: 'assist', unit: { kind: 'traffic-police', scope: 'district' },
      instructions: '在抢修点周边设置警戒，疏导交通', deadline: '3h', dependsOn: [], handBack: [],
    });
    const again = parsePlan(JSON.stringify(json), DEMO);
    expect(planToJson(again)).toEqual(json);
    expect(JSON.parse(JSON.stringify(def))).toEqual(JSON.parse(JSON.stringify(again)));
  });

  it('fills defaults for what a short plan leaves out', () => {
    const short = parsePlan(`
id: manhole-cover
name: 窨井盖缺失处置
trigger: { categories: [municipal] }
facts: { manhole: { nearest: { type: manhole, withinMeters: 30 } } }
level: [{ tier: district }]
tasks:
  - { key: barrier, role: lead, unit: { owner: manhole }, instructions: 1小时内设置围挡, deadline: 1d }
actions:
  - { key: lamp, device: { ids: [lamp-1] }, command: { name: flash } }
`);
    expect(short).toMatchObject({ description: null, priority: 0, escalation: [], closure: { reportBackWhen: 'leads_done', requireEvidence: false, sensorNormalFor: null } });
    expect(short.trigger).toMatchObject({ sources: null, when: null });
    expect(short.tasks[0]!.unit).toEqual({ by: 'owner', fact: 'manhole' });
    expect(short.tasks[0]!.deadline.ms).toBe(86_400_000);
    expect(short.actions[0]).toMatchObject({ device: { from: 'ids', ids: ['lamp-1'] }, command: { name: 'flash', params: {} }, undoOnClose: null, retry: { times: 3, every: { text: '30s' } } });
  });

  it('publishes its schema under a stable $id', () => {
    expect(PLAN_JSON_SCHEMA.$id).toBe('https://cityloop.dev/schemas/plan.json');
    expect(PLAN_JSON_SCHEMA.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });
});

/**
 * A plan problem as the API answers it, written out in full: the documents' shape (pointer, place,
 * text in both languages) and the fields kept for earlier clients (path, message, messageZh).
 */
function problem(pointer: string, place: { line?: number; column?: number }, en: string, zh: string, expression: { expression?: string; expressionColumn?: number } = {}) {
  return { pointer, ...place, text: { en, zh }, ...expression, path: pointer, message: en, messageZh: zh };
}

describe('a bad field is refused with its JSON pointer', () => {
  it('a wrong type', () => {
    const e = planErrorOf(withLine('priority: 10', 'priority: high'), { fileName: 'plans/water-main-burst.yaml' });
    expect(e.plan).toBe('water-main-burst');
    expect(e.fileName).toBe('plans/water-main-burst.yaml');
    expect(e.errors).toEqual([problem('/priority', { line: 5, column: 11 }, 'must be a whole number, got string "high"', '须为整数，实际为 文本 "high"')]);
    expect(e.message).toBe(
      'plan "water-main-burst" (plans/water-main-burst.yaml) is not valid (1 problem):\n  /priority (line 5, column 11): must be a whole number, got string "high"',
    );
  });

  it('an unknown property, with the likely intended one', () => {
    const e = planErrorOf(withLine('    arriveWithin: 10m', '    arrive_within: 10m'));
    // An unknown property is shown at its key.
    expect(e.errors).toEqual([
      problem('/tasks/0/arrive_within', { line: 25, column: 5 }, 'unknown property "arrive_within" (did you mean "arriveWithin"?)', '未知属性 "arrive_within"（是否应为 "arriveWithin"？）'),
    ]);
    const top = planErrorOf(withLine('priority: 10', 'colour: red'));
    expect(top.errors[0]).toMatchObject({ path: '/colour', message: expect.stringMatching(/^unknown property "colour"; allowed: id, name, description, priority/) });
  });

  it('every bad field at once, deep in the plan', () => {
    const text = withLine('    unit: { kind: traffic-police, scope: district }', '    unit: { kind: Traffic Police, scope: province }')
      .replace('deadline: 1h', 'deadline: 1 hour')
      .replace('do: escalate', 'do: shout');
    const e = planErrorOf(text);
    expect(e.errors.map((x) => [x.path, x.message])).toEqual([
      ['/tasks/1/unit/kind', 'must be a unit kind such as water-supply or traffic-police, got string "Traffic Police"'],
      ['/tasks/1/unit/scope', 'must be one of "city", "district", "street", got string "province"'],
      ['/tasks/4/deadline', `must be a duration such as '90s', '10m', '1h30m' or '2d' (units d, h, m, s, each at most once, in that order), got string "1 hour"`],
      ['/escalation/1/do', 'must be one of "remind", "escalate", "supervise", got string "shout"'],
    ]);
  });

  it('a missing field, and fields that cannot stand together', () => {
    const e = planErrorOf(withLine('    unit: { kind: economy-it, scope: district }', '    unit: { kind: economy-it, owner: water_main }'));
    expect(e.errors.map((x) => [x.path, x.message])).toEqual([
      ['/tasks/2/unit/kind', "cannot stand beside 'owner': a unit is either { owner: <fact> } or { kind, scope }"],
    ]);
    const missing = planErrorOf(withLine('    deadline: 6h\n', '\n'));
    expect(missing.errors).toEqual([problem('/tasks/5/deadline', { line: 48, column: 5 }, 'is required', '必填')]);
    const twoLookups = planErrorOf(withLine('  grids:      { gridsWithin: { withinMeters: 300 } }', '  grids: { gridsWithin: { withinMeters: 300 }, nearest: { type: grid, withinMeters: 1 } }'));
    expect(twoLookups.errors[0]).toMatchObject({ path: '/facts/grids', message: 'must name exactly one lookup: nearest, within, gridsWithin or supplied' });
  });
});

describe('a bad condition names the plan, the path and the column', () => {
  it('a syntax error', () => {
    const e = planErrorOf(withLine('  - when: "facts.water_main.diameter_mm >= 500"', '  - when: "facts.water_main.diameter_mm >= 500 and"'), DEMO);
    expect(e.plan).toBe('water-main-burst');
    expect(e.errors).toEqual([
      problem(
        '/level/0/when',
        // The place of the condition in the text; the column in the condition is expressionColumn.
        { line: 16, column: 11 },
        'unexpected end of the expression at column 40 of "facts.water_main.diameter_mm >= 500 and"',
        '条件 "facts.water_main.diameter_mm >= 500 and" 第 40 列有误：unexpected end of the expression',
        { expression: 'facts.water_main.diameter_mm >= 500 and', expressionColumn: 40 },
      ),
    ]);
    expect(e.message).toContain('plan "water-main-burst"');
    expect(e.message).toContain('/level/0/when (line 16, column 11): unexpected end of the expression at column 40');
  });

  it('an unknown function', () => {
    const e = planErrorOf(withLine('    when: "len(facts.signals) > 0"', '    when: "count(facts.signals) > 0"'));
    expect(e.errors[0]).toMatchObject({ pointer: '/actions/0/when', expressionColumn: 1, message: expect.stringMatching(/^unknown function 'count'/) });
  });

  it('a fact that is not declared, or a value the condition cannot read there', () => {
    const undeclared = planErrorOf(withLine('  when: "facts.water_main.diameter_mm != null"', '  when: "facts.pipe.diameter_mm != null"'));
    expect(undeclared.errors[0]).toMatchObject({
      path: '/trigger/when',
      message: 'no fact is named "pipe"; declare it under facts at column 1 of "facts.pipe.diameter_mm != null"',
      // The plan's own refusals of a path are in Chinese too.
      messageZh: '条件 "facts.pipe.diameter_mm != null" 第 1 列有误：没有名为 "pipe" 的事实（fact），请在 facts 下声明',
    });
    // The level is not known while the level is being decided.
    const early = planErrorOf(withLine('  - when: "facts.water_main.diameter_mm >= 500"', `  - when: "level.tier == 'city'"`));
    expect(early.errors[0]!.message).toMatch(/^'level' cannot be read here; this condition can read case, alert, facts, now/);
    expect(early.errors[0]!.text.zh).toMatch(/第 1 列有误：此处不能读取 'level'；此条件可读取 case、alert、facts、now$/);
  });

  it('a bad placeholder in a message template', () => {
    const e = planErrorOf(withLine('{{case.address}}', '{{ case.address'));
    expect(e.errors[0]!.path).toBe('/actions/1/notify/template');
    expect(e.errors[0]!.message).toMatch(/'\{\{' at character \d+ is never closed/);
    const fact = planErrorOf(withLine('{{case.address}}', '{{ facts.river.name }}'));
    expect(fact.errors[0]!.message).toMatch(/no fact is named "river"/);
  });
});

describe('meaning that a schema cannot check', () => {
  it('a dependsOn cycle, and a dependency on no task', () => {
    const text = withLine('    deadline: 3h\n  - key: utilities', '    deadline: 3h\n    dependsOn: [emergency-water]\n  - key: utilities')
      .replace('    instructions: 在太平洋广场为居民提供应急供水', '    instructions: 在太平洋广场为居民提供应急供水\n    dependsOn: [repair, nobody]');
    const e = planErrorOf(text);
    expect(e.errors.map((x) => [x.path, x.message])).toEqual([
      ['/tasks/3/dependsOn/1', 'no task has the key "nobody"'],
      ['/tasks/0/dependsOn', 'dependsOn makes a cycle: repair → traffic → emergency-water → repair'],
    ]);
    const self = planErrorOf(withLine('    dependsOn: [traffic]', '    dependsOn: [repair]'));
    expect(self.errors[0]!.message).toBe('dependsOn makes a cycle: repair → repair');
  });

  it('an unknown unit kind or category, when the known ones are given', () => {
    const e = planErrorOf(withLine('{ kind: economy-it, scope: district }', '{ kind: economy-and-it, scope: district }').replace('[municipal.water.burst]', '[municipal.water.bust]'), DEMO);
    expect(e.errors.map((x) => [x.path, x.message])).toEqual([
      ['/trigger/categories/0', 'unknown category "municipal.water.bust" (did you mean "municipal.water.burst"?)'],
      ['/tasks/2/unit/kind', 'unknown unit kind "economy-and-it" (did you mean "economy-it"?)'],
    ]);
    expect(() => parsePlan(withLine('{ kind: economy-it, scope: district }', '{ kind: economy-and-it, scope: district }'))).not.toThrow();
  });

  it('exactly one lead: none, two unconditional, or one unconditional beside guarded ones are refused', () => {
    expect(planErrorOf(withLine('    role: lead', '    role: assist')).errors).toEqual([
      problem('/tasks', { line: 20, column: 3 }, 'no task is the lead: give one task `role: lead`', '没有主办任务：请给一个任务设置 `role: lead`'),
    ]);
    const two = planErrorOf(withLine('    unit: { kind: traffic-police, scope: district }', '    unit: { kind: traffic-police, scope: district }\n    role: lead').replace("  - key: traffic\n    role: assist\n", '  - key: traffic\n'));
    expect(two.errors[0]).toMatchObject({ path: '/tasks/1/role', message: 'a second lead without `when` (the first is /tasks/0); a case has one lead' });
    const mixed = planErrorOf(withLine("    when: \"level.tier == 'city'\"\n", "    when: \"level.tier == 'city'\"\n").replace("  - key: city-coordination\n    role: assist", '  - key: city-coordination\n    role: lead'));
    expect(mixed.errors[0]).toMatchObject({ path: '/tasks/0/role', message: expect.stringMatching(/^this lead has no `when` but \/tasks\/5 may lead too/) });
  });

  it('accepts leads guarded by exclusive conditions (the owner, else a fallback unit)', () => {
    const def = parsePlan(`
id: manhole-cover
name: 窨井盖缺失处置
trigger: { categories: [municipal] }
facts: { manhole: { nearest: { type: manhole, withinMeters: 30 } } }
level: [{ tier: district }]
tasks:
  - { key: owner, role: lead, when: "facts.manhole.unitId != null", unit: { owner: manhole }, instructions: 设置围挡, deadline: 1d }
  - { key: fallback, role: lead, when: "facts.manhole.unitId == null", unit: { kind: urban-management, scope: district }, instructions: 设置围挡, deadline: 1d }
`);
    expect(def.tasks.filter((t) => t.role === 'lead')).toHaveLength(2);
  });

  it('level rules: only the last may, and must, omit `when`', () => {
    const e = planErrorOf(withLine('  - when: "facts.water_main.diameter_mm >= 500"\n    tier: city\n  - tier: district', '  - tier: city\n  - when: "true"\n    tier: district'));
    expect(e.errors.map((x) => x.path)).toEqual(['/level/0', '/level/1/when']);
  });

  it('facts named by owner and fromFact must exist and be of the right lookup', () => {
    const e = planErrorOf(withLine('{ kind: economy-it, scope: district }', '{ owner: signals }').replace('{ fromFact: signals }', '{ fromFact: grids }'));
    expect(e.errors.map((x) => [x.path, x.message])).toEqual([
      ['/tasks/2/unit/owner', `fact "signals" is a 'within' lookup; an owner needs one asset, from a 'nearest' fact`],
      ['/actions/0/device/fromFact', `fact "grids" finds grids, which have no devices; use a 'nearest' or 'within' fact`],
    ]);
    const missing = planErrorOf(withLine('{ fromFact: signals }', '{ fromFact: signal }'));
    expect(missing.errors[0]!.message).toBe('no fact is named "signal" (did you mean "signals"?)');
  });

  it('keys are unique among tasks and among actions (a task and an action may share one)', () => {
    const e = planErrorOf(withLine('  - key: utilities', '  - key: traffic').replace('  - key: signals-red', '  - key: notify-residents'));
    expect(e.errors.map((x) => [x.path, x.message])).toEqual([
      ['/tasks/2/key', 'task key "traffic" is already used by /tasks/1'],
      ['/actions/1/key', 'action key "notify-residents" is already used by /actions/0'],
    ]);
  });
});

describe('YAML that is refused before it is read', () => {
  it('an alias bomb (billion laughs)', () => {
    const bomb = `
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]
`;
    const e = planErrorOf(bomb, { fileName: 'bomb.yaml' });
    expect(e.plan).toBe('bomb.yaml');
    expect(e.errors).toEqual([problem('', {}, 'YAML: aliases expand too far (more than 50); write the blocks out instead', 'YAML 格式错误：别名展开过多（超过 50 个），请直接写出内容')]);
  });

  it('a few anchors for repeated blocks are fine', () => {
    const text = withLine('    deadline: 3h\n    arriveWithin: 10m', '    deadline: &three 3h\n    arriveWithin: 10m')
      .replace('    deadline: 3h\n  - key: utilities', '    deadline: *three\n  - key: utilities');
    expect(parsePlan(text).tasks[1]!.deadline.text).toBe('3h');
  });

  it('custom tags, duplicate keys, several documents, keys that are maps', () => {
    expect(planErrorOf(withLine('priority: 10', 'priority: !!js/function "return 1"')).errors[0]!.message).toMatch(/^YAML: Unresolved tag/);
    expect(planErrorOf(withLine('priority: 10', 'priority: !custom 10')).errors[0]!.message).toMatch(/^YAML: Unresolved tag: !custom/);
    expect(planErrorOf(withLine('priority: 10', 'priority: 10\npriority: 11')).errors[0]).toEqual(problem('', { line: 6, column: 1 }, 'YAML: Map keys must be unique', 'YAML 格式错误：Map keys must be unique'));
    expect(planErrorOf(`${WATER_MAIN_BURST}\n---\nid: second`).errors[0]!.message).toMatch(/^YAML: Source contains multiple documents/);
    expect(planErrorOf(withLine('priority: 10', '? [a]\n: 1')).errors[0]!.message).toBe('YAML: a key must be plain text, not a list or a map');
  });

  it('a file that is not a map, or far too long', () => {
    expect(planErrorOf('- just\n- a list', { fileName: 'x.yaml' }).errors).toEqual([problem('', { line: 1, column: 1 }, 'must be a map, got a list', '须为映射，实际为 列表')]);
    expect(planErrorOf('').errors[0]!.message).toBe('must be a map, got null');
    expect(planErrorOf(`# ${'x'.repeat(300_000)}`).errors[0]!.message).toMatch(/the limit is 262144/);
  });
});

describe('comparing two versions', () => {
  it('lists each changed field, naming tasks and actions by key', () => {
    const v1 = parsePlan(WATER_MAIN_BURST);
    const v2 = parsePlan(
      WATER_MAIN_BURST.replace('  - when: "facts.water_main.diameter_mm >= 500"', '  - when: "facts.water_main.diameter_mm >= 600"')
        .replace('    deadline: 3h\n    arriveWithin: 10m', '    deadline: 4h\n    arriveWithin: 10m')
        .replace("  - key: city-coordination\n    role: assist\n    when: \"level.tier == 'city'\"\n    unit: { kind: water-supply, scope: city }\n    instructions: 市水务集团统筹调度\n    deadline: 6h\n", '')
        .replace('    dependsOn: [traffic]\n', '    dependsOn: [traffic]\n    handBack: [photo]\n')
        .replace('    handBack: [photo]\n    handBack: [photo, text, reading]\n', '    handBack: [photo]\n')
        .replace('  - key: traffic\n', '  - key: bridge-check\n    role: assist\n    unit: { kind: transport, scope: district }\n    instructions: 检查周边桥梁\n    deadline: 1d\n  - key: traffic\n')
        .replace('priority: 10', 'priority: 20'),
    );
    expect(summarizePlanDiff(v1, v2)).toEqual([
      { path: '/priority', before: 10, after: 20 },
      { path: '/level/0/when', before: 'facts.water_main.diameter_mm >= 500', after: 'facts.water_main.diameter_mm >= 600' },
      { path: '/tasks/repair/deadline', before: '3h', after: '4h' },
      { path: '/tasks/repair/handBack', before: ['photo', 'text', 'reading'], after: ['photo'] },
      { path: '/tasks/city-coordination', before: expect.objectContaining({ key: 'city-coordination', deadline: '6h' }), after: undefined },
      { path: '/tasks/bridge-check', before: undefined, after: expect.objectContaining({ key: 'bridge-check', unit: { kind: 'transport', scope: 'district' } }) },
    ]);
    expect(summarizePlanDiff(v1, parsePlan(WATER_MAIN_BURST))).toEqual([]);
  });

  it('sees through formatting: comments, flow style and defaults spelled out are no change', () => {
    const reformatted = withLine('priority: 10', '# 优先级\npriority: 10').replace('    repeat: 3\n', '    repeat: 3 # 催办三次\n').replace('  - after: 20m\n    unless: accepted\n    do: escalate\n', '  - { after: 20m, unless: accepted, do: escalate, repeat: 0 }\n');
    expect(summarizePlanDiff(parsePlan(WATER_MAIN_BURST), parsePlan(reformatted))).toEqual([]);
  });
});

describe('tasks for each street of the grids around', () => {
  const plan = (unit: string, role = 'assist', facts = 'grids: { gridsWithin: { withinMeters: 300 } }\n  main: { nearest: { type: water_main, withinMeters: 50 } }') => `
id: per-street
name: 逐街道通知
trigger: { categories: [municipal.water.burst] }
facts:
  ${facts}
level: [{ tier: district }]
tasks:
  - { key: lead, role: lead, unit: { kind: water-supply, scope: district }, instructions: 抢修, deadline: 3h }
  - { key: notify, role: ${role}, unit: ${unit}, instructions: 通知居民, deadline: 1h }
`;

  it('accepts forEachOf a gridsWithin fact and keeps it through planToJson', () => {
    const def = parsePlan(plan('{ kind: community, scope: street, forEachOf: grids }'), DEMO);
    expect(def.tasks[1]!.unit).toEqual({ by: 'kind', kind: 'community', scope: 'street', forEachOf: 'grids' });
    expect(parsePlan(JSON.stringify(planToJson(def)), DEMO).tasks[1]!.unit).toEqual(def.tasks[1]!.unit);
  });

  it('refuses forEachOf on a lead, on a fact that is not gridsWithin, or an unknown fact', () => {
    expect(planErrorOf(plan('{ kind: community, scope: street, forEachOf: grids }', 'lead'), DEMO).errors.map((e) => e.path)).toContain('/tasks/1/unit/forEachOf');
    expect(planErrorOf(plan('{ kind: community, scope: street, forEachOf: main }'), DEMO).errors[0]!.message).toContain('gridsWithin');
    expect(planErrorOf(plan('{ kind: community, scope: street, forEachOf: nowhere }'), DEMO).errors[0]!.path).toBe('/tasks/1/unit/forEachOf');
  });
});
