import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, errorText } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { BREACH_NAMES, MODEL_NAMES, nameOf } from '../labels.ts';
import { SeriesEditor } from '../components/series-editor.tsx';
import { DemUpload } from '../components/dem-upload.tsx';
import { emptyForm, errorsByField, formFields, requestOf, type AnalysisForm as Form, type SeriesRow } from '../analysis/analysis-inputs.ts';
import type { AnalysisModel, AnalysisView, LngLat, RasterView } from '../analysis/analysis-types.ts';
import type { ModelMarks } from '../map/model-overlays.ts';

export type PickKind = 'point' | 'line' | 'polygon';

const MODELS: readonly AnalysisModel[] = ['lake', 'flood', 'dambreak', 'fill'];

/**
 * The form that starts a run: the model, the terrain (a stored DEM), and the model's inputs —
 * placed on the map by clicks (the lake's seed, the rain's area, inflow points, the dam's crest)
 * and typed (levels, a hyetograph by rows, durations). The server checks everything; its
 * refusals are shown beside the field they name.
 */
export function AnalysisForm({
  rasters,
  pick,
  picking,
  finishPick,
  onMarks,
  onRaster,
  onStarted,
  onRasterStored,
}: {
  readonly rasters: readonly RasterView[];
  /** a DEM imported from the form (offered to those who may store rasters) */
  readonly onRasterStored?: (r: RasterView) => void;
  /** Clicks on the map: one point, a line or a polygon; null when cancelled. */
  readonly pick: (kind: PickKind) => Promise<LngLat[] | null>;
  readonly picking: boolean;
  readonly finishPick: () => void;
  readonly onMarks: (m: ModelMarks) => void;
  readonly onRaster: (r: RasterView | null) => void;
  readonly onStarted: (a: AnalysisView) => void;
}) {
  const { tr } = useI18n();
  const [f, setF] = useState<Form>(() => emptyForm('lake'));
  const [errors, setErrors] = useState<Map<string, string[]>>(new Map());
  const [busy, setBusy] = useState(false);
  const dems = useMemo(() => rasters.filter((r) => r.kind === 'dem'), [rasters]);

  useEffect(() => {
    if (!f.rasterId && dems[0]) setF((x) => ({ ...x, rasterId: dems[0]!.id }));
  }, [dems, f.rasterId]);
  useEffect(() => onRaster(dems.find((r) => r.id === f.rasterId) ?? null), [f.rasterId, dems, onRaster]);

  // What the form holds is drawn on the map.
  useEffect(() => {
    const seed = tr('种子点', 'Seed');
    if (f.model === 'lake') onMarks({ points: f.lake.seed ? [{ at: f.lake.seed, label: seed }] : [] });
    else if (f.model === 'flood') onMarks({ areas: f.flood.area ? [f.flood.area] : [], points: f.flood.inflows.map((i, k) => ({ at: i.at, label: tr(`入流 ${k + 1}`, `Inflow ${k + 1}`) })) });
    else if (f.model === 'dambreak') onMarks({ lines: [f.dam.crestLine], points: f.dam.reservoirSide ? [{ at: f.dam.reservoirSide, label: tr('库区', 'Reservoir') }] : [] });
    else onMarks({});
  }, [f, onMarks, tr]);

  const fields = formFields(f);
  const errs = (field: string) => errors.get(field) ?? [];
  const rowErrors = (prefix: string): Map<number, string[]> => {
    const m = new Map<number, string[]>();
    for (const [k, v] of errors) if (k.startsWith(`${prefix}.`)) m.set(Number(k.slice(prefix.length + 1).split('.')[0]), v);
    return m;
  };
  const set = <K extends 'lake' | 'flood' | 'dam'>(part: K, patch: Partial<Form[K]>) => setF((x) => ({ ...x, [part]: { ...x[part], ...patch } }));

  const submit = async () => {
    setBusy(true);
    setErrors(new Map());
    try {
      const a = await api<AnalysisView>('/api/v1/analyses', { body: requestOf(f) });
      onStarted(a);
    } catch (e) {
      // A schema check lists its errors; a domain refusal names one field.
      if (e instanceof ApiError && e.errors.length > 0) setErrors(errorsByField(e.errors, fields));
      else if (e instanceof ApiError && e.field) setErrors(errorsByField([{ path: e.field, message: e.message }], fields));
      else setErrors(new Map([['', [errorText(e)]]]));
    } finally {
      setBusy(false);
    }
  };

  const pickButton = (label: string, kind: PickKind, testId: string, take: (pts: LngLat[]) => void) => (
    <button
      type="button"
      disabled={picking}
      data-testid={testId}
      onClick={() =>
        void pick(kind).then((pts) => {
          if (pts && pts.length > 0) take(pts);
        })
      }
    >
      {label}
    </button>
  );

  return (
    <form
      className="stack analysis-form"
      data-testid="analysis-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <fieldset className="row wrap" role="radiogroup" aria-label={tr('模型', 'Model')}>
        {MODELS.map((m) => (
          <label key={m} className="inline">
            <input type="radio" name="model" value={m} checked={f.model === m} onChange={() => setF((x) => ({ ...x, model: m }))} data-testid={`model-${m}`} />
            {nameOf(MODEL_NAMES, m, tr)}
          </label>
        ))}
      </fieldset>
      <Field label={tr('地形数据', 'Terrain (DEM)')} errors={errs('rasterId')}>
        <select value={f.rasterId} onChange={(e) => setF((x) => ({ ...x, rasterId: e.target.value }))} data-testid="analysis-raster">
          {dems.length === 0 && <option value="">{tr('尚无地形数据', 'No terrain stored yet')}</option>}
          {dems.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}（{r.width}×{r.height}）
            </option>
          ))}
        </select>
        {onRasterStored && (
          <DemUpload
            onStored={(r) => {
              onRasterStored(r);
              setF((x) => ({ ...x, rasterId: r.id }));
            }}
          />
        )}
      </Field>
      <Field label={tr('名称（可选）', 'Name (optional)')} errors={errs('name')}>
        <input value={f.name} onChange={(e) => setF((x) => ({ ...x, name: e.target.value }))} data-testid="analysis-name" />
      </Field>

      {f.model === 'lake' && (
        <>
          <Field group label={tr('种子点（在地图上点击）', 'Seed (click the map)')} errors={errs('inputs.seed')}>
            <span className="row">
              {pickButton(tr('点选种子点', 'Pick the seed'), 'point', 'pick-seed', (p) => set('lake', { seed: p[0]! }))}
              <span className="muted small" data-testid="seed-text">
                {f.lake.seed ? `${f.lake.seed[0].toFixed(5)}, ${f.lake.seed[1].toFixed(5)}` : tr('未选', 'none')}
              </span>
            </span>
          </Field>
          <Field label={tr('水位（米）', 'Water level (m)')} errors={errs('inputs.levelM')}>
            <input inputMode="decimal" value={f.lake.levelM} onChange={(e) => set('lake', { levelM: e.target.value })} data-testid="lake-level" />
          </Field>
        </>
      )}

      {f.model === 'flood' && (
        <>
          <Field group label={tr('降雨范围', 'Rain area')} errors={[...errs('inputs.rainfall'), ...errs('inputs.rainfall.0.area')]}>
            <span className="row wrap">
              {pickButton(tr('在地图上画范围', 'Draw the area'), 'polygon', 'pick-area', (p) => set('flood', { area: p }))}
              {f.flood.area && (
                <button type="button" className="ghost" onClick={() => set('flood', { area: null })}>
                  {tr('整个地形', 'Whole terrain')}
                </button>
              )}
              <span className="muted small">{f.flood.area ? tr(`${f.flood.area.length} 个顶点`, `${f.flood.area.length} vertices`) : tr('整个地形', 'whole terrain')}</span>
            </span>
          </Field>
          <Field group label={tr('雨型（毫米/小时）', 'Hyetograph (mm/h)')} errors={errs('inputs.rainfall.0.hyetograph')}>
            <SeriesEditor rows={f.flood.hyetograph} onChange={(rows) => set('flood', { hyetograph: rows })} valueLabel={tr('雨强（毫米/小时）', 'Rain (mm/h)')} errors={rowErrors('inputs.rainfall.0.hyetograph')} testId="hyetograph" />
          </Field>
          <Field group label={tr('入流点', 'Inflow points')} errors={errs('inputs.inflows')}>
            <div className="stack">
              {f.flood.inflows.map((inf, i) => (
                <div key={i} className="stack">
                  <span className="row">
                    {tr(`入流 ${i + 1}`, `Inflow ${i + 1}`)}
                    <button type="button" className="ghost" onClick={() => set('flood', { inflows: f.flood.inflows.filter((_, j) => j !== i) })}>
                      {tr('删除', 'Remove')}
                    </button>
                  </span>
                  {errs(`inputs.inflows.${i}`).map((m, k) => (
                    <span key={k} className="field-error" role="alert">{m}</span>
                  ))}
                  <SeriesEditor
                    rows={inf.rows}
                    onChange={(rows: SeriesRow[]) => set('flood', { inflows: f.flood.inflows.map((x, j) => (j === i ? { ...x, rows } : x)) })}
                    valueLabel={tr('流量（立方米/秒）', 'Flow (m³/s)')}
                    errors={rowErrors(`inputs.inflows.${i}.hydrograph`)}
                    testId={`inflow-${i}`}
                  />
                </div>
              ))}
              {pickButton(tr('点选入流点', 'Add an inflow point'), 'point', 'pick-inflow', (p) => set('flood', { inflows: [...f.flood.inflows, { at: p[0]!, rows: [{ minutes: '0', value: '10' }] }] }))}
            </div>
          </Field>
          <Durations f={f.flood} onChange={(p) => set('flood', p)} errs={errs} />
        </>
      )}

      {f.model === 'dambreak' && (
        <>
          <Field group label={tr('坝顶线（在地图上点击）', 'Crest line (click the map)')} errors={errs('inputs.dam.crestLine')}>
            <span className="row wrap">
              {pickButton(tr('画坝顶线', 'Draw the crest'), 'line', 'pick-crest', (p) => set('dam', { crestLine: p }))}
              <span className="muted small">{tr(`${f.dam.crestLine.length} 个点`, `${f.dam.crestLine.length} points`)}</span>
            </span>
          </Field>
          <Field group label={tr('库区一侧（点选）', 'Reservoir side (click)')} errors={errs('inputs.dam.reservoirSide')}>
            {pickButton(tr('点选库区', 'Pick the reservoir side'), 'point', 'pick-reservoir', (p) => set('dam', { reservoirSide: p[0]! }))}
          </Field>
          <Field label={tr('坝顶高程（米）', 'Crest level (m)')} errors={errs('inputs.dam.crestLevelM')}>
            <input inputMode="decimal" value={f.dam.crestLevelM} onChange={(e) => set('dam', { crestLevelM: e.target.value })} />
          </Field>
          <Field label={tr('库水位（米）', 'Reservoir level (m)')} errors={errs('inputs.dam.reservoirLevelM')}>
            <input inputMode="decimal" value={f.dam.reservoirLevelM} onChange={(e) => set('dam', { reservoirLevelM: e.target.value })} />
          </Field>
          <Field label={tr('溃口', 'Breach')} errors={errs('inputs.dam.breach')}>
            <select value={f.dam.breach} onChange={(e) => set('dam', { breach: e.target.value as 'sudden' | 'gradual' })}>
              {(['sudden', 'gradual'] as const).map((b) => (
                <option key={b} value={b}>
                  {nameOf(BREACH_NAMES, b, tr)}
                </option>
              ))}
            </select>
          </Field>
          {f.dam.breach === 'gradual' && (
            <>
              <Field label={tr('溃口中心位置（0–1）', 'Breach centre (0–1)')} errors={errs('inputs.dam.breach.centre')}>
                <input inputMode="decimal" value={f.dam.breachCentre} onChange={(e) => set('dam', { breachCentre: e.target.value })} />
              </Field>
              <Field label={tr('溃口宽度（米）', 'Breach width (m)')} errors={errs('inputs.dam.breach.finalWidthM')}>
                <input inputMode="decimal" value={f.dam.breachWidthM} onChange={(e) => set('dam', { breachWidthM: e.target.value })} />
              </Field>
              <Field label={tr('溃口底高程（米）', 'Breach bottom (m)')} errors={errs('inputs.dam.breach.finalBottomM')}>
                <input inputMode="decimal" value={f.dam.breachBottomM} onChange={(e) => set('dam', { breachBottomM: e.target.value })} />
              </Field>
              <Field label={tr('溃决历时（分钟）', 'Breach formation (min)')} errors={errs('inputs.dam.breach.formationS')}>
                <input inputMode="decimal" value={f.dam.breachFormationMin} onChange={(e) => set('dam', { breachFormationMin: e.target.value })} />
              </Field>
            </>
          )}
          <Durations f={f.dam} onChange={(p) => set('dam', p)} errs={errs} />
        </>
      )}

      {picking && (
        <p className="row small" role="status" data-testid="picking">
          {tr('在地图上点击；线和范围双击或按“完成”结束。', 'Click the map; double-click or press Done to end a line or an area.')}
          <button type="button" onClick={finishPick} data-testid="pick-done">
            {tr('完成', 'Done')}
          </button>
        </p>
      )}
      {[...errs(''), ...errs('inputs'), ...errs('model')].map((m, i) => (
        <p key={i} className="error" role="alert">
          {m}
        </p>
      ))}
      <div className="row end">
        <button type="submit" className="primary" disabled={busy || picking} data-testid="analysis-start">
          {tr('开始计算', 'Start')}
        </button>
      </div>
    </form>
  );
}

/** A labelled field with the server's messages for it; `group`: several controls (buttons, a table), named as a group. */
function Field({ label, errors, children, group = false }: { readonly label: string; readonly errors: readonly string[]; readonly children: ReactNode; readonly group?: boolean }) {
  const body = (
    <>
      <span className="field-label">{label}</span>
      {children}
      {errors.map((m, i) => (
        <span key={i} className="field-error" role="alert">
          {m}
        </span>
      ))}
    </>
  );
  const cls = `field${errors.length > 0 ? ' invalid' : ''}`;
  return group ? (
    <div className={cls} role="group" aria-label={label}>
      {body}
    </div>
  ) : (
    <label className={cls}>{body}</label>
  );
}

function Durations({ f, onChange, errs }: { readonly f: { readonly durationMin: string; readonly outputMin: string }; readonly onChange: (p: { durationMin?: string; outputMin?: string }) => void; readonly errs: (k: string) => string[] }) {
  const { tr } = useI18n();
  return (
    <div className="row wrap">
      <Field label={tr('模拟时长（分钟）', 'Duration (min)')} errors={errs('inputs.durationS')}>
        <input inputMode="decimal" value={f.durationMin} onChange={(e) => onChange({ durationMin: e.target.value })} data-testid="duration" />
      </Field>
      <Field label={tr('输出间隔（分钟）', 'Output every (min)')} errors={errs('inputs.outputIntervalS')}>
        <input inputMode="decimal" value={f.outputMin} onChange={(e) => onChange({ outputMin: e.target.value })} data-testid="output-interval" />
      </Field>
    </div>
  );
}
