import type { FastifyInstance } from 'fastify';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { Type, type Static } from '@sinclair/typebox';
import type { Platform } from '../platform.ts';
import { CityLoopError } from '../errors.ts';
import { requirePrincipal } from '../server/app.ts';
import { withProblems } from '../server/schemas.ts';
import { hasRole, type Principal } from '../auth/principal.ts';
import { CASE_STATES, PRIORITIES } from '../cases/case-model.ts';
import type { JurisdictionRecord } from '../geo/jurisdiction.ts';

/** States in which a case no longer needs anyone: the map leaves them out unless asked. */
const FINISHED = ['closed', 'evaluated', 'declined', 'merged'];
/** One answer carries at most this many points; the cockpit's aim is 100,000 smooth. */
const MAX_POINTS = 250_000;

const PointsQuery = Type.Object({
  jurisdiction: Type.Optional(Type.String({ maxLength: 30, description: 'narrow to this jurisdiction (inside your own)' })),
  all: Type.Optional(Type.Boolean({ default: false, description: 'include finished cases (closed, evaluated, declined, merged)' })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('bin')], { default: 'json', description: 'json: columns as arrays; bin: the same columns packed (see encodeMapColumns), gzip-compressed when the client accepts it' })),
});

const gzipAsync = promisify(gzip);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The value of a lowercase hex digit by its character code. */
const NIBBLE = new Uint8Array(128);
for (let d = 0; d < 16; d++) NIBBLE['0123456789abcdef'.charCodeAt(d)] = d;

export interface MapColumns {
  readonly count: number;
  readonly truncated: boolean;
  readonly states: readonly string[];
  readonly priorities: readonly string[];
  readonly id: readonly string[];
  readonly lng: readonly number[];
  readonly lat: readonly number[];
  readonly state: readonly number[];
  readonly priority: readonly number[];
  readonly overdue: readonly number[];
}

/**
 * The map's case columns packed for the wire (`format=bin`, application/vnd.cityloop.map-columns):
 *
 *   "CLM1" · u32 header length H · H bytes of header JSON {count, truncated, states, priorities, ids}
 *   · zero padding to a multiple of 4 · i32 lng[count] · i32 lat[count] (millionths of a degree)
 *   · u8 state[count] · u8 priority[count] · u8 overdue[count]
 *   · ids: 16 bytes each when every id is a UUID (ids: "uuid"), else UTF-8 joined by "\n" (ids: "text")
 *
 * All integers little-endian. 100,000 cases are 2.7 MB instead of 5.6 MB of JSON, and the browser
 * reads them as typed arrays without parsing text or making 100,000 strings.
 */
export function encodeMapColumns(c: MapColumns): Buffer {
  const n = c.count;
  const uuid = c.id.every((x) => UUID.test(x));
  const header = Buffer.from(JSON.stringify({ count: n, truncated: c.truncated, states: c.states, priorities: c.priorities, ids: uuid ? 'uuid' : 'text' }), 'utf8');
  const start = Math.ceil((8 + header.length) / 4) * 4;
  const idsText = uuid ? null : Buffer.from(c.id.join('\n'), 'utf8');
  const buf = Buffer.alloc(start + n * 11 + (uuid ? n * 16 : idsText!.length));
  buf.write('CLM1', 0, 'latin1');
  buf.writeUInt32LE(header.length, 4);
  header.copy(buf, 8);
  let o = start;
  for (let i = 0; i < n; i++, o += 4) buf.writeInt32LE(Math.round(c.lng[i]! * 1e6), o);
  for (let i = 0; i < n; i++, o += 4) buf.writeInt32LE(Math.round(c.lat[i]! * 1e6), o);
  for (let i = 0; i < n; i++) buf[o++] = c.state[i]!;
  for (let i = 0; i < n; i++) buf[o++] = c.priority[i]!;
  for (let i = 0; i < n; i++) buf[o++] = c.overdue[i]!;
  if (uuid) {
    // Hex digits straight into bytes (Buffer.write(…, 'hex') per id costs twice as much).
    for (let i = 0; i < n; i++) {
      const id = c.id[i]!;
      for (let k = 0; k < 36; k++) {
        const hi = id.charCodeAt(k);
        if (hi === 45) continue; // '-'
        buf[o++] = (NIBBLE[hi]! << 4) | NIBBLE[id.charCodeAt(++k)]!;
      }
    }
  } else idsText!.copy(buf, o);
  return buf;
}

type Eb = any;

function subtreeFilter(p: Platform, code: string) {
  const level = p.resolver().get(code)?.level;
  return (eb: Eb) => {
    if (level === 'city') return eb(eb.val(1), '=', 1);
    if (level === 'district') return eb('district_code', '=', code);
    if (level === 'street') return eb('street_code', '=', code);
    if (level === 'grid') return eb('jurisdiction_code', '=', code);
    return eb('chain', 'like', `%"${code.replace(/[%_"\\]/g, '')}"%`);
  };
}

/** The map shows cases located in the viewer's jurisdiction: a subset of what the case policy lets them see. */
function assertMapViewer(p: Principal): void {
  if (hasRole(p, 'admin', 'system')) return;
  if (hasRole(p, 'operator', 'supervisor', 'grid_worker') && p.jurisdictionCode) return;
  throw new CityLoopError('FORBIDDEN_ROLE', { action: 'read the case map' });
}

function bboxOf(r: JurisdictionRecord | undefined): [number, number, number, number] | null {
  const g = r?.geometry as { type: string; coordinates: unknown } | null | undefined;
  if (!g) return null;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as [number, number];
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    } else if (Array.isArray(c)) for (const x of c) walk(x);
  };
  walk(g.coordinates);
  return Number.isFinite(minX) ? [minX, minY, maxX, maxY] : null;
}

/**
 * Read-only projections for the cockpit's map. `cases` answers every open case of the viewer's
 * jurisdiction as columns (not one object per case), so that 100,000 points arrive in one small
 * answer read straight from the `cases` table's columns without parsing any case document.
 */
export function registerMapRoutes(app: FastifyInstance, platform: Platform): void {
  const bearer = [{ bearer: [] }];
  app.get<{ Querystring: Static<typeof PointsQuery> }>(
    '/api/v1/map/cases',
    {
      schema: {
        tags: ['map'],
        summary: '驾驶舱地图 — the cases of your jurisdiction as columns for the map (id, position, state, priority, overdue); open cases unless all=true',
        security: bearer,
        querystring: PointsQuery,
        produces: ['application/json', 'application/vnd.cityloop.map-columns'],
        response: withProblems({
          200: Type.Object({
            count: Type.Integer(),
            truncated: Type.Boolean(),
            states: Type.Array(Type.String()),
            priorities: Type.Array(Type.String()),
            id: Type.Array(Type.String()),
            lng: Type.Array(Type.Number()),
            lat: Type.Array(Type.Number()),
            state: Type.Array(Type.Integer({ description: 'index into states' })),
            priority: Type.Array(Type.Integer({ description: 'index into priorities' })),
            overdue: Type.Array(Type.Integer()),
          }),
        }),
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      assertMapViewer(p);
      let q = platform.store.db.selectFrom('cases').select(['id', 'lng', 'lat', 'state', 'priority', 'overdue']);
      if (!hasRole(p, 'admin', 'system') && p.jurisdictionCode) {
        const own = subtreeFilter(platform, p.jurisdictionCode);
        q = q.where((eb) => own(eb));
      }
      if (req.query.jurisdiction) {
        const narrow = subtreeFilter(platform, req.query.jurisdiction);
        q = q.where((eb) => narrow(eb));
      }
      if (!req.query.all) q = q.where('state', 'not in', FINISHED);
      const rows = await q.limit(MAX_POINTS + 1).execute();
      const n = Math.min(rows.length, MAX_POINTS);
      const stateIndex = new Map<string, number>(CASE_STATES.map((s, i) => [s, i]));
      const priorityIndex = new Map<string, number>(PRIORITIES.map((s, i) => [s, i]));
      const out = { count: n, truncated: rows.length > MAX_POINTS, states: [...CASE_STATES], priorities: [...PRIORITIES], id: new Array<string>(n), lng: new Array<number>(n), lat: new Array<number>(n), state: new Array<number>(n), priority: new Array<number>(n), overdue: new Array<number>(n) };
      for (let i = 0; i < n; i++) {
        const r = rows[i]!;
        out.id[i] = r.id;
        // Six decimals are ~0.1 m: plenty for the map and a third shorter on the wire.
        out.lng[i] = Math.round(r.lng * 1e6) / 1e6;
        out.lat[i] = Math.round(r.lat * 1e6) / 1e6;
        out.state[i] = stateIndex.get(r.state) ?? 0;
        out.priority[i] = priorityIndex.get(r.priority) ?? 1;
        out.overdue[i] = Number(r.overdue) ? 1 : 0;
      }
      if (req.query.format === 'bin') {
        const bin = encodeMapColumns(out);
        reply.type('application/vnd.cityloop.map-columns').header('vary', 'accept-encoding').header('cache-control', 'no-store');
        // Level 1: the random part of the ids does not shrink anyway, and the coordinates do at once.
        if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(await gzipAsync(bin, { level: 1 }));
        return reply.send(bin);
      }
      // The response schema would copy 100,000 × 6 values through the serializer: send the text.
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(out));
    },
  );

  app.get(
    '/api/v1/map/focus',
    {
      schema: {
        tags: ['map'],
        summary: '驾驶舱地图 — where the signed-in user works: the jurisdiction, its chain up to the city, its outline and bounding box',
        security: bearer,
        response: withProblems({
          200: Type.Object({
            code: Type.Union([Type.String(), Type.Null()]),
            name: Type.Union([Type.String(), Type.Null()]),
            level: Type.Union([Type.String(), Type.Null()]),
            chain: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), level: Type.String() })),
            bbox: Type.Union([Type.Array(Type.Number(), { minItems: 4, maxItems: 4 }), Type.Null()]),
            geometry: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
            capabilities: Type.Object(
              { alerts: Type.Boolean(), devices: Type.Boolean(), indicators: Type.Boolean() },
              { description: 'which optional layers this server offers (the sensing routes), so the cockpit asks only for those' },
            ),
          }),
        }),
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      const resolver = platform.resolver();
      const city = resolver.list('city')[0];
      const code = p.jurisdictionCode ?? city?.code ?? null;
      const rec = code ? resolver.get(code) : undefined;
      const chain: { code: string; name: string; level: string }[] = [];
      for (let r = rec; r; r = r.parentCode ? resolver.get(r.parentCode) : undefined) chain.unshift({ code: r.code, name: r.name, level: r.level });
      let bbox = bboxOf(rec);
      if (!bbox && rec) {
        // The city may have no polygon of its own: its area is the union of its districts.
        const boxes = resolver.childrenOf(rec.code).map(bboxOf).filter((b): b is [number, number, number, number] => b !== null);
        if (boxes.length > 0) bbox = [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
      }
      const has = (url: string) => app.hasRoute({ method: 'GET', url });
      const capabilities = { alerts: has('/api/v1/alerts'), devices: has('/api/v1/devices'), indicators: has('/api/v1/indicators') };
      return { code: rec?.code ?? null, name: rec?.name ?? null, level: rec?.level ?? null, chain, bbox, geometry: (rec?.geometry as object | null | undefined) ?? null, capabilities };
    },
  );
}
