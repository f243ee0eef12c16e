import { describe, expect, it } from 'vitest';
import { createRandom } from '../../geo/seeded-random.ts';
import { RadixCellHeap, sortableBits } from './radix-heap.ts';

describe('RadixCellHeap', () => {
  it('maps Float32 values to uint32s in the same order, negatives included', () => {
    const values = [-1e30, -300.5, -1, -0.0001, 0, 0.0001, 1, 212.23, 1232.9, 1e30].map(Math.fround);
    const bits = values.map(sortableBits);
    for (let i = 1; i < bits.length; i++) expect(bits[i]!).toBeGreaterThan(bits[i - 1]!);
  });

  it('pops in rising key order while pushes stay at or above the last key popped, as in Priority-Flood', () => {
    const random = createRandom(7);
    const heap = new RadixCellHeap();
    const keys = new Float32Array(20000);
    const popped: number[] = [];
    let floor = -50;
    let next = 0;
    for (let i = 0; i < 500; i++) {
      keys[next] = Math.fround(floor + random() * 100);
      heap.push(next, keys[next]!);
      next++;
    }
    while (heap.size > 0) {
      const cell = heap.pop();
      const key = keys[cell]!;
      popped.push(key);
      floor = key;
      // a popped cell lets in up to two cells above it, like a flood front
      for (let j = 0; j < 2 && next < keys.length && random() < 0.52; j++) {
        keys[next] = Math.fround(floor + random() * (random() < 0.2 ? 0 : 30));
        heap.push(next, keys[next]!);
        next++;
      }
    }
    expect(popped.length).toBe(next);
    const sorted = [...popped].sort((a, b) => a - b);
    expect(popped).toEqual(sorted);
  });

  it('refuses a key below the last one popped', () => {
    const heap = new RadixCellHeap();
    heap.push(1, 10);
    heap.pop();
    expect(() => heap.push(2, 9.5)).toThrow(/not monotone/);
  });
});
