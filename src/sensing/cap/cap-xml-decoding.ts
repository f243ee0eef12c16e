/**
 * Bytes to text for the strict XML reader: a UTF-8 byte order mark, the encoding the XML
 * declaration names, UTF-8 (strict) or ISO-8859-1; UTF-16/32 and every other encoding refused.
 */
import { XmlStop, type XmlEncoding } from './cap-xml-tree.ts';

const UTF8_NAMES = new Set(['utf-8', 'utf8']);
const ASCII_NAMES = new Set(['us-ascii', 'ascii']);
const LATIN1_NAMES = new Set(['iso-8859-1', 'iso_8859-1', 'iso8859-1', 'latin1', 'latin-1', 'l1', 'iso-ir-100', 'cp819', 'ibm819']);

/** The `encoding="…"` of a leading XML declaration, read from the raw bytes (all ASCII). */
function sniffDeclaredEncoding(bytes: Uint8Array): string | null {
  // '<?xml' followed by whitespace; the declaration is short, so 256 bytes are plenty.
  if (!(bytes[0] === 0x3c && bytes[1] === 0x3f && bytes[2] === 0x78 && bytes[3] === 0x6d && bytes[4] === 0x6c)) return null;
  const head = Array.from(bytes.subarray(0, 256), (b) => String.fromCharCode(b)).join('');
  const end = head.indexOf('?>');
  const decl = end < 0 ? head : head.slice(0, end);
  const m = /\sencoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\1/.exec(decl);
  return m ? m[2]! : null;
}

/** ISO-8859-1 maps each byte to the code point of the same value (TextDecoder's 'latin1' is windows-1252). */
function decodeLatin1(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 8192) {
    parts.push(String.fromCharCode(...bytes.subarray(i, i + 8192)));
  }
  return parts.join('');
}

export function decodeBytes(bytes: Uint8Array): { text: string; encoding: XmlEncoding } {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) throw new XmlStop(0, '不支持 UTF-16 编码：请使用 UTF-8 或 ISO-8859-1', 'UTF-16 is not supported: send UTF-8 or ISO-8859-1');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) throw new XmlStop(0, '不支持 UTF-16/UTF-32 编码：请使用 UTF-8 或 ISO-8859-1', 'UTF-16/UTF-32 is not supported: send UTF-8 or ISO-8859-1');
  if (bytes[0] === 0x00) throw new XmlStop(0, '不支持 UTF-16/UTF-32 编码：请使用 UTF-8 或 ISO-8859-1', 'UTF-16/UTF-32 is not supported: send UTF-8 or ISO-8859-1');
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = hasBom ? bytes.subarray(3) : bytes;
  const declared = sniffDeclaredEncoding(body);
  const name = declared?.toLowerCase() ?? null;
  if (hasBom && name !== null && !UTF8_NAMES.has(name)) {
    throw new XmlStop(0, `文件以 UTF-8 字节序标记开头，却声明了编码 ${declared}`, `the document starts with a UTF-8 byte order mark but declares encoding ${declared}`);
  }
  if (name === null || UTF8_NAMES.has(name) || ASCII_NAMES.has(name)) {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
    } catch {
      throw new XmlStop(0, '内容不是有效的 UTF-8（请检查声明的编码）', 'the content is not valid UTF-8 (check the declared encoding)');
    }
    if (name !== null && ASCII_NAMES.has(name) && /[^\x00-\x7f]/.test(text)) {
      throw new XmlStop(0, `声明为 ${declared}，却含有非 ASCII 字符`, `declared as ${declared} but contains non-ASCII characters`);
    }
    return { text, encoding: 'UTF-8' };
  }
  if (LATIN1_NAMES.has(name)) return { text: decodeLatin1(body), encoding: 'ISO-8859-1' };
  throw new XmlStop(
    0,
    `不支持的编码 ${declared}：只接受 UTF-8 与 ISO-8859-1`,
    `encoding ${declared} is not supported: only UTF-8 and ISO-8859-1 are accepted`,
  );
}
