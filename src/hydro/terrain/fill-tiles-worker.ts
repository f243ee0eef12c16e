/**
 * A worker thread of fillDepressionsInParallel: it floods the tiles it is given, in the grid
 * shared with the other threads (each tile writes only its own cells), and answers with the
 * spills it found (labelling) or nothing (finishing).
 */
import { parentPort } from 'node:worker_threads';
import { finishTiles, labelTiles, SpillTable, type TileLayout } from './fill-depressions-tiled.ts';

export type TileJob =
  | { kind: 'label'; z: SharedArrayBuffer; label: SharedArrayBuffer; layout: TileLayout; tiles: number[] }
  | { kind: 'finish'; z: SharedArrayBuffer; label: SharedArrayBuffer; layout: TileLayout; tiles: number[]; level: Float64Array };

export type TileReply = { kind: 'labelled'; keys: Float64Array; spills: Float64Array } | { kind: 'finished' } | { kind: 'failed'; message: string };

const port = parentPort;
if (port) {
  port.on('message', (job: TileJob) => {
    try {
      const z = new Float32Array(job.z);
      const label = new Int32Array(job.label);
      if (job.kind === 'label') {
        const spills = new SpillTable();
        labelTiles(z, label, job.layout, job.tiles, spills);
        const { keys, spills: values } = spills.toArrays();
        port.postMessage({ kind: 'labelled', keys, spills: values } satisfies TileReply, [keys.buffer, values.buffer]);
      } else {
        finishTiles(z, label, job.layout, job.tiles, job.level);
        port.postMessage({ kind: 'finished' } satisfies TileReply);
      }
    } catch (e) {
      port.postMessage({ kind: 'failed', message: e instanceof Error ? e.message : String(e) } satisfies TileReply);
    }
  });
}
