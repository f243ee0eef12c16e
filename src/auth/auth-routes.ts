import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../platform.ts';
import { requirePrincipal } from '../server/app.ts';
import { withProblems } from '../server/schemas.ts';
import { CityLoopError } from '../errors.ts';
import { hasRole, ROLES } from './principal.ts';

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

const SignIn = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });
const NewApiToken = Type.Object({ userId: Type.Optional(Type.String()), name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
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

export function registerAuthRoutes(app: FastifyInstance, platform: Platform): void {
  app.addSchema(PrincipalView);
  const bearer = [{ bearer: [] }];
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
      const r = await platform.auth.signIn(req.body.username, req.body.password);
      return { token: r.token, expiresAt: r.expiresAt, user: r.principal };
    },
  );

  app.post(
    '/api/v1/auth/sign-out',
    { schema: { tags: ['auth'], summary: 'Revoke the token of this request', security: bearer, response: withProblems({ 204: Type.Null() }) } },
    async (req, reply) => {
      requirePrincipal(req);
      const h = req.headers.authorization ?? '';
      await platform.auth.revoke(h.replace(/^Bearer\s+/i, ''));
      return reply.code(204).send();
    },
  );

  app.get('/api/v1/me', { schema: { tags: ['auth'], summary: 'Who am I', security: bearer, response: withProblems({ 200: Type.Ref('Principal') }) } }, async (req) => requirePrincipal(req));

  app.post<{ Body: Static<typeof NewApiToken> }>(
    '/api/v1/auth/api-tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an API token for a system account (administrators; others for themselves)',
        security: bearer,
        body: NewApiToken,
        response: withProblems({ 201: Type.Object({ id: Type.String(), token: Type.String() }) }),
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const userId = req.body.userId ?? p.userId;
      if (userId !== p.userId && !hasRole(p, 'admin')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'create API token for another user' });
      const t = await platform.auth.createApiToken(userId, req.body.name);
      return reply.code(201).send(t);
    },
  );

  app.post<{ Body: Static<typeof NewUserBody> }>(
    '/api/v1/users',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create a user (administrators)',
        security: bearer,
        body: NewUserBody,
        response: withProblems({ 201: Type.Object({ id: Type.String() }) }),
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      if (!hasRole(p, 'admin')) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'create user' });
      const b = req.body;
      if (b.jurisdictionCode && !platform.auth.knowsJurisdiction(b.jurisdictionCode)) throw new CityLoopError('NOT_FOUND', { what: 'jurisdiction', id: b.jurisdictionCode });
      const exists = await platform.store.db.selectFrom('users').select('id').where('username', '=', b.username).executeTakeFirst();
      if (exists) throw new CityLoopError('VALIDATION_FAILED', { detail: `username ${b.username} is taken` });
      const id = await platform.auth.createUser({ ...b, centerId: b.centerId ?? null, unitId: b.unitId ?? null, jurisdictionCode: b.jurisdictionCode ?? null, phone: b.phone ?? null });
      return reply.code(201).send({ id });
    },
  );
}
