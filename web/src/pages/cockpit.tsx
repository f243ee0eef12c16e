import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { api, apiOptional, errorText, qs } from '../api.ts';
import { eventName } from '../labels.ts';
import { useI18n } from '../i18n.tsx';
import { liveFeed, ALERT_EVENTS } from '../live-feed.ts';
import { CockpitMap } from '../map/cockpit-map.ts';
import { fetchCaseLayer, takeCockpitData } from '../map/cockpit-data.ts';
import { COLORS, SEVERITY_COLORS } from '../map/style.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { OPEN_ALERT, SeverityChip, beep } from '../components/alert-bits.tsx';
import { PriorityChip, StateChip, TaskTable, caseChain } from '../components/case-bits.tsx';
import { latestPlot, loadPlot } from '../plots.ts';
import { LiveActivity } from '../components/live-activity.tsx';
import type { AlertView, CaseView, DeviceView, Indicators, MapFocus, CaseLayer } from '../types.ts';

// What the first screen does not show is loaded when it is opened.
const AlertPanel = lazy(() => import('../components/alerts.tsx').then((m) => ({ default: m.AlertPanel })));
// The vital signs come with the side panels, after the first map: their code is fetched then.
const VitalSigns = lazy(() => import('../components/vital-signs.tsx').then((m) => ({ default: m.VitalSigns })));
// Model results (模型分析) are drawn on the map on request: their code comes with the side panels.
const ModelResults = lazy(() => import('../components/model-results.tsx').then((m) => ({ default: m.ModelResults })));
const DispatchDialog = lazy(() => import('../components/dispatch-dialog.tsx').then((m) => ({ default: m.DispatchDialog })));

const FINISHED = new Set(['closed', 'evaluated', 'declined', 'merged']);
const URGENT = new Set(['orange', 'red']);
const SEVERITY_RANK: Record<string, number> = { blue: 1, yellow: 2, orange: 3, red: 4 };
/** Alert events after which a device's light may have gone out: the device list is asked again. */
const ALERT_ENDED = new Set(['AlertCleared', 'AlertDismissed']);
/** The longest the side panels wait for the first map before they are asked for anyway. */
const PANELS_WAIT_MS = 3000;

export default function Cockpit() {
  const { tr, fmtTime, fmtNumber, lang } = useI18n();
  const { session } = useSession();
  const mapEl = useRef<HTMLDivElement>(null);
  const mapRef = useRef<CockpitMap | null>(null);
  /** The map once made (the model results draw on it). */
  const [mapMade, setMapMade] = useState<CockpitMap | null>(null);
  const [focus, setFocus] = useState<MapFocus | null>(null);
  const [caseCount, setCaseCount] = useState<number | null>(null);
  const [devicesCapped, setDevicesCapped] = useState<number | null>(null);
  const [toRegister, setToRegister] = useState<CaseView[]>([]);
  const [overdue, setOverdue] = useState<CaseView[]>([]);
  const [alerts, setAlerts] = useState<AlertView[] | null>(null);
  const alertsRef = useRef<AlertView[] | null>(null);
  alertsRef.current = alerts;
  const [selected, setSelected] = useState<CaseView | null>(null);
  const [dispatching, setDispatching] = useState<CaseView | null>(null);
  const [alertOpen, setAlertOpen] = useState<string | null>(null);
  const [alertLive, setAlertLive] = useState<AlertView | undefined>(undefined);
  const [freshAlerts, setFreshAlerts] = useState<ReadonlySet<string>>(new Set());
  const [vitals, setVitals] = useState<Indicators | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The side panels (lists, alerts, vital signs) are asked for once the map shows the city, or
  // after PANELS_WAIT_MS at the latest: their queries and their rendering took the server's and
  // the page's time from the first map, the cockpit's main view (docs/guides/cockpit.md).
  const [panelsOn, setPanelsOn] = useState(false);
  useEffect(() => {
    const t = setTimeout(() => setPanelsOn(true), PANELS_WAIT_MS);
    return () => clearTimeout(t);
  }, []);
  const selectedRef = useRef<CaseView | null>(null);
  selectedRef.current = selected;
  const alertOpenRef = useRef<string | null>(null);
  alertOpenRef.current = alertOpen;

  /** Opens an alert in the side panel and moves the map to it. */
  const openAlert = useCallback((a: AlertView | string) => {
    const id = typeof a === 'string' ? a : a.id;
    setAlertOpen(id);
    setAlertLive(typeof a === 'string' ? undefined : a);
    setSelected(null);
    setFreshAlerts((f) => {
      if (!f.has(id)) return f;
      const n = new Set(f);
      n.delete(id);
      return n;
    });
    if (typeof a !== 'string') mapRef.current?.showAlert(a);
  }, []);

  const loadLists = useCallback(async () => {
    const [reg, od] = await Promise.all([
      api<{ items: CaseView[] }>(`/api/v1/cases${qs({ state: ['reported'], limit: 30 })}`),
      api<{ items: CaseView[] }>(`/api/v1/cases${qs({ overdue: true, limit: 50 })}`),
    ]);
    setToRegister(reg.items);
    setOverdue(od.items.filter((c) => !FINISHED.has(c.state)).slice(0, 30));
  }, []);

  const district = focus?.chain.find((l) => l.level === 'district')?.code;
  // Alerts, devices and vital signs come with the sensing routes (`capabilities` in the focus
  // answer): a server without them keeps those panels hidden.
  const loadAlerts = useCallback(async () => {
    const r = focus?.capabilities?.alerts ? await apiOptional<{ items: AlertView[] }>(`/api/v1/alerts${qs({ status: 'raised,acknowledged', limit: 200, district })}`) : null;
    setAlerts(r ? r.items : null);
    if (r) mapRef.current?.setAlerts(r.items);
  }, [focus, district]);
  const loadVitals = useCallback(async () => {
    const v = focus?.capabilities?.indicators ? await apiOptional<Indicators>(`/api/v1/indicators${qs({ jurisdiction: focus.code ?? undefined })}`) : null;
    setVitals(v);
  }, [focus]);

  const selectCase = useCallback(async (id: string, fly = false) => {
    try {
      const c = await api<CaseView>(`/api/v1/cases/${id}`);
      setSelected(c);
      setAlertOpen(null);
      mapRef.current?.setSelected(c.location, fly);
      mapRef.current?.setPlot(await loadPlot(c.id, latestPlot(c)).catch(() => ({ type: 'FeatureCollection' as const, features: [] })));
    } catch (e) {
      setError(errorText(e));
    }
  }, []);

  // The map's focus (the operator's own jurisdiction) and its case layer, asked for at once
  // (already on their way when the app started on /cockpit).
  const layerRef = useRef<Promise<CaseLayer> | null>(null);
  useEffect(() => {
    const d = takeCockpitData();
    layerRef.current = d.cases;
    d.focus.then(setFocus, (e) => setError(errorText(e)));
  }, []);

  useEffect(() => {
    if (!focus || !mapEl.current) return;
    // Devices of the view's box, inside the jurisdiction, asked for by the map from the zoom they are drawn at.
    const fetchDevices = focus.capabilities?.devices
      ? async (bbox: [number, number, number, number]) => (await apiOptional<{ items: DeviceView[]; truncated: boolean }>(`/api/v1/devices${qs({ within: focus.code ?? undefined, bbox: bbox.map((v) => v.toFixed(5)).join(',') })}`)) ?? { items: [], truncated: false }
      : undefined;
    let m: CockpitMap;
    try {
      m = new CockpitMap({ container: mapEl.current, focus, onCase: (id) => void selectCase(id), onCaseList: (bbox) => navigate(`/cases${qs({ bbox: bbox.join(',') })}`), onAlert: (id) => openAlert(id), onCaseCount: setCaseCount, onDevicesCapped: setDevicesCapped, fetchCaseLayer, ...(fetchDevices ? { fetchDevices } : {}) });
    } catch (e) {
      // No map (no WebGL here): the panels still work.
      setPanelsOn(true);
      setError(errorText(e));
      return;
    }
    mapRef.current = m;
    setMapMade(m);
    (window as unknown as { __cockpit?: CockpitMap }).__cockpit = m;
    const t0 = performance.now();
    (layerRef.current ?? fetchCaseLayer())
      .then((layer) => {
        performance.mark('cityloop:case-layer-received');
        m.setCaseLayer(layer);
        void m.casesShown.then(() => {
          performance.mark('cityloop:cases-shown');
          setPanelsOn(true);
          (window as unknown as { __cityloopFirstMapMs?: number }).__cityloopFirstMapMs = performance.now();
          document.body.dataset.casesShown = String(Math.round(performance.now() - t0));
        });
      })
      .catch((e) => {
        setPanelsOn(true);
        setError(errorText(e));
      });
    return () => {
      m.destroy();
      mapRef.current = null;
      setMapMade(null);
    };
  }, [focus, selectCase, openAlert]);

  useEffect(() => {
    if (!panelsOn) return;
    void loadLists().catch((e) => setError(errorText(e)));
  }, [loadLists, panelsOn]);
  useEffect(() => {
    if (!focus || !panelsOn) return;
    void loadAlerts().catch(() => setAlerts(null));
    void loadVitals().catch(() => setVitals(null));
    // Vital signs are computed on the server from device and case state: asked again each minute
    // and shortly after anything that moves them (below).
    const t = setInterval(() => void loadVitals().catch(() => undefined), 60_000);
    return () => clearInterval(t);
  }, [focus, loadAlerts, loadVitals, panelsOn]);

  // Live: every event updates the map, the lists and the activity log without a reload.
  useEffect(() => {
    let listTimer: ReturnType<typeof setTimeout> | null = null;
    let deviceTimer: ReturnType<typeof setTimeout> | null = null;
    let vitalsTimer: ReturnType<typeof setTimeout> | null = null;
    const refreshLists = () => {
      if (listTimer) return;
      listTimer = setTimeout(() => {
        listTimer = null;
        void loadLists().catch(() => undefined);
      }, 800);
    };
    const refreshDevices = () => {
      if (deviceTimer) return;
      deviceTimer = setTimeout(() => {
        deviceTimer = null;
        mapRef.current?.refreshDevices();
      }, 1500);
    };
    const refreshVitals = () => {
      if (vitalsTimer) return;
      vitalsTimer = setTimeout(() => {
        vitalsTimer = null;
        void loadVitals().catch(() => undefined);
      }, 3000);
    };
    const off = liveFeed.subscribe((m) => {
      if (ALERT_EVENTS.has(m.type) || m.data.alert) {
        const al = m.data.alert;
        if (al && al.id) {
          const prev = alertsRef.current?.find((x) => x.id === al.id);
          setAlerts((list) => {
            if (!list) return list;
            const rest = list.filter((x) => x.id !== al.id);
            const next = OPEN_ALERT.has(al.status) ? (prev ? list.map((x) => (x.id === al.id ? al : x)) : [al, ...rest]) : rest;
            mapRef.current?.setAlerts(next);
            return next;
          });
          if (al.deviceId) {
            if (ALERT_ENDED.has(m.type)) refreshDevices();
            else mapRef.current?.setDeviceAlerting(al.deviceId, true);
          }
          if (alertOpenRef.current === al.id) setAlertLive(al);
          // A sound and a badge for a new urgent alert, and for one that turned urgent.
          const becameUrgent = m.type === 'AlertUpdated' && URGENT.has(al.severity) && (SEVERITY_RANK[al.severity] ?? 0) > (SEVERITY_RANK[prev?.severity ?? 'blue'] ?? 0);
          if ((m.type === 'AlertRaised' && URGENT.has(al.severity)) || becameUrgent) {
            setFreshAlerts((f) => new Set(f).add(al.id));
            beep(al.severity);
          }
          refreshVitals();
        }
        return;
      }
      const c = m.data.case;
      if (!c) return;
      // The case layer is asked for again (its tiles carry the change), at most every 1.5 s.
      mapRef.current?.refreshCases();
      if (m.type === 'CaseReported' || m.type === 'CaseRegistered' || m.type === 'CaseDeclined' || m.type === 'CaseOverdue' || m.type === 'TaskOverdue' || FINISHED.has(c.state) || m.type === 'PlanApplied') refreshLists();
      if (m.type === 'CaseReported' || FINISHED.has(c.state)) refreshVitals();
      if (selectedRef.current?.id === c.id) void selectCase(c.id);
    });
    return () => {
      off();
      for (const t of [listTimer, deviceTimer, vitalsTimer]) if (t) clearTimeout(t);
    };
  }, [loadLists, loadVitals, selectCase]);

  // The badge counts the new urgent alerts nobody has opened yet and that still wait for a decision.
  const unseenUrgent = alerts?.filter((a) => freshAlerts.has(a.id)).length ?? 0;
  useEffect(() => {
    document.title = `${unseenUrgent > 0 ? `(${unseenUrgent}) ` : ''}${tr('驾驶舱', 'Cockpit')} · CityLoop`;
  }, [unseenUrgent, tr]);

  const register = async (c: CaseView) => {
    try {
      const u = await api<CaseView>(`/api/v1/cases/${c.id}/register`, { body: { expectedVersion: c.version } });
      setSelected(u);
      void loadLists();
    } catch (e) {
      setError(errorText(e));
    }
  };

  const caseItem = (c: CaseView) => (
    <li key={c.id}>
      <button type="button" className="item" onClick={() => void selectCase(c.id, true)} aria-label={`${c.number} ${c.title}`}>
        <span className="item-title">
          <PriorityChip priority={c.priority} /> {c.title}
        </span>
        <span className="item-sub">
          {c.number} · <StateChip state={c.state} name={c.stateName} /> · {fmtTime(c.createdAt)}
        </span>
      </button>
    </li>
  );

  const title = focus?.name ?? '';
  return (
    <div className="cockpit" data-testid="cockpit">
      <h1 className="sr-only">{tr('驾驶舱', 'Cockpit')}</h1>
      <section className="side left" aria-label={tr('待办', 'To do')}>
        {alerts !== null && (
          <section className="panel" aria-labelledby="alerts-h" data-testid="alerts-panel">
            <h2 id="alerts-h">
              {tr('待核实预警', 'Alerts to verify')} <span className="count">{alerts.length}</span>
              {unseenUrgent > 0 && (
                <button type="button" className="badge urgent" onClick={() => setFreshAlerts(new Set())} aria-label={tr(`${unseenUrgent} 条新的紧急预警，点击已读`, `${unseenUrgent} new urgent alerts; mark seen`)} data-testid="urgent-badge">
                  {unseenUrgent}
                </button>
              )}
            </h2>
            <ul className="list" aria-live="polite" aria-relevant="additions">
              {alerts.length === 0 && <li className="muted">{tr('暂无', 'None')}</li>}
              {alerts.map((a) => (
                <li key={a.id} className={freshAlerts.has(a.id) ? 'fresh' : undefined}>
                  <button type="button" className="item" onClick={() => openAlert(a)} aria-label={`${a.number} ${a.title}`} aria-current={alertOpen === a.id ? 'true' : undefined} data-alert-id={a.id}>
                    <span className="item-title">
                      <SeverityChip s={a.severity} /> {a.title}
                    </span>
                    <span className="item-sub">
                      {a.number} · {a.chain?.slice(-1)[0]?.name ?? ''} · {fmtTime(a.lastAt)}
                      {a.count > 1 ? ` · ×${a.count}` : ''}
                      {a.status === 'acknowledged' ? ` · ${tr('已接警', 'acknowledged')}` : ''}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
        <section className="panel" aria-labelledby="reg-h" data-testid="to-register">
          <h2 id="reg-h">
            {tr('待立案', 'To register')} <span className="count">{toRegister.length}</span>{' '}
            <Link to="/cases?state=reported" className="small" data-testid="list-all-reported">{tr('全部', 'All')}</Link>
          </h2>
          <ul className="list">
            {toRegister.length === 0 && <li className="muted">{tr('暂无', 'None')}</li>}
            {toRegister.map(caseItem)}
          </ul>
        </section>
        <section className="panel" aria-labelledby="od-h" data-testid="overdue">
          <h2 id="od-h">
            {tr('超期', 'Overdue')} <span className="count late">{overdue.length}</span>{' '}
            <Link to="/cases?overdue=true" className="small" data-testid="list-all-overdue">{tr('全部', 'All')}</Link>
          </h2>
          <ul className="list">
            {overdue.length === 0 && <li className="muted">{tr('暂无', 'None')}</li>}
            {overdue.map(caseItem)}
          </ul>
        </section>
      </section>

      <section className="map-wrap" aria-label={tr(`${title}地图`, `Map of ${title}`)}>
        <div ref={mapEl} className="map" data-testid="map" />
        <div className="map-title">
          <strong>{title}</strong>
          {focus?.chain && focus.chain.length > 1 && <span className="muted"> · {focus.chain.slice(0, -1).map((l) => l.name).join(' › ')}</span>}
          <span className="muted" data-testid="case-count">
            {' '}
            · {tr('在办案件', 'open cases')} {caseCount === null ? '…' : fmtNumber(caseCount)}
          </span>
          {devicesCapped !== null && (
            <span className="muted" role="status" data-testid="devices-capped">
              {' '}
              · {tr(`设备过多，显示 ${fmtNumber(devicesCapped)} 台（报警优先），放大看其余`, `${fmtNumber(devicesCapped)} devices shown (alerting first): zoom in for the rest`)}
            </span>
          )}
        </div>
        <div className="legend" aria-label={tr('图例', 'Legend')}>
          {[
            [COLORS.caseNew, tr('待立案/派遣', 'to register / dispatch')],
            [COLORS.caseWorking, tr('处置中', 'in hand')],
            [COLORS.caseChecking, tr('待核查', 'to check')],
            [COLORS.caseOverdue, tr('超期', 'overdue')],
            ...(focus?.capabilities?.devices
              ? [
                  [COLORS.deviceNormal, tr('设备正常', 'device normal')],
                  [COLORS.deviceAlerting, tr('设备报警', 'device alerting')],
                ]
              : []),
            ...(alerts !== null ? [[SEVERITY_COLORS.orange, tr('预警', 'alert')]] : []),
          ].map(([c, n]) => (
            <span key={n}>
              <i style={{ background: c }} aria-hidden="true" /> {n}
            </span>
          ))}
        </div>
        {error && (
          <p className="error floating" role="alert">
            {error}{' '}
            <button type="button" className="ghost" onClick={() => setError(null)} aria-label={tr('关闭', 'Dismiss')}>
              ×
            </button>
          </p>
        )}
      </section>

      <section className="side right" aria-label={tr('详情与动态', 'Details and activity')}>
        {vitals && (
          // The panel appears whole, once its code (fetched with it, after the first map) is here.
          <Suspense fallback={null}>
            <section className="panel" aria-labelledby="vs-h" data-testid="vitals-panel">
              <h2 id="vs-h">
                {tr('城市体征', 'Vital signs')} <span className="muted small">{vitals.jurisdiction.name}</span>
              </h2>
              <VitalSigns items={vitals.items} compact />
            </section>
          </Suspense>
        )}
        {alertOpen ? (
          <Suspense fallback={<section className="panel" role="status">{tr('加载中…', 'Loading…')}</section>}>
          <AlertPanel
            id={alertOpen}
            live={alertLive}
            onClose={() => {
              setAlertOpen(null);
              mapRef.current?.setSelected(null);
            }}
            onChanged={(a) => {
              setAlerts((list) => {
                if (!list) return list;
                const next = OPEN_ALERT.has(a.status) ? list.map((x) => (x.id === a.id ? a : x)) : list.filter((x) => x.id !== a.id);
                mapRef.current?.setAlerts(next);
                return next;
              });
            }}
            onShowCase={(id) => void selectCase(id, true)}
          />
          </Suspense>
        ) : selected ? (
          <section className="panel case-card" aria-labelledby="sel-h" data-testid="selected-case">
            <h2 id="sel-h">
              {selected.title}{' '}
              <button type="button" className="ghost close" onClick={() => { setSelected(null); mapRef.current?.setSelected(null); mapRef.current?.setPlot({ type: 'FeatureCollection', features: [] }); }} aria-label={tr('关闭详情', 'Close details')}>
                ×
              </button>
            </h2>
            <p className="row wrap">
              <span className="muted">{selected.number}</span> <StateChip state={selected.state} name={selected.stateName} /> <PriorityChip priority={selected.priority} />
              {selected.overdue && <span className="chip late">{tr('超期', 'overdue')}</span>}
            </p>
            <p className="small muted">{caseChain(selected)}</p>
            {selected.plan && (
              <p className="small">
                {tr('预案：', 'Plan: ')}
                {selected.plan.name} v{selected.plan.version}
              </p>
            )}
            <div className="row wrap">
              {selected.actions.includes('apply_plan') && (
                <button type="button" className="primary" onClick={() => setDispatching(selected)} data-testid="one-click-dispatch">
                  {tr('一键调度', 'One-click dispatch')}
                </button>
              )}
              {selected.actions.includes('register') && selected.state === 'reported' && (
                <button type="button" onClick={() => void register(selected)}>
                  {tr('立案', 'Register')}
                </button>
              )}
              <Link to={`/cases/${selected.id}`} className="button" data-testid="open-case">
                {tr('打开案件', 'Open case')}
              </Link>
            </div>
            <TaskTable tasks={selected.tasks} round={selected.round} />
          </section>
        ) : (
          <section className="panel" aria-labelledby="hint-h">
            <h2 id="hint-h">{tr('一屏掌控', 'One screen')}</h2>
            <p className="muted small">{tr('点击地图上的案件或左侧列表查看详情；聚合点可放大。', 'Click a case on the map or in the lists; click a cluster to zoom in.')}</p>
          </section>
        )}
        {panelsOn && (
          <Suspense fallback={null}>
            <ModelResults map={mapMade} />
          </Suspense>
        )}
        <LiveActivity onCase={(id) => void selectCase(id, true)} />
        <p className="small muted">
          {session?.user.displayName} · {lang === 'zh' ? '中文' : 'English'}
        </p>
      </section>

      {dispatching && (
        <Suspense fallback={null}>
        <DispatchDialog
          c={dispatching}
          onClose={() => setDispatching(null)}
          onApplied={(u) => {
            setDispatching(null);
            setSelected(u);
            mapRef.current?.refreshCases();
            void loadLists();
          }}
        />
        </Suspense>
      )}
    </div>
  );
}

