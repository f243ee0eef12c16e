import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { CityLoopError } from '../errors.ts';
import type { Platform } from '../platform.ts';
import { requirePrincipal, redactQuery, tokenOf } from './request-principal.ts';
import { requiredScope } from '../auth/token-scopes.ts';
import { handleError, handleNotFound } from './problem.ts';
import { Problem } from './schemas.ts';
import { registerHealthRoutes } from './routes/health-routes.ts';
import { DOCS_CONTENT_SECURITY_POLICY, registerSecurityHeaders } from './security-headers.ts';
import { registerAuthRoutes } from './routes/auth-routes.ts';
import { registerGeoRoutes } from './routes/geo-routes.ts';
import { registerOrgRoutes } from './routes/org-routes.ts';
import { registerCaseRoutes } from './routes/case-routes.ts';
import { registerSiteRoutes } from './routes/site-routes.ts';
import { registerCaseListRoutes } from './routes/case-list-routes.ts';
import { registerFeedRoutes } from './routes/feed-routes.ts';
import { registerHandoverRoutes } from './routes/handover-routes.ts';
import { registerAuditRoutes } from './routes/audit-routes.ts';
import { registerPlanRoutes } from './routes/plan-routes.ts';
import { registerOpen311Routes } from './routes/open311/open311-routes.ts';
import { registerKpiRoutes } from './routes/kpi-routes.ts';
import { registerAppealRoutes } from './routes/appeal-routes.ts';
import { registerSensingRoutes } from './routes/sensing-routes.ts';
import { registerMuckRoutes } from './routes/muck-routes.ts';
import { registerOutboundRoutes } from './routes/outbound-routes.ts';
import { registerAnalysisRoutes } from './routes/analysis-routes.ts';
import { registerAnalysisImpactRoutes } from './routes/analysis-impact-routes.ts';
import { registerRasterRoutes } from './routes/raster-routes.ts';
import { registerWebApp } from './web-app.ts';
import { registerGuardedJsonParser, registerMediaTypeGuard, strictBodySchemaController } from './body-guards.ts';

export interface AppOptions {
  readonly logger?: boolean | { level: string };
  /** The built web application; default web/dist. */
  readonly webDistDir?: string;
}

export async function buildApp(platform: Platform, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      opts.logger === undefined || opts.logger === false
        ? false
        : {
            ...(typeof opts.logger === 'object' ? opts.logger : {}),
            // Tokens may ride in the query string (EventSource): never write them to the log.
            serializers: {
              req: (req: { method: string; url: string; id: string }) => ({ id: req.id, method: req.method, url: redactQuery(req.url) }),
            },
          },
    bodyLimit: platform.settings.maxAttachmentBytes + 1024 * 1024,
    genReqId: () => crypto.randomUUID(),
    trustProxy: platform.settings.trustProxy,
    // Bodies are validated with strict types, the text parts of a request with coercion (body-guards.ts).
    schemaController: strictBodySchemaController,
    // A path the router cannot decode, or a parameter over its length, is problem+json too.
    frameworkErrors: (error, req, reply) => handleError(error, req, reply),
  });
  app.decorateRequest('principal', null);
  // A route that declares bearer security asks for a signed-in caller before anything else: an
  // anonymous request is told 401, not how its body would have failed validation.
  app.addHook('onRoute', (route) => {
    const security = (route.schema as { security?: unknown[] } | undefined)?.security;
    if (!Array.isArray(security) || security.length === 0) return;
    const signedIn = async (req: FastifyRequest) => {
      requirePrincipal(req);
    };
    const before = route.preValidation;
    route.preValidation = before === undefined ? signedIn : Array.isArray(before) ? [signedIn, ...before] : [signedIn, before];
  });
  registerSecurityHeaders(app);
  app.decorateRequest('credential', null);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);
  app.addSchema(Problem);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'CityLoop API',
        version: '1',
        description: '城市运行和治理中心 — cases, tasks, geography and organisation of a city. Errors are application/problem+json (RFC 9457) with a stable code.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: DOCS_CONTENT_SECURITY_POLICY });

  app.addHook('onRequest', async (req) => {
    const token = tokenOf(req);
    if (!token) return;
    const { principal, credential } = await platform.auth.authenticateCredential(token);
    // An API token acts only within its scopes; a sign-in session carries them all.
    const scope = requiredScope(req.method, req.url);
    if (!credential.scopes.includes(scope)) throw new CityLoopError('TOKEN_SCOPE_MISSING', { scope });
    req.principal = principal;
    req.credential = credential;
  });

  // Every JSON body: size, depth and the text rule, before any handler (body-guards.ts).
  registerGuardedJsonParser(app, { maxDepth: platform.settings.jsonMaxDepth, maxBytes: platform.settings.jsonMaxBytes });
  registerMediaTypeGuard(app);
  // Plans, rules, the routing table and categories arrive as YAML text; only routes whose body
  // schema admits a string take it (the others answer 415).
  app.addContentTypeParser(/^(text\/yaml|application\/yaml|application\/x-yaml|text\/plain)/, { parseAs: 'string', bodyLimit: 262144 }, (_req, body, done) => done(null, body));
  // Raw uploads (attachments) arrive with their own media type.
  app.addContentTypeParser(/^(image|video|audio|application\/(pdf|octet-stream))/, { parseAs: 'buffer', bodyLimit: platform.settings.maxAttachmentBytes }, (_req, body, done) => done(null, body));

  registerHealthRoutes(app, platform);
  registerAuthRoutes(app, platform);
  registerGeoRoutes(app, platform);
  registerOrgRoutes(app, platform);
  registerCaseRoutes(app, platform);
  registerSiteRoutes(app, platform);
  registerCaseListRoutes(app, platform);
  registerFeedRoutes(app, platform);
  registerHandoverRoutes(app, platform);
  registerAuditRoutes(app, platform);
  registerPlanRoutes(app, platform);
  registerOpen311Routes(app, platform);
  registerKpiRoutes(app, platform);
  registerAppealRoutes(app, platform);
  registerSensingRoutes(app, platform);
  registerMuckRoutes(app, platform);
  registerOutboundRoutes(app, platform);
  registerAnalysisRoutes(app, platform);
  registerAnalysisImpactRoutes(app, platform);
  registerRasterRoutes(app, platform);

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await registerWebApp(app, platform, opts.webDistDir ? { distDir: opts.webDistDir } : {});
  await app.ready();
  return app;
}
