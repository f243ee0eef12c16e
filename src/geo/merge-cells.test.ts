import { describe, expect, it } from 'vitest';
import { mergeCells } from './merge-cells.ts';

// A 3×3 block of unit squares; vertex id of (i, j) is j * 4 + i.
const xy = new Float64Array(32);
for (let j = 0; j < 4; j++) for (let i = 0; i < 4; i++) { xy[2 * (j * 4 + i)] = i; xy[2 * (j * 4 + i) + 1] = j; }
const cell = (i: number, j: number) => [j * 4 + i, j * 4 + i + 1, (j + 1) * 4 + i + 1, (j + 1) * 4 + i]; // counter-clockwise

describe('mergeCells', () => {
  it('merges neighbours into one ring', () => {
    const polygons = mergeCells([cell(0, 0), cell(1, 0)], xy);
    expect(polygons).toHaveLength(1);
    expect(polygons[0]).toHaveLength(1);
    expect(new Set(polygons[0]![0])).toEqual(new Set([0, 1, 2, 6, 5, 4]));
  });

  it('keeps a hole where the middle cell is missing', () => {
    const ring = [0, 1, 2].flatMap((j) => [0, 1, 2].map((i) => [i, j] as const)).filter(([i, j]) => i !== 1 || j !== 1);
    const polygons = mergeCells(ring.map(([i, j]) => cell(i, j)), xy);
    expect(polygons).toHaveLength(1);
    expect(polygons[0]).toHaveLength(2);
    expect(new Set(polygons[0]![1])).toEqual(new Set([5, 6, 10, 9]));
  });

  it('returns separate polygons for cells that do not share an edge', () => {
    expect(mergeCells([cell(0, 0), cell(2, 2)], xy)).toHaveLength(2);
  });
});
