import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OpenAPI3 } from 'openapi-typescript';
import { API_TYPES_COMMAND, API_TYPES_FILE, apiTypesSource, firstDifference, readOpenApiDocument } from '../../web/scripts/api-types.ts';

// web/src/api-types.ts is generated from the server's OpenAPI document; the web app's types alias
// it (web/src/types.ts). A route whose schema changed without regenerating fails here, by name.
describe('the web app\'s API types (web/src/api-types.ts)', () => {
  let doc: OpenAPI3;
  let expected: string;
  beforeAll(async () => {
    doc = await readOpenApiDocument();
    expected = await apiTypesSource(doc);
  });

  it('are what the server\'s OpenAPI document generates now', () => {
    const diff = firstDifference(readFileSync(API_TYPES_FILE, 'utf8'), expected);
    if (diff) {
      throw new Error(`web/src/api-types.ts differs from the server's OpenAPI document at line ${diff.line}:\n  committed: ${diff.committed.trim()}\n  generated: ${diff.expected.trim()}\nrun ${API_TYPES_COMMAND} and commit the file`);
    }
  });

  it('would see a route added to the document, and says where', async () => {
    const changed: OpenAPI3 = structuredClone(doc);
    changed.paths = { ...changed.paths, '/api/v1/zz-drift-probe': { get: { responses: { 200: { description: 'probe', content: { 'application/json': { schema: { type: 'object', required: ['probe'], properties: { probe: { type: 'string' } } } } } } } } } };
    const text = await apiTypesSource(changed);
    const diff = firstDifference(expected, text);
    expect(diff).not.toBeNull();
    expect(diff!.expected).toContain('"/api/v1/zz-drift-probe"');
  });

  it('finds the first differing line', () => {
    expect(firstDifference('a\nb\nc', 'a\nb\nc')).toBeNull();
    expect(firstDifference('a\nb\nc', 'a\nx\nc')).toEqual({ line: 2, committed: 'b', expected: 'x' });
    expect(firstDifference('a\nb', 'a\nb\nc')).toEqual({ line: 3, committed: '(end of file)', expected: 'c' });
  });
});
