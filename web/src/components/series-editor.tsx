import type { SeriesRow } from '../analysis/analysis-inputs.ts';
import { useI18n } from '../i18n.tsx';

/**
 * Rows of (minutes from the start, value) — a hyetograph in mm/h or an inflow's hydrograph in m³/s.
 * `errors` holds the server's messages by row index, shown under the row they belong to.
 */
export function SeriesEditor({
  rows,
  onChange,
  valueLabel,
  errors,
  testId,
}: {
  readonly rows: readonly SeriesRow[];
  readonly onChange: (rows: SeriesRow[]) => void;
  readonly valueLabel: string;
  readonly errors?: ReadonlyMap<number, readonly string[]>;
  readonly testId: string;
}) {
  const { tr } = useI18n();
  const set = (i: number, patch: Partial<SeriesRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <table className="series-editor" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">{tr('时间（分钟）', 'Time (min)')}</th>
          <th scope="col">{valueLabel}</th>
          <th scope="col">
            <span className="sr-only">{tr('操作', 'Actions')}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i} data-testid={`${testId}-row`}>
            <td>
              <input inputMode="decimal" value={r.minutes} onChange={(e) => set(i, { minutes: e.target.value })} aria-label={tr(`第 ${i + 1} 行时间`, `Row ${i + 1} time`)} />
            </td>
            <td>
              <input inputMode="decimal" value={r.value} onChange={(e) => set(i, { value: e.target.value })} aria-label={tr(`第 ${i + 1} 行数值`, `Row ${i + 1} value`)} aria-invalid={errors?.has(i) || undefined} />
              {errors?.get(i)?.map((m, k) => (
                <span key={k} className="field-error" role="alert">
                  {m}
                </span>
              ))}
            </td>
            <td>
              <button type="button" className="ghost" onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={tr(`删除第 ${i + 1} 行`, `Remove row ${i + 1}`)} disabled={rows.length <= 1}>
                ×
              </button>
            </td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <td colSpan={3}>
            <button
              type="button"
              className="ghost"
              onClick={() => {
                const lastRow = rows[rows.length - 1];
                const next = lastRow ? String((Number(lastRow.minutes) || 0) + 10) : '0';
                onChange([...rows, { minutes: next, value: lastRow?.value ?? '0' }]);
              }}
              data-testid={`${testId}-add`}
            >
              {tr('加一行', 'Add a row')}
            </button>
          </td>
        </tr>
      </tfoot>
    </table>
  );
}
