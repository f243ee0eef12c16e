import { describe, expect, it } from 'vitest';
import { exactCellAverages, ritterAt, stokerAt, stokerMiddleState } from './exact-dam-break.ts';

describe('Stoker middle state (Newton)', () => {
  it('matches the published values for h_l = 1, h_r = 0.1', () => {
    const m = stokerMiddleState(1, 0.1);
    expect(Math.abs(m.depth - 0.396175)).toBeLessThan(1e-6);
    expect(Math.abs(m.velocity - 2.321355)).toBeLessThan(1e-6);
    expect(Math.abs(m.shockSpeed - 3.105134)).toBeLessThan(1e-6);
  });

  it('matches the published values for h_l = 10, h_r = 5', () => {
    const m = stokerMiddleState(10, 5);
    expect(Math.abs(m.depth - 7.269204)).toBeLessThan(1e-6);
    expect(Math.abs(m.velocity - 2.919933)).toBeLessThan(1e-6);
    expect(Math.abs(m.shockSpeed - 9.353758)).toBeLessThan(1e-6);
  });

  it('refuses a dry or higher downstream depth (Ritter covers the dry bed)', () => {
    expect(() => stokerMiddleState(1, 0)).toThrow(/hRight/);
    expect(() => stokerMiddleState(1, 2)).toThrow(/hRight/);
  });
});

describe('exact profiles', () => {
  it('Ritter keeps the volume and runs its front at 2√(g h)', () => {
    const t = 5;
    const avg = exactCellAverages((x) => ritterAt(1, x, t, 50).depth, 0, 100, 2000);
    const volume = avg.reduce((a, b) => a + b, 0) * (100 / 2000);
    expect(volume).toBeCloseTo(50, 3);
    const front = 50 + 2 * Math.sqrt(9.81) * t;
    expect(ritterAt(1, front - 0.01, t, 50).depth).toBeGreaterThan(0);
    expect(ritterAt(1, front + 0.01, t, 50).depth).toBe(0);
    // the depth at the dam stays 4/9 h_l (critical flow)
    expect(ritterAt(1, 50, t, 50).depth).toBeCloseTo(4 / 9, 12);
  });

  it('Stoker keeps the volume (the bore satisfies Rankine–Hugoniot)', () => {
    const t = 4;
    const avg = exactCellAverages((x) => stokerAt(10, 5, x, t, 50).depth, 0, 100, 4000);
    const volume = avg.reduce((a, b) => a + b, 0) * (100 / 4000);
    expect(volume).toBeCloseTo(10 * 50 + 5 * 50, 2);
    const m = stokerMiddleState(10, 5);
    expect(stokerAt(10, 5, 50 + m.shockSpeed * t - 0.01, t, 50).depth).toBeCloseTo(m.depth, 12);
    expect(stokerAt(10, 5, 50 + m.shockSpeed * t + 0.01, t, 50).depth).toBe(5);
  });
});
