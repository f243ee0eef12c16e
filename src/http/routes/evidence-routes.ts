import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../../platform.ts';
import { CityLoopError } from '../../errors.ts';
import { requirePrincipal } from '../request-principal.ts';

/** What these routes use of the platform (and nothing more). */
type EvidenceRouteDeps = Pick<Platform, 'blobs' | 'sensing'>;


const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** JPEG and PNG are the only snapshots a camera event may carry (checked by their first bytes on the way in). */
function imageType(data: Buffer): string {
  if (data.length > 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length > 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  return 'application/octet-stream';
}

/**
 * The cockpit's evidence that the JSON answers only name: the camera snapshot of an alert, by the
 * SHA-256 in `evidence.snapshotSha256`, to whoever may see the alert.
 */
export function registerEvidenceRoutes(app: FastifyInstance, platform: EvidenceRouteDeps): void {
  app.get<{ Params: Static<typeof Params> }>(
    '/api/v1/map/alerts/:id/snapshot',
    {
      schema: {
        tags: ['map'],
        summary: '预警证据 — the camera snapshot of an alert (image/jpeg or image/png), for those who may see the alert',
        security: [{ bearer: [] }],
        params: Params,
        produces: ['image/jpeg', 'image/png'],
      },
    },
    async (req, reply) => {
      const alert = await platform.sensing.alerts.get(requirePrincipal(req), req.params.id);
      const sha = alert.evidence.snapshotSha256;
      if (typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha)) throw new CityLoopError('NOT_FOUND', { what: '抓拍图片/snapshot', id: req.params.id });
      let data: Buffer;
      try {
        data = await platform.blobs.get(sha);
      } catch {
        // A camera may reference a snapshot it never uploaded.
        throw new CityLoopError('NOT_FOUND', { what: '抓拍图片/snapshot', id: sha });
      }
      return reply
        .type(imageType(data))
        .header('cache-control', 'private, max-age=31536000, immutable')
        .header('x-content-sha256', sha)
        .header('x-content-type-options', 'nosniff')
        .send(data);
    },
  );
}
