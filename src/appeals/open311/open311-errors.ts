import type { FastifyError } from 'fastify';
import { CityLoopError, ERRORS, errorMessage, type Lang } from '../../errors.ts';

/** One entry of the GeoReport v2 error array. */
export interface Open311ErrorEntry {
  readonly code: number;
  readonly description: string;
}

/**
 * An answer in the GeoReport v2 error shape. The specification fixes the HTTP statuses: 404 for
 * what does not exist, 403 for a missing or wrong api_key, 400 for everything else a client did
 * wrong. Several entries may travel in one answer (every invalid field of a request at once).
 */
export class Open311Error extends Error {
  readonly status: 400 | 403 | 404 | 500;
  readonly entries: readonly Open311ErrorEntry[];
  constructor(status: 400 | 403 | 404 | 500, descriptions: string | readonly string[]) {
    const list = typeof descriptions === 'string' ? [descriptions] : descriptions;
    super(list.join('; '));
    this.name = 'Open311Error';
    this.status = status;
    this.entries = list.map((description) => ({ code: status, description }));
  }
}

/** A message in the client's language: Chinese unless English was asked for. */
export type Bilingual = { readonly zh: string; readonly en: string };
export const say = (lang: Lang, m: Bilingual): string => m[lang];

export const MESSAGES = {
  apiKeyMissing: { zh: '缺少 api_key：提交服务请求和查询服务请求都需要系统账号的 API 令牌', en: 'api_key is missing: submitting and reading service requests need the API token of a system account' },
  apiKeyInvalid: { zh: 'api_key 无效、已吊销或已过期', en: 'Invalid api_key received (unknown, revoked or expired)' },
  apiKeyNotSystem: { zh: '该 api_key 所属账号不是系统账号（需要 system、admin 或 operator 角色），不能代市民提交服务请求', en: 'This api_key does not belong to a system account (roles system, admin or operator) and may not submit service requests' },
  routeNotFound: { zh: '没有这个 Open311 资源（GeoReport v2 的资源见 discovery.xml）', en: 'No such Open311 resource (see discovery.xml for the GeoReport v2 resources)' },
  internal: { zh: '服务内部错误，请稍后重试；如持续出现请联系平台管理员', en: 'Internal error; try again later and tell the platform administrators if it persists' },
} as const satisfies Record<string, Bilingual>;

/**
 * Any error on an /open311 route, as the GeoReport v2 error it becomes. Our own catalogue's
 * messages are reused so a client reads the same words as on the rest of the API.
 */
export function toOpen311Error(error: unknown, lang: Lang): Open311Error {
  if (error instanceof Open311Error) return error;
  if (error instanceof CityLoopError) {
    const def = ERRORS[error.code];
    const text = errorMessage(error.code, { ...error.params }, lang);
    if (error.code === 'AUTH_INVALID_TOKEN') return new Open311Error(403, say(lang, MESSAGES.apiKeyInvalid));
    if (def.status === 401 || def.status === 403) return new Open311Error(403, text);
    if (def.status === 404) return new Open311Error(404, text);
    if (def.status >= 500) return new Open311Error(500, say(lang, MESSAGES.internal));
    return new Open311Error(400, text);
  }
  const fe = error as Partial<FastifyError> & { validation?: unknown };
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new Open311Error(400, lang === 'zh' ? '请求体过大' : 'The request body is too large');
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new Open311Error(400, lang === 'zh' ? '请求体须为 application/x-www-form-urlencoded（或 application/json）' : 'Send the body as application/x-www-form-urlencoded (or application/json)');
  }
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fe.statusCode === 400 && (error as Error).name === 'SyntaxError')) {
    return new Open311Error(400, lang === 'zh' ? '请求体不是合法的 JSON' : 'The body is not valid JSON');
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new Open311Error(fe.statusCode === 404 ? 404 : fe.statusCode === 401 || fe.statusCode === 403 ? 403 : 400, (error as Error).message);
  }
  return new Open311Error(500, say(lang, MESSAGES.internal));
}
