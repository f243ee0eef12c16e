import { describe, expect, it } from 'vitest';
import { hasSharedData, sharedDataPath } from '../../../test/support/shared-data.ts';
import { buildMerewetherCase, loadMerewether, MEREWETHER_INFLOW, scoreMerewether } from './merewether-case.ts';
import { runLocalInertial } from './run-local-inertial.ts';

const DIR = sharedDataPath('benchmarks', 'merewether');

describe.skipIf(!hasSharedData('benchmarks', 'merewether', 'merewether_dem_1m.tif'))('Merewether (ARR Project 15, ANUGA validation case)', () => {
  it('reads the case as ANUGA sets it up', async () => {
    const data = await loadMerewether(DIR);
    expect(data.dem.width).toBe(321);
    expect(data.dem.height).toBe(416);
    expect(data.houses).toHaveLength(59);
    expect(data.houses.some((h) => h.name === 'house030')).toBe(false);
    expect(data.observations.map((o) => o.id)).toEqual(['4', '3', '0', '1', '2']);
    const c = buildMerewetherCase(data, { factor: 1 });
    // 0.02 on the road, 0.04 elsewhere; houses raised
    const manning = c.setup.manning as Float32Array;
    expect(new Set(manning)).toEqual(new Set([Math.fround(0.02), Math.fround(0.04)]));
    expect(c.setup.buildings!.raiseM).toBe(3);
    let houseCells = 0;
    for (const v of c.setup.buildings!.mask) houseCells += v;
    expect(houseCells).toBeGreaterThan(5000);
    expect(c.setup.openEdges).toEqual(['north', 'east']);
  });

  it('runs 300 s on the DEM coarsened to 2 m: water reaches the five points, mass balances', async () => {
    const data = await loadMerewether(DIR);
    const c = buildMerewetherCase(data, { factor: 2, durationS: 300 });
    const result = await runLocalInertial(c.setup, { threads: 1 });
    const mb = result.massBalance;
    expect(mb.inflowM3).toBeCloseTo(MEREWETHER_INFLOW.dischargeM3s * 300, 6);
    expect(mb.errorPct).toBeLessThan(0.1);
    expect(Math.abs(mb.inflowM3 - mb.outflowM3 - mb.finalM3)).toBeLessThan(1e-6 * mb.inflowM3);
    const score = scoreMerewether(c, result);
    for (const p of score.points) {
      const g = c.setup.gauges!.find((gauge) => gauge.name === p.id)!;
      // wet, and the peak level within half a metre of the observed one
      expect(result.maxDepth[g.row * c.grid.width + g.col]!, p.id).toBeGreaterThan(0.01);
      expect(Math.abs(p.modelM - p.observedM), p.id).toBeLessThan(0.5);
    }
    // the TUFLOW figure of the ARR report, from the file
    expect(score.tuflowRmseM).toBeCloseTo(0.1476, 3);
  });

  it.skipIf(!process.env.VALIDATE)('VALIDATE: 1000 s on the 1 m DEM: peak-stage RMSE against the observed levels', async () => {
    const data = await loadMerewether(DIR);
    const c = buildMerewetherCase(data, { factor: 1, durationS: 1000 });
    const result = await runLocalInertial(c.setup, { threads: 2 });
    expect(result.massBalance.errorPct).toBeLessThan(0.1);
    const score = scoreMerewether(c, result);
    // measured 0.143 m, TUFLOW's 0.148 m (docs/reference/flood-model.md): no worse than TUFLOW
    expect(score.modelRmseM).toBeLessThan(0.15);
    expect(score.modelRmseM).toBeLessThan(score.tuflowRmseM);
    for (const p of score.points) expect(Math.abs(p.modelM - p.observedM), p.id).toBeLessThan(0.35);
  }, 600_000);
});
