import { describe, expect, it } from 'vitest';
import { readXml, type XmlReadResult } from './cap-xml.ts';
import { childElements, directText } from './cap-xml-tree.ts';

function refused(r: XmlReadResult): string {
  expect(r.ok).toBe(false);
  return r.ok ? '' : r.errors[0]!.message.en;
}

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('readXml: what it reads', () => {
  it('resolves default and prefixed namespaces, text, CDATA and references', () => {
    const r = readXml('<?xml version = "1.0" encoding = "UTF-8"?>\n<!-- a comment -->\n<p:a xmlns:p="urn:x" xmlns="urn:d"><b k="v&amp;w"> t &lt;1&#x4e2d;<![CDATA[<raw>&]]></b><c xmlns=""/></p:a>');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const root = r.document.root;
    expect([root.ns, root.local, root.prefix]).toEqual(['urn:x', 'a', 'p']);
    const [b, c] = childElements(root);
    expect([b!.ns, b!.local, b!.attributes]).toEqual(['urn:d', 'b', [{ name: 'k', prefix: null, local: 'k', ns: null, value: 'v&w' }]]);
    expect(directText(b!)).toBe(' t <1中<raw>&');
    expect(c!.ns).toBeNull();
    expect([b!.line, b!.column]).toEqual([3, 36]);
  });

  it('honours the declared encoding: ISO-8859-1 bytes are not read as UTF-8 (nor as windows-1252)', () => {
    const doc = '<?xml version="1.0" encoding="ISO-8859-1"?><a>Usulut\xe1n \x80</a>';
    const r = readXml(latin1(doc));
    expect(r.ok && r.document.encoding).toBe('ISO-8859-1');
    expect(r.ok && directText(r.document.root)).toBe('Usulután \u0080');
    expect(refused(readXml(latin1('<?xml version="1.0" encoding="UTF-8"?><a>Usulut\xe1n</a>')))).toMatch(/not valid UTF-8/);
    expect(refused(readXml(latin1('<a>caf\xe9</a>')))).toMatch(/not valid UTF-8/); // no declaration: UTF-8
  });

  it('reads UTF-8 with a byte order mark, and refuses other encodings clearly', () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('<a>重庆</a>')]);
    expect(readXml(bom).ok).toBe(true);
    expect(refused(readXml(new TextEncoder().encode('<?xml version="1.0" encoding="GB2312"?><a/>')))).toMatch(/encoding GB2312 is not supported/);
    expect(refused(readXml(new Uint8Array([0xff, 0xfe, 0x3c, 0x00])))).toMatch(/UTF-16/);
    expect(refused(readXml('<?xml version="1.1"?><a/>'))).toMatch(/only XML 1.0/);
  });

  it('tolerates an xml-stylesheet hint before the root (never fetched) and nothing else of the kind', () => {
    const r = readXml("<?xml version='1.0'?>\n<?xml-stylesheet href='http://example.org/x.xsl' type='text/xsl'?>\n<a/>");
    expect(r.ok && r.document.ignoredStylesheets).toEqual(["href='http://example.org/x.xsl' type='text/xsl'"]);
    expect(refused(readXml('<a><?xml-stylesheet href="x"?></a>'))).toMatch(/processing instruction/);
    expect(refused(readXml('<?php echo 1 ?><a/>'))).toMatch(/processing instruction <\?php\?> refused/);
    expect(refused(readXml('<a/>\n<?xml version="1.0"?>'))).toMatch(/only comments and white space may follow|XML declaration may only stand/);
  });
});

describe('readXml: what it refuses', () => {
  it('any DOCTYPE, internal or external, and entity declarations', () => {
    expect(refused(readXml('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'))).toMatch(/DOCTYPE declarations are refused/);
    expect(refused(readXml('<!DOCTYPE a SYSTEM "http://example.org/a.dtd"><a/>'))).toMatch(/DOCTYPE/);
    expect(refused(readXml('<a><!ENTITY x SYSTEM "file:///etc/passwd"></a>'))).toMatch(/entity and markup declarations/);
    expect(refused(readXml('<a>&xxe;</a>'))).toMatch(/undeclared entity &xxe; refused/);
    expect(refused(readXml('<a b="&ext;"/>'))).toMatch(/undeclared entity &ext;/);
  });

  it('XInclude, whatever the prefix', () => {
    expect(refused(readXml('<a xmlns:q="http://www.w3.org/2001/XInclude"><q:include href="file:///etc/passwd"/></a>'))).toMatch(/XInclude/);
  });

  it('malformed documents, with the line and column of the fault', () => {
    const r = readXml('<a>\n  <b>\n</a>');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ line: 3, column: 1 });
    expect(refused(readXml('<a>x</b>'))).toMatch(/does not match/);
    expect(refused(readXml('<a><b></a>'))).toMatch(/does not match/);
    expect(refused(readXml('<a>'))).toMatch(/never closed/);
    expect(refused(readXml('<a b="1" b="2"/>'))).toMatch(/repeated/);
    expect(refused(readXml('<a xmlns:p="u" xmlns:q="u" p:k="1" q:k="2"/>'))).toMatch(/duplicates another/);
    expect(refused(readXml('<q:a/>'))).toMatch(/prefix q is not bound/);
    expect(refused(readXml('<a b=1/>'))).toMatch(/quoted/);
    expect(refused(readXml('<a b="<"/>'))).toMatch(/'<' is not allowed/);
    expect(refused(readXml('<a>x & y</a>'))).toMatch(/bare '&'/);
    expect(refused(readXml('<a>]]></a>'))).toMatch(/']]>'/);
    expect(refused(readXml('<a><!-- x -- y --></a>'))).toMatch(/'--'/);
    expect(refused(readXml('<a>\u0007</a>'))).toMatch(/U\+0007/);
    expect(refused(readXml('<a>&#xFFFE;</a>'))).toMatch(/does not allow/);
    expect(refused(readXml('text<a/>'))).toMatch(/before the root/);
    expect(refused(readXml('<a/><b/>'))).toMatch(/may follow the root/);
    expect(refused(readXml(''))).toMatch(/no element/);
  });

  it('oversized, too deep or too many elements, before doing the work', () => {
    expect(refused(readXml(`<a>${'x'.repeat(2000)}</a>`, { maxBytes: 1000 }))).toMatch(/too large/);
    expect(refused(readXml(new Uint8Array(1024 * 1024 + 1)))).toMatch(/too large/);
    expect(refused(readXml('<a>'.repeat(40) + '</a>'.repeat(40)))).toMatch(/nest too deep \(limit 32\)/);
    expect(refused(readXml(`<a>${'<b/>'.repeat(50)}</a>`, { maxElements: 20 }))).toMatch(/too many elements/);
  });
});
