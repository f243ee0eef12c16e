/**
 * Administration through the API (issue 6, part 5): rules (list, versions, save with problems and
 * their lines, authorization, dry run over stored readings that writes nothing, a saved rule in
 * force for the next reading), the routing table (check with lines, dry run of a sample message,
 * versions with their text) and the category list (edited as a whole, checked, refused when a
 * removed category is still in use, versions). On SQLite, and on PostgreSQL with TEST_DATABASE_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { testHttp } from '../support/http.ts';

const GAUGE = 'gauge-nankai-01'; // 沙坪坝区 (500106), at the 南开 underpass
const JFB = { lng: 106.577, lat: 29.557, crs: 'gcj02' as const }; // 解放碑, 渝中区

const DRAFT = `# 测试：积水超过 0.3 米即告警（仅告警，不立案）
id: test-gauge-high
name: 测试积水告警
deviceTypes: [water_gauge]
condition:
  threshold: { metric: water_level, above: 0.3, clearBelow: 0.2 }
severity: yellow
`;

describe.each(DIALECTS)('administration on %s', (dialect) => {
  let t: TestPlatform;
  const tokens: Record<string, string> = {};
  const { call, ok } = testHttp(() => t.app, (u) => tokens[u]);
  const yaml = { 'content-type': 'text/yaml' };
  const count = async (table: 'rules' | 'alerts' | 'rule_states' | 'readings' | 'routing_tables' | 'cases' | 'category_versions') => {
    const r = await t.platform.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  };
  const footprint = async () => ({
    rules: await count('rules'),
    alerts: await count('alerts'),
    states: await count('rule_states'),
    readings: await count('readings'),
    routing: await count('routing_tables'),
    cases: await count('cases'),
    seq: Number((await t.platform.store.db.selectFrom('log_head').select('seq').executeTakeFirstOrThrow()).seq),
  });
  const at = (hoursAgo: number) => new Date(t.clock.now().getTime() - hoursAgo * 3_600_000).toISOString();

  beforeAll(async () => {
    t = await openTestPlatform(dialect);
    for (const u of ['admin', 'city.operator', 'yuzhong.operator', 'yuzhong.water']) tokens[u] = await t.signIn(u);
  });
  afterAll(async () => t?.close());

  describe('rules', () => {
    it('lists the shipped rules for staff, shows one with its YAML and versions, and keeps unit staff out', async () => {
      const list = await ok('yuzhong.operator', 'GET', '/api/v1/rules');
      const underpass = list.items.find((r: any) => r.id === 'underpass-water-level');
      expect(underpass).toMatchObject({ version: 1, activeVersion: 1, active: true, deviceTypes: ['water_gauge'], category: 'safety.underpass-waterlogging', trusted: true });
      const one = await ok('yuzhong.operator', 'GET', '/api/v1/rules/underpass-water-level');
      expect(one.source).toContain('clearBelow: $clear_m');
      expect(one.definition.params).toEqual({ limit_m: 0.5, clear_m: 0.4 });
      const versions = await ok('yuzhong.operator', 'GET', '/api/v1/rules/underpass-water-level/versions');
      expect(versions.items).toEqual([expect.objectContaining({ version: 1, createdBy: 'file:underpass-water-level.yaml', active: true })]);
      expect((await call('yuzhong.water', 'GET', '/api/v1/rules')).status).toBe(403);
      expect((await call('admin', 'GET', '/api/v1/rules/no-such-rule')).status).toBe(404);
    });

    it('refuses an invalid rule with 422 RULE_INVALID, each problem with its path and line; only administrators save', async () => {
      const before = await count('rules');
      const denied = await call('yuzhong.operator', 'POST', '/api/v1/rules', DRAFT, yaml);
      expect(denied.status).toBe(403);
      expect(denied.body.code).toBe('FORBIDDEN_ROLE');
      const bad = DRAFT.replace('above: 0.3', 'above: high').replace('severity: yellow', 'severity: purple');
      const r = await call('admin', 'POST', '/api/v1/rules', bad, yaml);
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('RULE_INVALID');
      const byPath = Object.fromEntries(r.body.errors.map((e: any) => [e.path, e]));
      expect(byPath['/condition/threshold/above']).toMatchObject({ line: 6 });
      expect(byPath['/condition/threshold/above'].message).toMatch(/number or a \$parameter/);
      expect(byPath['/condition/threshold/above'].messageZh).toMatch(/数字/);
      expect(byPath['/severity']).toMatchObject({ line: 7 });
      // Categories are the city's: an unknown one is refused on its line.
      const unknown = await call('admin', 'POST', '/api/v1/rules', DRAFT.replace('deviceTypes: [water_gauge]', 'deviceTypes: [water_gauge]\ncategory: safety.no-such-thing'), yaml);
      expect(unknown.status).toBe(422);
      expect(unknown.body.errors).toEqual([expect.objectContaining({ path: '/category', line: 5 })]);
      // A YAML syntax error is found on its line too.
      const broken = await call('admin', 'POST', '/api/v1/rules', { source: 'id: x-rule\nname: [unclosed\n' });
      expect(broken.status).toBe(422);
      expect(broken.body.errors[0].line).toBeGreaterThanOrEqual(2);
      // The check without saving says the same, for staff.
      const v = await ok('yuzhong.operator', 'POST', '/api/v1/rules/validate', { source: bad });
      expect(v.ok).toBe(false);
      expect(v.problems.map((p: any) => p.path)).toEqual(expect.arrayContaining(['/condition/threshold/above', '/severity']));
      expect((await ok('yuzhong.operator', 'POST', '/api/v1/rules/validate', DRAFT, yaml)).ok).toBe(true);
      expect(await count('rules')).toBe(before);
    });

    it('dry-runs a draft over the stored readings of its devices: the alert it would raise and clear, with device, time, severity and value; nothing written', async () => {
      // Readings under the shipped underpass rule's 0.5 m: no alert in force.
      const readings = [
        { ts: at(5), values: { water_level: 0.1 } },
        { ts: at(4), values: { water_level: 0.32 } },
        { ts: at(3), values: { water_level: 0.36 } },
        { ts: at(2), values: { water_level: 0.15 } },
      ];
      const sent = await t.platform.sensing.pipeline.submit(GAUGE, { json: readings }, 'http', null);
      expect(sent.accepted).toBe(4);
      const before = await footprint();
      const run = await ok('city.operator', 'POST', '/api/v1/rules/dry-run', { source: DRAFT, hours: 24 });
      expect(run.window.hours).toBe(24);
      const rule = run.rules[0];
      expect(rule).toMatchObject({ ruleId: 'test-gauge-high', inForce: null, raised: 1, cleared: 1, activeAtEnd: [] });
      expect(rule.devices).toBeGreaterThan(0);
      expect(rule.devicesWithReadings).toBe(1);
      const mine = rule.events.filter((e: any) => e.deviceId === GAUGE);
      expect(mine.map((e: any) => [e.type, e.at, e.severity, e.value])).toEqual([
        ['raise', readings[1]!.ts, 'yellow', 0.32],
        ['update', readings[2]!.ts, 'yellow', 0.36],
        ['clear', readings[3]!.ts, null, null],
      ]);
      expect(mine[0].reason.zh).toContain('water_level');
      // A shorter window leaves the readings out.
      const short = await ok('city.operator', 'POST', '/api/v1/rules/dry-run', { source: DRAFT, hours: 1 });
      expect(short.rules[0].raised).toBe(0);
      // Staff of another district do not replay 沙坪坝's gauge.
      const yz = await ok('yuzhong.operator', 'POST', '/api/v1/rules/dry-run', { source: DRAFT });
      expect(yz.rules[0].events.some((e: any) => e.deviceId === GAUGE)).toBe(false);
      // An invalid draft is refused like a save.
      const bad = await call('admin', 'POST', '/api/v1/rules/dry-run', { source: DRAFT.replace('above: 0.3', 'above: high') });
      expect(bad.status).toBe(422);
      expect(bad.body.errors[0]).toMatchObject({ path: '/condition/threshold/above', line: 6 });
      expect(await footprint()).toEqual(before);
    });

    it('a saved rule is in force for the next reading; saving it unchanged stores nothing', async () => {
      const saved = await call('admin', 'POST', '/api/v1/rules', DRAFT, yaml);
      expect(saved.status, JSON.stringify(saved.body)).toBe(201);
      expect(saved.body.items).toEqual([{ id: 'test-gauge-high', version: 1, created: true }]);
      const again = await call('admin', 'POST', '/api/v1/rules', { source: `${DRAFT}# a comment is not a change\n` });
      expect(again.status).toBe(200);
      expect(again.body.items[0]).toMatchObject({ version: 1, created: false });
      const versions = await ok('yuzhong.operator', 'GET', '/api/v1/rules/test-gauge-high/versions');
      expect(versions.items).toEqual([expect.objectContaining({ version: 1, createdBy: 'admin', active: true })]);
      expect((await ok('yuzhong.operator', 'GET', '/api/v1/rules')).items.find((r: any) => r.id === 'test-gauge-high')).toMatchObject({ activeVersion: 1, active: true });

      const post = (level: number, hoursAgo: number) => call('admin', 'POST', `/api/v1/devices/${GAUGE}/telemetry`, { ts: at(hoursAgo), values: { water_level: level } });
      expect((await post(0.34, 0.5)).status).toBe(202);
      const alert = await t.platform.store.db.selectFrom('alerts').selectAll().where('rule_id', '=', 'test-gauge-high').executeTakeFirst();
      expect(alert).toBeDefined();
      expect(alert).toMatchObject({ device_id: GAUGE, status: 'raised', severity: 'yellow' });
      expect(JSON.parse(alert!.doc)).toMatchObject({ ruleVersion: 1, readings: { water_level: 0.34 } });
      // A second version raises at 0.4; the engine reads it from the next reading on.
      const v2 = await call('admin', 'POST', '/api/v1/rules', DRAFT.replace('above: 0.3', 'above: 0.4').replace('clearBelow: 0.2', 'clearBelow: 0.35'), yaml);
      expect(v2.status).toBe(201);
      expect(v2.body.items[0]).toMatchObject({ version: 2 });
      const created = await call('admin', 'POST', '/api/v1/devices', { id: 'gauge-test-02', type: 'water_gauge', name: '测试积水监测', lon: 106.55, lat: 29.56 });
      expect(created.status).toBe(201);
      const other = t.platform.sensing.devices.get('gauge-test-02');
      const send = (level: number, hoursAgo: number) => call('admin', 'POST', `/api/v1/devices/${other!.id}/telemetry`, { ts: at(hoursAgo), values: { water_level: level } });
      const ofOther = () => t.platform.store.db.selectFrom('alerts').select('doc').where('rule_id', '=', 'test-gauge-high').where('device_id', '=', other!.id).execute();
      expect((await send(0.38, 0.4)).status).toBe(202); // would have raised under version 1
      expect(await ofOther()).toEqual([]);
      expect((await send(0.45, 0.3)).status).toBe(202);
      const raised = await ofOther();
      expect(raised).toHaveLength(1);
      expect(JSON.parse(raised[0]!.doc)).toMatchObject({ ruleVersion: 2, readings: { water_level: 0.45 } });
      const detail = await ok('yuzhong.operator', 'GET', '/api/v1/rules/test-gauge-high/versions/1');
      expect(detail.source).toContain('above: 0.3');
      expect((await ok('yuzhong.operator', 'GET', '/api/v1/rules/test-gauge-high')).version).toBe(2);
    });

    it('switches a rule off and on again (administrators): each a version; off, it raises nothing', async () => {
      expect((await call('yuzhong.operator', 'POST', '/api/v1/rules/test-gauge-high/deactivate', {})).status).toBe(403);
      expect((await call('admin', 'POST', '/api/v1/rules/no-such-rule/deactivate', {})).status).toBe(404);
      const off = await ok('admin', 'POST', '/api/v1/rules/test-gauge-high/deactivate', {});
      expect(off).toEqual({ id: 'test-gauge-high', version: 3, created: true, active: false });
      expect(await ok('admin', 'POST', '/api/v1/rules/test-gauge-high/deactivate', {})).toMatchObject({ version: 3, created: false });
      expect((await ok('yuzhong.operator', 'GET', '/api/v1/rules')).items.find((r: any) => r.id === 'test-gauge-high')).toMatchObject({ version: 3, activeVersion: null, active: false });
      const versions = (await ok('yuzhong.operator', 'GET', '/api/v1/rules/test-gauge-high/versions')).items;
      expect(versions.at(-1)).toMatchObject({ version: 3, createdBy: 'admin', active: false });

      const created = await call('admin', 'POST', '/api/v1/devices', { id: 'gauge-test-03', type: 'water_gauge', name: '测试积水监测三', lon: 106.551, lat: 29.561 });
      expect(created.status).toBe(201);
      const send = (level: number, hoursAgo: number) => call('admin', 'POST', '/api/v1/devices/gauge-test-03/telemetry', { ts: at(hoursAgo), values: { water_level: level } });
      const raised = () => t.platform.store.db.selectFrom('alerts').select('doc').where('rule_id', '=', 'test-gauge-high').where('device_id', '=', 'gauge-test-03').execute();
      // Below the shipped underpass rule's 0.5 m (which would open a case), above this rule's 0.4 m.
      expect((await send(0.45, 0.2)).status).toBe(202);
      expect(await raised()).toEqual([]);

      // Sent with no body at all, as a plain HTTP client would.
      const on = await ok('admin', 'POST', '/api/v1/rules/test-gauge-high/activate');
      expect(on).toEqual({ id: 'test-gauge-high', version: 4, created: true, active: true });
      expect((await send(0.46, 0.1)).status).toBe(202);
      const now = await raised();
      expect(now).toHaveLength(1);
      expect(JSON.parse(now[0]!.doc)).toMatchObject({ ruleVersion: 4 });
      // The text in force is the newest one (version 2's thresholds, copied).
      expect((await ok('yuzhong.operator', 'GET', '/api/v1/rules/test-gauge-high')).source).toContain('above: 0.4');
    });
  });

  describe('routing table', () => {
    it('checks a draft with each problem\'s path and line, without saving', async () => {
      const bad = 'rules:\n  - category: appeal.transport\n    lead: { kind: no-such-unit, scope: district }\n  - category: appeal.health\n    lead: { kind: health, scope: county }\n';
      const v = await ok('yuzhong.operator', 'POST', '/api/v1/routing-table/validate', { source: bad });
      expect(v.ok).toBe(false);
      expect(v.problems).toEqual([
        expect.objectContaining({ path: '/rules/0/lead/kind', line: 3, message: 'unknown unit kind no-such-unit', messageZh: '未知的单位类型 no-such-unit' }),
        expect.objectContaining({ path: '/rules/1/lead/scope', line: 5 }),
      ]);
      const syntax = await ok('yuzhong.operator', 'POST', '/api/v1/routing-table/validate', 'rules:\n  - category: [oops\n', yaml);
      expect(syntax.ok).toBe(false);
      expect(syntax.problems[0].line).toBeGreaterThanOrEqual(2);
      const current = await ok('yuzhong.operator', 'GET', '/api/v1/routing-table');
      expect(await ok('yuzhong.operator', 'POST', '/api/v1/routing-table/validate', { source: current.source })).toMatchObject({ ok: true, problems: [] });
    });

    it('dry-runs a draft for a sample message: category, rule and units, beside the table in force; writes nothing', async () => {
      const before = await footprint();
      const current = await ok('yuzhong.operator', 'GET', '/api/v1/routing-table');
      // 渝中区 would send bus complaints to its traffic police instead of the transport bureau.
      const draft = `${current.source}  - category: appeal.transport.bus-frequency\n    jurisdiction: '500103'\n    lead: { kind: traffic-police, scope: district }\n`;
      const run = await ok('yuzhong.operator', 'POST', '/api/v1/routing-table/dry-run', { source: draft, text: '公交车半小时才来一班，等得太久了', ...JFB });
      expect(run.place.chain.map((l: any) => l.code)).toContain('500103');
      expect(run.draft).toMatchObject({ categoryCode: 'appeal.transport.bus-frequency', categoryBy: 'keyword', keyword: '公交车', outcome: 'dispatched', rule: { category: 'appeal.transport.bus-frequency', jurisdiction: '500103' }, lead: { unitId: 'unit-500103-traffic-police' } });
      expect(run.inForce).toMatchObject({ version: current.version, outcome: 'dispatched', lead: { kind: 'transport' } });
      // By place name, and with a category chosen as an agent would.
      const named = await ok('yuzhong.operator', 'POST', '/api/v1/routing-table/dry-run', { source: draft, text: '路口有人卖东西', categoryCode: 'street-order.street-vending', place: '解放碑' });
      expect(named.draft).toMatchObject({ categoryBy: 'agent', outcome: 'dispatched', lead: { kind: 'street-enforcement' } });
      // Nowhere to place it: triage, as the intake would.
      const lost = await ok('yuzhong.operator', 'POST', '/api/v1/routing-table/dry-run', { text: '广场舞太吵', place: '不存在的地方' });
      expect(lost.place).toBeNull();
      expect(lost.draft).toMatchObject({ categoryCode: 'appeal.environment.square-dance-noise', outcome: 'triage' });
      const bad = await call('yuzhong.operator', 'POST', '/api/v1/routing-table/dry-run', { source: 'rules: 3\n', text: 'x', ...JFB });
      expect(bad.status).toBe(422);
      expect(bad.body).toMatchObject({ code: 'ROUTING_TABLE_INVALID', errors: [expect.objectContaining({ path: '/rules', line: 1 })] });
      expect((await call('yuzhong.water', 'POST', '/api/v1/routing-table/dry-run', { text: 'x', ...JFB })).status).toBe(403);
      expect(await footprint()).toEqual(before);
    });

    it('shows each version with its author, time and text', async () => {
      const current = await ok('yuzhong.operator', 'GET', '/api/v1/routing-table');
      const saved = await ok('admin', 'POST', '/api/v1/routing-table', { source: `${current.source}# 注释也是一次修改\n` });
      const list = await ok('yuzhong.operator', 'GET', '/api/v1/routing-table/versions');
      expect(list.items.at(-1)).toMatchObject({ version: saved.version, createdBy: 'admin' });
      const first = await ok('yuzhong.operator', 'GET', '/api/v1/routing-table/versions/1');
      expect(first).toMatchObject({ version: 1, createdBy: 'file:routing-table.yaml' });
      expect(first.source).toContain('广场舞');
      expect((await call('yuzhong.operator', 'GET', '/api/v1/routing-table/versions/99')).status).toBe(404);
    });
  });

  describe('categories', () => {
    const list = async () => (await ok<{ items: { code: string; [field: string]: unknown }[] }>('yuzhong.operator', 'GET', '/api/v1/categories')).items;

    it('saves the whole list as a version (administrators), the org directory follows; versions name who and when', async () => {
      const items = await list();
      expect((await call('yuzhong.operator', 'PUT', '/api/v1/categories', { items })).status).toBe(403);
      const unchanged = await call('admin', 'PUT', '/api/v1/categories', { items });
      expect(unchanged.status).toBe(200);
      expect(unchanged.body).toMatchObject({ created: false, version: null });
      const next = items.map((c) => (c.code === 'environment.dead-animal' ? { ...c, nameZh: '动物尸体（路面）', respondWithin: '30m' } : c));
      next.push({ code: 'street-order.test-kiosk', parentCode: 'street-order', nameZh: '违规报刊亭', nameEn: 'Unlicensed kiosk', respondWithin: '2h', resolveWithin: '3d', basis: 'working', defaultPriority: 'low' });
      const saved = await call('admin', 'PUT', '/api/v1/categories', { items: next });
      expect(saved.status, JSON.stringify(saved.body)).toBe(201);
      expect(saved.body).toMatchObject({ version: 2, created: true, added: ['street-order.test-kiosk'], removed: [], changed: ['environment.dead-animal'] });
      expect(t.platform.org.category('environment.dead-animal')).toMatchObject({ nameZh: '动物尸体（路面）', respondWithin: '30m' });
      expect((await list()).find((c) => c.code === 'street-order.test-kiosk')).toMatchObject({ nameEn: 'Unlicensed kiosk' });
      // A case can be reported in the new category at once.
      const c = await ok('yuzhong.operator', 'POST', '/api/v1/cases', { categoryCode: 'street-order.test-kiosk', title: '解放碑路口违规报刊亭', ...JFB });
      expect(c.categoryCode).toBe('street-order.test-kiosk');
      const versions = await ok('yuzhong.operator', 'GET', '/api/v1/categories/versions');
      expect(versions.items).toEqual([
        expect.objectContaining({ version: 1, createdBy: 'system', baseline: true, count: items.length }),
        expect.objectContaining({ version: 2, createdBy: 'admin', baseline: false, added: ['street-order.test-kiosk'], changed: ['environment.dead-animal'], count: items.length + 1 }),
      ]);
      const v1 = await ok('yuzhong.operator', 'GET', '/api/v1/categories/versions/1');
      expect(v1.items.find((x: any) => x.code === 'environment.dead-animal').nameZh).toBe('动物尸体');
    });

    it('refuses an invalid list with 422, each problem in place (index and field; line for YAML)', async () => {
      const items = await list();
      const i = items.findIndex((c) => c.code === 'environment.road-dirt');
      const bad = items.map((c, k) => (k === i ? { ...c, respondWithin: 'soon', basis: 'sometimes', nameEn: '' } : c));
      const r = await call('admin', 'PUT', '/api/v1/categories', { items: bad });
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('CATEGORIES_INVALID');
      expect(r.body.errors.map((e: any) => e.path).sort()).toEqual([`/${i}/basis`, `/${i}/nameEn`, `/${i}/respondWithin`]);
      expect(r.body.errors.find((e: any) => e.path.endsWith('basis')).messageZh).toContain('计时方式');
      const orphan = [...items, { code: 'x-family.child', parentCode: 'x-family', nameZh: '孤儿', nameEn: 'Orphan', respondWithin: '1h', resolveWithin: '1d', basis: 'working', defaultPriority: 'normal', colour: 'red' }];
      const r2 = await call('admin', 'PUT', '/api/v1/categories', { items: orphan });
      expect(r2.status).toBe(422);
      expect(r2.body.errors.map((e: any) => e.path).sort()).toEqual([`/${items.length}/colour`, `/${items.length}/parentCode`]);
      const text = 'categories:\n  - code: a\n    parentCode: null\n    nameZh: 甲\n    nameEn: A\n    respondWithin: 2h\n    resolveWithin: 1h\n    basis: working\n    defaultPriority: normal\n';
      const r3 = await call('admin', 'PUT', '/api/v1/categories', text, yaml);
      expect(r3.status).toBe(422);
      expect(r3.body.errors).toEqual([expect.objectContaining({ path: '/categories/0/respondWithin', line: 6 })]);
      expect((await ok('admin', 'GET', '/api/v1/categories/versions')).items).toHaveLength(2);
    });

    it('refuses to remove a category that cases, plans, rules, units or the routing table use, naming what uses it; removes an unused one', async () => {
      const items = await list();
      const without = (...codes: string[]) => items.filter((c) => !codes.includes(c.code));
      const burst = await call('admin', 'PUT', '/api/v1/categories', { items: without('municipal.water.burst') });
      expect(burst.status).toBe(409);
      expect(burst.body.code).toBe('CATEGORY_IN_USE');
      expect(burst.body.uses).toEqual([expect.objectContaining({ code: 'municipal.water.burst', plans: ['water-main-burst'], rules: ['water-main-burst'] })]);
      const kiosk = await call('admin', 'PUT', '/api/v1/categories', { items: without('street-order.test-kiosk') });
      expect(kiosk.status).toBe(409);
      expect(kiosk.body.uses[0]).toMatchObject({ code: 'street-order.test-kiosk', cases: 1 });
      const noise = await ok('admin', 'POST', '/api/v1/categories/validate', { items: without('appeal.environment.square-dance-noise') });
      expect(noise.ok).toBe(false);
      expect(noise.inUse[0].routing).toEqual(expect.arrayContaining(['rules/0', expect.stringMatching(/^refine\/\d+$/)]));
      expect(t.platform.org.category('municipal.water.burst')).toBeDefined();
      // An unused one goes: add and remove a category nothing uses.
      const extra = { code: 'greening.test-lawn', parentCode: 'greening', nameZh: '测试草坪', nameEn: 'Test lawn', respondWithin: '2h', resolveWithin: '5d', basis: 'working', defaultPriority: 'low' };
      expect((await call('admin', 'PUT', '/api/v1/categories', { items: [...items, extra] })).status).toBe(201);
      const removed = await call('admin', 'PUT', '/api/v1/categories', { items });
      expect(removed.status).toBe(201);
      expect(removed.body).toMatchObject({ removed: ['greening.test-lawn'], version: 4 });
      expect(t.platform.org.category('greening.test-lawn')).toBeUndefined();
      expect((await ok('admin', 'GET', '/api/v1/categories/versions')).items.map((v: any) => v.createdBy)).toEqual(['system', 'admin', 'admin', 'admin']);
    });

    it('two saves at the same moment: each is stored whole or refused as a conflict, never half or a 500', async () => {
      const items = await list();
      const a = { code: 'greening.test-a', parentCode: 'greening', nameZh: '测试甲', nameEn: 'Test A', respondWithin: '2h', resolveWithin: '5d', basis: 'working', defaultPriority: 'low' };
      const b = { ...a, code: 'greening.test-b', nameZh: '测试乙', nameEn: 'Test B' };
      const before = (await ok('admin', 'GET', '/api/v1/categories/versions')).items.length;
      const results = await Promise.all([call('admin', 'PUT', '/api/v1/categories', { items: [...items, a] }), call('admin', 'PUT', '/api/v1/categories', { items: [...items, b] })]);
      for (const r of results) expect([201, 409]).toContain(r.status);
      const stored = results.filter((r) => r.status === 201).length;
      expect(stored).toBeGreaterThanOrEqual(1);
      for (const r of results.filter((x) => x.status === 409)) expect(r.body.code).toBe('CATEGORIES_CONFLICT');
      // The list in force is one of the two, whole; each stored save is one version.
      const now = (await list()).map((c) => c.code);
      expect(now.includes('greening.test-a') !== now.includes('greening.test-b')).toBe(true);
      expect((await ok('admin', 'GET', '/api/v1/categories/versions')).items.length).toBe(before + stored);
      await call('admin', 'PUT', '/api/v1/categories', { items });
    });
  });
});
