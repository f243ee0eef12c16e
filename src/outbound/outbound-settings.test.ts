/** The OUTBOUND_* settings as `readSettings` reads them from the environment. */
import { describe, expect, it } from 'vitest';
import { readSettings } from '../config.ts';

describe('outbound settings', () => {
  it('default to no allowed host, https only, no private addresses, 15 s, 5 s to connect, 2 MiB', () => {
    const s = readSettings({});
    expect([s.outboundAllowHosts, s.outboundAllowHttp, s.outboundAllowPrivate, s.outboundTimeoutMs, s.outboundConnectTimeoutMs, s.outboundMaxBytes]).toEqual([[], false, false, 15_000, 5_000, 2 * 1024 * 1024]);
  });

  it('unset, allow the hosts of the configured CAP feeds and webhooks', () => {
    const s = readSettings({ CAP_FEED_URLS: 'https://www.weather.gov.cn/cap/feed.xml https://alerts.cma.gov.cn/rss', NOTIFY_WEBHOOKS: '{"duty":"https://hooks.cq.example/t/abc"}' });
    expect(s.outboundAllowHosts).toEqual(['www.weather.gov.cn', 'alerts.cma.gov.cn', 'hooks.cq.example']);
  });

  it('read a list with wildcards and ranges, and the flags and limits', () => {
    const s = readSettings({ OUTBOUND_ALLOW_HOSTS: '*.weather.gov.cn, 10.8.0.0/16 cma.gov.cn', OUTBOUND_ALLOW_HTTP: 'true', OUTBOUND_ALLOW_PRIVATE: 'yes', OUTBOUND_TIMEOUT_MS: '3000', OUTBOUND_CONNECT_TIMEOUT_MS: '1000', OUTBOUND_MAX_BYTES: '65536' });
    expect([s.outboundAllowHosts, s.outboundAllowHttp, s.outboundAllowPrivate, s.outboundTimeoutMs, s.outboundConnectTimeoutMs, s.outboundMaxBytes]).toEqual([['*.weather.gov.cn', '10.8.0.0/16', 'cma.gov.cn'], true, true, 3000, 1000, 65536]);
  });

  it('stop the start when a configured URL is not allowed, or an entry or value is invalid', () => {
    expect(() => readSettings({ CAP_FEED_URLS: 'http://www.weather.gov.cn/feed' })).toThrow('setting CAP_FEED_URLS: scheme http: is not allowed (https only; http needs OUTBOUND_ALLOW_HTTP)');
    expect(() => readSettings({ CAP_FEED_URLS: 'https://www.weather.gov.cn/feed', OUTBOUND_ALLOW_HOSTS: 'cma.gov.cn' })).toThrow('setting CAP_FEED_URLS: host www.weather.gov.cn is not in OUTBOUND_ALLOW_HOSTS');
    // A webhook is named by its recipient, never by its URL (it may carry a token).
    expect(() => readSettings({ NOTIFY_WEBHOOKS: '{"duty":"https://hooks.example/t/TOKEN"}', OUTBOUND_ALLOW_HOSTS: 'cma.gov.cn' })).toThrow(/^setting NOTIFY_WEBHOOKS \(duty\): host hooks.example is not in OUTBOUND_ALLOW_HOSTS$/);
    expect(() => readSettings({ OUTBOUND_ALLOW_HOSTS: 'https://x.org' })).toThrow('setting OUTBOUND_ALLOW_HOSTS: "https://x.org" is not a host name, *.suffix, IP address, CIDR range or *');
    expect(() => readSettings({ OUTBOUND_ALLOW_PRIVATE: 'maybe' })).toThrow('setting OUTBOUND_ALLOW_PRIVATE must be true or false, got "maybe"');
    expect(() => readSettings({ OUTBOUND_MAX_BYTES: '10' })).toThrow(/OUTBOUND_MAX_BYTES must be a whole number/);
  });
});
