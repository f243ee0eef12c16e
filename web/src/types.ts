export type Role = 'admin' | 'supervisor' | 'operator' | 'unit_staff' | 'grid_worker' | 'citizen' | 'system';

export interface User {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly roles: readonly Role[];
  readonly centerId: string | null;
  readonly tier: 'city' | 'district' | 'street' | null;
  readonly unitId: string | null;
  readonly jurisdictionCode: string | null;
}

export interface Session {
  readonly token: string;
  readonly expiresAt: string;
  readonly user: User;
}

export interface Task {
  readonly id: string;
  readonly unitId: string;
  readonly unitName: string;
  readonly role: 'lead' | 'assist';
  readonly round: number;
  readonly state: string;
  readonly stateName: string;
  readonly dispatchedAt: string;
  readonly respondDue: string;
  readonly deadline: string;
  readonly acceptedAt: string | null;
  readonly startedAt: string | null;
  readonly doneAt: string | null;
  readonly note: string | null;
  readonly returnReason: string | null;
  readonly overdue: boolean;
  readonly reminders: number;
  readonly evidence?: { attachmentIds: string[]; reading: { name: string; value: number; unit: string } | null } | null;
  readonly plan?: { key: string; instructions: string; arriveBy: string | null; dependsOn: string[]; handBack: string[] };
}

export interface Attachment {
  readonly id: string;
  readonly sha256: string;
  readonly fileName: string;
  readonly mediaType: string;
  readonly size: number;
}

export interface CaseView {
  readonly id: string;
  readonly number: string;
  readonly state: string;
  readonly stateName: string;
  readonly source: string;
  readonly categoryCode: string;
  readonly priority: 'low' | 'normal' | 'high' | 'urgent';
  readonly title: string;
  readonly description: string;
  readonly location: { lng: number; lat: number; address: string };
  readonly chain: { code: string; name: string; level: string }[];
  readonly centerId: string;
  readonly tier: string;
  readonly reporter: { userId: string | null; name: string | null; phone: string | null; anonymous: boolean };
  readonly tasks: Task[];
  readonly round: number;
  readonly respondDue: string | null;
  readonly resolveDue: string | null;
  readonly overdue: boolean;
  readonly actions: string[];
  readonly attachments: Attachment[];
  readonly plan?: { id: string; version: number; name: string; tier: string; appliedAt: string } | null;
  readonly automaticSteps?: { key: string; kind: string; target: string; phase: string; outcome: string; command: string | null; at: string; needsAttention: boolean }[];
  readonly evaluation?: { satisfaction: string; comment: string | null; at: string } | null;
  readonly summary: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

export interface CaseEvent {
  readonly seq: number;
  readonly id: string;
  readonly type: string;
  readonly streamVersion: number;
  readonly actor: { id: string; name: string; roles: string[] };
  readonly at: string;
  readonly payload: Record<string, unknown>;
}

export interface PlanRun {
  readonly planId: string;
  readonly version: number;
  readonly name: string;
  readonly matched: boolean;
  readonly tier: string;
  readonly facts: Record<string, unknown>;
  readonly tasks: { key: string; role: string; unitId: string; unitName: string; instructions: string; deadlineMs: number | null; arriveWithinMs: number | null }[];
  readonly actions: { type: string; key: string; [k: string]: unknown }[];
  readonly escalation: Record<string, unknown>[];
  readonly problems: { path: string; message: string }[];
}

export interface Category {
  readonly code: string;
  readonly parentCode: string | null;
  readonly nameZh: string;
  readonly nameEn: string;
  readonly defaultPriority: string;
}

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

export interface MapFocus {
  readonly code: string | null;
  readonly name: string | null;
  readonly level: string | null;
  readonly chain: { code: string; name: string; level: string }[];
  readonly bbox: [number, number, number, number] | null;
  readonly geometry: GeoJSON.Geometry | null;
  /** The base map's vector tiles (boundaries and labels), version included. */
  readonly boundaries?: { readonly tiles: string; readonly labels: string; readonly maxzoom: number; readonly bounds?: [number, number, number, number] | null };
  readonly capabilities?: { alerts: boolean; devices: boolean; indicators: boolean };
}

/** The case layer of the cockpit's map (`GET /api/v1/map/cases/summary`). */
export interface CaseLayer {
  readonly version: number;
  readonly count: number;
  readonly truncated: boolean;
  readonly builtAt: string;
  /** Tile URL template with {z}/{x}/{y}, the version included. */
  readonly tiles: string;
  readonly maxzoom: number;
}

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
