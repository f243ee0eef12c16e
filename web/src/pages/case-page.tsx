import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorText, loadSession } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { liveFeed } from '../live-feed.ts';
import { CockpitMap, type PlotKind } from '../map/cockpit-map.ts';
import { Link } from '../router.tsx';
import { useSession, hasRole } from '../session.tsx';
import { DispatchDialog } from '../components/dispatch-dialog.tsx';
import { usePrompt } from '../components/dialog.tsx';
import { Clock, PriorityChip, StateChip, TaskTable, caseChain, useNow } from '../components/case-bits.tsx';
import { eventWhy } from '../components/event-names.ts';
import { CheckDialog, ELSEWHERE_STEPS, EvaluateDialog, ParkDialog, STEP_FIELDS, stepName, stepPath, type OfferedStep } from '../components/case-steps.tsx';
import { count, ACTION_KIND_NAMES, ACTION_OUTCOME_NAMES, ACTION_PHASE_NAMES, eventName, nameOf, targetName } from '../labels.ts';
import { PLOT_SUFFIX, latestPlot, loadPlot, savePlot } from '../plots.ts';
import type { Attachment, CaseEvent, CaseView } from '../types.ts';

async function download(caseId: string, a: Attachment) {
  const s = loadSession();
  const r = await fetch(`/api/v1/cases/${caseId}/attachments/${a.id}`, { headers: s ? { authorization: `Bearer ${s.token}` } : {} });
  const url = URL.createObjectURL(await r.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = a.fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Test ids the browser tests have long used for these steps. */
const STEP_TEST_IDS: Record<string, string> = { apply_plan: 'one-click-dispatch', report_back: 'report-back', check: 'check', close: 'close-case' };

/** The case page: what it is, where, its tasks with their clocks, every step from the event log, plotting. */
export default function CasePage({ id }: { id: string }) {
  const { tr, fmtTime } = useI18n();
  const { session } = useSession();
  const now = useNow();
  const [c, setC] = useState<CaseView | null>(null);
  const [events, setEvents] = useState<CaseEvent[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [dispatching, setDispatching] = useState(false);
  const [checking, setChecking] = useState(false);
  const [parking, setParking] = useState(false);
  const [evaluating, setEvaluating] = useState(false);
  const [promptNode, ask] = usePrompt();
  const mapEl = useRef<HTMLDivElement>(null);
  const mapRef = useRef<CockpitMap | null>(null);
  const [drawing, setDrawing] = useState<PlotKind | null>(null);
  const [plotDirty, setPlotDirty] = useState(false);
  const plotDirtyRef = useRef(false);
  plotDirtyRef.current = plotDirty;
  const [plotCount, setPlotCount] = useState(0);
  const [plotNote, setPlotNote] = useState<string | null>(null);

  // The path names the case by id or by number (/cases/CL20261207000002): the server finds either;
  // the live feed speaks of ids.
  const caseIdRef = useRef(id);
  const load = useCallback(async () => {
    try {
      const [doc, ev] = await Promise.all([api<CaseView>(`/api/v1/cases/${encodeURIComponent(id)}`), api<{ items: CaseEvent[] }>(`/api/v1/cases/${encodeURIComponent(id)}/events`)]);
      caseIdRef.current = doc.id;
      setC(doc);
      setEvents(ev.items);
      setError(null);
      return doc;
    } catch (e) {
      setError(errorText(e));
      return null;
    }
  }, [id]);

  const reloadPlot = useCallback(async (doc: CaseView) => {
    if (plotDirtyRef.current) return;
    const fc = await loadPlot(doc.id, latestPlot(doc)).catch(() => null);
    if (fc && mapRef.current) {
      mapRef.current.setPlot(fc);
      setPlotCount(fc.features.length);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  // Live: this case's events reload it; a plot saved by someone else is drawn at once.
  useEffect(() => {
    return liveFeed.subscribe((m) => {
      if (m.data.case?.id !== caseIdRef.current) return;
      void load().then((doc) => {
        if (doc && m.type === 'AttachmentAdded' && String(m.data.payload?.fileName ?? '').endsWith(PLOT_SUFFIX)) void reloadPlot(doc);
      });
    });
  }, [id, load, reloadPlot]);

  const loc = c?.location;
  useEffect(() => {
    if (!loc || !mapEl.current || mapRef.current) return;
    const d = 0.006;
    const m = new CockpitMap({
      container: mapEl.current,
      focus: { code: null, name: null, level: null, chain: [], geometry: null, bbox: [loc.lng - d, loc.lat - d * 0.8, loc.lng + d, loc.lat + d * 0.8] },
      askLabel: () => ask(tr('标注文字', 'Label text'), tr('文字', 'Text')),
    });
    mapRef.current = m;
    (window as unknown as { __caseMap?: CockpitMap }).__caseMap = m;
    m.setSelected(loc);
    return () => {
      m.destroy();
      mapRef.current = null;
    };
  }, [loc?.lng, loc?.lat]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (c && mapRef.current) void reloadPlot(c);
    // only when the case first arrives or its attachments change
  }, [c?.attachments.length, reloadPlot]); // eslint-disable-line react-hooks/exhaustive-deps

  const draw = async (kind: PlotKind) => {
    const m = mapRef.current;
    if (!m) return;
    setDrawing(kind);
    const f = await m.startDrawing(kind);
    setDrawing(null);
    if (!f) return;
    const fc = { type: 'FeatureCollection' as const, features: [...m.plot.features, f] };
    m.setPlot(fc);
    setPlotCount(fc.features.length);
    setPlotDirty(true);
  };
  const undoPlot = () => {
    const m = mapRef.current;
    if (!m) return;
    const fc = { type: 'FeatureCollection' as const, features: m.plot.features.slice(0, -1) };
    m.setPlot(fc);
    setPlotCount(fc.features.length);
    setPlotDirty(true);
  };
  const savePlotNow = async () => {
    const m = mapRef.current;
    if (!m || !c) return;
    setBusy(true);
    try {
      await savePlot(c.id, m.plot);
      setPlotDirty(false);
      setPlotNote(tr('标绘已保存，所有查看此案件的人可见', 'Plot saved and shared with everyone watching this case'));
      await load();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const run = async (action: string, body: Record<string, unknown> = {}) => {
    if (!c) return;
    setBusy(true);
    setError(null);
    try {
      const u = await api<CaseView>(`/api/v1/cases/${c.id}/${action}`, { body: { ...body, expectedVersion: c.version } });
      setC(u);
      void load();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  /** Takes a step the server offered: its field asked with its own label, then the step's route. */
  const take = async (step: OfferedStep) => {
    if (step.action === 'apply_plan') return setDispatching(true);
    if (step.action === 'check') return setChecking(true);
    if (step.action === 'park') return setParking(true);
    if (step.action === 'evaluate') return setEvaluating(true);
    const f = STEP_FIELDS[step.action];
    const extra: Record<string, unknown> = step.action === 'remind' && step.taskId ? { taskId: step.taskId } : {};
    if (!f) return run(stepPath(step), extra);
    const text = await ask(stepName(step, tr), tr(f.label[0], f.label[1]), { required: f.required, multiline: true });
    if (text === null) return;
    await run(stepPath(step), { ...extra, ...(text ? { [f.field]: text } : {}) });
  };

  if (error && !c)
    return (
      <div className="page narrow">
        <p className="error" role="alert">{error}</p>
        <Link to="/">{tr('返回', 'Back')}</Link>
      </div>
    );
  if (!c) return <div className="loading" role="status">{tr('加载中…', 'Loading…')}</div>;

  const steps = c.allowedActions;
  const caseSteps = steps.filter((st) => st.taskId === null && !ELSEWHERE_STEPS.has(st.action));
  const taskSteps = (taskId: string) => steps.filter((st) => st.taskId === taskId && st.allowed);
  const staff = hasRole(session?.user, 'admin', 'operator', 'supervisor');
  const canPlot = staff || hasRole(session?.user, 'grid_worker', 'unit_staff');
  const reporter = c.reporter.anonymous ? tr('匿名', 'anonymous') : [c.reporter.name, c.reporter.phone].filter(Boolean).join(' ') || '—';
  return (
    <div className="page case-page" data-testid="case-page" data-state={c.state} data-version={c.version}>
      <header className="case-head">
        <div>
          <p className="muted">
            <Link to={staff ? '/cockpit' : '/'}>{staff ? tr('驾驶舱', 'Cockpit') : tr('返回', 'Back')}</Link> › {c.number}
          </p>
          <h1>{c.title}</h1>
          <p className="row wrap">
            <StateChip state={c.state} name={c.stateName} />
            <PriorityChip priority={c.priority} />
            {c.overdue && <span className="chip late">{tr('超期', 'overdue')}</span>}
            <span className="muted" data-testid="case-category">{c.categoryName}</span>
            <span className="muted">{caseChain(c)}</span>
          </p>
        </div>
        <dl className="facts">
          <div>
            <dt>{tr('响应时限', 'Respond by')}</dt>
            <dd><Clock due={c.respondDue} now={now} done={!['reported', 'registered'].includes(c.state)} /></dd>
          </div>
          <div>
            <dt>{tr('办结时限', 'Resolve by')}</dt>
            <dd><Clock due={c.resolveDue} now={now} done={['closed', 'evaluated', 'checked', 'declined', 'merged'].includes(c.state)} /></dd>
          </div>
          <div>
            <dt>{tr('上报人', 'Reporter')}</dt>
            <dd>{reporter}</dd>
          </div>
          <div>
            <dt>{tr('层级', 'Tier')}</dt>
            <dd>{c.tierName}</dd>
          </div>
        </dl>
      </header>

      {error && <p className="error" role="alert">{error}</p>}

      <div className="toolbar row wrap" role="toolbar" aria-label={tr('案件操作', 'Case actions')} data-testid="case-steps">
        {caseSteps.map((st) => (
          <button
            key={st.action}
            type="button"
            className={st.action === 'apply_plan' || st.action === 'close' ? 'primary' : undefined}
            disabled={busy || !st.allowed}
            aria-describedby={st.allowed ? undefined : `why-${st.action}`}
            onClick={() => void take(st)}
            data-testid={STEP_TEST_IDS[st.action] ?? `step-${st.action}`}
            data-allowed={st.allowed}
          >
            {st.action === 'apply_plan' ? tr('一键调度', 'One-click dispatch') : stepName(st, tr)}
          </button>
        ))}
      </div>
      {caseSteps.some((st) => !st.allowed) && (
        <ul className="small muted step-reasons" data-testid="step-reasons">
          {caseSteps.filter((st) => !st.allowed).map((st) => (
            <li key={st.action} id={`why-${st.action}`}>
              {tr(`暂不能${stepName(st, tr)}：`, `${stepName(st, tr)} not possible yet: `)}
              {st.reason}
            </li>
          ))}
        </ul>
      )}

      <div className="case-grid">
        <section className="panel" aria-labelledby="tasks-h">
          <h2 id="tasks-h">{tr('任务与时限', 'Tasks and clocks')}</h2>
          <TaskTable
            tasks={c.tasks}
            round={c.round}
            onAction={
              steps.some((st) => st.taskId !== null && st.allowed)
                ? (t) => (
                    <span className="row wrap">
                      {taskSteps(t.id).map((st) => (
                        <button key={st.action} type="button" className="small" disabled={busy} onClick={() => void take(st)} data-testid={`task-step-${st.action}`}>
                          {stepName(st, tr)}
                        </button>
                      ))}
                    </span>
                  )
                : undefined
            }
          />
          {c.plan && (
            <p className="small muted">
              {tr('预案', 'Plan')}: {tr(`${c.plan.name}（第 ${c.plan.version} 版）`, `${c.plan.name} v${c.plan.version}`)} · {fmtTime(c.plan.appliedAt)}
            </p>
          )}
          {c.automaticSteps && c.automaticSteps.length > 0 && (
            <>
              <h3>{tr('自动动作', 'Automatic steps')}</h3>
              <ul className="small">
                {c.automaticSteps.map((s) => (
                  <li key={`${s.key}-${s.target}`} className={s.needsAttention ? 'warn' : undefined}>
                    {nameOf(ACTION_KIND_NAMES, s.kind, tr)} · {targetName(s.kind, s.target, tr)} · {nameOf(ACTION_PHASE_NAMES, s.phase, tr)} · {nameOf(ACTION_OUTCOME_NAMES, s.outcome, tr)}{' '}
                    {s.needsAttention && tr('（需人工处理）', '(needs an operator)')}
                  </li>
                ))}
              </ul>
            </>
          )}
          {c.summary && (
            <p>
              <strong>{tr('反馈：', 'Reported back: ')}</strong>
              {c.summary}
            </p>
          )}
          <p className="small">{c.description}</p>
          <p className="small muted">{c.location.address}</p>
        </section>

        <section className="panel map-panel" aria-labelledby="plot-h">
          <h2 id="plot-h">{tr('现场与标绘', 'Site and plotting')}</h2>
          <div ref={mapEl} className="map small-map" data-testid="case-map" />
          {canPlot && (
            <div className="row wrap plot-tools" role="toolbar" aria-label={tr('在线标绘', 'Plotting')}>
              {(
                [
                  ['point', '点', 'Point'],
                  ['line', '线（路线）', 'Line (route)'],
                  ['polygon', '面（警戒区）', 'Area (cordon)'],
                  ['label', '文字', 'Label'],
                ] as const
              ).map(([k, zh, en]) => (
                <button key={k} type="button" aria-pressed={drawing === k} onClick={() => void draw(k)} data-testid={`plot-${k}`}>
                  {tr(zh, en)}
                </button>
              ))}
              {drawing && (drawing === 'line' || drawing === 'polygon') && (
                <button type="button" className="primary" onClick={() => void mapRef.current?.finishDrawing()} data-testid="plot-finish">
                  {tr('完成', 'Finish')}
                </button>
              )}
              {drawing && <button type="button" onClick={() => mapRef.current?.cancelDrawing()}>{tr('取消', 'Cancel')}</button>}
              <button type="button" disabled={plotCount === 0} onClick={undoPlot}>{tr('撤销', 'Undo')}</button>
              <button type="button" className="primary" disabled={!plotDirty || busy} onClick={() => void savePlotNow()} data-testid="plot-save">
                {tr('保存标绘', 'Save plot')}
              </button>
              <span className="muted small" role="status">
                {drawing ? tr('在地图上点击添加点；双击或"完成"结束', 'Click the map to add points; double-click or Finish to end') : plotNote ?? count(plotCount, '个标绘要素', 'plotted feature', tr)}
              </span>
            </div>
          )}
        </section>

        <section className="panel" aria-labelledby="tl-h">
          <h2 id="tl-h">{tr('办理过程（事件日志）', 'Timeline (event log)')}</h2>
          <ol className="timeline" data-testid="timeline">
            {events.map((e) => {
              return (
                <li key={e.id} data-type={e.type}>
                  <time dateTime={e.at}>{fmtTime(e.at)}</time>
                  <strong>{eventName(e.type, tr)}</strong>
                  <span className="muted"> · {e.actor.name}</span>
                  {eventWhy(e.type, e.payload, tr) && <div className="small">{eventWhy(e.type, e.payload, tr)}</div>}
                </li>
              );
            })}
          </ol>
        </section>

        <section className="panel" aria-labelledby="att-h">
          <h2 id="att-h">{tr('证据与附件', 'Evidence and attachments')}</h2>
          {c.attachments.length === 0 ? (
            <p className="muted">{tr('暂无', 'None')}</p>
          ) : (
            <ul>
              {c.attachments.map((x) => (
                <li key={x.id}>
                  <button type="button" className="link" onClick={() => void download(c.id, x)}>
                    {x.fileName}
                  </button>{' '}
                  <span className="muted small">{Math.ceil(x.size / 1024)} KB</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>

      {dispatching && (
        <DispatchDialog
          c={c}
          onClose={() => setDispatching(false)}
          onApplied={(u) => {
            setDispatching(false);
            setC(u);
            void load();
          }}
        />
      )}
      {checking && (
        <CheckDialog
          onDone={(r) => {
            setChecking(false);
            if (r) void run('check', { passed: r.passed, ...(r.note ? { note: r.note } : {}) });
          }}
        />
      )}
      {parking && (
        <ParkDialog
          onDone={(r) => {
            setParking(false);
            if (r) void run('park', r);
          }}
        />
      )}
      {evaluating && (
        <EvaluateDialog
          onDone={(r) => {
            setEvaluating(false);
            if (r) void run('evaluate', { solved: r.solved, satisfaction: r.satisfaction, ...(r.comment ? { comment: r.comment } : {}) });
          }}
        />
      )}
      {promptNode}
    </div>
  );
}
