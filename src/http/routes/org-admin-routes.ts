/**
 * Units and centers administered over HTTP: a unit created under a center, renamed, moved under
 * another center, its categories changed, disabled and enabled; a center created for a
 * jurisdiction. The city administrator may do all of it; a district administrator only inside its
 * district, before and after the change (`auth/admin-scope.ts`). Each change is an event in the log.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { requirePrincipal } from '../request-principal.ts';
import { withProblems } from '../schemas.ts';
import { CityLoopError } from '../../errors.ts';
import { centerChangeRefusal, unitChangeRefusal, type AdminRefusal } from '../../auth/admin-scope.ts';
import type { Principal } from '../../auth/principal.ts';
import type { Tier } from '../../org/tiers.ts';

/** What these routes use of the platform (and nothing more). */
export type OrgAdminRouteDeps = Pick<Platform, 'orgAdmin' | 'users' | 'org' | 'pack' | 'resolver'>;

export const AdminUnitView = Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String(), tier: Type.String(), jurisdictionCode: Type.String(), categoryCodes: Type.Array(Type.String()), disabled: Type.Boolean() });
const AdminCenterView = Type.Object({ id: Type.String(), tier: Type.String(), jurisdictionCode: Type.String(), name: Type.String(), parentCenterId: Type.Union([Type.String(), Type.Null()]) });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const Codes = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 500 });
const NewUnitBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    kind: Type.String({ minLength: 1, maxLength: 64, description: 'the kind of unit (water-supply, urban-management …): plans pick units by kind and place' }),
    centerId: Type.String({ minLength: 1, maxLength: 100, description: 'the center it works under: its tier and jurisdiction' }),
    categoryCodes: Type.Optional(Codes),
  },
  { additionalProperties: false },
);
const UnitPatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    centerId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'move the unit under this center' })),
    categoryCodes: Type.Optional(Codes),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
const NewCenterBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    jurisdictionCode: Type.String({ minLength: 1, maxLength: 20, description: 'a city, district or street with no center yet' }),
    parentCenterId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'default: the center of the jurisdiction above' })),
  },
  { additionalProperties: false },
);
const Reason = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });

function emptyBodyAsObject(req: { body: unknown }, _reply: unknown, done: () => void): void {
  req.body ??= {};
  done();
}

function refuse(refusal: AdminRefusal | null, action: string): void {
  if (refusal === 'role') throw new CityLoopError('FORBIDDEN_ROLE', { action });
  if (refusal === 'jurisdiction') throw new CityLoopError('FORBIDDEN_JURISDICTION');
}

export function registerOrgAdminRoutes(app: FastifyInstance, platform: OrgAdminRouteDeps): void {
  const bearer = [{ bearer: [] }];
  const unitChange = (req: FastifyRequest, before: string | undefined, after: string | undefined, action: string): Principal => {
    const p = requirePrincipal(req);
    refuse(unitChangeRefusal(p, before, after, platform.users.lookup()), action);
    return p;
  };
  /** The categories a kind handles at a tier in the city pack, for a new unit that names none. */
  const packCategories = (kind: string, tier: Tier): string[] | undefined => platform.pack.unitKinds[tier].find((k) => k.kind === kind)?.categoryCodes;

  app.get(
    '/api/v1/unit-kinds',
    {
      schema: {
        tags: ['org'],
        summary: '单位类型 — the kinds of unit of the city pack, tier by tier, with their names (what a new unit may be)',
        security: bearer,
        response: withProblems({ 200: Type.Object({ items: Type.Array(Type.Object({ tier: Type.String(), kind: Type.String(), nameZh: Type.String(), nameEn: Type.String(), categoryCodes: Type.Array(Type.String()) })) }) }),
      },
    },
    async (req) => {
      requirePrincipal(req);
      const kinds = platform.pack.unitKinds;
      return { items: (['city', 'district', 'street'] as const).flatMap((tier) => kinds[tier].map((k) => ({ tier, kind: k.kind, nameZh: k.nameZh, nameEn: k.nameEn, categoryCodes: [...k.categoryCodes] }))) };
    },
  );

  app.post<{ Body: Static<typeof NewUnitBody> }>(
    '/api/v1/units',
    { schema: { tags: ['org'], summary: 'Create a unit under a center (administrators of the center\'s place); categories default to its kind\'s in the city pack', security: bearer, body: NewUnitBody, response: withProblems({ 201: AdminUnitView }) } },
    async (req, reply) => {
      unitChange(req, undefined, undefined, 'create unit'); // the role first, then the place
      const c = platform.orgAdmin.requireCenter(req.body.centerId);
      const p = unitChange(req, undefined, c.jurisdictionCode, 'create unit');
      const categoryCodes = req.body.categoryCodes ?? packCategories(req.body.kind, c.tier);
      if (!categoryCodes) throw new CityLoopError('VALIDATION_FAILED', { detail: `categoryCodes: the city pack has no kind ${req.body.kind} at the ${c.tier} tier; name the categories the unit handles` });
      return reply.code(201).send(await platform.orgAdmin.createUnit(p, { name: req.body.name, kind: req.body.kind, centerId: c.id, categoryCodes }));
    },
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UnitPatchBody> }>(
    '/api/v1/units/:id',
    { schema: { tags: ['org'], summary: 'Rename a unit, move it under another center or change its categories (administrators of both places)', security: bearer, params: IdParams, body: UnitPatchBody, response: withProblems({ 200: AdminUnitView }) } },
    async (req) => {
      unitChange(req, undefined, undefined, 'change unit'); // the role first, then the places
      const unit = platform.orgAdmin.requireUnit(req.params.id);
      const target = req.body.centerId !== undefined ? platform.orgAdmin.requireCenter(req.body.centerId).jurisdictionCode : undefined;
      const p = unitChange(req, unit.jurisdictionCode, target, 'change unit');
      const { reason, ...patch } = req.body;
      return platform.orgAdmin.updateUnit(p, unit.id, patch, reason ?? null);
    },
  );

  for (const [action, disabled] of [['disable', true], ['enable', false]] as const) {
    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof Reason> }>(
      `/api/v1/units/:id/${action}`,
      {
        schema: {
          tags: ['org'],
          summary: disabled ? 'Disable a unit (administrators of its place): its tasks stay; plans and the routing table pick it no more' : 'Enable a disabled unit again (administrators of its place)',
          security: bearer,
          params: IdParams,
          body: Reason,
          response: withProblems({ 200: AdminUnitView }),
        },
        preValidation: emptyBodyAsObject,
      },
      async (req) => {
        unitChange(req, undefined, undefined, `${action} unit`);
        const unit = platform.orgAdmin.requireUnit(req.params.id);
        const p = unitChange(req, unit.jurisdictionCode, undefined, `${action} unit`);
        return platform.orgAdmin.setUnitDisabled(p, unit.id, disabled, req.body.reason ?? null);
      },
    );
  }

  app.post<{ Body: Static<typeof NewCenterBody> }>(
    '/api/v1/centers',
    { schema: { tags: ['org'], summary: 'Create a center for a jurisdiction that has none (the city administrator; a district administrator: for a street of its district)', security: bearer, body: NewCenterBody, response: withProblems({ 201: AdminCenterView }) } },
    async (req, reply) => {
      const p = requirePrincipal(req);
      refuse(centerChangeRefusal(p, req.body.jurisdictionCode, platform.users.lookup()), 'create center');
      const j = platform.resolver().get(req.body.jurisdictionCode);
      if (!j) throw new CityLoopError('NOT_FOUND', { what: 'jurisdiction', id: req.body.jurisdictionCode });
      if (j.level !== 'city' && j.level !== 'district' && j.level !== 'street') throw new CityLoopError('VALIDATION_FAILED', { detail: `jurisdictionCode: a ${j.level} has no center (cities, districts and streets have)` });
      const parent = req.body.parentCenterId ?? (j.parentCode ? (platform.org.centerOfJurisdiction(j.parentCode)?.id ?? null) : null);
      const c = await platform.orgAdmin.createCenter(p, { name: req.body.name, tier: j.level, jurisdictionCode: j.code, parentCenterId: parent });
      return reply.code(201).send(c);
    },
  );
}
