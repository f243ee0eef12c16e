import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../store/store.ts';
import { DIALECTS, PG_URL } from '../../test/support/test-platform.ts';
import type { AssetRecord } from './asset.ts';
import { countAssets, deleteAssetsOfType, insertAssets, loadAssets } from './asset-repository.ts';

const records: AssetRecord[] = [
  {
    id: 'wm-b',
    type: 'water_main',
    name: '二号管',
    geometry: { type: 'LineString', coordinates: [[106.5, 29.5], [106.51, 29.52]] },
    properties: { diameter_mm: 300, material: '球墨铸铁' },
    unitId: 'unit-500103-water-supply',
    jurisdictionCode: '500103',
    generated: true,
  },
  {
    id: 'wm-a',
    type: 'water_main',
    name: null,
    geometry: { type: 'LineString', coordinates: [[106.4, 29.4], [106.41, 29.41]] },
    properties: { diameter_mm: 800 },
    unitId: null,
    jurisdictionCode: null,
    generated: false,
  },
  ...Array.from({ length: 450 }, (_, i): AssetRecord => ({
    id: `mh-${String(i).padStart(3, '0')}`,
    type: 'manhole',
    name: '窨井盖',
    geometry: { type: 'Point', coordinates: [106.5 + i * 1e-4, 29.5] },
    properties: {},
    unitId: null,
    jurisdictionCode: '500103',
    generated: true,
  })),
];

describe.each(DIALECTS)('asset repository on %s', (dialect) => {
  it('stores, loads, counts and deletes assets by type', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cityloop-assets-'));
    const schema = `as_${process.pid}_${Date.now()}`;
    const store = await openStore(dialect === 'postgres' ? { databaseUrl: PG_URL, pgSchema: schema } : { dataDir: dir });
    try {
      const progress: number[] = [];
      await store.transact((tx) => insertAssets(tx, records, (done) => progress.push(done)));
      expect(progress).toEqual([400, 452]);
      expect(await countAssets(store.db)).toEqual({ water_main: 2, manhole: 450 });
      const mains = await loadAssets(store.db, ['water_main']);
      expect(mains).toEqual([records[1], records[0]]);
      const row = await store.db.selectFrom('assets').selectAll().where('id', '=', 'wm-b').executeTakeFirstOrThrow();
      expect([row.min_x, row.min_y, row.max_x, row.max_y]).toEqual([106.5, 29.5, 106.51, 29.52]);
      expect(await loadAssets(store.db)).toHaveLength(452);
      expect(await loadAssets(store.db, [])).toEqual([]);
      expect(await store.transact((tx) => deleteAssetsOfType(tx, 'manhole'))).toBe(450);
      expect(await countAssets(store.db)).toEqual({ water_main: 2 });
    } finally {
      if (dialect === 'postgres') await store.db.schema.dropSchema(schema).ifExists().cascade().execute();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
