import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDemoJurisdictions } from '../../cities/chongqing/demo/demo-geography.ts';
import { distanceToGeometryMeters, geometryBBox, pointInGeometry, type AreaGeometry, type Ring } from './geometry.ts';
import { LEVELS, type JurisdictionLevel, type JurisdictionRecord } from './jurisdiction.ts';
import { JurisdictionResolver, SNAP_METERS } from './resolver.ts';
import { createRandom } from './seeded-random.ts';

const RESOURCES_DIR = fileURLToPath(new URL('../../cities/chongqing', import.meta.url));

/**
 * The definition of the resolver, written as slowly and plainly as possible: deepest level
 * containing the point, smallest code; else snap to the nearest district within 1 km; then the
 * nearest child down to the bottom.
 */
function resolveByBruteForce(records: readonly JurisdictionRecord[], x: number, y: number): string | null {
  const byCode = (a: JurisdictionRecord, b: JurisdictionRecord) => (a.code < b.code ? -1 : 1);
  const spatial = records.filter((r) => r.level !== 'city' && r.geometry);
  const descend = (from: JurisdictionRecord): string => {
    const children = spatial.filter((r) => r.parentCode === from.code).sort(byCode);
    if (children.length === 0) return from.code;
    let best = children[0]!;
    let bestMeters = Infinity;
    for (const c of children) {
      const d = distanceToGeometryMeters(c.geometry!, x, y);
      if (d < bestMeters) { best = c; bestMeters = d; }
    }
    return descend(best);
  };
  for (let lev = LEVELS.length - 1; lev >= 1; lev--) {
    const hits = spatial.filter((r) => r.level === LEVELS[lev] && pointInGeometry(r.geometry!, x, y)).sort(byCode);
    if (hits.length > 0) return descend(hits[0]!);
  }
  let best: JurisdictionRecord | null = null;
  let bestMeters = Infinity;
  for (const d of spatial.filter((r) => r.level === 'district').sort(byCode)) {
    const m = distanceToGeometryMeters(d.geometry!, x, y);
    if (m < bestMeters) { best = d; bestMeters = m; }
  }
  return best && bestMeters <= SNAP_METERS ? descend(best) : null;
}

// --- A synthetic city on a 0.01° lattice near (106°E, 29°N) -------------------------------

const X0 = 106;
const Y0 = 29;
const STEP = 0.01;
// Lattice coordinates are computed once, so that neighbouring squares share bit-identical edges.
const LX = Array.from({ length: 40 }, (_, i) => X0 + i * STEP);
const LY = Array.from({ length: 40 }, (_, j) => Y0 + j * STEP);
const cellRing = (i: number, j: number): Ring => [[LX[i]!, LY[j]!], [LX[i + 1]!, LY[j]!], [LX[i + 1]!, LY[j + 1]!], [LX[i]!, LY[j + 1]!], [LX[i]!, LY[j]!]];
const rectRing = (i0: number, j0: number, i1: number, j1: number): Ring => [[LX[i0]!, LY[j0]!], [LX[i1]!, LY[j0]!], [LX[i1]!, LY[j1]!], [LX[i0]!, LY[j1]!], [LX[i0]!, LY[j0]!]];

function record(code: string, parentCode: string | null, level: JurisdictionLevel, geometry: AreaGeometry | null): JurisdictionRecord {
  return { code, parentCode, level, name: `${level} ${code}`, geometry, generated: true, properties: {} };
}

/**
 * A district made of lattice cells: one street per band of `band` columns, one community per
 * pair of rows in it, one grid per cell. Streets and communities are MultiPolygons of their
 * cells (even-odd still counts a point once: it lies in exactly one cell).
 */
function latticeDistrict(code: string, geometry: AreaGeometry, cells: [number, number][], band: number): JurisdictionRecord[] {
  const out: JurisdictionRecord[] = [record(code, 'C', 'district', geometry)];
  const streets = new Map<number, [number, number][]>();
  for (const c of cells) {
    const s = Math.floor(c[0] / band);
    streets.set(s, [...(streets.get(s) ?? []), c]);
  }
  for (const [s, streetCells] of [...streets].sort((a, b) => a[0] - b[0])) {
    const streetCode = `${code}${String(s).padStart(3, '0')}`;
    out.push(record(streetCode, code, 'street', { type: 'MultiPolygon', coordinates: streetCells.map(([i, j]) => [cellRing(i, j)]) }));
    const communities = new Map<number, [number, number][]>();
    for (const c of streetCells) communities.set(Math.floor(c[1] / 2), [...(communities.get(Math.floor(c[1] / 2)) ?? []), c]);
    for (const [k, cc] of communities) {
      const communityCode = `${streetCode}${String(k).padStart(3, '0')}`;
      out.push(record(communityCode, streetCode, 'community', { type: 'MultiPolygon', coordinates: cc.map(([i, j]) => [cellRing(i, j)]) }));
      for (const [i, j] of cc) {
        out.push(record(`${communityCode}${String(i).padStart(2, '0')}${j % 2}`, communityCode, 'grid', { type: 'Polygon', coordinates: [cellRing(i, j)] }));
      }
    }
  }
  return out;
}

function syntheticCity(): JurisdictionRecord[] {
  const range = (a: number, b: number) => Array.from({ length: b - a }, (_, k) => a + k);
  const cellsOf = (i0: number, j0: number, i1: number, j1: number, skip?: (i: number, j: number) => boolean) =>
    range(i0, i1).flatMap((i) => range(j0, j1).map((j) => [i, j] as [number, number])).filter(([i, j]) => !skip?.(i, j));
  const inHole = (i: number, j: number) => i >= 4 && i < 6 && j >= 4 && j < 6;
  return [
    record('C', null, 'city', null),
    // 500110: a 10×10 square with a 2×2 hole ...
    ...latticeDistrict('500110', { type: 'Polygon', coordinates: [rectRing(0, 0, 10, 10), rectRing(4, 4, 6, 6)] }, cellsOf(0, 0, 10, 10, inHole), 5),
    // ... filled by the enclave 500120.
    ...latticeDistrict('500120', { type: 'Polygon', coordinates: [rectRing(4, 4, 6, 6)] }, cellsOf(4, 4, 6, 6), 5),
    // 500130: two parts, the second an exclave 10 km further east.
    ...latticeDistrict('500130', { type: 'MultiPolygon', coordinates: [[rectRing(10, 0, 20, 10)], [rectRing(30, 0, 32, 2)]] },
      [...cellsOf(10, 0, 20, 10), ...cellsOf(30, 0, 32, 2)], 5),
    // 500140 overlaps the east of 500130 (real boundaries overlap): both have grids there.
    ...latticeDistrict('500140', { type: 'Polygon', coordinates: [rectRing(18, 0, 22, 4)] }, cellsOf(18, 0, 22, 4), 5),
  ];
}

describe('JurisdictionResolver on a synthetic city', () => {
  const records = syntheticCity();
  const resolver = JurisdictionResolver.build(records);
  const codes = (x: number, y: number) => resolver.resolve(x, y)?.chain.map((l) => l.code) ?? null;

  it('indexes every record', () => {
    expect(resolver.size).toBe(records.length);
    expect(resolver.get('500110')?.level).toBe('district');
    expect(resolver.get('nope')).toBeUndefined();
  });

  it('returns the full chain, city first', () => {
    const chain = resolver.resolve(106.015, 29.035)!.chain;
    expect(chain.map((l) => l.level)).toEqual(['city', 'district', 'street', 'community', 'grid']);
    expect(chain.map((l) => l.code)).toEqual(['C', '500110', '500110000', '500110000001', '500110000001011']);
    expect(resolver.resolveLowest(106.015, 29.035)).toBe('500110000001011');
  });

  it('honours holes and multipolygon parts', () => {
    expect(codes(106.045, 29.055)?.[1]).toBe('500120'); // in the hole of 500110
    expect(codes(106.035, 29.05)?.[1]).toBe('500110');
    expect(codes(106.305, 29.005)?.[1]).toBe('500130'); // in the exclave
    expect(codes(106.25, 29.005)).toBeNull(); // between the parts, > 1 km from both
  });

  it('picks the smallest code where siblings overlap', () => {
    // Both 500130's and 500140's grids contain the point: 500130… < 500140….
    expect(codes(106.195, 29.015)?.[1]).toBe('500130');
    // Only 500140 reaches this far east.
    expect(codes(106.205, 29.015)?.[1]).toBe('500140');
  });

  it('snaps points within 1 km of a district and reports the distance', () => {
    // 0.005° of longitude west of 500110 at 29.03°N ≈ 486 m.
    const near = resolver.resolve(X0 - 0.005, 29.035)!;
    expect(near.chain.map((l) => l.code)).toEqual(['C', '500110', '500110000', '500110000001', '500110000001001']);
    expect(near.snappedMeters).toBeGreaterThan(470);
    expect(near.snappedMeters).toBeLessThan(500);
    expect(resolver.resolveLowest(X0 - 0.005, 29.035)).toBe('500110000001001');
    expect(resolver.resolve(X0 - 0.015, 29.035)).toBeNull();
    expect(resolver.resolveLowest(X0 - 0.015, 29.035)).toBeNull();
  });

  it('places points on shared edges and vertices in exactly one grid, the same every time', () => {
    const other = JurisdictionResolver.build([...records].reverse());
    // On the vertical edge between cells (2, 3) and (3, 3): the eastern cell wins.
    const onEdge = resolver.resolveLowest(LX[3]!, 29.035);
    expect(onEdge).toBe('500110000001031');
    expect(other.resolveLowest(LX[3]!, 29.035)).toBe(onEdge);
    // On the horizontal edge between rows 2 and 3 of column 1: the northern cell wins.
    expect(resolver.resolveLowest(106.015, LY[3]!)).toBe('500110000001011');
    // On a vertex shared by four cells: the north-east one, the cell whose south-west corner it is.
    expect(resolver.resolveLowest(LX[3]!, LY[2]!)).toBe('500110000001030');
    expect(other.resolveLowest(LX[3]!, LY[2]!)).toBe('500110000001030');
    // The city's outer north-east corner belongs to no one's half-open square, but is within 1 km.
    expect(resolver.resolve(LX[10]!, LY[10]!)?.snappedMeters).toBe(0);
  });

  it('returns null for non-finite input', () => {
    expect(resolver.resolve(Number.NaN, 29)).toBeNull();
    expect(resolver.resolveLowest(106, Number.POSITIVE_INFINITY)).toBeNull();
  });

  it('agrees with brute force everywhere, including edges, snapping and outside', () => {
    const random = createRandom(42);
    for (let k = 0; k < 3000; k++) {
      let x = X0 - 0.02 + random() * 0.36;
      let y = Y0 - 0.02 + random() * 0.14;
      // Every fourth point exactly on a lattice line, to exercise the edge rule.
      if (k % 4 === 0) x = LX[Math.floor(random() * 33)]!;
      if (k % 8 === 0) y = LY[Math.floor(random() * 11)]!;
      const expected = resolveByBruteForce(records, x, y);
      expect(resolver.resolveLowest(x, y), `${x},${y}`).toBe(expected);
      expect(resolver.resolve(x, y)?.chain.at(-1)?.code ?? null).toBe(expected);
    }
  });

  it('rejects duplicate codes and unknown parents', () => {
    expect(() => JurisdictionResolver.build([record('C', null, 'city', null), record('C', null, 'city', null)])).toThrow(/duplicate/);
    expect(() => JurisdictionResolver.build([record('D', 'X', 'district', null)])).toThrow(/unknown parent/);
  });
});

describe('JurisdictionResolver on Chongqing (渝中, 江北, 南岸 generated)', () => {
  const districts = ['500103', '500105', '500108'];
  let records: JurisdictionRecord[];
  let resolver: JurisdictionResolver;
  let other: JurisdictionResolver;

  beforeAll(() => {
    records = generateDemoJurisdictions({ resourcesDir: RESOURCES_DIR, districts });
    resolver = JurisdictionResolver.build(records);
    // Built from a second, independent generation run.
    other = JurisdictionResolver.build(generateDemoJurisdictions({ resourcesDir: RESOURCES_DIR, districts }));
  });

  it('resolves 解放碑 to 渝中区 with a complete chain down to a grid', () => {
    const found = resolver.resolve(106.577, 29.557)!;
    expect(found.snappedMeters).toBeUndefined();
    expect(found.chain.map((l) => l.level)).toEqual(['city', 'district', 'street', 'community', 'grid']);
    const [city, district, street, community, grid] = found.chain;
    expect(city).toMatchObject({ code: '500000', name: '重庆市' });
    expect(district).toMatchObject({ code: '500103', name: '渝中区' });
    expect(street!.code).toMatch(/^500103\d{3}$/);
    expect(community!.code.startsWith(street!.code)).toBe(true);
    expect(grid!.code.startsWith(community!.code)).toBe(true);
    expect(grid!.name).toMatch(/^第\d+网格$/);
    expect(resolver.resolveLowest(106.577, 29.557)).toBe(grid!.code);
  });

  /*
   * The Yangtze between 渝中 and 南岸. The DataV boundaries split the river down its middle line,
   * so most river points lie in exactly one district; along that line the two polygons, drawn
   * independently, overlap or leave gaps a few metres wide.
   *  - (106.585, 29.555), in the river off the peninsula's south-east shore: only 渝中's polygon
   *    contains it (南岸's is 356 m away), so it is 渝中区 500103.
   *  - (106.58845, 29.55385), on the middle line: both polygons contain it; the rule "smallest
   *    code" picks 渝中区 500103 (500103 < 500108), through 渝中's grid there.
   *  - (106.59045, 29.56005), on the middle line in a gap: no polygon contains it; it is 0.03 m
   *    from 南岸 and 0.05 m from 渝中, so it snaps to 南岸区 500108 (snappedMeters < 1).
   */
  it.each([
    [106.585, 29.555, '500103', false],
    [106.58845, 29.55385, '500103', false],
    [106.59045, 29.56005, '500108', true],
  ])('resolves the river point (%s, %s) to %s, deterministically', (x, y, district, snapped) => {
    const a = resolver.resolve(x, y)!;
    const b = other.resolve(x, y)!;
    expect(a.chain[1]!.code).toBe(district);
    expect(a.chain).toHaveLength(5);
    expect(b).toEqual(a);
    expect(resolver.resolve(x, y)).toEqual(a);
    if (snapped) {
      expect(a.snappedMeters).toBeGreaterThan(0);
      expect(a.snappedMeters).toBeLessThan(1);
    } else {
      expect(a.snappedMeters).toBeUndefined();
    }
  });

  it('returns null in Chengdu', () => {
    expect(resolver.resolve(104.066, 30.572)).toBeNull();
    expect(resolver.resolveLowest(104.066, 30.572)).toBeNull();
  });

  it('fast path equals brute force on random points', () => {
    const grids = records.filter((r) => r.level === 'grid').sort((a, b) => (a.code < b.code ? -1 : 1));
    const boxes = grids.map((g) => geometryBBox(g.geometry!));
    const all = geometryBBox({ type: 'MultiPolygon', coordinates: records.filter((r) => r.level === 'district').flatMap((r) => r.geometry!.coordinates as Ring[][]) });
    const random = createRandom(7);
    let inGrid = 0;
    for (let k = 0; k < 4000; k++) {
      const x = all[0] + random() * (all[2] - all[0]);
      const y = all[1] + random() * (all[3] - all[1]);
      let expected: string | null = null;
      for (let i = 0; i < grids.length && expected === null; i++) {
        const b = boxes[i]!;
        if (x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3] && pointInGeometry(grids[i]!.geometry!, x, y)) expected = grids[i]!.code;
      }
      if (expected === null) continue;
      inGrid++;
      expect(resolver.resolveLowest(x, y)).toBe(expected);
    }
    expect(inGrid).toBeGreaterThan(1000);
  });

  it('places every point inside a district in one of its grids', () => {
    const random = createRandom(9);
    const district = records.find((r) => r.code === '500108')!;
    const [x0, y0, x1, y1] = geometryBBox(district.geometry!);
    let checked = 0;
    while (checked < 2000) {
      const x = x0 + random() * (x1 - x0);
      const y = y0 + random() * (y1 - y0);
      if (!pointInGeometry(district.geometry!, x, y) || resolver.findContaining(x, y, 'district') !== '500108') continue;
      checked++;
      const grid = resolver.findContaining(x, y, 'grid');
      expect(grid, `${x},${y}`).not.toBeNull();
      expect(grid!.startsWith('500108')).toBe(true);
    }
  });
});
