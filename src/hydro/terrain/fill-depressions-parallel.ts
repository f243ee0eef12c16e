/**
 * fillDepressions on worker threads: the tiles of fill-depressions-tiled.ts (Barnes 2016) shared
 * out between threads, over one grid in a SharedArrayBuffer — step 1 (each tile labelled) and
 * step 3 (each tile finished) on the workers, step 2 (the spills joined, the labels' levels) here.
 * The same cells as fillDepressions, cell for cell.
 */
import { Worker } from 'node:worker_threads';
import type { TerrainGrid } from '../../raster/grid.ts';
import type { ModelRunOptions } from '../model-contracts.ts';
import { levelsOfLabels, SpillTable, tileLayout, type TileLayout } from './fill-depressions-tiled.ts';
import type { TileJob, TileReply } from './fill-tiles-worker.ts';
import { assertTerrain, invalidTerrainInput } from './terrain-input.ts';

const WORKER_ENTRY = new URL('./fill-tiles-worker.mjs', import.meta.url);

export interface ParallelFillOptions extends Pick<ModelRunOptions, 'threads' | 'signal'> {
  /** tile side in cells (default 512) */
  tileSize?: number;
}

export async function fillDepressionsInParallel(dem: TerrainGrid, options: ParallelFillOptions = {}): Promise<Float32Array> {
  assertTerrain(dem);
  const threads = options.threads ?? 2;
  if (!Number.isInteger(threads) || threads < 1) throw invalidTerrainInput('threads', `must be a whole number ≥ 1, got ${threads}`, `须为不小于 1 的整数，实为 ${threads}`);
  const tileSize = options.tileSize ?? 512;
  if (!Number.isInteger(tileSize) || tileSize < 2) throw invalidTerrainInput('tileSize', `must be a whole number ≥ 2, got ${tileSize}`, `须为不小于 2 的整数，实为 ${tileSize}`);
  options.signal?.throwIfAborted();
  const { width, height } = dem;
  const pw = width + 2;
  const zBuffer = new SharedArrayBuffer(4 * pw * (height + 2));
  const labelBuffer = new SharedArrayBuffer(4 * pw * (height + 2));
  const z = new Float32Array(zBuffer).fill(NaN);
  for (let r = 0; r < height; r++) z.set(dem.data.subarray(r * width, (r + 1) * width), (r + 1) * pw + 1);
  const label = new Int32Array(labelBuffer);
  const layout = tileLayout(width, height, tileSize);
  const tileCount = layout.tilesX * layout.tilesY;
  // neighbouring tiles to different threads, so a band of hard terrain is shared
  const shares = Array.from({ length: Math.min(threads, tileCount) }, (_, w) => Array.from({ length: tileCount }, (_, t) => t).filter((t) => t % threads === w));

  const workers = shares.map(() => new Worker(WORKER_ENTRY));
  try {
    const send = (job: (tiles: number[]) => TileJob): Promise<TileReply[]> => Promise.all(workers.map((w, i) => ask(w, job(shares[i]!), options.signal)));
    const labelled = await send((tiles) => ({ kind: 'label', z: zBuffer, label: labelBuffer, layout, tiles }));
    const spills = new SpillTable();
    for (const reply of labelled) if (reply.kind === 'labelled') spills.merge(reply.keys, reply.spills);
    const level = levelsOfLabels(z, label, layout, spills);
    await send((tiles) => ({ kind: 'finish', z: zBuffer, label: labelBuffer, layout, tiles, level }));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const out = new Float32Array(width * height);
  for (let r = 0; r < height; r++) out.set(z.subarray((r + 1) * pw + 1, (r + 1) * pw + 1 + width), r * width);
  return out;
}

function ask(worker: Worker, job: TileJob, signal: AbortSignal | undefined): Promise<TileReply> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
    const onAbort = (): void => {
      cleanup();
      reject(signal?.reason ?? new DOMException('aborted', 'AbortError'));
    };
    const onMessage = (reply: TileReply): void => {
      cleanup();
      if (reply.kind === 'failed') reject(new Error(`terrain worker: ${reply.message}`));
      else resolve(reply);
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(e);
    };
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.postMessage(job);
  });
}

export type { TileLayout };
