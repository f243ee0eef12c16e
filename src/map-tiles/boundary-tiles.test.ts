import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { BoundaryTiles } from './boundary-tiles.ts';
import type { JurisdictionLevel, JurisdictionRecord } from '../geo/jurisdiction.ts';
import { openTestPlatform, type TestPlatform } from '../../test/support/test-platform.ts';

const square = (code: string, name: string, level: JurisdictionLevel, x: number, y: number, d: number): JurisdictionRecord =>
  ({ code, name, level, parentCode: null, geometry: { type: 'Polygon', coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]] } }) as unknown as JurisdictionRecord;

function tileOf(lng: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return [Math.floor(((lng + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n)];
}

/** Layer name → the properties of its features. */
function layersOf(buf: Uint8Array): Record<string, Record<string, unknown>[]> {
  const t = new VectorTile(new PbfReader(buf));
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const [name, layer] of Object.entries(t.layers)) {
    out[name] = [];
    for (let i = 0; i < layer.length; i++) out[name]!.push(layer.feature(i).properties as Record<string, unknown>);
  }
  return out;
}

describe('BoundaryTiles', () => {
  const data: Partial<Record<JurisdictionLevel, JurisdictionRecord[]>> = {
    district: [square('500103', '渝中区', 'district', 106.5, 29.5, 0.1), square('500108', '南岸区', 'district', 106.6, 29.5, 0.1)],
    street: [square('500103001', '解放碑街道', 'street', 106.55, 29.55, 0.02)],
  };

  it('carries each level from its zoom, with code and name, and label points', () => {
    const tiles = new BoundaryTiles((level) => data[level] ?? []);
    const [cx, cy] = tileOf(106.6, 29.55, 6);
    const city = layersOf(tiles.tile(6, cx, cy)!);
    // Outlines and their label points in the same tile, outlines first.
    expect(Object.keys(city)).toEqual(['district', 'district-labels']);
    expect(city.district!.map((p) => p.name).sort()).toEqual(['南岸区', '渝中区']);
    expect(city['district-labels']!.map((p) => p.code).sort()).toEqual(['500103', '500108']);
    // The label points alone, for a client that draws its own outlines.
    const labels = layersOf(tiles.tile(6, cx, cy, 'labels')!);
    expect(Object.keys(labels)).toEqual(['district-labels']);
    expect(labels['district-labels']!.map((p) => p.code).sort()).toEqual(['500103', '500108']);
    const [x, y] = tileOf(106.56, 29.56, 11);
    const near = layersOf(tiles.tile(11, x, y)!);
    expect(near.street).toEqual([{ code: '500103001', name: '解放碑街道' }]);
    expect(near.district!.map((p) => p.code)).toContain('500103');
    expect(Object.keys(near)).toEqual(['district', 'street', 'district-labels', 'street-labels']);
    // Too small to see from space (only their label points are left), and nothing at all elsewhere.
    expect(Object.keys(layersOf(tiles.tile(0, 0, 0)!))).toEqual(['district-labels']);
    expect(layersOf(tiles.tile(0, 0, 0, 'labels')!)['district-labels']).toHaveLength(2);
    expect(tiles.tile(5, 0, 0)).toBeNull();
  });

  it('cuts again after a reset (jurisdictions re-imported)', () => {
    let list = data.district!;
    const tiles = new BoundaryTiles((level) => (level === 'district' ? list : []));
    const [x, y] = tileOf(106.6, 29.55, 6);
    expect(layersOf(tiles.tile(6, x, y)!).district).toHaveLength(2);
    list = [data.district![0]!];
    expect(layersOf(tiles.tile(6, x, y)!).district).toHaveLength(2);
    tiles.reset();
    expect(layersOf(tiles.tile(6, x, y)!).district).toHaveLength(1);
  });
});

describe('the base map over HTTP', () => {
  let tp: TestPlatform;
  beforeAll(async () => {
    tp = await openTestPlatform('sqlite');
  }, 120_000);
  afterAll(async () => {
    await tp?.close();
  });

  it('names its tiles in the focus and serves them to anyone, gzip-compressed when asked', async () => {
    const token = await tp.signIn('yuzhong.operator');
    const focus = (await tp.app.inject({ method: 'GET', url: '/api/v1/map/focus', headers: { authorization: `Bearer ${token}` } })).json();
    expect(focus.boundaries.tiles).toMatch(/^\/api\/v1\/map\/boundaries\/\{z\}\/\{x\}\/\{y\}\.pbf\?v=\d+$/);
    const [x, y] = tileOf(106.5700, 29.5570, 11);
    const res = await tp.app.inject({ method: 'GET', url: focus.boundaries.tiles.replace('{z}/{x}/{y}', `11/${x}/${y}`), headers: { 'accept-encoding': 'gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    expect(res.headers['cache-control']).toContain('public');
    const layers = layersOf(res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.rawPayload) : res.rawPayload);
    expect(layers.district!.map((p) => p.code)).toContain('500103');
    expect(layers.street!.length).toBeGreaterThan(0);
    expect(layers.grid).toBeUndefined();
    const labels = await tp.app.inject({ method: 'GET', url: focus.boundaries.labels.replace('{z}/{x}/{y}', `11/${x}/${y}`) });
    expect(layersOf(labels.rawPayload)['street-labels']!.length).toBeGreaterThan(0);
    // The base map's tiles carry the same label points with their outlines.
    expect(layers['street-labels']).toEqual(layersOf(labels.rawPayload)['street-labels']);
    const bad = await tp.app.inject({ method: 'GET', url: '/api/v1/map/boundaries/2/4/0.pbf' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
  });
});
