/**
 * Labelled messages from a file's text: JSONL (one object a line) or CSV (RFC 4180, a header
 * row). A city's past work orders come out of whatever system it had, so the CSV columns may be
 * named in English or as in the TipDM export (留言主题, 留言详情, 一级标签). Every problem names
 * its line: a refusal the person can act on, not "invalid input".
 */
import { CsvSyntaxError, readCsvRecords, type CsvRecord } from '../../src/csv-records.ts';
import type { LabelledMessage } from './train-appeal-classifier.ts';

export type MessageFileFormat = 'jsonl' | 'csv';

/** A message and the line of the file it starts on. */
export interface NumberedMessage extends LabelledMessage {
  readonly line: number;
}

export class MessageFileError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/** By extension, else by the first character (a JSON line starts with "{"). */
export function detectMessageFormat(fileName: string, content: string): MessageFileFormat {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson') || lower.endsWith('.json')) return 'jsonl';
  return content.replace(/^\uFEFF/, '').trimStart().startsWith('{') ? 'jsonl' : 'csv';
}

export interface ParseOptions {
  /** Eval and training need labels; classifying a batch would not. */
  readonly requireLabel: boolean;
}

function checkMessage(line: number, title: unknown, text: unknown, label: unknown, opts: ParseOptions): NumberedMessage {
  if (typeof text !== 'string' || text.trim() === '') throw new MessageFileError(line, '"text" is missing or empty');
  if (title !== undefined && title !== null && typeof title !== 'string') throw new MessageFileError(line, '"title" must be a string');
  if (label === undefined || label === null || (typeof label === 'string' && label.trim() === '')) {
    if (opts.requireLabel) throw new MessageFileError(line, '"label" is missing or empty');
    return { title: (title as string | null | undefined) ?? null, text, label: '', line };
  }
  if (typeof label !== 'string') throw new MessageFileError(line, '"label" must be a string');
  return { title: (title as string | null | undefined) ?? null, text, label: label.trim(), line };
}

export function parseJsonlMessages(content: string, opts: ParseOptions): NumberedMessage[] {
  const out: NumberedMessage[] = [];
  const lines = content.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (e) {
      throw new MessageFileError(i + 1, `not valid JSON (${(e as Error).message})`);
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new MessageFileError(i + 1, 'not a JSON object');
    const r = row as Record<string, unknown>;
    out.push(checkMessage(i + 1, r.title, r.text, r.label, opts));
  });
  return out;
}

const COLUMN_NAMES: Record<'title' | 'text' | 'label', readonly string[]> = {
  title: ['title', '留言主题', '标题', '主题'],
  text: ['text', '留言详情', '内容', '正文', '诉求内容'],
  label: ['label', '一级标签', '一级分类', '类别', '分类'],
};

export function parseCsvMessages(content: string, opts: ParseOptions): NumberedMessage[] {
  let records: CsvRecord[];
  try {
    records = readCsvRecords(content);
  } catch (e) {
    if (e instanceof CsvSyntaxError) throw new MessageFileError(e.line, e.reason);
    throw e;
  }
  const header = records.shift();
  if (!header) throw new MessageFileError(1, 'the file is empty (a header row with text and label columns is needed)');
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const column = (key: keyof typeof COLUMN_NAMES) => names.findIndex((n) => COLUMN_NAMES[key].includes(n));
  const at = { title: column('title'), text: column('text'), label: column('label') };
  if (at.text < 0) throw new MessageFileError(header.line, `no text column in the header (one of: ${COLUMN_NAMES.text.join(', ')})`);
  if (opts.requireLabel && at.label < 0) throw new MessageFileError(header.line, `no label column in the header (one of: ${COLUMN_NAMES.label.join(', ')})`);
  return records.map((r) => {
    if (r.fields.length !== header.fields.length) throw new MessageFileError(r.line, `${r.fields.length} fields where the header has ${header.fields.length}`);
    const title = at.title >= 0 && r.fields[at.title]!.trim() !== '' ? r.fields[at.title] : null;
    return checkMessage(r.line, title, r.fields[at.text], at.label >= 0 ? r.fields[at.label] : undefined, opts);
  });
}

export function parseLabelledMessages(content: string, format: MessageFileFormat, opts: ParseOptions): NumberedMessage[] {
  return format === 'csv' ? parseCsvMessages(content, opts) : parseJsonlMessages(content, opts);
}
