/**
 * Test support (not used by the application): outbound policies for tests, whose servers all
 * listen on 127.0.0.1. `loopbackPolicy` allows exactly 127.0.0.1 over http, by an explicit
 * address entry, as an administrator would write it; nothing else is reachable.
 */
import { buildOutboundPolicy, type OutboundPolicy, type OutboundSettings } from './outbound-policy.ts';
import { OutboundClient, type ResolveHost } from './outbound-fetch.ts';

export const LOOPBACK_OUTBOUND: OutboundSettings = {
  allowHosts: ['127.0.0.1'],
  allowHttp: true,
  allowPrivate: false,
  connectTimeoutMs: 2_000,
  timeoutMs: 5_000,
  maxBytes: 1024 * 1024,
};

export function loopbackPolicy(overrides: Partial<OutboundSettings> = {}): OutboundPolicy {
  return buildOutboundPolicy({ ...LOOPBACK_OUTBOUND, ...overrides });
}

export function loopbackClient(overrides: Partial<OutboundSettings> = {}, resolve?: ResolveHost): OutboundClient {
  return new OutboundClient(loopbackPolicy(overrides), resolve ? { resolve } : {});
}

/** The Settings members that make a test platform reach servers on 127.0.0.1 over http. */
export const LOOPBACK_OUTBOUND_SETTINGS = {
  outboundAllowHosts: ['127.0.0.1'],
  outboundAllowHttp: true,
} as const;
