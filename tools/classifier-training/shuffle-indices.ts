/**
 * Fisher–Yates shuffle of an index array in place, driven by the project's seeded generator
 * (src/geo/seeded-random.ts), so training shuffles the same way on every run and machine.
 */
import type { Random } from '../../src/geo/seeded-random.ts';

export function shuffleInPlace(a: Int32Array, random: Random): Int32Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}
