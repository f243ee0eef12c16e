import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../platform.ts';
import { requirePrincipal } from '../server/app.ts';
import { canSeeCase } from '../auth/case-policy.ts';
import { hasRole } from '../auth/principal.ts';
import type { CaseEvent } from '../cases/case-events.ts';
import type { Committed } from './event-bus.ts';

const FeedQuery = Type.Object({
  access_token: Type.Optional(Type.String({ description: 'for EventSource, which cannot send an Authorization header' })),
  types: Type.Optional(Type.String({ description: 'comma-separated event types to receive' })),
  lang: Type.Optional(Type.String()),
});

/** Reporter contact details never travel on the feed: it is for watching, not for calling. */
function redact(e: CaseEvent): CaseEvent {
  if (e.type !== 'CaseReported') return e;
  return { ...e, payload: { ...e.payload, reporter: { ...e.payload.reporter, name: null, phone: null } } };
}

/**
 * The live feed as Server-Sent Events. Each subscriber gets only the events of cases it may see
 * (checked against the case as it is after the event). A reconnecting client sends Last-Event-ID
 * (the event's seq) and first receives what it missed, up to 1,000 events.
 */
export function registerFeedRoutes(app: FastifyInstance, platform: Platform): void {
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
      let lastSent = 0;
      const send = (e: CaseEvent, doc: Committed['doc']) => {
        if (e.seq <= lastSent) return;
        if (wanted && !wanted.has(e.type)) return;
        lastSent = e.seq;
        const data = { ...redact(e), case: { id: doc.id, number: doc.number, state: doc.state, title: doc.title, priority: doc.priority, categoryCode: doc.categoryCode, location: doc.location, centerId: doc.centerId } };
        raw.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      // Subscribe before replaying so nothing falls between the two; `lastSent` drops doubles.
      const queue: Committed[] = [];
      let replaying = true;
      const unsubscribe = platform.bus.subscribe((c) => {
        if (!hasRole(p, 'admin', 'system') && !canSeeCase(p, c.doc)) return;
        if (replaying) queue.push(c);
        else for (const e of c.events) send(e, c.doc);
      });
      const lastId = Number(req.headers['last-event-id']);
      if (Number.isInteger(lastId) && lastId > 0) {
        const rows = await platform.store.db.selectFrom('events').select(['seq', 'stream_id']).where('seq', '>', lastId).orderBy('seq').limit(1000).execute();
        const ids = [...new Set(rows.map((r) => r.stream_id))];
        for (const id of ids) {
          try {
            const doc = await platform.cases.get(p, id);
            const events = await platform.cases.timeline(p, id);
            for (const e of events) if (e.seq > lastId) send(e, doc);
          } catch {
            // not visible to this subscriber
          }
        }
      }
      replaying = false;
      for (const c of queue) for (const e of c.events) send(e, c.doc);
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
      heartbeat.unref();
      req.raw.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
      });
    },
  );
}
