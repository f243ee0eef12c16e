/**
 * The worker thread behind ThreadIndexer (case-cluster-thread.ts): holds the case map's cluster
 * indexes, reads SQLite queries through its own connections, and cuts tiles. Requests are answered
 * in the order they came, so a tile asked for before a `drop` is still answered from its index.
 */
import { parentPort } from 'node:worker_threads';
import { buildClusterIndex, encodeClusterTile, SqliteMapReader, type CaseMapPoint, type CaseMapQuery, type ClusterIndex } from './case-map-tiles.ts';

/** Points cross to this thread as columns: typed arrays move without copying, ids as one array. */
export interface PointColumns {
  readonly ids: readonly string[];
  readonly lng: Float64Array;
  readonly lat: Float64Array;
  readonly group: Uint8Array;
  readonly priority: Uint8Array;
  readonly truncated: boolean;
}

export type WorkerRequest =
  | { readonly op: 'build'; readonly req: number; readonly id: number; readonly columns?: PointColumns; readonly query?: CaseMapQuery }
  | { readonly op: 'tile'; readonly req: number; readonly id: number; readonly z: number; readonly x: number; readonly y: number }
  | { readonly op: 'drop'; readonly id: number };

export type WorkerReply =
  | { readonly req: number; readonly ok: true; readonly count?: number; readonly truncated?: boolean; readonly tile?: Uint8Array | null }
  | { readonly req: number; readonly ok: false; readonly gone: boolean; readonly message: string };

function pointsOf(c: PointColumns): CaseMapPoint[] {
  return c.ids.map((id, i) => ({ id, lng: c.lng[i]!, lat: c.lat[i]!, group: c.group[i]!, priority: c.priority[i]! }));
}

const port = parentPort;
if (port) {
  const indexes = new Map<number, ClusterIndex>();
  const reader = new SqliteMapReader();
  port.on('message', (m: WorkerRequest) => {
    if (m.op === 'drop') {
      indexes.delete(m.id);
      return;
    }
    try {
      if (m.op === 'build') {
        const data = m.query ? reader.read(m.query) : { points: pointsOf(m.columns!), truncated: m.columns!.truncated };
        indexes.set(m.id, buildClusterIndex(data.points));
        port.postMessage({ req: m.req, ok: true, count: data.points.length, truncated: data.truncated } satisfies WorkerReply);
      } else {
        const index = indexes.get(m.id);
        if (!index) {
          port.postMessage({ req: m.req, ok: false, gone: true, message: `case map index ${m.id} is no longer held` } satisfies WorkerReply);
          return;
        }
        const tile = encodeClusterTile(index, m.z, m.x, m.y);
        // The tile's bytes move to the server's thread rather than being copied.
        port.postMessage({ req: m.req, ok: true, tile } satisfies WorkerReply, tile ? [tile.buffer as ArrayBuffer] : []);
      }
    } catch (e) {
      port.postMessage({ req: m.req, ok: false, gone: false, message: e instanceof Error ? e.message : String(e) } satisfies WorkerReply);
    }
  });
  port.once('close', () => reader.close());
}
