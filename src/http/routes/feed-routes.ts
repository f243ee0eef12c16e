import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { bearerTokenOf, requirePrincipal } from '../request-principal.ts';
import { withProblems } from '../schemas.ts';
import { CityLoopError } from '../../errors.ts';
import type { CaseEvent } from '../../cases/case-events.ts';
import type { Committed } from '../../cases/committed.ts';
import type { CommittedAlert } from '../../sensing/alerts/committed-alert.ts';
import { streamsAfter } from '../../events/event-log.ts';
import { alertFeedItem, analysisFeedItem, caseFeedItem, feedHistory, feedSeesAlert, feedSeesAnalysis, feedSeesCase, type FeedItem } from '../feed-items.ts';
import type { AlertDoc, AlertEvent } from '../../sensing/alerts/alert-model.ts';
import type { CommittedAnalysis } from '../../analyses/analysis-model.ts';

/** What these routes use of the platform (and nothing more). */
type FeedRouteDeps = Pick<Platform, 'analyses' | 'auth' | 'bus' | 'cases' | 'clock' | 'sensing' | 'sessions' | 'settings' | 'store'>;

/** How far back the feed's history goes when the caller names no time: a shift and a half. */
const HISTORY_HOURS = 12;


const FeedQuery = Type.Object({
  access_token: Type.Optional(Type.String({ description: 'for EventSource, which cannot send an Authorization header' })),
  types: Type.Optional(Type.String({ description: 'comma-separated event types to receive' })),
  lang: Type.Optional(Type.String()),
});

const RecentQuery = Type.Object({
  since: Type.Optional(Type.String({ format: 'date-time', description: `the oldest time to include (default: ${HISTORY_HOURS} hours ago)` })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'only events before this one (the nextBefore of the previous page)' })),
});

const FeedItemSchema = Type.Object({
  id: Type.Integer({ description: "the event's place in the log (the stream's Last-Event-ID)" }),
  type: Type.String(),
  data: Type.Object({}, { additionalProperties: true, description: 'as the live feed sends it' }),
});

/**
 * The live feed as Server-Sent Events. Each subscriber gets only the events of cases it may see
 * (checked against the case as it is after the event). A reconnecting client sends Last-Event-ID
 * (the event's seq) and first receives what it missed, up to 1,000 events.
 */
export function registerFeedRoutes(app: FastifyInstance, platform: FeedRouteDeps): void {
  app.get<{ Querystring: Static<typeof RecentQuery> }>(
    '/api/v1/feed/recent',
    {
      schema: {
        tags: ['events'],
        summary: "The live feed's history: the newest events since a time (default the last 12 hours) that the user may see — filtered exactly as the live feed — newest first, each as the stream sends it. A list opened after a reload shows these, then streams from the newest id (Last-Event-ID) without doubles.",
        security: [{ bearer: [] }],
        querystring: RecentQuery,
        response: withProblems({ 200: Type.Object({ since: Type.String(), items: Type.Array(FeedItemSchema), nextBefore: Type.Union([Type.Integer(), Type.Null()]) }) }),
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      const now = platform.clock.now();
      const since = req.query.since ? new Date(req.query.since) : new Date(now.getTime() - HISTORY_HOURS * 3600_000);
      if (Number.isNaN(since.getTime())) throw new CityLoopError('VALIDATION_FAILED', { detail: 'since must be a date-time' });
      const { items, nextBefore } = await feedHistory(platform, p, { since: since.toISOString(), limit: req.query.limit ?? 100, ...(req.query.before ? { beforeSeq: req.query.before } : {}) });
      return { since: since.toISOString(), items, nextBefore };
    },
  );

  app.get<{ Querystring: Static<typeof FeedQuery> }>(
    '/api/v1/events/stream',
    {
      schema: {
        tags: ['events'],
        summary: 'Live feed of case events (text/event-stream), filtered to what the user may see',
        security: [{ bearer: [] }],
        querystring: FeedQuery,
        produces: ['text/event-stream'],
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const credential = req.credential!;
      const token = bearerTokenOf(req)!;
      const wanted = req.query.types ? new Set(req.query.types.split(',').map((s) => s.trim()).filter(Boolean)) : null;
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write(': CityLoop live feed\n\n');
      // The stream lives as long as its token: sign-out, expiry, a password change, the user
      // disabled or the token revoked end it. Attached before anything is awaited, so a revocation
      // during the replay is not missed. The last event says why; a reconnecting EventSource then
      // meets 401 and the app signs in again.
      let ended = false;
      const timers: NodeJS.Timeout[] = [];
      const stop = () => {
        ended = true;
        for (const t of timers) clearInterval(t);
        unsubscribe();
        detach();
      };
      const endSession = (reason: string) => {
        if (ended) return;
        stop();
        raw.end(`event: session-ended\ndata: ${JSON.stringify({ reason })}\n\n`);
      };
      req.raw.on('close', () => {
        if (!ended) stop();
      });
      let lastSent = 0;
      const admit = (seq: number, type: string): boolean => {
        if (seq <= lastSent) return false;
        if (wanted && !wanted.has(type)) return false;
        lastSent = seq;
        return true;
      };
      const write = (item: FeedItem) => raw.write(`id: ${item.id}\nevent: ${item.type}\ndata: ${JSON.stringify(item.data)}\n\n`);
      // The reporter as this subscriber sees it on the case itself (present-case.ts); alerts travel
      // on the same feed, each with the alert as it now is (its evidence included).
      const send = (e: CaseEvent, doc: Committed['doc']) => {
        if (admit(e.seq, e.type)) write(caseFeedItem(e, doc, p));
      };
      const sendAlert = (e: AlertEvent, alert: AlertDoc) => {
        if (admit(e.seq, e.type)) write(alertFeedItem(e, alert));
      };
      // Subscribe before replaying so nothing falls between the two; `lastSent` drops doubles.
      const queue: (Committed | CommittedAlert)[] = [];
      let replaying = true;
      const deliver = (c: Committed | CommittedAlert) => {
        if ('doc' in c) for (const e of c.events) send(e, c.doc);
        else for (const e of c.events) sendAlert(e, c.alert);
      };
      const unsubscribeCases = platform.bus.subscribe((c) => {
        if (!feedSeesCase(p, c.doc)) return;
        if (replaying) queue.push(c);
        else deliver(c);
      });
      const unsubscribeAlerts = platform.bus.subscribeAlerts((c) => {
        if (!feedSeesAlert(p, c.alert)) return;
        if (replaying) queue.push(c);
        else deliver(c);
      });
      // Analysis runs: their state changes (events of the log) and their progress (not logged: sent
      // without an id), held back while the replay runs like the rest.
      const deliverAnalysis = (c: CommittedAnalysis) => {
        const item = analysisFeedItem(c);
        if (c.seq === null) {
          if (!wanted || wanted.has(item.type)) raw.write(`event: ${item.type}\ndata: ${JSON.stringify(item.data)}\n\n`);
        } else if (admit(c.seq, c.type)) write(item);
      };
      const analysisQueue: CommittedAnalysis[] = [];
      const unsubscribeAnalyses = platform.bus.subscribeAnalyses((c) => {
        if (!feedSeesAnalysis(platform, p, c.analysis)) return;
        if (replaying) analysisQueue.push(c);
        else deliverAnalysis(c);
      });
      const unsubscribe = () => {
        unsubscribeCases();
        unsubscribeAlerts();
        unsubscribeAnalyses();
      };
      const detach = platform.sessions.attach(credential, endSession);
      const lastId = Number(req.headers['last-event-id']);
      if (Number.isInteger(lastId) && lastId > 0) {
        const ids = await streamsAfter(platform.store.db, lastId, 1000);
        // Events of several streams interleave: gather, then send in log order.
        const missed: (() => void)[] = [];
        const order: number[] = [];
        for (const id of ids) {
          try {
            // A stream is an alert's or a case's: the alert service says which (NOT_FOUND: not an alert).
            const alert = await platform.sensing.alerts.get(p, id).catch((e: unknown) => {
              if (e instanceof CityLoopError && e.code === 'NOT_FOUND') return null;
              throw e;
            });
            if (alert) {
              for (const e of await platform.sensing.alerts.timeline(p, id)) if (e.seq > lastId) (order.push(e.seq), missed.push(() => sendAlert(e, alert)));
            } else {
              const doc = await platform.cases.get(p, id);
              for (const e of await platform.cases.timeline(p, id)) if (e.seq > lastId) (order.push(e.seq), missed.push(() => send(e, doc)));
            }
          } catch {
            // not visible to this subscriber
          }
        }
        const idx = order.map((_, i) => i).sort((a, b) => order[a]! - order[b]!);
        for (const i of idx) missed[i]!();
      }
      replaying = false;
      if (ended) return;
      for (const c of queue) deliver(c);
      for (const c of analysisQueue) deliverAnalysis(c);
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
      heartbeat.unref();
      // Revocations made in this process end the stream at once (the session registry); this
      // catches those made by another process (a second server on the same PostgreSQL, the CLI):
      // one indexed read per stream every SESSION_RECHECK_SECONDS.
      const recheck = setInterval(() => {
        platform.auth.authenticateCredential(token).then(
          () => undefined,
          // Only a refused token ends the stream; a passing fault of the store does not.
          (e: unknown) => {
            if (e instanceof CityLoopError && e.code === 'AUTH_INVALID_TOKEN') endSession('token_revoked');
          },
        );
      }, platform.settings.sessionRecheckSeconds * 1000);
      recheck.unref();
      timers.push(heartbeat, recheck);
    },
  );
}
