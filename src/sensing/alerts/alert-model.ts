/**
 * Alerts (预警): what a rule, a camera, another system (CAP) or a vital sign raises before anyone
 * has looked at it. Pure: the document, its events and how an event changes it.
 *
 *   raised ─► acknowledged ─► verified (a case opens, its plan runs) ─► cleared
 *      │            │
 *      └────────────┴──► dismissed (a false alarm, with the reason)
 *   raised / acknowledged ─► cleared (the condition ended before anyone verified it)
 *
 * "Cleared" on a verified alert means the condition ended; the case goes on by itself. One alert
 * is active per dedup key (rule + device, camera + plate, CAP message + district): a repeat
 * trigger updates the active one's count and peak.
 */
import type { Severity } from '../sensing-model.ts';
import type { ResolvedLink } from '../../geo/resolver.ts';
import type { Tier } from '../../cases/case-model.ts';

export const ALERT_STATUSES = ['raised', 'acknowledged', 'verified', 'dismissed', 'cleared'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export const ALERT_STATUS_NAMES: Record<AlertStatus, { zh: string; en: string }> = {
  raised: { zh: '待核实', en: 'raised' },
  acknowledged: { zh: '已接警', en: 'acknowledged' },
  verified: { zh: '已核实', en: 'verified' },
  dismissed: { zh: '已排除', en: 'dismissed' },
  cleared: { zh: '已解除', en: 'cleared' },
};
/** States in which the alert holds its dedup key: a new trigger updates it instead of raising another. */
export const ACTIVE_STATUSES: readonly AlertStatus[] = ['raised', 'acknowledged', 'verified'];

export const ALERT_SOURCES = ['rule', 'camera', 'cap', 'indicator'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

export interface AlertPeak {
  readonly metric: string;
  readonly value: number;
}

export interface AlertDoc {
  readonly id: string;
  readonly number: string;
  readonly dedupKey: string;
  readonly source: AlertSource;
  readonly status: AlertStatus;
  readonly severity: Severity;
  readonly title: string;
  readonly description: string | null;
  readonly ruleId: string | null;
  readonly ruleVersion: number | null;
  /** Verifies itself: the case opens and the plan runs with no human step. */
  readonly trusted: boolean;
  /** The case category a verification opens; null when the verifier must choose. */
  readonly categoryCode: string | null;
  readonly deviceId: string | null;
  readonly assetId: string | null;
  /** GCJ-02, or null for an area warning placed by its jurisdiction alone. */
  readonly location: { readonly lon: number; readonly lat: number } | null;
  readonly chain: readonly ResolvedLink[];
  readonly districtCode: string | null;
  readonly jurisdictionCode: string | null;
  readonly tier: Tier;
  readonly ownerCenterId: string | null;
  /** The unit that owns the device (it sees the alert), and units that asked to watch it. */
  readonly ownerUnitId: string | null;
  readonly watchers: readonly string[];
  readonly caseId: string | null;
  readonly firstAt: string;
  readonly lastAt: string;
  readonly count: number;
  readonly peak: AlertPeak | null;
  /** The latest values that triggered or updated it. */
  readonly readings: Readonly<Record<string, number>>;
  /** What a person needs to judge it: camera enrichment, the CAP message, an area. */
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly acknowledged: { readonly by: string; readonly at: string; readonly note: string | null } | null;
  readonly verified: { readonly by: string; readonly at: string; readonly note: string | null } | null;
  readonly dismissed: { readonly by: string; readonly at: string; readonly reason: string } | null;
  readonly clearedAt: string | null;
  readonly version: number;
}

/** What a source hands in to raise (or repeat) an alert. */
export interface AlertDraft {
  readonly dedupKey: string;
  readonly source: AlertSource;
  readonly severity: Severity;
  readonly title: string;
  readonly description?: string | null | undefined;
  readonly ruleId?: string | null | undefined;
  readonly ruleVersion?: number | null | undefined;
  readonly trusted?: boolean | undefined;
  readonly categoryCode?: string | null | undefined;
  readonly deviceId?: string | null | undefined;
  readonly assetId?: string | null | undefined;
  /** GCJ-02 point; or a jurisdiction code for an area warning. */
  readonly location?: { readonly lon: number; readonly lat: number } | null | undefined;
  readonly jurisdictionCode?: string | null | undefined;
  readonly tier?: Tier | undefined;
  readonly ownerUnitId?: string | null | undefined;
  readonly metric?: string | null | undefined;
  readonly value?: number | null | undefined;
  readonly readings?: Readonly<Record<string, number>> | undefined;
  readonly evidence?: Readonly<Record<string, unknown>> | undefined;
  /**
   * A standing state (a vital sign), not an occurrence: seen again unchanged it is no repeat (the
   * count stays); a new value or colour updates the alert, its title included.
   */
  readonly standing?: boolean | undefined;
  readonly at: string;
}

export type AlertEventBody =
  | { type: 'AlertRaised'; payload: { alert: AlertDoc } }
  | { type: 'AlertUpdated'; payload: { severity: Severity; count: number; peak: AlertPeak | null; readings: Record<string, number>; at: string; title?: string | undefined } }
  | { type: 'AlertAcknowledged'; payload: { note: string | null } }
  | { type: 'AlertVerified'; payload: { caseId: string; note: string | null } }
  | { type: 'AlertDismissed'; payload: { reason: string } }
  | { type: 'AlertCleared'; payload: { readings: Record<string, number>; reason: string | null } }
  | { type: 'AlertWatched'; payload: { unitId: string } };

export type AlertEventType = AlertEventBody['type'];

export interface AlertEvent {
  readonly seq: number;
  readonly id: string;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly type: AlertEventType;
  readonly actor: { readonly id: string; readonly name: string; readonly roles: readonly string[] };
  readonly at: string;
  readonly payload: AlertEventBody['payload'];
}

export const ALERT_EVENT_TYPES: readonly AlertEventType[] = ['AlertRaised', 'AlertUpdated', 'AlertAcknowledged', 'AlertVerified', 'AlertDismissed', 'AlertCleared', 'AlertWatched'];

/** Which status allows which person's action (the table the service checks before writing). */
export const ACTION_ALLOWED_IN: Record<'acknowledge' | 'verify' | 'dismiss' | 'watch', readonly AlertStatus[]> = {
  acknowledge: ['raised'],
  verify: ['raised', 'acknowledged'],
  dismiss: ['raised', 'acknowledged'],
  watch: ['raised', 'acknowledged', 'verified'],
};

export function evolveAlert(doc: AlertDoc | null, e: { type: AlertEventType; payload: unknown; actor: { id: string }; at: string }): AlertDoc {
  if (e.type === 'AlertRaised') return (e.payload as { alert: AlertDoc }).alert;
  if (!doc) throw new Error(`${e.type} before AlertRaised`);
  const base = { ...doc, version: doc.version + 1 };
  switch (e.type) {
    case 'AlertUpdated': {
      const p = e.payload as Extract<AlertEventBody, { type: 'AlertUpdated' }>['payload'];
      return { ...base, severity: p.severity, count: p.count, peak: p.peak, readings: p.readings, lastAt: p.at, title: p.title ?? doc.title };
    }
    case 'AlertAcknowledged':
      return { ...base, status: 'acknowledged', acknowledged: { by: e.actor.id, at: e.at, note: (e.payload as { note: string | null }).note } };
    case 'AlertVerified': {
      const p = e.payload as { caseId: string; note: string | null };
      return { ...base, status: 'verified', caseId: p.caseId, verified: { by: e.actor.id, at: e.at, note: p.note } };
    }
    case 'AlertDismissed':
      return { ...base, status: 'dismissed', dismissed: { by: e.actor.id, at: e.at, reason: (e.payload as { reason: string }).reason } };
    case 'AlertCleared':
      return { ...base, status: doc.status === 'dismissed' ? 'dismissed' : 'cleared', clearedAt: e.at, readings: { ...doc.readings, ...(e.payload as { readings: Record<string, number> }).readings } };
    case 'AlertWatched': {
      const u = (e.payload as { unitId: string }).unitId;
      return { ...base, watchers: doc.watchers.includes(u) ? doc.watchers : [...doc.watchers, u] };
    }
  }
}

export function isActive(doc: Pick<AlertDoc, 'status'>): boolean {
  return ACTIVE_STATUSES.includes(doc.status);
}

/** Case priority from the alert's colour. */
export function priorityOfSeverity(s: Severity): 'urgent' | 'high' | 'normal' {
  return s === 'red' ? 'urgent' : s === 'orange' ? 'high' : 'normal';
}
