/**
 * Coordinate reference systems used by CityLoop.
 *
 * Chinese web maps (AMap, Tencent, the DataV boundaries we ship) publish GCJ-02 coordinates, an
 * obfuscated datum that is shifted by a few hundred metres from WGS-84 (GPS). Everything stored
 * and indexed by the platform is GCJ-02 so that it lines up with the basemap; devices that report
 * WGS-84 are converted at the edge with `toGcj02`.
 *
 * Why not a library: GCJ-02 is one published formula of a few dozen lines; gcoord or
 * coordtransform carry the same formula and datums we do not use, and this one is pinned by tests
 * (the known 300–600 m shift, a round trip under 1 cm).
 */

export type Crs = 'wgs84' | 'gcj02';
export type LngLat = readonly [number, number];

// Krasovsky 1940 ellipsoid, the one the GCJ-02 formula is defined on.
const KRASOVSKY_A = 6378245.0;
const KRASOVSKY_EE = 0.00669342162296594323;

/** IUGG mean Earth radius, the usual choice for haversine distances. */
export const EARTH_RADIUS_METERS = 6371008.8;

/**
 * GCJ-02 is only applied inside China. The rough rectangle below is the one used by the widely
 * circulated public implementations of the formula (eviltransform, coordtransform), so points
 * converted here agree with theirs.
 */
export function isOutsideChina(lng: number, lat: number): boolean {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

// The two polynomial-plus-harmonics terms of the public GCJ-02 formula (leaked reference code,
// reproduced in many open-source converters); x and y are offsets from (105°E, 35°N).
function shiftLat(x: number, y: number): number {
  let r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  r += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320.0 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  return r;
}

function shiftLng(x: number, y: number): number {
  let r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  r += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  return r;
}

/** WGS-84 → GCJ-02 with the public formula; points outside China are returned unchanged. */
export function wgs84ToGcj02(lng: number, lat: number): [number, number] {
  if (isOutsideChina(lng, lat)) return [lng, lat];
  const dLatRaw = shiftLat(lng - 105.0, lat - 35.0);
  const dLngRaw = shiftLng(lng - 105.0, lat - 35.0);
  const radLat = (lat / 180.0) * Math.PI;
  const sinLat = Math.sin(radLat);
  const magic = 1 - KRASOVSKY_EE * sinLat * sinLat;
  const sqrtMagic = Math.sqrt(magic);
  // Metres-per-degree scaling on the ellipsoid: meridional radius for latitude, parallel radius
  // for longitude.
  const dLat = (dLatRaw * 180.0) / (((KRASOVSKY_A * (1 - KRASOVSKY_EE)) / (magic * sqrtMagic)) * Math.PI);
  const dLng = (dLngRaw * 180.0) / ((KRASOVSKY_A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return [lng + dLng, lat + dLat];
}

/**
 * GCJ-02 → WGS-84. The forward shift has no closed-form inverse, but it varies slowly (a few
 * hundred metres over hundreds of kilometres), so fixed-point iteration w ← w − (f(w) − g)
 * converges geometrically; 1e-10° (~1 cm / 1000) is reached in a handful of steps.
 */
export function gcj02ToWgs84(lng: number, lat: number): [number, number] {
  if (isOutsideChina(lng, lat)) return [lng, lat];
  let wLng = lng;
  let wLat = lat;
  for (let i = 0; i < 30; i++) {
    const [fLng, fLat] = wgs84ToGcj02(wLng, wLat);
    const eLng = fLng - lng;
    const eLat = fLat - lat;
    wLng -= eLng;
    wLat -= eLat;
    if (Math.abs(eLng) < 1e-10 && Math.abs(eLat) < 1e-10) break;
  }
  return [wLng, wLat];
}

/** Converts a position given in `crs` to GCJ-02, the platform's storage datum. */
export function toGcj02(lng: number, lat: number, crs: Crs): [number, number] {
  return crs === 'wgs84' ? wgs84ToGcj02(lng, lat) : [lng, lat];
}

/** Converts a GCJ-02 position to `crs` for output. */
export function fromGcj02(lng: number, lat: number, crs: Crs): [number, number] {
  return crs === 'wgs84' ? gcj02ToWgs84(lng, lat) : [lng, lat];
}

/** Great-circle distance on a sphere of mean Earth radius (haversine formula, R. W. Sinnott 1984). */
export function haversineMeters(a: LngLat, b: LngLat): number {
  const toRad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * toRad;
  const dLng = (b[0] - a[0]) * toRad;
  const s =
    Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * toRad) * Math.cos(b[1] * toRad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(s)));
}

/**
 * Guards a position coming from outside (API, device, file). Throws a plain RangeError so that
 * this module stays free of the API error catalogue; the HTTP layer maps it to BAD_COORDINATES.
 */
export function assertLngLat(lng: unknown, lat: unknown): void {
  if (typeof lng !== 'number' || !Number.isFinite(lng)) {
    throw new RangeError(`longitude must be a finite number, got ${String(lng)}`);
  }
  if (typeof lat !== 'number' || !Number.isFinite(lat)) {
    throw new RangeError(`latitude must be a finite number, got ${String(lat)}`);
  }
  if (lng < -180 || lng > 180) {
    throw new RangeError(`longitude ${lng} is out of range [-180, 180]`);
  }
  if (lat < -90 || lat > 90) {
    throw new RangeError(`latitude ${lat} is out of range [-90, 90]`);
  }
}
