/**
 * `readGeoTiff` on a thread of its own: decoding a large GeoTIFF takes seconds of CPU, which the
 * server must not spend on its event loop (every other request would wait). One short-lived
 * worker per file; the bytes go to it and the cells come back as transferred buffers.
 */
import { Worker } from 'node:worker_threads';
import { CityLoopError, type ErrorCode } from '../errors.ts';
import type { ReadGeoTiffOptions } from './geotiff-reader.ts';
import type { Grid } from './grid.ts';

export interface GeoTiffThreadRequest {
  bytes: ArrayBuffer;
  maxCells: number;
}

export type GeoTiffThreadReply =
  | { ok: true; grid: Grid }
  | { ok: false; refusal: { code: ErrorCode; params: Record<string, unknown>; extra: Record<string, unknown> | undefined } }
  | { ok: false; message: string };

const ENTRY = new URL('./geotiff-worker.mjs', import.meta.url);

/** As readGeoTiff (the same grid, the same refusals), decoded on a worker thread. */
export function readGeoTiffInThread(bytes: Uint8Array, options: ReadGeoTiffOptions): Promise<Grid> {
  // The worker gets its own copy (the caller's buffer may be a slice of a pooled one).
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const request: GeoTiffThreadRequest = { bytes: copy, maxCells: options.maxCells };
  return new Promise((resolve, reject) => {
    const worker = new Worker(ENTRY, { workerData: request, transferList: [copy] });
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
      void worker.terminate();
    };
    worker.once('message', (reply: GeoTiffThreadReply) =>
      settle(() => {
        if (reply.ok) resolve(reply.grid);
        else if ('refusal' in reply) reject(new CityLoopError(reply.refusal.code, reply.refusal.params, reply.refusal.extra));
        else reject(new Error(`reading the GeoTIFF failed: ${reply.message}`));
      }),
    );
    worker.once('error', (e) => settle(() => reject(e)));
    worker.once('exit', (code) => settle(() => reject(new Error(`the GeoTIFF reader's thread ended (exit code ${code}) before answering`))));
  });
}
