import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgeReadiness, ReadinessProbe, type ReadinessObservation } from './readiness.ts';
import { openStore, type Store } from '../store/store.ts';

const MB = 1024 * 1024;
const healthy: ReadinessObservation = {
  storeProbeError: null,
  storeFault: null,
  brokerConnected: true,
  ingestQueued: 10,
  ingestQueueBound: 20_000,
  diskFreeBytes: 500 * MB,
  diskMinFreeBytes: 100 * MB,
};

describe('readiness', () => {
  it('is ready when every check passes, and a missing broker is a choice, not a fault', () => {
    expect(judgeReadiness(healthy, 'T')).toMatchObject({ ready: true, failing: [], checkedAt: 'T' });
    expect(judgeReadiness({ ...healthy, brokerConnected: null }, 'T').ready).toBe(true);
  });

  it('names each check that fails, with why', () => {
    const r = judgeReadiness(
      { ...healthy, storeProbeError: 'SQLITE_BUSY: database is locked', brokerConnected: false, ingestQueued: 20_000, diskFreeBytes: 50 * MB },
      'T',
    );
    expect(r.ready).toBe(false);
    expect(r.failing).toEqual(['store', 'broker', 'ingest', 'disk']);
    expect(r.checks.store.detail).toMatch(/SQLITE_BUSY/);
    expect(r.checks.ingest.detail).toMatch(/20000 of 20000/);
    expect(r.checks.disk.detail).toMatch(/50 MB free, below the floor of 100 MB/);
  });

  it('is not ready while the last real write failed as full, even when the probe passes', () => {
    const r = judgeReadiness({ ...healthy, storeFault: { kind: 'full', at: '2026-12-07T00:00:00.000Z', detail: 'SQLITE_FULL: database or disk is full' } }, 'T');
    expect(r.failing).toEqual(['store']);
    expect(r.checks.store.detail).toMatch(/^full since .*SQLITE_FULL/);
  });

  it('fails the disk check when the free space cannot be read', () => {
    expect(judgeReadiness({ ...healthy, diskFreeBytes: { error: 'ENOENT' } }, 'T').failing).toEqual(['disk']);
  });

  it('observes once per second however often it is asked, with a real store and DATA_DIR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cityloop-ready-'));
    const store = await openStore({ dataDir: dir });
    let probes = 0;
    const counted: Store = { ...store, probeWrite: (ms) => (probes++, store.probeWrite(ms)) };
    let now = 1_000_000;
    const probe = new ReadinessProbe({ store: counted, dataDir: dir, minFreeBytes: 0, brokerConnected: () => null, ingest: () => ({ queued: 0, bound: 10 }), now: () => now });
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, () => probe.check()));
      expect(answers.every((a) => a.ready)).toBe(true);
      expect(probes).toBe(1);
      now += 999;
      await probe.check();
      expect(probes).toBe(1);
      now += 2;
      await probe.check();
      expect(probes).toBe(2);
      // The probe's write was rolled back: nothing is left in the store.
      expect(await store.db.selectFrom('settings').selectAll().execute()).toEqual([]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
