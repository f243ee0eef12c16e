import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { bearerTokenOf, requirePrincipal } from '../request-principal.ts';
import { canSeeCase } from '../../cases/case-policy.ts';
import { hasRole } from '../../auth/principal.ts';
import { CityLoopError } from '../../errors.ts';
import type { CaseEvent } from '../../cases/case-events.ts';
import { presentEvent } from '../../cases/present-case.ts';
import type { Committed } from '../../cases/committed.ts';
import type { CommittedAlert } from '../../sensing/alerts/committed-alert.ts';
import { streamsAfter } from '../../events/event-log.ts';
import { canSeeAlert } from '../../sensing/alerts/alert-policy.ts';
import type { AlertDoc, AlertEvent } from '../../sensing/alerts/alert-model.ts';

/** What these routes use of the platform (and nothing more). */
type FeedRouteDeps = Pick<Platform, 'auth' | 'bus' | 'cases' | 'sensing' | 'sessions' | 'settings' | 'store'>;


const FeedQuery = Type.Object({
  access_token: Type.Optional(Type.String({ description: 'for EventSource, which cannot send an Authorization header' })),
  types: Type.Optional(Type.String({ description: 'comma-separated event types to receive' })),
  lang: Type.Optional(Type.String()),
});

/**
 * The live feed as Server-Sent Events. Each subscriber gets only the events of cases it may see
 * (checked against the case as it is after the event). A reconnecting client sends Last-Event-ID
 * (the event's seq) and first receives what it missed, up to 1,000 events.
 */
export function registerFeedRoutes(app: FastifyInstance, platform: FeedRouteDeps): void {
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
      const send = (e: CaseEvent, doc: Committed['doc']) => {
        if (e.seq <= lastSent) return;
        if (wanted && !wanted.has(e.type)) return;
        lastSent = e.seq;
        // The reporter as this subscriber sees it on the case itself (present-case.ts).
        const data = { ...presentEvent(e, doc, p), case: { id: doc.id, number: doc.number, state: doc.state, title: doc.title, priority: doc.priority, categoryCode: doc.categoryCode, location: doc.location, centerId: doc.centerId } };
        raw.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      // Alerts travel on the same feed, each with the alert as it now is (its evidence included).
      const sendAlert = (e: AlertEvent, alert: AlertDoc) => {
        if (e.seq <= lastSent) return;
        if (wanted && !wanted.has(e.type)) return;
        lastSent = e.seq;
        const { payload, ...rest } = e;
        const data = { ...rest, payload: e.type === 'AlertRaised' ? {} : payload, alert };
        raw.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      // Subscribe before replaying so nothing falls between the two; `lastSent` drops doubles.
      const queue: (Committed | CommittedAlert)[] = [];
      let replaying = true;
      const deliver = (c: Committed | CommittedAlert) => {
        if ('doc' in c) for (const e of c.events) send(e, c.doc);
        else for (const e of c.events) sendAlert(e, c.alert);
      };
      const unsubscribeCases = platform.bus.subscribe((c) => {
        if (!hasRole(p, 'admin', 'system') && !canSeeCase(p, c.doc)) return;
        if (replaying) queue.push(c);
        else deliver(c);
      });
      const unsubscribeAlerts = platform.bus.subscribeAlerts((c) => {
        if (!canSeeAlert(p, c.alert)) return;
        if (replaying) queue.push(c);
        else deliver(c);
      });
      const unsubscribe = () => {
        unsubscribeCases();
        unsubscribeAlerts();
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
