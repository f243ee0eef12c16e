import { Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { api, apiOptional, errorText } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { liveFeed } from '../live-feed.ts';
import { ANALYSIS_STATE_NAMES, MODEL_NAMES, nameOf } from '../labels.ts';
import { CockpitMap } from '../map/cockpit-map.ts';
import { ModelOverlays, type ModelMarks } from '../map/model-overlays.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { isRunning, type AnalysisView, type LngLat, type RasterView } from '../analysis/analysis-types.ts';
import { analysisOfFeed, mayStoreRasters } from '../analysis/analysis-view.ts';
import { AnalysisForm, type PickKind } from './analysis-form.tsx';
import { AnalysisResult } from './analysis-result.tsx';
import { AnalysisImpact } from './analysis-impact.tsx';
import type { MapFocus } from '../types.ts';

/** While a run is queued or running, the list is read again this often even if the feed is quiet. */
const RUNNING_POLL_MS = 2000;

const itemsOf = <T,>(r: readonly T[] | { readonly items: readonly T[] } | null | undefined): T[] => (r ? [...(Array.isArray(r) ? r : (r as { items: readonly T[] }).items)] : []);

/**
 * 模型分析: the runs of the caller's jurisdiction with their live progress, the form that starts one
 * (inputs placed on the map), and a run's result on the cockpit's map — overlays, legend, time
 * slider, isochrones — with what it means: the impact list and the evacuation board.
 */
export default function Analyses({ id }: { readonly id: string | null }) {
  const { tr, fmtTime } = useI18n();
  const { session } = useSession();
  const roles = session?.user.roles ?? [];
  const mapEl = useRef<HTMLDivElement>(null);
  const mapRef = useRef<CockpitMap | null>(null);
  const [overlays, setOverlays] = useState<ModelOverlays | null>(null);
  const [focus, setFocus] = useState<MapFocus | null>(null);
  const [runs, setRuns] = useState<AnalysisView[] | null>(null);
  const [rasters, setRasters] = useState<RasterView[]>([]);
  const [open, setOpen] = useState<AnalysisView | null>(null);
  const [picking, setPicking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [terrain, setTerrain] = useState<RasterView | null>(null);

  const loadRuns = useCallback(async () => {
    try {
      setRuns(itemsOf(await api<AnalysisView[] | { items: AnalysisView[] }>('/api/v1/analyses')));
    } catch (e) {
      setError(errorText(e));
    }
  }, []);
  const loadOpen = useCallback(async () => {
    if (!id) {
      setOpen(null);
      return;
    }
    try {
      setOpen(await api<AnalysisView>(`/api/v1/analyses/${encodeURIComponent(id)}`));
    } catch (e) {
      setOpen(null);
      setError(errorText(e));
    }
  }, [id]);

  useEffect(() => {
    void loadRuns();
    void api<MapFocus>('/api/v1/map/focus').then(setFocus, (e) => setError(errorText(e)));
    void apiOptional<RasterView[] | { items: RasterView[] }>('/api/v1/rasters').then((r) => setRasters(itemsOf(r)), (e) => setError(errorText(e)));
  }, [loadRuns]);
  useEffect(() => {
    void loadOpen();
  }, [loadOpen]);

  // Progress arrives on the live feed: the run's row is patched at once, and list and record read again (batched).
  const idRef = useRef(id);
  idRef.current = id;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = liveFeed.subscribe((m) => {
      const seen = analysisOfFeed(m);
      if (!seen) return;
      if (seen.id && seen.progress !== undefined) {
        const patch = (a: AnalysisView) => (a.id === seen.id ? { ...a, progress: seen.progress!, ...(seen.state ? { state: seen.state } : {}) } : a);
        setRuns((rs) => rs && rs.map(patch));
        setOpen((o) => o && patch(o));
      }
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        void loadRuns();
        if (!seen.id || seen.id === idRef.current) void loadOpen();
      }, 500);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [loadRuns, loadOpen]);
  const anyRunning = (runs ?? []).some(isRunning) || (open ? isRunning(open) : false);
  useEffect(() => {
    if (!anyRunning) return;
    const t = setInterval(() => {
      void loadRuns();
      void loadOpen();
    }, RUNNING_POLL_MS);
    return () => clearInterval(t);
  }, [anyRunning, loadRuns, loadOpen]);

  useEffect(() => {
    if (!focus || !mapEl.current || mapRef.current) return;
    const m = new CockpitMap({ container: mapEl.current, focus });
    mapRef.current = m;
    (window as unknown as { __analysisMap?: CockpitMap }).__analysisMap = m;
    let live = true;
    void m.ready.then(() => {
      if (!live) return;
      const o = new ModelOverlays(m.map);
      (window as unknown as { __modelOverlays?: ModelOverlays }).__modelOverlays = o;
      setOverlays(o);
    });
    return () => {
      live = false;
      m.destroy();
      mapRef.current = null;
      setOverlays(null);
    };
  }, [focus]);

  // Without a result on the map, the chosen terrain is: the place to click the inputs on.
  useEffect(() => {
    if (!overlays || open) return;
    const img = terrain?.image;
    overlays.setImage(img ? { imageUrl: img.url, corners: img.corners } : null);
    if (img) overlays.fitTo(img.corners);
  }, [overlays, terrain, open]);
  useEffect(() => {
    if (open) overlays?.setMarks({});
  }, [overlays, open]);

  const pick = useCallback(async (kind: PickKind): Promise<LngLat[] | null> => {
    const m = mapRef.current;
    if (!m) return null;
    setPicking(true);
    try {
      const f = await m.startDrawing(kind);
      if (!f) return null;
      const g = f.geometry;
      if (g.type === 'Point') return [[g.coordinates[0]!, g.coordinates[1]!]];
      if (g.type === 'LineString') return g.coordinates.map((c) => [c[0]!, c[1]!] as const);
      if (g.type === 'Polygon') return g.coordinates[0]!.slice(0, -1).map((c) => [c[0]!, c[1]!] as const);
      return null;
    } finally {
      setPicking(false);
    }
  }, []);
  const onMarks = useCallback((marks: ModelMarks) => overlays?.setMarks(marks), [overlays]);

  return (
    <div className="analyses" data-testid="analyses-page">
      <section className="side stack">
        <section className="panel" aria-labelledby="runs-h">
          <h2 id="runs-h">{tr('模型分析', 'Analyses')}</h2>
          {runs === null ? (
            <p className="muted" role="status">{tr('加载中…', 'Loading…')}</p>
          ) : runs.length === 0 ? (
            <p className="muted" data-testid="runs-empty">{tr('还没有计算。', 'No runs yet.')}</p>
          ) : (
            <ul className="list" data-testid="run-list">
              {runs.map((r) => (
                <li key={r.id}>
                  <Link to={`/analyses/${encodeURIComponent(r.id)}`} className="item" aria-current={r.id === id ? 'true' : undefined} data-testid="run-item">
                    <span className="item-title">
                      {nameOf(MODEL_NAMES, r.model, tr, ['模型', 'Model'])}
                      {r.name ? ` · ${r.name}` : ''} <span className={`chip run-${r.state}`}>{nameOf(ANALYSIS_STATE_NAMES, r.state, tr)}</span>
                    </span>
                    <span className="item-sub small muted">
                      {fmtTime(r.createdAt)}
                      {isRunning(r) ? ` · ${Math.round((r.progress ?? 0) * 100)}%` : ''}
                    </span>
                    {isRunning(r) && <progress max={100} value={Math.round((r.progress ?? 0) * 100)} aria-hidden="true" />}
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="panel" aria-labelledby="new-h">
          {id ? (
            <Link to="/analyses" className="button" data-testid="new-run" id="new-h">
              {tr('新建计算', 'New run')}
            </Link>
          ) : (
            <>
              <h2 id="new-h">{tr('新建计算', 'New run')}</h2>
              <AnalysisForm
                rasters={rasters}
                {...(mayStoreRasters(roles) ? { onRasterStored: (r: RasterView) => setRasters((rs) => [r, ...rs.filter((x) => x.id !== r.id)]) } : {})}
                pick={pick}
                picking={picking}
                finishPick={() => void mapRef.current?.finishDrawing()}
                onMarks={onMarks}
                onRaster={setTerrain}
                onStarted={(a) => {
                  setRuns((rs) => [a, ...(rs ?? []).filter((x) => x.id !== a.id)]);
                  navigate(`/analyses/${encodeURIComponent(a.id)}`);
                }}
              />
            </>
          )}
        </section>
      </section>
      <section className="map-wrap" aria-label={tr('分析地图', 'Analysis map')}>
        <div ref={mapEl} className="map" data-testid="analysis-map" />
        {error && (
          <p className="error floating" role="alert">
            {error}
          </p>
        )}
      </section>
      <section className="side stack">
        {open ? (
          <AnalysisResult
            key={open.id}
            a={open}
            overlays={overlays}
            roles={roles}
            onChanged={(a) => {
              void loadRuns();
              if (a && a.id !== open.id) navigate(`/analyses/${encodeURIComponent(a.id)}`);
              else void loadOpen();
            }}
          >
            <Suspense fallback={null}>
              <AnalysisImpact a={open} roles={roles} />
            </Suspense>
          </AnalysisResult>
        ) : (
          <section className="panel">
            <h2>{tr('使用说明', 'How to')}</h2>
            <p className="small muted">
              {tr('选择模型和地形数据，在地图上点选输入，开始计算；完成后结果叠加在地图上。', 'Choose a model and the terrain, place the inputs on the map and start; the result is drawn on the map when done.')}
            </p>
          </section>
        )}
      </section>
    </div>
  );
}

