import { describe, expect, it } from 'vitest';
import { parsePopulationCsv, parsePopulationGeoJson } from './grid-population.ts';

const GRIDS = new Set(['G1', 'G2', 'G3']);

describe('reading a population table', () => {
  it('reads grid code and people from a CSV with a header, other columns ignored', () => {
    const csv = '\uFEFFname,grid_code,people\r\n甲,G1,1200\r\n乙,G2, 35 \r\n\r\n';
    expect(parsePopulationCsv(csv, GRIDS)).toEqual({ rows: [{ gridCode: 'G1', people: 1200 }, { gridCode: 'G2', people: 35 }], problems: [] });
    expect(parsePopulationCsv('code,population\nG3,0\n', GRIDS).rows).toEqual([{ gridCode: 'G3', people: 0 }]);
  });

  it('names each bad line: unknown grid, not a whole number, twice the same grid', () => {
    const csv = 'grid_code,people\nG1,10\nG9,5\nG2,1.5\nG3,-1\nG1,7\n,3\n';
    expect(parsePopulationCsv(csv, GRIDS).problems).toEqual([
      { at: 'line 3', reason: 'no grid has the code G9' },
      { at: 'line 4', reason: 'people of grid G2 must be a whole number from 0 to 1000000, got "1.5"' },
      { at: 'line 5', reason: 'people of grid G3 must be a whole number from 0 to 1000000, got "-1"' },
      { at: 'line 6', reason: 'grid G1 is already given at line 2' },
      { at: 'line 7', reason: 'no grid code' },
    ]);
  });

  it('refuses a header without the two columns, an empty file and a broken quote', () => {
    expect(parsePopulationCsv('grid,count\nG1,3\n', GRIDS).problems[0]!.reason).toMatch(/header must name a grid_code/);
    expect(parsePopulationCsv('', GRIDS).problems).toEqual([{ at: 'line 1', reason: 'the file is empty' }]);
    expect(parsePopulationCsv('grid_code,people\n"G1,3\n', GRIDS).problems[0]!.at).toBe('line 2');
  });

  it('reads a GeoJSON FeatureCollection by its properties', () => {
    const fc = { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: null, properties: { grid_code: 'G1', people: 9 } }, { type: 'Feature', properties: { code: 'G2', population: 'x' } }] };
    expect(parsePopulationGeoJson(fc, GRIDS)).toEqual({ rows: [{ gridCode: 'G1', people: 9 }], problems: [{ at: 'feature 1', reason: 'people of grid G2 must be a whole number from 0 to 1000000, got "x"' }] });
    expect(parsePopulationGeoJson({ type: 'Feature' }, GRIDS).problems).toEqual([{ at: 'file', reason: 'not a GeoJSON FeatureCollection' }]);
  });
});
