import { useCallback, useEffect, useState } from 'react';
import { api, errorText, qs } from '../api.ts';
import { ROLE_NAMES, count, nameOf } from '../labels.ts';
import { PhotoPicker } from '../components/photo-picker.tsx';
import { useI18n } from '../i18n.tsx';
import { useLiveReload } from '../live-feed.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { Clock, OPEN_TASK, PriorityChip, StateChip, useNow } from '../components/case-bits.tsx';
import { Dialog, usePrompt } from '../components/dialog.tsx';
import { ArrivalLine, SiteCard, distanceText, type PhonePosition } from '../components/site-card.tsx';
import type { CaseView, Task } from '../types.ts';

interface Row {
  readonly c: CaseView;
  readonly t: Task;
}

function CompleteDialog({ row, onClose, onDone }: { row: Row; onClose: () => void; onDone: (c: CaseView) => void }) {
  const { tr } = useI18n();
  const [note, setNote] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const needsPhoto = row.t.plan?.handBack.includes('photo') ?? false;
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const ids: string[] = [];
      for (const f of files) {
        const r = await api<{ id: string }>(`/api/v1/cases/${row.c.id}/attachments${qs({ fileName: f.name })}`, { raw: { data: f, type: f.type || 'application/octet-stream' } });
        ids.push(r.id);
      }
      const c = await api<CaseView>(`/api/v1/cases/${row.c.id}/tasks/${row.t.id}/complete`, { body: { note, ...(ids.length ? { evidence: { attachmentIds: ids } } : {}) } });
      onDone(c);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={tr('办结反馈', 'Report the task done')} onClose={onClose}>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <label>
          {tr('办理情况', 'What was done')}
          <textarea value={note} onChange={(e) => setNote(e.target.value)} required rows={3} />
        </label>
        <PhotoPicker
          label={needsPhoto ? tr('现场照片（预案要求）', 'Site photos (the plan asks for them)') : tr('现场照片（可选）', 'Site photos (optional)')}
          onChange={setFiles}
          required={needsPhoto}
          capture
          testId="task-photo"
        />
        {error && <p className="error" role="alert">{error}</p>}
        <div className="row end">
          <button type="button" onClick={onClose}>{tr('取消', 'Cancel')}</button>
          <button type="submit" className="primary" disabled={busy || !note.trim()} data-testid="complete-submit">{busy ? tr('提交中…', 'Sending…') : tr('提交办结', 'Report done')}</button>
        </div>
      </form>
    </Dialog>
  );
}

/**
 * 部门工作台: the unit's tasks by deadline; accept or return with a reason, start, report done with
 * photos; reminders visible. Each open task shows its site (address, landmark, map, distance, navigation,
 * contact) and records the crew's arrival on site with the phone's position.
 */
export default function UnitWorkbench() {
  const { tr } = useI18n();
  const { session } = useSession();
  const now = useNow();
  const unitId = session?.user.unitId ?? null;
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [completing, setCompleting] = useState<Row | null>(null);
  const [showDone, setShowDone] = useState(false);
  const [promptNode, ask] = usePrompt();

  const load = useCallback(async () => {
    if (!unitId) return;
    try {
      const r = await api<{ items: CaseView[] }>(`/api/v1/cases${qs({ unit: unitId, limit: 200 })}`);
      const out: Row[] = [];
      for (const c of r.items) for (const t of c.tasks) if (t.unitId === unitId && t.round === c.round) out.push({ c, t });
      out.sort((a, b) => Number(OPEN_TASK.has(b.t.state)) - Number(OPEN_TASK.has(a.t.state)) || a.t.deadline.localeCompare(b.t.deadline));
      setRows(out);
    } catch (e) {
      setError(errorText(e));
    }
  }, [unitId]);
  useEffect(() => void load(), [load]);
  useLiveReload(useCallback(() => void load(), [load]));

  const act = async (row: Row, action: string, body: Record<string, unknown> = {}) => {
    setError(null);
    try {
      await api(`/api/v1/cases/${row.c.id}/tasks/${row.t.id}/${action}`, { body });
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  };

  /** 到场: the phone's GPS position (WGS-84) and time, sent with an Idempotency-Key so a resend is harmless. */
  const arrive = async (row: Row, p: PhonePosition): Promise<string> => {
    const c = await api<CaseView>(`/api/v1/cases/${row.c.id}/tasks/${row.t.id}/arrive`, {
      body: { lng: p.lng, lat: p.lat, crs: 'wgs84', accuracy: Math.round(p.accuracy), at: p.at },
      headers: { 'idempotency-key': `arrive-${row.t.id}-${p.at}` },
    });
    await load();
    const a = c.tasks.find((x) => x.id === row.t.id)?.arrival;
    return a ? tr(`已登记到场，距现场 ${distanceText(a.distanceM, tr)}`, `Arrival recorded, ${distanceText(a.distanceM, tr)} from the site`) : tr('已登记到场', 'Arrival recorded');
  };

  // The task steps the server offers on this task (allowedActions), and why the others wait.
  const stepsOf = (row: Row) => row.c.allowedActions.filter((st) => st.taskId === row.t.id);
  const may = (row: Row, action: string) => stepsOf(row).some((st) => st.action === action && st.allowed);
  // A step the task's state is ready for but a rule holds back (a plan's order, 须等待 …) says why.
  const ready: Record<string, readonly string[]> = { start_task: ['accepted'], complete_task: ['accepted', 'in_progress'] };
  const refusals = (row: Row) => stepsOf(row).filter((st) => !st.allowed && (ready[st.action] ?? []).includes(row.t.state));
  if (!unitId) return <div className="page narrow"><p>{tr('此账号不属于任何单位。', 'This account belongs to no unit.')}</p></div>;
  const visible = (rows ?? []).filter((r) => showDone || OPEN_TASK.has(r.t.state));
  return (
    <div className="page" data-testid="unit-workbench">
      <h1>{tr('部门工作台', 'Unit workbench')}</h1>
      <div className="row wrap">
        <span className="muted">{tr(`待办 ${(rows ?? []).filter((r) => OPEN_TASK.has(r.t.state)).length} 项，按时限排序`, `${count((rows ?? []).filter((r) => OPEN_TASK.has(r.t.state)).length, '', 'open task', tr).trim()}, by deadline`)}</span>
        <label className="inline">
          <input type="checkbox" checked={showDone} onChange={(e) => setShowDone(e.target.checked)} /> {tr('显示已办结', 'Show finished')}
        </label>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {rows === null && <p role="status">{tr('加载中…', 'Loading…')}</p>}
      {rows !== null && visible.length === 0 && <p className="muted">{tr('暂无任务', 'No tasks')}</p>}
      <ul className="cards" style={{ listStyle: 'none', padding: 0 }}>
        {visible.map((row) => {
          const { c, t } = row;
          return (
            <li key={t.id} className={`panel ${t.overdue ? 'overdue' : ''}`} data-testid="unit-task" data-task-state={t.state}>
              <h2>
                <PriorityChip priority={c.priority} /> {c.title}
              </h2>
              <p className="small muted">
                <Link to={`/cases/${c.id}`}>{c.number}</Link> · <StateChip state={c.state} name={c.stateName} /> · {nameOf(ROLE_NAMES, t.role, tr)}
              </p>
              {t.plan?.instructions && <p className="small">{t.plan.instructions}</p>}
              <p className="small">{c.location.address}</p>
              <dl className="facts">
                <div>
                  <dt>{tr('任务状态', 'Task')}</dt>
                  <dd><span className={`chip task-${t.state}`}>{t.stateName}</span></dd>
                </div>
                <div>
                  <dt>{t.state === 'dispatched' ? tr('签收时限', 'Respond by') : tr('办结时限', 'Deadline')}</dt>
                  <dd><Clock due={t.state === 'dispatched' ? t.respondDue : t.deadline} done={!OPEN_TASK.has(t.state)} now={now} /></dd>
                </div>
                {(t.arrival || t.plan?.arriveBy) && (
                  <div>
                    <dt>{tr('到场', 'On site')}</dt>
                    <dd><ArrivalLine arrival={t.arrival} arriveBy={t.plan?.arriveBy} overdue={t.arrivalOverdue} now={now} done={!OPEN_TASK.has(t.state)} /></dd>
                  </div>
                )}
                {t.reminders > 0 && (
                  <div>
                    <dt>{tr('催办/督办', 'Reminders')}</dt>
                    <dd className="warn">×{t.reminders}</dd>
                  </div>
                )}
              </dl>
              {OPEN_TASK.has(t.state) && <SiteCard caseId={c.id} arrival={t.arrival} canArrive={t.state === 'accepted' || t.state === 'in_progress'} arrive={(p) => arrive(row, p)} />}
              <div className="row wrap" style={{ marginTop: '0.5rem' }}>
                {may(row, 'accept_task') && <button type="button" className="primary" onClick={() => void act(row, 'accept')} data-testid="task-accept">{tr('签收', 'Accept')}</button>}
                {may(row, 'return_task') && (
                  <button type="button" onClick={() => void (async () => { const r = await ask(tr('退回任务', 'Return the task'), tr('退回原因', 'Why it is returned'), { multiline: true }); if (r) await act(row, 'return', { reason: r }); })()}>
                    {tr('退回', 'Return')}
                  </button>
                )}
                {may(row, 'start_task') && <button type="button" onClick={() => void act(row, 'start')} data-testid="task-start">{tr('开始处置', 'Start work')}</button>}
                {may(row, 'complete_task') && (
                  <button type="button" className="primary" onClick={() => setCompleting(row)} data-testid="task-complete">{tr('办结反馈', 'Report done')}</button>
                )}
              </div>
              {refusals(row).map((st) => (
                <p key={st.action} className="small muted" data-testid="task-step-refused">
                  {tr(`暂不能${st.name}：`, `${st.name} not possible yet: `)}
                  {st.reason}
                </p>
              ))}
            </li>
          );
        })}
      </ul>
      {completing && <CompleteDialog row={completing} onClose={() => setCompleting(null)} onDone={() => { setCompleting(null); void load(); }} />}
      {promptNode}
    </div>
  );
}
