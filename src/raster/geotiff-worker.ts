/**
 * The thread of `readGeoTiffInThread`: decodes one GeoTIFF and sends back the grid (its cells
 * transferred, not copied) or the refusal's code and values.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isCityLoopError } from '../errors.ts';
import { readGeoTiff } from './geotiff-reader.ts';
import type { GeoTiffThreadReply, GeoTiffThreadRequest } from './geotiff-thread.ts';

const { bytes, maxCells } = workerData as GeoTiffThreadRequest;
let reply: GeoTiffThreadReply;
try {
  const grid = await readGeoTiff(new Uint8Array(bytes), { maxCells });
  reply = { ok: true, grid };
} catch (e) {
  reply = isCityLoopError(e)
    ? { ok: false, refusal: { code: e.code, params: { ...e.params }, extra: e.extra ? { ...e.extra } : undefined } }
    : { ok: false, message: e instanceof Error ? e.message : String(e) };
}
parentPort!.postMessage(reply, reply.ok ? [reply.grid.data.buffer as ArrayBuffer] : []);
