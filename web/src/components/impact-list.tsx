import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { ApiAnswer } from '../types.ts';

/**
 * 灾害态势研判: what an analysis's result means — the people to move per community and the assets
 * at risk, both ordered by time to act (earliest arrival first, then depth), and the affected
 * streets. Names come from the server in the page's language (`kindName`, `typeName`), never codes;
 * a generated population is said so. Placed by the cockpit or the analysis page (H7).
 */
export type FloodImpactData = ApiAnswer<'/api/v1/analyses/{id}/impact', 'get'>;

export function loadFloodImpact(analysisId: string): Promise<FloodImpactData> {
  return api<FloodImpactData>(`/api/v1/analyses/${encodeURIComponent(analysisId)}/impact`);
}

export interface ImpactListProps {
  readonly impact: FloodImpactData;
  /** At most this many rows per list (the rest are counted); default 50. */
  readonly limit?: number;
}

/** Arrival as the list shows it: minutes after the start, or a dash when the model gives none. */
export function arrivalText(arrivalS: number | null, tr: (zh: string, en: string) => string): string {
  if (arrivalS === null) return '—';
  const min = Math.round(arrivalS / 60);
  return min < 60 ? tr(`${min} 分钟`, `${min} min`) : tr(`${Math.floor(min / 60)} 小时 ${min % 60} 分`, `${Math.floor(min / 60)} h ${min % 60} min`);
}

export function ImpactList({ impact, limit = 50 }: ImpactListProps) {
  const { tr, fmtNumber } = useI18n();
  const streets = impact.places.filter((p) => p.kind === 'street');
  const people = impact.peopleToMove.slice(0, limit);
  const assets = impact.assets.slice(0, limit);
  return (
    <section className="impact-list" aria-labelledby="impact-h" data-testid="impact-list">
      <h2 id="impact-h">{tr('灾害态势研判', 'Impact assessment')}</h2>
      <p className="muted">
        {tr(
          `淹没面积 ${fmtNumber(impact.floodedAreaM2 / 1e6, 2)} km²（水深 ≥ ${impact.floodedDepthM} 米），涉及 ${streets.length} 个街道、${impact.peopleToMove.length} 个社区，约 ${fmtNumber(impact.peopleAffected)} 人`,
          `${fmtNumber(impact.floodedAreaM2 / 1e6, 2)} km² flooded (depth ≥ ${impact.floodedDepthM} m) in ${streets.length} streets and ${impact.peopleToMove.length} communities, about ${fmtNumber(impact.peopleAffected)} people`,
        )}
        {impact.populationGenerated && <span> · {tr('人口为演示生成数据，非普查', 'population generated for the demo, not counted')}</span>}
      </p>
      <table className="tasks" data-testid="impact-people">
        <caption>{tr('需转移人员（按到达时间）', 'People to move (by arrival time)')}</caption>
        <thead>
          <tr>
            <th>{tr('社区', 'Community')}</th>
            <th>{tr('街道', 'Street')}</th>
            <th>{tr('人数', 'People')}</th>
            <th>{tr('最早到达', 'Earliest arrival')}</th>
            <th>{tr('最大水深', 'Max depth')}</th>
          </tr>
        </thead>
        <tbody>
          {people.map((c) => (
            <tr key={c.communityCode}>
              <td>{c.communityName}</td>
              <td>{c.streetName ?? '—'}</td>
              <td>{fmtNumber(c.people)}</td>
              <td>{arrivalText(c.arrivalS, tr)}</td>
              <td>{fmtNumber(c.maxDepthM, 2)} m</td>
            </tr>
          ))}
        </tbody>
      </table>
      {impact.peopleToMove.length > people.length && <p className="muted">{tr(`另有 ${impact.peopleToMove.length - people.length} 个社区`, `${impact.peopleToMove.length - people.length} more communities`)}</p>}
      <table className="tasks" data-testid="impact-assets">
        <caption>{tr('受威胁设施', 'Assets at risk')}</caption>
        <thead>
          <tr>
            <th>{tr('名称', 'Name')}</th>
            <th>{tr('类型', 'Type')}</th>
            <th>{tr('水深', 'Depth')}</th>
            <th>{tr('最早到达', 'Earliest arrival')}</th>
          </tr>
        </thead>
        <tbody>
          {assets.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">{tr('无', 'None')}</td>
            </tr>
          )}
          {assets.map((a) => (
            <tr key={a.id}>
              <td>{a.name ?? a.typeName}</td>
              <td>{a.typeName}</td>
              <td>{fmtNumber(a.depthM, 2)} m</td>
              <td>{arrivalText(a.arrivalS, tr)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {impact.assets.length > assets.length && <p className="muted">{tr(`另有 ${impact.assets.length - assets.length} 处设施`, `${impact.assets.length - assets.length} more assets`)}</p>}
    </section>
  );
}
