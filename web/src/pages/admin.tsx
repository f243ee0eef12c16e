import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, errorText } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { useSession, hasRole } from '../session.tsx';
import type { Category, PlanRun } from '../types.ts';

interface PlanSummary {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly description: string | null;
  readonly categories: string[];
}

function Plans() {
  const { tr, fmtTime } = useI18n();
  const { session } = useSession();
  const admin = hasRole(session?.user, 'admin');
  const [plans, setPlans] = useState<PlanSummary[]>([]);
  const [sel, setSel] = useState<string | null>(null);
  const [source, setSource] = useState('');
  const [versions, setVersions] = useState<{ version: number; createdAt?: string; created_at?: string; author?: string }[]>([]);
  const [problems, setProblems] = useState<{ path: string; message: string; line?: number }[]>([]);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sim, setSim] = useState({ categoryCode: '', lng: '106.5455', lat: '29.5635' });
  const [run, setRun] = useState<PlanRun | null>(null);

  const loadList = useCallback(() => api<{ items: PlanSummary[] }>('/api/v1/plans').then((r) => setPlans(r.items), (e) => setError(errorText(e))), []);
  useEffect(() => void loadList(), [loadList]);
  const open = async (id: string) => {
    setSel(id);
    setProblems([]);
    setNote(null);
    setRun(null);
    const p = await api<{ source: string; definition: { trigger?: { categories?: string[] } } }>(`/api/v1/plans/${id}`);
    setSource(p.source);
    setSim((s) => ({ ...s, categoryCode: plans.find((x) => x.id === id)?.categories[0] ?? s.categoryCode }));
    const v = await api<{ items: { version: number; createdAt?: string; created_at?: string; author?: string }[] }>(`/api/v1/plans/${id}/versions`);
    setVersions(v.items);
  };
  const save = async () => {
    setProblems([]);
    setNote(null);
    try {
      const r = await api<{ id: string; version: number; created: boolean }>('/api/v1/plans', { body: { source } });
      setNote(r.created ? tr(`已保存为第 ${r.version} 版`, `Saved as version ${r.version}`) : tr('未改动', 'No change'));
      await loadList();
      await open(r.id);
    } catch (e) {
      if (e instanceof ApiError && e.errors.length) setProblems(e.errors);
      else setProblems([{ path: '/', message: errorText(e) }]);
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
                  {p.id} · v{p.version} · {p.categories.join(', ')}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      {sel && (
        <section className="panel stack">
          <h2>{sel}</h2>
          <label>
            {tr('预案 YAML', 'Plan YAML')}
            <textarea value={source} onChange={(e) => setSource(e.target.value)} rows={22} spellCheck={false} readOnly={!admin} style={{ fontFamily: 'ui-monospace, monospace', fontSize: '0.85rem' }} aria-invalid={problems.length > 0} aria-describedby="plan-problems" />
          </label>
          <div id="plan-problems" role="alert">
            {problems.length > 0 && (
              <ul className="error">
                {problems.map((p, i) => (
                  <li key={i}>
                    <code>{p.path || '/'}</code>
                    {p.line ? ` (${tr('行', 'line')} ${p.line})` : ''}: {p.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
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
                {run.matched ? tr('条件匹配', 'matched') : tr('条件不匹配', 'not matched')} · {tr('级别', 'tier')} {run.tier}
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
          <ul className="small">
            {versions.map((v) => (
              <li key={v.version}>
                v{v.version} {v.author ? `· ${v.author}` : ''} {v.createdAt ?? v.created_at ? `· ${fmtTime(v.createdAt ?? v.created_at)}` : ''}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function RoutingTable() {
  const { tr } = useI18n();
  const [t, setT] = useState<{ version: number | null; source: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ version: number | null; source: string }>('/api/v1/routing-table').then(setT, (e) => setError(errorText(e)));
  }, []);
  return (
    <section className="panel">
      <h2>{tr('派单目录', 'Routing table')} {t?.version ? `v${t.version}` : ''}</h2>
      {error && <p className="error">{error}</p>}
      <pre style={{ whiteSpace: 'pre-wrap', maxHeight: '60vh', overflow: 'auto' }} tabIndex={0}>{t?.source}</pre>
    </section>
  );
}

function Categories() {
  const { tr, lang } = useI18n();
  const [cats, setCats] = useState<(Category & { respondWithin?: string; resolveWithin?: string; basis?: string })[]>([]);
  useEffect(() => {
    api<{ items: (Category & { respondWithin?: string; resolveWithin?: string; basis?: string })[] }>('/api/v1/categories').then((r) => setCats(r.items), () => undefined);
  }, []);
  return (
    <section className="panel">
      <h2>{tr('事项类别与时限', 'Categories and deadlines')}</h2>
      <table className="tasks">
        <thead>
          <tr>
            <th scope="col">{tr('代码', 'Code')}</th>
            <th scope="col">{tr('名称', 'Name')}</th>
            <th scope="col">{tr('响应', 'Respond')}</th>
            <th scope="col">{tr('办结', 'Resolve')}</th>
            <th scope="col">{tr('计时', 'Basis')}</th>
          </tr>
        </thead>
        <tbody>
          {cats.map((c) => (
            <tr key={c.code}>
              <td><code>{c.code}</code></td>
              <td>{lang === 'zh' ? c.nameZh : c.nameEn}</td>
              <td>{c.respondWithin}</td>
              <td>{c.resolveWithin}</td>
              <td>{c.basis === 'working' ? tr('工作时间', 'working') : tr('自然时间', 'calendar')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Administration: plans as YAML with validation errors in place, dry runs and versions; the routing table; categories. */
export default function Admin() {
  const { tr } = useI18n();
  const [tab, setTab] = useState<'plans' | 'routing' | 'categories'>('plans');
  const tabs = [
    ['plans', tr('预案', 'Plans')],
    ['routing', tr('派单目录', 'Routing table')],
    ['categories', tr('事项类别', 'Categories')],
  ] as const;
  return (
    <div className="page" data-testid="admin">
      <h1>{tr('预案与配置', 'Plans and settings')}</h1>
      <div className="row" role="tablist" aria-label={tr('配置', 'Settings')} style={{ marginBottom: '0.6rem' }}>
        {tabs.map(([k, n]) => (
          <button key={k} type="button" role="tab" aria-selected={tab === k} aria-pressed={tab === k} onClick={() => setTab(k)}>
            {n}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {tab === 'plans' && <Plans />}
        {tab === 'routing' && <RoutingTable />}
        {tab === 'categories' && <Categories />}
      </div>
    </div>
  );
}
