import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Platform } from '../platform.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function registerHealthRoutes(app: FastifyInstance, platform: Platform): void {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['system'],
        summary: 'Health, versions and the store in use',
        response: {
          200: Type.Object({
            status: Type.Literal('ok'),
            version: Type.String(),
            node: Type.String(),
            store: Type.Object({ kind: Type.String(), description: Type.String() }),
            jurisdictions: Type.Integer(),
            time: Type.String(),
          }),
        },
      },
    },
    async () => {
      // A cheap query proves the store answers.
      await platform.store.db.selectFrom('log_head').select('seq').executeTakeFirst();
      return {
        status: 'ok' as const,
        version: pkg.version,
        node: process.version,
        store: { kind: platform.store.kind, description: platform.store.description },
        jurisdictions: platform.resolver().size,
        time: platform.clock.now().toISOString(),
      };
    },
  );
}
