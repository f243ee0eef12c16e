/**
 * The muck-truck chain and camera events in the store (tables of migration 0007_sensing). Plain
 * Kysely that runs on SQLite and PostgreSQL alike: upserts with ON CONFLICT, times as ISO UTC
 * text, JSON as text, orders settled in code where collations could differ.
 */
import type { StoreAdapter, Tx } from '../../store/store.ts';
import type { MuckPermitTable, MuckSiteTable, MuckTruckTable } from '../../store/schema.ts';
import { cameraEventId, type CameraEvent } from './camera-event.ts';
import { checkMuckChainReferences, parseMuckChainDocument, type MuckDocumentOptions, type MuckImportError } from './muck-import.ts';
import { MuckChainIndex, type Enrichment, type MuckChain, type MuckChainLookup, type MuckPermit, type MuckSite, type MuckSiteKind, type MuckTruck, type PermitStatus, type RouteGeometry, type SiteGeometry } from './muck-chain.ts';

/** Rows per INSERT: at most 11 parameters each, far below both dialects' limits. */
const CHUNK = 200;

const byKey = <T>(key: (t: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

// ── Rows ────────────────────────────────────────────────────────────────────

function siteRow(s: MuckSite): MuckSiteTable {
  return { id: s.id, kind: s.kind, name: s.name, geometry: JSON.stringify(s.geometry), district_code: s.districtCode, properties: JSON.stringify(s.properties) };
}

function siteOf(r: MuckSiteTable): MuckSite {
  return { id: r.id, kind: r.kind as MuckSiteKind, name: r.name, geometry: JSON.parse(r.geometry) as SiteGeometry, districtCode: r.district_code, properties: JSON.parse(r.properties) as Record<string, unknown> };
}

function permitRow(p: MuckPermit): MuckPermitTable {
  return {
    id: p.id,
    number: p.number,
    company: p.company,
    excavation_site_id: p.excavationSiteId,
    disposal_site_id: p.disposalSiteId,
    route: JSON.stringify(p.route),
    valid_from: p.validFrom,
    valid_to: p.validTo,
    status: p.status,
    properties: JSON.stringify(p.properties),
  };
}

function permitOf(r: MuckPermitTable): MuckPermit {
  return {
    id: r.id,
    number: r.number,
    company: r.company,
    excavationSiteId: r.excavation_site_id,
    disposalSiteId: r.disposal_site_id,
    route: JSON.parse(r.route) as RouteGeometry,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    status: r.status as PermitStatus,
    properties: JSON.parse(r.properties) as Record<string, unknown>,
  };
}

function truckRow(t: MuckTruck): MuckTruckTable {
  return { plate: t.plate, permit_id: t.permitId, company: t.company, properties: JSON.stringify(t.properties) };
}

function truckOf(r: MuckTruckTable): MuckTruck {
  return { plate: r.plate, permitId: r.permit_id, company: r.company, properties: JSON.parse(r.properties) as Record<string, unknown> };
}

// ── Sites, permits, trucks ──────────────────────────────────────────────────

/** Inserts or replaces sites by id. */
export async function saveMuckSites(tx: Tx, sites: readonly MuckSite[]): Promise<void> {
  for (let i = 0; i < sites.length; i += CHUNK) {
    await tx
      .insertInto('muck_sites')
      .values(sites.slice(i, i + CHUNK).map(siteRow))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          kind: eb.ref('excluded.kind'),
          name: eb.ref('excluded.name'),
          geometry: eb.ref('excluded.geometry'),
          district_code: eb.ref('excluded.district_code'),
          properties: eb.ref('excluded.properties'),
        })),
      )
      .execute();
  }
}

/** Inserts or replaces permits by id (a permit number must stay unique: the import checks it). */
export async function saveMuckPermits(tx: Tx, permits: readonly MuckPermit[]): Promise<void> {
  for (let i = 0; i < permits.length; i += CHUNK) {
    await tx
      .insertInto('muck_permits')
      .values(permits.slice(i, i + CHUNK).map(permitRow))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          number: eb.ref('excluded.number'),
          company: eb.ref('excluded.company'),
          excavation_site_id: eb.ref('excluded.excavation_site_id'),
          disposal_site_id: eb.ref('excluded.disposal_site_id'),
          route: eb.ref('excluded.route'),
          valid_from: eb.ref('excluded.valid_from'),
          valid_to: eb.ref('excluded.valid_to'),
          status: eb.ref('excluded.status'),
          properties: eb.ref('excluded.properties'),
        })),
      )
      .execute();
  }
}

/** Inserts or replaces trucks by plate (canonical, 渝A12345). */
export async function saveMuckTrucks(tx: Tx, trucks: readonly MuckTruck[]): Promise<void> {
  for (let i = 0; i < trucks.length; i += CHUNK) {
    await tx
      .insertInto('muck_trucks')
      .values(trucks.slice(i, i + CHUNK).map(truckRow))
      .onConflict((oc) =>
        oc.column('plate').doUpdateSet((eb) => ({
          permit_id: eb.ref('excluded.permit_id'),
          company: eb.ref('excluded.company'),
          properties: eb.ref('excluded.properties'),
        })),
      )
      .execute();
  }
}

/** Sites in id order. */
export async function listMuckSites(db: Tx, filter: { kind?: MuckSiteKind; districtCode?: string } = {}): Promise<MuckSite[]> {
  let q = db.selectFrom('muck_sites').selectAll();
  if (filter.kind) q = q.where('kind', '=', filter.kind);
  if (filter.districtCode) q = q.where('district_code', '=', filter.districtCode);
  return (await q.execute()).map(siteOf).sort(byKey((s) => s.id));
}

export async function getMuckSite(db: Tx, id: string): Promise<MuckSite | undefined> {
  const r = await db.selectFrom('muck_sites').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? siteOf(r) : undefined;
}

/** Permits in id order; `siteId` matches either end. */
export async function listMuckPermits(db: Tx, filter: { status?: PermitStatus; company?: string; siteId?: string } = {}): Promise<MuckPermit[]> {
  let q = db.selectFrom('muck_permits').selectAll();
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.company) q = q.where('company', '=', filter.company);
  if (filter.siteId) {
    const site = filter.siteId;
    q = q.where((eb) => eb.or([eb('excavation_site_id', '=', site), eb('disposal_site_id', '=', site)]));
  }
  return (await q.execute()).map(permitOf).sort(byKey((p) => p.id));
}

/** A permit by id, else by its number. */
export async function getMuckPermit(db: Tx, idOrNumber: string): Promise<MuckPermit | undefined> {
  const r =
    (await db.selectFrom('muck_permits').selectAll().where('id', '=', idOrNumber).executeTakeFirst()) ??
    (await db.selectFrom('muck_permits').selectAll().where('number', '=', idOrNumber).executeTakeFirst());
  return r ? permitOf(r) : undefined;
}

/** Trucks in plate order; `permitId: null` lists the trucks under no permit. */
export async function listMuckTrucks(db: Tx, filter: { permitId?: string | null; company?: string } = {}): Promise<MuckTruck[]> {
  let q = db.selectFrom('muck_trucks').selectAll();
  if (filter.permitId === null) q = q.where('permit_id', 'is', null);
  else if (filter.permitId !== undefined) q = q.where('permit_id', '=', filter.permitId);
  if (filter.company) q = q.where('company', '=', filter.company);
  return (await q.execute()).map(truckOf).sort(byKey((t) => t.plate));
}

/** A truck by canonical plate (normalise first with `normalizePlate`). */
export async function getMuckTruck(db: Tx, plate: string): Promise<MuckTruck | undefined> {
  const r = await db.selectFrom('muck_trucks').selectAll().where('plate', '=', plate).executeTakeFirst();
  return r ? truckOf(r) : undefined;
}

/** The whole chain (for the in-memory index), in id/plate order. */
export async function loadMuckChain(db: Tx): Promise<MuckChain> {
  const [sites, permits, trucks] = await Promise.all([listMuckSites(db), listMuckPermits(db), listMuckTrucks(db)]);
  return { sites, permits, trucks };
}

// ── Import ──────────────────────────────────────────────────────────────────

export type MuckImportResult =
  | { ok: true; sites: number; permits: number; trucks: number }
  | { ok: false; errors: readonly MuckImportError[] };

export interface MuckImportOptions extends MuckDocumentOptions {
  /** Check only; write nothing. */
  readonly dryRun?: boolean;
}

/**
 * Imports one document (`{ sites, permits, trucks }` or a FeatureCollection) all-or-nothing:
 * records are inserted or replaced by id (trucks by plate) in one transaction, and nothing is
 * written when any item fails — every error is returned with its place in the document. Nothing
 * is deleted: a permit that ends is given status revoked or its validTo, and camera events keep
 * pointing at it.
 */
export async function importMuckChain(store: StoreAdapter, input: unknown, opts: MuckImportOptions = {}): Promise<MuckImportResult> {
  const doc = parseMuckChainDocument(input, opts);
  if (doc.errors.length > 0) return { ok: false, errors: doc.errors };
  return store.transact(async (tx) => {
    const [sites, permits] = await Promise.all([
      tx.selectFrom('muck_sites').select(['id', 'kind']).execute(),
      tx.selectFrom('muck_permits').select(['id', 'number', 'excavation_site_id', 'disposal_site_id']).execute(),
    ]);
    const errors = checkMuckChainReferences(doc, {
      sites: new Map(sites.map((s) => [s.id, s.kind as MuckSiteKind])),
      permits: new Map(permits.map((p) => [p.id, { number: p.number, excavationSiteId: p.excavation_site_id, disposalSiteId: p.disposal_site_id }])),
    });
    if (errors.length > 0) return { ok: false, errors } as const;
    if (!opts.dryRun) {
      await saveMuckSites(tx, doc.sites);
      await saveMuckPermits(tx, doc.permits);
      await saveMuckTrucks(tx, doc.trucks);
    }
    return { ok: true, sites: doc.sites.length, permits: doc.permits.length, trucks: doc.trucks.length } as const;
  });
}

/**
 * The chain as enrichment reads it: held in memory (`MuckChainIndex`) and rebuilt after every
 * import through this registry (and on `reload`, e.g. after a demo reset). With several processes
 * on one PostgreSQL, the others see an import after their next reload.
 */
export class MuckRegistry {
  readonly #store: StoreAdapter;
  #index: MuckChainIndex = MuckChainIndex.build({ sites: [], permits: [], trucks: [] });

  constructor(store: StoreAdapter) {
    this.#store = store;
  }

  /** The chain loaded last. */
  lookup(): MuckChainIndex & MuckChainLookup {
    return this.#index;
  }

  async reload(): Promise<void> {
    this.#index = MuckChainIndex.build(await loadMuckChain(this.#store.db));
  }

  /** `importMuckChain`, then reload when something was written. */
  async import(input: unknown, opts: MuckImportOptions = {}): Promise<MuckImportResult> {
    const r = await importMuckChain(this.#store, input, opts);
    if (r.ok && !opts.dryRun) await this.reload();
    return r;
  }
}

// ── Camera events ───────────────────────────────────────────────────────────

/** What the camera sent beyond the table's columns (kept in the enrichment JSON under `observed`). */
export interface ObservedDetails {
  readonly eventTypeRaw: string;
  readonly plateText: string | null;
  readonly plateStatus: CameraEvent['plateStatus'];
  readonly bbox: CameraEvent['bbox'];
  readonly vendorEventId: string | null;
  readonly snapshotMediaType: string | null;
}

export interface StoredCameraEvent {
  readonly id: string;
  readonly cameraId: string;
  readonly eventType: string;
  readonly plate: string | null;
  readonly confidence: number;
  readonly snapshotSha256: string | null;
  readonly at: string;
  readonly receivedAt: string;
  readonly enrichment: Enrichment;
  readonly observed: ObservedDetails | null;
  readonly alertId: string | null;
}

/**
 * Stores one camera event with its enrichment and the alert it raised or joined (null: none).
 * The id is `cameraEventId(event)`: the same message delivered again is not stored twice
 * (`inserted: false`), so the caller can skip it.
 */
export async function recordCameraEvent(tx: Tx, event: CameraEvent, enrichment: Enrichment, alertId: string | null): Promise<{ id: string; inserted: boolean }> {
  const id = cameraEventId(event);
  const r = await tx
    .insertInto('camera_events')
    .values({
      id,
      camera_id: event.cameraId,
      event_type: event.eventType,
      plate: event.plate,
      confidence: event.confidence,
      snapshot_sha256: event.snapshot?.sha256 ?? null,
      at: event.at,
      received_at: event.receivedAt,
      enrichment: JSON.stringify({ ...enrichment, observed: observedOf(event) }),
      alert_id: alertId,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return { id, inserted: Number(r.numInsertedOrUpdatedRows ?? 0n) > 0 };
}

function observedOf(e: CameraEvent): ObservedDetails {
  return { eventTypeRaw: e.eventTypeRaw, plateText: e.plateText, plateStatus: e.plateStatus, bbox: e.bbox, vendorEventId: e.vendorEventId, snapshotMediaType: e.snapshot?.mediaType ?? null };
}

/** Whether an event with this id (`cameraEventId`) is stored: a redelivery check before raising an alert. */
export async function hasCameraEvent(db: Tx, id: string): Promise<boolean> {
  return (await db.selectFrom('camera_events').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

/** Links a stored event to the alert it raised, when the alert was raised after the event was stored. */
export async function setCameraEventAlert(tx: Tx, id: string, alertId: string): Promise<void> {
  await tx.updateTable('camera_events').set({ alert_id: alertId }).where('id', '=', id).execute();
}

export interface CameraEventFilter {
  readonly cameraId?: string;
  /** Canonical plate. */
  readonly plate?: string;
  readonly eventType?: string;
  readonly alertId?: string;
  /** ISO UTC: at ≥ from. */
  readonly from?: string;
  /** ISO UTC: at < to. */
  readonly to?: string;
  /** Default 100, at most 1000. */
  readonly limit?: number;
  /** The `next` of the previous page. */
  readonly cursor?: string;
}

function eventOf(r: { id: string; camera_id: string; event_type: string; plate: string | null; confidence: number; snapshot_sha256: string | null; at: string; received_at: string; enrichment: string; alert_id: string | null }): StoredCameraEvent {
  const { observed, ...enrichment } = JSON.parse(r.enrichment) as Enrichment & { observed?: ObservedDetails };
  return {
    id: r.id,
    cameraId: r.camera_id,
    eventType: r.event_type,
    plate: r.plate,
    confidence: Number(r.confidence),
    snapshotSha256: r.snapshot_sha256,
    at: r.at,
    receivedAt: r.received_at,
    enrichment,
    observed: observed ?? null,
    alertId: r.alert_id,
  };
}

/** The cursor encodes the last (at, id) of a page; ids are lowercase hex, so both orders agree on both dialects. */
function readCursor(cursor: string): { at: string; id: string } | null {
  const i = cursor.indexOf('|');
  if (i < 0) return null;
  const at = cursor.slice(0, i), id = cursor.slice(i + 1);
  return /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(at) && /^[0-9a-f]{1,64}$/.test(id) ? { at, id } : null;
}

/** Events newest first (by `at`, then id), one page at a time. */
export async function listCameraEvents(db: Tx, filter: CameraEventFilter = {}): Promise<{ items: StoredCameraEvent[]; next: string | null }> {
  const limit = Math.max(1, Math.min(1000, Math.floor(filter.limit ?? 100)));
  let q = db.selectFrom('camera_events').selectAll();
  if (filter.cameraId) q = q.where('camera_id', '=', filter.cameraId);
  if (filter.plate) q = q.where('plate', '=', filter.plate);
  if (filter.eventType) q = q.where('event_type', '=', filter.eventType);
  if (filter.alertId) q = q.where('alert_id', '=', filter.alertId);
  if (filter.from) q = q.where('at', '>=', filter.from);
  if (filter.to) q = q.where('at', '<', filter.to);
  if (filter.cursor !== undefined) {
    const c = readCursor(filter.cursor);
    if (!c) throw new RangeError('cursor is not one this list gave');
    q = q.where((eb) => eb.or([eb('at', '<', c.at), eb.and([eb('at', '=', c.at), eb('id', '<', c.id)])]));
  }
  const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  const items = rows.slice(0, limit).map(eventOf);
  const last = items[items.length - 1];
  return { items, next: rows.length > limit && last ? `${last.at}|${last.id}` : null };
}

export async function getCameraEvent(db: Tx, id: string): Promise<StoredCameraEvent | undefined> {
  const r = await db.selectFrom('camera_events').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? eventOf(r) : undefined;
}
