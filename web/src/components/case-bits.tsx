import { useEffect, useState } from 'react';
import { formatDuration, useI18n } from '../i18n.tsx';
import type { CaseView, Task } from '../types.ts';

export function StateChip({ state, name }: { state: string; name: string }) {
  return <span className={`chip state-${state}`}>{name}</span>;
}

const PRIORITY_NAMES: Record<string, [string, string]> = { low: ['低', 'low'], normal: ['一般', 'normal'], high: ['高', 'high'], urgent: ['紧急', 'urgent'] };
export function PriorityChip({ priority }: { priority: string }) {
  const { tr } = useI18n();
  const n = PRIORITY_NAMES[priority] ?? [priority, priority];
  return <span className={`chip prio-${priority}`}>{tr(n[0], n[1])}</span>;
}

/** Re-renders every second while mounted: the clocks on tasks and cases tick. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

export function Clock({ due, done, now }: { due: string | null; done?: boolean; now: number }) {
  const { lang, tr, fmtTime } = useI18n();
  if (!due) return <span className="clock">—</span>;
  if (done) return <span className="clock done">{tr('已完成', 'done')}</span>;
  const ms = new Date(due).getTime() - now;
  return (
    <span className={`clock ${ms < 0 ? 'late' : ms < 3600_000 ? 'soon' : ''}`} title={fmtTime(due)}>
      {formatDuration(ms, lang)}
    </span>
  );
}

export const OPEN_TASK = new Set(['dispatched', 'accepted', 'in_progress']);

export function TaskTable({ tasks, round, onAction }: { tasks: readonly Task[]; round: number; onAction?: (t: Task) => React.ReactNode }) {
  const { tr, fmtTime } = useI18n();
  const now = useNow();
  const current = tasks.filter((t) => t.round === round);
  if (current.length === 0) return <p className="muted">{tr('尚未派遣任务', 'No tasks dispatched yet')}</p>;
  return (
    <table className="tasks" data-testid="task-table">
      <caption className="sr-only">{tr('任务', 'Tasks')}</caption>
      <thead>
        <tr>
          <th scope="col">{tr('单位', 'Unit')}</th>
          <th scope="col">{tr('角色', 'Role')}</th>
          <th scope="col">{tr('状态', 'State')}</th>
          <th scope="col">{tr('签收时限', 'Respond by')}</th>
          <th scope="col">{tr('到场', 'On site')}</th>
          <th scope="col">{tr('办结时限', 'Deadline')}</th>
          {onAction && <th scope="col">{tr('操作', 'Actions')}</th>}
        </tr>
      </thead>
      <tbody>
        {current.map((t) => {
          const open = OPEN_TASK.has(t.state);
          return (
            <tr key={t.id} className={t.overdue ? 'overdue' : undefined} data-task-state={t.state}>
              <td>
                <strong>{t.unitName}</strong>
                {t.plan?.instructions && <div className="muted small">{t.plan.instructions}</div>}
                {t.returnReason && <div className="warn small">{tr('退回原因：', 'Returned: ')}{t.returnReason}</div>}
                {t.note && <div className="small">{tr('办理说明：', 'Note: ')}{t.note}</div>}
              </td>
              <td>{t.role === 'lead' ? tr('主办', 'lead') : tr('协办', 'assist')}</td>
              <td>
                <span className={`chip task-${t.state}`}>{t.stateName}</span>
                {t.reminders > 0 && <span className="chip warn" title={tr('催办次数', 'reminders')}>{tr('催办', 'reminded')} ×{t.reminders}</span>}
              </td>
              <td>{t.state === 'dispatched' ? <Clock due={t.respondDue} now={now} /> : <span className="muted small">{fmtTime(t.acceptedAt)}</span>}</td>
              <td data-testid="task-arrival">
                {t.arrival ? (
                  <span className="small">
                    {fmtTime(t.arrival.at)} · {t.arrival.distanceM >= 1000 ? `${(t.arrival.distanceM / 1000).toFixed(1)} ${tr('公里', 'km')}` : `${t.arrival.distanceM} ${tr('米', 'm')}`}
                    {t.arrival.late && <span className="chip warn">{tr('超时到场', 'late')}</span>}
                  </span>
                ) : t.plan?.arriveBy ? (
                  <>
                    <Clock due={t.plan.arriveBy} done={!open} now={now} />
                    {t.arrivalOverdue && <span className="chip warn">{tr('到场超时', 'arrival overdue')}</span>}
                  </>
                ) : (
                  <span className="muted small">—</span>
                )}
              </td>
              <td>
                <Clock due={t.deadline} done={!open} now={now} />
              </td>
              {onAction && <td>{onAction(t)}</td>}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function caseChain(c: Pick<CaseView, 'chain'>): string {
  return c.chain.filter((l) => l.level !== 'city').map((l) => l.name).join(' · ');
}
