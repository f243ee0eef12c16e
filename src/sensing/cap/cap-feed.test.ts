import { describe, expect, it } from 'vitest';
import { capFeedLinks } from './cap-feed.ts';

const ATOM = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.1">
  <id>https://alerts.example.org/feed</id>
  <title>Warnings</title>
  <updated>2025-07-01T09:31:00+08:00</updated>
  <entry>
    <id>urn:uuid:1</id>
    <updated>2025-07-01T09:30:00+08:00</updated>
    <title>暴雨橙色预警</title>
    <link rel="alternate" type="text/html" href="https://alerts.example.org/html/1"/>
    <link rel="alternate" type="application/cap+xml" href="/cap/1.xml"/>
  </entry>
  <entry>
    <id>https://alerts.example.org/cap/2.xml</id>
    <published>2025-07-01T10:00:00+08:00</published>
    <cap:event>Flood Warning</cap:event>
  </entry>
  <entry><id>urn:uuid:3</id><link href="file:///etc/passwd"/></entry>
  <entry><id>urn:uuid:4</id></entry>
</feed>`;

describe('capFeedLinks', () => {
  it('lists the CAP links of an Atom feed: a CAP-typed link first, the entry id as NWS uses it, http(s) only', () => {
    const r = capFeedLinks(ATOM, { baseUrl: 'https://alerts.example.org/feed' });
    expect(r).toEqual({
      ok: true,
      kind: 'atom',
      entries: [
        { id: 'urn:uuid:1', updated: '2025-07-01T09:30:00+08:00', title: '暴雨橙色预警', url: 'https://alerts.example.org/cap/1.xml' },
        { id: 'https://alerts.example.org/cap/2.xml', updated: '2025-07-01T10:00:00+08:00', title: null, url: 'https://alerts.example.org/cap/2.xml' },
      ],
      skipped: ['entry[2]: not an http(s) link: file:///etc/passwd', 'entry[3]: no link'],
    });
    // Without a base, a relative link cannot be resolved and is skipped.
    const bare = capFeedLinks(ATOM);
    expect(bare.ok && bare.skipped[0]).toBe('entry[0]: not an http(s) link: /cap/1.xml');
  });

  it('lists the items of an RSS 2.0 channel, a CAP enclosure before the link', () => {
    const rss = `<rss version="2.0"><channel><title>t</title>
      <item><title>A</title><link>https://x.example/a.cap</link><guid>a</guid><pubDate>Tue, 01 Jul 2025 01:30:00 GMT</pubDate></item>
      <item><title>B</title><link>https://x.example/b.html</link><enclosure url="https://x.example/b.cap" type="application/cap+xml" length="1"/></item>
    </channel></rss>`;
    const r = capFeedLinks(rss);
    expect(r.ok && r.entries.map((e) => [e.title, e.url, e.id, e.updated])).toEqual([
      ['A', 'https://x.example/a.cap', 'a', 'Tue, 01 Jul 2025 01:30:00 GMT'],
      ['B', 'https://x.example/b.cap', null, null],
    ]);
  });

  it('is as strict and safe as the CAP reader, and says what else it was given', () => {
    const r = capFeedLinks('<!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]><feed xmlns="http://www.w3.org/2005/Atom">&x;</feed>');
    expect(!r.ok && r.errors[0]!.message.en).toMatch(/DOCTYPE declarations are refused/);
    const alert = capFeedLinks('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>');
    expect(!alert.ok && alert.errors[0]!.message.en).toMatch(/this is a CAP message, not a feed/);
    const html = capFeedLinks('<html/>');
    expect(!html.ok && html.errors[0]!.message.en).toMatch(/not an Atom or RSS feed/);
  });
});
