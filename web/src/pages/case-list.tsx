import { DateField } from '../components/date-field.tsx';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, apiOptional, errorText, loadSession, qs } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { Link } from '../router.tsx';
import { Clock, PriorityChip, StateChip, useNow } from '../components/case-bits.tsx';
import type { ApiAnswer, CaseView, Category, MapFocus, Refined } from '../types.ts';

/**
 * 事项清单 — every case the user may see, as a list: a search box (number, title, address, the
 * reporter's words), filters, sort, "more" paging by the server's cursor, the user's saved views
 * and an export of the whole filter as CSV or XLSX. The filter lives in the address (/cases?…), so
 * a link from the cockpit (a list, a cluster on the map) opens the list it names.
 */

type Params = Record<string, string | string[]>;

const FILTER_KEYS = ['q', 'state', 'category', 'jurisdiction', 'street', 'unit', 'tier', 'source', 'overdue', 'from', 'to', 'bbox', 'sort', 'order'] as const;

const STATES: [string, string, string][] = [
  ['reported', '上报', 'reported'],
  ['registered', '立案', 'registered'],
  ['dispatched', '派遣', 'dispatched'],
  ['in_progress', '处置中', 'in progress'],
  ['returned', '退回', 'returned'],
  ['reported_back', '已反馈', 'reported back'],
  ['checked', '核查通过', 'checked'],
  ['reopened', '重新办理', 'reopened'],
  ['parked', '挂账', 'parked'],
  ['closed', '结案', 'closed'],
  ['evaluated', '已评价', 'evaluated'],
  ['declined', '不予立案', 'declined'],
  ['merged', '已合并', 'merged'],
];
const OPEN_STATES = ['reported', 'registered', 'dispatched', 'in_progress', 'returned', 'reported_back', 'checked', 'reopened', 'parked'];
const SOURCES: [string, string, string][] = [
  ['sensor', '物联感知', 'sensor'],
  ['camera', '视频识别', 'camera'],
  ['citizen', '市民', 'citizen'],
  ['grid_worker', '网格员', 'grid worker'],
  ['hotline', '12345热线', '12345 hotline'],
  ['inspection', '巡查', 'inspection'],
  ['external', '外部系统', 'external system'],
];
const TIERS: [string, string, string][] = [
  ['city', '市级', 'city'],
  ['district', '区县级', 'district'],
  ['street', '镇街级', 'street'],
];

function paramsFromLocation(): Params {
  const u = new URLSearchParams(location.search);
  const out: Params = {};
  for (const k of FILTER_KEYS) {
    const all = u.getAll(k).filter((v) => v !== '');
    if (all.length === 0) continue;
    out[k] = k === 'state' ? all : all[0]!;
  }
  return out;
}

/** A date field's value (the city's clock, UTC+8) as ISO, and back. */
function localToIso(v: string): string {
  return v ? new Date(`${v}:00+08:00`).toISOString() : '';
}
function isoToLocal(v: string | undefined): string {
  if (!v) return '';
  const d = new Date(new Date(v).getTime() + 8 * 3600_000);
  return d.toISOString().slice(0, 16);
}

/** A saved view (`GET /api/v1/case-views`); its query is an open object in the schema, narrowed here. */
type SavedView = Refined<ApiAnswer<'/api/v1/case-views', 'get'>['items'][number], { readonly query: Record<string, string | boolean | string[]> }>;

/** A saved view's query as the address holds it (every value text). */
function paramsOfView(q: SavedView['query']): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(q)) out[k] = Array.isArray(v) ? v : String(v);
  return out;
}

export default function CaseList() {
  const { tr, lang, fmtTime } = useI18n();
  const now = useNow(30_000);
  const [params, setParams] = useState<Params>(paramsFromLocation);
  const [qText, setQText] = useState(String(params.q ?? ''));
  const [items, setItems] = useState<CaseView[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [categories, setCategories] = useState<Category[]>([]);
  const [places, setPlaces] = useState<{ key: 'jurisdiction' | 'street'; items: { code: string; name: string }[] } | null>(null);
  const [units, setUnits] = useState<{ id: string; name: string }[]>([]);
  const [views, setViews] = useState<SavedView[]>([]);
  const [viewName, setViewName] = useState('');
  const [exportNote, setExportNote] = useState<string | null>(null);
  const asked = useRef(0);

  // The address follows the filter (a link or a reload opens the same list).
  useEffect(() => {
    const s = qs(params);
    if (s !== location.search) history.replaceState(null, '', `/cases${s}`);
  }, [params]);
  useEffect(() => {
    const fn = () => {
      if (location.pathname === '/cases') {
        const p = paramsFromLocation();
        setParams(p);
        setQText(String(p.q ?? ''));
      }
    };
    window.addEventListener('popstate', fn);
    return () => window.removeEventListener('popstate', fn);
  }, []);

  const load = useCallback(
    async (more: string | null) => {
      const n = ++asked.current;
      setLoading(true);
      try {
        const r = await api<{ items: CaseView[]; nextCursor: string | null }>(`/api/v1/cases${qs({ ...params, limit: 50, cursor: more })}`);
        if (n !== asked.current) return;
        setItems((old) => (more ? [...old, ...r.items] : r.items));
        setCursor(r.nextCursor);
        setError(null);
      } catch (e) {
        if (n === asked.current) setError(errorText(e));
      } finally {
        if (n === asked.current) setLoading(false);
      }
    },
    [params],
  );
  useEffect(() => {
    void load(null);
  }, [load]);

  const loadViews = useCallback(async () => {
    setViews((await api<{ items: SavedView[] }>('/api/v1/case-views').catch(() => ({ items: [] }))).items);
  }, []);
  useEffect(() => {
    api<{ items: Category[] }>('/api/v1/categories').then((r) => setCategories(r.items), () => undefined);
    void loadViews();
    void (async () => {
      const focus = await apiOptional<MapFocus>('/api/v1/map/focus').catch(() => null);
      if (!focus) return;
      const level = focus.level === 'city' ? 'district' : focus.level === 'district' ? 'street' : null;
      if (!level) return;
      const r = await api<{ features: { properties: { code: string; name: string } }[] }>(`/api/v1/jurisdictions${qs({ level, parent: focus.code ?? undefined })}`).catch(() => ({ features: [] }));
      setPlaces({ key: level === 'district' ? 'jurisdiction' : 'street', items: r.features.map((f) => f.properties) });
      if (focus.code) api<{ items: { id: string; name: string }[] }>(`/api/v1/units${qs({ jurisdiction: focus.code })}`).then((u) => setUnits(u.items), () => undefined);
    })();
  }, [loadViews]);

  const catName = useMemo(() => {
    const m = new Map(categories.map((c) => [c.code, lang === 'zh' ? c.nameZh : c.nameEn]));
    return (code: string) => m.get(code) ?? tr('未知类别', 'unknown category');
  }, [categories, lang, tr]);
  const depth = (c: Category) => c.code.split('.').length - 1;

  const set = (k: string, v: string | string[] | undefined) =>
    setParams((p) => {
      const n: Params = { ...p };
      if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) delete n[k];
      else n[k] = v;
      return n;
    });
  const one = (k: string) => (typeof params[k] === 'string' ? (params[k] as string) : '');
  const stateValue = Array.isArray(params.state) ? (params.state.join(',') === OPEN_STATES.join(',') ? 'open' : params.state[0] ?? '') : '';

  const exportAs = async (format: 'csv' | 'xlsx') => {
    setExportNote(null);
    try {
      const s = loadSession();
      const r = await fetch(`/api/v1/cases/export${qs({ ...params, format, lang })}`, { headers: { 'accept-language': lang, ...(s ? { authorization: `Bearer ${s.token}` } : {}) } });
      if (!r.ok) {
        const p = (await r.json().catch(() => null)) as { detail?: string } | null;
        setExportNote(p?.detail ?? tr('导出失败', 'Export failed'));
        return;
      }
      const blob = await r.blob();
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `${tr('事项清单', 'cases')}.${format}`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      const n = Number(r.headers.get('x-export-count') ?? '0');
      setExportNote(tr(`已导出 ${n} 件`, `Exported ${n} ${n === 1 ? 'case' : 'cases'}`));
    } catch (e) {
      setExportNote(errorText(e));
    }
  };

  const saveCurrent = async () => {
    try {
      // The body is typed: overdue is a boolean there (a string in the address).
      const query: Record<string, unknown> = { ...params, ...(typeof params.overdue === 'string' ? { overdue: params.overdue === 'true' } : {}) };
      await api('/api/v1/case-views', { body: { name: viewName.trim(), query } });
      setViewName('');
      await loadViews();
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <div className="page case-list" data-testid="case-list-page">
      <h1>{tr('事项清单', 'Cases')}</h1>
      <form
        className="row wrap"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          set('q', qText.trim() || undefined);
        }}
      >
        <label className="grow">
          <span className="sr-only">{tr('搜索', 'Search')}</span>
          <input type="search" value={qText} onChange={(e) => setQText(e.target.value)} maxLength={100} placeholder={tr('编号、标题、地址或反映内容', 'Number, title, address or what was reported')} data-testid="case-search" />
        </label>
        <button type="submit" className="primary" data-testid="case-search-go">{tr('搜索', 'Search')}</button>
      </form>

      <fieldset className="filters row wrap" data-testid="case-filters">
        <legend className="sr-only">{tr('筛选', 'Filters')}</legend>
        <label>
          {tr('状态', 'State')}
          <select value={stateValue} onChange={(e) => set('state', e.target.value === 'open' ? OPEN_STATES : e.target.value ? [e.target.value] : undefined)} data-testid="filter-state">
            <option value="">{tr('全部', 'All')}</option>
            <option value="open">{tr('在办（未办结）', 'Open')}</option>
            {STATES.map(([code, zh, en]) => (
              <option key={code} value={code}>{tr(zh, en)}</option>
            ))}
          </select>
        </label>
        <label>
          {tr('类别', 'Category')}
          <select value={one('category')} onChange={(e) => set('category', e.target.value)} data-testid="filter-category">
            <option value="">{tr('全部', 'All')}</option>
            {categories.map((c) => (
              <option key={c.code} value={c.code}>{`${'\u3000'.repeat(depth(c))}${lang === 'zh' ? c.nameZh : c.nameEn}`}</option>
            ))}
          </select>
        </label>
        {places && places.items.length > 0 && (
          <label>
            {places.key === 'street' ? tr('街道', 'Street') : tr('区县', 'District')}
            <select value={one(places.key)} onChange={(e) => set(places.key, e.target.value)} data-testid="filter-place">
              <option value="">{tr('全部', 'All')}</option>
              {places.items.map((p) => (
                <option key={p.code} value={p.code}>{p.name}</option>
              ))}
            </select>
          </label>
        )}
        {units.length > 0 && (
          <label>
            {tr('承办单位', 'Unit')}
            <select value={one('unit')} onChange={(e) => set('unit', e.target.value)} data-testid="filter-unit">
              <option value="">{tr('全部', 'All')}</option>
              {units.map((u) => (
                <option key={u.id} value={u.id}>{u.name}</option>
              ))}
            </select>
          </label>
        )}
        <label>
          {tr('层级', 'Tier')}
          <select value={one('tier')} onChange={(e) => set('tier', e.target.value)} data-testid="filter-tier">
            <option value="">{tr('全部', 'All')}</option>
            {TIERS.map(([code, zh, en]) => (
              <option key={code} value={code}>{tr(zh, en)}</option>
            ))}
          </select>
        </label>
        <label>
          {tr('来源', 'Source')}
          <select value={one('source')} onChange={(e) => set('source', e.target.value)} data-testid="filter-source">
            <option value="">{tr('全部', 'All')}</option>
            {SOURCES.map(([code, zh, en]) => (
              <option key={code} value={code}>{tr(zh, en)}</option>
            ))}
          </select>
        </label>
        <label>
          {tr('超期', 'Overdue')}
          <select value={one('overdue')} onChange={(e) => set('overdue', e.target.value)} data-testid="filter-overdue">
            <option value="">{tr('全部', 'All')}</option>
            <option value="true">{tr('已超期', 'Overdue')}</option>
            <option value="false">{tr('未超期', 'Not overdue')}</option>
          </select>
        </label>
        <label>
          {tr('上报自', 'Reported from')}
          <DateField withTime value={isoToLocal(one('from'))} onChange={(v) => set('from', localToIso(v))} testId="filter-from" />
        </label>
        <label>
          {tr('上报至', 'Reported until')}
          <DateField withTime value={isoToLocal(one('to'))} onChange={(v) => set('to', localToIso(v))} testId="filter-to" />
        </label>
        <label>
          {tr('排序', 'Sort by')}
          <select value={one('sort') || 'reportedAt'} onChange={(e) => set('sort', e.target.value === 'reportedAt' ? undefined : e.target.value)} data-testid="sort">
            <option value="reportedAt">{tr('上报时间', 'Time reported')}</option>
            <option value="deadline">{tr('办结时限', 'Deadline')}</option>
            <option value="priority">{tr('紧急程度', 'Priority')}</option>
            <option value="number">{tr('编号', 'Number')}</option>
          </select>
        </label>
        <label>
          {tr('顺序', 'Order')}
          <select value={one('order') || 'desc'} onChange={(e) => set('order', e.target.value === 'desc' ? undefined : e.target.value)} data-testid="order">
            <option value="desc">{tr('从新到旧 / 从高到低', 'Descending')}</option>
            <option value="asc">{tr('从旧到新 / 从低到高', 'Ascending')}</option>
          </select>
        </label>
        {params.bbox && (
          <span className="chip" data-testid="filter-bbox">
            {tr('地图上选中的位置', 'The place chosen on the map')}{' '}
            <button type="button" className="small ghost" onClick={() => set('bbox', undefined)} aria-label={tr('取消地图位置筛选', 'Clear the map place')}>×</button>
          </span>
        )}
        <button type="button" className="ghost" onClick={() => { setParams({}); setQText(''); }} data-testid="filter-clear">{tr('清除筛选', 'Clear filters')}</button>
      </fieldset>

      <section className="row wrap" aria-label={tr('视图与导出', 'Views and export')}>
        <label>
          {tr('我的视图', 'My views')}
          <select value="" onChange={(e) => { const v = views.find((x) => x.id === e.target.value); if (v) { setParams(paramsOfView(v.query)); setQText(String(v.query.q ?? '')); } }} data-testid="views">
            <option value="">{views.length ? tr('选择…', 'Choose…') : tr('（暂无）', '(none yet)')}</option>
            {views.map((v) => (
              <option key={v.id} value={v.id}>{v.name}</option>
            ))}
          </select>
        </label>
        <form className="row" onSubmit={(e) => { e.preventDefault(); if (viewName.trim()) void saveCurrent(); }}>
          <label>
            <span className="sr-only">{tr('视图名称', 'View name')}</span>
            <input value={viewName} onChange={(e) => setViewName(e.target.value)} maxLength={60} placeholder={tr('视图名称', 'View name')} data-testid="view-name" />
          </label>
          <button type="submit" disabled={!viewName.trim()} data-testid="view-save">{tr('保存当前筛选', 'Save this filter')}</button>
        </form>
        {views.length > 0 && (
          <details>
            <summary>{tr('管理视图', 'Manage views')}</summary>
            <ul className="list">
              {views.map((v) => (
                <li key={v.id}>
                  {v.name}{' '}
                  <button type="button" className="small" onClick={() => void api(`/api/v1/case-views/${v.id}`, { method: 'DELETE' }).then(loadViews, (e) => setError(errorText(e)))}>{tr('删除', 'Delete')}</button>
                </li>
              ))}
            </ul>
          </details>
        )}
        <span className="spacer" />
        <button type="button" onClick={() => void exportAs('csv')} data-testid="export-csv">{tr('导出 CSV', 'Export CSV')}</button>
        <button type="button" onClick={() => void exportAs('xlsx')} data-testid="export-xlsx">{tr('导出 XLSX 表格', 'Export XLSX')}</button>
        {exportNote && <span className="muted small" role="status">{exportNote}</span>}
      </section>

      {error && <p className="error" role="alert">{error}</p>}
      <table className="cases" data-testid="case-table">
        <caption className="sr-only">{tr('事项', 'Cases')}</caption>
        <thead>
          <tr>
            <th scope="col">{tr('编号', 'Number')}</th>
            <th scope="col">{tr('标题', 'Title')}</th>
            <th scope="col">{tr('类别', 'Category')}</th>
            <th scope="col">{tr('状态', 'State')}</th>
            <th scope="col">{tr('紧急程度', 'Priority')}</th>
            <th scope="col">{tr('位置', 'Place')}</th>
            <th scope="col">{tr('上报时间', 'Reported')}</th>
            <th scope="col">{tr('办结时限', 'Deadline')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.id} className={c.overdue ? 'overdue' : undefined} data-case-id={c.id}>
              <td><Link to={`/cases/${c.number}`} data-testid="case-link">{c.number}</Link></td>
              <td>{c.title}</td>
              <td>{catName(c.categoryCode)}</td>
              <td><StateChip state={c.state} name={c.stateName} /></td>
              <td><PriorityChip priority={c.priority} /></td>
              <td>{c.chain.slice(1).map((l) => l.name).join(' · ')}{c.location.address ? <div className="muted small">{c.location.address}</div> : null}</td>
              <td>{fmtTime(c.createdAt)}</td>
              <td>{c.resolveDue ? <Clock due={c.resolveDue} done={['closed', 'evaluated', 'declined', 'merged', 'reported_back', 'checked'].includes(c.state)} now={now} /> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!loading && items.length === 0 && !error && <p className="muted" data-testid="case-list-empty">{tr('没有符合条件的事项', 'No cases match')}</p>}
      <div className="row center">
        {cursor && (
          <button type="button" onClick={() => void load(cursor)} disabled={loading} data-testid="case-more">{loading ? tr('加载中…', 'Loading…') : tr('更多', 'More')}</button>
        )}
        {loading && !cursor && <span className="muted">{tr('加载中…', 'Loading…')}</span>}
      </div>
      <p className="muted small">
        <Link to="/cockpit">{tr('返回驾驶舱', 'Back to the cockpit')}</Link>
      </p>
    </div>
  );
}
