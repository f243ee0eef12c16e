/**
 * A small XML writer for the Open311 answers: elements and text only, no attributes, no
 * namespaces, no entities beyond the five predefined ones. We never parse XML (Open311 requests
 * arrive form-encoded), so writing safely is all that is needed.
 */

/**
 * Characters XML 1.0 does not allow (C0 controls other than tab, line feed and carriage return,
 * U+FFFE, U+FFFF, unpaired surrogates) and the C1 controls and DEL it discourages: dropped, since a
 * numeric reference to them would still make the document ill-formed or unreadable to some parsers.
 */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text safe inside an element: forbidden characters dropped, line ends normalised, the five escaped. */
export function escapeXmlText(text: string): string {
  return text
    .replace(NOT_XML, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

// Names are ours, never the client's; checking them keeps a typo from producing broken XML.
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function assertName(name: string): void {
  if (!NAME.test(name) || /^xml/i.test(name)) throw new Error(`not an XML element name we write: ${JSON.stringify(name)}`);
}

export type XmlValue = string | number | boolean | null | undefined | readonly XmlValue[] | { readonly [key: string]: XmlValue };

/**
 * Writes `value` as the document element `root` after the Spark convention the GeoReport v2 JSON
 * follows: an object's keys become child elements in order; an array becomes its element with one
 * child per item, named by `itemNames[arrayName]` (services → service); null becomes an empty
 * element; undefined is left out.
 */
export function writeXmlDocument(root: string, value: XmlValue, itemNames: Readonly<Record<string, string>>): string {
  const out: string[] = ['<?xml version="1.0" encoding="utf-8"?>\n'];
  writeElement(out, root, value, itemNames, 0);
  return out.join('');
}

function writeElement(out: string[], name: string, value: XmlValue, itemNames: Readonly<Record<string, string>>, depth: number): void {
  if (value === undefined) return;
  assertName(name);
  const indent = '  '.repeat(depth);
  if (value === null) {
    out.push(`${indent}<${name}/>\n`);
    return;
  }
  if (Array.isArray(value)) {
    const item = itemNames[name];
    if (item === undefined) throw new Error(`no item element name for the list ${name}`);
    if (value.length === 0) {
      out.push(`${indent}<${name}/>\n`);
      return;
    }
    out.push(`${indent}<${name}>\n`);
    for (const v of value as readonly XmlValue[]) writeElement(out, item, v, itemNames, depth + 1);
    out.push(`${indent}</${name}>\n`);
    return;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as { readonly [key: string]: XmlValue }).filter(([, v]) => v !== undefined);
    if (entries.length === 0) {
      out.push(`${indent}<${name}/>\n`);
      return;
    }
    out.push(`${indent}<${name}>\n`);
    for (const [k, v] of entries) writeElement(out, k, v, itemNames, depth + 1);
    out.push(`${indent}</${name}>\n`);
    return;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`${name}: ${value} has no XML form`);
  const text = escapeXmlText(String(value));
  out.push(text === '' ? `${indent}<${name}/>\n` : `${indent}<${name}>${text}</${name}>\n`);
}
