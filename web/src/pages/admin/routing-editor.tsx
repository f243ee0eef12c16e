import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, errorText } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession, hasRole } from '../../session.tsx';
import { YamlEditor } from '../../components/yaml-editor.tsx';
import { VersionList, problemsOf, useCheckedDraft, type VersionInfo } from './shared.tsx';

/**
 * The routing table tab (派单目录): the table's YAML checked as it is typed, a dry run of a sample
 * citizen message against the draft and the table in force side by side, and the versions.
 */

// The dry run's answer is an open object in the server's schema: its shape is written here.
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
  /** The danger words found and the priority they raise the case to. */
  readonly danger: { priority: 'high' | 'urgent'; words: string[]; why: string } | null;
  /** The plan (预案) that dispatches instead of the rule's units, when one applies. */
  readonly plan?: { planId: string; name: string } | null;
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
        <dt className="muted">{tr('预案', 'Plan')}</dt>
        <dd data-testid={`${props.testId}-plan`}>{r.plan ? tr(`按预案“${r.plan.name}”派遣（主办单位由预案确定）`, `dispatched by the plan “${r.plan.name}” (it names the lead)`) : tr('无，按规则派遣', 'none: the rule dispatches')}</dd>
        <dt className="muted">{tr('主办单位', 'Lead unit')}</dt>
        <dd data-testid={`${props.testId}-lead`}>{r.lead ? r.lead.name : '—'}</dd>
        <dt className="muted">{tr('协办单位', 'Assisting units')}</dt>
        <dd>{r.assists.length ? r.assists.map((a) => a.name).join('、') : '—'}</dd>
        <dt className="muted">{tr('危险词', 'Danger words')}</dt>
        <dd data-testid={`${props.testId}-danger`}>
          {r.danger
            ? `${r.danger.words.map((w) => `“${w.replaceAll('+', '…')}”`).join('、')} → ${r.danger.priority === 'urgent' ? tr('优先级提至紧急', 'priority raised to urgent') : tr('优先级提至高', 'priority raised to high')}`
            : tr('无', 'none')}
        </dd>
        <dt className="muted">{tr('依据', 'Why')}</dt>
        <dd>{r.why}</dd>
      </dl>
    </div>
  );
}

export function RoutingTable() {
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
