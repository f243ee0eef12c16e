import { describe, expect, it } from 'vitest';
import { inflateRawSync, crc32 as zlibCrc32 } from 'node:zlib';
import { columnName, crc32, toCsv, toXlsx } from './spreadsheet.ts';

describe('spreadsheets', () => {
  it('writes CSV with a BOM, quotes where needed and defuses formulas', () => {
    const b = toCsv(['编号', '标题'], [['CL1', '井盖, "缺失"'], ['CL2', '=HYPERLINK("x")'], ['CL3', null]]);
    expect([...b.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(b.subarray(3).toString('utf8')).toBe('编号,标题\r\nCL1,"井盖, ""缺失"""\r\nCL2,"\'=HYPERLINK(""x"")"\r\nCL3,\r\n');
  });

  it('names columns as spreadsheets do', () => {
    expect([0, 25, 26, 27, 701, 702].map(columnName)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
  });

  it('computes the zip CRC-32', () => {
    const data = Buffer.from('CityLoop 事项清单');
    if (typeof zlibCrc32 === 'function') expect(crc32(data)).toBe(zlibCrc32(data));
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('writes an XLSX zip whose entries inflate to the workbook, the sheet escaped', () => {
    const x = toXlsx('事项', ['编号', '标题'], [['CL1', '<井盖> & "缺失"'], ['CL2', 3]]);
    expect(x.readUInt32LE(0)).toBe(0x04034b50);
    const names: string[] = [];
    let sheet = '';
    let i = 0;
    while (x.readUInt32LE(i) === 0x04034b50) {
      const size = x.readUInt32LE(i + 18);
      const n = x.readUInt16LE(i + 26);
      const name = x.subarray(i + 30, i + 30 + n).toString();
      const data = inflateRawSync(x.subarray(i + 30 + n, i + 30 + n + size));
      expect(crc32(data)).toBe(x.readUInt32LE(i + 14));
      names.push(name);
      if (name === 'xl/worksheets/sheet1.xml') sheet = data.toString();
      i += 30 + n + size;
    }
    expect(names).toEqual(['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/worksheets/sheet1.xml']);
    expect(sheet).toContain('<t xml:space="preserve">&lt;井盖&gt; &amp; &quot;缺失&quot;</t>');
    expect(sheet).toContain('<c r="B3"><v>3</v></c>');
    // The end of central directory names all six entries.
    const end = x.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    expect(x.readUInt16LE(end + 10)).toBe(6);
  });
});
