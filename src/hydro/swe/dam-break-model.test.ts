import { describe, expect, it } from 'vitest';
import { CityLoopError } from '../../errors.ts';
import type { DamBreakSetup, TerrainGrid } from '../model-contracts.ts';
import { runDamBreak } from './dam-break-model.ts';
import { observedOrder, REFINEMENTS, stripL1 } from './strip-validation.ts';

describe('dam break on a 1D strip against the exact solutions (second order)', () => {
  it('Stoker h_l = 1, h_r = 0.1 at t = 6 s: order ≥ 0.8, L1 < 0.08 m² at 800 cells', async () => {
    const l1 = await Promise.all(REFINEMENTS.map((n) => stripL1(n, 1, 0.1, 6, 2)));
    expect(observedOrder(REFINEMENTS, l1)).toBeGreaterThanOrEqual(0.8);
    expect(l1[3]).toBeLessThan(0.08);
  });

  it('Stoker h_l = 10, h_r = 5 at t = 4 s: order ≥ 0.8, L1 < 0.6 m² at 800 cells', async () => {
    const l1 = await Promise.all(REFINEMENTS.map((n) => stripL1(n, 10, 5, 4, 2)));
    expect(observedOrder(REFINEMENTS, l1)).toBeGreaterThanOrEqual(0.8);
    expect(l1[3]).toBeLessThan(0.6);
  });

  it('Ritter (dry bed) h_l = 1 at t = 6 s: order ≥ 0.9, L1 < 0.075 m² at 800 cells', async () => {
    const l1 = await Promise.all(REFINEMENTS.map((n) => stripL1(n, 1, 0, 6, 2)));
    expect(observedOrder(REFINEMENTS, l1)).toBeGreaterThanOrEqual(0.9);
    expect(l1[3]).toBeLessThan(0.075);
  });

  it('the second-order scheme is at least twice as accurate as the first-order one', async () => {
    const [first, second] = await Promise.all([stripL1(400, 1, 0.1, 6, 1), stripL1(400, 1, 0.1, 6, 2)]);
    expect(second * 2).toBeLessThan(first);
  });
});

/** Bumps between 0 and 0.8 m, and a hill rising to 1.5 m (an island when the lake is at 1 m). */
function bumpyTerrain(width: number, height: number, island: boolean): TerrainGrid {
  const data = new Float32Array(width * height);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      let z = 0.4 + 0.4 * Math.sin(c * 0.7) * Math.cos(r * 0.45);
      if (island) z = Math.max(z, 1.5 - 0.1 * Math.hypot(c - width / 2, r - height / 2));
      // on a 1/1024 m lattice, so that level − z is exact in Float32 and the lake starts exactly flat
      data[r * width + c] = Math.round(z * 1024) / 1024;
    }
  }
  return { width, height, dx: 1, dy: 1, data };
}

function lakeAt(level: number, t: TerrainGrid): Float32Array {
  return t.data.map((z) => Math.max(0, level - z));
}

describe('well balanced: a lake at rest stays at rest', () => {
  for (const order of [1, 2] as const) {
    for (const island of [false, true]) {
      it(`order ${order}, ${island ? 'with a dry island (wet/dry edges)' : 'all under water'}`, async () => {
        const terrain = bumpyTerrain(40, 30, island);
        const initialDepth = lakeAt(1, terrain);
        const res = await runDamBreak({ terrain, manning: 0.03, initialDepth, boundary: 'closed', durationS: 10, outputIntervalS: 0, order }, { threads: 1 });
        expect(res.steps).toBeGreaterThan(20);
        let maxSpeed = 0;
        let maxChange = 0;
        for (let i = 0; i < initialDepth.length; i++) {
          maxSpeed = Math.max(maxSpeed, res.maxVelocity[i]!);
          maxChange = Math.max(maxChange, Math.abs(res.finalDepth[i]! - initialDepth[i]!));
        }
        expect(maxSpeed).toBeLessThan(1e-10);
        expect(maxChange).toBeLessThan(1e-6);
        if (island) expect(initialDepth.some((d) => d === 0)).toBe(true);
      });
    }
  }
});

function columnBreak(width: number, height: number): DamBreakSetup {
  const terrain = bumpyTerrain(width, height, true);
  const initialDepth = new Float32Array(width * height);
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) if (Math.hypot(c - 8, r - 8) < 6) initialDepth[r * width + c] = 2;
  return { terrain, manning: 0.035, initialDepth, boundary: 'closed', durationS: 20, outputIntervalS: 5, gauges: [{ name: 'G', col: 16, row: 8 }] };
}

describe('mass and outputs', () => {
  it('a closed box keeps its water over wetting and drying (mass balance error < 1e-10 %)', async () => {
    const res = await runDamBreak(columnBreak(40, 30), { threads: 1 });
    expect(res.massBalance.initialM3).toBeGreaterThan(100);
    expect(res.massBalance.outflowM3).toBe(0);
    expect(Math.abs(res.massBalance.finalM3 - res.massBalance.initialM3) / res.massBalance.initialM3).toBeLessThan(1e-12);
    expect(res.massBalance.errorPct).toBeLessThan(1e-10);
    expect(res.snapshots.map((s) => s.t)).toEqual([0, 5, 10, 15, 20]);
    expect(res.simulatedSeconds).toBe(20);
    expect(res.finalDepth.every((d) => d >= 0)).toBe(true);
    // the wave reached the gauge: arrival recorded and the gauge's record saw water
    const g = res.gauges[0]!;
    expect(g.times.length).toBeGreaterThan(100);
    const gi = 8 * 40 + 16;
    expect(res.arrivalTime[gi]).toBeGreaterThan(0);
    expect(Math.max(...g.depths)).toBeCloseTo(res.maxDepth[gi]!, 1);
  });

  it('an open edge lets water out and the balance counts it', async () => {
    const width = 60;
    const height = 3;
    const initialDepth = new Float32Array(width * height).fill(1);
    const res = await runDamBreak({
      terrain: { width, height, dx: 1, dy: 1, data: new Float32Array(width * height).map((_, i) => -0.01 * (i % width)) },
      manning: 0.03, initialDepth, boundary: 'open', durationS: 30, outputIntervalS: 0,
    }, { threads: 1 });
    expect(res.massBalance.outflowM3).toBeGreaterThan(10);
    expect(res.massBalance.finalM3).toBeLessThan(res.massBalance.initialM3 - 10);
    expect(res.massBalance.errorPct).toBeLessThan(1e-9);
  });

  it('NaN terrain is a wall: nothing crosses it', async () => {
    const width = 40;
    const height = 3;
    const data = new Float32Array(width * height);
    const initialDepth = new Float32Array(width * height);
    for (let r = 0; r < height; r++) {
      data[r * width + 20] = NaN;
      for (let c = 0; c < 20; c++) initialDepth[r * width + c] = 1;
    }
    const res = await runDamBreak({ terrain: { width, height, dx: 1, dy: 1, data }, manning: 0, initialDepth, boundary: 'closed', durationS: 20, outputIntervalS: 0 }, { threads: 1 });
    for (let r = 0; r < height; r++) {
      for (let c = 21; c < width; c++) expect(res.maxDepth[r * width + c]).toBe(0);
      expect(res.maxDepth[r * width + 20]).toBeNaN();
    }
    expect(res.massBalance.errorPct).toBeLessThan(1e-10);
  });

  it('two threads give the same answer as one', async () => {
    const setup = columnBreak(40, 30);
    const [one, two] = await Promise.all([runDamBreak(setup, { threads: 1 }), runDamBreak(setup, { threads: 2 })]);
    expect(two.steps).toBe(one.steps);
    expect(Array.from(two.finalDepth)).toEqual(Array.from(one.finalDepth));
    expect(Array.from(two.maxVelocity)).toEqual(Array.from(one.maxVelocity));
  });
});

describe('run control and bad input', () => {
  it('reports progress up to the end', async () => {
    const seen: number[] = [];
    await runDamBreak(columnBreak(20, 20), { threads: 1, onProgress: (f) => seen.push(f) });
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.at(-1)!).toBeGreaterThan(0.98);
    expect(seen.every((f, k) => k === 0 || f >= seen[k - 1]!)).toBe(true);
  });

  it('an aborted run stops with an AbortError', async () => {
    const ac = new AbortController();
    const setup = { ...columnBreak(40, 30), durationS: 1e6 };
    const run = runDamBreak(setup, { threads: 1, signal: ac.signal, onProgress: () => ac.abort() });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('names the field of a bad setup', async () => {
    const ok = columnBreak(10, 10);
    await expect(runDamBreak({ ...ok, initialDepth: new Float32Array(3) })).rejects.toThrow(/initialDepth/);
    await expect(runDamBreak({ ...ok, durationS: -1 })).rejects.toThrow(/durationS/);
    await expect(runDamBreak({ ...ok, cfl: 2 })).rejects.toThrow(/cfl/);
    await expect(runDamBreak({ ...ok, gauges: [{ name: 'X', col: 99, row: 0 }] })).rejects.toThrow(/gauges\[0\]/);
    const e = await runDamBreak({ ...ok, durationS: 0 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CityLoopError);
    expect((e as CityLoopError).code).toBe('VALIDATION_FAILED');
  });
});
