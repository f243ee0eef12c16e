import type { Principal } from '../auth/principal.ts';
import { gcj02ToWgs84 } from '../geo/crs.ts';
import type { CaseDoc, Reporter, SiteContact } from './case-model.ts';
import { canSeeReporterContact } from './case-policy.ts';
import { reporterSeenBy } from './present-case.ts';

/**
 * 现场: what a field crew needs to find the place of a case — the address, the nearest named
 * landmark, the street and community it lies in, the point in both datums with a navigation link,
 * and whom to call there as far as the policy lets this viewer see it. Pure: the landmark comes from
 * a lookup the caller passes in (the asset map).
 *
 * Datums: the case stores GCJ-02 (the city's polygons and Chinese map apps, e.g. 高德); a `geo:` URI
 * (RFC 5870) is WGS-84, which the phone's own map app and GPS speak, so it carries the converted point.
 */
export interface SiteLandmark {
  readonly name: string;
  /** Straight-line distance from the case's point, metres (0: the point lies inside it). */
  readonly distanceM: number;
}

export interface CaseSite {
  readonly caseId: string;
  readonly number: string;
  readonly title: string;
  readonly address: string;
  readonly gcj02: { readonly lng: number; readonly lat: number };
  readonly wgs84: { readonly lng: number; readonly lat: number };
  /** The jurisdictions the point lies in, largest first (district, street, community, grid). */
  readonly chain: readonly { readonly code: string; readonly name: string; readonly level: string }[];
  readonly landmark: SiteLandmark | null;
  /** `geo:lat,lng` in WGS-84 (RFC 5870), for the phone's map app. */
  readonly geoUri: string;
  /** A 高德 (AMap) marker link, GCJ-02 as AMap expects. */
  readonly amapUrl: string;
  /** The reporter as this viewer may see them (masked unless the policy allows the contact). */
  readonly contact: Reporter & { readonly full: boolean };
  /** 现场联系人 given with the report, for whoever handles the case. */
  readonly siteContact: SiteContact | null;
}

/** Metres → six decimals of a degree (about 0.1 m): enough for a door, no more. */
const six = (x: number) => Math.round(x * 1e6) / 1e6;

export function siteOf(doc: CaseDoc, p: Principal, landmark: SiteLandmark | null): CaseSite {
  const { lng, lat } = doc.location;
  const [wLng, wLat] = gcj02ToWgs84(lng, lat);
  const wgs84 = { lng: six(wLng), lat: six(wLat) };
  const name = encodeURIComponent(doc.location.address || doc.title);
  return {
    caseId: doc.id,
    number: doc.number,
    title: doc.title,
    address: doc.location.address,
    gcj02: { lng: six(lng), lat: six(lat) },
    wgs84,
    chain: doc.chain.map((l) => ({ code: l.code, name: l.name, level: l.level })),
    landmark: landmark ? { name: landmark.name, distanceM: Math.round(landmark.distanceM) } : null,
    geoUri: `geo:${wgs84.lat},${wgs84.lng}?q=${wgs84.lat},${wgs84.lng}`,
    amapUrl: `https://uri.amap.com/marker?position=${six(lng)},${six(lat)}&name=${name}&coordinate=gaode&callnative=1`,
    contact: { ...reporterSeenBy(p, doc), full: canSeeReporterContact(p, doc) },
    siteContact: doc.siteContact ?? null,
  };
}
