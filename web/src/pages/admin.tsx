import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { api, ApiError, errorText } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { useSession, hasRole } from '../session.tsx';
import type { PlanRun, Severity } from '../types.ts';
import { YamlEditor, problemText, type EditorProblem } from '../components/yaml-editor.tsx';
import { AccountSecurity } from './account-security.tsx';

/**
 * Administration (预案与配置): plans, alert rules and the routing table as YAML with their problems
 * in place (line marks beside the text, the list under it), dry runs and versions; the category
 * list as a form table edited as a whole, its problems beside the cells. Staff read and dry-run;
 * only administrators save. Reference: docs/reference/administration.md.
 */

interface VersionInfo {
  readonly version: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly active?: boolean;
}

/** The problems of a refused request, or the request's error as one problem. */
function problemsOf(e: unknown): EditorProblem[] {
  if (e instanceof ApiError && e.errors.length > 0) return e.errors as EditorProblem[];
  return [{ path: '', message: errorText(e) }];
}

function VersionList(props: { readonly items: readonly VersionInfo[]; readonly current?: number | null; onView?(v: number): void; readonly testId: string }) {
  const { tr, fmtTime } = useI18n();
  return (
    <ul className="small" data-testid={props.testId} style={{ paddingLeft: '1.2rem' }}>
      {props.items.map((v) => (
        <li key={v.version}>
          <strong>v{v.version}</strong> · {v.createdBy} · {fmtTime(v.createdAt)}
          {props.current === v.version ? ` · ${tr('在用', 'in force')}` : ''}
          {props.onView && (
            <>
              {' '}
              <button type="button" className="link" onClick={() => props.onView!(v.version)} aria-label={tr(`查看第 ${v.version} 版`, `View version ${v.version}`)}>
                {tr('查看', 'view')}
              </button>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

// ───────────────────────────── plans ─────────────────────────────

interface PlanSummary {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly description: string | null;
  readonly categories: string[];
}

function Plans() {
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
          <VersionList items={versions} current={plans.find((p) => p.id === sel)?.version ?? null} onView={(v) => void view(v)} testId="plan-versions" />
        </section>
      )}
    </div>
  );
}

// ───────────────────────────── rules ─────────────────────────────

interface RuleSummary {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly activeVersion: number | null;
  readonly active: boolean;
  readonly deviceTypes: string[];
  readonly scope: string;
  readonly category: string | null;
  readonly trusted: boolean;
}

interface RuleDryRunEvent {
  readonly type: 'raise' | 'update' | 'clear';
  readonly subject: string;
  readonly deviceId: string | null;
  readonly deviceName: string | null;
  readonly at: string;
  readonly severity: Severity | null;
  readonly metric: string | null;
  readonly value: number | null;
  readonly reason: { zh: string; en: string } | null;
}

interface RuleDryRun {
  readonly window: { from: string; to: string; hours: number };
  readonly readings: number;
  readonly truncated: boolean;
  readonly rules: {
    readonly ruleId: string;
    readonly name: string;
    readonly devices: number;
    readonly devicesWithReadings: number;
    readonly readings: number;
    readonly events: RuleDryRunEvent[];
    readonly eventsTruncated: boolean;
    readonly raised: number;
    readonly cleared: number;
    readonly activeAtEnd: { subject: string; severity: Severity | null }[];
    readonly inForce: number | null;
  }[];
}

const NEW_RULE = `# 新规则：写好后先“校验”，再“试运行”看它会在近期的读数上触发什么，最后保存。
id: my-new-rule
name: 新告警规则
deviceTypes: [water_gauge]
scope: device
category: null
condition:
  threshold: { metric: water_level, above: 0.3, clearBelow: 0.25 }
severity: yellow
`;

const SEVERITY_NAMES: Record<Severity, [string, string]> = { blue: ['蓝色', 'blue'], yellow: ['黄色', 'yellow'], orange: ['橙色', 'orange'], red: ['红色', 'red'] };
const SEVERITY_COLOURS: Record<Severity, string> = { blue: '#60a5fa', yellow: '#facc15', orange: '#fb923c', red: '#f87171' };

/**
 * A YAML draft checked by the server as it is typed (600 ms after the last key): its text, whether
 * it was edited, its problems, a note for the user, and the check itself.
 */
function useCheckedDraft(validateUrl: string) {
  const { tr } = useI18n();
  const [source, setSource] = useState('');
  const [edited, setEdited] = useState(false);
  const [problems, setProblems] = useState<EditorProblem[]>([]);
  const [note, setNote] = useState<string | null>(null);
  const check = useCallback(
    async (text: string): Promise<boolean> => {
      try {
        const r = await api<{ ok: boolean; problems: EditorProblem[] }>(validateUrl, { body: { source: text } });
        setProblems(r.problems);
        return r.ok;
      } catch (e) {
        setProblems(problemsOf(e));
        return false;
      }
    },
    [validateUrl],
  );
  useEffect(() => {
    if (!edited) return;
    const timer = setTimeout(() => void check(source), 600);
    return () => clearTimeout(timer);
  }, [source, edited, check]);
  const onEdit = (v: string) => {
    setSource(v);
    setEdited(true);
    setNote(null);
  };
  const validate = async () => {
    setNote(null);
    if (await check(source)) setNote(tr('校验通过', 'No problems'));
  };
  return { source, setSource, edited, setEdited, problems, setProblems, note, setNote, check, onEdit, validate };
}

function Rules() {
  const { tr, lang, fmtTime } = useI18n();
  const { session } = useSession();
  const admin = hasRole(session?.user, 'admin');
  const [rules, setRules] = useState<RuleSummary[]>([]);
  const [sel, setSel] = useState<string | null>(null);
  const { source, setSource, setEdited, problems, setProblems, note, setNote, check, onEdit, validate } = useCheckedDraft('/api/v1/rules/validate');
  const [versions, setVersions] = useState<VersionInfo[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [hours, setHours] = useState(24);
  const [run, setRun] = useState<RuleDryRun | null>(null);
  const [busy, setBusy] = useState(false);

  const loadList = useCallback(() => api<{ items: RuleSummary[] }>('/api/v1/rules').then((r) => setRules(r.items), (e) => setError(errorText(e))), []);
  useEffect(() => void loadList(), [loadList]);
  const reset = () => {
    setProblems([]);
    setNote(null);
    setRun(null);
    setEdited(false);
  };
  const open = async (id: string) => {
    reset();
    setSel(id);
    try {
      setSource((await api<{ source: string }>(`/api/v1/rules/${id}`)).source);
      setVersions((await api<{ items: VersionInfo[] }>(`/api/v1/rules/${id}/versions`)).items);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const create = () => {
    reset();
    setSel('');
    setSource(NEW_RULE);
    setVersions([]);
  };
  const view = async (v: number) => {
    if (!sel) return;
    const r = await api<{ source: string }>(`/api/v1/rules/${sel}/versions/${v}`);
    setSource(r.source);
    setProblems([]);
    setEdited(true);
    setNote(tr(`已载入第 ${v} 版（未保存）`, `Version ${v} loaded (not saved)`));
  };
  const dryRun = async () => {
    setBusy(true);
    setRun(null);
    setNote(null);
    try {
      if (await check(source)) setRun(await api<RuleDryRun>('/api/v1/rules/dry-run', { body: { source, hours } }));
    } catch (e) {
      setProblems(problemsOf(e));
    } finally {
      setBusy(false);
    }
  };
  const save = async () => {
    setNote(null);
    if (!(await check(source))) return;
    try {
      const r = await api<{ items: { id: string; version: number; created: boolean }[] }>('/api/v1/rules', { body: { source } });
      const first = r.items[0]!;
      await loadList();
      await open(first.id);
      setNote(r.items.map((x) => (x.created ? tr(`${x.id} 已保存为第 ${x.version} 版`, `${x.id} saved as version ${x.version}`) : tr(`${x.id} 未改动`, `${x.id}: no change`))).join('；'));
    } catch (e) {
      setProblems(problemsOf(e));
    }
  };

  /** Switches the rule off or on again: a new version either way (who and when are kept). */
  const toggle = async (id: string, on: boolean) => {
    setNote(null);
    try {
      const r = await api<{ version: number; created: boolean }>(`/api/v1/rules/${id}/${on ? 'activate' : 'deactivate'}`, { body: {} });
      await loadList();
      await open(id);
      setNote(on ? tr(`已启用（第 ${r.version} 版）`, `switched on (version ${r.version})`) : tr(`已停用（第 ${r.version} 版），引擎不再计算此规则`, `switched off (version ${r.version}); the engine no longer evaluates it`));
    } catch (e) {
      setError(errorText(e));
    }
  };

  const current = rules.find((r) => r.id === sel);
  return (
    <div className="case-grid">
      <section className="panel">
        <h2>{tr('告警规则', 'Alert rules')}</h2>
        {error && <p className="error" role="alert">{error}</p>}
        {admin && (
          <p>
            <button type="button" onClick={create}>{tr('新建规则', 'New rule')}</button>
          </p>
        )}
        <ul className="list" data-testid="rule-list">
          {rules.map((r) => (
            <li key={r.id}>
              <button type="button" className="item" aria-current={sel === r.id} onClick={() => void open(r.id)}>
                <span className="item-title">{r.name}</span>
                <span className="item-sub">
                  {r.id} · v{r.activeVersion ?? r.version} · {r.active ? tr('启用', 'active') : tr('停用', 'inactive')} · {r.deviceTypes.join(', ')}
                  {r.category ? ` · ${r.category}` : ` · ${tr('仅告警', 'alert only')}`}
                  {r.trusted ? ` · ${tr('自动立案', 'opens a case itself')}` : ''}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      {sel !== null && (
        <section className="panel stack" data-testid="rule-editor">
          <h2>{sel ? `${current?.name ?? sel}（${sel}）` : tr('新规则', 'New rule')}</h2>
          <YamlEditor id="rule" label={tr('规则 YAML', 'Rule YAML')} value={source} onChange={onEdit} problems={problems} rows={18} />
          <div className="row wrap">
            <button type="button" onClick={() => void validate()}>{tr('校验', 'Check')}</button>
            <label className="inline" style={{ whiteSpace: 'nowrap' }}>
              {tr('回放时长', 'Replay')}
              <select value={hours} onChange={(e) => setHours(Number(e.target.value))} style={{ marginLeft: '0.4rem' }}>
                {[1, 6, 24, 72, 168].map((h) => (
                  <option key={h} value={h}>
                    {h < 24 ? tr(`最近 ${h} 小时`, `last ${h} h`) : tr(`最近 ${h / 24} 天`, `last ${h / 24} d`)}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" onClick={() => void dryRun()} disabled={busy}>{tr('试运行', 'Dry run')}</button>
            {admin && (
              <button type="button" className="primary" onClick={() => void save()}>{tr('保存新版本', 'Save a new version')}</button>
            )}
            {admin && sel && current && (
              <button type="button" data-testid="rule-toggle" onClick={() => void toggle(sel, !current.active)}>
                {current.active ? tr('停用规则', 'Switch off') : tr('启用规则', 'Switch on')}
              </button>
            )}
            {note && <span role="status">{note}</span>}
          </div>
          {!admin && <p className="muted small">{tr('可以修改草稿试运行；只有管理员能保存。', 'You may edit a draft and dry-run it; only administrators save.')}</p>}
          {run && (
            <div data-testid="rule-dry-run" className="small">
              <h3>{tr('试运行结果（不改变任何数据）', 'Dry run (nothing was written)')}</h3>
              <p>
                {tr(`回放 ${fmtTime(run.window.from)} 至 ${fmtTime(run.window.to)} 的 ${run.readings} 条读数`, `Replayed ${run.readings} readings from ${fmtTime(run.window.from)} to ${fmtTime(run.window.to)}`)}
                {run.truncated ? tr('（读数过多，只回放了一部分）', ' (too many readings: only part was replayed)') : ''}
              </p>
              {run.rules.map((r) => (
                <div key={r.ruleId}>
                  <p>
                    <strong>{r.name}</strong>：
                    {tr(
                      `适用 ${r.devices} 台设备，其中 ${r.devicesWithReadings} 台有读数；将触发 ${r.raised} 次，解除 ${r.cleared} 次${r.activeAtEnd.length ? `，结束时仍有 ${r.activeAtEnd.length} 条在告警` : ''}`,
                      `${r.devices} devices, ${r.devicesWithReadings} with readings; it would raise ${r.raised} and clear ${r.cleared}${r.activeAtEnd.length ? `, ${r.activeAtEnd.length} still active at the end` : ''}`,
                    )}
                    {r.inForce !== null ? tr(`（在用版本 v${r.inForce}）`, ` (v${r.inForce} in force)`) : ''}
                  </p>
                  {r.events.length === 0 ? (
                    <p className="muted">{tr('这段时间内不会产生告警。', 'It would have raised nothing in this window.')}</p>
                  ) : (
                    <table className="tasks">
                      <caption>{tr('将产生的告警变化', 'What the alerts would have done')}</caption>
                      <thead>
                        <tr>
                          <th scope="col">{tr('时间', 'Time')}</th>
                          <th scope="col">{tr('设备', 'Device')}</th>
                          <th scope="col">{tr('变化', 'Change')}</th>
                          <th scope="col">{tr('级别', 'Severity')}</th>
                          <th scope="col">{tr('数值', 'Value')}</th>
                          <th scope="col">{tr('原因', 'Why')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {r.events.map((e, i) => (
                          <tr key={i}>
                            <td>{fmtTime(e.at)}</td>
                            <td>{e.deviceName ?? e.subject}</td>
                            <td>{e.type === 'raise' ? tr('触发', 'raise') : e.type === 'clear' ? tr('解除', 'clear') : tr('更新', 'update')}</td>
                            <td>{e.severity ? <span style={{ color: SEVERITY_COLOURS[e.severity] }}>{tr(...SEVERITY_NAMES[e.severity])}</span> : '—'}</td>
                            <td>{e.value === null ? '—' : `${e.metric ?? ''} ${e.value}`}</td>
                            <td>{e.reason ? (lang === 'zh' ? e.reason.zh : e.reason.en) : ''}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )}
                  {r.eventsTruncated && <p className="muted">{tr('只列出前 500 条。', 'The first 500 are listed.')}</p>}
                </div>
              ))}
            </div>
          )}
          {sel && (
            <>
              <h3>{tr('版本历史', 'Versions')}</h3>
              <VersionList items={versions} current={current?.activeVersion ?? null} onView={(v) => void view(v)} testId="rule-versions" />
            </>
          )}
        </section>
      )}
    </div>
  );
}

// ───────────────────────────── routing table ─────────────────────────────

interface RouteChoice {
  readonly categoryCode: string | null;
  readonly categoryName: string | null;
  readonly categoryBy: 'agent' | 'classifier' | 'keyword' | 'none';
  readonly keyword: string | null;
  readonly confidence: number | null;
  readonly outcome: 'dispatched' | 'triage';
  readonly why: string;
  readonly rule: { category: string; jurisdiction: string | null; lead: { kind: string; scope: string } } | null;
  readonly lead: { unitId: string; name: string; kind: string } | null;
  readonly assists: { unitId: string; name: string; kind: string }[];
}

interface RoutingDryRun {
  readonly place: { chain: { code: string; name: string; level: string }[] } | null;
  readonly draft: RouteChoice;
  readonly inForce: (RouteChoice & { version: number }) | null;
}

function RouteResult(props: { readonly title: string; readonly r: RouteChoice; readonly testId: string }) {
  const { tr } = useI18n();
  const { r } = props;
  const by = { agent: tr('坐席选定', 'chosen by the agent'), classifier: tr('分类模型', 'classifier'), keyword: tr(`关键词“${r.keyword}”`, `keyword “${r.keyword}”`), none: tr('无', 'none') }[r.categoryBy];
  return (
    <div data-testid={props.testId} style={{ flex: 1, minWidth: '14rem' }}>
      <h4 style={{ margin: '0.3rem 0' }}>{props.title}</h4>
      <dl className="small" style={{ margin: 0 }}>
        <dt className="muted">{tr('类别', 'Category')}</dt>
        <dd>
          {r.categoryName ?? '—'} <code>{r.categoryCode ?? ''}</code>（{by}
          {r.confidence !== null ? ` ${r.confidence}` : ''}）
        </dd>
        <dt className="muted">{tr('结果', 'Outcome')}</dt>
        <dd>{r.outcome === 'dispatched' ? tr('自动派遣', 'dispatched automatically') : tr('转人工分拨', 'manual triage')}</dd>
        <dt className="muted">{tr('规则', 'Rule')}</dt>
        <dd>{r.rule ? `${r.rule.category}${r.rule.jurisdiction ? `@${r.rule.jurisdiction}` : ''} → ${r.rule.lead.kind}（${r.rule.lead.scope}）` : '—'}</dd>
        <dt className="muted">{tr('主办单位', 'Lead unit')}</dt>
        <dd data-testid={`${props.testId}-lead`}>{r.lead ? r.lead.name : '—'}</dd>
        <dt className="muted">{tr('协办单位', 'Assisting units')}</dt>
        <dd>{r.assists.length ? r.assists.map((a) => a.name).join('、') : '—'}</dd>
        <dt className="muted">{tr('依据', 'Why')}</dt>
        <dd>{r.why}</dd>
      </dl>
    </div>
  );
}

function RoutingTable() {
  const { tr, fmtTime } = useI18n();
  const { session } = useSession();
  const admin = hasRole(session?.user, 'admin');
  const [inForce, setInForce] = useState<{ version: number | null; source: string } | null>(null);
  const { source, setSource, edited, setEdited, problems, setProblems, note, setNote, check, onEdit, validate } = useCheckedDraft('/api/v1/routing-table/validate');
  const [error, setError] = useState<string | null>(null);
  const [versions, setVersions] = useState<VersionInfo[]>([]);
  const [viewing, setViewing] = useState<(VersionInfo & { source: string }) | null>(null);
  const [sample, setSample] = useState({ text: '公交车半小时才来一班，等得太久了', place: '解放碑', categoryCode: '' });
  const [run, setRun] = useState<RoutingDryRun | null>(null);

  const load = useCallback(async () => {
    try {
      const t = await api<{ version: number | null; source: string }>('/api/v1/routing-table');
      setInForce(t);
      setSource(t.source);
      setEdited(false);
      setVersions((await api<{ items: VersionInfo[] }>('/api/v1/routing-table/versions')).items);
    } catch (e) {
      setError(errorText(e));
    }
  }, []);
  useEffect(() => void load(), [load]);
  const save = async () => {
    setNote(null);
    if (!(await check(source))) return;
    try {
      const r = await api<{ version: number; created: boolean }>('/api/v1/routing-table', { body: { source } });
      await load();
      setNote(r.created ? tr(`已保存为第 ${r.version} 版`, `Saved as version ${r.version}`) : tr('未改动', 'No change'));
    } catch (e) {
      setProblems(problemsOf(e));
    }
  };
  const dryRun = async () => {
    setRun(null);
    setNote(null);
    if (!(await check(source))) return;
    try {
      setRun(
        await api<RoutingDryRun>('/api/v1/routing-table/dry-run', {
          body: { source, text: sample.text, ...(sample.place.trim() ? { place: sample.place.trim() } : {}), ...(sample.categoryCode.trim() ? { categoryCode: sample.categoryCode.trim() } : {}) },
        }),
      );
    } catch (e) {
      if (e instanceof ApiError && e.errors.length > 0) setProblems(problemsOf(e));
      else setError(errorText(e));
    }
  };
  const view = async (v: number) => setViewing(await api<VersionInfo & { source: string }>(`/api/v1/routing-table/versions/${v}`));

  return (
    <div className="case-grid">
      <section className="panel stack">
        <h2>
          {tr('派单目录', 'Routing table')} {inForce?.version ? tr(`（在用 v${inForce.version}）`, `(v${inForce.version} in force)`) : ''}
        </h2>
        {error && <p className="error" role="alert">{error}</p>}
        <YamlEditor id="routing" label={tr('派单目录 YAML', 'Routing table YAML')} value={source} onChange={onEdit} problems={problems} rows={24} />
        <div className="row wrap">
          <button type="button" onClick={() => void validate()}>{tr('校验', 'Check')}</button>
          {admin && (
            <button type="button" className="primary" onClick={() => void save()}>{tr('保存新版本', 'Save a new version')}</button>
          )}
          {edited && (
            <button type="button" onClick={() => void load()}>{tr('放弃修改', 'Discard changes')}</button>
          )}
          {note && <span role="status">{note}</span>}
        </div>
      </section>
      <section className="panel stack">
        <h2>{tr('分拨推演（不改变任何数据）', 'Routing dry run (changes nothing)')}</h2>
        <label>
          {tr('市民诉求原文', 'The citizen\'s message')}
          <textarea value={sample.text} onChange={(e) => setSample({ ...sample, text: e.target.value })} rows={3} />
        </label>
        <div className="row wrap">
          <label>
            {tr('地点（地名）', 'Place (a name)')}
            <input value={sample.place} onChange={(e) => setSample({ ...sample, place: e.target.value })} />
          </label>
          <label>
            {tr('类别（坐席选定，可空）', 'Category (as an agent chose it; optional)')}
            <input value={sample.categoryCode} onChange={(e) => setSample({ ...sample, categoryCode: e.target.value })} />
          </label>
        </div>
        <div className="row">
          <button type="button" onClick={() => void dryRun()}>{tr('推演', 'Dry run')}</button>
        </div>
        {run && (
          <div data-testid="routing-dry-run">
            <p className="small">{run.place ? `${tr('地点', 'Place')}：${run.place.chain.map((l) => l.name).join(' › ')}` : tr('地点无法定位', 'The place could not be located')}</p>
            <div className="row wrap" style={{ alignItems: 'flex-start' }}>
              <RouteResult title={tr('草稿', 'Draft')} r={run.draft} testId="route-draft" />
              {run.inForce && <RouteResult title={tr(`在用 v${run.inForce.version}`, `In force (v${run.inForce.version})`)} r={run.inForce} testId="route-in-force" />}
            </div>
          </div>
        )}
        <h3>{tr('版本历史', 'Versions')}</h3>
        <VersionList items={versions} current={inForce?.version ?? null} onView={(v) => void view(v)} testId="routing-versions" />
        {viewing && (
          <div className="stack small" data-testid="routing-version-view">
            <div className="row">
              <strong>
                v{viewing.version} · {viewing.createdBy} · {fmtTime(viewing.createdAt)}
              </strong>
              <span className="spacer" />
              {admin && (
                <button
                  type="button"
                  className="small"
                  onClick={() => {
                    onEdit(viewing.source);
                    setNote(tr(`已载入第 ${viewing.version} 版（未保存）`, `Version ${viewing.version} loaded (not saved)`));
                  }}
                >
                  {tr('载入编辑器', 'Load into the editor')}
                </button>
              )}
              <button type="button" className="small" onClick={() => setViewing(null)}>{tr('关闭', 'Close')}</button>
            </div>
            <pre tabIndex={0} aria-label={tr(`第 ${viewing.version} 版原文`, `Text of version ${viewing.version}`)} style={{ whiteSpace: 'pre-wrap', maxHeight: '40vh', overflow: 'auto', background: '#081522', padding: '0.5rem', borderRadius: 6 }}>
              {viewing.source}
            </pre>
          </div>
        )}
      </section>
    </div>
  );
}

// ───────────────────────────── categories ─────────────────────────────

interface CategoryRow {
  key: string;
  isNew: boolean;
  code: string;
  parentCode: string;
  nameZh: string;
  nameEn: string;
  respondWithin: string;
  resolveWithin: string;
  basis: string;
  defaultPriority: string;
}

type CategoryField = 'code' | 'parentCode' | 'nameZh' | 'nameEn' | 'respondWithin' | 'resolveWithin' | 'basis' | 'defaultPriority';

interface CategoryUse {
  readonly code: string;
  readonly cases: number;
  readonly unitCount: number;
  readonly plans: string[];
  readonly rules: string[];
  readonly routing: string[];
  readonly classifier: boolean;
}

interface CategoryVersion extends VersionInfo {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
  readonly baseline: boolean;
  readonly count: number;
}

let rowKeys = 0;

function Categories() {
  const { tr, lang, fmtTime } = useI18n();
  const { session } = useSession();
  const admin = hasRole(session?.user, 'admin');
  const [rows, setRows] = useState<CategoryRow[]>([]);
  const [dirty, setDirty] = useState(false);
  const [problems, setProblems] = useState<EditorProblem[]>([]);
  const [uses, setUses] = useState<CategoryUse[]>([]);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const [versions, setVersions] = useState<CategoryVersion[]>([]);
  const [viewing, setViewing] = useState<(CategoryVersion & { items: Omit<CategoryRow, 'key' | 'isNew'>[] }) | null>(null);
  const focusNext = useRef<string | null>(null);

  const load = useCallback(async () => {
    try {
      const r = await api<{ items: (Omit<CategoryRow, 'key' | 'isNew' | 'parentCode'> & { parentCode: string | null })[] }>('/api/v1/categories');
      setRows(r.items.map((c) => ({ ...c, parentCode: c.parentCode ?? '', key: `k${rowKeys++}`, isNew: false })));
      setDirty(false);
      setVersions((await api<{ items: CategoryVersion[] }>('/api/v1/categories/versions')).items);
    } catch (e) {
      setError(errorText(e));
    }
  }, []);
  useEffect(() => void load(), [load]);
  useEffect(() => {
    if (focusNext.current) {
      document.getElementById(focusNext.current)?.focus();
      focusNext.current = null;
    }
  });

  const update = (i: number, field: CategoryField, value: string) => {
    setRows((rs) => rs.map((r, k) => (k === i ? { ...r, [field]: value } : r)));
    setDirty(true);
    setNote(null);
  };
  const add = () => {
    const key = `k${rowKeys++}`;
    setRows((rs) => [...rs, { key, isNew: true, code: '', parentCode: '', nameZh: '', nameEn: '', respondWithin: '2h', resolveWithin: '5d', basis: 'working', defaultPriority: 'normal' }]);
    setFilter('');
    setDirty(true);
    setProblems([]);
    focusNext.current = `cat-${rows.length}-code`;
  };
  const remove = (i: number) => {
    setRows((rs) => rs.filter((_, k) => k !== i));
    setDirty(true);
    // Paths name rows by index: after a removal they would point at the wrong rows.
    setProblems([]);
    setUses([]);
  };
  const items = () => rows.map(({ key: _k, isNew: _n, ...c }) => ({ ...c, parentCode: c.parentCode.trim() === '' ? null : c.parentCode.trim() }));
  const check = async (): Promise<boolean> => {
    setNote(null);
    try {
      const r = await api<{ ok: boolean; problems: EditorProblem[]; added: string[]; removed: string[]; changed: string[]; inUse: CategoryUse[] }>('/api/v1/categories/validate', { body: { items: items() } });
      setProblems(r.problems);
      setUses(r.inUse);
      if (r.ok) setNote(tr(`校验通过：新增 ${r.added.length}，删除 ${r.removed.length}，修改 ${r.changed.length}`, `No problems: ${r.added.length} added, ${r.removed.length} removed, ${r.changed.length} changed`));
      return r.ok;
    } catch (e) {
      setProblems(problemsOf(e));
      return false;
    }
  };
  const save = async () => {
    if (!(await check())) return;
    try {
      const r = await api<{ version: number | null; created: boolean }>('/api/v1/categories', { method: 'PUT', body: { items: items() } });
      await load();
      setNote(r.created ? tr(`已保存为第 ${r.version} 版`, `Saved as version ${r.version}`) : tr('未改动', 'No change'));
    } catch (e) {
      setProblems(problemsOf(e));
    }
  };
  const view = async (v: number) => setViewing(await api<CategoryVersion & { items: Omit<CategoryRow, 'key' | 'isNew'>[] }>(`/api/v1/categories/versions/${v}`));

  // Problems by row and field (paths are `/3/respondWithin`).
  const cellProblems = new Map<string, EditorProblem[]>();
  for (const p of problems) {
    const m = /^\/(\d+)(?:\/(\w+))?/.exec(p.path);
    const id = m ? `${m[1]}/${m[2] ?? ''}` : '';
    cellProblems.set(id, [...(cellProblems.get(id) ?? []), p]);
  }
  const fieldNames: Record<CategoryField, string> = {
    code: tr('代码', 'Code'),
    parentCode: tr('上级', 'Parent'),
    nameZh: tr('中文名称', 'Chinese name'),
    nameEn: tr('英文名称', 'English name'),
    respondWithin: tr('响应时限', 'Respond within'),
    resolveWithin: tr('办结时限', 'Resolve within'),
    basis: tr('计时', 'Basis'),
    defaultPriority: tr('优先级', 'Priority'),
  };
  const cell = (i: number, r: CategoryRow, field: CategoryField) => {
    const id = `cat-${i}-${field}`;
    const bad = cellProblems.get(`${i}/${field}`) ?? [];
    const label = `${r.code || tr(`第 ${i + 1} 行`, `row ${i + 1}`)} ${fieldNames[field]}`;
    const common = {
      id,
      'aria-label': label,
      'aria-invalid': bad.length > 0,
      'aria-describedby': bad.length > 0 ? `${id}-error` : undefined,
      disabled: !admin,
      style: { padding: '0.2rem 0.35rem', ...(field === 'respondWithin' || field === 'resolveWithin' ? { width: '5.5em' } : field === 'code' || field === 'parentCode' ? { minWidth: '12em' } : field === 'basis' || field === 'defaultPriority' ? { width: 'auto' } : { minWidth: '9em' }), ...(bad.length ? { borderColor: '#ef4444' } : {}) },
    };
    const input =
      field === 'basis' ? (
        <select {...common} value={r.basis} onChange={(e) => update(i, field, e.target.value)}>
          <option value="working">{tr('工作时间', 'working')}</option>
          <option value="calendar">{tr('自然时间', 'calendar')}</option>
        </select>
      ) : field === 'defaultPriority' ? (
        <select {...common} value={r.defaultPriority} onChange={(e) => update(i, field, e.target.value)}>
          {(['low', 'normal', 'high', 'urgent'] as const).map((p) => (
            <option key={p} value={p}>
              {{ low: tr('低', 'low'), normal: tr('一般', 'normal'), high: tr('高', 'high'), urgent: tr('紧急', 'urgent') }[p]}
            </option>
          ))}
        </select>
      ) : (field === 'code' || field === 'parentCode') && !r.isNew ? (
        <code id={id}>{r[field] || '—'}</code>
      ) : (
        <input {...common} value={r[field]} onChange={(e) => update(i, field, e.target.value)} />
      );
    return (
      <td key={field}>
        {input}
        {bad.length > 0 && (
          <div id={`${id}-error`} className="small" style={{ color: '#fca5a5', maxWidth: '18em' }}>
            {bad.map((p) => problemText(p, lang)).join('；')}
          </div>
        )}
      </td>
    );
  };
  const f = filter.trim().toLowerCase();
  const shown = rows.map((r, i) => [r, i] as const).filter(([r]) => !f || r.isNew || `${r.code} ${r.nameZh} ${r.nameEn}`.toLowerCase().includes(f));
  const general = problems.filter((p) => !/^\/\d+\/\w+/.test(p.path));
  const goTo = (p: EditorProblem) => {
    const m = /^\/(\d+)\/(\w+)/.exec(p.path);
    if (!m) return;
    setFilter('');
    focusNext.current = `cat-${m[1]}-${m[2]}`;
    setRows((rs) => [...rs]);
  };

  return (
    <div className="stack">
      <section className="panel stack">
        <h2>{tr('事项类别与时限', 'Categories and deadlines')}</h2>
        <p className="small muted">
          {tr(
            '整张清单一起保存为新版本。代码一经使用不能改名；仍被案件、单位、预案、规则、派单目录或分类模型使用的类别不能删除。时限如 30m、2h、5d；“工作时间”按工作日 09:00–12:00、14:00–18:00 计。',
            'The whole list is saved as one new version. Codes are never renamed; a category still used by cases, units, plans, rules, the routing table or the classifier cannot be removed. Deadlines such as 30m, 2h, 5d; "working" counts 09:00–12:00 and 14:00–18:00 on working days.',
          )}
        </p>
        {error && <p className="error" role="alert">{error}</p>}
        <div className="row wrap">
          <label className="inline">
            {tr('筛选', 'Filter')}
            <input value={filter} onChange={(e) => setFilter(e.target.value)} style={{ marginLeft: '0.4rem', width: '14rem' }} />
          </label>
          <span className="spacer" />
          {admin && (
            <button type="button" onClick={add}>{tr('添加类别', 'Add a category')}</button>
          )}
          <button type="button" onClick={() => void check()}>{tr('校验', 'Check')}</button>
          {admin && (
            <button type="button" className="primary" onClick={() => void save()} disabled={!dirty}>{tr('保存新版本', 'Save a new version')}</button>
          )}
          {dirty && (
            <button type="button" onClick={() => void load()}>{tr('放弃修改', 'Discard changes')}</button>
          )}
          {note && <span role="status">{note}</span>}
        </div>
        <div id="category-problems" role="alert" aria-live="polite">
          {(problems.length > 0 || uses.length > 0) && (
            <ul className="error small" style={{ margin: 0, paddingLeft: '1.4rem' }}>
              {general.map((p, i) => (
                <li key={`g${i}`}>
                  {p.line ? `${tr(`第 ${p.line} 行`, `line ${p.line}`)} · ` : ''}
                  {problemText(p, lang)}
                </li>
              ))}
              {problems
                .filter((p) => /^\/\d+\/\w+/.test(p.path))
                .map((p, i) => {
                  const m = /^\/(\d+)\/(\w+)/.exec(p.path)!;
                  const row = rows[Number(m[1])];
                  return (
                    <li key={`c${i}`}>
                      <button type="button" className="link" onClick={() => goTo(p)}>
                        {tr(`第 ${Number(m[1]) + 1} 行`, `row ${Number(m[1]) + 1}`)}（{row?.code || '—'}）
                      </button>
                      ：{problemText(p, lang)}
                    </li>
                  );
                })}
              {uses.map((u) => (
                <li key={u.code} data-testid="category-in-use">
                  {tr('不能删除', 'Cannot remove')} <code>{u.code}</code>：
                  {[
                    u.cases ? tr(`${u.cases} 个案件`, `${u.cases} cases`) : '',
                    u.unitCount ? tr(`${u.unitCount} 个单位`, `${u.unitCount} units`) : '',
                    u.plans.length ? tr(`预案 ${u.plans.join('、')}`, `plans ${u.plans.join(', ')}`) : '',
                    u.rules.length ? tr(`规则 ${u.rules.join('、')}`, `rules ${u.rules.join(', ')}`) : '',
                    u.routing.length ? tr(`派单目录 ${u.routing.join('、')}`, `routing table ${u.routing.join(', ')}`) : '',
                    u.classifier ? tr('分类模型', 'the classifier') : '',
                  ]
                    .filter(Boolean)
                    .join(tr('；', '; '))}
                  {tr('仍在使用', ' still use it')}
                </li>
              ))}
            </ul>
          )}
        </div>
        <div style={{ overflowX: 'auto' }}>
          <table className="tasks" data-testid="category-table">
            <thead>
              <tr>
                {(Object.keys(fieldNames) as CategoryField[]).map((k) => (
                  <th key={k} scope="col">
                    {fieldNames[k]}
                  </th>
                ))}
                {admin && <th scope="col">{tr('操作', 'Action')}</th>}
              </tr>
            </thead>
            <tbody>
              {shown.map(([r, i]) => (
                <tr key={r.key}>
                  {(Object.keys(fieldNames) as CategoryField[]).map((k) => cell(i, r, k))}
                  {admin && (
                    <td>
                      <button type="button" className="small" style={{ whiteSpace: 'nowrap' }} onClick={() => remove(i)} aria-label={tr(`删除 ${r.code || `第 ${i + 1} 行`}`, `Remove ${r.code || `row ${i + 1}`}`)}>
                        {tr('删除', 'Remove')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="panel">
        <h2>{tr('版本历史', 'Versions')}</h2>
        {versions.length === 0 ? (
          <p className="muted small">{tr('尚未修改过：第一次保存时会先记下原来的清单。', 'Never changed yet: the first save records the list as it was first.')}</p>
        ) : (
          <ul className="small" data-testid="category-versions" style={{ paddingLeft: '1.2rem' }}>
            {versions.map((v) => (
              <li key={v.version}>
                <strong>v{v.version}</strong> · {v.createdBy} · {fmtTime(v.createdAt)} ·{' '}
                {v.baseline
                  ? tr(`修改前的清单（${v.count} 个类别）`, `the list before the first change (${v.count} categories)`)
                  : tr(`新增 ${v.added.length}，删除 ${v.removed.length}，修改 ${v.changed.length}`, `${v.added.length} added, ${v.removed.length} removed, ${v.changed.length} changed`)}
                {!v.baseline && [...v.added, ...v.removed, ...v.changed].length > 0 && (
                  <span className="muted">
                    （{[...v.added.map((c) => `+${c}`), ...v.removed.map((c) => `−${c}`), ...v.changed.map((c) => `~${c}`)].join(' ')}）
                  </span>
                )}{' '}
                <button type="button" className="link" onClick={() => void view(v.version)} aria-label={tr(`查看第 ${v.version} 版`, `View version ${v.version}`)}>
                  {tr('查看', 'view')}
                </button>
              </li>
            ))}
          </ul>
        )}
        {viewing && (
          <div className="small">
            <div className="row">
              <strong>
                v{viewing.version} · {viewing.createdBy} · {fmtTime(viewing.createdAt)}
              </strong>
              <span className="spacer" />
              <button type="button" className="small" onClick={() => setViewing(null)}>{tr('关闭', 'Close')}</button>
            </div>
            <table className="tasks">
              <caption>{tr(`第 ${viewing.version} 版的类别`, `Categories of version ${viewing.version}`)}</caption>
              <tbody>
                {viewing.items.map((c) => (
                  <tr key={c.code}>
                    <td>
                      <code>{c.code}</code>
                    </td>
                    <td>{tr(c.nameZh, c.nameEn)}</td>
                    <td>
                      {c.respondWithin} / {c.resolveWithin} ({c.basis})
                    </td>
                    <td>{c.defaultPriority}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

// ───────────────────────────── the page ─────────────────────────────

type Tab = 'plans' | 'rules' | 'routing' | 'categories' | 'account';

/** Administration: plans, rules and the routing table as YAML with problems in place, dry runs and versions; the category list. */
export default function Admin() {
  const { tr } = useI18n();
  const [tab, setTab] = useState<Tab>('plans');
  const tabs: readonly (readonly [Tab, string])[] = [
    ['plans', tr('预案', 'Plans')],
    ['rules', tr('告警规则', 'Alert rules')],
    ['routing', tr('派单目录', 'Routing table')],
    ['categories', tr('事项类别', 'Categories')],
    ['account', tr('账号安全', 'My account')],
  ];
  // Arrow keys move between tabs (the WAI-ARIA tabs pattern).
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const i = tabs.findIndex(([k]) => k === tab);
    const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]![0];
    setTab(next);
    document.getElementById(`admin-tab-${next}`)?.focus();
  };
  return (
    <div className="page" data-testid="admin">
      <h1>{tr('预案与配置', 'Plans and settings')}</h1>
      <div className="row" role="tablist" aria-label={tr('配置', 'Settings')} style={{ marginBottom: '0.6rem' }} onKeyDown={onKey}>
        {tabs.map(([k, n]) => (
          <button key={k} id={`admin-tab-${k}`} type="button" role="tab" aria-selected={tab === k} aria-controls="admin-panel" tabIndex={tab === k ? 0 : -1} onClick={() => setTab(k)}>
            {n}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="admin-panel" aria-labelledby={`admin-tab-${tab}`}>
        {tab === 'plans' && <Plans />}
        {tab === 'rules' && <Rules />}
        {tab === 'routing' && <RoutingTable />}
        {tab === 'categories' && <Categories />}
        {tab === 'account' && <AccountSecurity />}
      </div>
    </div>
  );
}
