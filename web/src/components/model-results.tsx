import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, apiOptional, errorText } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { MODEL_NAMES, nameOf } from '../labels.ts';
import { Link } from '../router.tsx';
import { useLiveReload } from '../live-feed.ts';
import { ModelOverlays } from '../map/model-overlays.ts';
import { RasterLegend } from './raster-legend.tsx';
import { firstLayer } from '../analysis/analysis-view.ts';
import type { AnalysisView } from '../analysis/analysis-types.ts';
import type { CockpitMap } from '../map/cockpit-map.ts';

/** How many finished runs the cockpit offers to draw. */
const SHOWN = 3;

/**
 * The cockpit's 模型结果 panel: the latest finished runs of the jurisdiction, one of them drawn on
 * the cockpit's map (its deepest-water layer, with legend and opacity); the whole result is on
 * the analysis page. Without the analyses API (an older server) the panel is not shown.
 */
export function ModelResults({ map }: { readonly map: CockpitMap | null }) {
  const { tr, fmtTime } = useI18n();
  const [runs, setRuns] = useState<AnalysisView[] | null>(null);
  const [shown, setShown] = useState<AnalysisView | null>(null);
  const [opacity, setOpacity] = useState(0.75);
  const [error, setError] = useState<string | null>(null);
  const overlays = useMemo(() => (map ? new ModelOverlays(map.map) : null), [map]);

  const load = useCallback(async () => {
    const r = await apiOptional<AnalysisView[] | { items: AnalysisView[] }>('/api/v1/analyses?state=succeeded').catch((e) => {
      setError(errorText(e));
      return null;
    });
    if (r === null) return;
    const items = Array.isArray(r) ? r : r.items;
    setRuns(items.filter((a) => a.state === 'succeeded').slice(0, SHOWN));
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  useLiveReload(load, 2000);

  const layer = shown ? (shown.layers ?? []).find((l) => l.name === firstLayer(shown)) ?? null : null;
  useEffect(() => {
    if (!overlays) return;
    void map?.ready.then(() => {
      overlays.setImage(layer);
      if (layer) overlays.fitTo(layer.corners);
    });
  }, [overlays, map, layer]);
  useEffect(() => overlays?.setOpacity(opacity), [overlays, opacity]);

  const toggle = async (a: AnalysisView) => {
    if (shown?.id === a.id) {
      setShown(null);
      return;
    }
    try {
      setShown(await api<AnalysisView>(`/api/v1/analyses/${encodeURIComponent(a.id)}`));
    } catch (e) {
      setError(errorText(e));
    }
  };

  if (runs === null) return null;
  return (
    <section className="panel" aria-labelledby="models-h" data-testid="model-results">
      <h2 id="models-h">
        {tr('模型结果', 'Model results')}{' '}
        <Link to="/analyses" className="small">
          {tr('全部', 'All')}
        </Link>
      </h2>
      <ul className="list">
        {runs.length === 0 && <li className="muted">{tr('暂无', 'None')}</li>}
        {runs.map((a) => (
          <li key={a.id} className="row">
            <label className="inline">
              <input type="checkbox" checked={shown?.id === a.id} onChange={() => void toggle(a)} data-testid="model-result-toggle" />
              {nameOf(MODEL_NAMES, a.model, tr, ['模型', 'Model'])}
              {a.name ? ` · ${a.name}` : ''}
            </label>
            <span className="small muted">{fmtTime(a.finishedAt ?? a.createdAt)}</span>
          </li>
        ))}
      </ul>
      {layer && (
        <div className="stack">
          <label className="field">
            <span className="field-label">
              {tr('透明度', 'Opacity')} {Math.round(opacity * 100)}%
            </span>
            <input type="range" min={0} max={100} value={Math.round(opacity * 100)} onChange={(e) => setOpacity(Number(e.target.value) / 100)} />
          </label>
          <RasterLegend layer={layer.name} unit={layer.unit} legend={layer.legend} />
          <Link to={`/analyses/${encodeURIComponent(shown!.id)}`}>{tr('打开分析', 'Open the analysis')}</Link>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
