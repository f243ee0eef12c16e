import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, errorText, qs } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { liveFeed } from '../live-feed.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { StateChip, PriorityChip } from '../components/case-bits.tsx';
import { enqueue, fileToDataUrl, flushQueue, readQueue, type QueuedReport } from '../offline-queue.ts';
import type { CaseView, Category, MapFocus } from '../types.ts';

interface Suggestion {
  readonly categoryCode?: string;
  readonly code?: string;
  readonly confidence?: number;
  readonly top?: { categoryCode?: string; code?: string; confidence?: number; probability?: number }[];
}

/** 网格员: report from the field with position and photos (queued and resent safely on a flaky connection), my grid's open matters, on-site checks. */
export default function GridWorker() {
  const { tr, lang, fmtTime } = useI18n();
  const { session } = useSession();
  const [cats, setCats] = useState<Category[]>([]);
  const [focus, setFocus] = useState<MapFocus | null>(null);
  const [title, setTitle] = useState('');
  const [text, setText] = useState('');
  const [category, setCategory] = useState('');
  const [suggested, setSuggested] = useState<string | null>(null);
  const [pos, setPos] = useState<{ lng: number; lat: number; crs: 'wgs84' | 'gcj02'; how: string } | null>(null);
  const [files, setFiles] = useState<File[]>([]);
  const [queue, setQueue] = useState<QueuedReport[]>(readQueue);
  const [online, setOnline] = useState(navigator.onLine);
  const [matters, setMatters] = useState<CaseView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  const grid = session?.user.jurisdictionCode ?? null;
  const leafs = useMemo(() => cats.filter((c) => c.parentCode !== null), [cats]);
  const nameOf = (code: string) => {
    const c = cats.find((x) => x.code === code);
    return c ? (lang === 'zh' ? c.nameZh : c.nameEn) : code;
  };

  const loadMatters = useCallback(async () => {
    if (!grid) return;
    const r = await api<{ items: CaseView[] }>(`/api/v1/cases${qs({ jurisdiction: grid, limit: 50 })}`);
    setMatters(r.items.filter((c) => !['closed', 'evaluated', 'declined', 'merged'].includes(c.state)));
  }, [grid]);

  const flush = useCallback(async () => {
    const r = await flushQueue();
    setQueue(readQueue());
    if (r.sent > 0) {
      setNote(tr(`已发送 ${r.sent} 条`, `${r.sent} sent`));
      void loadMatters().catch(() => undefined);
    }
  }, [loadMatters, tr]);

  useEffect(() => {
    api<{ items: Category[] }>('/api/v1/categories').then((r) => setCats(r.items), () => undefined);
    api<MapFocus>('/api/v1/map/focus').then(setFocus, () => undefined);
    void loadMatters().catch((e) => setError(errorText(e)));
  }, [loadMatters]);

  useEffect(() => {
    const on = () => {
      setOnline(true);
      void flush();
    };
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    const t = setInterval(() => {
      if (readQueue().length > 0) void flush();
    }, 15_000);
    void flush();
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
      clearInterval(t);
    };
  }, [flush]);
  useEffect(() => liveFeed.subscribe(() => void loadMatters().catch(() => undefined)), [loadMatters]);

  const suggest = async () => {
    if (!text.trim() && !title.trim()) return;
    try {
      const s = await api<Suggestion>('/api/v1/appeals/classify', { body: { text: text || title, ...(title ? { title } : {}) } });
      const code = s.categoryCode ?? s.code ?? s.top?.[0]?.categoryCode ?? s.top?.[0]?.code ?? null;
      if (code) {
        setSuggested(code);
        if (!category) setCategory(code);
      }
    } catch {
      // no suggestion: the worker picks
    }
  };

  const locate = () => {
    navigator.geolocation?.getCurrentPosition(
      (p) => setPos({ lng: p.coords.longitude, lat: p.coords.latitude, crs: 'wgs84', how: tr('手机定位', 'phone GPS') }),
      () => setError(tr('定位失败：可使用网格中心点', 'No position: use the centre of my grid')),
      { enableHighAccuracy: true, timeout: 10_000 },
    );
  };
  const gridCentre = () => {
    const b = focus?.bbox;
    if (b) setPos({ lng: (b[0] + b[2]) / 2, lat: (b[1] + b[3]) / 2, crs: 'gcj02', how: tr('网格中心点', 'grid centre') });
  };

  const submit = async () => {
    setError(null);
    if (!pos) {
      setError(tr('请先确定位置', 'Set the position first'));
      return;
    }
    const photos = await Promise.all(files.map(async (f) => ({ name: f.name, type: f.type, dataUrl: await fileToDataUrl(f), sent: false })));
    enqueue({
      clientRequestId: crypto.randomUUID(),
      body: { categoryCode: category, title: title || text.slice(0, 40), description: text, lng: pos.lng, lat: pos.lat, crs: pos.crs, source: 'grid_worker' },
      photos,
      caseId: null,
      caseNumber: null,
      queuedAt: new Date().toISOString(),
      attempts: 0,
      lastError: null,
    });
    setQueue(readQueue());
    setTitle('');
    setText('');
    setCategory('');
    setSuggested(null);
    setFiles([]);
    setNote(tr('已加入发送队列', 'Queued for sending'));
    await flush();
  };

  const check = async (c: CaseView, passed: boolean) => {
    try {
      await api(`/api/v1/cases/${c.id}/check`, { body: { passed, note: passed ? tr('现场核查通过', 'Checked on site') : tr('现场核查未通过', 'Failed on site'), expectedVersion: c.version } });
      await loadMatters();
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <div className="page phone" data-testid="grid-worker">
      <h1>{tr('网格员', 'Grid worker')} <span className="muted small">{focus?.name}</span></h1>
      <p className="small" role="status">
        {online ? tr('在线', 'Online') : tr('离线：上报将保存在本机，联网后自动发送', 'Offline: reports wait on this phone and go when the connection is back')}
        {queue.length > 0 && ` · ${tr(`待发送 ${queue.length} 条`, `${queue.length} waiting`)}`}
      </p>
      <section className="panel" aria-labelledby="rep-h">
        <h2 id="rep-h">{tr('现场上报', 'Report from the field')}</h2>
        <form className="stack" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
          <label>
            {tr('标题', 'Title')}
            <input name="title" value={title} onChange={(e) => setTitle(e.target.value)} required />
          </label>
          <label>
            {tr('情况描述', 'What you see')}
            <textarea name="text" value={text} onChange={(e) => setText(e.target.value)} onBlur={() => void suggest()} rows={3} />
          </label>
          <label>
            {tr('类别', 'Category')}
            <select name="category" value={category} onChange={(e) => setCategory(e.target.value)} required>
              <option value="">{tr('请选择', 'Choose')}</option>
              {leafs.map((c) => (
                <option key={c.code} value={c.code}>
                  {lang === 'zh' ? c.nameZh : c.nameEn}
                </option>
              ))}
            </select>
          </label>
          {suggested && <p className="small muted">{tr('智能推荐：', 'Suggested: ')}{nameOf(suggested)}</p>}
          <div className="row wrap">
            <button type="button" onClick={locate}>{tr('手机定位', 'Use GPS')}</button>
            <button type="button" onClick={gridCentre} disabled={!focus?.bbox}>{tr('网格中心点', 'Grid centre')}</button>
            {pos && <span className="small">{pos.how}: {pos.lng.toFixed(5)}, {pos.lat.toFixed(5)}</span>}
          </div>
          <label>
            {tr('照片', 'Photos')}
            <input type="file" accept="image/*" capture="environment" multiple onChange={(e) => setFiles([...(e.target.files ?? [])])} />
          </label>
          {error && <p className="error" role="alert">{error}</p>}
          <button type="submit" className="primary">{tr('上报', 'Report')}</button>
          {note && <p role="status" className="small">{note}</p>}
        </form>
      </section>
      {queue.length > 0 && (
        <section className="panel" aria-labelledby="q-h">
          <h2 id="q-h">{tr('发送队列', 'Outbox')}</h2>
          <ul className="queue">
            {queue.map((q) => (
              <li key={q.clientRequestId}>
                {String(q.body.title)} · {fmtTime(q.queuedAt)} · {tr('尝试', 'tries')} {q.attempts}
                {q.lastError && <span className="warn"> · {q.lastError}</span>}
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => void flush()}>{tr('立即重发', 'Send now')}</button>
        </section>
      )}
      <section className="panel" aria-labelledby="m-h">
        <h2 id="m-h">{tr('本网格在办事项', 'Open matters in my grid')}</h2>
        {matters.length === 0 && <p className="muted">{tr('暂无', 'None')}</p>}
        <ul className="list" data-testid="grid-matters">
          {matters.map((c) => (
            <li key={c.id} className="panel">
              <p>
                <PriorityChip priority={c.priority} /> <Link to={`/cases/${c.id}`}>{c.title}</Link>
              </p>
              <p className="small muted">
                {c.number} · <StateChip state={c.state} name={c.stateName} /> · {nameOf(c.categoryCode)}
              </p>
              {c.actions.includes('check') && (
                <div className="row">
                  <button type="button" className="primary" onClick={() => void check(c, true)}>{tr('核查通过', 'Check: passed')}</button>
                  <button type="button" onClick={() => void check(c, false)}>{tr('核查不通过', 'Check: failed')}</button>
                </div>
              )}
            </li>
          ))}
        </ul>
        <p className="small muted">{tr('通知居民等任务派给社区单位；网格员在此核查并上报。', 'Tasks such as notifying residents go to the community unit; here the grid worker checks on site and reports.')}</p>
      </section>
    </div>
  );
}
