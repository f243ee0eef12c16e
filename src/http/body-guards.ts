/**
 * What every request body passes before a handler sees it (docs/reference/security.md, "Hostile
 * input"):
 *
 *  - JSON bodies are read by one parser for every route: size (`JSON_MAX_BYTES`), depth
 *    (`JSON_MAX_DEPTH`, scanned on the raw text) and the text rule (control characters and unpaired
 *    surrogates refused, in every string and key) — see `src/guarded-json.ts`.
 *  - JSON bodies are validated strictly: no string taken as a number, no null taken as 0 or "".
 *    Query strings, path parameters and headers are text by nature and are still coerced.
 *  - A text body (YAML, CSV, XML, text/plain) or raw bytes sent to a route whose body is JSON is
 *    415: only routes whose body schema admits a string take text.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Ajv, type Options as AjvOptions } from 'ajv';
import { CityLoopError } from '../errors.ts';
import { parseGuardedJson, type JsonLimits } from '../guarded-json.ts';

/** The JSON parser of every route; refusals become problem+json through the error handler. */
export function registerGuardedJsonParser(app: FastifyInstance, limits: JsonLimits): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: limits.maxBytes }, (_req, body, done) => {
    const text = body as string;
    if (text.length === 0) {
      done(new CityLoopError('VALIDATION_FAILED', { detail: 'the body is empty but says it is JSON' }), undefined);
      return;
    }
    const r = parseGuardedJson(text, limits);
    if (r.ok) return done(null, r.value);
    const f = r.refusal;
    if (f.kind === 'too_deep') done(new CityLoopError('JSON_TOO_DEEP', { limit: limits.maxDepth }), undefined);
    else if (f.kind === 'too_large') done(new CityLoopError('PAYLOAD_TOO_LARGE'), undefined);
    else if (f.kind === 'bad_text') done(new CityLoopError('TEXT_FORBIDDEN_CHARACTER', { detail: f.detail }, { pointer: f.path }), undefined);
    else done(new CityLoopError('VALIDATION_FAILED', { detail: 'the body is not valid JSON' }), undefined);
  });
}

/** RFC 3339 date-time with a zone (what `format: 'date-time'` means in our schemas). */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
function isDateTime(s: string): boolean {
  const m = DATE_TIME.exec(s);
  if (!m) return false;
  const [y, mo, d, h, mi, se] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 60) return false;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= daysInMonth && !Number.isNaN(Date.parse(s));
}

function makeAjv(coerceTypes: false | 'array', external: Record<string, unknown>): Ajv {
  const options: AjvOptions = { coerceTypes, useDefaults: true, removeAdditional: false, allErrors: true, addUsedSchema: false };
  const ajv = new Ajv(options);
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
  for (const s of Object.values(external)) ajv.addSchema(s as object);
  return ajv;
}

/**
 * Fastify's schema controller with two validators: strict types for bodies, coercion for the parts
 * of a request that are text (query string, path parameters, headers).
 */
export const strictBodySchemaController = {
  compilersFactory: {
    buildValidator(external: Record<string, unknown>) {
      const strict = makeAjv(false, external);
      const coercing = makeAjv('array', external);
      return ({ schema, httpPart }: { schema: unknown; httpPart?: string }) => {
        // Raw bytes (a file upload): the media-type guard has let only a Buffer through; nothing more to check.
        if (httpPart === 'body' && schemaTakesBytes(schema)) return strict.compile({});
        const ajv = httpPart === 'body' ? strict : coercing;
        const id = (schema as { $id?: string }).$id;
        if (id) {
          const known = ajv.getSchema(id);
          if (known) return known;
        }
        return ajv.compile(schema as object);
      };
    },
  },
};

/**
 * Whether a body schema is raw bytes (`{type: 'string', format: 'binary'}`, as OpenAPI writes a
 * file upload): the route takes the body as the byte parser gives it.
 */
export function schemaTakesBytes(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return false;
  const s = schema as { type?: unknown; format?: unknown };
  return s.type === 'string' && s.format === 'binary';
}

/** Whether a body schema admits a string at its top (then the route takes text: YAML, CSV, XML). */
export function schemaTakesText(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return false;
  const s = schema as { type?: unknown; anyOf?: unknown; oneOf?: unknown };
  if (s.type === 'string' || (Array.isArray(s.type) && s.type.includes('string'))) return true;
  for (const list of [s.anyOf, s.oneOf]) if (Array.isArray(list) && list.some(schemaTakesText)) return true;
  return false;
}

/**
 * 415 for text or bytes sent to a route whose body is JSON, and for text sent to a route that takes
 * bytes (`schemaTakesBytes`). Routes without a body schema judge their media type themselves.
 */
export function registerMediaTypeGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (req: FastifyRequest) => {
    const body = req.body as unknown;
    const schema = req.routeOptions.schema?.body;
    if (schema === undefined) return;
    if (schemaTakesBytes(schema)) {
      // No body at all is the route's to refuse, in its own words.
      if (body === undefined || body === null || Buffer.isBuffer(body)) return;
      throw new CityLoopError('UNSUPPORTED_MEDIA_TYPE', { type: String(req.headers['content-type'] ?? '').slice(0, 100) });
    }
    if (typeof body !== 'string' && !Buffer.isBuffer(body)) return;
    if (typeof body === 'string' && schemaTakesText(schema)) return;
    throw new CityLoopError('UNSUPPORTED_MEDIA_TYPE', { type: String(req.headers['content-type'] ?? '').slice(0, 100) });
  });
}
