import { describe, expect, it } from 'vitest';
import type { AreaGeometry, Position } from './geometry.ts';
import { LATTICE_MISS, buildGridLattice, lookupGridLattice } from './grid-lattice.ts';
import { buildPolygonStore, storeContains } from './polygon-store.ts';
import { createRandom } from './seeded-random.ts';

/** Random star-shaped (so simple) polygons that overlap each other, some with holes. */
function randomPolygons(n: number, seed: number): AreaGeometry[] {
  const random = createRandom(seed);
  return Array.from({ length: n }, (_, k) => {
    const cx = random(), cy = random(), r = 0.03 + random() * 0.1;
    const m = 5 + Math.floor(random() * 20);
    const ring: Position[] = [];
    for (let i = 0; i < m; i++) {
      const a = (2 * Math.PI * i) / m;
      const rr = r * (0.5 + random() * 0.5);
      ring.push([cx + rr * Math.cos(a), cy + rr * Math.sin(a)]);
    }
    ring.push(ring[0]!);
    const hole: Position[] = [[cx - r / 8, cy - r / 8], [cx + r / 8, cy - r / 8], [cx + r / 8, cy + r / 8], [cx - r / 8, cy + r / 8], [cx - r / 8, cy - r / 8]];
    return { type: 'Polygon', coordinates: k % 3 === 0 ? [ring, hole] : [ring] };
  });
}

describe('grid lattice', () => {
  it.each([64, 4096, 1 << 18])('returns the lowest-index containing polygon, like brute force (%i cells)', (targetCells) => {
    const geometries = randomPolygons(120, 1);
    const store = buildPolygonStore(geometries);
    const lattice = buildGridLattice(store, Int32Array.from(geometries.keys()), { targetCells });
    const random = createRandom(2);
    for (let k = 0; k < 20_000; k++) {
      let x = random() * 1.2 - 0.1;
      let y = random() * 1.2 - 0.1;
      // Some probes exactly on polygon vertices, where the edge rule decides.
      if (k % 10 === 0) {
        const g = geometries[k % geometries.length]!;
        const ring = (g.coordinates as Position[][])[0]!;
        [x, y] = ring[k % (ring.length - 1)]!;
      }
      let expected = LATTICE_MISS;
      for (let i = 0; i < geometries.length; i++) {
        if (storeContains(store, i, x, y)) { expected = i; break; }
      }
      expect(lookupGridLattice(lattice, store, x, y)).toBe(expected);
    }
  });

  it('handles an empty item list', () => {
    const store = buildPolygonStore([]);
    const lattice = buildGridLattice(store, new Int32Array(0));
    expect(lookupGridLattice(lattice, store, 0, 0)).toBe(LATTICE_MISS);
  });
});
