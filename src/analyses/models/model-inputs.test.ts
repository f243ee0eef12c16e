/** The models' inputs: read, normalised (defaults written out) and placed on a raster; refusals name the field. */
import { describe, expect, it } from 'vitest';
import { CityLoopError } from '../../errors.ts';
import { crsTransform } from '../../raster/raster-crs.ts';
import { gcj02ToWgs84 } from '../../geo/crs.ts';
import { DEFAULT_MANNING, normalizeInputs, placeInputs, type FloodInputs } from './model-inputs.ts';
import { GridPlacer } from './model-job.ts';

/** A 100 × 100 grid of 10 m cells in UTM 48N (EPSG:32648) around 渝中区. */
const utm = crsTransform('EPSG:32648');
const [cx, cy] = utm.fromWgs84(...gcj02ToWgs84(106.5718, 29.5494));
const grid = { crs: 'EPSG:32648', width: 100, height: 100, cellWidth: 10, cellHeight: 10, originX: Math.round(cx) - 500, originY: Math.round(cy) + 500 };

function fieldOf(fn: () => unknown): { code: string; field: unknown } {
  try {
    fn();
  } catch (e) {
    if (e instanceof CityLoopError) return { code: e.code, field: e.extra?.field };
    throw e;
  }
  throw new Error('not refused');
}

describe('model inputs', () => {
  it('write every default out, so the stored inputs repeat the run', () => {
    const flood = normalizeInputs('flood', { rainfall: [{ hyetograph: [{ t: 0, value: 30 }] }], durationS: 600 }) as FloodInputs;
    expect(flood).toEqual({ datum: 'gcj02', rainfall: [{ area: null, hyetograph: [{ t: 0, value: 30 }] }], inflows: [], manning: DEFAULT_MANNING, roughness: [], buildings: null, boundary: 'open', durationS: 600, outputIntervalS: 50, arrivalThresholdM: 0.05 });
    expect(normalizeInputs('fill', undefined)).toEqual({ datum: 'gcj02', streamThresholdCells: 100 });
  });

  it('refuse a bad value naming its path under inputs', () => {
    const rain = { rainfall: [{ hyetograph: [{ t: 0, value: 10 }, { t: 60, value: 20 }, { t: 120, value: -5 }] }], durationS: 600 };
    expect(fieldOf(() => normalizeInputs('flood', rain))).toEqual({ code: 'ANALYSIS_INPUT_INVALID', field: 'inputs.rainfall[0].hyetograph[2].value' });
    expect(fieldOf(() => normalizeInputs('flood', { durationS: 600 })).field).toBe('inputs.rainfall');
    expect(fieldOf(() => normalizeInputs('flood', { rainfall: [{ hyetograph: [{ t: 60, value: 1 }, { t: 30, value: 1 }] }], durationS: 600 })).field).toBe('inputs.rainfall[0].hyetograph[1].t');
    expect(fieldOf(() => normalizeInputs('flood', { rainfall: [{ hyetograph: [{ t: 0, value: 1 }] }], durationS: 600, outputIntervalS: 1 })).field).toBe('inputs.outputIntervalS');
    expect(fieldOf(() => normalizeInputs('lake', { seed: { lng: 106.57, lat: 29.55 }, levelM: 210, colour: 'blue' })).field).toBe('inputs.colour');
    expect(fieldOf(() => normalizeInputs('lake', { seed: { lng: 106.57 }, levelM: 210 })).field).toBe('inputs.seed.lat');
    expect(fieldOf(() => normalizeInputs('lake', { seed: { lng: 106.57, lat: 29.55 }, levelM: 210, datum: 'bd09' })).field).toBe('inputs.datum');
    const dam = { crestLine: [[106.57, 29.55], [106.572, 29.55]], crestLevelM: 250, reservoirLevelM: 260, reservoirSide: { lng: 106.571, lat: 29.551 } };
    expect(fieldOf(() => normalizeInputs('dambreak', { dam, durationS: 600 })).field).toBe('inputs.dam.reservoirLevelM');
  });

  it('place points in the raster CRS: GCJ-02 and WGS-84 differ by the offset, off the raster is refused', () => {
    const placer = (datum: 'gcj02' | 'wgs84') => new GridPlacer(grid, datum, utm.fromWgs84);
    const gcj = placeInputs('lake', normalizeInputs('lake', { seed: { lng: 106.5718, lat: 29.5494 }, levelM: 210 }), placer('gcj02'));
    expect(gcj).toEqual({ model: 'lake', seed: { col: 50, row: 50 }, levelM: 210 });
    // The same numbers read as WGS-84 lie some 300–600 m away (GCJ-02's offset in Chongqing).
    const wgs = placeInputs('lake', normalizeInputs('lake', { seed: { lng: 106.5718, lat: 29.5494 }, levelM: 210, datum: 'wgs84' }), placer('wgs84'));
    if (wgs.model !== 'lake') throw new Error('lake');
    expect(Math.hypot(wgs.seed.col - 50, wgs.seed.row - 50) * 10).toBeGreaterThan(300);
    const far = normalizeInputs('lake', { seed: { lng: 106.6, lat: 29.5494 }, levelM: 210 });
    expect(fieldOf(() => placeInputs('lake', far, placer('gcj02'))).field).toBe('inputs.seed');
    const dam = normalizeInputs('dambreak', { dam: { crestLine: [[106.5718, 29.5494], [106.59, 29.5494]], crestLevelM: 250, reservoirLevelM: 240, reservoirSide: { lng: 106.5718, lat: 29.5496 } }, durationS: 600 });
    expect(fieldOf(() => placeInputs('dambreak', dam, placer('gcj02')))).toEqual({ code: 'ANALYSIS_INPUT_INVALID', field: 'inputs.dam.crestLine' });
  });

  it('refuse more snapshots than a large raster holds in memory', () => {
    const big = { ...grid, width: 4000, height: 4000 };
    const inputs = normalizeInputs('flood', { rainfall: [{ hyetograph: [{ t: 0, value: 30 }] }], durationS: 3600, outputIntervalS: 600 });
    expect(placeInputs('flood', inputs, new GridPlacer(big, 'gcj02', utm.fromWgs84)).model).toBe('flood');
    const many = normalizeInputs('flood', { rainfall: [{ hyetograph: [{ t: 0, value: 30 }] }], durationS: 3600, outputIntervalS: 60 });
    expect(fieldOf(() => placeInputs('flood', many, new GridPlacer(big, 'gcj02', utm.fromWgs84))).field).toBe('inputs.outputIntervalS');
  });

  it('place areas as polygons in the raster CRS', () => {
    const area = { type: 'Polygon', coordinates: [[[106.5708, 29.5484], [106.5728, 29.5484], [106.5728, 29.5504], [106.5708, 29.5504], [106.5708, 29.5484]]] };
    const job = placeInputs('flood', normalizeInputs('flood', { rainfall: [{ area, hyetograph: [{ t: 0, value: 50 }] }], durationS: 600 }), new GridPlacer(grid, 'gcj02', utm.fromWgs84));
    if (job.model !== 'flood') throw new Error('flood');
    const ring = job.rainfall[0]!.polygons![0]![0]!;
    // ~0.002° is ~190 m east-west and ~220 m north-south there; the ring lies around the centre.
    const xs = ring.map((p) => p[0]);
    expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(180);
    expect(Math.max(...xs) - Math.min(...xs)).toBeLessThan(200);
    expect(Math.abs((Math.max(...xs) + Math.min(...xs)) / 2 - (grid.originX + 500))).toBeLessThan(5);
  });
});
