/**
 * The smallest value a JSON Schema (as the OpenAPI document gives a request body) accepts: the
 * required properties only, the first of a union or an enum, strings and arrays at their minimum
 * length. The authorization matrix sends it so that a request passes validation and reaches the
 * route's own checks.
 */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema | JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  minItems?: number;
  minimum?: number;
  format?: string;
  pattern?: string;
  default?: unknown;
  [k: string]: unknown;
};

export function exampleOf(s: JsonSchema): unknown {
  if (s.const !== undefined) return s.const;
  if (s.enum && s.enum.length > 0) return s.enum[0];
  if (s.default !== undefined) return s.default;
  const union = s.anyOf ?? s.oneOf;
  if (union && union.length > 0) return exampleOf(union.find((x) => x.type !== 'null' && x.type !== 'string') ?? union[0]!);
  if (s.allOf && s.allOf.length > 0) return Object.assign({}, ...s.allOf.map((x) => exampleOf(x) as object));
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const k of s.required ?? []) out[k] = exampleOf(s.properties?.[k] ?? {});
      return out;
    }
    case 'array': {
      const item = Array.isArray(s.items) ? s.items : s.items ? [s.items] : [];
      const n = s.minItems ?? 0;
      return Array.from({ length: n }, (_, i) => exampleOf(item[Math.min(i, item.length - 1)] ?? {}));
    }
    case 'string':
      if (s.format === 'date-time') return '2026-03-02T01:00:00.000Z';
      if (s.format === 'date') return '2026-03-02';
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return true;
    default:
      return {};
  }
}
