import { lazy, Suspense, useEffect, useState } from 'react';
import { api, errorText, loadSession } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { Dialog } from './dialog.tsx';
import { navigate } from '../router.tsx';
import type { AlertView, CaseView } from '../types.ts';

const Chart = lazy(() => import('./chart.tsx'));

export const SEVERITY_NAMES: Record<string, [string, string]> = { blue: ['蓝色', 'blue'], yellow: ['黄色', 'yellow'], orange: ['橙色', 'orange'], red: ['红色', 'red'] };
const STATUS_NAMES: Record<string, [string, string]> = { raised: ['待核实', 'to verify'], acknowledged: ['核实中', 'acknowledged'], verified: ['已核实', 'verified'], dismissed: ['已排除', 'dismissed'], cleared: ['已解除', 'cleared'] };

export function SeverityChip({ s }: { s: string }) {
  const { tr } = useI18n();
  const n = SEVERITY_NAMES[s] ?? [s, s];
  return <span className={`chip sev-${s}`}>{tr(n[0], n[1])}</span>;
}

/** A short beep through Web Audio for a new urgent alert (no sound file to ship). */
export function beep(): void {
  try {
    const Ctx = window.AudioContext;
    const ctx = new Ctx();
    const o = ctx.createOscillator();
    const g = ctx.createGain();
    o.frequency.value = 880;
    g.gain.setValueAtTime(0.0001, ctx.currentTime);
    g.gain.exponentialRampToValueAtTime(0.2, ctx.currentTime + 0.02);
    g.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.5);
    o.connect(g).connect(ctx.destination);
    o.start();
    o.stop(ctx.currentTime + 0.55);
    o.onended = () => void ctx.close();
  } catch {
    // no audio device: the badge is enough
  }
}

/** The alert's evidence: readings chart, camera snapshot; acknowledge, verify (opens a case and runs its plan) or dismiss with a reason. */
export function AlertDialog({ id, onClose, onChanged }: { id: string; onClose: () => void; onChanged: (a: AlertView) => void }) {
  const { tr, fmtTime } = useI18n();
  const [a, setA] = useState<AlertView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [snapshot, setSnapshot] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<AlertView>(`/api/v1/alerts/${id}`).then(setA, (e) => setError(errorText(e)));
  }, [id]);
  useEffect(() => {
    const url = a?.evidence?.snapshot?.url;
    if (!url) return;
    let objectUrl: string | null = null;
    const s = loadSession();
    fetch(url, { headers: s ? { authorization: `Bearer ${s.token}` } : {} })
      .then((r) => (r.ok ? r.blob() : null))
      .then((b) => {
        if (b) setSnapshot((objectUrl = URL.createObjectURL(b)));
      })
      .catch(() => undefined);
    return () => {
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [a?.evidence?.snapshot?.url]);

  const act = async (path: string, body: object) => {
    setBusy(true);
    setError(null);
    try {
      const r = await api<AlertView | { alert: AlertView; case: CaseView }>(`/api/v1/alerts/${id}/${path}`, { body });
      const next = 'alert' in r ? r.alert : r;
      setA((prev) => ({ ...next, ...(prev?.evidence ? { evidence: prev.evidence } : {}) }));
      onChanged(next);
      if ('case' in r && r.case) navigate(`/cases/${r.case.id}`);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const series = a?.evidence?.readings ?? [];
  const metrics = [...new Set(series.flatMap((r) => Object.keys(r.values)))];
  const open = a && (a.status === 'raised' || a.status === 'acknowledged');
  return (
    <Dialog title={a ? `${a.number} · ${a.title}` : tr('预警', 'Alert')} onClose={onClose} wide>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!a && !error && <p role="status">{tr('加载中…', 'Loading…')}</p>}
      {a && (
        <div className="stack" data-testid="alert-dialog">
          <div className="row wrap">
            <SeverityChip s={a.severity} />
            <span className="chip">{tr(...(STATUS_NAMES[a.status] ?? [a.status, a.status]))}</span>
            <span className="muted">
              {tr('首次', 'first')} {fmtTime(a.firstAt)} · {tr('最近', 'last')} {fmtTime(a.lastAt)} · ×{a.count}
            </span>
            {a.peak && (
              <span className="chip">
                {tr('峰值', 'peak')} {a.peak.metric} = {a.peak.value}
              </span>
            )}
          </div>
          {Object.keys(a.readings).length > 0 && (
            <dl className="facts">
              {Object.entries(a.readings).map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>{v}</dd>
                </div>
              ))}
            </dl>
          )}
          {series.length > 1 && (
            <Suspense fallback={<p>{tr('图表加载中…', 'Loading chart…')}</p>}>
              <Chart
                label={tr('设备读数曲线', 'Device readings')}
                height={220}
                option={{
                  tooltip: { trigger: 'axis' },
                  legend: { data: metrics },
                  xAxis: { type: 'time' },
                  yAxis: { type: 'value', scale: true },
                  grid: { left: 48, right: 16, top: 32, bottom: 28 },
                  series: metrics.map((m) => ({ name: m, type: 'line', showSymbol: false, data: series.map((r) => [r.ts, r.values[m] ?? null]) })),
                }}
              />
            </Suspense>
          )}
          {snapshot && <img className="snapshot" src={snapshot} alt={tr('摄像头抓拍', 'Camera snapshot')} />}
          {a.caseId && (
            <p>
              <a href={`/cases/${a.caseId}`} onClick={(e) => { e.preventDefault(); navigate(`/cases/${a.caseId}`); }}>
                {tr('查看案件', 'Open the case')}
              </a>
            </p>
          )}
          {open && (
            <>
              <label>
                {tr('核实说明（可选）', 'Note (optional)')}
                <input value={note} onChange={(e) => setNote(e.target.value)} />
              </label>
              <div className="row wrap">
                {a.status === 'raised' && (
                  <button type="button" disabled={busy} onClick={() => void act('acknowledge', note ? { note } : {})}>
                    {tr('签收', 'Acknowledge')}
                  </button>
                )}
                <button type="button" className="primary" disabled={busy} onClick={() => void act('verify', note ? { note } : {})} data-testid="verify-alert">
                  {tr('核实属实并立案调度', 'Verify: open a case and run its plan')}
                </button>
              </div>
              <label>
                {tr('排除原因', 'Reason to dismiss')}
                <input value={reason} onChange={(e) => setReason(e.target.value)} />
              </label>
              <div className="row">
                <button type="button" className="danger" disabled={busy || !reason.trim()} onClick={() => void act('dismiss', { reason: reason.trim() })}>
                  {tr('排除（误报）', 'Dismiss (false alarm)')}
                </button>
              </div>
            </>
          )}
        </div>
      )}
    </Dialog>
  );
}
