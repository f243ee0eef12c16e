import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classifyIp, formatIp, parseIp, parseIPv4, parseIPv6, type AddressKind } from './ip-address.ts';
import { buildOutboundPolicy, checkOutboundAddresses, checkOutboundUrl, parseHostRules } from './outbound-policy.ts';

const v4 = (s: string) => formatIp(parseIPv4(s)!);
const kind = (s: string): AddressKind => classifyIp(parseIp(s)!);

describe('IP addresses', () => {
  it('reads every IPv4 form the C resolver takes as an address', () => {
    for (const form of ['127.0.0.1', '127.1', '127.0.1', '2130706433', '0x7f000001', '0x7f.0.0.1', '0177.0.0.1', '0177.1', '0x7F.0x00.0x00.0x01']) {
      expect(v4(form), form).toBe('127.0.0.1');
    }
    expect(v4('169.254.43518')).toBe('169.254.169.254');
    for (const bad of ['256.0.0.1', '1.2.3.4.5', '1..2', '127.0.0.1x', '08.0.0.1', '4294967296', '']) expect(parseIPv4(bad), bad).toBeNull();
  });

  it('reads IPv6 with ::, brackets, a zone and a dotted IPv4 tail', () => {
    expect(formatIp(parseIPv6('::1')!)).toBe('0:0:0:0:0:0:0:1');
    expect(formatIp(parseIPv6('[::1]')!)).toBe('0:0:0:0:0:0:0:1');
    expect(formatIp(parseIPv6('::ffff:127.0.0.1')!)).toBe('0:0:0:0:0:ffff:7f00:1');
    expect(formatIp(parseIPv6('fe80::1%eth0')!)).toBe('fe80:0:0:0:0:0:0:1');
    expect(formatIp(parseIPv6('2001:db8:0:0:1:0:0:1')!)).toBe('2001:db8:0:0:1:0:0:1');
    for (const bad of [':::', '1:2:3:4:5:6:7:8:9', '1::2::3', '::ffff:300.0.0.1', 'g::1', '12345::']) expect(parseIPv6(bad), bad).toBeNull();
  });

  it('classifies the special-purpose ranges, IPv4 and IPv6', () => {
    const table: [string, AddressKind][] = [
      ['127.0.0.1', 'loopback'], ['127.255.255.254', 'loopback'], ['::1', 'loopback'],
      ['10.1.2.3', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'],
      ['172.32.0.1', 'public'], ['8.8.8.8', 'public'], ['2400:3200::1', 'public'],
      ['100.64.0.1', 'shared'],
      ['169.254.169.254', 'link-local'], ['fe80::1', 'link-local'],
      ['fc00::1', 'unique-local'], ['fd12:3456::1', 'unique-local'],
      ['224.0.0.1', 'multicast'], ['ff02::1', 'multicast'],
      ['0.0.0.0', 'unspecified'], ['::', 'unspecified'],
      ['255.255.255.255', 'broadcast'], ['192.0.2.1', 'documentation'], ['2001:db8::1', 'documentation'], ['240.0.0.1', 'reserved'],
      // IPv4 inside IPv6: judged by the IPv4 address.
      ['::ffff:127.0.0.1', 'loopback'], ['::ffff:7f00:1', 'loopback'], ['::ffff:169.254.169.254', 'link-local'], ['::ffff:10.0.0.1', 'private'],
      ['::ffff:8.8.8.8', 'public'], ['64:ff9b::a9fe:a9fe', 'link-local'], ['2002:7f00:1::1', 'loopback'], ['::127.0.0.1', 'loopback'],
    ];
    for (const [ip, k] of table) expect(kind(ip), ip).toBe(k);
  });

  it('judges an IPv4-mapped IPv6 address like its IPv4 address, and the decimal form like the dotted one (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const dotted = formatIp({ family: 4, value: BigInt(n) });
        const k = kind(dotted);
        expect(kind(`::ffff:${dotted}`)).toBe(k);
        expect(kind(`::ffff:${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`)).toBe(k);
        expect(formatIp(parseIPv4(String(n))!)).toBe(dotted);
        expect(formatIp(parseIPv4(`0x${n.toString(16)}`)!)).toBe(dotted);
      }),
    );
  });
});

describe('the outbound policy', () => {
  const policy = (allowHosts: string[], more: { allowHttp?: boolean; allowPrivate?: boolean } = {}) =>
    buildOutboundPolicy({ allowHosts, allowHttp: more.allowHttp ?? false, allowPrivate: more.allowPrivate ?? false, timeoutMs: 1000, connectTimeoutMs: 1000, maxBytes: 1024 });
  const urlOk = (p: ReturnType<typeof policy>, url: string) => checkOutboundUrl(p, url).ok;
  const addr = (p: ReturnType<typeof policy>, ...ips: string[]) => checkOutboundAddresses(p, ips.map((i) => parseIp(i)!), { zh: '主机', en: 'the host' });

  it('reads names, *.suffix wildcards, addresses and ranges, and names a bad entry', () => {
    const r = parseHostRules(['*.weather.gov.cn', 'cma.gov.cn', '10.0.0.0/8', '[fd00::]/8', '::1', '127.0.0.1', '*', 'Example.ORG.']);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.rules.map((x) => x.kind)).toEqual(['suffix', 'name', 'range', 'range', 'range', 'range', 'any', 'name']);
    for (const bad of ['http://x.org', 'a*.gov.cn', '10.0.0.0/33', 'x y', '*.*.gov.cn', 'fd00::/129']) expect(parseHostRules([bad]), bad).toEqual({ ok: false, bad });
    expect(() => policy(['bad host'])).toThrow(/OUTBOUND_ALLOW_HOSTS: "bad host"/);
  });

  it('allows https, and http only when allowed; never ftp: or file:', () => {
    const p = policy(['*']);
    expect(urlOk(p, 'https://www.weather.gov.cn/cap.xml')).toBe(true);
    expect(urlOk(p, 'http://www.weather.gov.cn/cap.xml')).toBe(false);
    expect(urlOk(policy(['*'], { allowHttp: true }), 'http://www.weather.gov.cn/cap.xml')).toBe(true);
    for (const u of ['ftp://www.weather.gov.cn/cap.xml', 'file:///etc/passwd', 'gopher://127.0.0.1:6379/_INFO', 'data:text/plain,x', 'not a url']) {
      expect(urlOk(policy(['*'], { allowHttp: true }), u), u).toBe(false);
    }
    const r = checkOutboundUrl(p, 'ftp://x.org/');
    expect(r.ok ? null : r.refusal.en).toMatch(/scheme ftp: is not allowed/);
  });

  it('matches a wildcard on subdomains at any depth but not the bare name or a look-alike', () => {
    const p = policy(['*.weather.gov.cn', 'cma.gov.cn']);
    expect(urlOk(p, 'https://www.weather.gov.cn/')).toBe(true);
    expect(urlOk(p, 'https://a.b.WEATHER.gov.cn./')).toBe(true);
    expect(urlOk(p, 'https://weather.gov.cn/')).toBe(false);
    expect(urlOk(p, 'https://evilweather.gov.cn/')).toBe(false);
    expect(urlOk(p, 'https://www.weather.gov.cn.evil.org/')).toBe(false);
    expect(urlOk(p, 'https://cma.gov.cn/')).toBe(true);
    expect(urlOk(p, 'https://www.cma.gov.cn/')).toBe(false);
    const refused = checkOutboundUrl(p, 'https://example.org/');
    expect(refused.ok ? null : refused.refusal).toEqual({ zh: '主机 example.org 不在 OUTBOUND_ALLOW_HOSTS 允许范围内', en: 'host example.org is not in OUTBOUND_ALLOW_HOSTS' });
  });

  it('lists an IP literal host only through an address entry or *, in whatever form the URL wrote it', () => {
    const p = policy(['127.0.0.1', 'feed.example.org'], { allowHttp: true });
    for (const u of ['http://127.0.0.1/', 'http://2130706433/', 'http://0x7f.1/', 'http://0177.0.0.1/', 'http://127.1/']) expect(urlOk(p, u), u).toBe(true);
    expect(urlOk(p, 'http://127.0.0.2/')).toBe(false);
    expect(urlOk(p, 'http://[::1]/')).toBe(false);
  });

  it('refuses a host when ANY of its addresses is not public, unless allowed', () => {
    const p = policy(['*']);
    expect(addr(p, '8.8.8.8', '2400:3200::1')).toBeNull();
    expect(addr(p, '8.8.8.8', '10.0.0.5')?.en).toBe('the host points to a private address (needs OUTBOUND_ALLOW_PRIVATE or its range in OUTBOUND_ALLOW_HOSTS)');
    for (const ip of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '10.0.0.1', '192.168.0.1', 'fd00::1', '169.254.169.254', 'fe80::1', '0.0.0.0', '::', '224.0.0.1', 'ff02::1']) {
      expect(addr(p, ip), ip).not.toBeNull();
    }
    expect(addr(p)?.en).toBe('the host resolved to no address');
  });

  it('opens loopback, private and unique-local with allowPrivate, but never link-local (cloud metadata) or multicast', () => {
    const p = policy(['*'], { allowPrivate: true });
    for (const ip of ['127.0.0.1', '::1', '10.0.0.1', '192.168.0.1', '100.64.0.1', 'fd00::1', '::ffff:10.0.0.1']) expect(addr(p, ip), ip).toBeNull();
    for (const ip of ['169.254.169.254', '::ffff:169.254.169.254', 'fe80::1', '224.0.0.1', '0.0.0.0', '255.255.255.255']) {
      expect(addr(p, ip)?.en, ip).toMatch(/only an explicit range in OUTBOUND_ALLOW_HOSTS opens it/);
    }
  });

  it('opens exactly the addresses of an explicit range', () => {
    const p = policy(['intranet.example', '10.8.0.0/16', '127.0.0.1']);
    expect(addr(p, '10.8.3.4')).toBeNull();
    expect(addr(p, '127.0.0.1')).toBeNull();
    expect(addr(p, '10.9.0.1')).not.toBeNull();
    expect(addr(p, '127.0.0.2')).not.toBeNull();
  });
});
