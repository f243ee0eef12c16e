import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { ReadinessProbe, type Readiness } from '../readiness.ts';

/** What these routes use of the platform (and nothing more). */
type HealthRouteDeps = Pick<Platform, 'clock' | 'deviceChannelConnected' | 'resolver' | 'sensing' | 'settings' | 'store'>;


const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

const Check = Type.Object({ ok: Type.Boolean(), detail: Type.String() });
const ReadinessBody = Type.Object({
  ready: Type.Boolean(),
  failing: Type.Array(Type.String()),
  checks: Type.Object({ store: Check, broker: Check, ingest: Check, disk: Check }),
  checkedAt: Type.String(),
});
const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  version: Type.String(),
  node: Type.String(),
  store: Type.Object({ kind: Type.String(), description: Type.String() }),
  jurisdictions: Type.Integer(),
  time: Type.String(),
  ready: ReadinessBody,
});

/** Seconds a client should wait before asking a not-ready server again. */
const NOT_READY_RETRY_AFTER = '5';

/**
 * Three probes. `/livez`: the process runs and answers (no I/O: a stalled database must not get the
 * process restarted). `/readyz`: it can do its work now (the store takes a write, the broker is
 * connected, the ingest queue has room, DATA_DIR has space), 503 with what is not. `/healthz`: the
 * old combined answer, now with the readiness in it; 503 when not ready. The two latter share one
 * observation per second.
 */
export function registerHealthRoutes(app: FastifyInstance, platform: HealthRouteDeps): void {
  const probe = new ReadinessProbe({
    store: platform.store,
    dataDir: platform.settings.dataDir,
    minFreeBytes: platform.settings.readyMinFreeMb * 1024 * 1024,
    brokerConnected: () => platform.deviceChannelConnected(),
    ingest: () => ({ queued: platform.sensing.pipeline.stats.queued, bound: platform.sensing.pipeline.stats.queueBound }),
  });
  const answer = (r: Readiness) => ({ ready: r.ready, failing: [...r.failing], checks: r.checks, checkedAt: r.checkedAt });

  app.get(
    '/livez',
    { schema: { tags: ['system'], summary: 'Liveness: the process runs and answers (no I/O)', response: { 200: Type.Object({ status: Type.Literal('ok'), uptimeSeconds: Type.Number() }) } } },
    async () => ({ status: 'ok' as const, uptimeSeconds: Math.round(process.uptime()) }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['system'],
        summary: 'Readiness: the store takes a write, the broker is connected, the ingest queue has room, DATA_DIR has space; 503 names what is not ready',
        response: { 200: ReadinessBody, 503: ReadinessBody },
      },
    },
    async (_req, reply) => {
      const r = await probe.check();
      if (!r.ready) reply.code(503).header('retry-after', NOT_READY_RETRY_AFTER);
      return answer(r);
    },
  );

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['system'],
        summary: 'Health, versions, the store in use and the readiness (503 when not ready)',
        response: { 200: Health, 503: Health },
      },
    },
    async (_req, reply) => {
      const r = await probe.check();
      if (!r.ready) reply.code(503).header('retry-after', NOT_READY_RETRY_AFTER);
      return {
        status: r.ready ? ('ok' as const) : ('unavailable' as const),
        version: pkg.version,
        node: process.version,
        store: { kind: platform.store.kind, description: platform.store.description },
        jurisdictions: platform.resolver().size,
        time: platform.clock.now().toISOString(),
        ready: answer(r),
      };
    },
  );
}
