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
 * Why not a library: general XML parsers (sax, fast-xml-parser, @xmldom/xmldom) accept all of XML
 * and must be configured not to expand entities, and report positions in English only; a reader
 * that refuses DOCTYPE and entities by construction, for the little CAP needs, is easier to audit.
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

export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';
export const XINCLUDE_NAMESPACES: readonly string[] = ['http://www.w3.org/2001/XInclude', 'http://www.w3.org/2003/XInclude'];

/** Thrown inside the reader only; `readXml` turns it into a result. */
class XmlStop extends Error {
  constructor(
    readonly at: number,
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
  }
}

// ───────────────────────────── decoding ─────────────────────────────

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

function decodeBytes(bytes: Uint8Array): { text: string; encoding: XmlEncoding } {
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

// ───────────────────────────── lexical rules ─────────────────────────────

// XML 1.0 (fifth edition) NameStartChar / NameChar, as sticky regular expressions.
const NAME_START = ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_REST = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
const NAME_RE = new RegExp(`[${NAME_START}][${NAME_REST}]*`, 'uy');
/** Characters XML 1.0 forbids anywhere (C0 controls other than tab/LF/CR, surrogates, U+FFFE/F). */
const BAD_CHAR_RE = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const WS = new Set([' ', '\t', '\n', '\r']);

/** Namespaces in XML 1.0: a QName has at most one colon, not at either end. */
function splitQName(name: string): { prefix: string | null; local: string } | null {
  const k = name.indexOf(':');
  if (k < 0) return { prefix: null, local: name };
  if (k === 0 || k === name.length - 1 || name.indexOf(':', k + 1) >= 0) return null;
  return { prefix: name.slice(0, k), local: name.slice(k + 1) };
}

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

interface Scope {
  readonly bindings: ReadonlyMap<string, string | null>;
}

interface OpenElement {
  readonly name: string;
  readonly prefix: string | null;
  readonly local: string;
  readonly ns: string | null;
  readonly attributes: XmlAttribute[];
  readonly children: XmlNode[];
  readonly at: number;
  readonly scope: Scope;
  /** Index in `children` of a text node still being extended, or -1. */
  openText: number;
}

// ───────────────────────────── the reader ─────────────────────────────

class Reader {
  readonly #s: string;
  #i = 0;
  readonly #opts: Required<XmlReadOptions>;
  #elements = 0;
  readonly #stylesheets: string[] = [];
  #lineStarts: number[] | null = null;

  constructor(text: string, opts: Required<XmlReadOptions>) {
    this.#s = text;
    this.#opts = opts;
  }

  position(at: number): { line: number; column: number } {
    if (!this.#lineStarts) {
      const starts = [0];
      for (let k = 0; k < this.#s.length; k++) if (this.#s.charCodeAt(k) === 10) starts.push(k + 1);
      this.#lineStarts = starts;
    }
    const starts = this.#lineStarts;
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - starts[lo]! + 1 };
  }

  #stop(at: number, zh: string, en: string): never {
    throw new XmlStop(at, zh, en);
  }

  #startsWith(token: string, at = this.#i): boolean {
    return this.#s.startsWith(token, at);
  }

  #skipSpace(): boolean {
    const start = this.#i;
    while (this.#i < this.#s.length && WS.has(this.#s[this.#i]!)) this.#i++;
    return this.#i > start;
  }

  #name(): string {
    NAME_RE.lastIndex = this.#i;
    const m = NAME_RE.exec(this.#s);
    if (!m) this.#stop(this.#i, '此处应为一个名称', 'a name was expected here');
    this.#i += m[0].length;
    return m[0];
  }

  /** Reads the XML declaration if the text starts with one; returns the encoding it names. */
  declaration(): string | null {
    if (!(this.#startsWith('<?xml') && WS.has(this.#s[5] ?? ''))) return null;
    const end = this.#s.indexOf('?>');
    if (end < 0) this.#stop(0, 'XML 声明没有结束', 'the XML declaration is not closed');
    const body = this.#s.slice(5, end);
    const m = /^\s+version\s*=\s*(["'])([^"']*)\1(?:\s+encoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\3)?(?:\s+standalone\s*=\s*(["'])(yes|no)\5)?\s*$/.exec(body);
    if (!m) this.#stop(0, 'XML 声明格式不正确（应为 version、encoding、standalone 依次出现）', 'malformed XML declaration (version, then encoding, then standalone)');
    if (m[2] !== '1.0') this.#stop(0, `只接受 XML 1.0，而声明的版本为 ${m[2]}`, `only XML 1.0 is accepted, the declaration says version ${m[2]}`);
    this.#i = end + 2;
    return m[4] ?? null;
  }

  /** Prolog, root element, trailing misc. */
  document(): { root: XmlElement; stylesheets: string[] } {
    let root: XmlElement | null = null;
    while (this.#i < this.#s.length) {
      this.#skipSpace();
      if (this.#i >= this.#s.length) break;
      const at = this.#i;
      if (this.#startsWith('<!--')) {
        this.#comment();
      } else if (this.#startsWith('<?')) {
        this.#processingInstruction(root === null);
      } else if (this.#startsWith('<!DOCTYPE')) {
        this.#stop(at, '拒绝 DOCTYPE 声明：不读取任何 DTD，也不展开任何实体', 'DOCTYPE declarations are refused: no DTD is ever read and no entity is expanded');
      } else if (this.#startsWith('<!')) {
        this.#markupDeclaration(at);
      } else if (this.#startsWith('<') && root === null) {
        root = this.#element();
      } else if (root === null) {
        this.#stop(at, '根元素之前出现了文本', 'text before the root element');
      } else {
        this.#stop(at, '根元素之后只允许注释与空白', 'only comments and white space may follow the root element');
      }
    }
    if (!root) this.#stop(this.#s.length, '文档中没有元素', 'the document has no element');
    return { root, stylesheets: this.#stylesheets };
  }

  /** `<!ENTITY`, `<!ELEMENT` … outside a DTD, or any other `<!` that is not a comment or CDATA. */
  #markupDeclaration(at: number): never {
    if (/^<!(ENTITY|ELEMENT|ATTLIST|NOTATION)\b/.test(this.#s.slice(at, at + 12))) {
      this.#stop(at, '拒绝实体或标记声明（<!ENTITY 等）：不展开任何实体', 'entity and markup declarations (<!ENTITY …) are refused: no entity is ever expanded');
    }
    this.#stop(at, '无法识别的 <! 标记', 'unrecognised <! markup');
  }

  #comment(): void {
    const start = this.#i;
    const end = this.#s.indexOf('-->', start + 4);
    if (end < 0) this.#stop(start, '注释没有结束', 'the comment is not closed');
    const body = this.#s.slice(start + 4, end);
    if (body.includes('--') || body.endsWith('-')) this.#stop(start, '注释中不得出现“--”', "a comment must not contain '--'");
    this.#i = end + 3;
  }

  #processingInstruction(inProlog: boolean): void {
    const start = this.#i;
    this.#i += 2;
    const target = this.#name();
    const end = this.#s.indexOf('?>', this.#i);
    if (end < 0) this.#stop(start, '处理指令没有结束', 'the processing instruction is not closed');
    const data = this.#s.slice(this.#i, end).trim();
    this.#i = end + 2;
    if (target.toLowerCase() === 'xml') {
      this.#stop(start, 'XML 声明只能出现在文档最开头', 'the XML declaration may only stand at the very start of the document');
    }
    // Public alert feeds (NWS, USGS) put a stylesheet hint before the alert for browsers. It is
    // inert unless someone follows it; we never do, so it is tolerated before the root only.
    if (inProlog && target === 'xml-stylesheet') {
      this.#stylesheets.push(data);
      return;
    }
    this.#stop(start, `拒绝处理指令 <?${target}?>（只接受 XML 声明与根元素之前的 xml-stylesheet）`, `processing instruction <?${target}?> refused (only the XML declaration and a leading xml-stylesheet are accepted)`);
  }

  #reference(): string {
    const start = this.#i;
    const end = this.#s.indexOf(';', start);
    const body = end < 0 ? '' : this.#s.slice(start + 1, end);
    NAME_RE.lastIndex = 0;
    const isName = NAME_RE.exec(body)?.[0] === body;
    if (end < 0 || end - start > 64 || !(body.startsWith('#') || isName)) {
      this.#stop(start, '“&”必须写成 &amp;', "a bare '&' must be written &amp;");
    }
    this.#i = end + 1;
    if (body.startsWith('#')) {
      const hex = body.startsWith('#x');
      const digits = hex ? body.slice(2) : body.slice(1);
      if (!(hex ? /^[0-9A-Fa-f]+$/ : /^[0-9]+$/).test(digits)) this.#stop(start, `字符引用 &${body}; 格式不正确`, `malformed character reference &${body};`);
      const cp = parseInt(digits, hex ? 16 : 10);
      if (!isXmlChar(cp)) this.#stop(start, `字符引用 &${body}; 指向 XML 不允许的字符`, `character reference &${body}; names a character XML does not allow`);
      return String.fromCodePoint(cp);
    }
    const value = PREDEFINED[body];
    if (value === undefined) {
      this.#stop(
        start,
        `拒绝未声明的实体 &${body};：只接受 &lt; &gt; &amp; &apos; &quot; 与字符引用`,
        `undeclared entity &${body}; refused: only &lt; &gt; &amp; &apos; &quot; and character references are accepted`,
      );
    }
    return value;
  }

  #attributeValue(): string {
    const quote = this.#s[this.#i];
    if (quote !== '"' && quote !== "'") this.#stop(this.#i, '属性值必须用引号括起', 'an attribute value must be quoted');
    this.#i++;
    let out = '';
    for (;;) {
      if (this.#i >= this.#s.length) this.#stop(this.#i, '属性值没有结束', 'the attribute value is not closed');
      const c = this.#s[this.#i]!;
      if (c === quote) {
        this.#i++;
        return out;
      }
      if (c === '<') this.#stop(this.#i, '属性值中不得出现“<”', "'<' is not allowed in an attribute value");
      if (c === '&') {
        out += this.#reference();
        continue;
      }
      // Attribute-value normalisation: each white-space character becomes a space.
      out += c === '\t' || c === '\n' || c === '\r' ? ' ' : c;
      this.#i++;
    }
  }

  #resolve(prefix: string | null, scope: Scope, at: number, forAttribute: boolean): string | null {
    if (prefix === null) return forAttribute ? null : (scope.bindings.get('') ?? null);
    const ns = scope.bindings.get(prefix);
    if (ns === undefined || ns === null) this.#stop(at, `前缀 ${prefix} 未声明命名空间`, `prefix ${prefix} is not bound to a namespace`);
    return ns;
  }

  /** Reads one element and everything inside it, without recursion. */
  #element(): XmlElement {
    const stack: OpenElement[] = [];
    const rootScope: Scope = { bindings: new Map<string, string | null>([['xml', XML_NAMESPACE]]) };
    let finished: XmlElement | null = null;

    const open = (): void => {
      const at = this.#i;
      this.#i++; // '<'
      const name = this.#name();
      const q = splitQName(name);
      if (!q) this.#stop(at, `元素名 ${name} 不符合命名空间规则`, `element name ${name} is not a valid qualified name`);
      const raw: { name: string; value: string; at: number }[] = [];
      for (;;) {
        const hadSpace = this.#skipSpace();
        const c = this.#s[this.#i];
        if (c === '>' || c === '/') break;
        if (c === undefined) this.#stop(at, `开始标签 <${name}> 没有结束`, `start tag <${name}> is not closed`);
        if (!hadSpace) this.#stop(this.#i, '属性之间必须有空白', 'attributes must be separated by white space');
        const attrAt = this.#i;
        const attrName = this.#name();
        this.#skipSpace();
        if (this.#s[this.#i] !== '=') this.#stop(this.#i, `属性 ${attrName} 缺少“=”`, `attribute ${attrName} has no '='`);
        this.#i++;
        this.#skipSpace();
        const value = this.#attributeValue();
        if (raw.some((r) => r.name === attrName)) this.#stop(attrAt, `属性 ${attrName} 重复`, `attribute ${attrName} is repeated`);
        raw.push({ name: attrName, value, at: attrAt });
        if (raw.length > this.#opts.maxAttributes) this.#stop(attrAt, `元素 <${name}> 的属性过多`, `element <${name}> has too many attributes`);
      }
      const selfClosing = this.#s[this.#i] === '/';
      if (selfClosing) {
        if (this.#s[this.#i + 1] !== '>') this.#stop(this.#i, '“/”之后应为“>”', "'>' expected after '/'");
        this.#i += 2;
      } else {
        this.#i++;
      }

      // Namespace declarations first: they apply to the element's own name and attributes.
      const parentScope = stack.length > 0 ? stack[stack.length - 1]!.scope : rootScope;
      let bindings: Map<string, string | null> | null = null;
      const plain: { name: string; value: string; at: number }[] = [];
      for (const r of raw) {
        if (r.name === 'xmlns' || r.name.startsWith('xmlns:')) {
          const p = r.name === 'xmlns' ? '' : r.name.slice(6);
          if (p === 'xmlns' || (p === 'xml' && r.value !== XML_NAMESPACE) || (p !== 'xml' && r.value === XML_NAMESPACE) || r.value === XMLNS_NAMESPACE) {
            this.#stop(r.at, `保留的命名空间前缀或名称不得重新绑定：${r.name}`, `reserved namespace prefix or name may not be rebound: ${r.name}`);
          }
          if (p !== '' && r.value === '') this.#stop(r.at, `前缀 ${p} 不能绑定到空命名空间`, `prefix ${p} may not be bound to an empty namespace`);
          bindings ??= new Map(parentScope.bindings);
          bindings.set(p, r.value === '' ? null : r.value);
        } else {
          plain.push(r);
        }
      }
      const scope: Scope = bindings ? { bindings } : parentScope;
      const ns = this.#resolve(q.prefix, scope, at, false);
      if (ns !== null && XINCLUDE_NAMESPACES.includes(ns)) {
        this.#stop(at, `拒绝 XInclude 元素 <${name}>：不加载任何外部内容`, `XInclude element <${name}> refused: nothing external is ever loaded`);
      }
      const attributes: XmlAttribute[] = [];
      for (const r of plain) {
        const aq = splitQName(r.name);
        if (!aq) this.#stop(r.at, `属性名 ${r.name} 不符合命名空间规则`, `attribute name ${r.name} is not a valid qualified name`);
        const ans = this.#resolve(aq.prefix, scope, r.at, true);
        if (attributes.some((a) => a.ns === ans && a.local === aq.local)) {
          this.#stop(r.at, `属性 ${r.name} 与另一属性展开后同名`, `attribute ${r.name} duplicates another once namespaces are resolved`);
        }
        attributes.push({ name: r.name, prefix: aq.prefix, local: aq.local, ns: ans, value: r.value });
      }

      this.#elements++;
      if (this.#elements > this.#opts.maxElements) this.#stop(at, `元素过多（上限 ${this.#opts.maxElements}）`, `too many elements (limit ${this.#opts.maxElements})`);
      if (stack.length + 1 > this.#opts.maxDepth) this.#stop(at, `元素嵌套过深（上限 ${this.#opts.maxDepth} 层）`, `elements nest too deep (limit ${this.#opts.maxDepth})`);
      const el: OpenElement = { name, prefix: q.prefix, local: q.local, ns, attributes, children: [], at, scope, openText: -1 };
      if (selfClosing) close(el);
      else stack.push(el);
    };

    const close = (el: OpenElement): void => {
      const pos = this.position(el.at);
      const done: XmlElement = {
        kind: 'element',
        name: el.name,
        prefix: el.prefix,
        local: el.local,
        ns: el.ns,
        attributes: el.attributes,
        children: el.children,
        line: pos.line,
        column: pos.column,
      };
      const parent = stack[stack.length - 1];
      if (parent) {
        parent.children.push(done);
        parent.openText = -1;
      } else {
        finished = done;
      }
    };

    const addText = (text: string, at: number): void => {
      const top = stack[stack.length - 1]!;
      if (top.openText >= 0) {
        const prev = top.children[top.openText] as XmlText;
        top.children[top.openText] = { ...prev, text: prev.text + text };
      } else {
        const pos = this.position(at);
        top.children.push({ kind: 'text', text, line: pos.line, column: pos.column });
        top.openText = top.children.length - 1;
      }
    };

    open();
    while (finished === null) {
      if (this.#i >= this.#s.length) {
        const top = stack[stack.length - 1]!;
        this.#stop(top.at, `元素 <${top.name}> 没有结束标签`, `element <${top.name}> is never closed`);
      }
      const at = this.#i;
      const c = this.#s[at]!;
      if (c === '<') {
        if (this.#startsWith('</')) {
          this.#i += 2;
          const name = this.#name();
          this.#skipSpace();
          if (this.#s[this.#i] !== '>') this.#stop(this.#i, `结束标签 </${name}> 格式不正确`, `malformed end tag </${name}>`);
          this.#i++;
          const top = stack.pop()!;
          if (top.name !== name) this.#stop(at, `结束标签 </${name}> 与开始标签 <${top.name}> 不匹配`, `end tag </${name}> does not match start tag <${top.name}>`);
          close(top);
        } else if (this.#startsWith('<!--')) {
          this.#comment();
        } else if (this.#startsWith('<![CDATA[')) {
          const end = this.#s.indexOf(']]>', at + 9);
          if (end < 0) this.#stop(at, 'CDATA 段没有结束', 'the CDATA section is not closed');
          addText(this.#s.slice(at + 9, end), at);
          this.#i = end + 3;
        } else if (this.#startsWith('<?')) {
          this.#processingInstruction(false);
        } else if (this.#startsWith('<!DOCTYPE')) {
          this.#stop(at, '拒绝 DOCTYPE 声明：不读取任何 DTD，也不展开任何实体', 'DOCTYPE declarations are refused: no DTD is ever read and no entity is expanded');
        } else if (this.#startsWith('<!')) {
          this.#markupDeclaration(at);
        } else {
          open();
        }
      } else if (c === '&') {
        addText(this.#reference(), at);
      } else {
        let end = at;
        while (end < this.#s.length && this.#s[end] !== '<' && this.#s[end] !== '&') end++;
        const text = this.#s.slice(at, end);
        const bad = text.indexOf(']]>');
        if (bad >= 0) this.#stop(at + bad, '文本中不得出现“]]>”', "']]>' is not allowed in text");
        addText(text, at);
        this.#i = end;
      }
    }
    return finished;
  }
}

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
  let reader: Reader | null = null;
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
    reader = new Reader(text, opts);
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
