import { useCallback, useEffect, useState } from 'react';
import { api, errorText } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession, hasRole } from '../../session.tsx';
import type { ApiAnswer, Severity } from '../../types.ts';
import { YamlEditor } from '../../components/yaml-editor.tsx';
import { VersionList, problemsOf, useCheckedDraft, type VersionInfo } from './shared.tsx';

/**
 * The alert rules tab: a rule's YAML checked as it is typed, a dry run over the stored readings of
 * a recent window (what it would have raised and cleared), versions, switching a rule off and on.
 */

/** A rule of the list (`GET /api/v1/rules`), as generated from the server's schema. */
type RuleSummary = ApiAnswer<'/api/v1/rules', 'get'>['items'][number];

// The dry run's answer is an open object in the server's schema: its shape is written here.
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

export function Rules() {
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
                  <code>{r.id}</code> · {tr(`第 ${r.activeVersion ?? r.version} 版`, `v${r.activeVersion ?? r.version}`)} · {r.active ? tr('启用', 'active') : tr('停用', 'inactive')} · <code>{r.deviceTypes.join(', ')}</code>
                  {r.category ? <> · <code>{r.category}</code></> : ` · ${tr('仅告警', 'alert only')}`}
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
