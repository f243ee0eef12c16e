import { createHash } from 'node:crypto';
import { forbiddenCharacter, printable } from '../../../guarded-json.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Platform } from '../../../platform.ts';
import type { Principal } from '../../../auth/principal.ts';
import { hasRole } from '../../../auth/principal.ts';
import { canSeeCase } from '../../../cases/case-policy.ts';
import { casesByNumbers, numberOfCase } from '../../../cases/case-queries.ts';
import type { CaseDoc, CaseState } from '../../../cases/case-model.ts';
import { CASE_STATES } from '../../../cases/case-model.ts';
import type { CategoryDefinition } from '../../../org/category-model.ts';
import { CityLoopError, type Lang } from '../../../errors.ts';
import { langOf } from '../../problem.ts';
import { MESSAGES, Open311Error, say, toOpen311Error } from '../../../appeals/open311/open311-errors.ts';
import { deadlineSentence, leafCategories, serviceDefinitionOf, serviceOf } from '../../../appeals/open311/open311-services.ts';
import { formatW3c, parseForm, parseW3c, readReport, readSubmission, requestViewOf, statusOf, type RequestLookups } from '../../../appeals/open311/open311-requests.ts';
import { writeXmlDocument, type XmlValue } from '../../../appeals/open311/xml-writer.ts';

/** What these routes use of the platform (and nothing more). */
type Open311RouteDeps = Pick<Platform, 'auth' | 'cases' | 'clock' | 'org' | 'pack' | 'settings' | 'store'>;


/** The specification's token for this API, as discovery names it. */
export const GEOREPORT_V2 = 'http://wiki.open311.org/GeoReport_v2';

type Format = 'xml' | 'json';

/** Element names of list items in the XML form (the Spark convention of the JSON form). */
const ITEM_NAMES: Readonly<Record<string, string>> = {
  services: 'service',
  service_requests: 'request',
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
  errors: 'error',
};

/** At most this many requests per answer (the specification's default limit). */
const MAX_REQUESTS = 1000;
const DAY_MS = 86_400_000;
const MAX_SPAN_MS = 90 * DAY_MS;

/**
 * `services.json` → services, json; `municipal.water.burst.xml` → the code and xml. Our service
 * codes contain dots, so only a final .xml or .json is a format; without one the answer is XML,
 * the format the specification requires.
 */
export function splitFormat(file: string): { name: string; format: Format } {
  const m = /^(.*)\.(xml|json)$/i.exec(file);
  return m ? { name: m[1]!, format: m[2]!.toLowerCase() as Format } : { name: file, format: 'xml' };
}

/** The format an error answer takes: the one the failed URL asked for (the extension needs no decoding). */
function formatOfUrl(url: string): Format {
  const path = url.split('?')[0] ?? '';
  return splitFormat(path.slice(path.lastIndexOf('/') + 1)).format;
}

function send(reply: FastifyReply, format: Format, root: string, value: XmlValue, status = 200): FastifyReply {
  reply.code(status);
  if (format === 'json') return reply.type('application/json; charset=utf-8').send(JSON.stringify(value));
  return reply.type('text/xml; charset=utf-8').send(writeXmlDocument(root, value, ITEM_NAMES));
}

function sendError(reply: FastifyReply, format: Format, e: Open311Error): FastifyReply {
  return send(reply, format, 'errors', e.entries.map((x) => ({ code: x.code, description: x.description })), e.status);
}

/** A query parameter that may be repeated and comma-separated, as a list of trimmed values. */
function listParam(q: Record<string, unknown>, name: string): string[] {
  const raw = q[name];
  const parts = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((v): v is string => typeof v === 'string');
  return [...new Set(parts.flatMap((p) => p.split(',')).map((p) => p.trim()).filter((p) => p !== ''))];
}

function oneParam(q: Record<string, unknown>, name: string): string | undefined {
  const raw = q[name];
  const v = Array.isArray(raw) ? raw[0] : raw;
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * GeoReport v2 at /open311/v2: discovery, services, service definitions, POST and GET requests,
 * one request, tokens; XML (the default) and JSON by extension; errors in the specification's
 * shape, never problem+json. See docs/reference/open311.md for the mapping and the decisions.
 */
export function registerOpen311Routes(app: FastifyInstance, platform: Open311RouteDeps): void {
  void app.register(async (o311) => open311Plugin(o311, platform), { prefix: '/open311' });
}

async function open311Plugin(o311: FastifyInstance, platform: Open311RouteDeps): Promise<void> {
  // The extra fields services ask for are the city's (its pack's); none: services have no attributes.
  const attributes = platform.pack.open311Attributes ?? [];
  // Open311 clients post forms; Fastify has no form parser and we add no package for one.
  o311.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (req, body, done) => {
    const charset = /;\s*charset="?([^";]+)"?/i.exec(req.headers['content-type'] ?? '')?.[1]?.trim().toLowerCase();
    if (charset !== undefined && !['utf-8', 'utf8', 'us-ascii'].includes(charset)) {
      done(new Open311Error(400, langOf(req) === 'zh' ? `表单须为 UTF-8 编码（收到 ${charset.slice(0, 30)}）` : `Forms must be UTF-8 (got ${charset.slice(0, 30)})`), undefined);
      return;
    }
    const form = parseForm(body as string);
    // The one text rule of every body (guarded-json.ts): control characters are refused, not stripped.
    for (const [k, values] of form) {
      for (const text of [k, ...values]) {
        const bad = forbiddenCharacter(text);
        if (bad) {
          const field = printable(k).slice(0, 40);
          done(new Open311Error(400, langOf(req) === 'zh' ? `字段 ${field} 含有不允许的控制字符 U+${bad.codeUnit.toString(16).toUpperCase().padStart(4, '0')}` : `Field ${field} holds a control character U+${bad.codeUnit.toString(16).toUpperCase().padStart(4, '0')}, which is not accepted`), undefined);
          return;
        }
      }
    }
    done(null, form);
  });
  o311.setErrorHandler((error, req, reply) => {
    const e = toOpen311Error(error, langOf(req));
    if (e.status === 500) req.log.error({ err: error, traceId: req.id }, 'unhandled error on an Open311 route');
    return sendError(reply, formatOfUrl(req.url), e);
  });
  o311.setNotFoundHandler((req, reply) => sendError(reply, formatOfUrl(req.url), new Open311Error(404, say(langOf(req), MESSAGES.routeNotFound))));
  // The web app answers `/*` at the root: without a catch-all of its own under /open311, an unknown
  // Open311 path would fall to the root's problem+json 404 instead of Open311's error shape.
  o311.route({ method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'], url: '/*', schema: { hide: true }, handler: (req, reply) => sendError(reply, formatOfUrl(req.url), new Open311Error(404, say(langOf(req), MESSAGES.routeNotFound))) });

  const hidden = { schema: { hide: true } } as const;
  const notFound = (lang: Lang, what: 'service' | 'request' | 'token', id: string) => {
    const shown = id.slice(0, 100);
    const zh = { service: `没有服务代码 ${shown}（service_code 见 services.xml）`, request: `没有服务请求 ${shown}，或无权查看`, token: `没有令牌 ${shown}` };
    const en = { service: `service_code ${shown} was not found (see services.xml)`, request: `service_request_id ${shown} was not found or is not visible to this api_key`, token: `token ${shown} was not found` };
    return new Open311Error(404, lang === 'zh' ? zh[what] : en[what]);
  };

  const leaf = (code: string): CategoryDefinition | undefined => leafCategories(platform.org.categories()).find((c) => c.code === code);

  /** The account an api_key (form field or query) or a bearer token stands for; null without either. */
  const principalOf = async (req: FastifyRequest, bodyKey?: string): Promise<Principal | null> => {
    const key = bodyKey ?? oneParam(req.query as Record<string, unknown>, 'api_key');
    if (key !== undefined && key.trim() !== '') return platform.auth.authenticate(key.trim(), 'open311');
    return req.principal;
  };
  const requireKey = (p: Principal | null, lang: Lang): Principal => {
    if (!p) throw new Open311Error(403, say(lang, MESSAGES.apiKeyMissing));
    return p;
  };

  const lookupsFor = (lang: Lang): RequestLookups => ({
    category: (code) => platform.org.category(code),
    centerName: (id) => platform.org.center(id)?.name,
    expectedResolve: (doc) => {
      if (doc.resolveDue) return doc.resolveDue;
      try {
        return platform.cases.deadlinesFor(doc.categoryCode, new Date(doc.createdAt)).resolveDue;
      } catch {
        return null;
      }
    },
    serviceNotice: (doc) => {
      const c = platform.org.category(doc.categoryCode);
      return c && statusOf(doc.state) === 'open' ? deadlineSentence(c, lang) : null;
    },
  });

  // The changeset moves when the services change (categories are data an administrator reloads).
  let changeset = { fingerprint: '', at: '' };
  const changesetNow = (): string => {
    const fingerprint = createHash('sha256')
      .update(JSON.stringify(platform.org.categories().map((c) => [c.code, c.parentCode, c.nameZh, c.nameEn, c.respondWithin, c.resolveWithin, c.basis])))
      .digest('hex');
    if (fingerprint !== changeset.fingerprint) changeset = { fingerprint, at: formatW3c(platform.clock.now().toISOString()) };
    return changeset.at;
  };

  o311.get<{ Params: { file: string } }>('/v2/:file', hidden, async (req, reply) => {
    const { name, format } = splitFormat(req.params.file);
    const lang = langOf(req);
    if (name === 'discovery') {
      // The endpoint is named from the configured PUBLIC_URL, never from the request's Host header:
      // a forged Host would otherwise be echoed to every client (and to any cache in between).
      const city = platform.org.centers().find((c) => c.tier === 'city');
      const at = changesetNow();
      return send(reply, format, 'discovery', {
        changeset: at,
        contact:
          lang === 'zh'
            ? `${city?.name ?? '城市运行和治理中心'}：使用问题请联系平台管理员`
            : `${city?.name ?? 'The city operations center'}: ask the platform administrators for help`,
        key_service:
          lang === 'zh'
            ? 'api_key 是系统账号（system、admin 或 operator 角色）的 API 令牌，由管理员用 `cityloop token create --user <账号> --name <用途>` 或 POST /api/v1/auth/api-tokens 签发'
            : 'An api_key is the API token of a system account (role system, admin or operator); administrators issue one with `cityloop token create --user <account> --name <purpose>` or POST /api/v1/auth/api-tokens',
        endpoints: [{ specification: GEOREPORT_V2, url: `${platform.settings.publicUrl}/open311/v2`, changeset: at, type: 'production', formats: ['text/xml', 'application/json'] }],
      });
    }
    if (name === 'services') {
      const all = platform.org.categories();
      const byCode = new Map(all.map((c) => [c.code, c]));
      return send(reply, format, 'services', leafCategories(all).map((c) => serviceOf(c, c.parentCode ? byCode.get(c.parentCode) : undefined, lang, attributes)));
    }
    if (name === 'requests') return send(reply, format, 'service_requests', await listRequests(req, lang));
    throw new Open311Error(404, say(lang, MESSAGES.routeNotFound));
  });

  o311.get<{ Params: { file: string } }>('/v2/services/:file', hidden, async (req, reply) => {
    const { name, format } = splitFormat(req.params.file);
    const lang = langOf(req);
    const c = leaf(name);
    if (!c) throw notFound(lang, 'service', name);
    return send(reply, format, 'service_definition', serviceDefinitionOf(c, lang, attributes));
  });

  /** Cases by their numbers (the service_request_id), in the order asked, those the key may see. */
  const byNumbers = async (p: Principal, numbers: readonly string[]): Promise<CaseDoc[]> => {
    const found = new Map<string, CaseDoc>();
    for (const doc of await casesByNumbers(platform.store.db, numbers)) if (canSeeCase(p, doc)) found.set(doc.number, doc);
    return numbers.map((n) => found.get(n)).filter((d): d is CaseDoc => d !== undefined);
  };

  const listRequests = async (req: FastifyRequest, lang: Lang) => {
    const q = req.query as Record<string, unknown>;
    const p = requireKey(await principalOf(req), lang);
    const lookups = lookupsFor(lang);
    const ids = listParam(q, 'service_request_id');
    // The specification: a list of ids overrides every other argument.
    if (ids.length > 0) return (await byNumbers(p, ids.slice(0, MAX_REQUESTS))).map((d) => requestViewOf(d, lookups, lang));

    const problems: string[] = [];
    const statuses = listParam(q, 'status').map((s) => s.toLowerCase());
    for (const s of statuses) if (s !== 'open' && s !== 'closed') problems.push(lang === 'zh' ? `status 只能是 open 或 closed（收到 ${s.slice(0, 30)}）` : `status must be open or closed (got ${s.slice(0, 30)})`);
    const date = (name: 'start_date' | 'end_date'): Date | undefined => {
      const raw = oneParam(q, name);
      if (raw === undefined) return undefined;
      const d = parseW3c(raw);
      if (!d) problems.push(lang === 'zh' ? `${name} 须为带时区的 W3C 日期时间，例如 2026-03-01T00:00:00+08:00` : `${name} must be a W3C datetime with a time zone, e.g. 2026-03-01T00:00:00Z`);
      return d ?? undefined;
    };
    const start = date('start_date');
    const end = date('end_date');
    if (start && end && end.getTime() < start.getTime()) problems.push(lang === 'zh' ? 'end_date 早于 start_date' : 'end_date is before start_date');
    else if (start && end && end.getTime() - start.getTime() > MAX_SPAN_MS) problems.push(lang === 'zh' ? 'start_date 到 end_date 不能超过 90 天' : 'start_date to end_date may not span more than 90 days');
    if (problems.length > 0) throw new Open311Error(400, problems);

    // Without dates: the last 90 days. With one date: 90 days from it, or up to it.
    const now = platform.clock.now().getTime();
    const to = end?.getTime() ?? (start ? start.getTime() + MAX_SPAN_MS : now);
    const from = start?.getTime() ?? to - MAX_SPAN_MS;
    const wanted = new Set(statuses);
    const states: CaseState[] | undefined = wanted.size === 1 ? CASE_STATES.filter((s) => wanted.has(statusOf(s))) : undefined;
    const codes = listParam(q, 'service_code').slice(0, 100);

    const collect = async (category: string | undefined): Promise<CaseDoc[]> => {
      const out: CaseDoc[] = [];
      let cursor: string | undefined;
      do {
        const page = await platform.cases.list(p, {
          // `to` is exclusive in the case list; end_date is the last instant included.
          from: new Date(from).toISOString(),
          to: new Date(to + 1).toISOString(),
          ...(states ? { state: states } : {}),
          ...(category !== undefined ? { category } : {}),
          limit: 200,
          ...(cursor ? { cursor } : {}),
        });
        out.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && out.length < MAX_REQUESTS);
      return out;
    };
    const docs = codes.length === 0 ? await collect(undefined) : (await Promise.all(codes.map((c) => collect(c)))).flat();
    // A code may name a family too (the case list matches its prefix); an exact code wins.
    const unique = new Map(docs.filter((d) => codes.length === 0 || codes.includes(d.categoryCode)).map((d) => [d.id, d]));
    return [...unique.values()]
      .sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.id < b.id ? 1 : -1))
      .slice(0, MAX_REQUESTS)
      .map((d) => requestViewOf(d, lookups, lang));
  };

  o311.get<{ Params: { file: string } }>('/v2/requests/:file', hidden, async (req, reply) => {
    const { name, format } = splitFormat(req.params.file);
    const lang = langOf(req);
    const p = requireKey(await principalOf(req), lang);
    const [doc] = await byNumbers(p, [name]);
    if (!doc) throw notFound(lang, 'request', name);
    return send(reply, format, 'service_requests', [requestViewOf(doc, lookupsFor(lang), lang)]);
  });

  // Our services are realtime, so POST answers the service_request_id and never a token. A token
  // here is a case's internal id (what our own API calls `id`); the answer holds no personal data,
  // so, as the specification has it, no api_key is needed.
  o311.get<{ Params: { file: string } }>('/v2/tokens/:file', hidden, async (req, reply) => {
    const { name, format } = splitFormat(req.params.file);
    const lang = langOf(req);
    const number = await numberOfCase(platform.store.db, name);
    if (number === null) throw notFound(lang, 'token', name);
    return send(reply, format, 'service_requests', [{ service_request_id: number, token: name }]);
  });

  o311.post<{ Params: { file: string } }>('/v2/:file', { ...hidden, bodyLimit: 256 * 1024 }, async (req, reply) => {
    const { name, format } = splitFormat(req.params.file);
    const lang = langOf(req);
    if (name !== 'requests') throw new Open311Error(404, say(lang, MESSAGES.routeNotFound));
    const submission = readSubmission(req.body, lang);
    const p = requireKey(await principalOf(req, submission.fields.get('api_key')), lang);
    if (!hasRole(p, 'system', 'admin', 'operator')) throw new Open311Error(403, say(lang, MESSAGES.apiKeyNotSystem));
    const code = submission.fields.get('service_code')?.trim();
    if (!code) throw new Open311Error(400, lang === 'zh' ? '缺少 service_code（见 services.xml）' : 'service_code is required (see services.xml)');
    const category = leaf(code);
    if (!category) throw notFound(lang, 'service', code);
    const r = readReport(submission, category, lang, attributes);
    try {
      platform.cases.locate(r.lng, r.lat, 'wgs84');
    } catch (e) {
      if (e instanceof CityLoopError && e.code === 'GEO_OUTSIDE_CITY') {
        throw new Open311Error(
          400,
          lang === 'zh'
            ? `位置（lat ${r.lat}, long ${r.lng}，WGS-84）不在本市服务范围内`
            : `The location (lat ${r.lat}, long ${r.lng}, WGS-84) is outside the area this city serves`,
        );
      }
      throw e;
    }
    const doc = await platform.cases.report(p, {
      source: 'citizen',
      categoryCode: category.code,
      title: r.title,
      description: r.description,
      lng: r.lng,
      lat: r.lat,
      crs: 'wgs84',
      address: r.address,
      reporter: { name: r.reporter.name, phone: r.reporter.phone },
      externalRef: r.externalRef,
    });
    const notice = lang === 'zh' ? `已受理，编号 ${doc.number}；${deadlineSentence(category, lang)}` : `Received as ${doc.number}; ${deadlineSentence(category, lang)}`;
    return send(reply, format, 'service_requests', [{ service_request_id: doc.number, service_notice: notice, account_id: r.accountId }]);
  });
}
