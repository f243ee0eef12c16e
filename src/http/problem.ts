import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CityLoopError, ERRORS, errorMessage, type ErrorCode, type ErrorDefinition, type Lang } from '../errors.ts';
import { classifyStoreFault, describeStoreFault } from '../store/store-faults.ts';

/** zh-CN by default; English when the client asks (?lang=en or Accept-Language: en…). */
export function langOf(req: FastifyRequest): Lang {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  if (q === 'en' || q === 'zh') return q;
  const h = req.headers['accept-language'];
  if (typeof h === 'string' && /^\s*en\b/i.test(h)) return 'en';
  return 'zh';
}

export function problemType(code: ErrorCode): string {
  return `urn:cityloop:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

function send(reply: FastifyReply, req: FastifyRequest, code: ErrorCode, params: Record<string, unknown>, extra?: Record<string, unknown>): FastifyReply {
  const lang = langOf(req);
  const def: ErrorDefinition = ERRORS[code];
  // A passing fault (overload, a store that is restarting or full) tells the client when to come back.
  if (def.retryAfterSeconds !== undefined) reply.header('retry-after', String(def.retryAfterSeconds));
  return reply
    .code(def.status)
    .type('application/problem+json; charset=utf-8')
    .send({
      type: problemType(code),
      title: lang === 'zh' ? def.titleZh : def.titleEn,
      status: def.status,
      detail: errorMessage(code, params, lang),
      instance: req.url.split('?')[0],
      code,
      traceId: req.id,
      ...(extra ?? {}),
    });
}

/**
 * Every error leaves as RFC 9457 problem+json with a stable code. Unknown errors are logged with
 * the trace id and answered without internals.
 */
export function handleError(error: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof CityLoopError) {
    // A refusal that says when to come back says it in the header too (RFC 9110 §10.2.3), in seconds.
    const retryAfter = error.extra?.retryAfter;
    if (typeof retryAfter === 'number' && Number.isFinite(retryAfter)) void reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
    return send(reply, req, error.code, { ...error.params }, error.extra ? { ...error.extra } : undefined);
  }
  const fe = error as FastifyError & { validation?: { instancePath?: string; message?: string; params?: unknown }[]; validationContext?: string };
  if (fe.validation) {
    const errors = fe.validation.map((v) => ({ path: `${fe.validationContext ?? 'body'}${v.instancePath ?? ''}`, message: v.message ?? 'invalid' }));
    return send(reply, req, 'VALIDATION_FAILED', { detail: errors.map((e) => `${e.path} ${e.message}`).join('; ') }, { errors });
  }
  // The router's own refusals (Fastify's frameworkErrors): answered like every other 400.
  if (fe.code === 'FST_ERR_BAD_URL') return send(reply, req, 'VALIDATION_FAILED', { detail: 'a path segment is not valid percent-encoded UTF-8' });
  if (fe.code === 'FST_ERR_MAX_PARAM_LENGTH') return send(reply, req, 'VALIDATION_FAILED', { detail: 'a path segment is too long' });
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(reply, req, 'PAYLOAD_TOO_LARGE', {});
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return send(reply, req, 'UNSUPPORTED_MEDIA_TYPE', { type: req.headers['content-type'] ?? '' });
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fe.statusCode === 400 && error.name === 'SyntaxError')) {
    return send(reply, req, 'VALIDATION_FAILED', { detail: 'the body is not valid JSON' });
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode === 429) return send(reply, req, 'RATE_LIMITED', {});
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return send(reply, req, 'VALIDATION_FAILED', { detail: error.message });
  }
  // The store's own faults are not bugs: a full disk and a database that is gone or stalled are
  // answered 503 with Retry-After, and the driver's words (SQLITE_FULL, 53100, a lost connection)
  // go to the log, where the operator needs them.
  const fault = classifyStoreFault(error);
  if (fault === 'full') {
    req.log.error({ err: error, traceId: req.id, cause: describeStoreFault(error) }, 'the store is full: nothing can be written until space is freed');
    return send(reply, req, 'STORE_FULL', {});
  }
  if (fault === 'unavailable') {
    req.log.warn({ err: error, traceId: req.id, cause: describeStoreFault(error) }, 'the store is unavailable or did not answer in time');
    return send(reply, req, 'STORE_UNAVAILABLE', {});
  }
  req.log.error({ err: error, traceId: req.id }, 'unhandled error');
  return send(reply, req, 'INTERNAL', { traceId: req.id });
}

export function handleNotFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return send(reply, req, 'ROUTE_NOT_FOUND', { method: req.method, url: req.url.split('?')[0] });
}
