/**
 * Point → jurisdiction chain (city, district, street, community, grid) for GCJ-02 positions.
 *
 * Semantics (the definition the fast path must reproduce exactly):
 *  1. Among the records (district level and below) whose polygon contains the point, take the
 *     deepest level; among those, the smallest code (string order, which is numeric order for
 *     the fixed-width statistical codes). Real boundaries overlap and leave gaps along rivers,
 *     so "several" and "none" both happen.
 *  2. If nothing contains the point, snap to the nearest district within SNAP_METERS (ties:
 *     smallest code) and report the distance; beyond that the point is outside the city.
 *  3. From the record found, descend to the lowest level through the nearest child (ties:
 *     smallest code) — no record deeper than the one found contains the point, so "nearest" is
 *     the only meaningful choice and it keeps the chain complete down to a grid.
 * The city (level 'city') never takes part in containment: its area is its districts' union.
 *
 * Fast path: a lattice over the deepest level's polygons (see grid-lattice.ts). A hit there is by
 * definition the answer of rule 1 (nothing is deeper); a miss falls back to rules 1–3 with
 * Flatbush bounding-box indexes per level.
 */
import Flatbush from 'flatbush';
import { METERS_PER_DEGREE } from './geometry.ts';
import { LATTICE_MISS, buildGridLattice, lookupGridLattice, type GridLattice } from './grid-lattice.ts';
import { LEVELS, levelIndex, type JurisdictionLevel, type JurisdictionRecord } from './jurisdiction.ts';
import { buildPolygonStore, storeContains, storeDistanceMeters, type PolygonStore } from './polygon-store.ts';

/** Points this close to a district (but in none) are snapped into it. */
export const SNAP_METERS = 1000;

export interface ResolvedLink {
  code: string;
  name: string;
  level: JurisdictionLevel;
}

export interface ResolvedPoint {
  /** City first, down to the lowest level found. */
  chain: ResolvedLink[];
  /** Set when the point lay in no district and was snapped to the nearest one. */
  snappedMeters?: number;
}

interface LevelIndex {
  readonly tree: Flatbush;
  /** Flatbush item id → record index. */
  readonly records: Int32Array;
}

function compareCodes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class JurisdictionResolver {
  readonly #records: readonly JurisdictionRecord[];
  readonly #codes: readonly string[];
  readonly #byCode: ReadonlyMap<string, number>;
  readonly #parent: Int32Array;
  readonly #childStart: Int32Array;
  readonly #children: Int32Array;
  readonly #store: PolygonStore;
  readonly #levels: readonly (LevelIndex | null)[];
  readonly #topLevel: number;
  readonly #lattice: GridLattice;
  readonly #links: readonly ResolvedLink[];

  private constructor(records: JurisdictionRecord[]) {
    this.#records = records;
    this.#codes = records.map((r) => r.code);
    const byCode = new Map<string, number>();
    records.forEach((r, i) => {
      if (byCode.has(r.code)) throw new Error(`duplicate jurisdiction code ${r.code}`);
      byCode.set(r.code, i);
    });
    this.#byCode = byCode;

    const n = records.length;
    const parent = new Int32Array(n).fill(-1);
    const childCount = new Int32Array(n + 1);
    records.forEach((r, i) => {
      if (r.parentCode === null) return;
      const p = byCode.get(r.parentCode);
      if (p === undefined) throw new Error(`jurisdiction ${r.code} has unknown parent ${r.parentCode}`);
      if (levelIndex(records[p]!.level) >= levelIndex(r.level)) {
        throw new Error(`jurisdiction ${r.code} (${r.level}) has parent ${r.parentCode} at level ${records[p]!.level}`);
      }
      parent[i] = p;
      childCount[p + 1]!++;
    });
    for (let i = 0; i < n; i++) childCount[i + 1]! += childCount[i]!;
    const children = new Int32Array(childCount[n]!);
    const fill = childCount.slice(0, n);
    // Records are sorted by (level, code), so each child run comes out in code order.
    for (let i = 0; i < n; i++) if (parent[i]! >= 0) children[fill[parent[i]!]!++] = i;
    this.#parent = parent;
    this.#childStart = childCount;
    this.#children = children;
    this.#links = records.map((r) => ({ code: r.code, name: r.name, level: r.level }));

    // The city never takes part in containment, so it gets no polygon in the store.
    this.#store = buildPolygonStore(records.map((r) => (r.level === 'city' ? null : r.geometry)));
    const levels: (LevelIndex | null)[] = LEVELS.map(() => null);
    let top = -1;
    let bottom = -1;
    for (let lev = 1; lev < LEVELS.length; lev++) {
      const ids: number[] = [];
      records.forEach((r, i) => {
        if (levelIndex(r.level) === lev && r.geometry) ids.push(i);
      });
      if (ids.length === 0) continue;
      if (top < 0) top = lev;
      bottom = lev;
      const tree = new Flatbush(ids.length);
      const bb = this.#store.bbox;
      for (const i of ids) tree.add(bb[i * 4]!, bb[i * 4 + 1]!, bb[i * 4 + 2]!, bb[i * 4 + 3]!);
      tree.finish();
      levels[lev] = { tree, records: Int32Array.from(ids) };
    }
    this.#levels = levels;
    this.#topLevel = top;
    const bottomItems = bottom >= 0 ? levels[bottom]!.records : new Int32Array(0);
    this.#lattice = buildGridLattice(this.#store, bottomItems);
  }

  /** Indexes the records. Throws on duplicate codes, unknown parents or a parent not above its child. */
  static build(records: readonly JurisdictionRecord[]): JurisdictionResolver {
    const sorted = [...records].sort(
      (a, b) => levelIndex(a.level) - levelIndex(b.level) || compareCodes(a.code, b.code),
    );
    return new JurisdictionResolver(sorted);
  }

  get size(): number {
    return this.#records.length;
  }

  get(code: string): JurisdictionRecord | undefined {
    const i = this.#byCode.get(code);
    return i === undefined ? undefined : this.#records[i];
  }

  /** Records of one level (or all), in code order. */
  list(level?: JurisdictionLevel): JurisdictionRecord[] {
    return level === undefined ? [...this.#records] : this.#records.filter((r) => r.level === level);
  }

  /** Direct children in code order. */
  childrenOf(code: string): JurisdictionRecord[] {
    const i = this.#byCode.get(code);
    if (i === undefined) return [];
    const out: JurisdictionRecord[] = [];
    for (let k = this.#childStart[i]!; k < this.#childStart[i + 1]!; k++) out.push(this.#records[this.#children[k]!]!);
    return out;
  }

  /** Lowest jurisdiction code for a GCJ-02 point, or null outside the city. The hot path. */
  resolveLowest(lng: number, lat: number): string | null {
    const hit = lookupGridLattice(this.#lattice, this.#store, lng, lat);
    if (hit !== LATTICE_MISS) return this.#codes[hit]!;
    const slow = this.#resolveSlow(lng, lat);
    return slow ? this.#codes[slow.index]! : null;
  }

  /** Full chain for a GCJ-02 point, or null outside the city. */
  resolve(lng: number, lat: number): ResolvedPoint | null {
    let index = lookupGridLattice(this.#lattice, this.#store, lng, lat);
    let snappedMeters: number | undefined;
    if (index === LATTICE_MISS) {
      const slow = this.#resolveSlow(lng, lat);
      if (!slow) return null;
      index = slow.index;
      snappedMeters = slow.snappedMeters;
    }
    const chain: ResolvedLink[] = [];
    for (let i = index; i >= 0; i = this.#parent[i]!) chain.push({ ...this.#links[i]! });
    chain.reverse();
    return snappedMeters === undefined ? { chain } : { chain, snappedMeters };
  }

  /** Smallest code at `level` whose polygon contains the point (no snapping, no descent). */
  findContaining(lng: number, lat: number, level: JurisdictionLevel): string | null {
    const i = this.#smallestContaining(levelIndex(level), lng, lat);
    return i < 0 ? null : this.#codes[i]!;
  }

  /** Whether the record's polygon contains the point (same edge rule as pointInGeometry). */
  containsPoint(code: string, lng: number, lat: number): boolean {
    const i = this.#byCode.get(code);
    return i !== undefined && storeContains(this.#store, i, lng, lat);
  }

  /** Approximate distance in metres to the record's polygon (0 inside; Infinity without one). */
  distanceMeters(code: string, lng: number, lat: number): number {
    const i = this.#byCode.get(code);
    if (i === undefined || this.#records[i]!.level === 'city' || !this.#records[i]!.geometry) return Infinity;
    return storeDistanceMeters(this.#store, i, lng, lat);
  }

  #smallestContaining(lev: number, x: number, y: number): number {
    const index = this.#levels[lev];
    if (!index) return -1;
    let best = -1;
    for (const id of index.tree.search(x, y, x, y)) {
      const i = index.records[id]!;
      if ((best < 0 || i < best) && storeContains(this.#store, i, x, y)) best = i;
    }
    return best;
  }

  #resolveSlow(x: number, y: number): { index: number; snappedMeters?: number } | null {
    if (!Number.isFinite(x) || !Number.isFinite(y) || this.#topLevel < 0) return null;
    for (let lev = LEVELS.length - 1; lev >= this.#topLevel; lev--) {
      const hit = this.#smallestContaining(lev, x, y);
      if (hit >= 0) return { index: this.#descend(hit, x, y) };
    }
    const top = this.#levels[this.#topLevel]!;
    const dy = (SNAP_METERS / METERS_PER_DEGREE) * 1.01;
    const dx = dy / Math.max(0.01, Math.cos((y * Math.PI) / 180));
    let best = -1;
    let bestMeters = Infinity;
    for (const id of top.tree.search(x - dx, y - dy, x + dx, y + dy)) {
      const i = top.records[id]!;
      const d = storeDistanceMeters(this.#store, i, x, y);
      if (d < bestMeters || (d === bestMeters && i < best)) {
        best = i;
        bestMeters = d;
      }
    }
    if (best < 0 || bestMeters > SNAP_METERS) return null;
    return { index: this.#descend(best, x, y), snappedMeters: bestMeters };
  }

  /** Walks down through the nearest child until a record without children. */
  #descend(from: number, x: number, y: number): number {
    let i = from;
    for (;;) {
      const a = this.#childStart[i]!, b = this.#childStart[i + 1]!;
      let best = -1;
      let bestMeters = Infinity;
      for (let k = a; k < b; k++) {
        const c = this.#children[k]!;
        if (!this.#records[c]!.geometry) continue;
        const d = storeDistanceMeters(this.#store, c, x, y);
        // Children are in code order, so strict < keeps the smallest code on ties.
        if (d < bestMeters) {
          best = c;
          bestMeters = d;
        }
      }
      if (best < 0) return i;
      i = best;
    }
  }
}
