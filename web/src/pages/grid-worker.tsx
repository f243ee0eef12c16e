import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, errorText, qs } from '../api.ts';
import { PhotoPicker } from '../components/photo-picker.tsx';
import { useI18n } from '../i18n.tsx';
import { useLiveReload } from '../live-feed.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { Clock, StateChip, PriorityChip, useNow } from '../components/case-bits.tsx';
import { discardArrival, discardTaskDone, enqueue, enqueueArrival, enqueueTaskDone, fileToDataUrl, flushArrivalQueue, flushQueue, flushTaskQueue, readArrivalQueue, readQueue, readTaskQueue, type QueuedArrival, type QueuedReport, type QueuedTaskDone } from '../offline-queue.ts';
import { ArrivalLine, SiteCard, distanceText, type PhonePosition } from '../components/site-card.tsx';
import type { CaseView, Category, MapFocus, TaskArrival } from '../types.ts';

/** One row of `GET /api/v1/tasks`: a task of the grid worker's community office, with its case. */
interface GridTask {
  readonly id: string;
  readonly caseId: string;
  readonly unitName?: string;
  readonly state: string;
  readonly stateName?: string;
  readonly deadline: string;
  readonly overdue: boolean;
  readonly doneAt?: string | null;
  readonly note?: string | null;
  readonly plan?: { key: string; instructions: string; arriveBy: string | null; handBack: string[] };
  readonly arrival?: TaskArrival | null;
  readonly arrivalOverdue?: boolean;
  readonly case?: { number: string; title: string; address: string; state: string; stateName: string; priority: string };
}

const OPEN_STATES = ['dispatched', 'accepted', 'in_progress'];

interface Suggestion {
  readonly categoryCode?: string;
  readonly code?: string;
  readonly confidence?: number;
  readonly top?: { categoryCode?: string; code?: string; confidence?: number; probability?: number }[];
}

/**
 * 网格员: my tasks (the community office's, e.g. notify residents) with a done button, a report from
 * the field with position and photos, my grid's open matters and on-site checks. Reports and finished
 * tasks wait in the phone's outbox and are resent safely on a flaky connection.
 */
export default function GridWorker() {
  const { tr, lang, fmtTime } = useI18n();
  const { session } = useSession();
  const now = useNow();
  const [cats, setCats] = useState<Category[]>([]);
  const [focus, setFocus] = useState<MapFocus | null>(null);
  const [title, setTitle] = useState('');
  const [text, setText] = useState('');
  const [category, setCategory] = useState('');
  const [suggested, setSuggested] = useState<string | null>(null);
  const [pos, setPos] = useState<{ lng: number; lat: number; crs: 'wgs84' | 'gcj02'; how: string } | null>(null);
  const [files, setFiles] = useState<File[]>([]);
  const [sitePhone, setSitePhone] = useState('');
  const [queue, setQueue] = useState<QueuedReport[]>(readQueue);
  const [online, setOnline] = useState(navigator.onLine);
  const [matters, setMatters] = useState<CaseView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  const [tasks, setTasks] = useState<GridTask[] | null>(null);
  const [doneToday, setDoneToday] = useState<GridTask[]>([]);
  const [taskQueue, setTaskQueue] = useState<QueuedTaskDone[]>(readTaskQueue);
  const [arrivalQueue, setArrivalQueue] = useState<QueuedArrival[]>(readArrivalQueue);
  const [doneFor, setDoneFor] = useState<string | null>(null);
  const [doneNote, setDoneNote] = useState('');
  const [doneFiles, setDoneFiles] = useState<File[]>([]);
  const [taskNote, setTaskNote] = useState<string | null>(null);
  const [taskError, setTaskError] = useState<string | null>(null);

  const grid = session?.user.jurisdictionCode ?? null;
  const office = session?.user.unitId ?? null;
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

  /** My office's open tasks by deadline, and those finished in the last day. */
  const loadTasks = useCallback(async () => {
    if (!office) return;
    const since = new Date(Date.now() - 24 * 3600_000).toISOString();
    const [open, done] = await Promise.all([
      api<{ items: GridTask[] }>(`/api/v1/tasks${qs({ state: OPEN_STATES, limit: 100 })}`),
      api<{ items: GridTask[] }>(`/api/v1/tasks${qs({ state: ['done'], updatedSince: since, limit: 50 })}`),
    ]);
    setTasks(open.items);
    setDoneToday([...done.items].sort((a, b) => (b.doneAt ?? '').localeCompare(a.doneAt ?? '')));
    setTaskError(null);
  }, [office]);

  const flush = useCallback(async () => {
    // Arrivals first: a task is arrived on before it is reported done.
    const ra = await flushArrivalQueue();
    setArrivalQueue(readArrivalQueue());
    const [r, rt] = await Promise.all([flushQueue(), flushTaskQueue()]);
    setQueue(readQueue());
    setTaskQueue(readTaskQueue());
    if (ra.outcomes.length > 0) {
      setTaskNote(
        ra.outcomes
          .map((o) =>
            o.outcome === 'arrived'
              ? tr(`已登记到场：${o.title}${o.distanceM !== null ? `（距现场 ${distanceText(o.distanceM, tr)}）` : ''}`, `Arrival recorded: ${o.title}${o.distanceM !== null ? ` (${distanceText(o.distanceM, tr)} from the site)` : ''}`)
              : tr(`${o.title}：此前已登记到场，未重复提交`, `${o.title}: arrival was already recorded; nothing was sent twice`),
          )
          .join(tr('；', '; ')),
      );
      void loadTasks().catch(() => undefined);
    }
    if (r.sent > 0) {
      setNote(tr(`已发送 ${r.sent} 条`, `${r.sent} sent`));
      void loadMatters().catch(() => undefined);
    }
    if (rt.outcomes.length > 0) {
      setTaskNote(
        rt.outcomes
          .map((o) => (o.outcome === 'done' ? tr(`已办结：${o.title}`, `Reported done: ${o.title}`) : tr(`${o.title}：任务此前已办结，未重复提交`, `${o.title}: the task was already done; nothing was sent twice`)))
          .join(tr('；', '; ')),
      );
      void loadTasks().catch(() => undefined);
    }
  }, [loadMatters, loadTasks, tr]);

  useEffect(() => {
    api<{ items: Category[] }>('/api/v1/categories').then((r) => setCats(r.items), () => undefined);
    api<MapFocus>('/api/v1/map/focus').then(setFocus, () => undefined);
    void loadMatters().catch((e) => setError(errorText(e)));
  }, [loadMatters]);
  useEffect(() => {
    // Offline, the last list stays on screen.
    void loadTasks().catch((e) => {
      if (navigator.onLine) setTaskError(errorText(e));
    });
  }, [loadTasks]);

  useEffect(() => {
    const on = () => {
      setOnline(true);
      void flush();
    };
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    const t = setInterval(() => {
      if (readQueue().length > 0 || readTaskQueue().length > 0 || readArrivalQueue().length > 0) void flush();
    }, 15_000);
    void flush();
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
      clearInterval(t);
    };
  }, [flush]);
  useLiveReload(
    useCallback(() => {
      void loadMatters().catch(() => undefined);
      void loadTasks().catch(() => undefined);
    }, [loadMatters, loadTasks]),
  );

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
      body: { categoryCode: category, title: title || text.slice(0, 40), description: text, lng: pos.lng, lat: pos.lat, crs: pos.crs, source: 'grid_worker', ...(sitePhone.trim() ? { siteContact: { phone: sitePhone.trim() } } : {}) },
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
    setSitePhone('');
    setNote(tr('已加入发送队列', 'Queued for sending'));
    await flush();
  };

  /** Done: into the outbox first (it survives a lost connection), then sent. */
  const submitDone = async (t: GridTask) => {
    const photos = await Promise.all(doneFiles.map(async (f) => ({ name: f.name, type: f.type, dataUrl: await fileToDataUrl(f), attachmentId: null })));
    enqueueTaskDone({
      id: crypto.randomUUID(),
      caseId: t.caseId,
      taskId: t.id,
      title: t.case?.title ?? t.caseId,
      note: doneNote.trim() || tr('已完成', 'Done'),
      needsAccept: t.state === 'dispatched',
      photos,
      queuedAt: new Date().toISOString(),
      attempts: 0,
      lastError: null,
    });
    setTaskQueue(readTaskQueue());
    setDoneFor(null);
    setDoneNote('');
    setDoneFiles([]);
    setTaskNote(navigator.onLine ? tr('正在发送…', 'Sending…') : tr('已保存在本机，联网后自动发送', 'Saved on this phone; it goes when the connection is back'));
    await flush();
  };

  /** 到场: into the outbox first with the phone's position and time (it survives a lost connection), then sent. */
  const queueArrival = async (t: GridTask, p: PhonePosition): Promise<string> => {
    enqueueArrival({
      id: crypto.randomUUID(),
      caseId: t.caseId,
      taskId: t.id,
      title: t.case?.title ?? t.caseId,
      lng: p.lng,
      lat: p.lat,
      accuracy: p.accuracy,
      at: p.at,
      needsAccept: t.state === 'dispatched',
      attempts: 0,
      lastError: null,
    });
    setArrivalQueue(readArrivalQueue());
    const online = navigator.onLine;
    await flush();
    return online ? tr('到场信息已发送', 'Arrival sent') : tr('到场信息已保存在本机，联网后自动发送', 'Arrival saved on this phone; it goes when the connection is back');
  };

  const queuedTask = (taskId: string) => taskQueue.find((q) => q.taskId === taskId);
  const queuedArrival = (taskId: string) => arrivalQueue.find((q) => q.taskId === taskId);
  const waiting = queue.length + taskQueue.length + arrivalQueue.length;

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
        {waiting > 0 && ` · ${tr(`待发送 ${waiting} 条`, `${waiting} waiting`)}`}
      </p>
      <section className="panel" aria-labelledby="tasks-h" data-testid="grid-tasks">
        <h2 id="tasks-h">{tr('我的任务', 'My tasks')}</h2>
        {!office && <p className="muted">{tr('此账号未加入社区网格工作站，暂无任务。', 'This account belongs to no community office, so it has no tasks.')}</p>}
        {office && tasks === null && !taskError && <p className="muted" role="status">{tr('加载中…', 'Loading…')}</p>}
        {taskError && <p className="error" role="alert">{taskError}</p>}
        {taskNote && <p className="small" role="status" data-testid="task-note">{taskNote}</p>}
        {tasks !== null && tasks.length === 0 && <p className="muted">{tr('暂无待办任务', 'No open tasks')}</p>}
        <ul className="list" aria-labelledby="tasks-h">
          {(tasks ?? []).map((t) => {
            const queued = queuedTask(t.id);
            const titleId = `task-${t.id}-title`;
            return (
              <li key={t.id} className={`panel ${t.overdue ? 'overdue' : ''}`} data-testid="grid-task" data-task-state={queued ? 'queued' : t.state}>
                <h3 id={titleId}>
                  {t.case && <PriorityChip priority={t.case.priority} />} {t.case?.title ?? t.caseId}
                </h3>
                <p className="small">
                  <span className="muted">{tr('地点：', 'Place: ')}</span>
                  {t.case?.address || '—'}
                </p>
                {t.plan?.instructions && <p className="small">{t.plan.instructions}</p>}
                <dl className="facts">
                  <div>
                    <dt>{tr('任务状态', 'Task')}</dt>
                    <dd>{queued ? <span className="chip warn">{tr('已完成，待发送', 'Done, waiting to send')}</span> : <span className={`chip task-${t.state}`}>{t.stateName ?? t.state}</span>}</dd>
                  </div>
                  <div>
                    <dt>{tr('办结时限', 'Deadline')}</dt>
                    <dd><Clock due={t.deadline} done={Boolean(queued)} now={now} /></dd>
                  </div>
                  {(t.arrival || t.plan?.arriveBy || queuedArrival(t.id)) && (
                    <div>
                      <dt>{tr('到场', 'On site')}</dt>
                      <dd>{queuedArrival(t.id) && !t.arrival ? <span className="chip warn">{tr('已到场，待发送', 'On site, waiting to send')}</span> : <ArrivalLine arrival={t.arrival} arriveBy={t.plan?.arriveBy} overdue={t.arrivalOverdue} now={now} done={false} />}</dd>
                    </div>
                  )}
                </dl>
                {!queued && <SiteCard caseId={t.caseId} arrival={t.arrival} canArrive={!queuedArrival(t.id)} arrive={(p) => queueArrival(t, p)} />}
                <p className="small muted">
                  <Link to={`/cases/${t.caseId}`}>{t.case?.number ?? t.caseId}</Link>
                  {t.unitName && ` · ${t.unitName}`}
                </p>
                {!queued && doneFor !== t.id && (
                  <button type="button" className="primary" aria-describedby={titleId} aria-expanded={false} onClick={() => { setDoneFor(t.id); setDoneNote(''); setDoneFiles([]); }} data-testid="task-done">
                    {tr('完成', 'Done')}
                  </button>
                )}
                {!queued && doneFor === t.id && (
                  <form className="stack" aria-label={tr('办结反馈', 'Report the task done')} onSubmit={(e) => { e.preventDefault(); void submitDone(t); }}>
                    <label>
                      {tr('办理情况（可选）', 'What was done (optional)')}
                      <textarea name="done-note" value={doneNote} onChange={(e) => setDoneNote(e.target.value)} rows={2} placeholder={tr('如：已逐户通知', 'e.g. every household told')} />
                    </label>
                    <PhotoPicker label={tr('现场照片（可选）', 'Site photo (optional)')} onChange={setDoneFiles} capture testId="task-done-photo" />
                    <div className="row wrap">
                      <button type="submit" className="primary" data-testid="task-done-submit">{tr('确认完成', 'Confirm done')}</button>
                      <button type="button" onClick={() => setDoneFor(null)}>{tr('取消', 'Cancel')}</button>
                    </div>
                  </form>
                )}
              </li>
            );
          })}
        </ul>
        {doneToday.length > 0 && (
          <>
            <h3 id="done-h" className="small">{tr('近24小时已办结', 'Done in the last 24 hours')}</h3>
            <ul className="list small" aria-labelledby="done-h" data-testid="grid-tasks-done">
              {doneToday.map((t) => (
                <li key={t.id} data-testid="grid-task-done" data-task-state={t.state}>
                  <span className={`chip task-${t.state}`}>{t.stateName ?? t.state}</span> {t.case?.title ?? t.caseId} · {fmtTime(t.doneAt)}
                  {t.note && <span className="muted"> · {t.note}</span>}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
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
            {tr('现场联系人电话（可选，处置人员可见）', 'On-site contact phone (optional, shown to the crews)')}
            <input name="site-phone" type="tel" value={sitePhone} onChange={(e) => setSitePhone(e.target.value)} maxLength={30} />
          </label>
          <PhotoPicker label={tr('照片', 'Photos')} onChange={setFiles} capture />
          {error && <p className="error" role="alert">{error}</p>}
          <button type="submit" className="primary">{tr('上报', 'Report')}</button>
          {note && <p role="status" className="small">{note}</p>}
        </form>
      </section>
      {waiting > 0 && (
        <section className="panel" aria-labelledby="q-h" data-testid="outbox">
          <h2 id="q-h">{tr('发送队列', 'Outbox')}</h2>
          <ul className="queue">
            {queue.map((q) => (
              <li key={q.clientRequestId}>
                {String(q.body.title)} · {fmtTime(q.queuedAt)} · {tr('尝试', 'tries')} {q.attempts}
                {q.lastError && <span className="warn"> · {q.lastError}</span>}
              </li>
            ))}
            {arrivalQueue.map((q) => (
              <li key={q.id} data-testid="outbox-arrival">
                {tr('到场：', 'Arrival: ')}
                {q.title} · {fmtTime(q.at)} · {tr('尝试', 'tries')} {q.attempts}
                {q.lastError && <span className="warn"> · {q.lastError}</span>}
                {q.lastError && online && (
                  <button type="button" className="small" onClick={() => { discardArrival(q.id); setArrivalQueue(readArrivalQueue()); }}>
                    {tr('放弃', 'Discard')}
                  </button>
                )}
              </li>
            ))}
            {taskQueue.map((q) => (
              <li key={q.id} data-testid="outbox-task">
                {tr('任务完成：', 'Task done: ')}
                {q.title} · {fmtTime(q.queuedAt)} · {tr('尝试', 'tries')} {q.attempts}
                {q.lastError && <span className="warn"> · {q.lastError}</span>}
                {q.lastError && online && (
                  <button type="button" className="small" onClick={() => { discardTaskDone(q.id); setTaskQueue(readTaskQueue()); }}>
                    {tr('放弃', 'Discard')}
                  </button>
                )}
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
      </section>
    </div>
  );
}
