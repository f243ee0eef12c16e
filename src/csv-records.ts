/**
 * Reading CSV from outside (device lists, labelled messages, recorded series) — pure. The parsing
 * is csv-parse's (RFC 4180: quoted fields, doubled quotes, delimiters and newlines inside quotes,
 * a BOM); this module fixes the dialect every CityLoop reader accepts and gives each record the
 * line of the file it starts on, so a problem can name it.
 *
 * The dialect, as the hand-written readers it replaces had it: LF, CRLF and CR all end a record
 * (files pass through Windows and old Mac tools, and a file may mix them); records may have
 * fewer or more fields than the header (the caller decides whether that is an error); empty lines
 * are skipped. Quotes are strict: an unclosed quote, text after a closing quote or a quote inside
 * an unquoted field refuses the file with the line of the record. (csv-parse's relaxed mode would
 * keep `"ab"c` as the five characters `"ab"c`; a refusal the person can fix beats a value that
 * silently differs from what the spreadsheet showed.)
 */
import { CsvError, parse } from 'csv-parse/sync';

/** One record and the line (from 1) of the file where it starts. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Line numbers by byte offset, scanning forward only. csv-parse reports where each record ends
 * in bytes (`info.bytes`); its own line count is not used because it counts a CRLF inside a quoted
 * field as two lines. CR and LF bytes never occur inside a multi-byte UTF-8 sequence, so counting
 * them in the bytes is exact.
 */
class LineCounter {
  #offset = 0;
  #line = 1;

  constructor(private readonly bytes: Uint8Array) {}

  /** The line of the first character at or after `from` that is not a line break. */
  startOfRecordAfter(from: number): number {
    let o = Math.max(from, this.#offset);
    while (o < this.bytes.length && (this.bytes[o] === LF || this.bytes[o] === CR)) o++;
    return this.#lineAt(o);
  }

  #lineAt(offset: number): number {
    const b = this.bytes;
    for (; this.#offset < offset; this.#offset++) {
      const c = b[this.#offset];
      // CRLF counts once, at its LF; a lone CR (old Mac files) is a line break of its own.
      if (c === LF || (c === CR && b[this.#offset + 1] !== LF)) this.#line++;
    }
    return this.#line;
  }
}

function reasonOf(e: CsvError): string {
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'text follows the closing quote of a quoted field (a quote inside a quoted field is written twice: "")';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside an unquoted field (put the field in quotes and write the quote twice: "12"" pipe")';
    default:
      return e.message;
  }
}

/** Every record of a CSV text, the header (if any) first; throws CsvSyntaxError with the line. */
export function readCsvRecords(text: string): CsvRecord[] {
  const bytes = Buffer.from(text, 'utf8');
  const lines = new LineCounter(bytes);
  let parsed: { record: string[]; info: { bytes: number } }[];
  try {
    // With `info`, each record comes as { record, info }; the typings know only plain rows.
    parsed = parse(bytes, {
      bom: true,
      info: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as { record: string[]; info: { bytes: number } }[];
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    // On an error csv-parse's `bytes` is where the last good record ended: the bad one starts after it.
    throw new CsvSyntaxError(lines.startOfRecordAfter(typeof e.bytes === 'number' ? e.bytes : 0), reasonOf(e));
  }
  const records: CsvRecord[] = [];
  let end = 0;
  for (const { record, info } of parsed) {
    records.push({ line: lines.startOfRecordAfter(end), fields: record });
    end = info.bytes;
  }
  return records;
}
