import { DateField } from '../components/date-field.tsx';
import { useCallback, useEffect, useState } from 'react';
import { api, errorText, qs } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { useLiveReload } from '../live-feed.ts';
import { Link } from '../router.tsx';
import { PriorityChip, StateChip } from '../components/case-bits.tsx';
import { SeverityChip } from '../components/alert-bits.tsx';
import { eventName } from '../components/event-names.ts';
import { describeFeedEvent } from '../components/live-activity.tsx';
import type { ApiAnswer, FeedMessage } from '../types.ts';

type Handover = ApiAnswer<'/api/v1/handover', 'get'>;
type CaseSummary = Handover['overdue'][number];

/** How many lines of "what happened" the page reads from the feed's history. */
const EVENTS_SHOWN = 200;

/** `datetime-local` text on the city's clock (+08:00) and back. */
function toLocalInput(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16);
}
function fromLocalInput(text: string): string | null {
  const ms = Date.parse(`${text}:00+08:00`);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * 交接班: what a shift hands to the next — open cases by state, overdue, escalated or supervised,
 * the alerts waiting for a person, and what changed since a time (by default the start of the
 * current shift, 08:00 or 20:00 city time; the two before it or any time can be chosen). Only what
 * the user may see; printable.
 */
export default function HandoverPage() {
  const { tr, fmtTime, fmtNumber, lang } = useI18n();
  const [since, setSince] = useState<string | null>(null);
  const [custom, setCustom] = useState('');
  const [h, setH] = useState<Handover | null>(null);
  const [events, setEvents] = useState<FeedMessage[]>([]);
  const [error, setError] = useState<string | null>(null);

  // Names of states, categories and alert statuses come in the page's language: asked again when it changes.
  const load = useCallback(async () => {
    try {
      const r = await api<Handover>(`/api/v1/handover${qs({ since: since ?? undefined })}`);
      setH(r);
      const feed = await api<{ items: FeedMessage[] }>(`/api/v1/feed/recent${qs({ since: r.since, limit: EVENTS_SHOWN })}`);
      setEvents(feed.items);
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  }, [since, lang]);
  useEffect(() => {
    void load();
  }, [load]);
  useLiveReload(load, 3000);
  useEffect(() => {
    document.title = `${tr('交接班', 'Shift handover')} · CityLoop`;
  }, [tr]);

  const shiftLabel = (iso: string, i: number) => `${[tr('本班', 'This shift'), tr('上一班', 'Previous shift'), tr('前两班', 'Two shifts back')][i]} · ${tr('自', 'since')} ${fmtTime(iso)}`;
  const chosen = h ? (h.shiftStarts.indexOf(h.since) >= 0 ? String(h.shiftStarts.indexOf(h.since)) : 'custom') : '0';

  const caseTable = (items: readonly CaseSummary[], testId: string, empty: string) =>
    items.length === 0 ? (
      <p className="muted">{empty}</p>
    ) : (
      <table className="tasks" data-testid={testId}>
        <thead>
          <tr>
            <th>{tr('编号', 'Number')}</th>
            <th>{tr('标题', 'Title')}</th>
            <th>{tr('类别', 'Category')}</th>
            <th>{tr('位置', 'Place')}</th>
            <th>{tr('状态', 'State')}</th>
            <th>{tr('办结时限', 'Due')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.id}>
              <td>
                <Link to={`/cases/${c.id}`}>{c.number}</Link>
              </td>
              <td>
                <PriorityChip priority={c.priority} /> {c.title}
              </td>
              <td>{c.categoryName}</td>
              <td>{c.place}</td>
              <td>
                <StateChip state={c.state} name={c.stateName} />
                {c.overdue && <span className="chip late">{tr('超期', 'overdue')}</span>}
                {c.supervised && <span className="chip">{tr('督办', 'supervised')}</span>}
              </td>
              <td>{fmtTime(c.resolveDue)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );

  return (
    <div className="page handover" data-testid="handover">
      <div className="row wrap no-print">
        <h1>
          {tr('交接班', 'Shift handover')}
          {h && <span className="muted small"> · {h.jurisdiction.name}</span>}
        </h1>
        <span className="spacer" />
        <label>
          {tr('变化起点', 'Changes since')}{' '}
          <select
            value={chosen}
            onChange={(e) => {
              const v = e.target.value;
              if (v === 'custom') setCustom(toLocalInput(h?.since ?? new Date().toISOString()));
              else if (h) setSince(h.shiftStarts[Number(v)] ?? null);
            }}
            data-testid="since-select"
          >
            {(h?.shiftStarts ?? []).map((s, i) => (
              <option key={s} value={String(i)}>
                {shiftLabel(s, i)}
              </option>
            ))}
            <option value="custom">{tr('自定义时间', 'Another time')}</option>
          </select>
        </label>
        {(chosen === 'custom' || custom) && (
          <label>
            {tr('自（北京时间）', 'From (city time)')}{' '}
            <DateField
              withTime
              value={custom}
              onChange={(v) => {
                setCustom(v);
                const iso = fromLocalInput(v);
                if (iso) setSince(iso);
              }}
              testId="since-input"
            />
          </label>
        )}
        <button type="button" onClick={() => window.print()}>
          {tr('打印', 'Print')}
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!h ? (
        <p role="status">{tr('加载中…', 'Loading…')}</p>
      ) : (
        <>
          <p className="print-only">
            {tr('交接班', 'Shift handover')} · {h.jurisdiction.name} · {tr('自', 'since')} {fmtTime(h.since)} {tr('至', 'to')} {fmtTime(h.at)}
          </p>
          <section className="handover-counts" aria-label={tr('概况', 'Summary')} data-testid="handover-counts">
            {[
              [tr('在办案件', 'Open cases'), h.counts.open, 'open'],
              [tr('超期', 'Overdue'), h.counts.overdue, 'overdue'],
              [tr('上报上级/督办', 'Escalated / supervised'), h.counts.escalated, 'escalated'],
              [tr('待处理预警', 'Alerts waiting'), h.counts.alerts, 'alerts'],
              [tr('本时段新上报', 'Reported since'), h.counts.reported, 'reported'],
              [tr('本时段结案', 'Closed since'), h.counts.closed, 'closed'],
            ].map(([name, n, key]) => (
              <div key={String(key)} className="handover-count" data-count={String(key)}>
                <div className="muted small">{name}</div>
                <strong>{fmtNumber(Number(n))}</strong>
              </div>
            ))}
          </section>
          {h.counts.openByState.length > 0 && (
            <p className="small" data-testid="open-by-state">
              {tr('在办按状态：', 'Open by state: ')}
              {h.counts.openByState.map((s) => `${s.stateName} ${fmtNumber(s.n)}`).join(' · ')}
            </p>
          )}

          <section className="panel" aria-labelledby="ho-overdue">
            <h2 id="ho-overdue">
              {tr('超期案件', 'Overdue cases')} <span className="count late">{fmtNumber(h.counts.overdue)}</span>
            </h2>
            {caseTable(h.overdue, 'handover-overdue', tr('没有超期案件', 'No overdue cases'))}
          </section>

          <section className="panel" aria-labelledby="ho-esc">
            <h2 id="ho-esc">
              {tr('上报上级与督办', 'Escalated and supervised')} <span className="count">{fmtNumber(h.counts.escalated)}</span>
            </h2>
            {caseTable(h.escalated, 'handover-escalated', tr('没有上报上级或督办的在办案件', 'No open case escalated or supervised'))}
          </section>

          <section className="panel" aria-labelledby="ho-alerts">
            <h2 id="ho-alerts">
              {tr('待处理预警', 'Alerts waiting')} <span className="count">{fmtNumber(h.counts.alerts)}</span>
            </h2>
            {h.alerts.length === 0 ? (
              <p className="muted">{tr('暂无', 'None')}</p>
            ) : (
              <ul className="list" data-testid="handover-alerts">
                {h.alerts.map((a) => (
                  <li key={a.id}>
                    <SeverityChip s={a.severity} /> {a.number} {a.title} · {a.statusName} · {fmtTime(a.lastAt)}
                  </li>
                ))}
              </ul>
            )}
          </section>

          <section className="panel" aria-labelledby="ho-changes" data-testid="handover-changes">
            <h2 id="ho-changes">
              {tr('自', 'Since')} {fmtTime(h.since)} {tr('以来的变化', 'what changed')}
            </h2>
            <p className="small">
              {h.counts.eventsByType.length === 0
                ? tr('没有变化', 'Nothing changed')
                : h.counts.eventsByType.map((e) => `${eventName(e.type, tr)} ${fmtNumber(e.n)}`).join(' · ')}
            </p>
            <h3>
              {tr('有变化的案件', 'Cases that changed')} <span className="count">{fmtNumber(h.counts.changed)}</span>
            </h3>
            {caseTable(h.changed, 'handover-changed', tr('没有案件变化', 'No case changed'))}
            <h3>{tr('事件记录', 'Events')}</h3>
            {events.length === 0 ? (
              <p className="muted">{tr('暂无', 'None')}</p>
            ) : (
              <ol className="list activity" data-testid="handover-events">
                {events.map((m) => (
                  <li key={m.id}>
                    <time className="muted small">{fmtTime(m.data.at as string | undefined)}</time> {describeFeedEvent(m, tr)}
                  </li>
                ))}
              </ol>
            )}
          </section>
        </>
      )}
    </div>
  );
}
