import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { testHttp } from '../support/http.ts';
import { changedParts, CONFIG_PARTS, type ConfigFingerprint } from '../../src/store/config-watch.ts';
import type { Platform } from '../../src/platform.ts';

/**
 * Two processes on one store (a second server, or the CLI beside a running one): what an
 * administrator changes through one reaches the memory of the other at its next look, not at its
 * next restart.
 */
describe.each(DIALECTS)('configuration changed by another process (%s)', (dialect) => {
  let tp: TestPlatform;
  let other: Platform;
  let admin: string;
  // Requests name the bearer token itself.
  const { call } = testHttp(() => tp.app, (token) => token);

  beforeAll(async () => {
    tp = await openTestPlatform(dialect);
    admin = await tp.signIn('admin');
    other = await tp.openSecond();
    // A long interval: the test looks itself, when it wants.
    await other.config.start(3_600_000);
  }, 120_000);
  afterAll(async () => {
    await other?.close();
    await tp?.close();
  });

  it('looks and finds nothing when nothing changed', async () => {
    expect(await other.config.check()).toEqual([]);
  });

  it('reads again the routing table, rules, categories and devices another process saved', async () => {
    const routingBefore = other.intake.table!.version;
    const ruleId = other.rules.active()[0]!.rule.id;
    const row = await tp.platform.store.db.selectFrom('routing_tables').select('source').orderBy('version', 'desc').limit(1).executeTakeFirstOrThrow();
    expect((await tp.platform.intake.saveTable(`${row.source}\n# 值班长调整\n`, 'admin')).created).toBe(true);
    const off = await call(admin, 'POST', `/api/v1/rules/${ruleId}/deactivate`, {});
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    const items = (await call<{ items: { code: string; [field: string]: unknown }[] }>(admin, 'GET', '/api/v1/categories')).body.items;
    items.push({ code: 'street-order.night-market', parentCode: 'street-order', nameZh: '夜市占道', nameEn: 'Night market on the road', respondWithin: '2h', resolveWithin: '3d', basis: 'working', defaultPriority: 'low' });
    expect((await call(admin, 'PUT', '/api/v1/categories', { items })).status).toBe(201);
    expect((await call(admin, 'POST', '/api/v1/devices', { id: 'gas-watch-01', type: 'gas_detector', name: '观音岩燃气监测', lon: 106.5455, lat: 29.5635 })).status).toBe(201);

    // Before the look, the other process still holds what it read at start.
    expect(other.intake.table!.version).toBe(routingBefore);
    expect(other.org.category('street-order.night-market')).toBeUndefined();
    expect(other.sensing.devices.get('gas-watch-01')).toBeUndefined();

    expect((await other.config.check()).sort()).toEqual(['devices', 'org', 'routing', 'rules']);
    expect(other.intake.table!.version).toBe(routingBefore + 1);
    expect(other.rules.active().map((v) => v.rule.id)).not.toContain(ruleId);
    expect(other.org.category('street-order.night-market')).toMatchObject({ nameZh: '夜市占道' });
    expect(other.sensing.devices.get('gas-watch-01')).toMatchObject({ type: 'gas_detector' });
    // Read once: the next look finds nothing new.
    expect(await other.config.check()).toEqual([]);
  });

  it('reads again a plan saved by another process', async () => {
    const plan = other.plans.candidates()[0]!.plan;
    const row = await tp.platform.store.db.selectFrom('plans').select(['source', 'version']).where('id', '=', plan.id).orderBy('version', 'desc').limit(1).executeTakeFirstOrThrow();
    const saved = await tp.platform.plans.save(`${row.source}\n# 修订\n`, 'admin');
    expect(saved.version).toBe(Number(row.version) + 1);
    expect(await other.config.check()).toEqual(['plans']);
    expect(other.plans.latest(plan.id)?.version).toBe(saved.version);
  });
});

describe('which parts changed', () => {
  it('names each part whose fingerprint differs, and no other', () => {
    const base = Object.fromEntries(CONFIG_PARTS.map((p) => [p, `${p}:1`])) as ConfigFingerprint;
    expect(changedParts(base, base)).toEqual([]);
    expect(changedParts(base, { ...base, rules: 'rules:2', devices: 'devices:2' })).toEqual(['rules', 'devices']);
  });
});
