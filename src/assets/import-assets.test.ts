import { describe, expect, it } from 'vitest';
import type { Ring } from '../geo/geometry.ts';
import { JurisdictionResolver } from '../geo/resolver.ts';
import { parseAssetFeatureCollection } from './import-assets.ts';

const square = (x0: number, y0: number, x1: number, y1: number): Ring => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];

// Two districts side by side; a street inside the first so resolve() has a chain to walk down.
const resolver = JurisdictionResolver.build([
  { code: 'C', parentCode: null, level: 'city', name: '市', geometry: null, generated: false, properties: {} },
  { code: '500110', parentCode: 'C', level: 'district', name: '甲区', geometry: { type: 'Polygon', coordinates: [square(106, 29, 106.1, 29.1)] }, generated: false, properties: {} },
  { code: '500120', parentCode: 'C', level: 'district', name: '乙区', geometry: { type: 'Polygon', coordinates: [square(106.1, 29, 106.2, 29.1)] }, generated: false, properties: {} },
  { code: '500110001', parentCode: '500110', level: 'street', name: '一街道', geometry: { type: 'Polygon', coordinates: [square(106, 29, 106.1, 29.1)] }, generated: false, properties: {} },
]);

const feature = (properties: Record<string, unknown> | null, geometry: unknown, id?: unknown) => ({
  type: 'Feature',
  ...(id === undefined ? {} : { id }),
  properties,
  geometry,
});
const line = (...coordinates: unknown[]) => ({ type: 'LineString', coordinates });

describe('parseAssetFeatureCollection', () => {
  it('reads mains: ids, names, units, districts and properties', () => {
    const { records, errors } = parseAssetFeatureCollection(
      {
        type: 'FeatureCollection',
        features: [
          feature({ name: '一号管', diameter_mm: 300, material: '球墨铸铁', unit_id: 'unit-500110-water-supply' }, line([106.01, 29.01, 250], [106.02, 29.01]), 'wm-1'),
          // The middle of this main is in 乙区 although it starts in 甲区.
          feature({ id: 42, diameter_mm: 800 }, line([106.09, 29.05], [106.15, 29.05])),
          feature({ diameter_mm: 150, generated: true }, { type: 'MultiLineString', coordinates: [[[106.05, 29.05], [106.06, 29.06]], [[106.07, 29.07], [106.08, 29.07]]] }),
        ],
      },
      { type: 'water_main', resolver },
    );
    expect(errors).toEqual([]);
    expect(records).toEqual([
      {
        id: 'wm-1',
        type: 'water_main',
        name: '一号管',
        // The altitude is dropped.
        geometry: { type: 'LineString', coordinates: [[106.01, 29.01], [106.02, 29.01]] },
        properties: { diameter_mm: 300, material: '球墨铸铁' },
        unitId: 'unit-500110-water-supply',
        jurisdictionCode: '500110',
        generated: false,
      },
      expect.objectContaining({ id: '42', name: null, unitId: null, jurisdictionCode: '500120', properties: { diameter_mm: 800 } }),
      expect.objectContaining({ id: 'water_main-2', jurisdictionCode: '500110', generated: true }),
    ]);
  });

  it('reports each bad feature by index and keeps the good ones', () => {
    const { records, errors } = parseAssetFeatureCollection(
      {
        type: 'FeatureCollection',
        features: [
          feature({ diameter_mm: 300 }, line([106.01, 29.01], [106.02, 29.01]), 'ok'),
          feature({ diameter_mm: 300 }, line([106.01, 29.01]), 'short'),
          feature({ diameter_mm: 300 }, line([106.01, 29.01], [Number.NaN, 29.01]), 'nan'),
          feature({ diameter_mm: 300 }, line([106.01, 29.01], [196.01, 29.01]), 'range'),
          feature({ diameter_mm: 300 }, { type: 'Point', coordinates: [106.01, 29.01] }, 'point'),
          feature({}, line([106.01, 29.01], [106.02, 29.01]), 'no-diameter'),
          feature({ diameter_mm: -5 }, line([106.01, 29.01], [106.02, 29.01]), 'negative'),
          feature({ diameter_mm: '300' }, line([106.01, 29.01], [106.02, 29.01]), 'text'),
          feature({ diameter_mm: 300 }, line([106.03, 29.03], [106.04, 29.03]), 'ok'),
          feature({ diameter_mm: 300 }, line([107.01, 30.01], [107.02, 30.01]), 'outside'),
          feature({ diameter_mm: 300 }, line([106.01, 29.01], [106.01, 29.01]), 'zero'),
          { type: 'Polygon' },
          feature({ diameter_mm: 300 }, line([106.01, 29.01], [106.02, 29.01]), { bad: true }),
        ],
      },
      { type: 'water_main', resolver },
    );
    expect(records.map((r) => r.id)).toEqual(['ok']);
    expect(errors).toEqual([
      { index: 1, reason: 'invalid geometry: line has fewer than 2 positions' },
      { index: 2, reason: expect.stringMatching(/^invalid geometry: line position 1 is not a finite/) },
      { index: 3, reason: expect.stringMatching(/^invalid geometry: line position 1 is out of range/) },
      { index: 4, reason: 'invalid geometry: geometry type must be LineString or MultiLineString, got "Point"' },
      { index: 5, reason: expect.stringMatching(/^missing property "diameter_mm"/) },
      { index: 6, reason: 'property "diameter_mm" must be a positive number, got -5' },
      { index: 7, reason: 'property "diameter_mm" must be a positive number, got "300"' },
      { index: 8, reason: 'duplicate id ok (also feature 0)' },
      { index: 9, reason: expect.stringMatching(/^outside the city/) },
      { index: 10, reason: 'invalid geometry: line has zero length' },
      { index: 11, reason: 'not a GeoJSON Feature' },
      { index: 12, reason: expect.stringMatching(/^id must be/) },
    ]);
  });

  it('checks areas like jurisdictions, and the required properties of each type', () => {
    const bowtie = [[[106.01, 29.01], [106.04, 29.04], [106.04, 29.01], [106.01, 29.04], [106.01, 29.01]]];
    const places = parseAssetFeatureCollection(
      {
        type: 'FeatureCollection',
        features: [
          feature({ name: '林区', kind: 'forest' }, { type: 'Polygon', coordinates: [square(106.01, 29.01, 106.05, 29.05)] }),
          feature({ name: '交叉', kind: 'forest' }, { type: 'Polygon', coordinates: bowtie }),
          feature({ name: '无类' }, { type: 'Point', coordinates: [106.01, 29.01] }),
        ],
      },
      { type: 'place', resolver },
    );
    expect(places.records.map((r) => [r.id, r.jurisdictionCode])).toEqual([['place-0', '500110']]);
    expect(places.errors).toEqual([
      { index: 1, reason: expect.stringMatching(/^invalid geometry: ring is self-intersecting/) },
      { index: 2, reason: expect.stringMatching(/^missing property "kind"/) },
    ]);

    const sensors = parseAssetFeatureCollection(
      {
        type: 'FeatureCollection',
        features: [
          feature({ device_id: 'g-1', sensor_kind: 'water_level' }, { type: 'Point', coordinates: [106.01, 29.01] }),
          feature({ device_id: 'g-2' }, { type: 'Point', coordinates: [106.01, 29.01] }),
          feature({ device_id: 'g-1', sensor_kind: 'water_level' }, { type: 'Point', coordinates: [106.02, 29.01] }),
        ],
      },
      { type: 'sensor', resolver: null },
    );
    expect(sensors.records).toHaveLength(1);
    expect(sensors.records[0]!.jurisdictionCode).toBeNull();
    expect(sensors.errors).toEqual([
      { index: 1, reason: expect.stringMatching(/^missing property "sensor_kind"/) },
      { index: 2, reason: 'duplicate device_id g-1 (also feature 0)' },
    ]);
  });

  it('takes ids from a named property when told, and refuses input that is not a collection', () => {
    const { records } = parseAssetFeatureCollection(
      { type: 'FeatureCollection', features: [feature({ code: 'MH-7', owner_kind: 'water-supply' }, { type: 'Point', coordinates: [106.01, 29.01] }, 'ignored')] },
      { type: 'manhole', resolver, idProperty: 'code' },
    );
    expect(records.map((r) => [r.id, r.properties])).toEqual([['MH-7', { owner_kind: 'water-supply' }]]);
    expect(parseAssetFeatureCollection({ type: 'Feature' }, { type: 'manhole', resolver }).errors).toEqual([
      { index: -1, reason: 'input is not a GeoJSON FeatureCollection' },
    ]);
  });
});
