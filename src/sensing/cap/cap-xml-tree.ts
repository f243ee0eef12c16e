/**
 * The tree the strict XML reader builds (elements, attributes, text with positions), the problem
 * shape it reports, the helpers its readers walk the tree with, and `XmlStop`, the one exception
 * the reading stages throw among themselves.
 */

/** A problem with a position in the (line-ending-normalised) text; line and column count from 1. */
export interface XmlProblem {
  readonly line: number;
  readonly column: number;
  readonly message: { readonly zh: string; readonly en: string };
}

export interface XmlAttribute {
  /** As written, e.g. `xsi:schemaLocation`. */
  readonly name: string;
  readonly prefix: string | null;
  readonly local: string;
  /** null for an unprefixed attribute (attributes do not take the default namespace). */
  readonly ns: string | null;
  readonly value: string;
}

export interface XmlElement {
  readonly kind: 'element';
  /** As written, e.g. `cap:alert`. */
  readonly name: string;
  readonly prefix: string | null;
  readonly local: string;
  /** The resolved namespace URI; null when the element is in no namespace. */
  readonly ns: string | null;
  /** Without the `xmlns` / `xmlns:*` declarations, which are resolved away. */
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlNode[];
  readonly line: number;
  readonly column: number;
}

/** Character data with references resolved; adjacent text and CDATA sections are merged. */
export interface XmlText {
  readonly kind: 'text';
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

export type XmlNode = XmlElement | XmlText;

/** The two encodings an alert may arrive in (what the bytes were decoded as). */
export type XmlEncoding = 'UTF-8' | 'ISO-8859-1';

export interface XmlDocument {
  readonly root: XmlElement;
  /** The encoding named in the XML declaration as written, or null when none was named. */
  readonly declaredEncoding: string | null;
  /** What the bytes were decoded as; 'UTF-8' for string input. */
  readonly encoding: XmlEncoding;
  /** `xml-stylesheet` processing instructions found before the root and ignored (never fetched). */
  readonly ignoredStylesheets: readonly string[];
}

/** Thrown inside the reading stages only (decoding, the reader); `readXml` turns it into a result. */
export class XmlStop extends Error {
  constructor(
    readonly at: number,
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
  }
}

// ───────────────────────────── helpers for readers of the tree ─────────────────────────────

/** The element children, in order. */
export function childElements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => c.kind === 'element');
}

/** All character data directly inside the element (not in its children). */
export function directText(el: XmlElement): string {
  let out = '';
  for (const c of el.children) if (c.kind === 'text') out += c.text;
  return out;
}
