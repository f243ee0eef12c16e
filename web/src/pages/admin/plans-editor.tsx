import { useCallback, useEffect, useState } from 'react';
import { api, errorText } from '../../api.ts';
import { TIER_NAMES, nameOf } from '../../labels.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession, hasRole } from '../../session.tsx';
import type { ApiAnswer, PlanRun } from '../../types.ts';
import { YamlEditor, type EditorProblem } from '../../components/yaml-editor.tsx';
import { VersionList, problemsOf, type VersionInfo } from './shared.tsx';

/**
 * The plans tab: a plan's YAML with its problems in place, a new version saved by administrators,
 * a dry run at a point (the server's engine, nothing written) and the plan's versions.
 */

/** A plan of the list (`GET /api/v1/plans`), as generated from the server's schema. */
type PlanSummary = ApiAnswer<'/api/v1/plans', 'get'>['items'][number];

export function Plans() {
  const { tr } = useI18n();
  const { session } = useSession();
  const admin = hasRole(session?.user, 'admin');
  const [plans, setPlans] = useState<PlanSummary[]>([]);
  const [sel, setSel] = useState<string | null>(null);
  const [source, setSource] = useState('');
  const [versions, setVersions] = useState<VersionInfo[]>([]);
  const [problems, setProblems] = useState<EditorProblem[]>([]);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sim, setSim] = useState({ categoryCode: '', lng: '106.5455', lat: '29.5635' });
  const [run, setRun] = useState<PlanRun | null>(null);

  const loadList = useCallback(() => api<{ items: PlanSummary[] }>('/api/v1/plans').then((r) => setPlans(r.items), (e) => setError(errorText(e))), []);
  useEffect(() => void loadList(), [loadList]);
  const open = async (id: string, list = plans) => {
    setSel(id);
    setProblems([]);
    setNote(null);
    setRun(null);
    try {
      const p = await api<{ source: string }>(`/api/v1/plans/${id}`);
      setSource(p.source);
      setSim((s) => ({ ...s, categoryCode: list.find((x) => x.id === id)?.categories[0] ?? s.categoryCode }));
      setVersions((await api<{ items: VersionInfo[] }>(`/api/v1/plans/${id}/versions`)).items);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const view = async (v: number) => {
    if (!sel) return;
    const p = await api<{ source: string }>(`/api/v1/plans/${sel}/versions/${v}`);
    setSource(p.source);
    setProblems([]);
    setNote(tr(`已载入第 ${v} 版（未保存）`, `Version ${v} loaded (not saved)`));
  };
  const save = async () => {
    setProblems([]);
    setNote(null);
    try {
      const r = await api<{ id: string; version: number; created: boolean }>('/api/v1/plans', { body: { source } });
      setNote(r.created ? tr(`已保存为第 ${r.version} 版`, `Saved as version ${r.version}`) : tr('未改动', 'No change'));
      await loadList();
      await open(r.id);
      setNote(r.created ? tr(`已保存为第 ${r.version} 版`, `Saved as version ${r.version}`) : tr('未改动', 'No change'));
    } catch (e) {
      setProblems(problemsOf(e));
    }
  };
  const simulate = async () => {
    if (!sel) return;
    setRun(null);
    try {
      setRun(await api<PlanRun>(`/api/v1/plans/${sel}/simulate`, { body: { categoryCode: sim.categoryCode, lng: Number(sim.lng), lat: Number(sim.lat), crs: 'gcj02' } }));
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <div className="case-grid">
      <section className="panel">
        <h2>{tr('预案', 'Plans')}</h2>
        {error && <p className="error" role="alert">{error}</p>}
        <ul className="list">
          {plans.map((p) => (
            <li key={p.id}>
              <button type="button" className="item" aria-current={sel === p.id} onClick={() => void open(p.id)}>
                <span className="item-title">{p.name}</span>
                <span className="item-sub">
                  <code>{p.id}</code> · {tr(`第 ${p.version} 版`, `v${p.version}`)} · <code>{p.categories.join(', ')}</code>
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      {sel && (
        <section className="panel stack">
          <h2>{sel}</h2>
          <YamlEditor id="plan" label={tr('预案 YAML', 'Plan YAML')} value={source} onChange={setSource} problems={problems} readOnly={!admin} rows={22} />
          {admin && (
            <div className="row">
              <button type="button" className="primary" onClick={() => void save()}>{tr('校验并保存新版本', 'Validate and save a new version')}</button>
              {note && <span role="status">{note}</span>}
            </div>
          )}
          <h3>{tr('推演（不改变任何数据）', 'Dry run (changes nothing)')}</h3>
          <div className="row wrap">
            <label>
              {tr('类别', 'Category')}
              <input value={sim.categoryCode} onChange={(e) => setSim({ ...sim, categoryCode: e.target.value })} />
            </label>
            <label>
              {tr('经度', 'Longitude')}
              <input value={sim.lng} onChange={(e) => setSim({ ...sim, lng: e.target.value })} inputMode="decimal" />
            </label>
            <label>
              {tr('纬度', 'Latitude')}
              <input value={sim.lat} onChange={(e) => setSim({ ...sim, lat: e.target.value })} inputMode="decimal" />
            </label>
            <button type="button" onClick={() => void simulate()}>{tr('推演', 'Dry run')}</button>
          </div>
          {run && (
            <div className="small">
              <p>
                {run.matched ? tr('条件匹配', 'matched') : tr('条件不匹配', 'not matched')} · {tr('级别', 'tier')} {nameOf(TIER_NAMES, run.tier, tr)}
              </p>
              <ul>
                {run.tasks.map((t) => (
                  <li key={t.key}>
                    {t.role === 'lead' ? tr('主办', 'lead') : tr('协办', 'assist')} · {t.unitName} — {t.instructions}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <h3>{tr('版本历史', 'Versions')}</h3>
          <VersionList items={versions} current={plans.find((p) => p.id === sel)?.version ?? null} onView={(v) => void view(v)} testId="plan-versions" />
        </section>
      )}
    </div>
  );
}
