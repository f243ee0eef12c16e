import { describe, expect, it } from 'vitest';
import { parseScopes, requiredScope } from './token-scopes.ts';

describe('token scopes', () => {
  it('asks read of GET and HEAD, write of other methods on the API', () => {
    expect(requiredScope('GET', '/api/v1/cases?limit=5')).toBe('read');
    expect(requiredScope('HEAD', '/api/v1/cases')).toBe('read');
    expect(requiredScope('GET', '/api/v1/events/stream?access_token=x')).toBe('read');
    expect(requiredScope('POST', '/api/v1/cases')).toBe('write');
    expect(requiredScope('PUT', '/api/v1/devices/gauge-1')).toBe('write');
    expect(requiredScope('DELETE', '/api/v1/auth/api-tokens/abc')).toBe('write');
    expect(requiredScope('patch', '/api/v1/rules/r1')).toBe('write');
  });

  it('asks ingest of telemetry, camera events and CAP posted, and only of those', () => {
    expect(requiredScope('POST', '/api/v1/devices/gauge-1/telemetry')).toBe('ingest');
    expect(requiredScope('POST', '/api/v1/camera-events')).toBe('ingest');
    expect(requiredScope('POST', '/api/v1/cap?lang=en')).toBe('ingest');
    expect(requiredScope('GET', '/api/v1/camera-events')).toBe('read');
    expect(requiredScope('POST', '/api/v1/devices/gauge-1/secret')).toBe('write');
    expect(requiredScope('POST', '/api/v1/devices/a/b/telemetry')).toBe('write');
    expect(requiredScope('POST', '/api/v1/alerts/a1/cap')).toBe('write');
  });

  it('asks open311 of everything under /open311/, whatever the method', () => {
    expect(requiredScope('GET', '/open311/v2/services.xml')).toBe('open311');
    expect(requiredScope('POST', '/open311/v2/requests.json')).toBe('open311');
    expect(requiredScope('GET', '/open311x')).toBe('read');
  });

  it('reads stored scopes, dropping unknown ones', () => {
    expect(parseScopes('["read","ingest","root"]')).toEqual(['read', 'ingest']);
    expect(parseScopes(null)).toEqual([]);
    expect(parseScopes('{}')).toEqual([]);
  });
});
