import { lazy, Suspense, useEffect, useState } from 'react';
import { api, apiOptional, errorText, qs } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { VitalSigns } from '../components/vital-signs.tsx';
import type { Indicators, MapFocus } from '../types.ts';

const Chart = lazy(() => import('../components/chart.tsx'));

interface KpiRow {
  readonly group: string;
  readonly groupName: string;
  readonly period: string;
  readonly cases: number;
  readonly registered: number;
  readonly responseRate: number | null;
  readonly resolutionRate: number | null;
  readonly satisfactionRate: number | null;
  readonly onTimeRate: number | null;
  readonly averageHandlingHours: number | null;
  readonly overdue: number;
  readonly rank?: number;
}

/** 体征与考核: the vital-sign indicators by category with their levels, and 三率 and on-time rates as charts, overdue ranked. */
export default function Kpis() {
  const { tr, fmtNumber, fmtTime } = useI18n();
  const [groupBy, setGroupBy] = useState<'district' | 'street' | 'unit' | 'category'>('district');
  const [rows, setRows] = useState<KpiRow[] | null>(null);
  const [indicators, setIndicators] = useState<Indicators | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setRows(null);
    api<{ rows?: KpiRow[]; items?: KpiRow[] }>(`/api/v1/kpis${qs({ groupBy })}`).then((r) => setRows(r.items ?? r.rows ?? []), (e) => setError(errorText(e)));
  }, [groupBy]);
  useEffect(() => {
    void (async () => {
      const focus = await api<MapFocus>('/api/v1/map/focus');
      if (!focus.capabilities?.indicators) return;
      setIndicators(await apiOptional<Indicators>(`/api/v1/indicators${qs({ jurisdiction: focus.code ?? undefined })}`));
    })().catch(() => setIndicators(null));
  }, []);

  const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);
  const top = (rows ?? []).filter((r) => r.cases > 0).slice(0, 20);
  const option = {
    tooltip: { trigger: 'axis' },
    legend: { data: [tr('响应率', 'Response'), tr('解决率', 'Resolution'), tr('满意率', 'Satisfaction'), tr('按时率', 'On time')] },
    grid: { left: 48, right: 16, top: 40, bottom: 80 },
    xAxis: { type: 'category', data: top.map((r) => r.groupName), axisLabel: { rotate: 35 } },
    yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
    series: [
      { name: tr('响应率', 'Response'), type: 'bar', data: top.map((r) => pct(r.responseRate)) },
      { name: tr('解决率', 'Resolution'), type: 'bar', data: top.map((r) => pct(r.resolutionRate)) },
      { name: tr('满意率', 'Satisfaction'), type: 'bar', data: top.map((r) => pct(r.satisfactionRate)) },
      { name: tr('按时率', 'On time'), type: 'bar', data: top.map((r) => pct(r.onTimeRate)) },
    ],
  };
  const ranked = [...(rows ?? [])].filter((r) => r.overdue > 0).sort((a, b) => b.overdue - a.overdue).slice(0, 15);

  return (
    <div className="page" data-testid="kpis">
      <h1>{tr('体征与考核', 'Vital signs and KPIs')}</h1>
      {error && <p className="error" role="alert">{error}</p>}
      {indicators && (
        <section aria-labelledby="vs-h">
          <h2 id="vs-h">{tr('城市安全体征指标', 'City vital signs')}</h2>
          <p className="muted small">
            {indicators.jurisdiction.name} · {tr('计算于', 'computed')} {fmtTime(indicators.computedAt)} · {tr('悬停查看阈值', 'hover for the thresholds')}
          </p>
          <VitalSigns items={indicators.items} />
        </section>
      )}
      <section className="panel" aria-labelledby="kpi-h" style={{ marginTop: '0.8rem' }}>
        <h2 id="kpi-h">{tr('三率与按时率', 'Response, resolution, satisfaction and on-time rates')}</h2>
        <label style={{ maxWidth: 260 }}>
          {tr('分组', 'Group by')}
          <select value={groupBy} onChange={(e) => setGroupBy(e.target.value as typeof groupBy)}>
            <option value="district">{tr('区县', 'District')}</option>
            <option value="street">{tr('街道', 'Street')}</option>
            <option value="unit">{tr('单位', 'Unit')}</option>
            <option value="category">{tr('类别', 'Category')}</option>
          </select>
        </label>
        {rows === null ? (
          <p role="status">{tr('加载中…', 'Loading…')}</p>
        ) : top.length === 0 ? (
          <p className="muted">{tr('暂无数据', 'No data yet')}</p>
        ) : (
          <Suspense fallback={<p>{tr('图表加载中…', 'Loading chart…')}</p>}>
            <Chart option={option} label={tr('三率柱状图', 'Rates by group, bar chart')} height={340} />
          </Suspense>
        )}
      </section>
      <section className="panel" aria-labelledby="rank-h" style={{ marginTop: '0.8rem' }}>
        <h2 id="rank-h">{tr('超期排行', 'Overdue ranking')}</h2>
        {ranked.length === 0 ? (
          <p className="muted">{tr('暂无超期', 'Nothing overdue')}</p>
        ) : (
          <table className="tasks">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{tr('名称', 'Name')}</th>
                <th scope="col">{tr('超期', 'Overdue')}</th>
                <th scope="col">{tr('案件', 'Cases')}</th>
                <th scope="col">{tr('按时率', 'On time')}</th>
                <th scope="col">{tr('平均办理时长（时）', 'Avg. hours')}</th>
              </tr>
            </thead>
            <tbody>
              {ranked.map((r, i) => (
                <tr key={r.group}>
                  <td>{i + 1}</td>
                  <td>{r.groupName}</td>
                  <td className="late">{r.overdue}</td>
                  <td>{r.cases}</td>
                  <td>{r.onTimeRate === null ? '—' : `${pct(r.onTimeRate)}%`}</td>
                  <td>{fmtNumber(r.averageHandlingHours, 1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
