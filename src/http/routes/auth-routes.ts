import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { bearerTokenOf, requirePrincipal, requireSession } from '../request-principal.ts';
import { withProblems } from '../schemas.ts';
import { CityLoopError } from '../../errors.ts';
import { hasRole, ROLES, type Principal } from '../../auth/principal.ts';
import { TOKEN_SCOPES } from '../../auth/token-scopes.ts';
import { registerUserAdminRoutes } from './user-admin-routes.ts';
import { API_TOKEN_DEFAULT_DAYS, API_TOKEN_MAX_DAYS, MIN_PASSWORD_LENGTH } from '../../auth/auth-service.ts';

/** What these routes use of the platform (and nothing more). */
type AuthRouteDeps = Pick<Platform, 'auth' | 'users'>;


export const PrincipalView = Type.Object(
  {
    userId: Type.String(),
    username: Type.String(),
    displayName: Type.String(),
    roles: Type.Array(Type.String()),
    centerId: Type.Union([Type.String(), Type.Null()]),
    tier: Type.Union([Type.String(), Type.Null()]),
    unitId: Type.Union([Type.String(), Type.Null()]),
    jurisdictionCode: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'Principal' },
);

const SignIn = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
    totp: Type.Optional(Type.String({ maxLength: 12, description: 'the 6-digit one-time code, for accounts with a second factor' })),
  },
  { additionalProperties: false },
);
const Scope = Type.Union(TOKEN_SCOPES.map((s) => Type.Literal(s)));
const NewApiToken = Type.Object(
  {
    userId: Type.Optional(Type.String()),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Optional(Type.Array(Scope, { minItems: 1, maxItems: TOKEN_SCOPES.length, description: 'read (GET/HEAD), write (other methods), ingest (telemetry, camera events, CAP), open311 (/open311/); default [read]' })),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: API_TOKEN_MAX_DAYS, description: `default ${API_TOKEN_DEFAULT_DAYS}` })),
  },
  { additionalProperties: false },
);
const ApiTokenView = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  createdAt: Type.String(),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
});
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const Reason = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });
const Code = Type.Object({ code: Type.String({ minLength: 1, maxLength: 12 }) }, { additionalProperties: false });
const PasswordChange = Type.Object({ oldPassword: Type.String({ minLength: 1, maxLength: 256 }), newPassword: Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 256 }) }, { additionalProperties: false });
const Session = Type.Object({ token: Type.String(), expiresAt: Type.String() });
const NewUserBody = Type.Object(
  {
    username: Type.String({ minLength: 2, maxLength: 64 }),
    displayName: Type.String({ minLength: 1, maxLength: 100 }),
    password: Type.String({ minLength: 8, maxLength: 256 }),
    roles: Type.Array(Type.Union(ROLES.filter((r) => r !== 'system').map((r) => Type.Literal(r))), { minItems: 1 }),
    centerId: Type.Optional(Type.String()),
    unitId: Type.Optional(Type.String()),
    jurisdictionCode: Type.Optional(Type.String()),
    phone: Type.Optional(Type.String({ maxLength: 30 })),
  },
  { additionalProperties: false },
);

/** A plain client posts an action with no body at all: read as `{}`. */
function emptyBodyAsObject(req: { body: unknown }, _reply: unknown, done: () => void): void {
  req.body ??= {};
  done();
}

export function registerAuthRoutes(app: FastifyInstance, platform: AuthRouteDeps): void {
  app.addSchema(PrincipalView);
  registerUserAdminRoutes(app, platform);
  const bearer = [{ bearer: [] }];
  /** The caller may administer this user as it is (a district administrator: inside its district). */
  const mayAdminister = async (p: Principal, userId: string, action: string) => {
    if (!hasRole(p, 'admin')) throw new CityLoopError('FORBIDDEN_ROLE', { action });
    platform.users.check(p, await platform.users.get(p, userId), undefined, action);
  };
  app.post<{ Body: Static<typeof SignIn> }>(
    '/api/v1/auth/sign-in',
    {
      schema: {
        tags: ['auth'],
        summary: '登录 — sign in with user name and password; returns a bearer token',
        body: SignIn,
        response: withProblems({ 200: Type.Object({ token: Type.String(), expiresAt: Type.String(), user: Type.Ref('Principal') }) }),
      },
    },
    async (req) => {
      const r = await platform.auth.signIn(req.body.username, req.body.password, { address: req.ip, totp: req.body.totp });
      return { token: r.token, expiresAt: r.expiresAt, user: r.principal };
    },
  );

  app.post(
    '/api/v1/auth/sign-out',
    { schema: { tags: ['auth'], summary: 'Revoke the token of this request; live-feed streams opened with it end at once', security: bearer, response: withProblems({ 204: Type.Null() }) } },
    async (req, reply) => {
      const p = requirePrincipal(req);
      await platform.auth.revoke(bearerTokenOf(req) ?? '', p);
      return reply.code(204).send();
    },
  );

  app.get('/api/v1/me', { schema: { tags: ['auth'], summary: 'Who am I', security: bearer, response: withProblems({ 200: Type.Ref('Principal') }) } }, async (req) => requirePrincipal(req));

  app.post<{ Body: Static<typeof NewApiToken> }>(
    '/api/v1/auth/api-tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Issue an API token with scopes and an expiry (signed-in staff for themselves, administrators for anyone but citizens); the token is in the answer, once',
        security: bearer,
        body: NewApiToken,
        response: withProblems({ 201: Type.Object({ id: Type.String(), token: Type.String(), name: Type.String(), scopes: Type.Array(Type.String()), expiresAt: Type.String() }) }),
      },
    },
    async (req, reply) => {
      const p = requireSession(req, 'issue an API token');
      if (hasRole(p, 'citizen') && !hasRole(p, 'admin', 'supervisor', 'operator', 'unit_staff', 'grid_worker', 'system')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'issue an API token' });
      const userId = req.body.userId ?? p.userId;
      if (userId !== p.userId && !hasRole(p, 'admin')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'create API token for another user' });
      const t = await platform.auth.createApiToken(p, userId, req.body.name, { scopes: req.body.scopes ?? ['read'], expiresInDays: req.body.expiresInDays });
      return reply.code(201).send(t);
    },
  );

  app.get<{ Querystring: { userId?: string } }>(
    '/api/v1/auth/api-tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'List API tokens (never the tokens themselves): one\'s own, or any user\'s for administrators (?userId=)',
        security: bearer,
        querystring: Type.Object({ userId: Type.Optional(Type.String({ maxLength: 100 })) }),
        response: withProblems({ 200: Type.Object({ items: Type.Array(ApiTokenView) }) }),
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      const userId = req.query.userId ?? p.userId;
      if (userId !== p.userId && !hasRole(p, 'admin')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'list another user\'s API tokens' });
      return { items: await platform.auth.listApiTokens(userId) };
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/api/v1/auth/api-tokens/:id',
    { schema: { tags: ['auth'], summary: 'Revoke an API token (its owner or an administrator); its open streams end at once', security: bearer, params: IdParams, response: withProblems({ 204: Type.Null() }) } },
    async (req, reply) => {
      const p = requirePrincipal(req);
      await platform.auth.revokeApiToken(p, req.params.id);
      return reply.code(204).send();
    },
  );

  app.post<{ Body: Static<typeof PasswordChange> }>(
    '/api/v1/me/password',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change one\'s password with the current one: every sign-in session of the account ends (streams too); the answer is a new session',
        security: bearer,
        body: PasswordChange,
        response: withProblems({ 200: Session }),
      },
    },
    async (req) => {
      const p = requireSession(req, 'change the password');
      return platform.auth.changePassword(p, req.body.oldPassword, req.body.newPassword, req.ip);
    },
  );

  for (const [action, disabled] of [['disable', true], ['enable', false]] as const) {
    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof Reason> }>(
      `/api/v1/users/:id/${action}`,
      {
        schema: {
          tags: ['auth'],
          summary: disabled ? 'Disable a user (administrators of its place): every token of the user is revoked and open streams end' : 'Enable a disabled user again (administrators of its place); revoked tokens stay revoked',
          security: bearer,
          params: IdParams,
          body: Reason,
          response: withProblems({ 200: Type.Object({ id: Type.String(), disabled: Type.Boolean(), tokensRevoked: Type.Integer() }) }),
        },
        preValidation: emptyBodyAsObject,
      },
      async (req) => {
        const p = requirePrincipal(req);
        await mayAdminister(p, req.params.id, `${action} user`);
        const r = await platform.auth.setDisabled(p, req.params.id, disabled, req.body.reason ?? null);
        return { id: req.params.id, disabled, tokensRevoked: r.tokensRevoked };
      },
    );
  }

  app.get(
    '/api/v1/me/second-factor',
    { schema: { tags: ['auth'], summary: 'Whether one\'s second factor (TOTP) is off, pending confirmation or on', security: bearer, response: withProblems({ 200: Type.Object({ totp: Type.String() }) }) } },
    async (req) => platform.auth.secondFactorOf(requirePrincipal(req).userId),
  );

  app.post(
    '/api/v1/me/second-factor/totp',
    {
      schema: {
        tags: ['auth'],
        summary: 'Begin TOTP enrolment (supervisors and administrators): the secret and its otpauth:// URI, shown once; confirm with a code to turn it on',
        security: bearer,
        body: Type.Object({}, { additionalProperties: false, description: 'nothing (`{}`, or no body at all)' }),
        response: withProblems({ 201: Type.Object({ secret: Type.String(), otpauthUri: Type.String() }) }),
      },
      preValidation: emptyBodyAsObject,
    },
    async (req, reply) => {
      const p = requireSession(req, 'enrol a second factor');
      return reply.code(201).header('cache-control', 'no-store').send(await platform.auth.beginTotp(p));
    },
  );

  app.post<{ Body: Static<typeof Code> }>(
    '/api/v1/me/second-factor/totp/confirm',
    { schema: { tags: ['auth'], summary: 'Confirm TOTP enrolment with a code from the app: from now on sign-in needs `totp`', security: bearer, body: Code, response: withProblems({ 204: Type.Null() }) } },
    async (req, reply) => {
      const p = requireSession(req, 'confirm a second factor');
      await platform.auth.confirmTotp(p, req.body.code, req.ip);
      return reply.code(204).send();
    },
  );

  app.post<{ Body: Static<typeof Code> }>(
    '/api/v1/me/second-factor/totp/disable',
    { schema: { tags: ['auth'], summary: 'Turn the second factor off, with a valid code', security: bearer, body: Code, response: withProblems({ 204: Type.Null() }) } },
    async (req, reply) => {
      const p = requireSession(req, 'turn off a second factor');
      await platform.auth.disableTotp(p, req.body.code, req.ip);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof Reason> }>(
    '/api/v1/users/:id/second-factor/reset',
    { schema: { tags: ['auth'], summary: 'Remove a user\'s second factor (administrators; a lost phone): the user may enrol again', security: bearer, params: IdParams, body: Reason, response: withProblems({ 204: Type.Null() }) }, preValidation: emptyBodyAsObject },
    async (req, reply) => {
      const p = requirePrincipal(req);
      await mayAdminister(p, req.params.id, 'reset a second factor');
      await platform.auth.resetTotp(p, req.params.id, req.body.reason ?? null);
      return reply.code(204).send();
    },
  );

  app.post<{ Body: Static<typeof NewUserBody> }>(
    '/api/v1/users',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create a user (administrators; a district administrator: inside its district, no administrators)',
        security: bearer,
        body: NewUserBody,
        response: withProblems({ 201: Type.Object({ id: Type.String() }) }),
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      if (!hasRole(p, 'admin')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'create user' });
      const b = req.body;
      platform.users.check(p, undefined, { roles: b.roles, centerId: b.centerId ?? null, unitId: b.unitId ?? null, jurisdictionCode: b.jurisdictionCode ?? null }, 'create user');
      if (b.jurisdictionCode && !platform.auth.knowsJurisdiction(b.jurisdictionCode)) throw new CityLoopError('NOT_FOUND', { what: 'jurisdiction', id: b.jurisdictionCode });
      if (await platform.auth.usernameTaken(b.username)) throw new CityLoopError('VALIDATION_FAILED', { detail: `username ${b.username} is taken` });
      const id = await platform.auth.createUserBy(p, { ...b, centerId: b.centerId ?? null, unitId: b.unitId ?? null, jurisdictionCode: b.jurisdictionCode ?? null, phone: b.phone ?? null });
      return reply.code(201).send({ id });
    },
  );
}
