/**
 * A small, strict XML reader for alert messages that arrive from outside (a file, a POST, a polled
 * feed). It reads only what a Common Alerting Protocol message needs — elements, attributes,
 * namespaces, text, CDATA, comments — and refuses everything that lets a document reach beyond
 * itself: no DOCTYPE, no entity declarations (so no external entities and no "billion laughs"),
 * no entity other than the five predefined ones and character references, no processing
 * instructions except a leading `xml-stylesheet` hint, which is never fetched. Nothing is ever
 * loaded from a URL. Size, depth and element count are bounded before any work is done.
 *
 * Well-formedness errors are fatal in XML, so reading stops at the first one; the caller gets it
 * as data (line, column, a message in Chinese and English), never as an exception.
 *
 * This module is the entry and its bounds; the stages are `cap-xml-decoding.ts` (bytes to text),
 * `cap-xml-reader.ts` (text to tree) and `cap-xml-tree.ts` (the tree and its helpers).
 *
 * Why not a library: general XML parsers (sax, fast-xml-parser, @xmldom/xmldom) accept all of XML
 * and must be configured not to expand entities, and report positions in English only; a reader
 * that refuses DOCTYPE and entities by construction, for the little CAP needs, is easier to audit.
 */
import { XmlStop, type XmlDocument, type XmlEncoding, type XmlProblem } from './cap-xml-tree.ts';
import { decodeBytes } from './cap-xml-decoding.ts';
import { BAD_CHAR_RE, XmlReader } from './cap-xml-reader.ts';

export type XmlReadResult =
  | { readonly ok: true; readonly document: XmlDocument }
  | { readonly ok: false; readonly errors: readonly XmlProblem[] };

export interface XmlReadOptions {
  /** Largest input in bytes (strings are measured as UTF-8). Default 1 MiB. */
  readonly maxBytes?: number;
  /** Deepest element nesting (the root is depth 1). Default 32. */
  readonly maxDepth?: number;
  /** Most elements in one document. Default 20 000. */
  readonly maxElements?: number;
  /** Most attributes on one element. Default 64. */
  readonly maxAttributes?: number;
}

/** 1 MiB: a large real CAP message (Environment Canada, signed, two languages) is about 25 KiB. */
export const DEFAULT_MAX_XML_BYTES = 1024 * 1024;
/** A CAP message nests 5 deep (alert/info/area/geocode/value); an XML signature about 7. */
export const DEFAULT_MAX_XML_DEPTH = 32;
export const DEFAULT_MAX_XML_ELEMENTS = 20_000;
export const DEFAULT_MAX_XML_ATTRIBUTES = 64;

/**
 * Reads an XML document strictly (see the module comment). `input` is the raw bytes (the declared
 * encoding is honoured: UTF-8 or ISO-8859-1) or an already decoded string (its declaration's
 * encoding is then irrelevant). Never throws.
 */
export function readXml(input: Uint8Array | string, options: XmlReadOptions = {}): XmlReadResult {
  const opts: Required<XmlReadOptions> = {
    maxBytes: options.maxBytes ?? DEFAULT_MAX_XML_BYTES,
    maxDepth: options.maxDepth ?? DEFAULT_MAX_XML_DEPTH,
    maxElements: options.maxElements ?? DEFAULT_MAX_XML_ELEMENTS,
    maxAttributes: options.maxAttributes ?? DEFAULT_MAX_XML_ATTRIBUTES,
  };
  let reader: XmlReader | null = null;
  try {
    const size = typeof input === 'string' ? utf8Length(input, opts.maxBytes) : input.byteLength;
    if (size > opts.maxBytes) {
      throw new XmlStop(0, `文档过大（上限 ${opts.maxBytes} 字节）`, `the document is too large (limit ${opts.maxBytes} bytes)`);
    }
    let text: string;
    let encoding: XmlEncoding;
    if (typeof input === 'string') {
      text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
      encoding = 'UTF-8';
    } else {
      ({ text, encoding } = decodeBytes(input));
    }
    // End-of-line handling (XML 1.0 §2.11) before anything else, so positions are in lines.
    text = text.replace(/\r\n?/g, '\n');
    reader = new XmlReader(text, opts);
    const bad = BAD_CHAR_RE.exec(text);
    if (bad) {
      const cp = bad[0].codePointAt(0)!;
      throw new XmlStop(bad.index, `含有 XML 不允许的字符 U+${cp.toString(16).toUpperCase().padStart(4, '0')}`, `contains a character XML does not allow: U+${cp.toString(16).toUpperCase().padStart(4, '0')}`);
    }
    const declaredEncoding = reader.declaration();
    const { root, stylesheets } = reader.document();
    return { ok: true, document: { root, declaredEncoding, encoding, ignoredStylesheets: stylesheets } };
  } catch (e) {
    if (e instanceof XmlStop) {
      const pos = reader ? reader.position(e.at) : { line: 1, column: 1 };
      return { ok: false, errors: [{ ...pos, message: { zh: e.zh, en: e.en } }] };
    }
    // A bug in this reader must still not take the caller down with untrusted input.
    return { ok: false, errors: [{ line: 1, column: 1, message: { zh: `读取 XML 时出错：${String(e)}`, en: `could not read the XML: ${String(e)}` } }] };
  }
}

/** UTF-8 length of a string, counting no further than just past `limit`. */
function utf8Length(s: string, limit: number): number {
  if (s.length > limit) return s.length; // at least one byte per code unit
  return Buffer.byteLength(s, 'utf8');
}
