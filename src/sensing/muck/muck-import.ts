/**
 * Reads a muck-truck chain document — `{ sites: [...], permits: [...], trucks: [...] }` or a
 * GeoJSON FeatureCollection whose features say what they are in `properties.kind` (excavation,
 * disposal, permit, truck) — into records, with every problem named by its place in the document
 * (`permits/2`, `features/7`). Pure; the repository checks references against what is stored and
 * writes nothing when there is any error.
 */
import { toGcj02, type Crs } from '../../geo/crs.ts';
import type { Position } from '../../geo/geometry.ts';
import { normalizeAssetGeometry, representativePoint, validateAssetGeometry } from '../../assets/asset-geometry.ts';
import type { AssetGeometry } from '../../assets/asset.ts';
import { parseIsoTime } from './camera-event.ts';
import { normalizePlate } from './vehicle-plate.ts';
import { MUCK_SITE_KINDS, PERMIT_STATUSES, type MuckChain, type MuckPermit, type MuckSite, type MuckSiteKind, type MuckTruck, type PermitStatus, type RouteGeometry, type SiteGeometry } from './muck-chain.ts';

export interface MuckImportError {
  /** Where in the document: `sites/0`, `permits/2`, `trucks/1`, `features/7`, or `` for the whole. */
  readonly path: string;
  /** The position in its list, or -1 for the whole document. */
  readonly index: number;
  readonly reason: string;
}

export interface ParsedMuckDocument extends MuckChain {
  /** The document path of each record, parallel to sites, permits and trucks. */
  readonly paths: { readonly sites: readonly string[]; readonly permits: readonly string[]; readonly trucks: readonly string[] };
  readonly errors: readonly MuckImportError[];
}

export interface MuckDocumentOptions {
  /** Fills a site's district when the document gives none (from its representative point). */
  readonly districtOf?: (lng: number, lat: number) => string | null;
}

/** Ids of sites and permits: ASCII, like device ids, plus ':'. */
export const MUCK_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/** Dates without a time are days in China Standard Time (UTC+8), the zone permits are issued in. */
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const CST_OFFSET_MS = 8 * 3_600_000;

/** validFrom: a date is its first instant; validTo: a date is valid through its end (exclusive next midnight). */
export function readPermitTime(v: unknown, end: boolean): string | null {
  if (typeof v !== 'string') return null;
  const m = DATE_ONLY.exec(v.trim());
  if (m) {
    const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
    const utc = Date.UTC(y, mo - 1, d);
    const check = new Date(utc);
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
    return new Date(utc - CST_OFFSET_MS + (end ? 86_400_000 : 0)).toISOString();
  }
  return parseIsoTime(v)?.toISOString() ?? null;
}

const FIELD_ALIASES: Readonly<Record<string, readonly string[]>> = {
  id: ['id'],
  kind: ['kind'],
  name: ['name'],
  districtCode: ['districtCode', 'district_code'],
  number: ['number', 'permitNumber', 'permit_number'],
  company: ['company'],
  excavationSiteId: ['excavationSiteId', 'excavation_site_id'],
  disposalSiteId: ['disposalSiteId', 'disposal_site_id'],
  validFrom: ['validFrom', 'valid_from'],
  validTo: ['validTo', 'valid_to'],
  status: ['status'],
  plate: ['plate'],
  permitId: ['permitId', 'permit_id'],
  geometry: ['geometry'],
  route: ['route'],
  properties: ['properties'],
};
const KNOWN_NAMES = new Set(Object.values(FIELD_ALIASES).flat());

function field(o: Record<string, unknown>, name: keyof typeof FIELD_ALIASES): unknown {
  for (const n of FIELD_ALIASES[name]!) if (o[n] !== undefined) return o[n];
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Members that are not fields of the record, plus an explicit `properties` object. */
function extraProperties(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const explicit = o['properties'];
  if (isObject(explicit)) Object.assign(out, explicit);
  for (const [k, v] of Object.entries(o)) if (!KNOWN_NAMES.has(k)) out[k] = v;
  return out;
}

function text(v: unknown, max: number): string | null {
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return t.length > 0 && t.length <= max ? t : null;
}

class Bad extends Error {}
const bad = (reason: string): never => {
  throw new Bad(reason);
};

function convert(p: Position, crs: Crs): Position {
  const [x, y] = toGcj02(p[0], p[1], crs);
  return [x, y];
}

function readSite(o: Record<string, unknown>, geometry: unknown, crs: Crs, opts: MuckDocumentOptions): MuckSite {
  const id = field(o, 'id');
  if (typeof id !== 'string' || !MUCK_ID_PATTERN.test(id)) bad('id must be 1–64 letters, digits, dot, colon, underscore or hyphen');
  const kind = field(o, 'kind');
  if (!(MUCK_SITE_KINDS as readonly unknown[]).includes(kind)) bad(`kind must be ${MUCK_SITE_KINDS.join(' or ')}`);
  const name = text(field(o, 'name'), 200) ?? bad('name is required (at most 200 characters)');
  const reason = validateAssetGeometry(geometry, ['Point', 'Polygon']);
  if (reason) bad(`invalid geometry: ${reason}`);
  const g = normalizeAssetGeometry(geometry as AssetGeometry) as SiteGeometry;
  const converted: SiteGeometry = g.type === 'Point' ? { type: 'Point', coordinates: convert(g.coordinates, crs) } : { type: 'Polygon', coordinates: g.coordinates.map((r) => r.map((p) => convert(p, crs))) };
  let districtCode: string | null = null;
  const given = field(o, 'districtCode');
  if (given !== undefined && given !== null) districtCode = text(given, 32) ?? bad('districtCode must be a short string');
  else if (opts.districtOf) {
    const [x, y] = representativePoint(converted);
    districtCode = opts.districtOf(x, y);
  }
  return { id: id as string, kind: kind as MuckSiteKind, name, geometry: converted, districtCode, properties: extraProperties(o) };
}

function readPermit(o: Record<string, unknown>, route: unknown, crs: Crs): MuckPermit {
  const id = field(o, 'id');
  if (typeof id !== 'string' || !MUCK_ID_PATTERN.test(id)) bad('id must be 1–64 letters, digits, dot, colon, underscore or hyphen');
  const number = text(field(o, 'number'), 100) ?? bad('number (the permit number) is required');
  const company = text(field(o, 'company'), 200) ?? bad('company is required');
  const ex = field(o, 'excavationSiteId');
  if (typeof ex !== 'string' || !MUCK_ID_PATTERN.test(ex)) bad('excavationSiteId must name a site');
  const dis = field(o, 'disposalSiteId');
  if (typeof dis !== 'string' || !MUCK_ID_PATTERN.test(dis)) bad('disposalSiteId must name a site');
  const reason = validateAssetGeometry(route, ['LineString']);
  if (reason) bad(`invalid route: ${reason}`);
  const line = normalizeAssetGeometry(route as AssetGeometry) as RouteGeometry;
  const validFrom = readPermitTime(field(o, 'validFrom'), false) ?? bad('validFrom must be a date (YYYY-MM-DD, China time) or an ISO-8601 time with a zone');
  const validTo = readPermitTime(field(o, 'validTo'), true) ?? bad('validTo must be a date (YYYY-MM-DD, China time, valid through that day) or an ISO-8601 time with a zone');
  if (!(validFrom < validTo)) bad('validTo must be after validFrom');
  const status = field(o, 'status') ?? 'active';
  if (!(PERMIT_STATUSES as readonly unknown[]).includes(status)) bad(`status must be ${PERMIT_STATUSES.join(', ')}`);
  return {
    id: id as string,
    number,
    company,
    excavationSiteId: ex as string,
    disposalSiteId: dis as string,
    route: { type: 'LineString', coordinates: line.coordinates.map((p) => convert(p, crs)) },
    validFrom,
    validTo,
    status: status as PermitStatus,
    properties: extraProperties(o),
  };
}

function readTruck(o: Record<string, unknown>): MuckTruck {
  const raw = field(o, 'plate');
  const plate = (typeof raw === 'string' ? normalizePlate(raw) : null) ?? bad(`plate ${JSON.stringify(raw) ?? 'is missing'}: not a Chinese civil plate (e.g. 渝A·12345, new-energy 渝A·D12345 / 渝A·12345D)`);
  const company = text(field(o, 'company'), 200) ?? bad('company is required');
  const p = field(o, 'permitId');
  if (p !== undefined && p !== null && (typeof p !== 'string' || !MUCK_ID_PATTERN.test(p))) bad('permitId must name a permit, or be null');
  return { plate, permitId: (p as string | null | undefined) ?? null, company, properties: extraProperties(o) };
}

/** Reads the document. Records are returned for every item that reads; `errors` lists the rest. */
export function parseMuckChainDocument(input: unknown, opts: MuckDocumentOptions = {}): ParsedMuckDocument {
  const sites: MuckSite[] = [], permits: MuckPermit[] = [], trucks: MuckTruck[] = [];
  const paths = { sites: [] as string[], permits: [] as string[], trucks: [] as string[] };
  const errors: MuckImportError[] = [];
  const whole = (reason: string): ParsedMuckDocument => ({ sites, permits, trucks, paths, errors: [{ path: '', index: -1, reason }] });
  if (!isObject(input)) return whole('the document must be a JSON object: { sites, permits, trucks } or a GeoJSON FeatureCollection');
  const crsGiven = input['crs'];
  if (crsGiven !== undefined && crsGiven !== 'gcj02' && crsGiven !== 'wgs84') return whole('crs must be "gcj02" (the default) or "wgs84"');
  const crs: Crs = crsGiven === 'wgs84' ? 'wgs84' : 'gcj02';

  const attempt = (path: string, index: number, fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      if (e instanceof Bad) errors.push({ path, index, reason: e.message });
      else throw e;
    }
  };

  if (input['type'] === 'FeatureCollection') {
    const features = input['features'];
    if (!Array.isArray(features)) return whole('a FeatureCollection needs a features array');
    features.forEach((f: unknown, i) => {
      const path = `features/${i}`;
      attempt(path, i, () => {
        if (!isObject(f) || f['type'] !== 'Feature') bad('not a GeoJSON Feature');
        const feature = f as Record<string, unknown>;
        const props = isObject(feature['properties']) ? { ...feature['properties'] } : {};
        if (props['id'] === undefined && feature['id'] !== undefined) props['id'] = typeof feature['id'] === 'number' ? String(feature['id']) : feature['id'];
        const kind = props['kind'];
        if (kind === 'excavation' || kind === 'disposal') {
          sites.push(readSite(props, feature['geometry'], crs, opts));
          paths.sites.push(path);
        } else if (kind === 'permit') {
          delete props['kind'];
          permits.push(readPermit(props, feature['geometry'], crs));
          paths.permits.push(path);
        } else if (kind === 'truck') {
          delete props['kind'];
          trucks.push(readTruck(props));
          paths.trucks.push(path);
        } else bad('properties.kind must be excavation, disposal, permit or truck');
      });
    });
  } else {
    const unknown = Object.keys(input).filter((k) => !['sites', 'permits', 'trucks', 'crs'].includes(k));
    if (unknown.length > 0) return whole(`unknown member ${JSON.stringify(unknown[0])}: the document has sites, permits, trucks (and crs)`);
    for (const section of ['sites', 'permits', 'trucks'] as const) {
      const list = input[section];
      if (list === undefined) continue;
      if (!Array.isArray(list)) {
        errors.push({ path: section, index: -1, reason: `${section} must be an array` });
        continue;
      }
      list.forEach((item: unknown, i) => {
        const path = `${section}/${i}`;
        attempt(path, i, () => {
          if (!isObject(item)) bad('not an object');
          const o = item as Record<string, unknown>;
          if (section === 'sites') {
            sites.push(readSite(o, field(o, 'geometry'), crs, opts));
            paths.sites.push(path);
          } else if (section === 'permits') {
            permits.push(readPermit(o, field(o, 'route'), crs));
            paths.permits.push(path);
          } else {
            trucks.push(readTruck(o));
            paths.trucks.push(path);
          }
        });
      });
    }
  }

  // Duplicates inside the document.
  const dup = <T>(list: readonly T[], where: readonly string[], key: (t: T) => string, what: string): void => {
    const first = new Map<string, string>();
    list.forEach((t, i) => {
      const k = key(t);
      const seen = first.get(k);
      if (seen !== undefined) errors.push({ path: where[i]!, index: indexOf(where[i]!), reason: `${what} ${k} already given at ${seen}` });
      else first.set(k, where[i]!);
    });
  };
  dup(sites, paths.sites, (s) => s.id, 'site id');
  dup(permits, paths.permits, (p) => p.id, 'permit id');
  dup(permits, paths.permits, (p) => p.number, 'permit number');
  dup(trucks, paths.trucks, (t) => t.plate, 'plate');
  return { sites, permits, trucks, paths, errors: sortErrors(errors) };
}

function indexOf(path: string): number {
  const n = Number(path.slice(path.lastIndexOf('/') + 1));
  return Number.isInteger(n) ? n : -1;
}

const SECTION_ORDER: Readonly<Record<string, number>> = { '': 0, features: 1, sites: 2, permits: 3, trucks: 4 };
function sortErrors(errors: MuckImportError[]): MuckImportError[] {
  const section = (p: string) => SECTION_ORDER[p.split('/')[0]!] ?? 9;
  return errors.sort((a, b) => section(a.path) - section(b.path) || a.index - b.index);
}

const article = (kind: MuckSiteKind): string => (kind === 'excavation' ? 'an excavation' : 'a disposal');

/** What is already stored, as far as references need it. */
export interface StoredChainKeys {
  /** Site id → kind. */
  readonly sites: ReadonlyMap<string, MuckSiteKind>;
  /** Permit id → its number and site references. */
  readonly permits: ReadonlyMap<string, { number: string; excavationSiteId: string; disposalSiteId: string }>;
}

/**
 * Checks the document's references against itself and what is stored: a permit's sites exist and
 * are of the right kind, a truck's permit exists, a permit number is not another stored permit's,
 * and no stored permit is left pointing at a site whose kind the document changes.
 */
export function checkMuckChainReferences(doc: ParsedMuckDocument, stored: StoredChainKeys): MuckImportError[] {
  const errors: MuckImportError[] = [];
  const siteKind = new Map(stored.sites);
  for (const s of doc.sites) siteKind.set(s.id, s.kind);
  const permitIds = new Set([...stored.permits.keys(), ...doc.permits.map((p) => p.id)]);
  const byNumber = new Map<string, string>();
  for (const [id, p] of stored.permits) byNumber.set(p.number, id);
  const inDoc = new Set(doc.permits.map((p) => p.id));
  doc.permits.forEach((p, i) => {
    const path = doc.paths.permits[i]!;
    const fail = (reason: string) => errors.push({ path, index: indexOf(path), reason });
    for (const [ref, want] of [[p.excavationSiteId, 'excavation'], [p.disposalSiteId, 'disposal']] as const) {
      const k = siteKind.get(ref);
      if (k === undefined) fail(`${want === 'excavation' ? 'excavationSiteId' : 'disposalSiteId'} ${ref}: no such site`);
      else if (k !== want) fail(`${want === 'excavation' ? 'excavationSiteId' : 'disposalSiteId'} ${ref} is ${article(k)} site, not ${article(want)} site`);
    }
    const holder = byNumber.get(p.number);
    if (holder !== undefined && holder !== p.id && !inDoc.has(holder)) fail(`permit number ${p.number} belongs to stored permit ${holder}`);
  });
  doc.trucks.forEach((t, i) => {
    if (t.permitId !== null && !permitIds.has(t.permitId)) errors.push({ path: doc.paths.trucks[i]!, index: indexOf(doc.paths.trucks[i]!), reason: `permitId ${t.permitId}: no such permit` });
  });
  doc.sites.forEach((s, i) => {
    const before = stored.sites.get(s.id);
    if (before === undefined || before === s.kind) return;
    for (const [id, p] of stored.permits) {
      if (inDoc.has(id)) continue;
      if ((s.kind !== 'excavation' && p.excavationSiteId === s.id) || (s.kind !== 'disposal' && p.disposalSiteId === s.id)) {
        errors.push({ path: doc.paths.sites[i]!, index: indexOf(doc.paths.sites[i]!), reason: `site ${s.id} cannot become ${article(s.kind)} site: stored permit ${p.number} uses it as its ${before} site` });
        break;
      }
    }
  });
  return sortErrors(errors);
}
