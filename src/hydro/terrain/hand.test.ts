import { describe, expect, it } from 'vitest';
import type { TerrainGrid } from '../../raster/grid.ts';
import { hasSharedData } from '../../../test/support/shared-data.ts';
import { readWhiteboxDem, WHITEBOX_DEM } from '../../../test/support/terrain-fixtures.ts';
import { fillDepressions } from './fill-depressions.ts';
import { flowAccumulation, nearestDrainage, streams } from './flow-accumulation.ts';
import { flowDirections } from './flow-directions.ts';
import { handFromDrainage, handInundation, heightAboveNearestDrainage } from './hand.ts';

/** A V-shaped valley along column 5, falling 0.1 m a row southwards; the sides rise 1 m a column, so they drain straight across to the floor. */
function valley(width = 11, height = 20): TerrainGrid {
  const data = new Float32Array(width * height);
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) data[r * width + c] = 100 + Math.abs(c - 5) - 0.1 * r;
  return { width, height, dx: 1, dy: 1, data };
}

describe('HAND and the inundation it gives', () => {
  const dem = valley();
  const dirs = flowDirections(dem);
  const acc = flowAccumulation(dirs, dem);
  const stream = streams(acc, 15);
  const hand = heightAboveNearestDrainage(dem, dirs, stream);

  it('finds the valley floor as the stream, and HAND is the height above it: 0 on the stream', () => {
    // a floor cell gathers its row (11 cells) and the floor above: 22 cells from row 1 on
    expect(acc[5]).toBe(11);
    expect(acc[19 * 11 + 5]).toBe(220);
    expect(stream[5]).toBe(0);
    for (let r = 1; r < 20; r++) expect(stream[r * 11 + 5]).toBe(1);
    for (let r = 0; r < 20; r++) for (let c = 0; c < 11; c++) if (c !== 5) expect(stream[r * 11 + c]).toBe(0);
    // row 0 drains over the floor cell (5,0), not a stream, to (5,1), 0.1 m lower
    for (let c = 0; c < 11; c++) expect(hand[c]).toBeCloseTo(Math.abs(c - 5) + 0.1, 4);
    for (let r = 1; r < 20; r++) {
      expect(hand[r * 11 + 5]).toBe(0);
      for (let c = 0; c < 11; c++) expect(hand[r * 11 + c]).toBeCloseTo(Math.abs(c - 5), 4);
    }
  });

  it('floods the cells below the stage that drain to the reach, stage − HAND deep', () => {
    const drainage = nearestDrainage(dirs, stream, dem);
    expect(Array.from(handFromDrainage(dem.data, drainage))).toEqual(Array.from(hand));
    const reach = new Uint8Array(stream.length);
    for (let r = 10; r < 20; r++) reach[r * 11 + 5] = 1;
    const depth = handInundation(hand, drainage, reach, 2.5);
    for (let r = 0; r < 20; r++) {
      for (let c = 0; c < 11; c++) {
        const expected = r >= 10 && Math.abs(c - 5) < 2.5 ? 2.5 - Math.abs(c - 5) : 0;
        expect(depth[r * 11 + c]).toBeCloseTo(expected, 4);
      }
    }
    // a stage at exactly a bank's HAND leaves that bank dry
    expect(handInundation(hand, drainage, reach, 2)[15 * 11 + 3]).toBe(0);
  });

  it('gives NaN where no stream is met, and refuses a stage that is NaN or negative', () => {
    const none = new Uint8Array(dem.width * dem.height);
    expect(heightAboveNearestDrainage(dem, dirs, none).every(Number.isNaN)).toBe(true);
    const drainage = nearestDrainage(dirs, stream, dem);
    const refusal = expect.objectContaining({ code: 'VALIDATION_FAILED', extra: { field: 'stageM' } });
    expect(() => handInundation(hand, drainage, stream, Number.NaN)).toThrow(refusal);
    expect(() => handInundation(hand, drainage, stream, -0.5)).toThrow(refusal);
    expect(() => handInundation(hand, drainage.subarray(1), stream, 1)).toThrow(expect.objectContaining({ extra: { field: 'drainage' } }));
  });
});

describe.skipIf(!hasSharedData(...WHITEBOX_DEM))('HAND on the whitebox DEM', () => {
  it('is 0 on every stream cell and ≥ 0 everywhere on the filled DEM', async () => {
    const raw = await readWhiteboxDem();
    const dem = { ...raw, data: fillDepressions(raw) };
    const dirs = flowDirections(dem);
    const stream = streams(flowAccumulation(dirs, dem), 100);
    const hand = heightAboveNearestDrainage(dem, dirs, stream);
    let onStream = 0;
    let bad = 0;
    let defined = 0;
    for (let i = 0; i < hand.length; i++) {
      if (stream[i] === 1) {
        onStream++;
        if (hand[i] !== 0) bad++;
      }
      if (hand[i] === hand[i]) {
        defined++;
        if (hand[i]! < 0) bad++;
      }
    }
    expect(onStream).toBeGreaterThan(500);
    expect(bad).toBe(0);
    // most of the map drains to a stream of 100 cells before leaving it
    expect(defined / hand.length).toBeGreaterThan(0.8);
  });
});
