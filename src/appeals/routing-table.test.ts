import { describe, expect, it } from 'vitest';
import { decideRoute, parseRoutingTable, type RouteFacts } from './routing-table.ts';

const table = parseRoutingTable({
  refine: [],
  rules: [
    { category: 'municipal', lead: { kind: 'urban-management', scope: 'district' }, assists: [] },
    { category: 'municipal.water', lead: { kind: 'water-supply', scope: 'district' }, assists: [{ kind: 'traffic-police', scope: 'district' }, { kind: 'water-supply', scope: 'district' }, { kind: 'community', scope: 'street' }] },
    { category: 'municipal.water', jurisdiction: '500103001', lead: { kind: 'water-supply', scope: 'city' }, assists: [] },
  ],
});
const chain = [
  { code: '500000', name: '重庆市', level: 'city' as const },
  { code: '500103', name: '渝中区', level: 'district' as const },
  { code: '500103001', name: '七星岗街道', level: 'street' as const },
];
const units: Record<string, { id: string; name: string; kind: string }> = {
  'water-supply@500103': { id: 'u-ws-yz', name: '渝中区供水', kind: 'water-supply' },
  'water-supply@500000': { id: 'u-ws-city', name: '市供水', kind: 'water-supply' },
  'traffic-police@500103': { id: 'u-tp-yz', name: '渝中区交巡警', kind: 'traffic-police' },
};
const categoryNames: Record<string, string> = { municipal: '市政设施', 'municipal.water': '供水', 'municipal.water.burst': '供水爆管', 'municipal.manhole': '井盖' };
const kindNames: Record<string, string> = { 'water-supply': '供水公司', 'urban-management': '城市管理局' };
const facts = (over: Partial<RouteFacts> = {}): RouteFacts => ({
  categoryCode: 'municipal.water.burst',
  chain: chain.slice(0, 2),
  categoryBy: 'classifier',
  keyword: null,
  confidence: 0.9,
  threshold: 0.5,
  unitOfKind: (kind, code) => units[`${kind}@${code}`],
  categoryName: (code) => categoryNames[code] ?? null,
  unitKindName: (kind) => kindNames[kind] ?? null,
  ...over,
});

describe('decideRoute', () => {
  it('dispatches to the most specific rule\'s lead, with its assists found locally (the lead not twice), saying why in names, never codes', () => {
    const d = decideRoute(table, facts());
    expect(d.outcome).toBe('dispatched');
    if (d.outcome !== 'dispatched') return;
    expect(d.lead.id).toBe('u-ws-yz');
    expect(d.assists.map((u) => u.id)).toEqual(['u-tp-yz']);
    expect(d.why).toBe('派单目录：供水 → 渝中区供水；分类置信度0.9');
    // A rule written for the street wins there, and its lead is the city's unit.
    const street = decideRoute(table, facts({ chain, categoryBy: 'keyword', keyword: '爆管' }));
    expect(street.outcome === 'dispatched' && street.lead.id).toBe('u-ws-city');
    expect(street.why).toBe('派单目录：供水（七星岗街道） → 市供水；关键词“爆管”；分类置信度0.9');
    expect(decideRoute(table, facts({ categoryBy: 'agent', confidence: null })).why).toBe('派单目录：供水 → 渝中区供水；坐席选定类别');
  });

  it('sends a person the unsure guess, the category with no rule, and the rule with no unit here', () => {
    expect(decideRoute(table, facts({ confidence: 0.3 }))).toEqual({ outcome: 'triage', why: '分类置信度0.3低于阈值0.5，转人工分拨', choice: null });
    // A keyword or an agent settles the category: their answer is not a guess.
    expect(decideRoute(table, facts({ confidence: 0.3, categoryBy: 'keyword', keyword: '爆管' })).outcome).toBe('dispatched');
    expect(decideRoute(table, facts({ categoryCode: 'environment.noise' }))).toMatchObject({ outcome: 'triage', why: '派单目录中没有适用于“未命名类别”的规则，转人工分拨' });
    expect(decideRoute(null, facts())).toMatchObject({ outcome: 'triage', choice: null });
    const noUnit = decideRoute(table, facts({ categoryCode: 'municipal.manhole' }));
    expect(noUnit).toMatchObject({ outcome: 'triage', why: '派单目录：市政设施 → 城市管理局：本地没有该单位，转人工分拨' });
    expect(noUnit.choice?.rule.category).toBe('municipal');
    // Whatever the names, no code reaches the words: a category without a name is said so.
    for (const d of [decideRoute(table, facts({ categoryCode: 'environment.noise' })), decideRoute(table, facts({ chain, categoryName: () => null, unitKindName: () => null })), decideRoute(table, facts({ categoryCode: 'municipal.manhole', unitKindName: () => null }))]) {
      expect(d.why).not.toMatch(/[a-z]{3,}|\d{6}/);
    }
  });
});

describe('the routing table\'s words', () => {
  it('reads keyword rules, danger words and negations, and places every problem on its line', () => {
    const t = parseRoutingTable('negations: [没有]\ndanger:\n  - { words: [起火], priority: urgent, reason: 火情 }\nrefine:\n  - { keywords: [井盖+不见], category: municipal.manhole.missing, unless: [修好了] }\nrules: []\n');
    expect(t.danger).toEqual([{ words: ['起火'], priority: 'urgent', reason: '火情' }]);
    expect(t.refine[0]).toEqual({ keywords: ['井盖+不见'], category: 'municipal.manhole.missing', unless: ['修好了'] });
    expect(t.negations).toEqual(['没有']);
    let problems: { pointer: string; line?: number | undefined }[] = [];
    try {
      parseRoutingTable('danger:\n  - words: [起火]\n    priority: low\n    reason: 火情\n  - words: ["  "]\n    priority: high\n    reason: x\nrules: []\n');
    } catch (e) {
      problems = (e as { problems: typeof problems }).problems;
    }
    expect(problems.map((p) => [p.pointer, p.line])).toEqual([
      ['/danger/0/priority', 3],
      ['/danger/1/words/0', 5],
    ]);
  });

  it('says the danger found in the why of every decision', () => {
    const danger = { priority: 'urgent' as const, words: ['差点掉下去'], why: '危险词“差点掉下去”（有人身危险）：优先级提至紧急' };
    expect(decideRoute(table, facts({ danger })).why).toBe(`派单目录：供水 → 渝中区供水；分类置信度0.9；${danger.why}`);
    expect(decideRoute(table, facts({ confidence: 0.3, danger })).why).toBe(`分类置信度0.3低于阈值0.5，转人工分拨；${danger.why}`);
  });
});
