import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compileRule, durationMs, formatDuration, parseRuleDocument, parseRules, RULE_SCHEMA, RuleError, splitRuleSources, type RuleProblem } from './rule-definition.ts';

const EXAMPLE = `
id: underpass-water-level
name: 下穿道积水超限
deviceTypes: [water_gauge]
scope: device
category: safety.underpass-waterlogging
trusted: true
params: { raise: 0.5, clear: 0.4 }
condition:
  threshold: { metric: water_level, above: $raise, clearBelow: $clear }
severity:
  metric: water_level
  levels: [ { atLeast: $raise, level: yellow }, { atLeast: 0.8, level: orange }, { atLeast: 1.2, level: red } ]
`;

function problemsOf(text: string, opts: Parameters<typeof parseRuleDocument>[2] = {}): RuleProblem[] {
  const r = parseRuleDocument(text, 'test.yaml', opts);
  if (r.ok) throw new Error('expected problems');
  return r.problems;
}

describe('reading a rule', () => {
  it('reads the example with defaults filled in and compiles it', () => {
    const r = parseRuleDocument(EXAMPLE);
    expect(r.ok).toBe(true);
    const def = r.ok ? r.rules[0]! : null!;
    expect(def).toMatchObject({ id: 'underpass-water-level', scope: 'device', trusted: true, category: 'safety.underpass-waterlogging', params: { raise: 0.5, clear: 0.4 }, description: null, exceptDeviceTypes: [] });
    expect(Object.isFrozen(def)).toBe(true);
    const c = compileRule(def);
    expect(c.metrics).toEqual(['water_level']);
    expect(c.primary).toEqual({ metric: 'water_level', up: true });
    expect(c.nodes[0]).toEqual({ kind: 'threshold', metric: 'water_level', up: true, raise: { param: 'raise', fallback: 0.5, scale: 1 }, clear: { param: 'clear', fallback: 0.4, scale: 1 } });
    // The definition is plain data: it survives JSON (the registry's definition column).
    expect(JSON.parse(JSON.stringify(def))).toEqual(def);
  });

  it('reads JSON too, and a list of rules in one file', () => {
    const json = JSON.stringify(parse(EXAMPLE));
    expect(parseRuleDocument(json).ok).toBe(true);
    const list = `
- id: rule-one
  name: 一
  deviceTypes: [gas_detector]
  condition: { threshold: { metric: gas, above: 20 }, for: 1h30m }
  severity: yellow
- id: rule-two
  name: 二
  deviceTypes: ['*']
  exceptDeviceTypes: [camera]
  condition: { absence: { for: 15m } }
  severity: { level: blue }
`;
    const rules = parseRules(list);
    expect(rules.map((r) => r.id)).toEqual(['rule-one', 'rule-two']);
    expect(rules[1]!.severity).toEqual({ level: 'blue' });
    const compiled = compileRule(rules[0]!);
    expect(compiled.nodes[0]).toMatchObject({ kind: 'for', child: 1, after: { fallback: 5_400_000 } });
    expect(compileRule(rules[1]!).deviceTypes).toBeNull();
    // Each rule's own text, for the registry.
    const sources = splitRuleSources(list);
    expect(sources).toHaveLength(2);
    expect(parseRules(sources[1]!)[0]).toEqual(rules[1]);
  });

  it('reads durations and percentages', () => {
    expect(durationMs('30s')).toBe(30_000);
    expect(durationMs('1h30m')).toBe(5_400_000);
    expect(durationMs('2d')).toBe(172_800_000);
    expect(durationMs('30m1h')).toBeNull();
    expect(durationMs('')).toBeNull();
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(90_500)).toBe('1m30.5s');
    const c = compileRule(
      parseRules(`
id: pct
name: p
deviceTypes: [water_pressure]
params: { drop: 30, window: 2m }
condition: { change: { metric: pressure, fallsBy: "$drop%", within: $window } }
severity: orange
`)[0]!,
    );
    expect(c.nodes[0]).toMatchObject({ kind: 'change', up: false, percent: true, amount: { param: 'drop', fallback: 30, scale: 0.01 }, hold: { param: 'drop', scale: 0.005 }, within: { param: 'window', fallback: 120, scale: 1000 } });
    expect(c.definition.params).toEqual({ drop: 30, window: 120 });
  });
});

describe('refusing a rule', () => {
  it('points at each problem with its JSON pointer, line and column, in English and Chinese', () => {
    const problems = problemsOf(`id: water-level
name: 积水
deviceTypes: [water_gauge]
params: { raise: 0.5 }
condition:
  threshold: { metric: water_level, above: $rais, clearBelow: 0.7 }
  for: 2m
severity: { metric: water_level, levels: [ { atLeast: 0.9, level: yellow }, { atLeast: 0.5, level: red } ] }
`);
    expect(problems).toEqual([
      {
        pointer: '/condition/threshold/above',
        line: 6,
        column: 44,
        text: {
          en: 'no parameter is named "rais" (did you mean "raise"?); declare it with its default under params',
          zh: '未声明参数 "rais"（是否应为 "raise"？）；请在 params 中声明并给出默认值',
        },
        // The same, for clients written before the shared problem shape.
        path: '/condition/threshold/above',
        message: 'no parameter is named "rais" (did you mean "raise"?); declare it with its default under params',
        messageZh: '未声明参数 "rais"（是否应为 "raise"？）；请在 params 中声明并给出默认值',
      },
      expect.objectContaining({ path: '/severity/levels/1', message: 'a more severe level needs a higher value: red (0.5) vs yellow (0.9)', line: 8 }),
    ]);
    // An unused parameter on its own is a problem too (after a typo it would say the same thing twice).
    expect(problemsOf(EXAMPLE.replace('params: { raise: 0.5, clear: 0.4 }', 'params: { raise: 0.5, clear: 0.4, spare: 1 }'))).toEqual([
      {
        pointer: '/params/spare',
        line: 8,
        column: 42,
        text: { en: 'parameter "spare" is not used by the rule', zh: '规则未使用参数 "spare"' },
        path: '/params/spare',
        message: 'parameter "spare" is not used by the rule',
        messageZh: '规则未使用参数 "spare"',
      },
    ]);
  });

  it('explains schema errors: unknown properties by their key, bad values, missing fields', () => {
    const problems = problemsOf(`id: Water
name: 积水
deviceTypes: [water gauge]
conditon: {}
severity: purple
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/id', message: 'must be 3 to 64 lower-case letters, digits or -, got string "Water"', messageZh: '须为 3 至 64 个小写字母、数字或 -，实际为 文本 "Water"', line: 1, column: 5 }),
        expect.objectContaining({ path: '/deviceTypes/0', line: 3, column: 15, message: 'must be a device type such as water_gauge, or *, got string "water gauge"' }),
        expect.objectContaining({ path: '/conditon', message: 'unknown property "conditon" (did you mean "condition"?)', messageZh: '未知属性 "conditon"（是否应为 "condition"？）', line: 4, column: 1 }),
        expect.objectContaining({ path: '/condition', message: 'is required', messageZh: '必填' }),
        expect.objectContaining({ path: '/severity', message: 'must be one of "blue", "yellow", "orange", "red", got string "purple"' }),
      ]),
    );
  });

  it('refuses what the schema cannot see', () => {
    const problems = problemsOf(`
- id: two-kinds
  name: a
  deviceTypes: [x]
  condition:
    threshold: { metric: a, above: 1, below: 0 }
    count: { metric: a, above: 1, times: 2, within: 1m }
  severity: red
- id: bad-bounds
  name: b
  deviceTypes: ['*', x]
  trusted: true
  condition:
    all:
      - threshold: { metric: a, above: 1, clearBelow: 2 }
      - threshold: { metric: b, below: 1, clearBelow: 0 }
      - count: { metric: c, above: 1, times: 2.5, within: 2d, holdTimes: 3 }
  severity: red
- id: bad-for
  name: c
  deviceTypes: [x]
  condition:
    any:
      - change: { metric: a, fallsBy: 130%, within: 1m, holdBy: 0.1 }
      - absence: { for: 15m }
        for: 2m
      - {}
    for: 5m
  severity: { metric: a, levels: [ { atLeast: 1, atMost: 2, level: red } ] }
- id: bad-for
  name: d
  deviceTypes: [x]
  condition: { absence: { for: 0s } }
  severity: { metric: a, levels: [ { atLeast: 1, level: red } ] }
`);
    const by = (path: string): string[] => problems.filter((p) => p.path === path).map((p) => p.message);
    expect(by('/0/condition')).toEqual(['a condition names exactly one kind, here threshold and count: put them under all or any']);
    expect(by('/1/deviceTypes')).toEqual(["'*' stands alone: it already means every type"]);
    expect(by('/1/trusted')).toEqual(['a trusted rule opens a case, so it needs a category']);
    expect(by('/1/condition/all/0/threshold/clearBelow')).toEqual(['clearBelow (2) must not be above the raise bound (1)']);
    expect(by('/1/condition/all/1/threshold/clearBelow')).toEqual(['clearBelow goes with above (the value must drop below it to clear)']);
    expect(by('/1/condition/all/2/count/times')).toEqual(['must be a whole number from 1 to 1000']);
    expect(by('/1/condition/all/2/count/within')).toEqual(['must be at most 1d']);
    expect(by('/2/condition/any/0/change/fallsBy')).toEqual(['a fall is at most 100%']);
    expect(by('/2/condition/any/0/change/holdBy')).toEqual(['must be a percentage like fallsBy']);
    expect(by('/2/condition/any/1/for')).toEqual(['an absence has its own for: write absence: { for: 15m }']);
    expect(by('/2/condition/any/2')).toEqual(['a condition names one of threshold, count, change, absence, all, any']);
    expect(by('/2/condition/for')[0]).toMatch(/^for applies to thresholds/);
    expect(by('/2/severity/levels/0')).toEqual(['give either atLeast or atMost, not both']);
    expect(by('/3/id')).toEqual(['rule id "bad-for" is already used by /2']);
    expect(by('/3/condition/absence/for')).toEqual(['must be longer than zero']);
    expect(by('/3/severity')).toEqual(['an absence rule has no value to grade: give a fixed level (severity: yellow)']);
    expect(problems.every((p) => p.messageZh.length > 0 && p.line !== undefined)).toBe(true);
  });

  it('checks categories and metrics against what the city knows', () => {
    const problems = problemsOf(EXAMPLE.replace('water_level, above', 'water_levle, above').replace('safety.underpass-waterlogging', 'safety.underpass-waterloging'), {
      knownCategories: new Set(['safety.underpass-waterlogging']),
      metricsOf: (t) => (t === 'water_gauge' ? new Set(['water_level', 'battery']) : undefined),
    });
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['/category', 'unknown category "safety.underpass-waterloging" (did you mean "safety.underpass-waterlogging"?)'],
      ['/condition/threshold/metric', 'no device of type water_gauge measures "water_levle" (did you mean "water_level"?)'],
    ]);
  });

  it('refuses YAML that is not plain data, and oversized or empty files', () => {
    expect(problemsOf('id: [')[0]).toMatchObject({ path: '', line: 1 });
    expect(problemsOf('a: &x [1]\nb: !!js/function "x"\n')[0]!.message).toMatch(/^YAML: /);
    expect(problemsOf('[]')[0]!.message).toBe('the list holds no rule');
    expect(problemsOf('x'.repeat(300_000))[0]!.message).toMatch(/limit/);
    expect(() => parseRules('id: [', 'broken.yaml')).toThrow(RuleError);
  });

  it('publishes a schema that a plain JSON Schema validator uses', () => {
    const validate = new Ajv2020({ allowUnionTypes: true }).compile(RULE_SCHEMA as unknown as object);
    expect(validate(parse(EXAMPLE))).toBe(true);
    expect(validate({ id: 'x' })).toBe(false);
  });
});
