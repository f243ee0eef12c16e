import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { api, errorText, qs } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { ANALYSIS_STATE_NAMES, LAYER_NAMES, MODEL_NAMES, nameOf } from '../labels.ts';
import { RasterLegend } from '../components/raster-legend.tsx';
import { TimeSlider } from '../components/time-slider.tsx';
import { labelIsochrones } from '../analysis/legend.ts';
import { ARRIVAL_LAYER, firstLayer, mayTake, summaryRows } from '../analysis/analysis-view.ts';
import { isRunning, type AnalysisView } from '../analysis/analysis-types.ts';
import type { ModelOverlays } from '../map/model-overlays.ts';

const ISOCHRONE_STEPS = [5, 10, 15, 30, 60];

/**
 * One run: its state and progress, what it found (the summary), its layers on the map with the
 * legend, opacity, the time slider over its snapshots and the arrival isochrones; cancel, rerun,
 * and what the result means (`children`: the impact list and the evacuation board).
 */
export function AnalysisResult({
  a,
  overlays,
  roles,
  onChanged,
  children,
}: {
  readonly a: AnalysisView;
  readonly overlays: ModelOverlays | null;
  readonly roles: readonly string[];
  readonly onChanged: (a: AnalysisView | null) => void;
  readonly children?: ReactNode;
}) {
  const { tr, lang, fmtTime } = useI18n();
  const [layer, setLayer] = useState<string | null>(() => firstLayer(a));
  const [opacity, setOpacity] = useState(0.75);
  /** -1: the chosen layer; 0..n-1: a snapshot. */
  const [frame, setFrame] = useState(-1);
  const [isoStep, setIsoStep] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const layers = a.layers ?? [];
  const snapshots = a.snapshots ?? [];
  const shown = layers.find((l) => l.name === layer) ?? null;

  useEffect(() => {
    setLayer((l) => (l && layers.some((x) => x.name === l) ? l : firstLayer(a)));
  }, [a, layers]);

  // The map shows the chosen layer, or the snapshot the slider is on (drawn over the same corners as the depth).
  useEffect(() => {
    if (!overlays) return;
    const depth = layers.find((l) => l.name === 'maxDepth') ?? shown;
    const snap = frame >= 0 ? snapshots[frame] : undefined;
    if (snap && depth) overlays.setImage({ imageUrl: snap.imageUrl, corners: depth.corners });
    else overlays.setImage(shown);
  }, [overlays, shown, frame, snapshots, layers]);
  // Fitted once per layer place: the record read again (progress, the feed) brings equal corners in new arrays.
  const cornersKey = shown ? shown.corners.flat().join(',') : '';
  useEffect(() => {
    if (overlays && shown) overlays.fitTo(shown.corners);
  }, [overlays, cornersKey]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => overlays?.setOpacity(opacity), [overlays, opacity]);
  useEffect(() => () => overlays?.setIsochrones(null), [overlays, a.id]);

  useEffect(() => {
    if (!overlays) return;
    if (isoStep === null) {
      overlays.setIsochrones(null);
      return;
    }
    let live = true;
    api<GeoJSON.FeatureCollection>(`/api/v1/analyses/${encodeURIComponent(a.id)}/isochrones${qs({ stepMinutes: isoStep })}`)
      .then((fc) => live && overlays.setIsochrones(labelIsochrones(fc, lang)))
      .catch((e) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [overlays, isoStep, a.id, lang]);

  const step = async (what: 'cancel' | 'rerun') => {
    setError(null);
    try {
      const r = await api<AnalysisView>(`/api/v1/analyses/${encodeURIComponent(a.id)}/${what}`, { method: 'POST', body: {} });
      onChanged(r ?? null);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const onFrame = useCallback((i: number) => setFrame(i), []);
  const summary = summaryRows(a.summary, tr, a.model);
  const pct = Math.round(Math.max(0, Math.min(1, a.progress ?? 0)) * 100);

  return (
    <section className="panel stack analysis-result" aria-labelledby="run-h" data-testid="analysis-result">
      <h2 id="run-h">
        {nameOf(MODEL_NAMES, a.model, tr, ['模型', 'Model'])}
        {a.name ? ` · ${a.name}` : ''}
        {a.version && a.version > 1 ? <span className="muted small"> v{a.version}</span> : null}
        <span className={`chip run-${a.state}`} data-testid="run-state">
          {nameOf(ANALYSIS_STATE_NAMES, a.state, tr)}
        </span>
      </h2>
      <p className="small muted">
        {tr('提交于 ', 'Started ')}
        {fmtTime(a.createdAt)}
        {a.finishedAt ? tr(`，完成于 ${fmtTime(a.finishedAt)}`, `, finished ${fmtTime(a.finishedAt)}`) : ''}
      </p>
      {isRunning(a) && (
        <div className="stack">
          <progress max={100} value={pct} aria-label={tr('计算进度', 'Progress')} data-testid="run-progress" />
          <span className="small" data-testid="run-progress-text">
            {pct}%
          </span>
        </div>
      )}
      {a.state === 'failed' && a.error && (
        <p className="error" role="alert" data-testid="run-error">
          {a.error.message}
        </p>
      )}
      <div className="row wrap">
        {mayTake(a, 'cancel', roles) && (
          <button type="button" onClick={() => void step('cancel')} data-testid="run-cancel">
            {tr('取消计算', 'Cancel')}
          </button>
        )}
        {mayTake(a, 'rerun', roles) && (
          <button type="button" onClick={() => void step('rerun')} data-testid="run-rerun">
            {tr('重新计算', 'Run again')}
          </button>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {summary.length > 0 && (
        <dl className="summary" data-testid="run-summary">
          {summary.map((r) => (
            <div key={r.key}>
              <dt>{r.name}</dt>
              <dd>{r.value}</dd>
            </div>
          ))}
        </dl>
      )}
      {layers.length > 0 && (
        <div className="stack">
          <label className="field">
            <span className="field-label">{tr('图层', 'Layer')}</span>
            <select
              value={layer ?? ''}
              onChange={(e) => {
                setLayer(e.target.value);
                setFrame(-1);
              }}
              data-testid="layer-select"
            >
              {layers.map((l) => (
                <option key={l.name} value={l.name}>
                  {nameOf(LAYER_NAMES, l.name, tr, ['计算结果', 'Result'])}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">
              {tr('透明度', 'Opacity')} {Math.round(opacity * 100)}%
            </span>
            <input type="range" min={0} max={100} value={Math.round(opacity * 100)} onChange={(e) => setOpacity(Number(e.target.value) / 100)} data-testid="overlay-opacity" />
          </label>
          {shown && <RasterLegend layer={frame >= 0 ? 'depth' : shown.name} unit={shown.unit} legend={(frame >= 0 ? layers.find((l) => l.name === 'maxDepth')?.legend : undefined) ?? shown.legend} />}
          {layers.some((l) => l.name === ARRIVAL_LAYER) && (
            <label className="field">
              <span className="field-label">{tr('等时线', 'Isochrones')}</span>
              <select value={isoStep ?? ''} onChange={(e) => setIsoStep(e.target.value ? Number(e.target.value) : null)} data-testid="isochrone-step">
                <option value="">{tr('不显示', 'Hidden')}</option>
                {ISOCHRONE_STEPS.map((s) => (
                  <option key={s} value={s}>
                    {tr(`每 ${s} 分钟`, `Every ${s} min`)}
                  </option>
                ))}
              </select>
            </label>
          )}
          {snapshots.length > 0 && (
            <div className="stack">
              <span className="field-label">{tr('水深过程', 'Depth over time')}</span>
              <TimeSlider times={snapshots.map((s) => s.t)} index={frame} onChange={onFrame} />
              {frame >= 0 && (
                <button type="button" className="ghost" onClick={() => setFrame(-1)}>
                  {tr('回到最大水深', 'Back to the maximum')}
                </button>
              )}
            </div>
          )}
        </div>
      )}
      {children}
    </section>
  );
}
