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

export interface AlertView {
  readonly id: string;
  readonly number: string;
  readonly source: 'rule' | 'camera' | 'cap' | 'indicator';
  readonly status: 'raised' | 'acknowledged' | 'verified' | 'dismissed' | 'cleared';
  readonly severity: Severity;
  readonly title: string;
  readonly ruleId: string | null;
  readonly deviceId: string | null;
  readonly assetId: string | null;
  readonly location: { lon: number; lat: number } | null;
  readonly districtCode: string | null;
  readonly jurisdictionCode: string | null;
  readonly ownerCenterId: string | null;
  readonly caseId: string | null;
  readonly firstAt: string;
  readonly lastAt: string;
  readonly count: number;
  readonly peak: { metric: string; value: number } | null;
  readonly readings: Record<string, number>;
  readonly evidence?: { readings: { ts: string; values: Record<string, number> }[]; snapshot?: { sha256: string; url: string } };
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

export interface Indicator {
  readonly key: string;
  readonly category: string;
  readonly name: { zh: string; en: string };
  readonly value: number | null;
  readonly unit: string;
  readonly level: 'normal' | Severity;
  readonly thresholds: unknown;
}

export interface MapFocus {
  readonly code: string | null;
  readonly name: string | null;
  readonly level: string | null;
  readonly chain: { code: string; name: string; level: string }[];
  readonly bbox: [number, number, number, number] | null;
  readonly geometry: GeoJSON.Geometry | null;
  readonly capabilities?: { alerts: boolean; devices: boolean; indicators: boolean };
}

export interface MapPoints {
  readonly count: number;
  readonly truncated: boolean;
  readonly states: string[];
  readonly priorities: string[];
  readonly id: string[];
  readonly lng: number[];
  readonly lat: number[];
  readonly state: number[];
  readonly priority: number[];
  readonly overdue: number[];
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
