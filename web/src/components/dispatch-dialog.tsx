import { useEffect, useState } from 'react';
import { api, errorText, qs } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { Dialog } from './dialog.tsx';
import { FACT_NAMES, ROLE_NAMES, TIER_NAMES, count, nameOf, targetName } from '../labels.ts';
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

/** A fact's value as words: an asset by its name (its diameter once), a list by its size. */
function factText(v: unknown, tr: (zh: string, en: string) => string): string {
  if (v === null || v === undefined) return tr('无', 'none');
  if (Array.isArray(v)) return count(v.length, '处', 'place', tr);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const name = typeof o.name === 'string' ? o.name : null;
    const dn = o.diameter_mm !== undefined ? `DN${o.diameter_mm}` : null;
    const bits = [name, dn && !(name ?? '').includes(dn) ? dn : null, o.distanceMeters !== undefined ? `${Math.round(Number(o.distanceMeters))} m` : null].filter(Boolean);
    return bits.length ? bits.join(' · ') : tr('已找到', 'found');
  }
  if (typeof v === 'boolean') return v ? tr('是', 'yes') : tr('否', 'no');
  if (typeof v === 'string' && TIER_NAMES[v]) return nameOf(TIER_NAMES, v, tr);
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

  const tierName = (t: string) => nameOf(TIER_NAMES, t, tr);
  return (
    <Dialog title={tr(`一键调度 · ${c.number}`, `One-click dispatch · ${c.number}`)} onClose={onClose} wide>
      <div className="stack" data-testid="dispatch-dialog">
        <label>
          {tr('预案', 'Plan')}
          <select value={planId} onChange={(e) => setPlanId(e.target.value)}>
            <option value="">{tr('自动匹配（推荐）', 'Matched automatically (suggested)')}</option>
            {plans.map((p) => (
              <option key={p.id} value={p.id}>
                {tr(`${p.name}（第 ${p.version} 版）`, `${p.name} (v${p.version})`)}
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
              <strong data-testid="plan-name">{run.name}</strong> <span className="chip">{tr(`第 ${run.version} 版`, `v${run.version}`)}</span>{' '}
              <span className="chip level">{tr('响应级别：', 'Level: ')}{tierName(run.tier)}</span>{' '}
              {!run.matched && <span className="chip warn">{tr('条件不匹配', 'conditions not met')}</span>}
            </div>
            {Object.keys(run.facts).length > 0 && (
              <dl className="facts">
                {Object.entries(run.facts).map(([k, v]) => (
                  <div key={k}>
                    <dt>{nameOf(FACT_NAMES, k, tr, ['预案条件', 'Plan fact'])}</dt>
                    <dd>{factText(v, tr)}</dd>
                  </div>
                ))}
              </dl>
            )}
            <table className="tasks">
              <caption>{tr(`将派遣 ${run.tasks.length} 项任务`, `${count(run.tasks.length, '', 'task', tr).trim()} will be dispatched`)}</caption>
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
                    <td>{nameOf(ROLE_NAMES, t.role, tr)}</td>
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
                      <span className="chip">{a.type === 'notify' ? tr('通知', 'notification') : tr('设备指令', 'device command')}</span> {typeof a.message === 'string' ? a.message : targetName(a.type === 'notify' ? 'notify' : 'device', String(a.to ?? a.target ?? ''), tr)}
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
