import { describe, expect, it } from 'vitest';
import { circleMask, maskCount, polygonMask } from './cell-masks.ts';

// 10 × 10 cells of 1 m, west edge x = 100, north edge y = 200: cell (c, r) has its centre at (100.5 + c, 199.5 − r)
const grid = { width: 10, height: 10, originX: 100, originY: 200, cellWidth: 1, cellHeight: 1 };

describe('polygonMask', () => {
  it('takes the cells whose centres are inside a square', () => {
    const mask = polygonMask(grid, [
      [
        [102, 198],
        [106, 198],
        [106, 194],
        [102, 194],
      ],
    ]);
    expect(maskCount(mask)).toBe(16);
    expect(mask[2 * 10 + 2]).toBe(1); // centre (102.5, 197.5)
    expect(mask[2 * 10 + 6]).toBe(0); // centre (106.5, …) outside
    expect(mask[6 * 10 + 2]).toBe(0); // centre (…, 193.5) outside
  });

  it('leaves a hole out by the even-odd rule, and a closed ring counts like an open one', () => {
    const outer: Array<[number, number]> = [
      [100, 200],
      [110, 200],
      [110, 190],
      [100, 190],
      [100, 200],
    ];
    const hole: Array<[number, number]> = [
      [103, 197],
      [107, 197],
      [107, 193],
      [103, 193],
    ];
    const mask = polygonMask(grid, [outer, hole]);
    expect(maskCount(mask)).toBe(100 - 16);
    expect(mask[4 * 10 + 4]).toBe(0);
    expect(mask[0]).toBe(1);
  });

  it('handles a triangle by centres and ORs into a given mask', () => {
    const into = new Uint8Array(100);
    into[99] = 1;
    polygonMask(
      grid,
      [
        [
          [100, 200],
          [110, 200],
          [100, 190],
        ],
      ],
      into,
    );
    // the triangle is x − 100 < 200 − y; centres exactly on the diagonal (c + r = 9) fall outside (x < right crossing)
    let expected = 0;
    for (let r = 0; r < 10; r++) for (let c = 0; c < 10; c++) if (0.5 + c < 10 - (0.5 + r)) expected++;
    expect(expected).toBe(45);
    expect(maskCount(into)).toBe(expected + 1);
    expect(into[99]).toBe(1);
  });

  it('refuses a mask of the wrong size', () => {
    expect(() => polygonMask(grid, [], new Uint8Array(3))).toThrow(RangeError);
  });
});

describe('circleMask', () => {
  it('takes the centres within the radius', () => {
    // centred on the centre of cell (5, 5): radius 1 takes it and its 4 neighbours
    expect(maskCount(circleMask(grid, 105.5, 194.5, 1))).toBe(5);
    expect(maskCount(circleMask(grid, 105.5, 194.5, 0.4))).toBe(1);
    expect(maskCount(circleMask(grid, 105.5, 194.5, 1.5))).toBe(9);
    // clipped by the grid's edge
    expect(maskCount(circleMask(grid, 100.5, 199.5, 1))).toBe(3);
    expect(() => circleMask(grid, 0, 0, -1)).toThrow(RangeError);
  });
});
