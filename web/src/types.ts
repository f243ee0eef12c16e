import type { paths } from './api-types.ts';

/**
 * The API's types as the web app reads them. Where the server's OpenAPI document describes an answer,
 * the type here is an alias of the one generated from it (api-types.ts, `npm run api-types`), so a
 * changed route breaks `tsc -p web` instead of the page. Hand-written, each saying why: the closed
 * sets the UI switches on where the schema only says `string` (roles, tiers, priorities, task roles),
 * fields an open schema (`additionalProperties`) leaves undescribed, the alerts, devices and vital
 * signs (their schemas are open objects), and the live feed (server-sent events, not in OpenAPI).
 */

type Method = 'get' | 'post' | 'put' | 'delete';

/** The JSON body of a route's answer, as generated (status 200 unless another is named). */
export type ApiAnswer<P extends keyof paths, M extends Method & keyof paths[P], S extends number = 200> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer J } } };
}
  ? J
  : never;

/** A generated type without the index signature an open schema (`additionalProperties`) adds. */
type Described<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

/**
 * A generated type with some of its fields narrowed by hand (N: fields the schema describes, where it
 * says only `string` or an open object and the UI needs the closed set or the shape) and fields the
 * schema leaves undescribed added (X). Both are checked against the schema: a narrowed field the
 * schema no longer has, or an added one it now describes, turns the type into a `SchemaDrift` and
 * every use of it fails to compile, so the hand-written part cannot drift silently either.
 */
export type Refined<T, N extends { readonly [K in keyof Described<T>]?: unknown }, X = {}> = [Exclude<keyof N, keyof Described<T>>] extends [never]
  ? [Extract<keyof X, keyof Described<T>>] extends [never]
    ? Omit<Described<T>, keyof N> & N & X
    : SchemaDrift<'added by hand but now described by the schema: take it from there', Extract<keyof X, keyof Described<T>>>
  : SchemaDrift<'narrowed by hand but no longer in the schema', Exclude<keyof N, keyof Described<T>>>;

/** What a `Refined` type becomes when the schema changed under its hand-written part. */
export interface SchemaDrift<Why extends string, Fields> {
  readonly schemaDrift: Why;
  readonly fields: Fields;
}

/** The server's roles (the schema says `string`; the UI decides what to show by them). */
export type Role = 'admin' | 'supervisor' | 'operator' | 'unit_staff' | 'grid_worker' | 'citizen' | 'system';

export type Tier = 'city' | 'district' | 'street';

export type Priority = 'low' | 'normal' | 'high' | 'urgent';

/** The signed-in principal (`GET /api/v1/me`; `user` of the sign-in answer). */
export type User = Refined<ApiAnswer<'/api/v1/me', 'get'>, { readonly roles: readonly Role[]; readonly tier: Tier | null }>;

/** A person as administrators see them (`GET /api/v1/users`, the people editor). */
export type AdminUser = Refined<ApiAnswer<'/api/v1/users', 'get'>['items'][number], { readonly roles: Role[] }>;

/** `POST /api/v1/auth/sign-in`. */
export type Session = Refined<ApiAnswer<'/api/v1/auth/sign-in', 'post'>, { readonly user: User }>;

type ApiCase = ApiAnswer<'/api/v1/cases/{id}', 'get'>;

/** A task of a case: the schema describes its core and leaves the rest open (`additionalProperties`). */
export type Task = Refined<
  ApiCase['tasks'][number],
  {
    readonly role: 'lead' | 'assist';
  },
  {
    readonly acceptedAt: string | null;
    readonly startedAt: string | null;
    readonly doneAt: string | null;
    readonly note: string | null;
    readonly returnReason: string | null;
    readonly evidence?: { attachmentIds: string[]; reading: { name: string; value: number; unit: string } | null } | null;
    readonly plan?: { key: string; instructions: string; arriveBy: string | null; dependsOn: string[]; handBack: string[] };
    /** 到场: recorded by `POST …/tasks/{taskId}/arrive` (position GCJ-02). */
    readonly arrival?: TaskArrival | null;
    /** The plan's arrival deadline passed before the crew arrived. */
    readonly arrivalOverdue?: boolean;
  }
>;

/** A crew's arrival on site, as a task carries it. */
export interface TaskArrival {
  readonly at: string;
  readonly lng: number;
  readonly lat: number;
  readonly accuracyM: number | null;
  readonly distanceM: number;
  readonly arriveBy: string | null;
  readonly late: boolean;
}

/** 现场: where a case is, for the crew going there (`GET /api/v1/cases/{id}/site`). */
export type CaseSite = ApiAnswer<'/api/v1/cases/{id}/site', 'get'>;

/** An attachment as the case gives it (not described by the Case schema). */
export interface Attachment {
  readonly id: string;
  readonly sha256: string;
  readonly fileName: string;
  readonly mediaType: string;
  readonly size: number;
}

/**
 * A case as a viewer sees it (`GET /api/v1/cases/{id}`). The Case schema is open: attachments, the
 * plan, the automatic steps, the evaluation and the summary are not described there, so they are here.
 */
export type CaseView = Refined<
  ApiCase,
  {
    readonly priority: Priority;
    readonly tasks: Task[];
  },
  {
    readonly attachments: Attachment[];
    readonly plan?: { id: string; version: number; name: string; tier: string; appliedAt: string } | null;
    readonly automaticSteps?: { key: string; kind: string; target: string; phase: string; outcome: string; command: string | null; at: string; needsAttention: boolean }[];
    readonly evaluation?: { satisfaction: string; comment: string | null; at: string } | null;
    readonly summary: string | null;
  }
>;

/** One event of a case's timeline (`GET /api/v1/cases/{id}/events`). */
export type CaseEvent = Refined<ApiAnswer<'/api/v1/cases/{id}/events', 'get'>['items'][number], { readonly payload: Record<string, unknown> }>;

/** A plan's dry run (`POST /api/v1/plans/{id}/simulate`); its tasks and actions are open objects in the schema. */
export type PlanRun = Refined<
  ApiAnswer<'/api/v1/plans/{id}/simulate', 'post'>,
  {
    readonly facts: Record<string, unknown>;
    readonly tasks: { key: string; role: string; unitId: string; unitName: string; instructions: string; deadlineMs: number | null; arriveWithinMs: number | null }[];
    readonly actions: { type: string; key: string; [k: string]: unknown }[];
    readonly escalation: Record<string, unknown>[];
  }
>;

/** A category of the list (`GET /api/v1/categories`). */
export type Category = ApiAnswer<'/api/v1/categories', 'get'>['items'][number];

// Hand-written below: the alert, device and vital-sign answers are open objects in the schema
// (`additionalProperties`, no properties), and the live feed is not in the OpenAPI document.

export type Severity = 'blue' | 'yellow' | 'orange' | 'red';

export type AlertStatus = 'raised' | 'acknowledged' | 'verified' | 'dismissed' | 'cleared';

/** A device reading as the sensing API gives it (oldest first in a series). */
export interface Reading {
  readonly ts: string;
  readonly values: Record<string, number>;
}

/** What an alert carries to judge it: readings (detail answer only), a camera's snapshot, a CAP area. */
export interface AlertEvidence {
  readonly readings?: Reading[];
  readonly snapshotSha256?: string | null;
  readonly snapshot?: { sha256: string };
  /** CAP warnings: the area (GCJ-02 polygons) and the message's fields. */
  readonly area?: GeoJSON.Polygon | GeoJSON.MultiPolygon | null;
  readonly cap?: { event?: string; areaDesc?: string; senderName?: string | null; instruction?: string | null; urgency?: string; certainty?: string; expires?: string | null; signature?: 'unsigned' | 'signed-unverified' | 'verified'; [k: string]: unknown };
  /** Camera events: the muck-truck chain. */
  readonly cameraId?: string;
  readonly eventType?: string;
  readonly plate?: string | null;
  readonly confidence?: number;
  readonly flags?: string[];
  readonly [k: string]: unknown;
}

/** An alert as `GET /api/v1/alerts` and the live feed give it (src/sensing/alerts/alert-model.ts). */
export interface AlertView {
  readonly id: string;
  readonly number: string;
  readonly dedupKey?: string;
  readonly source: 'rule' | 'camera' | 'cap' | 'indicator';
  readonly status: AlertStatus;
  readonly severity: Severity;
  readonly title: string;
  readonly description?: string | null;
  readonly ruleId: string | null;
  readonly trusted?: boolean;
  /** The case category a verification opens; null when the verifier must choose one. */
  readonly categoryCode?: string | null;
  readonly deviceId: string | null;
  readonly assetId: string | null;
  readonly location: { lon: number; lat: number } | null;
  readonly chain?: { code: string; name: string; level: string }[];
  readonly districtCode: string | null;
  readonly jurisdictionCode: string | null;
  readonly ownerCenterId: string | null;
  readonly ownerUnitId?: string | null;
  readonly watchers?: string[];
  readonly caseId: string | null;
  readonly firstAt: string;
  readonly lastAt: string;
  readonly count: number;
  readonly peak: { metric: string; value: number } | null;
  readonly readings: Record<string, number>;
  readonly evidence?: AlertEvidence;
  readonly acknowledged?: { by: string; at: string; note: string | null } | null;
  readonly verified?: { by: string; at: string; note: string | null } | null;
  readonly dismissed?: { by: string; at: string; reason: string } | null;
  readonly clearedAt?: string | null;
  readonly version?: number;
}

/** `POST /api/v1/alerts/{id}/verify`: the alert and a summary of the case that opened. */
export interface VerifyAnswer {
  readonly alert: AlertView;
  readonly case: { id: string; number: string; state: string; title: string; planId: string | null; tasks: number };
}

export interface AlertEventView {
  readonly seq: number;
  readonly type: string;
  readonly actor: { id: string; name: string };
  readonly at: string;
  readonly payload: Record<string, unknown>;
}

export interface DeviceView {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly location: { lon: number; lat: number };
  readonly assetId: string | null;
  readonly unitId: string | null;
  readonly status: string;
  readonly lastSeenAt: string | null;
  readonly alerting: boolean;
}

export type IndicatorLevel = 'normal' | Severity;

/** One vital sign (`GET /api/v1/indicators`, src/sensing/indicators/vital-signs.ts). */
export interface Indicator {
  readonly key: string;
  readonly category: string;
  readonly categoryName: { zh: string; en: string };
  readonly name: { zh: string; en: string };
  readonly value: number | null;
  readonly unit: string;
  readonly level: IndicatorLevel;
  readonly thresholds: Partial<Record<Severity, number>>;
  readonly basis: { total: number; matching: number };
}

export interface Indicators {
  readonly jurisdiction: { code: string; name: string };
  readonly computedAt: string;
  readonly items: Indicator[];
}

/**
 * The cockpit's focus (`GET /api/v1/map/focus`). The schema gives the bounding boxes as number arrays
 * of four and the geometry as an open object: the UI reads them as a tuple and as GeoJSON.
 */
export type MapFocus = Refined<
  ApiAnswer<'/api/v1/map/focus', 'get'>,
  {
    readonly bbox: [number, number, number, number] | null;
    readonly geometry: GeoJSON.Geometry | null;
    /** The base map's vector tiles (boundaries and labels), version included. */
    readonly boundaries?: Refined<ApiAnswer<'/api/v1/map/focus', 'get'>['boundaries'], { readonly bounds?: [number, number, number, number] | null }>;
    readonly capabilities?: ApiAnswer<'/api/v1/map/focus', 'get'>['capabilities'];
  }
>;

/** The case layer of the cockpit's map (`GET /api/v1/map/cases/summary`). */
export type CaseLayer = ApiAnswer<'/api/v1/map/cases/summary', 'get'>;

/** What a live-feed message carries besides the event: the case as it is after it. */
export interface FeedCase {
  readonly id: string;
  readonly number: string;
  readonly state: string;
  readonly title: string;
  readonly priority: string;
  readonly categoryCode: string;
  readonly location: { lng: number; lat: number; address: string };
  readonly centerId: string;
}

export interface FeedMessage {
  readonly id: number;
  readonly type: string;
  readonly data: { type?: string; payload?: Record<string, unknown>; case?: FeedCase; alert?: AlertView; at?: string; actor?: { name: string }; [k: string]: unknown };
}
