/**
 * Replaying a recorded series (a CSV of one station's readings, such as
 * ../shared/data/sensors/beibei-grid-station-1483-pm25.csv, `time,station,pm25_mg_m3`) as the
 * readings of one device.
 *
 * The value column is detected: the numeric column that is not a time or an identifier (station,
 * id, code …), preferring one named after a metric. Its metric is the known metric name it starts
 * with (`pm25_mg_m3` → `pm25`); a µg/m³ column (`pm25_ug_m3`) is converted to the mg/m³ the
 * platform's air-quality metrics use. Rows are played in the order of their time (file order when
 * the times do not all read); the original time goes into nothing but that order: each reading is
 * stamped with the time it is sent, since the platform refuses stamps from the future and older
 * than a week, and a rule's durations should run in the replay's time.
 */
import { DEVICE_TYPES } from '../../src/sensing/devices/device-types.ts';
import { CsvSyntaxError, readCsvRecords } from '../../src/csv-records.ts';

export interface CsvSeries {
  /** The value column as named in the header. */
  readonly column: string;
  /** The metric its values are published as. */
  readonly metric: string;
  /** Values in play order (converted to the metric's unit). */
  readonly values: readonly number[];
  /** The first and last original time, when the rows have times. */
  readonly from: string | null;
  readonly to: string | null;
  /** Data rows without a number in the value column (empty, NaN, text). */
  readonly skipped: number;
  /** Rows read (excluding the header). */
  readonly rows: number;
}

export class CsvSeriesError extends Error {}

const TIME_COLUMN = /^(time|timestamp|datetime|date_time|date|ts|at|time_utc|监测时间|时间|日期)$/i;
const ID_COLUMN = /^(station|station_id|station_code|id|code|site|site_id|device|device_id|sensor|sensor_id|name|站点|站点编号|编号|设备)$/i;
const METRIC_NAMES = [...new Set(DEVICE_TYPES.flatMap((t) => t.metrics.map((m) => m.name)))].sort((a, b) => b.length - a.length);
const METRIC_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

/** RFC 4180 rows, the header first (src/csv-records.ts: quotes, CRLF, a BOM); rows of empty cells skipped. */
export function parseCsv(text: string): string[][] {
  try {
    const rows = readCsvRecords(text).map((r) => r.fields).filter((cells) => cells.some((c) => c !== ''));
    if (rows.length > 0) rows[0] = rows[0]!.map((h) => h.trim());
    return rows;
  } catch (e) {
    if (e instanceof CsvSyntaxError) throw new CsvSeriesError(e.message);
    throw e;
  }
}

function numberOf(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = s.trim();
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** The metric a column's values are, and the factor to its unit: `pm25_mg_m3` → pm25 × 1; `pm25_ug_m3` → pm25 × 0.001. */
export function metricOfColumn(column: string): { metric: string; factor: number } {
  const c = column.trim().toLowerCase();
  const metric = METRIC_NAMES.find((m) => c === m || c.startsWith(`${m}_`)) ?? null;
  const micro = /(^|_)(ug|µg|μg)_?(m3|m³)$/.test(c);
  if (metric !== null) return { metric, factor: micro && (metric === 'pm25' || metric === 'pm10') ? 0.001 : 1 };
  const cleaned = c.replace(/[^a-z0-9_]+/g, '_').replace(/^[^a-z]+/, '').slice(0, 40);
  if (!METRIC_NAME.test(cleaned)) throw new CsvSeriesError(`column ${JSON.stringify(column)} does not make a metric name: pass --metric`);
  return { metric: cleaned, factor: 1 };
}

/**
 * Reads a series. `column` names the value column (otherwise detected); `metric` overrides the
 * metric name (no unit conversion then). Throws CsvSeriesError with a reason a person can act on.
 */
export function parseCsvSeries(text: string, opts: { column?: string; metric?: string } = {}): CsvSeries {
  const table = parseCsv(text);
  if (table.length < 2) throw new CsvSeriesError('the CSV needs a header row and at least one data row');
  const header = table[0]!.map((h) => h.trim());
  const data = table.slice(1);
  const timeIdx = header.findIndex((h) => TIME_COLUMN.test(h));
  let valueIdx: number;
  if (opts.column !== undefined) {
    valueIdx = header.findIndex((h) => h === opts.column || h.toLowerCase() === opts.column!.toLowerCase());
    if (valueIdx < 0) throw new CsvSeriesError(`no column ${JSON.stringify(opts.column)} (the header has ${header.join(', ')})`);
  } else {
    // Numeric columns other than the time and identifiers; a column named after a metric first,
    // then one whose values vary (a constant is an id the header did not name).
    const candidates = header
      .map((h, i) => ({ h, i }))
      .filter(({ h, i }) => i !== timeIdx && !ID_COLUMN.test(h))
      .map(({ h, i }) => {
        let numeric = 0, filled = 0;
        let first: number | null = null, varies = false;
        for (const r of data) {
          const cell = r[i];
          if (cell === undefined || cell.trim() === '') continue;
          filled++;
          const n = numberOf(cell);
          if (n === null) continue;
          numeric++;
          if (first === null) first = n;
          else if (n !== first) varies = true;
        }
        const named = METRIC_NAMES.some((m) => h.toLowerCase() === m || h.toLowerCase().startsWith(`${m}_`));
        return { h, i, ok: filled > 0 && numeric / filled >= 0.9, named, varies };
      })
      .filter((c) => c.ok);
    const pick = candidates.find((c) => c.named) ?? candidates.find((c) => c.varies) ?? candidates[0];
    if (!pick) throw new CsvSeriesError(`no numeric value column among ${header.join(', ')}: pass --column`);
    valueIdx = pick.i;
  }
  const column = header[valueIdx]!;
  const m = opts.metric !== undefined ? { metric: opts.metric, factor: 1 } : metricOfColumn(column);
  if (!METRIC_NAME.test(m.metric)) throw new CsvSeriesError(`${JSON.stringify(m.metric)} is not a metric name (letters, digits, _)`);

  const rows: { t: number; v: number; i: number }[] = [];
  let skipped = 0;
  let allTimed = timeIdx >= 0;
  data.forEach((r, i) => {
    const v = numberOf(r[valueIdx]);
    if (v === null) {
      skipped++;
      return;
    }
    const t = timeIdx >= 0 ? Date.parse(r[timeIdx] ?? '') : NaN;
    if (Number.isNaN(t)) allTimed = false;
    rows.push({ t, v: v * m.factor, i });
  });
  if (rows.length === 0) throw new CsvSeriesError(`column ${JSON.stringify(column)} has no numbers`);
  if (allTimed) rows.sort((a, b) => a.t - b.t || a.i - b.i);
  const iso = (t: number) => (Number.isNaN(t) ? null : new Date(t).toISOString());
  return {
    column,
    metric: m.metric,
    values: rows.map((r) => Number(r.v.toPrecision(12))),
    from: allTimed ? iso(rows[0]!.t) : null,
    to: allTimed ? iso(rows[rows.length - 1]!.t) : null,
    skipped,
    rows: data.length,
  };
}

/** Real milliseconds from the start of a replay to row `index`, at `rowsPerSecond`. */
export function replayOffsetMs(index: number, rowsPerSecond: number): number {
  return (index * 1000) / rowsPerSecond;
}

export interface PlaySeriesOptions {
  readonly rowsPerSecond: number;
  /** Publishes one reading (stamped when it goes out); resolves once it is handed to the client, not when acknowledged. */
  readonly send: (values: Record<string, number>) => Promise<void>;
  readonly signal: AbortSignal;
  /** Waits `ms` (or less, when the signal aborts). */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly now?: () => number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Plays the series row after row at `rowsPerSecond` from now; returns the rows sent (fewer when stopped). */
export async function playSeries(series: CsvSeries, o: PlaySeriesOptions): Promise<number> {
  const now = o.now ?? Date.now;
  const start = now();
  const total = series.values.length;
  let done = 0;
  o.onProgress?.(0, total);
  for (const v of series.values) {
    const wait = start + replayOffsetMs(done, o.rowsPerSecond) - now();
    if (wait > 0) await o.sleep(wait, o.signal);
    if (o.signal.aborted) break;
    await o.send({ [series.metric]: v });
    done++;
    o.onProgress?.(done, total);
  }
  return done;
}
