/**
 * The administration of people over HTTP: users listed and searched, one user read, changed
 * (name, roles, phone) or moved (center, unit, area), a password reset to a one-time password.
 * Who may is `auth/admin-scope.ts`: the city administrator everyone, a district administrator
 * the people inside its district. Creating, disabling and enabling are in `auth-routes.ts`.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { requirePrincipal } from '../request-principal.ts';
import { withProblems } from '../schemas.ts';
import { ROLES, type Role } from '../../auth/principal.ts';
import { adminGround } from '../../auth/admin-scope.ts';
import { CityLoopError } from '../../errors.ts';

/** What these routes use of the platform (and nothing more). */
type UserAdminRouteDeps = Pick<Platform, 'users'>;

const Nullable = (t: ReturnType<typeof Type.String>) => Type.Union([t, Type.Null()]);
const RoleLiteral = Type.Union(ROLES.filter((r) => r !== 'system').map((r) => Type.Literal(r)));

export const UserView = Type.Object(
  {
    id: Type.String(),
    username: Type.String(),
    displayName: Type.String(),
    roles: Type.Array(Type.String()),
    centerId: Type.Union([Type.String(), Type.Null()]),
    unitId: Type.Union([Type.String(), Type.Null()]),
    jurisdictionCode: Type.Union([Type.String(), Type.Null()]),
    phone: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String(),
    disabled: Type.Boolean(),
    secondFactor: Type.Boolean({ description: 'a confirmed second factor (TOTP)' }),
  },
);

const UserQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100, description: 'text in the user name, display name or phone' })),
  centerId: Type.Optional(Type.String({ maxLength: 100 })),
  unitId: Type.Optional(Type.String({ maxLength: 100 })),
  role: Type.Optional(RoleLiteral),
  disabled: Type.Optional(Type.Boolean()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const UserPatchBody = Type.Object(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    roles: Type.Optional(Type.Array(RoleLiteral, { minItems: 1, maxItems: ROLES.length })),
    centerId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
    unitId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
    jurisdictionCode: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 20 }))),
    phone: Type.Optional(Nullable(Type.String({ maxLength: 30 }))),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
const Reason = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });

/** A plain client posts an action with no body at all: read as `{}`. */
function emptyBodyAsObject(req: { body: unknown }, _reply: unknown, done: () => void): void {
  req.body ??= {};
  done();
}

export function registerUserAdminRoutes(app: FastifyInstance, platform: UserAdminRouteDeps): void {
  const bearer = [{ bearer: [] }];
  const administrator = (req: { principal?: unknown }, action: string) => {
    const p = requirePrincipal(req as Parameters<typeof requirePrincipal>[0]);
    if (adminGround(p) === null) throw new CityLoopError('FORBIDDEN_ROLE', { action });
    return p;
  };

  app.get<{ Querystring: Static<typeof UserQuery> }>(
    '/api/v1/users',
    {
      schema: {
        tags: ['auth'],
        summary: '人员 — users an administrator administers (the city administrator: all; a district administrator: those inside its district), by user name',
        security: bearer,
        querystring: UserQuery,
        response: withProblems({ 200: Type.Object({ items: Type.Array(UserView), truncated: Type.Boolean() }) }),
      },
    },
    async (req) => {
      const p = administrator(req, 'list users');
      const q = req.query;
      return platform.users.list(p, { q: q.q, centerId: q.centerId, unitId: q.unitId, role: q.role as Role | undefined, disabled: q.disabled, limit: q.limit ?? 100 });
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/users/:id',
    { schema: { tags: ['auth'], summary: 'One user (administrators of its place)', security: bearer, params: IdParams, response: withProblems({ 200: UserView }) } },
    async (req) => platform.users.get(administrator(req, 'read user'), req.params.id),
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UserPatchBody> }>(
    '/api/v1/users/:id',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change a user: display name, roles, phone, or move to another center, unit or area (administrators of both places); the user\'s open streams end and reopen with the new rights',
        security: bearer,
        params: IdParams,
        body: UserPatchBody,
        response: withProblems({ 200: UserView }),
      },
    },
    async (req) => {
      const p = administrator(req, 'change user');
      const { reason, ...patch } = req.body;
      return platform.users.update(p, req.params.id, { ...patch, roles: patch.roles as Role[] | undefined }, reason ?? null);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof Reason> }>(
    '/api/v1/users/:id/password-reset',
    {
      schema: {
        tags: ['auth'],
        summary: 'Reset a user\'s password to a one-time password, shown in this answer only (administrators of the user\'s place); the user\'s sign-in sessions end',
        security: bearer,
        params: IdParams,
        body: Reason,
        response: withProblems({ 200: Type.Object({ oneTimePassword: Type.String(), sessionsEnded: Type.Integer() }) }),
      },
      preValidation: emptyBodyAsObject,
    },
    async (req, reply) => {
      const p = administrator(req, 'reset password');
      const r = await platform.users.resetPassword(p, req.params.id, req.body.reason ?? null);
      return reply.header('cache-control', 'no-store').send(r);
    },
  );
}
