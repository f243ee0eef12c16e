import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, errorText, qs } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { CenterPicker, useCenters, useOrgNames, type UnitInfo, type UnitKindInfo } from './org-pickers.tsx';

/**
 * The units and centers tab (单位与中心): units found by name, one renamed, moved under another
 * center, disabled or enabled with a reason; a new unit of a kind under a center; the centers
 * listed and a center created for a street (or district) that has none. The server decides who
 * may and records every change in the log. Reference: docs/reference/administration.md#people-and-units.
 */
export function Units() {
  const { tr, lang } = useI18n();
  const { tierName } = useOrgNames();
  const { centers, byJurisdiction } = useCenters();
  const [kinds, setKinds] = useState<readonly UnitKindInfo[]>([]);
  const [q, setQ] = useState('');
  const [items, setItems] = useState<readonly UnitInfo[]>([]);
  const [sel, setSel] = useState<UnitInfo | null>(null);
  const [name, setName] = useState('');
  const [moveTo, setMoveTo] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ items: UnitKindInfo[] }>('/api/v1/unit-kinds').then((r) => setKinds(r.items), () => setKinds([]));
  }, []);
  const kindName = (k: string) => {
    const found = kinds.find((x) => x.kind === k);
    return found ? (lang === 'zh' ? found.nameZh : found.nameEn) : tr('其他类型', 'other kind');
  };
  const load = useCallback(async (text: string) => {
    if (!text.trim()) return setItems([]);
    try {
      setItems((await api<{ items: UnitInfo[] }>(`/api/v1/units${qs({ q: text.trim() })}`)).items.slice(0, 200));
    } catch (e) {
      setError(errorText(e));
    }
  }, []);
  useEffect(() => {
    const timer = setTimeout(() => void load(q), 300);
    return () => clearTimeout(timer);
  }, [q, load]);
  const choose = (u: UnitInfo) => {
    setSel(u);
    setName(u.name);
    setMoveTo(byJurisdiction.get(u.jurisdictionCode)?.id ?? null);
    setReason('');
    setNote(null);
    setError(null);
  };
  const act = async (what: () => Promise<UnitInfo>, done: string) => {
    setError(null);
    setNote(null);
    try {
      const u = await what();
      await load(q);
      choose(u);
      setNote(done);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const why = () => (reason.trim() ? { reason: reason.trim() } : {});
  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!sel) return;
    const currentCenter = byJurisdiction.get(sel.jurisdictionCode)?.id ?? null;
    void act(() => api<UnitInfo>(`/api/v1/units/${sel.id}`, { method: 'PATCH', body: { name: name.trim(), ...(moveTo && moveTo !== currentCenter ? { centerId: moveTo } : {}), ...why() } }), tr('已保存', 'Saved'));
  };
  const toggle = () => {
    if (!sel) return;
    void act(() => api<UnitInfo>(`/api/v1/units/${sel.id}/${sel.disabled ? 'enable' : 'disable'}`, { body: why() }), sel.disabled ? tr('已启用', 'Enabled') : tr('已停用', 'Disabled'));
  };
  const centerName = (code: string) => byJurisdiction.get(code)?.name ?? tr('（无中心）', '(no center)');

  return (
    <div className="case-grid" data-testid="units-editor">
      <section className="panel">
        <h2>{tr('单位', 'Units')}</h2>
        <label className="inline">
          {tr('按名称查找单位', 'Find units by name')}
          <input value={q} onChange={(e) => setQ(e.target.value)} style={{ marginLeft: '0.4rem', width: '14rem' }} />
        </label>
        <table className="small" data-testid="unit-list">
          <thead>
            <tr>
              <th>{tr('名称', 'Name')}</th>
              <th>{tr('类型', 'Kind')}</th>
              <th>{tr('层级', 'Tier')}</th>
              <th>{tr('所在中心', 'Center')}</th>
              <th>{tr('状态', 'Status')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((u) => (
              <tr key={u.id} aria-selected={sel?.id === u.id}>
                <td>
                  <button type="button" className="link" onClick={() => choose(u)}>
                    {u.name}
                  </button>
                </td>
                <td>{kindName(u.kind)}</td>
                <td>{tierName(u.tier)}</td>
                <td>{centerName(u.jurisdictionCode)}</td>
                <td>{u.disabled ? tr('已停用', 'disabled') : tr('启用', 'active')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <NewUnit centers={centers} kinds={kinds} kindName={kindName} onCreated={(u) => { setQ(u.name); choose(u); }} />
        <Centers centers={centers} />
      </section>
      <section className="panel" aria-live="polite">
        {sel ? (
          <form onSubmit={save} data-testid="unit-form">
            <h2>
              {sel.name} {sel.disabled ? tr('（已停用）', '(disabled)') : ''}
            </h2>
            <label>
              {tr('名称', 'Name')}
              <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
            </label>
            <CenterPicker label={tr('隶属中心（改选即移动）', 'Center (choose another to move it)')} value={moveTo} centers={centers} allowNone={false} onChange={setMoveTo} testId="unit-center" />
            <label>
              {tr('原因（记入日志）', 'Reason (kept in the log)')}
              <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
            </label>
            <div className="row">
              <button type="submit">{tr('保存', 'Save')}</button>
              <button type="button" onClick={toggle}>
                {sel.disabled ? tr('启用单位', 'Enable unit') : tr('停用单位', 'Disable unit')}
              </button>
            </div>
          </form>
        ) : (
          <p className="small">{tr('查找并选择一个单位', 'Find and choose a unit')}</p>
        )}
        {note && <p className="note" role="status">{note}</p>}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </section>
    </div>
  );
}

function NewUnit(props: { readonly centers: Parameters<typeof CenterPicker>[0]['centers']; readonly kinds: readonly UnitKindInfo[]; kindName(k: string): string; onCreated(u: UnitInfo): void }) {
  const { tr } = useI18n();
  const [name, setName] = useState('');
  const [centerId, setCenterId] = useState<string | null>(null);
  const [kind, setKind] = useState('');
  const [error, setError] = useState<string | null>(null);
  const tier = props.centers.find((c) => c.id === centerId)?.tier;
  const kinds = props.kinds.filter((k) => k.tier === tier);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const u = await api<UnitInfo>('/api/v1/units', { body: { name: name.trim(), kind, centerId } });
      setName('');
      props.onCreated(u);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <details>
      <summary>{tr('新建单位', 'New unit')}</summary>
      <form onSubmit={create} data-testid="new-unit">
        <label>
          {tr('单位名称', 'Unit name')}
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        </label>
        <CenterPicker label={tr('新单位隶属中心', 'Center of the new unit')} value={centerId} centers={props.centers} onChange={setCenterId} />
        <label>
          {tr('单位类型', 'Kind of unit')}
          <select value={kind} onChange={(e) => setKind(e.target.value)} required>
            <option value="">{centerId ? tr('（请选择）', '(choose)') : tr('（先选中心）', '(choose a center first)')}</option>
            {kinds.map((k) => (
              <option key={k.kind} value={k.kind}>
                {props.kindName(k.kind)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={!centerId || !kind}>
          {tr('新建', 'Create')}
        </button>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </details>
  );
}

function Centers(props: { readonly centers: Parameters<typeof CenterPicker>[0]['centers'] }) {
  const { tr } = useI18n();
  const { tierName } = useOrgNames();
  const [filter, setFilter] = useState('');
  const [name, setName] = useState('');
  const [street, setStreet] = useState('');
  const [places, setPlaces] = useState<readonly { code: string; name: string; level: string }[]>([]);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const shown = filter.trim() ? props.centers.filter((c) => c.name.includes(filter.trim())).slice(0, 50) : [];
  // Streets and districts without a center, found by name (the lists are read once).
  const [all, setAll] = useState<readonly { code: string; name: string; level: string }[]>([]);
  useEffect(() => {
    type Features = { features: { properties: { code: string; name: string; level: string } }[] };
    void Promise.all(['district', 'street'].map((level) => api<Features>(`/api/v1/jurisdictions${qs({ level, limit: 5000 })}`).then((r) => r.features.map((f) => f.properties), () => []))).then((lists) => setAll(lists.flat()));
  }, []);
  useEffect(() => {
    const text = street.trim();
    setPlaces(text ? all.filter((j) => j.name.includes(text) && !props.centers.some((c) => c.jurisdictionCode === j.code)).slice(0, 50) : []);
  }, [street, all, props.centers]);
  const [code, setCode] = useState('');
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setNote(null);
    try {
      const c = await api<{ name: string }>('/api/v1/centers', { body: { name: name.trim(), jurisdictionCode: code } });
      setNote(tr(`已新建 ${c.name}`, `Created ${c.name}`));
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <details>
      <summary>{tr('中心', 'Centers')}</summary>
      <label className="inline">
        {tr('按名称查找中心', 'Find centers by name')}
        <input value={filter} onChange={(e) => setFilter(e.target.value)} style={{ marginLeft: '0.4rem', width: '12rem' }} />
      </label>
      <ul className="small" data-testid="center-list">
        {shown.map((c) => (
          <li key={c.id}>
            {c.name} · {tierName(c.tier)}
          </li>
        ))}
      </ul>
      <form onSubmit={create} data-testid="new-center">
        <label>
          {tr('为哪个街道或区县（按名称查找尚无中心的）', 'For which street or district (found by name, among those without a center)')}
          <input value={street} onChange={(e) => setStreet(e.target.value)} />
        </label>
        <select aria-label={tr('辖区', 'Jurisdiction')} value={code} onChange={(e) => setCode(e.target.value)} required>
          <option value="">{tr('（请选择）', '(choose)')}</option>
          {places.map((p) => (
            <option key={p.code} value={p.code}>
              {p.name}
            </option>
          ))}
        </select>
        <label>
          {tr('中心名称', 'Center name')}
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        </label>
        <button type="submit" disabled={!code}>
          {tr('新建中心', 'Create center')}
        </button>
        {note && <p className="note" role="status">{note}</p>}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </details>
  );
}
