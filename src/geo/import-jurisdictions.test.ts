import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateDemoJurisdictions } from '../../cities/chongqing/demo/demo-geography.ts';
import type { Position, Ring } from './geometry.ts';
import { parseJurisdictionFeatureCollection } from './import-jurisdictions.ts';
import type { JurisdictionRecord } from './jurisdiction.ts';
import { JurisdictionResolver } from './resolver.ts';

const RESOURCES_DIR = fileURLToPath(new URL('../../cities/chongqing', import.meta.url));

const square = (x0: number, y0: number, x1: number, y1: number): Ring => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];

const parents = JurisdictionResolver.build([
  { code: 'C', parentCode: null, level: 'city', name: '市', geometry: null, generated: false, properties: {} },
  { code: '500110', parentCode: 'C', level: 'district', name: '甲区', geometry: { type: 'Polygon', coordinates: [square(106, 29, 106.1, 29.1)] }, generated: false, properties: {} },
  { code: '500120', parentCode: 'C', level: 'district', name: '乙区', geometry: { type: 'Polygon', coordinates: [square(106.1, 29, 106.2, 29.1)] }, generated: false, properties: {} },
]);

const feature = (properties: Record<string, unknown>, coordinates: unknown, type = 'Polygon') => ({
  type: 'Feature',
  properties,
  geometry: { type, coordinates },
});

describe('parseJurisdictionFeatureCollection', () => {
  it('reports each bad feature by index and imports nothing it cannot place', () => {
    // Ten vertices, one of them 1 km west of the district: 10% outside.
    const spiky: Position[] = [[106.01, 29.01], [106.03, 29.01], [106.05, 29.01], [106.05, 29.03], [106.05, 29.05], [106.03, 29.05], [106.01, 29.05], [105.99, 29.04], [106.01, 29.03], [106.01, 29.02], [106.01, 29.01]];
    const fc = {
      type: 'FeatureCollection',
      features: [
        feature({ code: '500110001', name: '一街道' }, [square(106.0, 29.0, 106.05, 29.1)]),
        feature({ code: '500110002', name: '二街道' }, [[[106.05, 29], [106.1, 29], [106.1, 29.1], [106.05, 29.1]]]),
        feature({ code: '500110003', name: '三街道' }, [[[106.01, 29.01], [106.04, 29.04], [106.04, 29.01], [106.01, 29.04], [106.01, 29.01]]]),
        feature({ code: '500130001', name: '外街道' }, [square(106.3, 29, 106.4, 29.1)]),
        feature({ code: '500110001', name: '重复街道' }, [square(106.0, 29.0, 106.01, 29.01)]),
        feature({ code: '500110005', name: '跨界街道', parentCode: '500110' }, [square(106.08, 29.0, 106.2, 29.1)]),
        feature({ code: '500110006', name: '无主街道', parentCode: '500999' }, [square(106.0, 29.0, 106.01, 29.01)]),
        feature({ code: '500110007', name: '刺街道' }, [spiky]),
        feature({ code: '500110008' }, [square(106.0, 29.0, 106.01, 29.01)]),
        feature({ name: '无码街道' }, [square(106.0, 29.0, 106.01, 29.01)]),
        feature({ code: '500110010', name: '三点街道' }, [[[106, 29], [106.01, 29], [106, 29]]]),
        feature({ adcode: 500120011, name: '乙街道', generated: true }, [[[106.12, 29.02, 300], [106.18, 29.02, 300], [106.18, 29.08, 310], [106.12, 29.02, 300]]]),
        { type: 'Point' },
      ],
    };
    let progress: [number, number] | null = null;
    const { records, errors } = parseJurisdictionFeatureCollection(fc, { level: 'street', parents, onProgress: (d, t) => { progress = [d, t]; } });
    expect(progress).toEqual([13, 13]);
    expect(errors.map((e) => e.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12]);
    const reason = (i: number) => errors.find((e) => e.index === i)!.reason;
    expect(reason(1)).toMatch(/not closed/);
    expect(reason(2)).toMatch(/self-intersecting/);
    expect(reason(3)).toMatch(/outside its parent/);
    expect(reason(4)).toMatch(/duplicate code 500110001 \(also feature 0\)/);
    expect(reason(5)).toMatch(/outside its parent 500110/);
    expect(reason(6)).toMatch(/parent 500999 is not a known district/);
    expect(reason(7)).toMatch(/outside its parent 500110: 10\.0% of its vertices/);
    expect(reason(8)).toMatch(/missing name/);
    expect(reason(9)).toMatch(/missing code/);
    expect(reason(10)).toMatch(/fewer than 4 positions/);
    expect(reason(12)).toMatch(/not a GeoJSON Feature/);

    expect(records.map((r) => [r.code, r.parentCode, r.level])).toEqual([
      ['500110001', '500110', 'street'],
      ['500120011', '500120', 'street'],
    ]);
    const [, numeric] = records as [JurisdictionRecord, JurisdictionRecord];
    expect(numeric.generated).toBe(true);
    expect(numeric.geometry!.coordinates[0]).toEqual([[106.12, 29.02], [106.18, 29.02], [106.18, 29.08], [106.12, 29.02]]);
  });

  it('accepts a child sharing its parent boundary, and custom property names', () => {
    const fc = { type: 'FeatureCollection', features: [feature({ id: 'S1', title: '边街道' }, [square(106.09, 29.0, 106.1, 29.1)])] };
    const { records, errors } = parseJurisdictionFeatureCollection(fc, { level: 'street', parents, codeProperty: 'id', nameProperty: 'title' });
    expect(errors).toEqual([]);
    expect(records[0]).toMatchObject({ code: 'S1', name: '边街道', parentCode: '500110' });
  });

  it('rejects input that is not a FeatureCollection as a whole', () => {
    expect(parseJurisdictionFeatureCollection({ type: 'Feature' }, { level: 'street', parents }).errors).toEqual([
      { index: -1, reason: 'input is not a GeoJSON FeatureCollection' },
    ]);
    expect(parseJurisdictionFeatureCollection({ type: 'FeatureCollection', features: [] }, { level: 'street', parents }).errors[0]!.index).toBe(-1);
    expect(parseJurisdictionFeatureCollection(null, { level: 'street', parents }).errors).toHaveLength(1);
  });

  it('imports the shipped district boundaries under the city', () => {
    const dir = path.join(RESOURCES_DIR, 'geo', 'chongqing-districts');
    const features = fs.readdirSync(dir).sort().map((f) => {
      const json = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      return json.type === 'FeatureCollection' ? json.features[0] : json;
    });
    const city = JurisdictionResolver.build([
      { code: '500000', parentCode: null, level: 'city', name: '重庆市', geometry: null, generated: false, properties: {} },
    ]);
    const { records, errors } = parseJurisdictionFeatureCollection({ type: 'FeatureCollection', features }, { level: 'district', parents: city });
    expect(errors).toEqual([]);
    expect(records).toHaveLength(38);
    expect(records.every((r) => r.parentCode === '500000' && /^500\d{3}$/.test(r.code))).toBe(true);
    expect(records.find((r) => r.code === '500103')!.name).toBe('渝中区');
  });

  it('re-imports generated streets, communities and grids of 渝中 under the same parents', () => {
    const all = generateDemoJurisdictions({ resourcesDir: RESOURCES_DIR, districts: ['500103'] });
    let known = all.filter((r) => r.level === 'city' || r.level === 'district');
    for (const level of ['street', 'community', 'grid'] as const) {
      const ofLevel = all.filter((r) => r.level === level);
      const fc = {
        type: 'FeatureCollection',
        features: ofLevel.map((r) => ({ type: 'Feature', properties: { code: r.code, name: r.name }, geometry: r.geometry })),
      };
      const { records, errors } = parseJurisdictionFeatureCollection(fc, { level, parents: JurisdictionResolver.build(known) });
      expect(errors).toEqual([]);
      expect(records.map((r) => r.parentCode)).toEqual(ofLevel.map((r) => r.parentCode));
      known = known.concat(ofLevel);
    }
  });
});
