import { describe, expect, it } from 'vitest';
import { JurisdictionResolver } from '../../geo/resolver.ts';
import type { JurisdictionRecord } from '../../geo/jurisdiction.ts';
import type { AreaGeometry } from '../../geo/geometry.ts';
import type { AssetRecord } from '../../assets/asset.ts';
import { assessImpact, type ImpactInput } from './assess-impact.ts';

const rect = (x0: number, y0: number, x1: number, y1: number): AreaGeometry => ({
  type: 'Polygon',
  coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
});
const place = (code: string, parentCode: string | null, level: JurisdictionRecord['level'], name: string, geometry: AreaGeometry): JurisdictionRecord => ({ code, parentCode, level, name, geometry, generated: true, properties: {} });

// A raster of 4 × 2 cells of 0.001° from (106.500, 29.602) south-eastwards; two communities of
// 2 × 2 cells side by side, each one grid, in one street of one district.
const records = [
  place('D', null, 'district', '甲区', rect(106.5, 29.6, 106.504, 29.602)),
  place('S', 'D', 'street', '乙街道', rect(106.5, 29.6, 106.504, 29.602)),
  place('C1', 'S', 'community', '西社区', rect(106.5, 29.6, 106.502, 29.602)),
  place('C2', 'S', 'community', '东社区', rect(106.502, 29.6, 106.504, 29.602)),
  place('G1', 'C1', 'grid', '西网格', rect(106.5, 29.6, 106.502, 29.602)),
  place('G2', 'C2', 'grid', '东网格', rect(106.502, 29.6, 106.504, 29.602)),
];

const asset = (id: string, type: AssetRecord['type'], geometry: AssetRecord['geometry'], properties: Record<string, unknown> = {}): AssetRecord => ({ id, type, name: id, geometry, properties, unitId: null, jurisdictionCode: 'D', generated: true });

function input(over: Partial<ImpactInput> = {}): ImpactInput {
  const N = NaN;
  return {
    raster: { width: 4, height: 2, originX: 106.5, originY: 29.602, cellWidth: 0.001, cellHeight: 0.001, crs: 'EPSG:4326' },
    // row 0 (north), then row 1
    maxDepth: Float32Array.from([0.5, 0.1, 0.0, 1.2, 0.2, N, 0.3, 0.0]),
    arrivalTime: Float32Array.from([600, 900, N, 300, 1200, N, 1800, N]),
    toLngLat: (x, y, out) => {
      out[0] = x;
      out[1] = y;
    },
    fromLngLat: (lng, lat, out) => {
      out[0] = lng;
      out[1] = lat;
    },
    places: JurisdictionResolver.build(records),
    assets: [
      asset('school', 'place', { type: 'Point', coordinates: [106.5035, 29.6015] }, { kind: 'school' }),
      asset('hospital', 'place', { type: 'Point', coordinates: [106.5015, 29.6015] }, { kind: 'hospital' }),
      asset('road', 'road', { type: 'LineString', coordinates: [[106.5001, 29.6005], [106.5039, 29.6005]] }),
      asset('manhole', 'manhole', { type: 'Point', coordinates: [106.5035, 29.6015] }),
    ],
    population: new Map([
      ['G1', 1000],
      ['G2', 400],
    ]),
    ...over,
  };
}

describe('assessImpact', () => {
  it('counts flooded area, depth and arrival per grid, community and street, people by the flooded fraction', () => {
    const r = assessImpact(input());
    const cell = 0.001 * 0.001 * ((6371008.8 * Math.PI) / 180) ** 2 * Math.cos((29.601 * Math.PI) / 180);
    expect(r.floodedAreaM2).toBeCloseTo(4 * cell, 3);
    const byCode = new Map(r.places.map((p) => [p.code, p]));
    // G1: two of its four cells flooded (0.5 m at 600 s, 0.2 m at 1200 s): half its 1000 people.
    expect(byCode.get('G1')).toMatchObject({ kind: 'grid', maxDepthM: 0.5, arrivalS: 600, population: 1000, peopleAffected: 500 });
    expect(byCode.get('G1')!.floodedAreaM2).toBeCloseTo(2 * cell, 3);
    expect(byCode.get('G2')).toMatchObject({ maxDepthM: expect.closeTo(1.2, 5), arrivalS: 300, peopleAffected: 200 });
    expect(byCode.get('C2')).toMatchObject({ kind: 'community', arrivalS: 300, peopleAffected: 200, population: 400 });
    expect(byCode.get('S')).toMatchObject({ kind: 'street', arrivalS: 300, peopleAffected: 700, population: 1400 });
    expect(r.peopleAffected).toBe(700);
    // The district is not an affected "place" of the report: streets and below.
    expect(byCode.has('D')).toBe(false);
    // Streets first, then communities, then grids; each by earliest arrival.
    expect(r.places.map((p) => p.code)).toEqual(['S', 'C2', 'C1', 'G2', 'G1']);
  });

  it('lists people to move per community, earliest arrival first', () => {
    const r = assessImpact(input());
    expect(r.peopleToMove).toEqual([
      { communityCode: 'C2', communityName: '东社区', streetCode: 'S', streetName: '乙街道', people: 200, arrivalS: 300, maxDepthM: expect.closeTo(1.2, 5) },
      { communityCode: 'C1', communityName: '西社区', streetCode: 'S', streetName: '乙街道', people: 500, arrivalS: 600, maxDepthM: 0.5 },
    ]);
  });

  it('ties on arrival are broken by depth, deeper first', () => {
    const r = assessImpact(input({ arrivalTime: Float32Array.from([300, 900, NaN, 300, 1200, NaN, 1800, NaN]) }));
    expect(r.peopleToMove.map((p) => p.communityCode)).toEqual(['C2', 'C1']);
    const shallowEast = assessImpact(input({ maxDepth: Float32Array.from([0.5, 0.1, 0, 0.4, 0.2, NaN, 0.3, 0]), arrivalTime: Float32Array.from([300, 900, NaN, 300, 1200, NaN, 1800, NaN]) }));
    expect(shallowEast.peopleToMove.map((p) => p.communityCode)).toEqual(['C1', 'C2']);
  });

  it('names the assets under flooded cells with their depth and arrival, of the types asked', () => {
    const r = assessImpact(input());
    expect(r.assets).toEqual([
      { id: 'school', type: 'place', kind: 'school', name: 'school', unitId: null, depthM: expect.closeTo(1.2, 5), arrivalS: 300 },
      // The road crosses 0.2 m (1200 s), a nodata cell, 0.3 m (1800 s) and a dry cell.
      { id: 'road', type: 'road', kind: null, name: 'road', unitId: null, depthM: expect.closeTo(0.3, 5), arrivalS: 1200 },
    ]);
    const withManholes = assessImpact(input({ assetTypes: ['manhole'] }));
    expect(withManholes.assets.map((a) => a.id)).toEqual(['manhole']);
  });

  it('an area asset is at risk through the cells whose centre lies inside it', () => {
    const r = assessImpact(input({ assets: [asset('yard', 'substation', rect(106.5021, 29.6001, 106.5029, 29.6009))] }));
    expect(r.assets).toEqual([{ id: 'yard', type: 'substation', kind: null, name: 'yard', unitId: null, depthM: expect.closeTo(0.3, 5), arrivalS: 1800 }]);
  });

  it('the flooded depth is a parameter: at 0.4 m only the deep cells count', () => {
    const r = assessImpact(input({ floodedDepthM: 0.4 }));
    expect(r.peopleToMove.map((p) => [p.communityCode, p.people])).toEqual([
      ['C2', 100],
      ['C1', 250],
    ]);
  });

  it('a grid without population affects nobody; a dry raster affects nobody', () => {
    expect(assessImpact(input({ population: new Map() })).peopleToMove).toEqual([]);
    const dry = assessImpact(input({ maxDepth: new Float32Array(8) }));
    expect(dry).toMatchObject({ floodedAreaM2: 0, peopleAffected: 0, places: [], assets: [], peopleToMove: [] });
  });

  it('refuses rasters of the wrong size and a threshold that is not positive', () => {
    expect(() => assessImpact(input({ maxDepth: new Float32Array(7) }))).toThrow(/maxDepth has 7 cells; the raster has 4×2 = 8/);
    expect(() => assessImpact(input({ arrivalTime: new Float32Array(9) }))).toThrow(/arrivalTime has 9 cells/);
    expect(() => assessImpact(input({ floodedDepthM: 0 }))).toThrow(/floodedDepthM must be > 0/);
  });
});
