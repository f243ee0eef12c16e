/**
 * The four kinds of document a city edits — plans, rules, the routing table, the category list —
 * read through one stack (src/documents/): one duration grammar, one problem shape.
 */
import { describe, expect, it } from 'vitest';
import { checkRoutingTable } from '../../src/appeals/routing-table-check.ts';
import { checkCategoryList } from '../../src/org/category-versions.ts';
import { parsePlan, PlanError } from '../../src/plans/plan-definition.ts';
import { parseRuleDocument } from '../../src/sensing/rules/rule-definition.ts';

const planWith = (deadline: string): string => `id: test-plan
name: 测试预案
trigger: { categories: [municipal.water.burst] }
level: [{ tier: district }]
tasks:
  - key: repair
    role: lead
    unit: { kind: water-supply, scope: district }
    instructions: 抢修
    deadline: ${deadline}
`;

const ruleWith = (hold: string): string => `id: test-rule
name: 测试规则
deviceTypes: [water_gauge]
condition:
  threshold: { metric: water_level, above: 1 }
  for: ${hold}
severity: yellow
`;

const categoriesWith = (respondWithin: string, basis = 'working'): string => `- code: municipal
  parentCode: null
  nameZh: 市政
  nameEn: Municipal
  respondWithin: ${respondWithin}
  resolveWithin: 30d
  basis: ${basis}
  defaultPriority: normal
`;

function planProblems(text: string) {
  try {
    parsePlan(text);
  } catch (e) {
    if (e instanceof PlanError) return e.errors;
    throw e;
  }
  return [];
}

function ruleProblems(text: string) {
  const r = parseRuleDocument(text);
  return r.ok ? [] : r.problems;
}

const MS: Record<string, number> = { '90s': 90_000, '10m': 600_000, '1h30m': 5_400_000, '2d': 172_800_000, '1d12h': 129_600_000, '2m30s': 150_000, '05m': 300_000 };
const REFUSED = ['1 hour', '1.5h', '2h1d', '1h1h', 'PT1H', '5w', '1小时', '-10m'];

describe('one duration grammar in both kinds of document', () => {
  it.each(Object.entries(MS))('a plan and a rule both read %j', (text, ms) => {
    expect(parsePlan(planWith(text)).tasks[0]!.deadline).toEqual({ text, ms });
    const rule = parseRuleDocument(ruleWith(text));
    expect(rule.ok, JSON.stringify(rule)).toBe(true);
    expect(rule.ok && rule.rules[0]!.condition.for).toBe(text);
  });

  it.each(REFUSED)('a plan and a rule both refuse %j, with the same sentence in Chinese and English', (text) => {
    const plan = planProblems(planWith(JSON.stringify(text)));
    const rule = ruleProblems(ruleWith(JSON.stringify(text)));
    expect(plan.map((p) => p.pointer)).toEqual(['/tasks/0/deadline']);
    expect(rule.map((p) => p.pointer)).toEqual(['/condition/for']);
    expect(plan[0]!.line).toBe(10);
    expect(rule[0]!.line).toBe(6);
    expect(plan[0]!.text.en).toMatch(/^must be a duration such as '90s', '10m', '1h30m' or '2d'/);
    expect(plan[0]!.text.zh).toMatch(/^须为时长，如 '90s'、'10m'、'1h30m'、'2d'/);
    // The rule's field also takes a $parameter, and says so after the same sentence.
    expect(rule[0]!.text.en.startsWith(plan[0]!.text.en.split(', got')[0]!)).toBe(true);
    expect(rule[0]!.text.zh.startsWith(plan[0]!.text.zh.split('，实际为')[0]!)).toBe(true);
  });

  it.each(['0m', '0s', '0d0h'])('a plan and a rule both refuse the zero %j', (text) => {
    for (const problems of [planProblems(planWith(text)), ruleProblems(ruleWith(text))]) {
      expect(problems).toHaveLength(1);
      expect(problems[0]!.text).toEqual({ en: 'must be longer than zero', zh: '须大于零' });
    }
  });

  it('the category list reads the same grammar, a day a working day on the working basis', () => {
    expect(checkCategoryList(categoriesWith('1h30m'))).toMatchObject({ ok: true, items: [{ respondWithin: '1h30m' }] });
    expect(checkCategoryList(categoriesWith('1d4h', 'calendar')).ok).toBe(true);
    const refused = checkCategoryList(categoriesWith('PT1H'));
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.problems[0]).toMatchObject({ pointer: '/0/respondWithin', line: 5, text: { zh: expect.stringMatching(/^响应时限：须为时长/) } });
  });
});

describe('one problem shape for the four kinds', () => {
  const cases: [string, () => readonly unknown[], string, number][] = [
    ['a plan', () => planProblems(planWith('3h').replace('role: lead', 'role: boss')), '/tasks/0/role', 7],
    ['a rule file', () => ruleProblems(ruleWith('2m').replace('severity: yellow', 'severity: purple')), '/severity', 7],
    ['the routing table', () => { const r = checkRoutingTable('rules:\n  - category: municipal.water\n    lead: { kind: water-supply, scope: county }\n'); return r.ok ? [] : r.problems; }, '/rules/0/lead/scope', 3],
    ['the category list', () => { const r = checkCategoryList(categoriesWith('10m', 'sometimes')); return r.ok ? [] : r.problems; }, '/0/basis', 7],
  ];

  it.each(cases)('%s: pointer, line, column, and the message in Chinese and English (and the fields earlier clients read)', (_, problemsOf, pointer, line) => {
    const problems = problemsOf();
    expect(problems).toHaveLength(1);
    const p = problems[0] as Record<string, unknown> & { text: { zh: string; en: string } };
    expect(Object.keys(p).sort()).toEqual(['column', 'line', 'message', 'messageZh', 'path', 'pointer', 'text']);
    expect(p).toMatchObject({ pointer, line, column: expect.any(Number), path: pointer });
    expect(Object.keys(p.text).sort()).toEqual(['en', 'zh']);
    expect(p.text.zh).toMatch(/[\u4e00-\u9fff]/);
    expect(p.text.en).toMatch(/^[\x20-\x7e]+$/);
    expect(p.message).toBe(p.text.en);
    expect(p.messageZh).toBe(p.text.zh);
  });
});
