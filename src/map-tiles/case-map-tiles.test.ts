import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { CaseMapTiles, groupOfState, InProcessIndexer, pointsOfRows, type CaseMapLoad, type CaseMapPoint, type ClusterIndexer } from './case-map-tiles.ts';
import { ThreadIndexer } from './case-cluster-thread.ts';
import { DIALECTS, openTestPlatform, type TestPlatform } from '../../test/support/test-platform.ts';

/** The tile's `cases` layer as plain objects. */
function decode(buf: Uint8Array | Buffer): { props: Record<string, unknown>; x: number; y: number }[] {
  const layer = new VectorTile(new PbfReader(buf)).layers.cases;
  if (!layer) return [];
  const out: { props: Record<string, unknown>; x: number; y: number }[] = [];
  for (let i = 0; i < layer.length; i++) {
    const f = layer.feature(i);
    const [[p]] = f.loadGeometry() as unknown as [[{ x: number; y: number }]];
    out.push({ props: f.properties as Record<string, unknown>, x: p.x, y: p.y });
  }
  return out;
}

/** Slippy-map tile of a point at zoom z. */
function tileOf(lng: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const x = Math.floor(((lng + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return [x, y];
}

const INDEXERS: [string, () => ClusterIndexer][] = [
  ['in this thread', () => new InProcessIndexer()],
  ['on a worker thread', () => new ThreadIndexer()],
];

describe.each(INDEXERS)('CaseMapTiles, indexes %s', (_where, makeIndexer) => {
  const made: CaseMapTiles[] = [];
  const newTiles = (opts: ConstructorParameters<typeof CaseMapTiles>[0] = {}) => {
    const t = new CaseMapTiles({ ...opts, indexer: makeIndexer() });
    made.push(t);
    return t;
  };
  afterAll(async () => {
    for (const t of made) await t.close();
  });
  const points = (n: number, seed = 1): CaseMapPoint[] => {
    let s = seed;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    return Array.from({ length: n }, (_, i) => ({ id: `c-${i}`, lng: 106.4 + rnd() * 0.3, lat: 29.5 + rnd() * 0.2, group: i % 4, priority: i % 4 }));
  };

  it('answers a city-wide tile with clusters whose sums are those of their cases', async () => {
    const pts = points(1000);
    const tiles = newTiles();
    const buf = await tiles.tile('s', async () => ({ points: pts, truncated: false }), 0, 0, 0);
    const feats = decode(buf!);
    const clusters = feats.filter((f) => f.props.cluster === true);
    expect(clusters.length).toBeGreaterThan(0);
    const count = feats.reduce((a, f) => a + (f.props.cluster ? Number(f.props.point_count) : 1), 0);
    expect(count).toBe(1000);
    const overdue = feats.reduce((a, f) => a + (f.props.cluster ? Number(f.props.overdue) : f.props.g === 3 ? 1 : 0), 0);
    const urgent = feats.reduce((a, f) => a + (f.props.cluster ? Number(f.props.urgent) : f.props.p === 3 ? 1 : 0), 0);
    expect(overdue).toBe(pts.filter((p) => p.group === 3).length);
    expect(urgent).toBe(pts.filter((p) => p.priority === 3).length);
    for (const c of clusters) expect(Number(c.props.expansion_zoom)).toBeGreaterThan(0);
  });

  it('shows every case as its own point, with id, group and priority, from zoom 15', async () => {
    const pts: CaseMapPoint[] = [
      { id: 'a', lng: 106.5455, lat: 29.5635, group: 3, priority: 2 },
      { id: 'b', lng: 106.5456, lat: 29.5636, group: 0, priority: 1 },
    ];
    const tiles = newTiles();
    const load = async () => ({ points: pts, truncated: false });
    const [x10, y10] = tileOf(106.5455, 29.5635, 10);
    const low = decode((await tiles.tile('s', load, 10, x10, y10))!);
    expect(low).toHaveLength(1);
    expect(low[0]!.props).toMatchObject({ cluster: true, point_count: 2, overdue: 1, urgent: 0 });
    const [x, y] = tileOf(106.5455, 29.5635, 15);
    const high = decode((await tiles.tile('s', load, 15, x, y))!);
    expect(high.map((f) => f.props).sort((p, q) => String(p.id).localeCompare(String(q.id)))).toEqual([
      { id: 'a', g: 3, p: 2 },
      { id: 'b', g: 0, p: 1 },
    ]);
    // A tile far from every case is empty.
    expect(await tiles.tile('s', load, 15, 0, 0)).toBeNull();
  });

  it('includes a change in the next summary, and serves tiles from the index at hand while it rebuilds', async () => {
    let now = 0;
    let data: CaseMapLoad = { points: points(10), truncated: false };
    let loads = 0;
    const load = async () => {
      loads++;
      return data;
    };
    const tiles = newTiles({ now: () => now, minRebuildMs: 1000, maxAgeMs: 60_000 });
    const first = await tiles.summary('s', load);
    expect(first.count).toBe(10);
    expect(await tiles.summary('s', load)).toEqual(first);
    expect(loads).toBe(1);

    data = { points: points(11), truncated: false };
    tiles.invalidate();
    now = 10; // a change just after the build: the summary still waits for a new index
    const second = await tiles.summary('s', load);
    expect(second.count).toBe(11);
    expect(second.version).toBeGreaterThan(first.version);
    expect(loads).toBe(2);

    // A tile request on a stale index answers at once from it and rebuilds behind the answer,
    // but not more often than minRebuildMs.
    data = { points: points(12), truncated: false };
    tiles.invalidate();
    now = 500;
    await tiles.tile('s', load, 0, 0, 0);
    expect(loads).toBe(2);
    now = 1200;
    await tiles.tile('s', load, 0, 0, 0);
    await new Promise((r) => setTimeout(r, 10));
    expect(loads).toBe(3);
    expect((await tiles.summary('s', load)).count).toBe(12);
    expect(loads).toBe(3);

    // Old enough, an index is made again even with no change heard (another process may have written).
    now = 70_000;
    await tiles.summary('s', load);
    expect(loads).toBe(4);
  });

  it('builds once for viewers asking together, keeps scopes apart and holds a bounded number of them', async () => {
    let loads = 0;
    const slow = (n: number) => async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 20));
      return { points: points(n), truncated: n > 5 };
    };
    const tiles = newTiles({ maxScopes: 2 });
    const [a, b] = await Promise.all([tiles.summary('a', slow(3)), tiles.summary('a', slow(3))]);
    expect(a).toEqual(b);
    expect(loads).toBe(1);
    expect((await tiles.summary('b', slow(7))).truncated).toBe(true);
    expect((await tiles.summary('a', slow(3))).count).toBe(3);
    await tiles.summary('c', slow(1));
    expect(tiles.scopes).toBe(2);
    // 'b' was the least recently used: it is built again.
    await tiles.summary('b', slow(7));
    expect(loads).toBe(4);
  });

  it('keeps the last good index when a rebuild fails', async () => {
    let fail = false;
    const errors: unknown[] = [];
    let now = 0;
    const tiles = newTiles({ now: () => now, onError: (e) => errors.push(e), minRebuildMs: 0 });
    const load = async () => {
      if (fail) throw new Error('store down');
      return { points: points(5), truncated: false };
    };
    await tiles.summary('s', load);
    fail = true;
    tiles.invalidate();
    now = 5;
    expect(decode((await tiles.tile('s', load, 0, 0, 0))!).length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 10));
    expect(errors).toHaveLength(1);
    await expect(tiles.summary('s', load)).rejects.toThrow('store down');
  });

  it('reads the rows itself from the store\'s SQLite file, committed cases included', async () => {
    const tp = await openTestPlatform('sqlite');
    try {
      const file = tp.platform.store.sqliteFile!;
      expect(file).toMatch(/\.sqlite$/);
      const token = await tp.signIn('yuzhong.operator');
      for (const [lng, lat] of [[106.5455, 29.5635], [106.5456, 29.5636], [106.5355, 29.5478]]) {
        const r = await tp.app.inject({ method: 'POST', url: '/api/v1/cases', headers: { authorization: `Bearer ${token}` }, payload: { categoryCode: 'municipal.manhole.missing', source: 'sensor', title: '井盖缺失', lng, lat, crs: 'gcj02', priority: 'urgent' } });
        expect(r.statusCode).toBe(201);
      }
      const query = (limit: number): CaseMapLoad => ({ query: { sqliteFile: file, sql: 'select id, lng, lat, state, priority, overdue from cases order by id limit ?', parameters: [limit + 1], limit } });
      const tiles = newTiles();
      expect(await tiles.summary('all', async () => query(10))).toMatchObject({ count: 3, truncated: false });
      expect(await tiles.summary('two', async () => query(2))).toMatchObject({ count: 2, truncated: true });
      const feats = decode((await tiles.tile('all', async () => query(10), 0, 0, 0))!);
      expect(feats.reduce((a, f) => a + (f.props.cluster ? Number(f.props.urgent) : f.props.p === 3 ? 1 : 0), 0)).toBe(3);
      // A statement that fails is the build's error; the reader's connection writes nothing.
      await expect(tiles.summary('bad', async () => ({ query: { sqliteFile: file, sql: 'delete from cases returning id, lng, lat, state, priority, overdue', parameters: [], limit: 1 } }))).rejects.toThrow(/readonly/);
      expect((await tp.app.inject({ method: 'GET', url: '/api/v1/map/cases/summary', headers: { authorization: `Bearer ${token}` } })).json().count).toBe(3);
    } finally {
      await tp.close();
    }
  });
});

describe('the case map on a worker thread', () => {
  it('builds again, on a new thread, the indexes lost when its thread ended', async () => {
    const indexer = new ThreadIndexer();
    const tiles = new CaseMapTiles({ indexer });
    try {
      let loads = 0;
      const load = async (): Promise<CaseMapLoad> => {
        loads++;
        return { points: [{ id: 'a', lng: 106.5455, lat: 29.5635, group: 3, priority: 2 }], truncated: false };
      };
      expect((await tiles.summary('s', load)).count).toBe(1);
      await indexer.endThread();
      const feats = decode((await tiles.tile('s', load, 0, 0, 0))!);
      expect(feats).toHaveLength(1);
      expect(feats[0]!.props).toMatchObject({ id: 'a', g: 3, p: 2 });
      expect(loads).toBe(2);
    } finally {
      await tiles.close();
    }
    await expect(tiles.summary('s', async () => ({ points: [], truncated: false }))).rejects.toThrow('closed');
  });

  it('keeps the indexes in this thread when no thread can be started, and says so once', async () => {
    const reasons: Error[] = [];
    const indexer = new ThreadIndexer({ entry: new URL('./no-such-worker.mjs', import.meta.url), onFallback: (e) => reasons.push(e) });
    const tiles = new CaseMapTiles({ indexer });
    try {
      const load = async (): Promise<CaseMapLoad> => ({ points: [{ id: 'a', lng: 106.5455, lat: 29.5635, group: 0, priority: 3 }], truncated: false });
      expect((await tiles.summary('s', load)).count).toBe(1);
      expect(decode((await tiles.tile('s', load, 0, 0, 0))!)[0]!.props).toMatchObject({ id: 'a', p: 3 });
      expect(indexer.threaded).toBe(false);
      expect(reasons).toHaveLength(1);
    } finally {
      await tiles.close();
    }
  });

  it('tells a tile of an index it does not hold from one that is empty', async () => {
    for (const indexer of [new InProcessIndexer(), new ThreadIndexer()]) {
      await indexer.build(1, { points: [{ id: 'a', lng: 106.5, lat: 29.5, group: 0, priority: 1 }], truncated: false });
      expect(await indexer.tile(1, 15, 0, 0)).toBeNull();
      indexer.drop(1);
      await expect(indexer.tile(1, 0, 0, 0)).rejects.toThrow('no longer held');
      await indexer.close();
    }
  });
});

describe('the map\'s points', () => {
  it('come from rows as either store returns them, finished cases left out', () => {
    const rows = [
      { id: 'a', lng: 106.5, lat: 29.5, state: 'reported', priority: 'urgent', overdue: 0 },
      { id: 'b', lng: 106.6, lat: 29.6, state: 'in_progress', priority: 'low', overdue: true },
      { id: 'c', lng: 106.7, lat: 29.7, state: 'closed', priority: 'normal', overdue: 1 },
      { id: 'd', lng: 106.8, lat: 29.8, state: 'checked', priority: 'high', overdue: '0' },
    ];
    expect(pointsOfRows(rows, 10)).toEqual({
      truncated: false,
      points: [
        { id: 'a', lng: 106.5, lat: 29.5, group: 0, priority: 3 },
        { id: 'b', lng: 106.6, lat: 29.6, group: 3, priority: 0 },
        { id: 'd', lng: 106.8, lat: 29.8, group: 2, priority: 2 },
      ],
    });
    expect(pointsOfRows(rows, 1)).toEqual({ truncated: true, points: [{ id: 'a', lng: 106.5, lat: 29.5, group: 0, priority: 3 }] });
  });

  it('groups states as the map colours them; finished cases are not shown', () => {
    expect(groupOfState('reported', false)).toBe(0);
    expect(groupOfState('in_progress', false)).toBe(1);
    expect(groupOfState('reported_back', false)).toBe(2);
    expect(groupOfState('dispatched', true)).toBe(3);
    expect(groupOfState('closed', true)).toBe(4);
  });
});

describe.each(DIALECTS)('the case layer over HTTP (%s)', (dialect) => {
  let tp: TestPlatform;
  let yuzhong: string;
  let nanan: string;
  const report = async (token: string, lng: number, lat: number, priority = 'normal') => {
    const r = await tp.app.inject({ method: 'POST', url: '/api/v1/cases', headers: { authorization: `Bearer ${token}` }, payload: { categoryCode: 'municipal.manhole.missing', source: 'sensor', title: '井盖缺失', lng, lat, crs: 'gcj02', priority } });
    expect(r.statusCode).toBe(201);
  };
  const get = (url: string, token?: string, headers: Record<string, string> = {}) => tp.app.inject({ method: 'GET', url, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });

  beforeAll(async () => {
    tp = await openTestPlatform(dialect);
    yuzhong = await tp.signIn('yuzhong.operator');
    nanan = await tp.signIn('nanan.operator');
    await report(yuzhong, 106.5455, 29.5635);
    await report(yuzhong, 106.5355, 29.5478, 'urgent');
    await report(nanan, 106.5771, 29.5281);
  }, 120_000);
  afterAll(async () => {
    await tp?.close();
  });

  it('answers each operator with the cases of their own jurisdiction, as vector tiles', async () => {
    const s = (await get('/api/v1/map/cases/summary', yuzhong)).json();
    expect(s).toMatchObject({ count: 2, truncated: false, maxzoom: 15 });
    expect(s.tiles).toBe(`/api/v1/map/cases/tiles/{z}/{x}/{y}.pbf?v=${s.version}`);
    const res = await get(s.tiles.replace('{z}/{x}/{y}', '0/0/0'), yuzhong, { 'accept-encoding': 'gzip' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    expect(res.headers['cache-control']).toContain('private');
    const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.rawPayload) : res.rawPayload;
    const feats = decode(body);
    expect(feats.reduce((a, f) => a + (f.props.cluster ? Number(f.props.point_count) : 1), 0)).toBe(2);
    expect(feats.reduce((a, f) => a + (f.props.cluster ? Number(f.props.urgent) : f.props.p === 3 ? 1 : 0), 0)).toBe(1);

    expect((await get('/api/v1/map/cases/summary', nanan)).json().count).toBe(1);
    const [x, y] = tileOf(106.5455, 29.5635, 15);
    const own = await get(`/api/v1/map/cases/tiles/15/${x}/${y}.pbf`, yuzhong);
    expect(decode(own.rawPayload).map((f) => f.props.g)).toEqual([0]);
    // The same tile for the other district's operator holds nothing of Yuzhong's.
    expect((await get(`/api/v1/map/cases/tiles/15/${x}/${y}.pbf`, nanan)).statusCode).toBe(204);
  });

  it('carries a new case in the next summary and its tiles', async () => {
    const before = (await get('/api/v1/map/cases/summary', yuzhong)).json();
    await report(yuzhong, 106.5700, 29.5600);
    const after = (await get('/api/v1/map/cases/summary', yuzhong)).json();
    expect(after.count).toBe(before.count + 1);
    expect(after.version).toBeGreaterThan(before.version);
    const [x, y] = tileOf(106.57, 29.56, 15);
    expect(decode((await get(`/api/v1/map/cases/tiles/15/${x}/${y}`, yuzhong)).rawPayload)).toHaveLength(1);
  });

  it('refuses strangers, citizens and tiles that do not exist', async () => {
    expect((await get('/api/v1/map/cases/summary')).statusCode).toBe(401);
    expect((await get('/api/v1/map/cases/tiles/0/0/0.pbf')).statusCode).toBe(401);
    const citizen = await tp.signIn('citizen.zhang');
    const refused = await get('/api/v1/map/cases/summary', citizen);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    for (const bad of ['3/8/0.pbf', '3/0/8', '99/0/0', 'a/0/0', '3/0/1.png']) {
      const r = await get(`/api/v1/map/cases/tiles/${bad}`, yuzhong);
      expect(r.statusCode, bad).toBe(400);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
  });
});
