import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { openStore, type StoreAdapter } from '../store/store.ts';
import { PlanRegistry } from './plan-registry.ts';
import { cityPackFolders, cityPackDir } from '../city-pack.ts';

const SHIPPED_PLANS_DIR = cityPackFolders(cityPackDir('chongqing')).plansDir;

describe('plan registry: the plans folder read again at start', () => {
  let dir: string;
  let store: StoreAdapter;
  let registry: PlanRegistry;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cityloop-plans-'));
    store = await openStore({ dataDir: dir });
    registry = new PlanRegistry({ store, clock: new ManualClock('2026-07-01T00:00:00Z'), parseOptions: () => ({}) });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps an administrator\'s version when the file did not change; an edited file is a new version', async () => {
    const folder = join(dir, 'plans');
    mkdirSync(folder);
    const file = join(folder, 'manhole-cover.yaml');
    copyFileSync(join(SHIPPED_PLANS_DIR, 'manhole-cover.yaml'), file);
    const first = await registry.loadFolder(folder);
    expect(first.refused).toEqual([]);
    const id = first.loaded[0]!.id;
    const shipped = readFileSync(file, 'utf8');
    const edited = await registry.save(`${shipped}\n# 管理员调整：夜间也派养护单位\n`, 'admin');
    expect(edited).toEqual({ id, version: 2, created: true });

    const again = await registry.loadFolder(folder);
    expect(again.loaded).toEqual([{ file: 'manhole-cover.yaml', id, version: 2, created: false }]);
    expect(registry.latest(id)?.version).toBe(2);

    writeFileSync(file, `${shipped}\n# 新版本随软件发布\n`);
    const upgraded = await registry.loadFolder(folder);
    expect(upgraded.loaded).toEqual([{ file: 'manhole-cover.yaml', id, version: 3, created: true }]);
  });
});
