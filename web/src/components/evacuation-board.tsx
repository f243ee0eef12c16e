import type { ReactNode } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { ApiAnswer } from '../types.ts';

/**
 * 避险转移 board: one row per affected community — people expected, the latest count (moved,
 * staying, missing), a progress bar of those known safe, whether everyone is accounted for, the
 * community office's task and when it last reported. Labels are the page's language (zh-CN by
 * default, English on request, through useI18n); task states come named by the server.
 *
 * Placed by the cockpit or the analysis page (H7): give it the board from `loadEvacuationBoard`;
 * `actions` renders what the viewer may do on a row (report a count, override), e.g. buttons that
 * call `reportEvacuationCount`.
 */
export type EvacuationBoardData = ApiAnswer<'/api/v1/analyses/{id}/evacuation', 'get'>;
export type EvacuationCommunityRow = EvacuationBoardData['communities'][number];

export function loadEvacuationBoard(analysisId: string): Promise<EvacuationBoardData> {
  return api<EvacuationBoardData>(`/api/v1/analyses/${encodeURIComponent(analysisId)}/evacuation`);
}

export function startEvacuation(analysisId: string): Promise<EvacuationBoardData> {
  return api<EvacuationBoardData>(`/api/v1/analyses/${encodeURIComponent(analysisId)}/evacuation`, { method: 'POST', body: {} });
}

/** A community's whole current count (by its community office), or the center's override with a reason. */
export function reportEvacuationCount(caseId: string, communityCode: string, body: { moved: number; staying: number; missing: number; note?: string } | { override: string }): Promise<EvacuationCommunityRow> {
  return api<EvacuationCommunityRow>(`/api/v1/cases/${encodeURIComponent(caseId)}/evacuation/${encodeURIComponent(communityCode)}`, { method: 'POST', body });
}

export interface EvacuationBoardProps {
  readonly board: EvacuationBoardData;
  /** What the viewer may do on one community's row (report, override); nothing when omitted. */
  readonly actions?: (row: EvacuationCommunityRow) => ReactNode;
}

/** Share of the expected people known safe (moved or staying), 0–1. */
export function safeShare(row: Pick<EvacuationCommunityRow, 'expected' | 'moved' | 'staying' | 'accountedFor'>): number {
  if (row.accountedFor) return 1;
  if (row.expected <= 0) return 0;
  return Math.min(1, (row.moved + row.staying) / row.expected);
}

export function EvacuationBoard({ board, actions }: EvacuationBoardProps) {
  const { tr, fmtTime, fmtNumber } = useI18n();
  const t = board.totals;
  return (
    <section className="evacuation-board" aria-labelledby="evac-h" data-testid="evacuation-board">
      <h2 id="evac-h">{tr('避险转移', 'Evacuation')} · {board.caseNumber}</h2>
      <p className="muted">
        {tr(
          `${t.communities} 个社区，应转移 ${fmtNumber(t.expected)} 人；已转移 ${fmtNumber(t.moved)}，就地避险 ${fmtNumber(t.staying)}，失联 ${fmtNumber(t.missing)}；${t.accountedFor}/${t.communities} 个社区已清点完毕`,
          `${t.communities} communities, ${fmtNumber(t.expected)} people to move; moved ${fmtNumber(t.moved)}, staying ${fmtNumber(t.staying)}, missing ${fmtNumber(t.missing)}; ${t.accountedFor}/${t.communities} communities accounted for`,
        )}
      </p>
      <table className="tasks">
        <thead>
          <tr>
            <th>{tr('社区', 'Community')}</th>
            <th>{tr('应转移', 'Expected')}</th>
            <th>{tr('已转移', 'Moved')}</th>
            <th>{tr('就地避险', 'Staying')}</th>
            <th>{tr('失联', 'Missing')}</th>
            <th>{tr('进度', 'Progress')}</th>
            <th>{tr('任务', 'Task')}</th>
            <th>{tr('最近上报', 'Last report')}</th>
            {actions && <th />}
          </tr>
        </thead>
        <tbody>
          {board.communities.map((c) => {
            const share = safeShare(c);
            return (
              <tr key={c.communityCode} className={c.missing > 0 ? 'overdue' : undefined} data-testid={`evac-${c.communityCode}`}>
                <td>
                  {c.communityName}
                  {c.streetName && <div className="muted">{c.streetName}</div>}
                </td>
                <td>{fmtNumber(c.expected)}</td>
                <td>{fmtNumber(c.moved)}</td>
                <td>{fmtNumber(c.staying)}</td>
                <td>{fmtNumber(c.missing)}</td>
                <td>
                  <progress max={1} value={share} aria-label={tr(`${c.communityName} 已知安全 ${Math.round(share * 100)}%`, `${c.communityName}: ${Math.round(share * 100)}% known safe`)} />
                  <div className="muted">{c.accountedFor ? (c.override ? tr(`中心确认：${c.override}`, `accepted by the center: ${c.override}`) : tr('已清点完毕', 'accounted for')) : `${Math.round(share * 100)}%`}</div>
                </td>
                <td>
                  {c.unitName ?? '—'}
                  {c.taskStateName && <div className="muted">{c.taskStateName}</div>}
                </td>
                <td>{c.lastReportAt ? fmtTime(c.lastReportAt) : tr('尚未上报', 'none yet')}</td>
                {actions && <td>{actions(c)}</td>}
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
