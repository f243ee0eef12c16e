/**
 * Crash recovery waits for the devices: a trusted alert left unverified by a crash opens its case
 * (and so applies its plan, whose device commands go out) only when `recover()` is called, which
 * `serve` does once the broker lets devices log in — not while the platform opens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { openPlatform, type Platform } from '../../src/platform.ts';
import { AlertOutbox } from '../../src/sensing/alerts/alert-service.ts';
import { SYSTEM_PRINCIPAL } from '../../src/auth/principal.ts';

describe('crash recovery of trusted alerts', () => {
  let tp: TestPlatform;
  let restarted: Platform | null = null;
  beforeAll(async () => {
    tp = await openTestPlatform('sqlite', { districts: ['500106'] });
  });
  afterAll(async () => {
    await restarted?.close();
    await tp?.close();
  });

  it('leaves a trusted alert unverified while the platform opens with deferRecovery, and verifies it on recover()', async () => {
    const gauge = tp.platform.sensing.devices.get('gauge-nankai-01')!;
    // The alert is committed, the crash comes before its after-commit verification.
    const raised = await tp.platform.store.transact((tx) =>
      tp.platform.sensing.alerts.raiseInTx(
        tx,
        {
          dedupKey: 'rule:underpass-water-level:gauge-nankai-01',
          source: 'rule',
          severity: 'yellow',
          title: `${gauge.name}：下穿道积水`,
          ruleId: 'underpass-water-level',
          ruleVersion: 1,
          trusted: true,
          categoryCode: 'safety.underpass-waterlogging',
          deviceId: gauge.id,
          assetId: gauge.assetId,
          location: { lon: gauge.lon, lat: gauge.lat },
          metric: 'water_level',
          value: 0.62,
          readings: { water_level: 0.62 },
          at: tp.clock.now().toISOString(),
        },
        new AlertOutbox(),
      ),
    );
    expect(raised).toMatchObject({ status: 'raised', caseId: null });

    restarted = await openPlatform(tp.settings, { clock: tp.clock, classifier: null, deferRecovery: true });
    expect(await restarted.sensing.alerts.get(SYSTEM_PRINCIPAL, raised.id)).toMatchObject({ status: 'raised', caseId: null });

    await restarted.recover();
    const verified = await restarted.sensing.alerts.get(SYSTEM_PRINCIPAL, raised.id);
    expect(verified.status).toBe('verified');
    expect(verified.caseId).toBeTruthy();
  });
});
