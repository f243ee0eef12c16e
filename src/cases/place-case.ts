/**
 * Placing a report on the map: GCJ-02 coordinates and the jurisdiction chain of a point, the city
 * as a whole for a place nobody could find, and the other districts a report concerns (跨区域).
 */
import { CityLoopError } from '../errors.ts';
import { toGcj02, type Crs } from '../geo/crs.ts';
import { geometryBBox } from '../geo/geometry.ts';
import type { JurisdictionResolver } from '../geo/resolver.ts';
import type { ChainLink } from './case-model.ts';
import type { DistrictsNear } from './case-ports.ts';

/** A place within this distance of another district's boundary makes a joint case of both. */
export const JOINT_CASE_METERS = 100;

export interface Place {
  readonly lng: number;
  readonly lat: number;
  readonly chain: ChainLink[];
}

/** Places a point on the map: GCJ-02 coordinates and the jurisdiction chain, or an error. */
export function locate(resolver: JurisdictionResolver, lng: number, lat: number, crs: Crs): Place {
  if (!Number.isFinite(lng) || !Number.isFinite(lat) || lng < -180 || lng > 180 || lat < -90 || lat > 90) {
    throw new CityLoopError('BAD_COORDINATES', { detail: `lng=${lng}, lat=${lat}` });
  }
  const [gx, gy] = toGcj02(lng, lat, crs);
  const found = resolver.resolve(gx, gy);
  if (!found) throw new CityLoopError('GEO_OUTSIDE_CITY', { lng, lat });
  return { lng: gx, lat: gy, chain: found.chain.map((l) => ({ code: l.code, name: l.name, level: l.level })) };
}

/** The city as a whole: the middle of its districts' extent, and a chain of the city alone. */
export function cityPlace(resolver: JurisdictionResolver): Place {
  const city = resolver.list('city')[0];
  const boxes = resolver.list('district').map((d) => (d.geometry ? geometryBBox(d.geometry) : null)).filter((b): b is [number, number, number, number] => b !== null);
  if (!city || boxes.length === 0) throw new CityLoopError('GEO_OUTSIDE_CITY', { lng: '?', lat: '?' });
  const lng = (Math.min(...boxes.map((b) => b[0])) + Math.max(...boxes.map((b) => b[2]))) / 2;
  const lat = (Math.min(...boxes.map((b) => b[1])) + Math.max(...boxes.map((b) => b[3]))) / 2;
  return { lng, lat, chain: [{ code: city.code, name: city.name, level: 'city' }] };
}

/**
 * 跨区域: the other districts a report concerns — those within JOINT_CASE_METERS of the place,
 * and those a reported line (a trail, a bank) passes through.
 */
export function jointDistricts(
  resolver: JurisdictionResolver,
  near: DistrictsNear | undefined,
  place: Place,
  line: readonly (readonly [number, number])[] | undefined,
  crs: Crs,
): { code: string; name: string }[] {
  const own = place.chain.find((l) => l.level === 'district')?.code;
  const found = new Map<string, string>();
  for (const d of near?.districtsWithin(place.lng, place.lat, JOINT_CASE_METERS) ?? []) found.set(d.code, d.name);
  if (line) {
    if (line.length < 2 || line.length > 1000) throw new CityLoopError('VALIDATION_FAILED', { detail: 'line: 2 to 1000 positions' });
    for (const [x, y] of line) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) throw new CityLoopError('BAD_COORDINATES', { detail: 'line positions must be numbers' });
      const [gx, gy] = toGcj02(x, y, crs);
      const d = resolver.resolve(gx, gy)?.chain.find((l) => l.level === 'district');
      if (d) found.set(d.code, d.name);
    }
  }
  found.delete(own ?? '');
  return [...found].map(([code, name]) => ({ code, name })).sort((a, b) => a.code.localeCompare(b.code));
}
