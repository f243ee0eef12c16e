/**
 * What one subscriber of the live feed sees of an event: the one filter (who may see the case or
 * the alert the event belongs to) and the one shape of a feed item. The SSE stream (live, and its
 * replay after Last-Event-ID) and the feed's history (`GET /api/v1/feed/recent`) both go through
 * here, so a reload shows exactly what the stream would have shown.
 */
import type { Platform } from '../platform.ts';
import type { Principal } from '../auth/principal.ts';
import { canSeeCase } from '../cases/case-policy.ts';
import type { CaseEvent } from '../cases/case-events.ts';
import type { CaseDoc } from '../cases/case-model.ts';
import { presentEvent } from '../cases/present-case.ts';
import { rowToEvent } from '../cases/case-queries.ts';
import { recentEventRows, type StoredEventRow } from '../events/event-log.ts';
import { canSeeAlert } from '../sensing/alerts/alert-policy.ts';
import type { AlertDoc, AlertEvent } from '../sensing/alerts/alert-model.ts';
import type { AnalysisRecord, CommittedAnalysis } from '../analyses/analysis-model.ts';
import { MODEL_NAMES, STATE_NAMES } from '../analyses/analysis-model.ts';

/** One item of the feed: the event's place in the log, its type, and what the subscriber may see of it. */
export interface FeedItem {
  readonly id: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** THE feed filter of cases: the case policy (administrators and the system see every case). */
export function feedSeesCase(p: Principal, doc: CaseDoc): boolean {
  return canSeeCase(p, doc);
}

/** THE feed filter of alerts: the alert policy. */
export function feedSeesAlert(p: Principal, alert: AlertDoc): boolean {
  return canSeeAlert(p, alert);
}

/** A case event as the subscriber sees it, with the case as it is (the reporter masked as on the case). */
export function caseFeedItem(e: CaseEvent, doc: CaseDoc, p: Principal): FeedItem {
  const data = { ...presentEvent(e, doc, p), case: { id: doc.id, number: doc.number, state: doc.state, title: doc.title, priority: doc.priority, categoryCode: doc.categoryCode, location: doc.location, centerId: doc.centerId } };
  return { id: e.seq, type: e.type, data };
}

/** An alert event with the alert as it is (its evidence included; a raise carries no copy of it). */
export function alertFeedItem(e: AlertEvent, alert: AlertDoc): FeedItem {
  const { payload, ...rest } = e;
  return { id: e.seq, type: e.type, data: { ...rest, payload: e.type === 'AlertRaised' ? {} : payload, alert } };
}

/** THE feed filter of analysis runs: the analyses' policy (a run is seen under its owner center's ground). */
export function feedSeesAnalysis(platform: Pick<Platform, 'analyses'>, p: Principal, run: AnalysisRecord): boolean {
  return platform.analyses.sees(p, run);
}

/**
 * A run's change (or progress) as the feed sends it: the run's state, progress and names in both
 * languages, never its inputs (they can be large; the run's page has them). Progress has no place
 * in the log (id 0: the stream sends it without an id, so Last-Event-ID stays on the last event).
 */
export function analysisFeedItem(c: CommittedAnalysis): FeedItem {
  const a = c.analysis;
  return {
    id: c.seq ?? 0,
    type: c.type,
    data: {
      type: c.type,
      analysis: { id: a.id, name: a.name, model: a.model, modelName: MODEL_NAMES[a.model], state: a.state, stateName: STATE_NAMES[a.state], progress: a.progress, progressMessage: a.progressMessage, version: a.version, ownerCenterId: a.ownerCenterId, error: a.error, summary: a.summary, finishedAt: a.finishedAt },
    },
  };
}

function alertEventOf(r: StoredEventRow): AlertEvent {
  return { seq: Number(r.seq), id: r.id, streamId: r.stream_id, streamVersion: Number(r.stream_version), type: r.type as AlertEvent['type'], actor: JSON.parse(r.actor) as AlertEvent['actor'], at: r.at, payload: JSON.parse(r.payload) as AlertEvent['payload'] };
}

/** Rows of the log read per round, and the most rounds one request reads. */
const PAGE = 500;
const MAX_ROUNDS = 20;

/**
 * The feed's history: the newest events since `since` that the subscriber may see, newest first,
 * at most `limit`. Read page by page from the end of the log (case and alert streams only);
 * each stream is looked up once per page and kept or dropped by the feed filter. `nextBefore`
 * is where to go on for older items (null: none left since `since`, or the rounds ran out).
 */
export async function feedHistory(
  platform: Pick<Platform, 'cases' | 'sensing' | 'store' | 'analyses'>,
  p: Principal,
  q: { since: string; limit: number; beforeSeq?: number },
): Promise<{ items: FeedItem[]; nextBefore: number | null }> {
  const items: FeedItem[] = [];
  let before = q.beforeSeq ?? 0;
  for (let round = 0; round < MAX_ROUNDS && items.length < q.limit; round++) {
    const rows = await recentEventRows(platform.store.db, { kinds: ['case', 'alert', 'analysis'], since: q.since, beforeSeq: before, limit: PAGE });
    if (rows.length === 0) return { items, nextBefore: null };
    const caseIds = rows.filter((r) => r.stream_type === 'case').map((r) => r.stream_id);
    const alertIds = rows.filter((r) => r.stream_type === 'alert').map((r) => r.stream_id);
    const analysisIds = rows.filter((r) => r.stream_type === 'analysis').map((r) => r.stream_id.slice('analysis:'.length));
    const [cases, alerts, runs] = await Promise.all([
      platform.cases.visibleByIds(p, caseIds),
      alertIds.length > 0 ? platform.sensing.alerts.visibleByIds(p, alertIds) : new Map<string, AlertDoc>(),
      analysisIds.length > 0 ? platform.analyses.visibleByIds(p, analysisIds) : new Map<string, AnalysisRecord>(),
    ]);
    for (const r of rows) {
      before = Number(r.seq);
      const doc = cases.get(r.stream_id);
      const alert = alerts.get(r.stream_id);
      if (doc && feedSeesCase(p, doc)) items.push(caseFeedItem(rowToEvent(r), doc, p));
      else if (alert && feedSeesAlert(p, alert)) items.push(alertFeedItem(alertEventOf(r), alert));
      else if (r.stream_type === 'analysis') {
        const run = runs.get(r.stream_id.slice('analysis:'.length));
        // The run as it is now, under the event's type and place in the log.
        if (run) items.push(analysisFeedItem({ seq: Number(r.seq), type: r.type, analysis: run }));
      }
      if (items.length >= q.limit) return { items, nextBefore: before };
    }
    if (rows.length < PAGE) return { items, nextBefore: null };
  }
  return { items, nextBefore: before };
}
