import { describe, expect, it } from 'vitest';
import { detectMessageFormat, parseCsvMessages, parseJsonlMessages } from './read-labelled-messages.ts';

const NEED_LABEL = { requireLabel: true };

describe('reading labelled messages', () => {
  it('reads JSONL, skips blank lines and keeps each message\'s line', () => {
    const m = parseJsonlMessages('{"title":"停水","text":"三天没水","label":"城乡建设"}\n\n{"text":"工资被拖欠","label":"劳动和社会保障","time":null}\n', NEED_LABEL);
    expect(m).toEqual([
      { title: '停水', text: '三天没水', label: '城乡建设', line: 1 },
      { title: null, text: '工资被拖欠', label: '劳动和社会保障', line: 3 },
    ]);
  });

  it('names the line of a bad JSONL record', () => {
    expect(() => parseJsonlMessages('{"text":"a","label":"x"}\n{"text":"b"\n', NEED_LABEL)).toThrow(/^line 2: not valid JSON/);
    expect(() => parseJsonlMessages('{"text":"a","label":"x"}\n{"text":"","label":"x"}', NEED_LABEL)).toThrow(/^line 2: "text" is missing/);
    expect(() => parseJsonlMessages('{"text":"a"}', NEED_LABEL)).toThrow(/^line 1: "label" is missing/);
    expect(() => parseJsonlMessages('["a"]', NEED_LABEL)).toThrow(/^line 1: not a JSON object/);
  });

  it('reads RFC 4180 CSV with quoted commas, quotes and newlines, and TipDM column names', () => {
    const csv = '\uFEFF留言主题,留言详情,一级标签\r\n"噪音, 扰民","楼下 ""KTV"" 太吵\n到凌晨",环境保护\r\n,路灯坏了,城乡建设\r\n';
    expect(parseCsvMessages(csv, NEED_LABEL)).toEqual([
      { title: '噪音, 扰民', text: '楼下 "KTV" 太吵\n到凌晨', label: '环境保护', line: 2 },
      { title: null, text: '路灯坏了', label: '城乡建设', line: 4 },
    ]);
  });

  it('names the line of a bad CSV record', () => {
    expect(() => parseCsvMessages('text,label\n路灯坏了\n', NEED_LABEL)).toThrow(/^line 2: 1 fields where the header has 2/);
    expect(() => parseCsvMessages('title,label\na,b\n', NEED_LABEL)).toThrow(/^line 1: no text column/);
    expect(() => parseCsvMessages('text,label\n"never closed,x\n', NEED_LABEL)).toThrow(/^line 2: a quoted field is never closed/);
    expect(() => parseCsvMessages('text,label\r\n"两行\r\n留言",环境保护\r\n"路灯"坏了,城乡建设\r\n', NEED_LABEL)).toThrow(/^line 4: text follows the closing quote/);
    expect(() => parseCsvMessages('text,label\n路灯"坏了",城乡建设\n', NEED_LABEL)).toThrow(/^line 2: a quote inside an unquoted field/);
  });

  it('tells CSV from JSONL by extension, else by the first character', () => {
    expect(detectMessageFormat('orders.CSV', '{')).toBe('csv');
    expect(detectMessageFormat('orders.jsonl', 'text')).toBe('jsonl');
    expect(detectMessageFormat('orders.txt', '  {"text":1}')).toBe('jsonl');
    expect(detectMessageFormat('orders.txt', 'text,label')).toBe('csv');
  });
});
