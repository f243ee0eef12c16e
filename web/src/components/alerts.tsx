import { lazy, Suspense, useEffect, useId, useMemo, useRef, useState } from 'react';
import { api, errorText, loadSession } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { Link } from '../router.tsx';
import { StateChip, TaskTable } from './case-bits.tsx';
import { ALERT_STATUS_NAMES, AlertStatusChip, OPEN_ALERT, SEVERITY_NAMES, SeverityChip } from './alert-bits.tsx';
import type { AlertEventView, AlertView, CaseView, Category, Reading, VerifyAnswer } from '../types.ts';

const Chart = lazy(() => import('./chart.tsx'));

/** What we know of a CAP message's XML signature (the server does not verify signatures yet). */
const SIGNATURE_NAMES: Record<string, [string, string]> = { unsigned: ['未签名', 'unsigned'], 'signed-unverified': ['已签名（未验证）', 'signed, not verified'], verified: ['已验证', 'verified'] };
const SOURCE_NAMES: Record<string, [string, string]> = { rule: ['监测规则', 'rule'], camera: ['视频识别', 'camera'], cap: ['预警信息（CAP）', 'warning (CAP)'], indicator: ['城市体征', 'vital sign'] };
const EVENT_NAMES: Record<string, [string, string]> = {
  AlertRaised: ['触发预警', 'raised'],
  AlertUpdated: ['预警更新', 'updated'],
  AlertAcknowledged: ['接警', 'acknowledged'],
  AlertVerified: ['核实立案', 'verified'],
  AlertDismissed: ['排除', 'dismissed'],
  AlertCleared: ['解除', 'cleared'],
  AlertWatched: ['单位关注', 'watched'],
};
/** The outline of a CAP area, drawn as SVG (no second map for one polygon). */
function AreaOutline({ area, label }: { area: GeoJSON.Polygon | GeoJSON.MultiPolygon; label: string }) {
  const polys = area.type === 'Polygon' ? [area.coordinates] : area.coordinates;
  const pts = polys.flat(2) as unknown as number[][];
  if (pts.length === 0) return null;
  const xs = pts.map((p) => p[0]!);
  const ys = pts.map((p) => p[1]!);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const k = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const w = Math.max((maxX - minX) * k, 1e-6);
  const h = Math.max(maxY - minY, 1e-6);
  const s = 300 / Math.max(w, h);
  const d = polys
    .map((poly) => poly.map((ring) => `M${ring.map(([x, y]) => `${(((x! - minX) * k * s) + 10).toFixed(1)},${(((maxY - y!) * s) + 10).toFixed(1)}`).join('L')}Z`).join(''))
    .join('');
  return (
    <svg className="area-outline" viewBox={`0 0 ${(w * s + 20).toFixed(0)} ${(h * s + 20).toFixed(0)}`} role="img" aria-label={label} data-testid="alert-area">
      <path d={d} fillRule="evenodd" />
    </svg>
  );
}

/** The device's readings before the alert, one line per metric (the most telling two, each on its own axis). */
function ReadingsChart({ a, series }: { a: AlertView; series: readonly Reading[] }) {
  const { tr } = useI18n();
  const option = useMemo(() => {
    const all = [...new Set(series.flatMap((r) => Object.keys(r.values)))];
    const first = [a.peak?.metric, ...Object.keys(a.readings)].filter((m): m is string => !!m && all.includes(m));
    const metrics = [...new Set([...first, ...all.filter((m) => m !== 'battery'), ...all])].slice(0, 2);
    return {
      tooltip: { trigger: 'axis' },
      legend: { data: metrics, top: 0 },
      grid: { left: 52, right: metrics.length > 1 ? 52 : 16, top: 30, bottom: 26 },
      xAxis: { type: 'time' },
      yAxis: metrics.map((m, i) => ({ type: 'value', scale: true, name: m, position: i === 0 ? 'left' : 'right', splitLine: { show: i === 0 } })),
      series: metrics.map((m, i) => ({ name: m, type: 'line', yAxisIndex: i, showSymbol: false, data: series.map((r) => [r.ts, r.values[m] ?? null]) })),
    };
  }, [a.peak?.metric, a.readings, series]);
  return (
    <Suspense fallback={<p role="status">{tr('图表加载中…', 'Loading chart…')}</p>}>
      <Chart label={tr('设备读数曲线', 'Device readings')} height={200} option={option} />
    </Suspense>
  );
}

/** The snapshot is fetched with the bearer token (an <img src> cannot send it) and shown from a blob URL. */
function Snapshot({ alertId }: { alertId: string }) {
  const { tr } = useI18n();
  const [url, setUrl] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    let objectUrl: string | null = null;
    let live = true;
    const s = loadSession();
    fetch(`/api/v1/map/alerts/${encodeURIComponent(alertId)}/snapshot`, { headers: s ? { authorization: `Bearer ${s.token}` } : {} })
      .then((r) => (r.ok ? r.blob() : null))
      .then((b) => {
        if (!live) return;
        if (b) setUrl((objectUrl = URL.createObjectURL(b)));
        else setMissing(true);
      })
      .catch(() => live && setMissing(true));
    return () => {
      live = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [alertId]);
  if (missing) return <p className="muted small">{tr('抓拍图片未上传', 'The snapshot was not uploaded')}</p>;
  if (!url) return <p role="status" className="muted small">{tr('抓拍图片加载中…', 'Loading snapshot…')}</p>;
  return <img className="snapshot" src={url} alt={tr('摄像头抓拍', 'Camera snapshot')} data-testid="alert-snapshot" />;
}

/** The case a verification opened: number, state, plan, its tasks; a link to the case page. */
function OpenedCase({ caseId, onShow }: { caseId: string; onShow?: (id: string) => void }) {
  const { tr } = useI18n();
  const [c, setC] = useState<CaseView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<CaseView>(`/api/v1/cases/${caseId}`).then(setC, (e) => setError(errorText(e)));
  }, [caseId]);
  return (
    <section className="opened-case" aria-label={tr('已立案', 'Case opened')} data-testid="alert-case">
      <h3>{tr('已立案', 'Case opened')}</h3>
      {error && <p className="error">{error}</p>}
      {!c && !error && <p role="status">{tr('加载中…', 'Loading…')}</p>}
      {c && (
        <>
          <p className="row wrap">
            <strong>{c.number}</strong> {c.title} <StateChip state={c.state} name={c.stateName} />
          </p>
          {c.plan && (
            <p className="small">
              {tr('预案：', 'Plan: ')}
              <span data-testid="alert-case-plan">{c.plan.name}</span> v{c.plan.version}
            </p>
          )}
          {c.tasks.length > 0 ? <TaskTable tasks={c.tasks} round={c.round} /> : <p className="muted small">{tr('没有预案适用，案件已立案，待人工派遣。', 'No plan applies: the case is registered for a person to dispatch.')}</p>}
          <div className="row wrap">
            <Link to={`/cases/${c.id}`} className="button primary" data-testid="alert-case-link">
              {tr('打开案件', 'Open the case')}
            </Link>
            {onShow && (
              <button type="button" onClick={() => onShow(c.id)}>
                {tr('在地图上查看', 'Show on the map')}
              </button>
            )}
          </div>
        </>
      )}
    </section>
  );
}

function eventText(e: AlertEventView, tr: (zh: string, en: string) => string): string {
  const name = tr(...(EVENT_NAMES[e.type] ?? ['事件', 'Event']));
  const p = e.payload as { note?: string | null; reason?: string | null; severity?: string; count?: number; unitId?: string };
  const why = p.reason ?? p.note ?? null;
  const extra = e.type === 'AlertUpdated' && p.severity ? ` · ${tr(...(SEVERITY_NAMES[p.severity] ?? [p.severity, p.severity]))} ×${p.count ?? ''}` : e.type === 'AlertWatched' && p.unitId ? ` · ${p.unitId}` : '';
  return `${name}${extra}${why ? ` · ${why}` : ''}`;
}

/**
 * The alert panel (预警研判) beside the map: what raised it, the evidence (the device's readings as
 * a chart, the camera snapshot, the CAP area), its history; acknowledge (接警), verify (核实: a
 * case opens and its plan runs — the panel then shows that case and its tasks) or dismiss with a
 * reason (排除). `live` is the alert as the feed last told it: the panel reloads when it changed.
 */
export function AlertPanel({ id, live, onClose, onChanged, onShowCase }: { id: string; live?: AlertView | undefined; onClose: () => void; onChanged: (a: AlertView) => void; onShowCase?: (caseId: string) => void }) {
  const { tr, fmtTime, lang } = useI18n();
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [a, setA] = useState<AlertView | null>(null);
  const [events, setEvents] = useState<AlertEventView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [categoryCode, setCategoryCode] = useState('');
  const [planId, setPlanId] = useState('');
  const [categories, setCategories] = useState<Category[] | null>(null);
  const [plans, setPlans] = useState<{ id: string; name: string; version: number }[] | null>(null);
  const [busy, setBusy] = useState(false);
  const liveVersion = live?.version ?? 0;

  useEffect(() => {
    setA(null);
    setError(null);
    setReason('');
    setNote('');
    setCategoryCode('');
    setPlanId('');
    headingRef.current?.focus();
  }, [id]);
  useEffect(() => {
    let on = true;
    Promise.all([api<AlertView>(`/api/v1/alerts/${id}`), api<{ items: AlertEventView[] }>(`/api/v1/alerts/${id}/timeline`).catch(() => ({ items: [] }))]).then(
      ([x, t]) => {
        if (!on) return;
        setA(x);
        setEvents(t.items);
      },
      (e) => on && setError(errorText(e)),
    );
    return () => {
      on = false;
    };
  }, [id, liveVersion]);
  const open = a !== null && OPEN_ALERT.has(a.status);
  const needsCategory = a !== null && !a.categoryCode;
  useEffect(() => {
    if (!open) return;
    if (needsCategory && categories === null) api<{ items: Category[] }>('/api/v1/categories').then((r) => setCategories(r.items), () => setCategories([]));
    if (plans === null) api<{ items: { id: string; name: string; version: number }[] }>('/api/v1/plans').then((r) => setPlans(r.items), () => setPlans([]));
  }, [open, needsCategory, categories, plans]);

  const act = async (path: 'acknowledge' | 'verify' | 'dismiss', body: object) => {
    setBusy(true);
    setError(null);
    try {
      const r = await api<AlertView | VerifyAnswer>(`/api/v1/alerts/${id}/${path}`, { body });
      const next = 'alert' in r ? r.alert : r;
      // The actions answer the alert without the evidence the detail answer adds: keep ours.
      setA((prev) => ({ ...next, ...(prev?.evidence ? { evidence: prev.evidence } : {}) }));
      onChanged(next);
      api<{ items: AlertEventView[] }>(`/api/v1/alerts/${id}/timeline`).then((t) => setEvents(t.items), () => undefined);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const leaves = useMemo(() => {
    const parents = new Set((categories ?? []).map((c) => c.parentCode).filter(Boolean));
    return (categories ?? []).filter((c) => !parents.has(c.code));
  }, [categories]);
  const series = a?.evidence?.readings ?? [];
  const ev = a?.evidence;
  const cap = ev?.cap;
  return (
    <section className="panel alert-panel" aria-labelledby={headingId} data-testid="alert-panel" data-status={a?.status}>
      <h2 id={headingId} ref={headingRef} tabIndex={-1}>
        {a ? a.title : tr('预警', 'Alert')}{' '}
        <button type="button" className="ghost close" onClick={onClose} aria-label={tr('关闭预警', 'Close the alert')}>
          ×
        </button>
      </h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!a && !error && <p role="status">{tr('加载中…', 'Loading…')}</p>}
      {a && (
        <div className="stack">
          <p className="row wrap">
            <span className="muted">{a.number}</span> <SeverityChip s={a.severity} /> <AlertStatusChip s={a.status} />
            <span className="chip">{tr(...(SOURCE_NAMES[a.source] ?? [a.source, a.source]))}</span>
            {a.trusted && <span className="chip">{tr('可信规则，自动核实', 'trusted: verifies itself')}</span>}
          </p>
          {a.description && <p className="small">{a.description}</p>}
          <p className="small muted">
            {a.chain?.map((l) => l.name).join(' › ')}
            {a.deviceId && <> · {tr('设备', 'device')} {a.deviceId}</>}
          </p>
          <dl className="facts">
            <div>
              <dt>{tr('首次', 'First')}</dt>
              <dd>{fmtTime(a.firstAt)}</dd>
            </div>
            <div>
              <dt>{tr('最近', 'Last')}</dt>
              <dd>
                {fmtTime(a.lastAt)} · ×{a.count}
              </dd>
            </div>
            {a.peak && (
              <div>
                <dt>{tr('峰值', 'Peak')}</dt>
                <dd>
                  {a.peak.metric} = {a.peak.value}
                </dd>
              </div>
            )}
            {Object.entries(a.readings).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
          {series.length > 1 && <ReadingsChart a={a} series={series} />}
          {(ev?.snapshotSha256 || ev?.snapshot) && <Snapshot alertId={a.id} />}
          {ev?.cameraId && (
            <p className="small">
              {tr('摄像头', 'Camera')} {ev.cameraId} · {ev.eventType}
              {ev.plate ? ` · ${ev.plate}` : ''}
              {typeof ev.confidence === 'number' ? ` · ${tr('置信度', 'confidence')} ${Math.round(ev.confidence * 100)}%` : ''}
              {ev.flags && ev.flags.length > 0 ? ` · ${ev.flags.join(', ')}` : ''}
            </p>
          )}
          {cap && (
            <dl className="facts">
              {cap.event && (
                <div>
                  <dt>{tr('事件', 'Event')}</dt>
                  <dd>{cap.event}</dd>
                </div>
              )}
              {cap.areaDesc && (
                <div>
                  <dt>{tr('区域', 'Area')}</dt>
                  <dd>{cap.areaDesc}</dd>
                </div>
              )}
              {cap.senderName && (
                <div>
                  <dt>{tr('发布单位', 'Sender')}</dt>
                  <dd>{cap.senderName}</dd>
                </div>
              )}
              {cap.expires && (
                <div>
                  <dt>{tr('有效至', 'Expires')}</dt>
                  <dd>{fmtTime(cap.expires)}</dd>
                </div>
              )}
              {cap.signature && (
                <div data-testid="cap-signature" data-signature={cap.signature}>
                  <dt>{tr('签名状态', 'Signature')}</dt>
                  <dd>{tr(...(SIGNATURE_NAMES[cap.signature] ?? [cap.signature, cap.signature]))}</dd>
                </div>
              )}
            </dl>
          )}
          {cap?.instruction && <p className="small">{cap.instruction}</p>}
          {ev?.area && <AreaOutline area={ev.area} label={tr(`预警区域：${cap?.areaDesc ?? ''}`, `Warning area: ${cap?.areaDesc ?? ''}`)} />}
          {a.dismissed && (
            <p className="small">
              {tr('排除原因：', 'Dismissed: ')}
              <span data-testid="dismiss-reason">{a.dismissed.reason}</span>
            </p>
          )}
          {a.caseId && <OpenedCase caseId={a.caseId} {...(onShowCase ? { onShow: onShowCase } : {})} />}
          {open && (
            <form className="stack alert-actions" onSubmit={(e) => e.preventDefault()} aria-label={tr('研判', 'Decide')}>
              {a.status === 'raised' && (
                <div className="row">
                  <button type="button" disabled={busy} onClick={() => void act('acknowledge', note.trim() ? { note: note.trim() } : {})} data-testid="acknowledge-alert">
                    {tr('接警', 'Acknowledge')}
                  </button>
                  <span className="muted small">{tr('表示已在处理，其他值班员可见', 'others see that you are on it')}</span>
                </div>
              )}
              <label>
                {tr('核实说明（可选）', 'Note (optional)')}
                <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} />
              </label>
              {needsCategory && (
                <label>
                  {tr('案件类别（此预警未指定）', 'Case category (the alert names none)')}
                  <select value={categoryCode} onChange={(e) => setCategoryCode(e.target.value)} required>
                    <option value="">{tr('请选择…', 'Choose…')}</option>
                    {leaves.map((c) => (
                      <option key={c.code} value={c.code}>
                        {lang === 'zh' ? c.nameZh : c.nameEn} ({c.code})
                      </option>
                    ))}
                  </select>
                </label>
              )}
              <label>
                {tr('预案', 'Plan')}
                <select value={planId} onChange={(e) => setPlanId(e.target.value)}>
                  <option value="">{tr('自动匹配（推荐）', 'Matched automatically (suggested)')}</option>
                  {(plans ?? []).map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name} (v{p.version})
                    </option>
                  ))}
                </select>
              </label>
              <button
                type="button"
                className="primary"
                disabled={busy || (needsCategory && !categoryCode)}
                onClick={() => void act('verify', { ...(note.trim() ? { note: note.trim() } : {}), ...(planId ? { planId } : {}), ...(needsCategory && categoryCode ? { categoryCode } : {}) })}
                data-testid="verify-alert"
              >
                {tr('核实属实：立案并启动预案', 'Verify: open a case and run its plan')}
              </button>
              <label>
                {tr('排除原因（误报时必填）', 'Reason to dismiss (a false alarm)')}
                <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} data-testid="dismiss-reason-input" />
              </label>
              <div className="row">
                <button type="button" className="danger" disabled={busy || !reason.trim()} onClick={() => void act('dismiss', { reason: reason.trim() })} data-testid="dismiss-alert">
                  {tr('排除（误报）', 'Dismiss (false alarm)')}
                </button>
              </div>
            </form>
          )}
          {events.length > 0 && (
            <details className="alert-timeline">
              <summary>
                {tr('处置记录', 'History')} ({events.length})
              </summary>
              <ol className="list small">
                {events.map((e) => (
                  <li key={e.seq}>
                    <time className="muted">{fmtTime(e.at)}</time> {e.actor.name} · {eventText(e, tr)}
                  </li>
                ))}
              </ol>
            </details>
          )}
        </div>
      )}
    </section>
  );
}
