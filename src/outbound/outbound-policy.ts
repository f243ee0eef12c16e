/**
 * Where the server may send a request it was given the URL of (a CAP feed, a webhook receiver):
 * the administrator's allow-list of hosts, the allowed schemes, and the addresses a host may
 * resolve to. Pure: `outbound-fetch.ts` resolves names and connects; this decides.
 *
 * A URL passes in two steps, and a redirect target passes both again:
 *  1. `checkOutboundUrl`: the scheme (https; http only with `allowHttp`) and the host against
 *     `allowHosts` (names, `*.suffix` wildcards, IP addresses and CIDR ranges, `*` for any host);
 *  2. `checkOutboundAddresses`: EVERY address the host resolved to must be public, unless
 *     `allowPrivate` opens loopback, private, shared and unique-local addresses, or a range of
 *     `allowHosts` names the address explicitly. Link-local (169.254.169.254, the cloud metadata
 *     service), multicast, unspecified, broadcast, documentation and reserved addresses are only
 *     reachable through such an explicit range.
 *
 * Reference: docs/reference/security.md, "Outbound requests".
 */
import { domainToASCII } from 'node:url';
import { ADDRESS_KIND_NAMES, classifyIp, inRange, parseCidr, parseIp, type AddressKind, type IpAddress, type IpRange } from './ip-address.ts';

export type HostRule =
  | { readonly kind: 'any' }
  | { readonly kind: 'name'; readonly name: string }
  /** `*.weather.gov.cn`: any name ending in `.weather.gov.cn`, at any depth; not the bare name. */
  | { readonly kind: 'suffix'; readonly suffix: string }
  | { readonly kind: 'range'; readonly range: IpRange };

export interface OutboundPolicy {
  readonly allowHosts: readonly HostRule[];
  /** The list as the administrator wrote it (shown to administrators). */
  readonly allowHostsText: readonly string[];
  readonly allowHttp: boolean;
  readonly allowPrivate: boolean;
  /** Until the TCP (and TLS) connection stands, per hop. */
  readonly connectTimeoutMs: number;
  /** The whole exchange, redirects included. */
  readonly timeoutMs: number;
  /** Largest response body read; past it the request is aborted. */
  readonly maxBytes: number;
  readonly maxRedirects: number;
}

export interface Refusal {
  readonly zh: string;
  readonly en: string;
}

/** Kinds the administrator opens with `allowPrivate` (OUTBOUND_ALLOW_PRIVATE). */
const OPENED_BY_ALLOW_PRIVATE: ReadonlySet<AddressKind> = new Set(['loopback', 'private', 'shared', 'unique-local']);

function normaliseName(name: string): string {
  const lower = name.toLowerCase().replace(/\.$/, '');
  return domainToASCII(lower) || lower;
}

/** Parses the allow-list; an entry that is none of the accepted forms is named. */
export function parseHostRules(entries: readonly string[]): { ok: true; rules: HostRule[] } | { ok: false; bad: string } {
  const rules: HostRule[] = [];
  for (const raw of entries) {
    const e = raw.trim();
    if (e === '') continue;
    if (e === '*') {
      rules.push({ kind: 'any' });
      continue;
    }
    // An address or range: anything with a colon (IPv6, bracketed or not) or only digits and dots.
    if (e.includes(':') || /^[\d.]+(\/\d+)?$/.test(e)) {
      const asRange = parseCidr(e.replace(/^\[([^\]]+)\]/, '$1'));
      if (!asRange) return { ok: false, bad: raw };
      rules.push({ kind: 'range', range: asRange });
      continue;
    }
    const wildcard = e.startsWith('*.');
    const name = normaliseName(wildcard ? e.slice(2) : e);
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(name) || name.includes('*')) return { ok: false, bad: raw };
    rules.push(wildcard ? { kind: 'suffix', suffix: `.${name}` } : { kind: 'name', name });
  }
  return { ok: true, rules };
}

export interface CheckedUrl {
  readonly url: URL;
  /** The host name as the resolver takes it (no brackets). */
  readonly host: string;
  /** When the host is an IP address: no name to resolve. */
  readonly literal: IpAddress | null;
}

/**
 * The scheme and host of a URL against the policy. `what` names the URL in a refusal ("the
 * redirect target" for a hop, so that where a response pointed is not repeated back).
 */
export function checkOutboundUrl(policy: OutboundPolicy, input: string | URL, what?: Refusal): { ok: true; checked: CheckedUrl } | { ok: false; refusal: Refusal } {
  let url: URL;
  try {
    url = typeof input === 'string' ? new URL(input) : input;
  } catch {
    return { ok: false, refusal: { zh: '不是有效的 URL', en: 'not a valid URL' } };
  }
  const label = what ?? { zh: `主机 ${url.hostname}`, en: `host ${url.hostname}` };
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    return {
      ok: false,
      refusal: {
        zh: `不允许 ${url.protocol} 协议（只允许 https${policy.allowHttp ? ' 和 http' : '；http 需 OUTBOUND_ALLOW_HTTP'}）`,
        en: `scheme ${url.protocol} is not allowed (https only${policy.allowHttp ? ' and http' : '; http needs OUTBOUND_ALLOW_HTTP'})`,
      },
    };
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const literal = parseIp(host);
  const name = literal ? null : normaliseName(host);
  const listed = policy.allowHosts.some((r) => {
    switch (r.kind) {
      case 'any':
        return true;
      case 'range':
        return literal !== null && inRange(literal, r.range);
      case 'name':
        return name === r.name;
      case 'suffix':
        return name !== null && name.endsWith(r.suffix);
    }
  });
  if (!listed) return { ok: false, refusal: { zh: `${label.zh} 不在 OUTBOUND_ALLOW_HOSTS 允许范围内`, en: `${label.en} is not in OUTBOUND_ALLOW_HOSTS` } };
  return { ok: true, checked: { url, host, literal } };
}

/**
 * Every address a host resolved to must be allowed: one bad address among good ones refuses the
 * host (a name that answers both a public and an internal address is the classic rebinding set-up).
 */
export function checkOutboundAddresses(policy: OutboundPolicy, addresses: readonly IpAddress[], what: Refusal): Refusal | null {
  if (addresses.length === 0) return { zh: `${what.zh} 没有解析到任何地址`, en: `${what.en} resolved to no address` };
  for (const a of addresses) {
    if (policy.allowHosts.some((r) => r.kind === 'range' && inRange(a, r.range))) continue;
    const kind = classifyIp(a);
    if (kind === 'public') continue;
    if (policy.allowPrivate && OPENED_BY_ALLOW_PRIVATE.has(kind)) continue;
    const k = ADDRESS_KIND_NAMES[kind];
    const hint = OPENED_BY_ALLOW_PRIVATE.has(kind) ? { zh: '（需 OUTBOUND_ALLOW_PRIVATE 或在 OUTBOUND_ALLOW_HOSTS 中列出其网段）', en: ' (needs OUTBOUND_ALLOW_PRIVATE or its range in OUTBOUND_ALLOW_HOSTS)' } : { zh: '（只能在 OUTBOUND_ALLOW_HOSTS 中明确列出其网段）', en: ' (only an explicit range in OUTBOUND_ALLOW_HOSTS opens it)' };
    return { zh: `${what.zh} 指向${k.zh}${hint.zh}`, en: `${what.en} points to ${k.en}${hint.en}` };
  }
  return null;
}

/** Redirects followed per request; each hop is checked like the first. */
export const OUTBOUND_MAX_REDIRECTS = 3;

export interface OutboundSettings {
  readonly allowHosts: readonly string[];
  readonly allowHttp: boolean;
  readonly allowPrivate: boolean;
  readonly connectTimeoutMs: number;
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

/** The policy from the settings; an allow-list entry of no accepted form throws, naming it. */
export function buildOutboundPolicy(s: OutboundSettings): OutboundPolicy {
  const parsed = parseHostRules(s.allowHosts);
  if (!parsed.ok) throw new Error(`setting OUTBOUND_ALLOW_HOSTS: "${parsed.bad}" is not a host name, *.suffix, IP address, CIDR range or *`);
  return {
    allowHosts: parsed.rules,
    allowHostsText: s.allowHosts.map((h) => h.trim()).filter(Boolean),
    allowHttp: s.allowHttp,
    allowPrivate: s.allowPrivate,
    connectTimeoutMs: Math.min(s.connectTimeoutMs, s.timeoutMs),
    timeoutMs: s.timeoutMs,
    maxBytes: s.maxBytes,
    maxRedirects: OUTBOUND_MAX_REDIRECTS,
  };
}

/** The policy as administrators see it (GET /api/v1/admin/outbound). */
export function describeOutboundPolicy(policy: OutboundPolicy): Record<string, unknown> {
  return {
    allowHosts: policy.allowHostsText,
    allowHttp: policy.allowHttp,
    allowPrivate: policy.allowPrivate,
    connectTimeoutMs: policy.connectTimeoutMs,
    timeoutMs: policy.timeoutMs,
    maxBytes: policy.maxBytes,
    maxRedirects: policy.maxRedirects,
  };
}
