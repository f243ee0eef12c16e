import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, readCsvRecords } from './csv-records.ts';

function refusal(text: string): CsvSyntaxError {
  try {
    readCsvRecords(text);
  } catch (e) {
    if (e instanceof CsvSyntaxError) return e;
    throw e;
  }
  throw new Error('the text was accepted');
}

describe('reading CSV records', () => {
  it('reads quoted fields: delimiters, doubled quotes and an empty quoted field', () => {
    expect(readCsvRecords('a,b,c\n"x, y","say ""hi""",""\n')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x, y', 'say "hi"', ''] },
    ]);
  });

  it('keeps newlines inside quotes and numbers each record by the line it starts on', () => {
    const r = readCsvRecords('id,text\n1,"first\nsecond\n\nfourth"\n2,after\n');
    expect(r).toEqual([
      { line: 1, fields: ['id', 'text'] },
      { line: 2, fields: ['1', 'first\nsecond\n\nfourth'] },
      { line: 6, fields: ['2', 'after'] },
    ]);
  });

  it('drops a byte order mark and reads multi-byte text', () => {
    expect(readCsvRecords('\uFEFF名称,值\n水位计,"0.5"')).toEqual([
      { line: 1, fields: ['名称', '值'] },
      { line: 2, fields: ['水位计', '0.5'] },
    ]);
  });

  it('takes CRLF, LF and a lone CR as record ends, mixed in one file, and CRLF inside quotes as one line', () => {
    const r = readCsvRecords('a,b\r\n1,"x\r\ny"\r\n2,z\n3,w\r4,v');
    expect(r.map((x) => x.fields)).toEqual([['a', 'b'], ['1', 'x\r\ny'], ['2', 'z'], ['3', 'w'], ['4', 'v']]);
    expect(r.map((x) => x.line)).toEqual([1, 2, 4, 5, 6]);
  });

  it('skips empty lines, counting them, and leaves uneven records to the caller', () => {
    expect(readCsvRecords('a,b\n\n\n1\n1,2,3\n,\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 4, fields: ['1'] },
      { line: 5, fields: ['1', '2', '3'] },
      { line: 6, fields: ['', ''] },
    ]);
    expect(readCsvRecords('')).toEqual([]);
  });

  it('refuses an unclosed quote with the line where its record starts', () => {
    const e = refusal('a,b\n1,2\n"multi\nline",3\n"never closed,x\n5,6\n');
    expect(e.line).toBe(5);
    expect(e.message).toBe('line 5: a quoted field is never closed');
  });

  it('refuses text after a closing quote with the line of its record, also after CRLF inside quotes', () => {
    const e = refusal('a,b\r\n"x\r\ny",1\r\n"ab"c,2\r\n');
    expect(e.line).toBe(4);
    expect(e.message).toMatch(/^line 4: text follows the closing quote of a quoted field/);
    expect(refusal('\uFEFF"ok",1\n"bad"x,2').line).toBe(2);
  });

  it('refuses a quote inside an unquoted field with the line, where a relaxed reader would guess', () => {
    const e = refusal('size,name\n"DN 300",main\n12" pipe,branch\n');
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/^line 3: a quote inside an unquoted field/);
    expect(refusal('a,b\nx,"y"z\n').line).toBe(2);
  });
});
