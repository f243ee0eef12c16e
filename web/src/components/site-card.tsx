import { useEffect, useRef, useState } from 'react';
import { api, errorText } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { CockpitMap } from '../map/cockpit-map.ts';
import { Clock } from './case-bits.tsx';
import type { CaseSite, TaskArrival } from '../types.ts';

/**
 * 现场: the place of a task for the crew going there — address, nearest landmark, street and
 * community, a small map of the point over the server's boundary tiles, the distance from where
 * the user stands, navigation links (geo: in WGS-84 for the phone's map app; 高德 in GCJ-02), the
 * contact as far as the policy allows, and arrival on site (到场) with the phone's position.
 */

/** A position from the phone's GPS: WGS-84, with the accuracy it states. */
export interface PhonePosition {
  readonly lng: number;
  readonly lat: number;
  readonly accuracy: number;
  /** When the position was taken (ISO). */
  readonly at: string;
}

/** Great-circle distance in metres (haversine), both points in one datum. */
export function metresBetween(a: { lng: number; lat: number }, b: { lng: number; lat: number }): number {
  const r = Math.PI / 180;
  const s = Math.sin(((b.lat - a.lat) * r) / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(((b.lng - a.lng) * r) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(s)));
}

type Tr = (zh: string, en: string) => string;

/** The phone's position, or a message saying why there is none (refused, unavailable, too slow). */
export function phonePosition(tr: Tr): Promise<PhonePosition> {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(new Error(tr('此浏览器不支持定位，无法测距或登记到场。', 'This browser cannot tell your position: no distance, no arrival.')));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lng: p.coords.longitude, lat: p.coords.latitude, accuracy: p.coords.accuracy, at: new Date(p.timestamp || Date.now()).toISOString() }),
      (e) =>
        reject(
          new Error(
            e.code === e.PERMISSION_DENIED
              ? tr('无法获取您的位置：定位权限已被拒绝。请在浏览器设置中允许本站定位，或使用下方导航链接。', 'No position: location access was refused. Allow this site to use your location in the browser settings, or use the navigation links below.')
              : e.code === e.TIMEOUT
                ? tr('定位超时，请到开阔处重试。', 'Finding your position took too long; try again in the open.')
                : tr('暂时无法获取您的位置，请稍后重试。', 'Your position is not available now; try again shortly.'),
          ),
        ),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 30_000 },
    );
  });
}

export function distanceText(m: number, tr: Tr): string {
  return m >= 1000 ? tr(`${(m / 1000).toFixed(1)} 公里`, `${(m / 1000).toFixed(1)} km`) : tr(`${Math.round(m)} 米`, `${Math.round(m)} m`);
}

/** The small map: the site's point over the boundary tiles (GCJ-02, like the city's polygons). */
function SiteMap({ site }: { site: CaseSite }) {
  const el = useRef<HTMLDivElement | null>(null);
  useEffect(() => {
    if (!el.current) return;
    const { lng, lat } = site.gcj02;
    const d = 0.004;
    const m = new CockpitMap({ container: el.current, interactive: false, focus: { code: null, name: null, level: null, chain: [], geometry: null, bbox: [lng - d, lat - d * 0.8, lng + d, lat + d * 0.8] } });
    m.setSelected({ lng, lat });
    return () => m.destroy();
  }, [site.gcj02.lng, site.gcj02.lat]); // eslint-disable-line react-hooks/exhaustive-deps
  return <div ref={el} className="site-map" data-testid="site-map" style={{ height: 180, borderRadius: 6 }} />;
}

export function ArrivalLine({ arrival, arriveBy, overdue, now, done }: { arrival: TaskArrival | null | undefined; arriveBy: string | null | undefined; overdue?: boolean | undefined; now: number; done: boolean }) {
  const { tr, fmtTime } = useI18n();
  if (arrival) {
    return (
      <span data-testid="arrival-done">
        {tr('已到场', 'On site')} {fmtTime(arrival.at)} · {tr('距现场', 'from the site')} {distanceText(arrival.distanceM, tr)}
        {arrival.late && <span className="chip warn">{tr('超时到场', 'late')}</span>}
      </span>
    );
  }
  if (!arriveBy) return <span className="muted">{tr('未到场', 'Not yet on site')}</span>;
  return (
    <span data-testid="arrival-clock">
      <Clock due={arriveBy} done={done} now={now} />
      {overdue && <span className="chip warn">{tr('到场超时', 'arrival overdue')}</span>}
    </span>
  );
}

export interface SiteCardProps {
  readonly caseId: string;
  readonly arrival: TaskArrival | null | undefined;
  /** The task may be arrived on now (signed for or in progress, not yet arrived). */
  readonly canArrive: boolean;
  /** Sends (or queues) the arrival; resolves with a line to show. */
  readonly arrive: (pos: PhonePosition) => Promise<string>;
}

export function SiteCard({ caseId, arrival, canArrive, arrive }: SiteCardProps) {
  const { tr } = useI18n();
  const [site, setSite] = useState<CaseSite | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [showMap, setShowMap] = useState(false);
  const [distance, setDistance] = useState<string | null>(null);
  const [locating, setLocating] = useState(false);
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api<CaseSite>(`/api/v1/cases/${encodeURIComponent(caseId)}/site`).then(
      (s) => live && setSite(s),
      (e) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [caseId]);

  const measure = async () => {
    if (!site) return;
    setLocating(true);
    setError(null);
    try {
      const p = await phonePosition(tr);
      // The phone speaks WGS-84: compared with the site's WGS-84 point.
      setDistance(distanceText(metresBetween(p, site.wgs84), tr));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setLocating(false);
    }
  };

  const doArrive = async () => {
    setLocating(true);
    setError(null);
    setNote(null);
    try {
      const p = await phonePosition(tr);
      if (site) setDistance(distanceText(metresBetween(p, site.wgs84), tr));
      setNote(await arrive(p));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setLocating(false);
    }
  };

  const street = site?.chain.find((l) => l.level === 'street')?.name;
  const community = site?.chain.find((l) => l.level === 'community')?.name;
  return (
    <div className="site" data-testid="site-card">
      {!site && !error && <p className="small muted" role="status">{tr('正在读取现场信息…', 'Reading the site…')}</p>}
      {site && (
        <dl className="facts">
          <div>
            <dt>{tr('地址', 'Address')}</dt>
            <dd data-testid="site-address">{site.address || '—'}</dd>
          </div>
          <div>
            <dt>{tr('附近地标', 'Landmark')}</dt>
            <dd data-testid="site-landmark">
              {site.landmark ? (site.landmark.distanceM < 15 ? site.landmark.name : tr(`${site.landmark.name}附近 ${distanceText(site.landmark.distanceM, tr)}`, `${distanceText(site.landmark.distanceM, tr)} from ${site.landmark.name}`)) : tr('附近无标志性地点', 'No landmark nearby')}
            </dd>
          </div>
          {(street || community) && (
            <div>
              <dt>{tr('街道/社区', 'Street / community')}</dt>
              <dd>{[street, community].filter(Boolean).join(' · ')}</dd>
            </div>
          )}
          {site.siteContact && (
            <div>
              <dt>{tr('现场联系人', 'On-site contact')}</dt>
              <dd data-testid="site-contact-onsite">
                {site.siteContact.name ?? ''} <a href={`tel:${site.siteContact.phone}`}>{site.siteContact.phone}</a>
              </dd>
            </div>
          )}
          <div>
            <dt>{tr('上报人', 'Reporter')}</dt>
            <dd data-testid="site-contact">
              {site.contact.anonymous && !site.contact.full ? tr('匿名上报', 'Reported anonymously') : site.contact.name || site.contact.phone ? (
                <>
                  {site.contact.name ?? ''} {site.contact.full && site.contact.phone ? <a href={`tel:${site.contact.phone}`}>{site.contact.phone}</a> : site.contact.phone}
                  {!site.contact.full && <span className="muted small"> · {tr('完整联系方式仅指挥中心可见，请经中心联系', 'the full contact is for the center only: call through the center')}</span>}
                </>
              ) : (
                tr('无', 'None')
              )}
            </dd>
          </div>
          {distance && (
            <div>
              <dt>{tr('距我', 'From me')}</dt>
              <dd data-testid="site-distance">{distance}</dd>
            </div>
          )}
        </dl>
      )}
      {site && (
        <div className="row wrap small">
          <a href={site.geoUri} data-testid="site-geo" title={tr('WGS-84 坐标，手机自带地图可用', 'WGS-84, for the phone\'s own map app')}>
            {tr('手机地图导航（WGS-84 坐标）', 'Navigate in the phone\'s map app (WGS-84)')}
          </a>
          <a href={site.amapUrl} target="_blank" rel="noreferrer" data-testid="site-amap">
            {tr('高德地图（GCJ-02 坐标）', 'AMap (GCJ-02)')}
          </a>
          <button type="button" onClick={() => setShowMap((x) => !x)} aria-expanded={showMap} data-testid="site-map-toggle">
            {showMap ? tr('收起地图', 'Hide map') : tr('查看地图', 'Show map')}
          </button>
          <button type="button" onClick={() => void measure()} disabled={locating} data-testid="site-measure">
            {tr('测距离', 'How far?')}
          </button>
          {canArrive && !arrival && (
            <button type="button" className="primary" onClick={() => void doArrive()} disabled={locating} data-testid="task-arrive">
              {locating ? tr('定位中…', 'Locating…') : tr('到场登记', 'Record arrival')}
            </button>
          )}
        </div>
      )}
      {site && showMap && <SiteMap site={site} />}
      {note && <p className="small" role="status" data-testid="arrive-note">{note}</p>}
      {error && <p className="error small" role="alert" data-testid="site-error">{error}</p>}
    </div>
  );
}
