/**
 * The muck-truck chain and camera events over HTTP: the registry (sites, permits, trucks) read by
 * center staff and by the units that enforce and trace (the kinds the city pack names in
 * `muckReaderUnitKinds`, e.g. urban management and housing and construction), imported by administrators and city/district operators; the camera events as
 * recorded with their enrichment. The webhook that receives camera events (POST
 * /api/v1/camera-events) belongs to the sensing ingest, which raises the alerts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Clock } from '../../clock.ts';
import type { StoreAdapter } from '../../store/store.ts';
import { CityLoopError } from '../../errors.ts';
import { requirePrincipal } from '../request-principal.ts';
import { withProblems } from '../schemas.ts';
import { hasRole, type Principal } from '../../auth/principal.ts';
import { parseIsoTime } from '../../sensing/muck/camera-event.ts';
import { canonicalEventType } from '../../sensing/muck/camera-event-types.ts';
import { normalizePlate } from '../../sensing/muck/vehicle-plate.ts';
import { MUCK_SITE_KINDS, PERMIT_STATUSES, permitValidAt } from '../../sensing/muck/muck-chain.ts';
import type { MuckImportError } from '../../sensing/muck/muck-import.ts';
import { getMuckPermit, getMuckSite, getMuckTruck, listCameraEvents, listMuckPermits, listMuckSites, listMuckTrucks, type MuckImportResult, type MuckRegistry } from '../../sensing/muck/muck-repository.ts';

/** What the routes need; the Platform satisfies it once it holds a `muck: MuckRegistry`. */
export interface MuckRoutesPlatform {
  readonly store: StoreAdapter;
  readonly clock: Clock;
  /** To tell a unit's kind (platform.org). */
  readonly org: { unit(id: string): { readonly kind: string } | undefined };
  readonly muck: MuckRegistry;
  /** The city pack: its `muckReaderUnitKinds` may read too; none named, only center staff and administrators read. */
  readonly pack?: { readonly muckReaderUnitKinds?: readonly string[] | undefined } | undefined;
  /** When present, imported sites without a district get the one containing them. */
  resolver?(): { findContaining(lng: number, lat: number, level: 'district'): string | null; get?(code: string): { parentCode: string | null } | undefined };
  /** The camera devices, so that staff below the city see only the events of cameras in their area. */
  readonly sensing?: { readonly devices: { get(id: string): { readonly jurisdictionCode: string | null } | undefined } };
}

/**
 * Center staff (operators, supervisors), administrators, and staff of units of the reader kinds
 * (the city pack's: the units that enforce and trace the source).
 */
export function canReadMuck(p: Principal, org: MuckRoutesPlatform['org'], readerUnitKinds: ReadonlySet<string>): boolean {
  if (hasRole(p, 'admin')) return true;
  if (hasRole(p, 'operator', 'supervisor') && p.centerId !== null) return true;
  if (hasRole(p, 'unit_staff') && p.unitId !== null) {
    const kind = org.unit(p.unitId)?.kind;
    return kind !== undefined && readerUnitKinds.has(kind);
  }
  return false;
}

/** Administrators, and operators of a city or district center. */
export function canImportMuck(p: Principal): boolean {
  return hasRole(p, 'admin') || (hasRole(p, 'operator') && (p.tier === 'city' || p.tier === 'district'));
}

const lit = <T extends string>(xs: readonly T[]) => Type.Union(xs.map((x) => Type.Literal(x)));
const Loose = Type.Object({}, { additionalProperties: true });
const Items = Type.Object({ items: Type.Array(Loose) });
const ImportQuery = Type.Object({ dryRun: Type.Optional(Type.Boolean({ description: 'check only; write nothing' })), lang: Type.Optional(Type.String()) });
const Counts = Type.Object({ sites: Type.Integer(), permits: Type.Integer(), trucks: Type.Integer(), dryRun: Type.Boolean() });
/** A section body: a JSON array of records, or { items: [...] }. */
const SectionBody = Type.Union([Type.Object({ items: Type.Array(Loose, { maxItems: 20000 }) }, { additionalProperties: false }), Type.Array(Loose, { maxItems: 20000 })]);
const PlateParams = Type.Object({ plate: Type.String({ minLength: 1, maxLength: 32, description: '渝A12345, 渝A·12345 (URL-encoded) …' }) });
const SitesQuery = Type.Object({ kind: Type.Optional(lit(MUCK_SITE_KINDS)), districtCode: Type.Optional(Type.String({ maxLength: 32 })) });
const PermitsQuery = Type.Object({ status: Type.Optional(lit(PERMIT_STATUSES)), company: Type.Optional(Type.String({ maxLength: 200 })), siteId: Type.Optional(Type.String({ maxLength: 64 })) });
const TrucksQuery = Type.Object({
  permitId: Type.Optional(Type.String({ maxLength: 64 })),
  unpermitted: Type.Optional(Type.Boolean({ description: 'only trucks under no permit' })),
  company: Type.Optional(Type.String({ maxLength: 200 })),
});
const EventsQuery = Type.Object({
  cameraId: Type.Optional(Type.String({ maxLength: 64 })),
  plate: Type.Optional(Type.String({ maxLength: 32 })),
  eventType: Type.Optional(Type.String({ maxLength: 64, description: 'canonical, a synonym or an English code (muck_spill)' })),
  alertId: Type.Optional(Type.String({ maxLength: 64 })),
  from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO-8601 with a zone: at ≥ from' })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO-8601 with a zone: at < to' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'the `next` of the previous page' })),
});

function importFailed(errors: readonly MuckImportError[]): CityLoopError {
  const shown = errors.slice(0, 5).map((e) => (e.path ? `${e.path}: ${e.reason}` : e.reason));
  const more = errors.length > 5 ? `; … and ${errors.length - 5} more` : '';
  return new CityLoopError('VALIDATION_FAILED', { detail: `${errors.length} problem(s), nothing imported: ${shown.join('; ')}${more}` }, { errors: errors.map((e) => ({ path: e.path, index: e.index, message: e.reason })) });
}

export function registerMuckRoutes(app: FastifyInstance, platform: MuckRoutesPlatform): void {
  const bearer = [{ bearer: [] }];
  const tags = ['muck'];
  const readerUnitKinds: ReadonlySet<string> = new Set(platform.pack?.muckReaderUnitKinds ?? []);
  const reader = (req: FastifyRequest): Principal => {
    const p = requirePrincipal(req);
    if (!canReadMuck(p, platform.org, readerUnitKinds)) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'read the muck-truck chain and camera events' });
    return p;
  };
  const importer = (req: FastifyRequest): Principal => {
    const p = requirePrincipal(req);
    if (!canImportMuck(p)) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'import the muck-truck chain' });
    return p;
  };
  const districtOf = (lng: number, lat: number): string | null => platform.resolver?.().findContaining(lng, lat, 'district') ?? null;
  const runImport = async (document: unknown, dryRun: boolean): Promise<Static<typeof Counts>> => {
    const r: MuckImportResult = await platform.muck.import(document, { dryRun, districtOf });
    if (!r.ok) throw importFailed(r.errors);
    return { sites: r.sites, permits: r.permits, trucks: r.trucks, dryRun };
  };
  const section = (name: 'sites' | 'permits' | 'trucks', summary: string) => {
    app.post<{ Body: Static<typeof SectionBody>; Querystring: Static<typeof ImportQuery> }>(
      `/api/v1/muck/${name}`,
      { schema: { tags, summary, security: bearer, querystring: ImportQuery, body: SectionBody, response: withProblems({ 201: Counts, 200: Counts }) } },
      async (req, reply) => {
        importer(req);
        const items = Array.isArray(req.body) ? req.body : req.body.items;
        const dryRun = req.query.dryRun === true;
        return reply.code(dryRun ? 200 : 201).send(await runImport({ [name]: items }, dryRun));
      },
    );
  };

  app.post<{ Body: Record<string, unknown>; Querystring: Static<typeof ImportQuery> }>(
    '/api/v1/muck/import',
    {
      schema: {
        tags,
        summary: '渣土全链条 — import one document ({sites, permits, trucks} or a FeatureCollection with properties.kind); all or nothing, every error with its place; records replace those with the same id (trucks: plate)',
        security: bearer,
        querystring: ImportQuery,
        body: Loose,
        response: withProblems({ 201: Counts, 200: Counts }),
      },
    },
    async (req, reply) => {
      importer(req);
      const dryRun = req.query.dryRun === true;
      return reply.code(dryRun ? 200 : 201).send(await runImport(req.body, dryRun));
    },
  );

  section('sites', 'Add or replace excavation sites (出土工地) and disposal sites (消纳场): {id, kind, name, geometry (Point or Polygon, GCJ-02), districtCode?}');
  section('permits', 'Add or replace transport permits (处置核准): {id, number, company, excavationSiteId, disposalSiteId, route (LineString, GCJ-02), validFrom, validTo, status?}');
  section('trucks', 'Add or replace trucks: {plate, company, permitId?}');

  app.get<{ Querystring: Static<typeof SitesQuery> }>(
    '/api/v1/muck/sites',
    { schema: { tags, summary: 'Excavation and disposal sites, by id', security: bearer, querystring: SitesQuery, response: withProblems({ 200: Items }) } },
    async (req) => {
      reader(req);
      return { items: (await listMuckSites(platform.store.db, { ...(req.query.kind ? { kind: req.query.kind } : {}), ...(req.query.districtCode ? { districtCode: req.query.districtCode } : {}) })) as unknown as Record<string, unknown>[] };
    },
  );

  app.get<{ Querystring: Static<typeof PermitsQuery> }>(
    '/api/v1/muck/permits',
    { schema: { tags, summary: 'Transport permits with their approved routes, by id; validNow says whether each is in force', security: bearer, querystring: PermitsQuery, response: withProblems({ 200: Items }) } },
    async (req) => {
      reader(req);
      const now = platform.clock.now().toISOString();
      const q = req.query;
      const permits = await listMuckPermits(platform.store.db, { ...(q.status ? { status: q.status } : {}), ...(q.company ? { company: q.company } : {}), ...(q.siteId ? { siteId: q.siteId } : {}) });
      return { items: permits.map((p) => ({ ...p, validNow: permitValidAt(p, now) })) };
    },
  );

  app.get<{ Querystring: Static<typeof TrucksQuery> }>(
    '/api/v1/muck/trucks',
    { schema: { tags, summary: 'Registered muck trucks, by plate', security: bearer, querystring: TrucksQuery, response: withProblems({ 200: Items }) } },
    async (req) => {
      reader(req);
      const q = req.query;
      const permitId = q.unpermitted ? null : q.permitId;
      return { items: (await listMuckTrucks(platform.store.db, { ...(permitId !== undefined ? { permitId } : {}), ...(q.company ? { company: q.company } : {}) })) as unknown as Record<string, unknown>[] };
    },
  );

  app.get<{ Params: Static<typeof PlateParams> }>(
    '/api/v1/muck/trucks/:plate',
    {
      schema: {
        tags,
        summary: 'One truck with its permit (and approved route) and the two sites — what enforcement needs at the roadside',
        security: bearer,
        params: PlateParams,
        response: withProblems({ 200: Type.Object({ truck: Loose, permit: Type.Union([Loose, Type.Null()]), excavationSite: Type.Union([Loose, Type.Null()]), disposalSite: Type.Union([Loose, Type.Null()]) }) }),
      },
    },
    async (req) => {
      reader(req);
      const plate = normalizePlate(req.params.plate);
      if (!plate) throw new CityLoopError('VALIDATION_FAILED', { detail: `not a Chinese civil plate: ${req.params.plate}` });
      const db = platform.store.db;
      const truck = await getMuckTruck(db, plate);
      if (!truck) throw new CityLoopError('NOT_FOUND', { what: 'truck', id: plate });
      const permit = truck.permitId !== null ? await getMuckPermit(db, truck.permitId) : undefined;
      const [excavationSite, disposalSite] = permit ? await Promise.all([getMuckSite(db, permit.excavationSiteId), getMuckSite(db, permit.disposalSiteId)]) : [undefined, undefined];
      const now = platform.clock.now().toISOString();
      return {
        truck: truck as unknown as Record<string, unknown>,
        permit: permit ? { ...permit, validNow: permitValidAt(permit, now) } : null,
        excavationSite: (excavationSite ?? null) as Record<string, unknown> | null,
        disposalSite: (disposalSite ?? null) as Record<string, unknown> | null,
      };
    },
  );

  app.get<{ Querystring: Static<typeof EventsQuery> }>(
    '/api/v1/camera-events',
    {
      schema: {
        tags,
        summary: '视频AI事件 — camera events as recorded, with their enrichment (truck, permit, sites, distance to the approved route, flags) and alert; newest first, by cursor',
        security: bearer,
        querystring: EventsQuery,
        response: withProblems({ 200: Type.Object({ items: Type.Array(Loose), next: Type.Union([Type.String(), Type.Null()]) }) }),
      },
    },
    async (req) => {
      const p = reader(req);
      // Staff of a district or street center, and district units, see the events of cameras in
      // their own area; the city and administrators see all.
      const everywhere = hasRole(p, 'admin') || p.tier === 'city' || !p.jurisdictionCode || !platform.sensing;
      const visible = (cameraId: string): boolean => {
        if (everywhere) return true;
        const r = platform.resolver?.();
        for (let c = platform.sensing?.devices.get(cameraId)?.jurisdictionCode ?? null; c && r?.get; c = r.get(c)?.parentCode ?? null) if (c === p.jurisdictionCode) return true;
        return false;
      };
      const q = req.query;
      const time = (name: 'from' | 'to'): string | undefined => {
        const v = q[name];
        if (v === undefined) return undefined;
        const t = parseIsoTime(v);
        if (!t) throw new CityLoopError('VALIDATION_FAILED', { detail: `${name} must be an ISO-8601 time with a zone` });
        return t.toISOString();
      };
      let plate: string | undefined;
      if (q.plate !== undefined) {
        plate = normalizePlate(q.plate) ?? undefined;
        if (!plate) throw new CityLoopError('VALIDATION_FAILED', { detail: `not a Chinese civil plate: ${q.plate}` });
      }
      const from = time('from'), to = time('to');
      try {
        const page = await listCameraEvents(platform.store.db, {
          ...(q.cameraId ? { cameraId: q.cameraId } : {}),
          ...(plate ? { plate } : {}),
          ...(q.eventType ? { eventType: canonicalEventType(q.eventType).type } : {}),
          ...(q.alertId ? { alertId: q.alertId } : {}),
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
          ...(q.limit ? { limit: q.limit } : {}),
          ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
        });
        // A page may hold fewer items than asked once filtered; `next` still pages on.
        return { items: page.items.filter((e) => visible(e.cameraId)) as unknown as Record<string, unknown>[], next: page.next };
      } catch (e) {
        if (e instanceof RangeError) throw new CityLoopError('VALIDATION_FAILED', { detail: e.message });
        throw e;
      }
    },
  );
}
