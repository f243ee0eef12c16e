import { describe, expect, it } from 'vitest';
import { CityLoopError } from '../../errors.ts';
import type { DamBreakInput, DamBreakSetup, TerrainGrid } from '../model-contracts.ts';
import { crestCells } from './dam-breach.ts';
import { runDamBreak } from './dam-break-model.ts';

/** A valley falling southwards (rows), 5 m cells; the dam crosses it along row 10. */
function valley(): TerrainGrid {
  const width = 40;
  const height = 40;
  const data = new Float32Array(width * height);
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) data[r * width + c] = 20 - 0.3 * r + 0.1 * Math.abs(c - 20);
  return { width, height, dx: 5, dy: 5, data };
}

function dam(breach: DamBreakInput['breach']): DamBreakInput {
  return { crestLine: [{ col: 0.2, row: 10.5 }, { col: 39.8, row: 10.5 }], crestLevelM: 21, reservoirLevelM: 19.5, reservoirSide: { col: 20, row: 5 }, breach };
}

function setup(breach: DamBreakInput['breach']): DamBreakSetup {
  return { terrain: valley(), manning: 0.04, dam: dam(breach), boundary: 'open', durationS: 60, outputIntervalS: 30 };
}

/** water south of the dam (rows ≥ 12) in a depth field, m³ */
function downstreamVolume(depth: Float32Array): number {
  let v = 0;
  for (let i = 12 * 40; i < depth.length; i++) v += depth[i]! * 25;
  return v;
}

describe('the dam as data', () => {
  it('rasterises the crest without diagonal gaps', () => {
    const t = valley();
    const cells = crestCells({ ...dam({ mode: 'sudden' }), crestLine: [{ col: 2.5, row: 2.5 }, { col: 30.5, row: 20.7 }] }, t);
    for (let k = 1; k < cells.cells.length; k++) {
      const a = cells.cells[k - 1]!;
      const b = cells.cells[k]!;
      // consecutive cells share an edge (4-connected)
      expect(Math.abs((a % 40) - (b % 40)) + Math.abs(Math.floor(a / 40) - Math.floor(b / 40))).toBe(1);
      expect(cells.along[k]!).toBeGreaterThanOrEqual(cells.along[k - 1]! - 5);
    }
    expect(cells.lengthM).toBeCloseTo(Math.hypot(28 * 5, 18.2 * 5), 6);
  });

  it('fills the reservoir up to the crest only, and a sudden break sends it downstream', async () => {
    const res = await runDamBreak(setup({ mode: 'sudden' }), { threads: 1 });
    const start = res.snapshots[0]!.depth;
    const t = valley();
    for (let r = 0; r < 40; r++) {
      for (let c = 0; c < 40; c++) {
        const i = r * 40 + c;
        const expected = r < 10 ? Math.max(0, 19.5 - t.data[i]!) : 0;
        expect(start[i]).toBeCloseTo(expected, 5);
      }
    }
    expect(downstreamVolume(start)).toBe(0);
    expect(downstreamVolume(res.snapshots[1]!.depth)).toBeGreaterThan(100);
    expect(res.massBalance.errorPct).toBeLessThan(1e-9);
  });

  it('a gradual breach lets less water through early than a sudden one', async () => {
    const [sudden, gradual] = await Promise.all([
      runDamBreak(setup({ mode: 'sudden' }), { threads: 1 }),
      runDamBreak(setup({ mode: 'gradual', centre: 0.5, finalWidthM: 40, finalBottomM: 10, formationS: 60 }), { threads: 1 }),
    ]);
    const early = (r: typeof sudden) => downstreamVolume(r.snapshots[1]!.depth);
    expect(early(gradual)).toBeGreaterThan(0);
    expect(early(gradual)).toBeLessThan(0.5 * early(sudden));
    // columns far from the breach centre stay behind the intact crest
    for (let r = 12; r < 16; r++) expect(gradual.maxDepth[r * 40 + 1]).toBe(0);
    expect(gradual.massBalance.errorPct).toBeLessThan(1e-9);
  });

  it('a dam line outside the raster is refused, naming the field', async () => {
    const bad = { ...setup({ mode: 'sudden' }), dam: { ...dam({ mode: 'sudden' }), crestLine: [{ col: 0.2, row: 10.5 }, { col: 45, row: 10.5 }] } };
    const e = await runDamBreak(bad).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CityLoopError);
    expect((e as CityLoopError).code).toBe('VALIDATION_FAILED');
    expect((e as Error).message).toMatch(/dam\.crestLine\[1\].*outside the raster/);
    const side = { ...setup({ mode: 'sudden' }), dam: { ...dam({ mode: 'sudden' }), reservoirSide: { col: -1, row: 5 } } };
    await expect(runDamBreak(side)).rejects.toThrow(/dam\.reservoirSide/);
    const breach = setup({ mode: 'gradual', centre: 2, finalWidthM: 40, finalBottomM: 10, formationS: 60 });
    await expect(runDamBreak(breach)).rejects.toThrow(/dam\.breach\.centre/);
  });
});
