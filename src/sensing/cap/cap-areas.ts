/**
 * Where a CAP message applies in our city: for each <info>/<area>, the districts its polygons
 * and circles touch. CAP coordinates are WGS-84 and our jurisdictions GCJ-02, so every vertex
 * and centre is converted first (the shift is 300–500 m around Chongqing: enough to move an
 * area across a river onto the wrong district). Pure; the geography comes in as an interface.
 *
 * An area with only geocodes (SAME, FIPS, a profile's location codes) or only a description
 * names no place we can draw: it is reported as unmapped, never guessed. An area that is drawn
 * but lies wholly outside the city touches no district — most public alerts are elsewhere.
 */
import { wgs84ToGcj02 } from '../../geo/crs.ts';
import type { CapDistrict, CapGeography, Gcj02 } from './cap-geo.ts';
import type { CapMessage, CapValuePair } from './cap-model.ts';

export interface CapCircleGcj02 {
  readonly center: Gcj02;
  readonly radiusMeters: number;
}

export interface CapAreaTarget {
  readonly infoIndex: number;
  readonly areaIndex: number;
  readonly areaDesc: string;
  /**
   * true when the area has at least one polygon or circle. false: geocodes or a description
   * only, which we cannot place (see `geocode`).
   */
  readonly mapped: boolean;
  /** The districts of our city it touches, in code order; empty when unmapped or outside the city. */
  readonly districts: CapDistrict[];
  /** The area's polygons, converted to GCJ-02, for the map. */
  readonly polygonsGcj02: Gcj02[][];
  readonly circlesGcj02: CapCircleGcj02[];
  readonly geocode: CapValuePair[];
}

/** One target per <area> of every <info>, in document order. */
export function capAreaTargets(message: CapMessage, geo: CapGeography): CapAreaTarget[] {
  const out: CapAreaTarget[] = [];
  message.infos.forEach((info, infoIndex) => {
    info.area.forEach((area, areaIndex) => {
      const polygonsGcj02 = area.polygon.map((ring) => ring.map(([lon, lat]) => wgs84ToGcj02(lon, lat)));
      const circlesGcj02 = area.circle.map((c) => ({ center: wgs84ToGcj02(c.center[0], c.center[1]), radiusMeters: c.radiusKm * 1000 }));
      const found = new Map<string, CapDistrict>();
      if (polygonsGcj02.length > 0) for (const d of geo.districtsTouching(polygonsGcj02)) found.set(d.code, d);
      for (const c of circlesGcj02) for (const d of geo.districtsWithinCircle(c.center, c.radiusMeters)) found.set(d.code, d);
      out.push({
        infoIndex,
        areaIndex,
        areaDesc: area.areaDesc,
        mapped: polygonsGcj02.length > 0 || circlesGcj02.length > 0,
        districts: [...found.values()].sort((a, b) => (a.code < b.code ? -1 : 1)),
        polygonsGcj02,
        circlesGcj02,
        geocode: area.geocode,
      });
    });
  });
  return out;
}
