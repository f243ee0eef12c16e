import { describe, expect, it } from 'vitest';
import type { InertialSetup } from '../model-contracts.ts';
import { runLocalInertial } from './run-local-inertial.ts';

// 320 × 320 cells: above the size where a run splits into bands over worker threads
function setup(durationS: number): InertialSetup {
  const W = 320;
  const data = new Float32Array(W * W);
  for (let r = 0; r < W; r++) for (let c = 0; c < W; c++) data[r * W + c] = 0.01 * c + 0.005 * r + 0.3 * Math.sin(c / 7) * Math.cos(r / 5);
  return {
    terrain: { width: W, height: W, dx: 2, dy: 2, data },
    manning: 0.03,
    boundary: 'open',
    rainfall: [{ hyetograph: [{ t: 0, value: 100 }] }],
    inflows: [{ col: 160, row: 160, radiusM: 6, hydrograph: [{ t: 0, value: 5 }] }],
    durationS,
    outputIntervalS: durationS / 2,
    gauges: [{ name: 'inflow', col: 160, row: 160 }],
  };
}

describe('runLocalInertial on two threads', () => {
  it('gives the same cells as one thread (the bands only split the work)', async () => {
    const one = await runLocalInertial(setup(10), { threads: 1 });
    const two = await runLocalInertial(setup(10), { threads: 2 });
    expect(two.steps).toBe(one.steps);
    expect(one.maxDepth[160 * 320 + 160]!).toBeGreaterThan(0.1);
    expect(Array.from(two.finalDepth)).toEqual(Array.from(one.finalDepth));
    expect(Array.from(two.maxVelocity)).toEqual(Array.from(one.maxVelocity));
    expect(Array.from(two.arrivalTime)).toEqual(Array.from(one.arrivalTime));
    expect(two.gauges[0]!.depths).toEqual(one.gauges[0]!.depths);
    expect(two.massBalance.inflowM3).toBe(one.massBalance.inflowM3);
    // the outflow is summed band by band: equal up to rounding
    expect(two.massBalance.outflowM3).toBeCloseTo(one.massBalance.outflowM3, 9);
    expect(two.massBalance.errorPct).toBeLessThan(1e-6);
  });

  it('stops its workers when aborted', async () => {
    const controller = new AbortController();
    const run = runLocalInertial(setup(10_000), { threads: 2, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });
});
