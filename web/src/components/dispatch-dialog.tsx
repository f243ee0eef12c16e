import { useEffect, useState } from 'react';
import { api, errorText, qs } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { Dialog } from './dialog.tsx';
import type { CaseView, PlanRun } from '../types.ts';

interface PlanSummary {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly categories: string[];
}

function hours(ms: number | null, lang: 'zh' | 'en'): string {
  if (ms === null) return '—';
  const m = Math.round(ms / 60000);
  if (m < 60) return lang === 'zh' ? `${m} 分钟` : `${m} min`;
  return lang === 'zh' ? `${(m / 60).toFixed(m % 60 ? 1 : 0)} 小时` : `${(m / 60).toFixed(m % 60 ? 1 : 0)} h`;
}

function factText(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (Array.isArray(v)) return `${v.length}`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const bits = [o.name, o.diameter_mm !== undefined ? `DN${o.diameter_mm}` : null, o.distanceMeters !== undefined ? `${Math.round(Number(o.distanceMeters))} m` : null].filter(Boolean);
    return bits.length ? bits.join(' · ') : JSON.stringify(o).slice(0, 80);
  }
  return String(v);
}

/**
 * 一键调度: the plan that applies (or one the operator picks), its dry run — level, facts read from
 * the map, every task with its unit and clock, automatic actions — and one button that applies it.
 */
export function DispatchDialog({ c, onClose, onApplied }: { c: CaseView; onClose: () => void; onApplied: (c: CaseView) => void }) {
  const { tr, lang } = useI18n();
  const [plans, setPlans] = useState<PlanSummary[]>([]);
  const [planId, setPlanId] = useState<string>('');
  const [run, setRun] = useState<PlanRun | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<{ items: PlanSummary[] }>('/api/v1/plans').then((r) => setPlans(r.items), () => setPlans([]));
  }, []);
  useEffect(() => {
    setRun(null);
    setError(null);
    api<PlanRun>(`/api/v1/cases/${c.id}/plan-preview${qs({ planId: planId || undefined })}`).then(setRun, (e) => setError(errorText(e)));
  }, [c.id, planId]);

  const apply = async () => {
    setBusy(true);
    setError(null);
    try {
      const updated = await api<CaseView>(`/api/v1/cases/${c.id}/apply-plan`, { body: { ...(planId ? { planId } : run ? { planId: run.planId } : {}), expectedVersion: c.version } });
      onApplied(updated);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const tierName = (t: string) => ({ city: tr('市级', 'city'), district: tr('区县级', 'district'), street: tr('镇街级', 'street') })[t] ?? t;
  return (
    <Dialog title={tr(`一键调度 · ${c.number}`, `One-click dispatch · ${c.number}`)} onClose={onClose} wide>
      <div className="stack" data-testid="dispatch-dialog">
        <label>
          {tr('预案', 'Plan')}
          <select value={planId} onChange={(e) => setPlanId(e.target.value)}>
            <option value="">{tr('自动匹配（推荐）', 'Matched automatically (suggested)')}</option>
            {plans.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} (v{p.version})
              </option>
            ))}
          </select>
        </label>
        {!run && !error && <p role="status">{tr('推演中…', 'Dry run…')}</p>}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {run && (
          <>
            <div className="plan-head">
              <strong data-testid="plan-name">{run.name}</strong> <span className="chip">v{run.version}</span>{' '}
              <span className="chip level">{tr('响应级别：', 'Level: ')}{tierName(run.tier)}</span>{' '}
              {!run.matched && <span className="chip warn">{tr('条件不匹配', 'conditions not met')}</span>}
            </div>
            {Object.keys(run.facts).length > 0 && (
              <dl className="facts">
                {Object.entries(run.facts).map(([k, v]) => (
                  <div key={k}>
                    <dt>{k}</dt>
                    <dd>{factText(v)}</dd>
                  </div>
                ))}
              </dl>
            )}
            <table className="tasks">
              <caption>{tr(`将派遣 ${run.tasks.length} 项任务`, `${run.tasks.length} tasks will be dispatched`)}</caption>
              <thead>
                <tr>
                  <th scope="col">{tr('单位', 'Unit')}</th>
                  <th scope="col">{tr('角色', 'Role')}</th>
                  <th scope="col">{tr('任务', 'Task')}</th>
                  <th scope="col">{tr('到场', 'Arrive')}</th>
                  <th scope="col">{tr('时限', 'Deadline')}</th>
                </tr>
              </thead>
              <tbody>
                {run.tasks.map((t) => (
                  <tr key={t.key}>
                    <td>{t.unitName}</td>
                    <td>{t.role === 'lead' ? tr('主办', 'lead') : tr('协办', 'assist')}</td>
                    <td className="small">{t.instructions}</td>
                    <td>{hours(t.arriveWithinMs, lang)}</td>
                    <td>{hours(t.deadlineMs, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {run.actions.length > 0 && (
              <>
                <h3>{tr('自动动作', 'Automatic actions')}</h3>
                <ul className="small">
                  {run.actions.map((a) => (
                    <li key={a.key}>
                      <span className="chip">{a.type === 'notify' ? tr('通知', 'notify') : tr('设备', 'device')}</span> {String(a.message ?? a.command ?? a.target ?? a.to ?? a.key)}
                    </li>
                  ))}
                </ul>
              </>
            )}
            {run.problems.length > 0 && (
              <ul className="error">
                {run.problems.map((p, i) => (
                  <li key={i}>
                    {p.path}: {p.message}
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
        <div className="row end">
          <button type="button" onClick={onClose}>
            {tr('取消', 'Cancel')}
          </button>
          <button type="button" className="primary" disabled={!run || busy || run.problems.length > 0} onClick={() => void apply()} data-testid="confirm-dispatch">
            {busy ? tr('调度中…', 'Dispatching…') : tr('确认调度', 'Confirm dispatch')}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
