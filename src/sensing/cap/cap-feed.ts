/**
 * A polled CAP source is often a feed, not a message: an Atom feed (NWS, Environment Canada, the
 * practice in OASIS's "CAP Feeds" note) or an RSS 2.0 channel whose entries link to CAP
 * messages. `capFeedLinks` reads such a feed with the same strict XML reader and lists the CAP
 * links to fetch; each fetched message then goes through `parseCap`. Pure: it fetches nothing.
 *
 * Only http and https links are listed (resolved against `baseUrl` when relative): a feed must
 * not be able to point the poller at file:// or any other scheme.
 */
import { readXml, type XmlReadOptions } from './cap-xml.ts';
import { childElements, directText, type XmlElement } from './cap-xml-tree.ts';
import type { CapProblem } from './cap-model.ts';

const ATOM = 'http://www.w3.org/2005/Atom';
const CAP_MIME = 'application/cap+xml';

export interface CapFeedEntry {
  /** Atom <id> or RSS <guid>; null when absent. */
  readonly id: string | null;
  /** Atom <updated> / <published>, RSS <pubDate>, as written. */
  readonly updated: string | null;
  readonly title: string | null;
  /** The CAP message to fetch (absolute http/https). */
  readonly url: string;
}

export type CapFeedResult =
  | { readonly ok: true; readonly kind: 'atom' | 'rss'; readonly entries: CapFeedEntry[]; readonly skipped: string[] }
  | { readonly ok: false; readonly errors: CapProblem[] };

function child(el: XmlElement, local: string, ns: string | null): XmlElement | undefined {
  return childElements(el).find((c) => c.local === local && c.ns === ns);
}

function textOf(el: XmlElement | undefined): string | null {
  if (!el) return null;
  const t = directText(el).trim();
  return t === '' ? null : t;
}

function attr(el: XmlElement, name: string): string | null {
  return el.attributes.find((a) => a.ns === null && a.local === name)?.value ?? null;
}

/** An absolute http(s) URL, or null. */
function httpUrl(href: string, base: string | undefined): string | null {
  try {
    const u = base ? new URL(href, base) : new URL(href);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

function atomEntry(entry: XmlElement): { href: string | null; id: string | null; updated: string | null; title: string | null } {
  const links = childElements(entry).filter((c) => c.local === 'link' && c.ns === ATOM);
  // A link typed as CAP first; then the entry's alternate (rel absent means alternate).
  const capLink = links.find((l) => attr(l, 'type')?.toLowerCase() === CAP_MIME);
  const alternate = links.find((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate');
  const id = textOf(child(entry, 'id', ATOM));
  const link = capLink ?? alternate;
  // NWS feeds also give the message's URL as the entry id.
  const href = (link && attr(link, 'href')) ?? (id && /^https?:/i.test(id) ? id : null);
  return {
    href,
    id,
    updated: textOf(child(entry, 'updated', ATOM)) ?? textOf(child(entry, 'published', ATOM)),
    title: textOf(child(entry, 'title', ATOM)),
  };
}

function rssItem(item: XmlElement): { href: string | null; id: string | null; updated: string | null; title: string | null } {
  const enclosure = childElements(item).find((c) => c.local === 'enclosure' && c.ns === null && attr(c, 'type')?.toLowerCase() === CAP_MIME);
  return {
    href: (enclosure && attr(enclosure, 'url')) ?? textOf(child(item, 'link', null)),
    id: textOf(child(item, 'guid', null)),
    updated: textOf(child(item, 'pubDate', null)),
    title: textOf(child(item, 'title', null)),
  };
}

/**
 * The CAP links of an Atom or RSS 2.0 feed. `baseUrl`: the feed's own URL, to resolve relative
 * links. `skipped` says which entries had no usable link (none, or not http/https).
 */
export function capFeedLinks(input: Uint8Array | string, opts: XmlReadOptions & { readonly baseUrl?: string } = {}): CapFeedResult {
  const xml = readXml(input, opts);
  if (!xml.ok) return { ok: false, errors: xml.errors.map((e) => ({ path: '/', message: e.message, line: e.line, column: e.column })) };
  const root = xml.document.root;
  let kind: 'atom' | 'rss';
  let raw: { href: string | null; id: string | null; updated: string | null; title: string | null }[];
  if (root.local === 'feed' && root.ns === ATOM) {
    kind = 'atom';
    raw = childElements(root).filter((c) => c.local === 'entry' && c.ns === ATOM).map(atomEntry);
  } else if (root.local === 'rss' && root.ns === null) {
    kind = 'rss';
    const channel = child(root, 'channel', null);
    raw = channel ? childElements(channel).filter((c) => c.local === 'item' && c.ns === null).map(rssItem) : [];
  } else {
    const message =
      root.local === 'alert'
        ? { zh: '这是一条 CAP 消息而不是订阅源：请直接用 parseCap 读取', en: 'this is a CAP message, not a feed: read it with parseCap' }
        : { zh: `根元素 <${root.name}> 不是 Atom 或 RSS 订阅源`, en: `the root element <${root.name}> is not an Atom or RSS feed` };
    return { ok: false, errors: [{ path: '/', message, line: root.line, column: root.column }] };
  }
  const entries: CapFeedEntry[] = [];
  const skipped: string[] = [];
  raw.forEach((r, i) => {
    const url = r.href ? httpUrl(r.href, opts.baseUrl) : null;
    if (url) entries.push({ id: r.id, updated: r.updated, title: r.title, url });
    else skipped.push(`${kind === 'atom' ? 'entry' : 'item'}[${i}]: ${r.href ? `not an http(s) link: ${r.href}` : 'no link'}`);
  });
  return { ok: true, kind, entries, skipped };
}
