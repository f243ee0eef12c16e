import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import { CityLoopError } from '../../errors.ts';
import { openStore, type StoreAdapter } from '../../store/store.ts';
import { RuleRegistry } from './rule-registry.ts';
import { cityPackFolders, cityPackDir } from '../../city-pack.ts';

const SHIPPED_RULES_DIR = cityPackFolders(cityPackDir('chongqing')).rulesDir;

const V1 = `# the first version
id: gas-leak
name: 燃气浓度超限
deviceTypes: [gas_detector]
params: { alarm: 20 }
condition: { threshold: { metric: gas, above: $alarm }, for: 1m }
severity: yellow
`;

describe('rule registry (SQLite)', () => {
  let dir: string;
  let store: StoreAdapter;
  let clock: ManualClock;
  let registry: RuleRegistry;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cityloop-rules-'));
    store = await openStore({ dataDir: dir });
    clock = new ManualClock('2026-07-01T00:00:00Z');
    registry = new RuleRegistry({ store, clock });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores a changed definition as a new version and an unchanged one not at all', async () => {
    expect(await registry.save(V1, 'ops-1')).toEqual([{ id: 'gas-leak', version: 1, created: true }]);
    // Comments, layout and key order are not changes.
    const reformatted = `id: gas-leak\nname: 燃气浓度超限\nseverity: yellow\ndeviceTypes: [gas_detector]\nparams:\n  alarm: 20\ncondition:\n  for: 1m\n  threshold: { above: $alarm, metric: gas }\n`;
    expect(await registry.save(reformatted, 'ops-2')).toEqual([{ id: 'gas-leak', version: 1, created: false }]);
    clock.advance(60_000);
    expect(await registry.save(V1.replace('alarm: 20', 'alarm: 25'), 'ops-2')).toEqual([{ id: 'gas-leak', version: 2, created: true }]);

    expect(registry.all().map((r) => [r.id, r.definition.params])).toEqual([['gas-leak', { alarm: 25 }]]);
    expect(registry.active().map((r) => r.version)).toEqual([2]);
    expect(await registry.versions('gas-leak')).toEqual([
      { id: 'gas-leak', version: 1, name: '燃气浓度超限', createdAt: '2026-07-01T00:00:00.000Z', createdBy: 'ops-1', active: true },
      { id: 'gas-leak', version: 2, name: '燃气浓度超限', createdAt: '2026-07-01T00:01:00.000Z', createdBy: 'ops-2', active: true },
    ]);
    const first = await registry.get('gas-leak', 1);
    expect(first.source).toBe(V1);
    expect(first.rule.definition.params).toEqual({ alarm: 20 });
    expect((await registry.get('gas-leak')).version).toBe(2);
    await expect(registry.get('gas-leak', 9)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // Another registry on the same store (a restart) finds the newest version.
    const again = new RuleRegistry({ store, clock });
    await again.reload();
    expect(again.latest('gas-leak')?.version).toBe(2);
    expect(again.latest('gas-leak')?.rule.definition.params).toEqual({ alarm: 25 });
  });

  it('refuses an invalid text with every problem and stores nothing', async () => {
    const error = await registry.save(V1.replace('$alarm', '$alarn'), 'ops-1', 'gas.yaml').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CityLoopError);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', extra: { errors: [expect.objectContaining({ path: '/condition/threshold/above', line: 6 })] } });
    expect((error as Error).message).toMatch(/rule gas.yaml: \/condition\/threshold\/above \(line 6\): no parameter is named "alarn"/);
    expect(await registry.versions('gas-leak')).toEqual([]);
  });

  it('stores each rule of a list as its own row with its own text', async () => {
    const list = `# two rules
- id: rule-one
  name: 一
  deviceTypes: [gas_detector]
  condition: { threshold: { metric: gas, above: 20 } }
  severity: yellow
# the second
- id: rule-two
  name: 二
  deviceTypes: ['*']
  condition: { absence: { for: 15m } }
  severity: blue
`;
    expect(await registry.save(list, 'ops-1')).toEqual([
      { id: 'rule-one', version: 1, created: true },
      { id: 'rule-two', version: 1, created: true },
    ]);
    const two = await registry.get('rule-two', 1);
    expect(two.source).toContain('id: rule-two');
    expect(two.source).not.toContain('rule-one');
    expect(two.source).toContain('# the second');
    const again = new RuleRegistry({ store, clock });
    await again.reload();
    expect(again.all().map((r) => r.id).sort()).toEqual(['rule-one', 'rule-two']);
  });

  it('loads the shipped rules folder, once', async () => {
    const first = await registry.loadFolder(SHIPPED_RULES_DIR);
    expect(first.refused).toEqual([]);
    expect(first.loaded.map((l) => l.id).sort()).toEqual(['air-quality-pm25', 'bridge-structure', 'device-offline', 'forest-fire', 'gas-leak', 'traffic-congestion', 'underpass-water-level', 'water-main-burst']);
    expect(first.loaded.every((l) => l.created && l.version === 1)).toBe(true);
    const second = await registry.loadFolder(SHIPPED_RULES_DIR);
    expect(second.loaded.every((l) => !l.created)).toBe(true);
    expect(registry.all()).toHaveLength(8);
  });

  it('keeps an administrator\'s version when the unchanged file is read again at start; an edited file wins', async () => {
    const folder = join(dir, 'rules');
    mkdirSync(folder);
    writeFileSync(join(folder, 'gas.yaml'), V1);
    await registry.loadFolder(folder);
    await registry.save(V1.replace('alarm: 20', 'alarm: 25'), 'admin');
    expect(registry.latest('gas-leak')?.version).toBe(2);
    const again = await registry.loadFolder(folder);
    expect(again.loaded).toEqual([{ file: 'gas.yaml', id: 'gas-leak', version: 2, created: false }]);
    expect(registry.latest('gas-leak')?.rule.definition.params).toMatchObject({ alarm: 25 });
    writeFileSync(join(folder, 'gas.yaml'), V1.replace('alarm: 20', 'alarm: 30'));
    const edited = await registry.loadFolder(folder);
    expect(edited.loaded).toEqual([{ file: 'gas.yaml', id: 'gas-leak', version: 3, created: true }]);
  });

  it('keeps the good files of a folder when one is bad', async () => {
    const folder = join(dir, 'rules');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.yaml'), V1);
    writeFileSync(join(folder, 'b.yaml'), 'id: [');
    writeFileSync(join(folder, 'notes.txt'), 'not a rule');
    const { loaded, refused } = await registry.loadFolder(folder);
    expect(loaded.map((l) => l.file)).toEqual(['a.yaml']);
    expect(refused).toEqual([{ file: 'b.yaml', error: expect.stringMatching(/YAML/) }]);
  });

  it('leaves the previous version in force when the newest no longer reads', async () => {
    await registry.save(V1, 'ops-1');
    await registry.save(V1.replace('gas_detector', 'gas_sensor'), 'ops-1');
    const strict = new RuleRegistry({ store, clock, parseOptions: () => ({ metricsOf: (t) => (t === 'gas_detector' ? new Set(['gas']) : t === 'gas_sensor' ? new Set(['ch4']) : undefined) }) });
    await strict.reload();
    expect(strict.latest('gas-leak')?.version).toBe(1);
  });
});
