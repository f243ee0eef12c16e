import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorText } from '../../api.ts';
import { count } from '../../labels.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession, hasRole } from '../../session.tsx';
import { problemText, type EditorProblem } from '../../components/yaml-editor.tsx';
import { problemsOf, type VersionInfo } from './shared.tsx';

/**
 * The categories tab (事项类别): the whole list as a form table edited and saved as one version,
 * each problem beside its cell (and in a list that moves the focus to it), the categories still in
 * use that cannot be removed, and the versions with what each changed.
 */

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

// The uses and versions are open objects in the server's schema: their shapes are written here.
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

export function Categories() {
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
    // Named by the category's name in the page's language (the code is what the row edits).
    const label = `${tr(r.nameZh, r.nameEn).trim() || tr(`第 ${i + 1} 行`, `row ${i + 1}`)} ${fieldNames[field]}`;
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
                    u.cases ? count(u.cases, '个案件', 'case', tr) : '',
                    u.unitCount ? count(u.unitCount, '个单位', 'unit', tr) : '',
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
                      <button type="button" className="small" style={{ whiteSpace: 'nowrap' }} onClick={() => remove(i)} aria-label={tr(`删除 ${r.nameZh.trim() || `第 ${i + 1} 行`}`, `Remove ${r.nameEn.trim() || `row ${i + 1}`}`)}>
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
