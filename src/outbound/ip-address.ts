/**
 * IP addresses as the outbound guard needs them: parsed (IPv4 in every form `inet_aton` accepts —
 * `127.1`, `2130706433`, `0x7f.0.0.1`, `0177.0.0.1` — and IPv6 with `::`, a zone and a dotted
 * IPv4 tail), classified by the special-purpose registries of IANA (RFC 6890 and its successors),
 * and matched against CIDR ranges. Pure.
 *
 * Why the loose IPv4 forms: a host name such as `0x7f.1` is not a name at all to the C resolver,
 * it is 127.0.0.1. WHATWG URL parsing already rewrites them for http(s) URLs, but the guard does
 * not rely on who parsed the host before it.
 */

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  /** 32 bits (IPv4) or 128 bits (IPv6) as a bigint. */
  readonly value: bigint;
}

/**
 * What kind of address it is. Only `public` is reachable without the administrator's say-so;
 * `OUTBOUND_ALLOW_PRIVATE` opens loopback, private, shared and unique-local; the others only an
 * explicit address range in `OUTBOUND_ALLOW_HOSTS` opens.
 */
export type AddressKind =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'reserved';

export const ADDRESS_KIND_NAMES: Record<AddressKind, { zh: string; en: string }> = {
  public: { zh: '公网地址', en: 'a public address' },
  unspecified: { zh: '未指定地址', en: 'an unspecified address' },
  loopback: { zh: '本机回环地址', en: 'a loopback address' },
  private: { zh: '内网地址', en: 'a private address' },
  shared: { zh: '运营商共享地址', en: 'a shared (carrier-grade NAT) address' },
  'link-local': { zh: '链路本地地址（含云主机元数据地址）', en: 'a link-local address (cloud metadata included)' },
  'unique-local': { zh: 'IPv6 唯一本地地址', en: 'an IPv6 unique-local address' },
  multicast: { zh: '组播地址', en: 'a multicast address' },
  broadcast: { zh: '广播地址', en: 'a broadcast address' },
  documentation: { zh: '文档示例地址', en: 'a documentation address' },
  reserved: { zh: '保留地址', en: 'a reserved address' },
};

/** A dotted number part: decimal, 0x hex or leading-zero octal, as inet_aton reads it. */
function inetNumber(part: string): bigint | null {
  if (/^0x[0-9a-f]*$/i.test(part)) return part.length === 2 ? 0n : BigInt(part);
  if (/^0[0-7]+$/.test(part)) return BigInt(`0o${part.slice(1)}`);
  if (/^(0|[1-9][0-9]*)$/.test(part)) return BigInt(part);
  return null;
}

/** IPv4 in any of inet_aton's forms: a, a.b, a.b.c, a.b.c.d, each part decimal, octal or hex. */
export function parseIPv4(text: string): IpAddress | null {
  const parts = text.split('.');
  if (parts.length > 4 || parts.some((p) => p === '')) return null;
  const nums = parts.map(inetNumber);
  if (nums.some((n) => n === null)) return null;
  const ns = nums as bigint[];
  // The last part fills the remaining bytes: 127.1 is 127.0.0.1, 2130706433 is 127.0.0.1.
  const lastBits = BigInt(8 * (5 - ns.length));
  let value = 0n;
  for (let i = 0; i < ns.length - 1; i++) {
    if (ns[i]! > 255n) return null;
    value = (value << 8n) | ns[i]!;
  }
  const last = ns[ns.length - 1]!;
  if (last >= 1n << lastBits) return null;
  value = (value << lastBits) | last;
  return { family: 4, value };
}

/** IPv6, brackets and a zone (`%eth0`) allowed; a dotted IPv4 tail too (`::ffff:127.0.0.1`). */
export function parseIPv6(text: string): IpAddress | null {
  let t = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = t.indexOf('%');
  if (zone >= 0) t = t.slice(0, zone);
  if (!t.includes(':')) return null;
  const lastColon = t.lastIndexOf(':');
  const maybeV4 = t.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    // A dotted IPv4 tail stands for the last two groups.
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(maybeV4)) return null;
    const v4 = maybeV4.split('.').map(Number);
    if (v4.some((n) => n > 255)) return null;
    t = `${t.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = t.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string): bigint[] | null => {
    if (s === '') return [];
    const out: bigint[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
      out.push(BigInt(`0x${g}`));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !rest) return null;
  const given = head.length + rest.length;
  let all: bigint[];
  if (halves.length === 2) {
    if (given > 7) return null;
    all = [...head, ...Array<bigint>(8 - given).fill(0n), ...rest];
  } else {
    if (given !== 8) return null;
    all = head;
  }
  return { family: 6, value: all.reduce((v, g) => (v << 16n) | g, 0n) };
}

export function parseIp(text: string): IpAddress | null {
  return text.includes(':') ? parseIPv6(text) : parseIPv4(text);
}

export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 255n)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((ip.value >> s) & 0xffffn).toString(16));
  return groups.join(':');
}

export interface IpRange {
  readonly family: IpFamily;
  readonly base: bigint;
  readonly bits: number;
}

/** `10.0.0.0/8`, `fd00::/8`, or one address (a /32 or /128). */
export function parseCidr(text: string): IpRange | null {
  const slash = text.indexOf('/');
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!ip) return null;
  const width = ip.family === 4 ? 32 : 128;
  const bitsText = slash < 0 ? String(width) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return null;
  const bits = Number(bitsText);
  if (bits > width) return null;
  return { family: ip.family, base: ip.value >> BigInt(width - bits), bits };
}

export function inRange(ip: IpAddress, r: IpRange): boolean {
  if (ip.family !== r.family) return false;
  const width = ip.family === 4 ? 32 : 128;
  return ip.value >> BigInt(width - r.bits) === r.base;
}

const range = (text: string): IpRange => parseCidr(text)!;

// IANA IPv4 Special-Purpose Address Registry; the most specific range first where they nest.
const V4_KINDS: [IpRange, AddressKind][] = [
  [range('0.0.0.0/8'), 'unspecified'],
  [range('10.0.0.0/8'), 'private'],
  [range('100.64.0.0/10'), 'shared'],
  [range('127.0.0.0/8'), 'loopback'],
  [range('169.254.0.0/16'), 'link-local'],
  [range('172.16.0.0/12'), 'private'],
  [range('192.0.0.0/24'), 'reserved'],
  [range('192.0.2.0/24'), 'documentation'],
  [range('192.88.99.0/24'), 'reserved'],
  [range('192.168.0.0/16'), 'private'],
  [range('198.18.0.0/15'), 'reserved'],
  [range('198.51.100.0/24'), 'documentation'],
  [range('203.0.113.0/24'), 'documentation'],
  [range('224.0.0.0/4'), 'multicast'],
  [range('255.255.255.255/32'), 'broadcast'],
  [range('240.0.0.0/4'), 'reserved'],
];

// IPv6 ranges that carry an IPv4 address in their low 32 bits: judged by that address.
const V6_EMBEDDING_V4: IpRange[] = [
  range('::ffff:0:0/96'), // IPv4-mapped
  range('::/96'), // IPv4-compatible (deprecated), :: and ::1 are caught before
  range('64:ff9b::/96'), // NAT64
  range('64:ff9b:1::/48'), // local NAT64
];

const V6_KINDS: [IpRange, AddressKind][] = [
  [range('::/128'), 'unspecified'],
  [range('::1/128'), 'loopback'],
  [range('100::/64'), 'reserved'], // discard-only
  [range('2001:db8::/32'), 'documentation'],
  [range('2001::/23'), 'reserved'], // IETF protocol assignments (Teredo, ORCHID …)
  [range('fc00::/7'), 'unique-local'],
  [range('fe80::/10'), 'link-local'],
  [range('fec0::/10'), 'reserved'], // site-local, deprecated
  [range('ff00::/8'), 'multicast'],
];

export function classifyIp(ip: IpAddress): AddressKind {
  if (ip.family === 4) {
    for (const [r, kind] of V4_KINDS) if (inRange(ip, r)) return kind;
    return 'public';
  }
  for (const [r, kind] of V6_KINDS.slice(0, 2)) if (inRange(ip, r)) return kind;
  for (const r of V6_EMBEDDING_V4) if (inRange(ip, r)) return classifyIp({ family: 4, value: ip.value & 0xffffffffn });
  // 6to4 (2002::/16) carries the IPv4 address in bits 16–48.
  if (inRange(ip, range('2002::/16'))) return classifyIp({ family: 4, value: (ip.value >> 80n) & 0xffffffffn });
  for (const [r, kind] of V6_KINDS.slice(2)) if (inRange(ip, r)) return kind;
  // Only 2000::/3 is allocated as global unicast; anything else is not a place to send to.
  return inRange(ip, range('2000::/3')) ? 'public' : 'reserved';
}
