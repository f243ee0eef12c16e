import { describe, expect, it } from 'vitest';
import { hasSharedData, sharedDataPath } from '../../../test/support/shared-data.ts';
import { runMalpasset } from './malpasset-case.ts';

const DIR = ['benchmarks', 'malpasset'];
const present = hasSharedData(...DIR, 'malpasset_bottom_20m.tif') && hasSharedData(...DIR, 'observations.csv');
/** x of the dam line's middle (the local metric coordinates of the TELEMAC case) */
const DAM_X = 4678;

describe.skipIf(!present)('Malpasset dam break', () => {
  it('short: 40 m grid to 300 s — water kept, the wave reaches A and runs down the valley at a plausible speed', async () => {
    const { mc, result, metrics } = await runMalpasset(sharedDataPath(...DIR), { cellFactor: 2, durationS: 300 }, { threads: 1 });
    // the reservoir TELEMAC starts from: about 49 million m³ behind the dam (the lake held ~55 Mm³)
    expect(result.massBalance.initialM3 / 1e6).toBeGreaterThan(45);
    expect(result.massBalance.initialM3 / 1e6).toBeLessThan(56);
    expect(metrics.massErrorPct).toBeLessThan(1e-9);
    expect(result.simulatedSeconds).toBe(300);
    // transformer A, 900 m below the dam, lost power about a minute and a half after the failure
    expect(metrics.arrivalS.A).toBeGreaterThan(40);
    expect(metrics.arrivalS.A).toBeLessThan(200);
    // the front (0.05 m) after 300 s: a mean speed of 4–15 m/s from the dam, as flood waves in a valley go
    const { width } = mc.setup.terrain;
    let frontX = 0;
    result.finalDepth.forEach((d, i) => {
      if (d > 0.05) frontX = Math.max(frontX, mc.originX + ((i % width) + 0.5) * mc.cellSizeM);
    });
    const speed = (frontX - DAM_X) / 300;
    expect(speed).toBeGreaterThan(4);
    expect(speed).toBeLessThan(15);
    // P6, just below the dam, has seen its peak by 300 s: within 6 m of the physical model's 84.2 m
    const p6 = metrics.maxLevels.find((p) => p.id === 'P6')!;
    expect(Math.abs(p6.errorM)).toBeLessThan(6);
  });

  it.skipIf(!process.env.VALIDATE)('full: 20 m grid to 4000 s — travel times A→B and A→C within 5 % of the observed', async () => {
    const { result, metrics, wallSeconds } = await runMalpasset(sharedDataPath(...DIR), { cellFactor: 1, durationS: 4000 }, { threads: 2 });
    console.log(JSON.stringify({ wallSeconds, steps: result.steps, cellUpdates: result.cellUpdates, ...metrics }, null, 1));
    expect(metrics.massErrorPct).toBeLessThan(1e-8);
    expect(Math.abs(metrics.travelABErrorPct)).toBeLessThan(5);
    expect(Math.abs(metrics.travelACErrorPct)).toBeLessThan(5);
  }, 3_600_000);
});
