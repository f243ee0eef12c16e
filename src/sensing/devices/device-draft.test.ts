import { describe, expect, it } from 'vitest';
import { parseDeviceFile } from './device-draft.ts';

const HEADER = 'id,type,name,lon,lat';

describe('a CSV file of devices', () => {
  it('reads quoted names with commas, doubled quotes and newlines, a BOM and CRLF', () => {
    const csv = `\uFEFF${HEADER}\r\ng-1,water_gauge,"桥下, 北侧",106.55,29.55\r\ng-2,water_gauge,"the ""old"" gauge\r\nby the pier",106.56,29.56\r\n`;
    const r = parseDeviceFile(csv, 'csv');
    expect(r.errors).toEqual([]);
    expect(r.drafts.map((d) => [d.id, d.name])).toEqual([
      ['g-1', '桥下, 北侧'],
      ['g-2', 'the "old" gauge\r\nby the pier'],
    ]);
  });

  it('numbers problems by data row, past empty lines and rows of empty cells, and trims the header', () => {
    const csv = ` id , type ,name,lon,lat\n\ng-1,water_gauge,一,106.55,29.55\n,,,,\nbad id,water_gauge,二,106.55,29.55\ng-3,water_gauge,三\n`;
    const r = parseDeviceFile(csv, 'csv');
    expect(r.drafts.map((d) => d.id)).toEqual(['g-1']);
    expect(r.errors.map((e) => e.index)).toEqual([2, 3]);
    expect(r.errors[0]!.errors[0]).toMatch(/^id "bad id" must be/);
    expect(r.errors[1]!.errors).toEqual(['a device needs a place: lon and lat, or the assetId of what it watches']);
  });

  it('refuses a bad quote for the whole file, naming the line', () => {
    const unclosed = parseDeviceFile(`${HEADER}\ng-1,water_gauge,"一\n二",106.55,29.55\ng-2,water_gauge,"never closed,106.55,29.55\n`, 'csv');
    expect(unclosed).toEqual({ drafts: [], errors: [{ index: -1, errors: ['line 4: a quoted field is never closed'] }] });
    const stray = parseDeviceFile(`${HEADER}\ng-1,water_gauge,"一"号,106.55,29.55\n`, 'csv');
    expect(stray.drafts).toEqual([]);
    expect(stray.errors).toHaveLength(1);
    expect(stray.errors[0]!.errors[0]).toMatch(/^line 2: text follows the closing quote/);
  });

  it('wants a header naming id and type', () => {
    expect(parseDeviceFile('name,lon,lat\n一,106.55,29.55\n', 'csv').errors).toEqual([{ index: 0, errors: ['the header row must name at least the columns id and type'] }]);
    expect(parseDeviceFile('', 'csv').errors).toEqual([{ index: 0, errors: ['the header row must name at least the columns id and type'] }]);
  });
});
