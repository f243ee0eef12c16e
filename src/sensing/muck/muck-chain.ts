/**
 * The muck-truck chain (渣土全链条: 审、挖、运、处、评 — approve, excavate, transport, dispose,
 * evaluate) as far as a roadside camera needs it: the excavation and disposal sites, the
 * transport permits (处置核准) with their approved routes and validity, and the trucks under each
 * permit. A camera event with a plate is enriched with the truck's permit, sites and the distance
 * from the camera to the approved route; an off-route or unpermitted truck is flagged, and a
 * spill becomes a suggested alert. Pure: no I/O; coordinates are GCJ-02.
 */
import Flatbush from 'flatbush';
import { boundaryDistanceMeters, distanceToGeometryMeters, METERS_PER_DEGREE, type Position } from '../../geo/geometry.ts';
import { haversineMeters } from '../../geo/crs.ts';
import { SEVERITIES, severityRank, type Severity } from '../sensing-model.ts';
import type { CameraEvent } from './camera-event.ts';
import { cameraEventTypeSpec, type CameraEventCategories } from './camera-event-types.ts';
import { formatPlate } from './vehicle-plate.ts';

export const MUCK_SITE_KINDS = ['excavation', 'disposal'] as const;
export type MuckSiteKind = (typeof MUCK_SITE_KINDS)[number];
export const MUCK_SITE_KIND_NAMES: Record<MuckSiteKind, { zh: string; en: string }> = {
  excavation: { zh: '出土工地', en: 'excavation site' },
  disposal: { zh: '消纳场', en: 'disposal site' },
};

export const PERMIT_STATUSES = ['active', 'suspended', 'revoked'] as const;
export type PermitStatus = (typeof PERMIT_STATUSES)[number];

export type SiteGeometry = { type: 'Point'; coordinates: Position } | { type: 'Polygon'; coordinates: Position[][] };
export type RouteGeometry = { type: 'LineString'; coordinates: Position[] };

export interface MuckSite {
  readonly id: string;
  readonly kind: MuckSiteKind;
  readonly name: string;
  /** GCJ-02. */
  readonly geometry: SiteGeometry;
  readonly districtCode: string | null;
  readonly properties: Readonly<Record<string, unknown>>;
}

/** 建筑垃圾（渣土）处置核准: who may carry muck from which site to which, by which route, when. */
export interface MuckPermit {
  readonly id: string;
  /** The permit's official number (unique). */
  readonly number: string;
  readonly company: string;
  readonly excavationSiteId: string;
  readonly disposalSiteId: string;
  /** The approved route, GCJ-02. */
  readonly route: RouteGeometry;
  /** ISO-8601 UTC; valid from this instant (inclusive) … */
  readonly validFrom: string;
  /** … until this instant (exclusive). */
  readonly validTo: string;
  readonly status: PermitStatus;
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface MuckTruck {
  /** Canonical plate (渝A12345). */
  readonly plate: string;
  /** Null: registered (e.g. by its company) but under no permit. */
  readonly permitId: string | null;
  readonly company: string;
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface MuckChain {
  readonly sites: readonly MuckSite[];
  readonly permits: readonly MuckPermit[];
  readonly trucks: readonly MuckTruck[];
}

export interface RouteHit {
  readonly permit: MuckPermit;
  readonly distanceMeters: number;
}

/** What enrichment asks of the registry (an in-memory `MuckChainIndex` in production). */
export interface MuckChainLookup {
  truck(plate: string): MuckTruck | undefined;
  permit(id: string): MuckPermit | undefined;
  site(id: string): MuckSite | undefined;
  /** Metres from a GCJ-02 point to the permit's approved route; undefined for an unknown permit. */
  distanceToRouteMeters(permitId: string, lng: number, lat: number): number | undefined;
  /** Permits whose approved route passes within `meters` of the point, nearest first. */
  routesNear(lng: number, lat: number, meters: number): RouteHit[];
}

/**
 * Distance in metres from a point to a polyline. `boundaryDistanceMeters` measures to the edges
 * between consecutive positions of each ring and never closes a ring itself, so a route given as
 * one open "ring" is measured as the line it is (same planar cos-latitude approximation as every
 * distance on the map).
 */
export function distanceToLineMeters(line: readonly Position[], lng: number, lat: number): number {
  if (line.length === 1) return haversineMeters(line[0]!, [lng, lat]);
  return boundaryDistanceMeters({ type: 'Polygon', coordinates: [line as Position[]] }, lng, lat);
}

/** Metres from a point to a site: to the point, or 0 inside a polygon site, else to its edge. */
export function distanceToSiteMeters(site: MuckSite, lng: number, lat: number): number {
  const g = site.geometry;
  return g.type === 'Point' ? haversineMeters(g.coordinates, [lng, lat]) : distanceToGeometryMeters(g, lng, lat);
}

/**
 * The chain in memory: trucks by plate, permits and sites by id, and every route segment in a
 * packed R-tree (flatbush), so "which approved routes pass this camera" is a box query rather than
 * a scan of every route. Built once after each import.
 */
export class MuckChainIndex implements MuckChainLookup {
  readonly #trucks: ReadonlyMap<string, MuckTruck>;
  readonly #permits: ReadonlyMap<string, MuckPermit>;
  readonly #sites: ReadonlyMap<string, MuckSite>;
  readonly #permitList: readonly MuckPermit[];
  /** Per route segment: the index of its permit in #permitList. */
  readonly #segmentOwner: Int32Array;
  readonly #tree: Flatbush | null;

  private constructor(chain: MuckChain) {
    this.#trucks = new Map(chain.trucks.map((t) => [t.plate, t]));
    this.#permits = new Map(chain.permits.map((p) => [p.id, p]));
    this.#sites = new Map(chain.sites.map((s) => [s.id, s]));
    this.#permitList = [...chain.permits];
    let n = 0;
    for (const p of this.#permitList) n += Math.max(0, p.route.coordinates.length - 1);
    this.#segmentOwner = new Int32Array(n);
    if (n === 0) {
      this.#tree = null;
      return;
    }
    const tree = new Flatbush(n);
    let k = 0;
    this.#permitList.forEach((p, i) => {
      const c = p.route.coordinates;
      for (let s = 1; s < c.length; s++) {
        const a = c[s - 1]!, b = c[s]!;
        tree.add(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1]));
        this.#segmentOwner[k++] = i;
      }
    });
    tree.finish();
    this.#tree = tree;
  }

  static build(chain: MuckChain): MuckChainIndex {
    return new MuckChainIndex(chain);
  }

  get size(): { sites: number; permits: number; trucks: number } {
    return { sites: this.#sites.size, permits: this.#permits.size, trucks: this.#trucks.size };
  }

  truck(plate: string): MuckTruck | undefined {
    return this.#trucks.get(plate);
  }

  permit(id: string): MuckPermit | undefined {
    return this.#permits.get(id);
  }

  site(id: string): MuckSite | undefined {
    return this.#sites.get(id);
  }

  distanceToRouteMeters(permitId: string, lng: number, lat: number): number | undefined {
    const p = this.#permits.get(permitId);
    return p ? distanceToLineMeters(p.route.coordinates, lng, lat) : undefined;
  }

  routesNear(lng: number, lat: number, meters: number): RouteHit[] {
    if (!this.#tree || !(meters >= 0)) return [];
    const hy = meters / METERS_PER_DEGREE;
    const hx = meters / (METERS_PER_DEGREE * Math.cos((lat * Math.PI) / 180));
    const owners = new Set<number>();
    for (const id of this.#tree.search(lng - hx, lat - hy, lng + hx, lat + hy)) owners.add(this.#segmentOwner[id]!);
    const hits: { i: number; d: number }[] = [];
    for (const i of owners) {
      const d = distanceToLineMeters(this.#permitList[i]!.route.coordinates, lng, lat);
      if (d <= meters) hits.push({ i, d });
    }
    hits.sort((a, b) => a.d - b.d || a.i - b.i);
    return hits.map((h) => ({ permit: this.#permitList[h.i]!, distanceMeters: h.d }));
  }
}

// ── Enrichment ──────────────────────────────────────────────────────────────

export const ENRICHMENT_FLAGS = [
  /** Confidence below the threshold. */
  'low_confidence',
  /** A muck event with no plate read at all. */
  'no_plate',
  /** A muck event whose plate text did not read as a Chinese plate. */
  'plate_unreadable',
  /** A plate the chain does not know: an unregistered (black) muck truck, or a misread. */
  'unknown_plate',
  /** A registered truck under no permit (or under a permit the registry does not hold). */
  'no_permit',
  'permit_not_yet_valid',
  'permit_expired',
  'permit_suspended',
  'permit_revoked',
  /** The camera is farther than `offRouteMeters` from the truck's approved route. */
  'off_route',
] as const;
export type EnrichmentFlag = (typeof ENRICHMENT_FLAGS)[number];

/** The flags that mean "not carrying under a valid permit". */
export const PERMIT_PROBLEM_FLAGS: ReadonlySet<EnrichmentFlag> = new Set([
  'unknown_plate',
  'no_permit',
  'permit_not_yet_valid',
  'permit_expired',
  'permit_suspended',
  'permit_revoked',
]);

export const FLAG_NAMES: Record<EnrichmentFlag, { zh: string; en: string }> = {
  low_confidence: { zh: '置信度低', en: 'low confidence' },
  no_plate: { zh: '未识别车牌', en: 'no plate read' },
  plate_unreadable: { zh: '车牌无法识别', en: 'plate unreadable' },
  unknown_plate: { zh: '未备案车辆', en: 'unregistered truck' },
  no_permit: { zh: '无处置核准', en: 'no permit' },
  permit_not_yet_valid: { zh: '核准未生效', en: 'permit not yet valid' },
  permit_expired: { zh: '核准已过期', en: 'permit expired' },
  permit_suspended: { zh: '核准已暂停', en: 'permit suspended' },
  permit_revoked: { zh: '核准已撤销', en: 'permit revoked' },
  off_route: { zh: '偏离核准路线', en: 'off the approved route' },
};

export const DEFAULT_OFF_ROUTE_METERS = 200;
/** Below this a camera event is flagged low_confidence and suggests no alert. */
export const DEFAULT_MIN_CONFIDENCE = 0.7;

export interface EnrichOptions {
  /** A camera farther than this from the approved route means off route. Default 200 m. */
  readonly offRouteMeters?: number;
  /** Default 0.7. */
  readonly minConfidence?: number;
  /** How many nearby approved routes to list for a muck event without a known truck. Default 5. */
  readonly maxRoutesAtCamera?: number;
}

export interface SiteRef {
  readonly id: string;
  readonly name: string;
  readonly kind: MuckSiteKind;
  readonly districtCode: string | null;
}

export interface PermitRef {
  readonly id: string;
  readonly number: string;
  readonly company: string;
  readonly status: PermitStatus;
  readonly validFrom: string;
  readonly validTo: string;
  /** Active and within its validity at the time of the event. */
  readonly validAtEvent: boolean;
}

/** An approved route passing the camera, listed when the truck is unknown (to trace the source). */
export interface RouteAtCamera {
  readonly permitNumber: string;
  readonly company: string;
  readonly excavationSite: string | null;
  readonly distanceMeters: number;
}

/** What the chain says about one camera event. JSON; stored with the event. */
export interface Enrichment {
  /** The camera's GCJ-02 position the distances were measured from. */
  readonly camera: { readonly lng: number; readonly lat: number };
  readonly muck: boolean;
  readonly truck?: { readonly plate: string; readonly company: string };
  readonly permit?: PermitRef;
  readonly excavationSite?: SiteRef;
  readonly disposalSite?: SiteRef;
  /** Camera to the truck's approved route; null when no route applies. Rounded to 0.1 m. */
  readonly distanceToRouteMeters: number | null;
  readonly offRouteMeters: number;
  readonly offRoute: boolean;
  readonly flags: readonly EnrichmentFlag[];
  /** For a muck event without a known truck: approved routes (valid at the time) that pass the camera. */
  readonly routesAtCamera?: readonly RouteAtCamera[];
}

function siteRef(s: MuckSite | undefined): SiteRef | undefined {
  return s ? { id: s.id, name: s.name, kind: s.kind, districtCode: s.districtCode } : undefined;
}

/** Active and valid at the instant (ISO UTC strings compare as times). */
export function permitValidAt(p: MuckPermit, at: string): boolean {
  return p.status === 'active' && p.validFrom <= at && at < p.validTo;
}

/**
 * Looks the event's plate up in the chain and measures the camera against the truck's approved
 * route. Flags name what is wrong. Muck-chain flags are given only for muck event types (a
 * waterlogging event's plate means nothing to the chain); low_confidence for every type.
 */
export function enrichCameraEvent(event: CameraEvent, camera: { lon: number; lat: number }, chain: MuckChainLookup, opts: EnrichOptions = {}): Enrichment {
  const offRouteMeters = opts.offRouteMeters ?? DEFAULT_OFF_ROUTE_METERS;
  const minConfidence = opts.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  const { lon, lat } = camera;
  const flags: EnrichmentFlag[] = [];
  if (event.confidence < minConfidence) flags.push('low_confidence');
  const muck = cameraEventTypeSpec(event.eventType)?.muck === true;
  const base = { camera: { lng: lon, lat }, muck, offRouteMeters };
  const truck = event.plate !== null ? chain.truck(event.plate) : undefined;
  if (!muck && !truck) return { ...base, distanceToRouteMeters: null, offRoute: false, flags };

  const routesAtCamera = (): RouteAtCamera[] =>
    chain
      .routesNear(lon, lat, offRouteMeters)
      .filter((h) => permitValidAt(h.permit, event.at))
      .slice(0, opts.maxRoutesAtCamera ?? 5)
      .map((h) => ({
        permitNumber: h.permit.number,
        company: h.permit.company,
        excavationSite: chain.site(h.permit.excavationSiteId)?.name ?? null,
        distanceMeters: round1(h.distanceMeters),
      }));

  if (!truck) {
    flags.push(event.plate !== null ? 'unknown_plate' : event.plateStatus === 'unreadable' ? 'plate_unreadable' : 'no_plate');
    return { ...base, distanceToRouteMeters: null, offRoute: false, flags, routesAtCamera: routesAtCamera() };
  }

  const permit = truck.permitId !== null ? chain.permit(truck.permitId) : undefined;
  const truckRef = { plate: truck.plate, company: truck.company };
  if (!permit) {
    if (muck) flags.push('no_permit');
    return { ...base, truck: truckRef, distanceToRouteMeters: null, offRoute: false, flags };
  }
  if (muck) {
    if (permit.status === 'suspended') flags.push('permit_suspended');
    if (permit.status === 'revoked') flags.push('permit_revoked');
    if (event.at < permit.validFrom) flags.push('permit_not_yet_valid');
    if (event.at >= permit.validTo) flags.push('permit_expired');
  }
  const d = chain.distanceToRouteMeters(permit.id, lon, lat);
  const distance = d === undefined ? null : round1(d);
  const offRoute = distance !== null && distance > offRouteMeters;
  if (offRoute && muck) flags.push('off_route');
  return {
    ...base,
    truck: truckRef,
    permit: {
      id: permit.id,
      number: permit.number,
      company: permit.company,
      status: permit.status,
      validFrom: permit.validFrom,
      validTo: permit.validTo,
      validAtEvent: permitValidAt(permit, event.at),
    },
    ...(chain.site(permit.excavationSiteId) ? { excavationSite: siteRef(chain.site(permit.excavationSiteId))! } : {}),
    ...(chain.site(permit.disposalSiteId) ? { disposalSite: siteRef(chain.site(permit.disposalSiteId))! } : {}),
    distanceToRouteMeters: distance,
    offRoute,
    flags,
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

// ── Suggested alert ─────────────────────────────────────────────────────────

/**
 * Base severity per known type (蓝 < 黄 < 橙 < 红). A muck truck's spill or uncovered load raises
 * one step when it is off its route and one step when it carries without a valid permit.
 */
export const BASE_SEVERITY: Readonly<Record<string, Severity>> = {
  muck_spill: 'yellow',
  muck_uncovered: 'blue',
  muck_overload: 'blue',
  road_waterlogging: 'yellow',
  smoke_fire: 'orange',
  street_vending: 'blue',
  outside_shop: 'blue',
  exposed_garbage: 'blue',
  manhole_missing: 'orange',
  illegal_parking: 'blue',
};

export interface AlertSuggestion {
  /**
   * Groups repeated sightings: `camera:{cameraId}:{type code}:{plate or -}`. The alert service
   * keeps one active alert per key, so the window is the alert's active life: the same truck seen
   * again by the same camera while the alert is open adds to it; after it is closed, a new alert.
   */
  readonly dedupKey: string;
  readonly severity: Severity;
  /** The case category an operator would open, from the city pack (e.g. its muck-spillage category for a spill); null: none mapped. */
  readonly category: string | null;
  readonly title: { readonly zh: string; readonly en: string };
  readonly evidence: AlertEvidence;
}

export interface AlertEvidence {
  readonly cameraId: string;
  readonly eventType: string;
  readonly eventCode: string;
  readonly at: string;
  readonly confidence: number;
  readonly plate: string | null;
  readonly plateText: string | null;
  readonly snapshotSha256: string | null;
  readonly bbox: CameraEvent['bbox'];
  readonly flags: readonly EnrichmentFlag[];
  readonly truck: Enrichment['truck'] | null;
  readonly permit: PermitRef | null;
  readonly excavationSite: SiteRef | null;
  readonly disposalSite: SiteRef | null;
  readonly distanceToRouteMeters: number | null;
  readonly offRouteMeters: number;
  readonly routesAtCamera: readonly RouteAtCamera[];
}

export interface SuggestAlertOptions {
  /** Events below this confidence suggest nothing (they are still recorded). Default 0.7. */
  readonly minConfidence?: number;
  /** The city pack's type code → case category; a type it leaves out raises an alert with no category (a verifier chooses). */
  readonly categories?: CameraEventCategories | undefined;
}

function raise(s: Severity, steps: number): Severity {
  return SEVERITIES[Math.min(SEVERITIES.length - 1, severityRank(s) + steps)]!;
}

/**
 * Whether a camera event should raise an alert, and how. Null for unknown types (recorded only)
 * and for confidence below the threshold.
 */
export function suggestAlert(event: CameraEvent, enrichment: Enrichment, opts: SuggestAlertOptions = {}): AlertSuggestion | null {
  const spec = cameraEventTypeSpec(event.eventType);
  if (!spec) return null;
  if (event.confidence < (opts.minConfidence ?? DEFAULT_MIN_CONFIDENCE)) return null;
  const flags = enrichment.flags;
  const permitProblem = flags.find((f) => PERMIT_PROBLEM_FLAGS.has(f));
  const offRoute = flags.includes('off_route');
  const base = BASE_SEVERITY[spec.code] ?? 'blue';
  const severity = spec.muck ? raise(base, (permitProblem ? 1 : 0) + (offRoute ? 1 : 0)) : base;

  const zhParts: string[] = [];
  const enParts: string[] = [];
  if (offRoute && enrichment.distanceToRouteMeters !== null) {
    zhParts.push(`偏离核准路线 ${Math.round(enrichment.distanceToRouteMeters)} 米`);
    enParts.push(`${Math.round(enrichment.distanceToRouteMeters)} m off its approved route`);
  }
  if (permitProblem) {
    zhParts.push(FLAG_NAMES[permitProblem].zh);
    enParts.push(FLAG_NAMES[permitProblem].en);
  }
  if (enrichment.excavationSite) {
    zhParts.push(`来源 ${enrichment.excavationSite.name}`);
    enParts.push(`from ${enrichment.excavationSite.name}`);
  }
  const plate = event.plate !== null ? formatPlate(event.plate) : null;
  const zh = `${spec.type}${plate ? `：${plate}` : ''}${zhParts.length ? `（${zhParts.join('，')}）` : ''}`;
  const en = `${spec.en}${plate ? `: ${plate}` : ''}${enParts.length ? ` (${enParts.join('; ')})` : ''}`;

  return {
    dedupKey: `camera:${event.cameraId}:${spec.code}:${event.plate ?? '-'}`,
    severity,
    category: opts.categories?.[spec.code] ?? null,
    title: { zh, en },
    evidence: {
      cameraId: event.cameraId,
      eventType: spec.type,
      eventCode: spec.code,
      at: event.at,
      confidence: event.confidence,
      plate: event.plate,
      plateText: event.plateText,
      snapshotSha256: event.snapshot?.sha256 ?? null,
      bbox: event.bbox,
      flags,
      truck: enrichment.truck ?? null,
      permit: enrichment.permit ?? null,
      excavationSite: enrichment.excavationSite ?? null,
      disposalSite: enrichment.disposalSite ?? null,
      distanceToRouteMeters: enrichment.distanceToRouteMeters,
      offRouteMeters: enrichment.offRouteMeters,
      routesAtCamera: enrichment.routesAtCamera ?? [],
    },
  };
}
