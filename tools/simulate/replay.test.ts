import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CsvSeriesError, metricOfColumn, parseCsv, parseCsvSeries, playSeries, replayOffsetMs } from './replay.ts';

const REAL = fileURLToPath(new URL('../../../shared/data/sensors/beibei-grid-station-1483-pm25.csv', import.meta.url));

describe('CSV series', () => {
  it('reads RFC 4180: quotes, doubled quotes, commas and newlines inside quotes, CRLF, a BOM, blank lines', () => {
    expect(parseCsv('\ufeffa,b\r\n"x, ""y""",2\n\n"multi\nline",3')).toEqual([
      ['a', 'b'],
      ['x, "y"', '2'],
      ['multi\nline', '3'],
    ]);
  });

  it('detects the value column past the time and the station, plays rows in time order, skips empty values', () => {
    const csv = ['time,station,pm25_mg_m3', '2021-01-01T03:00:00+08:00,1483,0.031', '2021-01-01T01:00:00+08:00,1483,0.052', '2021-01-01T02:00:00+08:00,1483,', '2021-01-01T04:00:00+08:00,1483,0.047'].join('\n');
    const s = parseCsvSeries(csv);
    expect(s).toMatchObject({ column: 'pm25_mg_m3', metric: 'pm25', values: [0.052, 0.031, 0.047], skipped: 1, rows: 4, from: '2020-12-31T17:00:00.000Z', to: '2020-12-31T20:00:00.000Z' });
  });

  it('keeps the file order when times do not read, converts µg/m³, and takes --column and --metric', () => {
    expect(parseCsvSeries('station,pm25_ug_m3\nA,52\nA,31').values).toEqual([0.052, 0.031]);
    expect(parseCsvSeries('time,level\nlater,0.3\nearlier,0.1')).toMatchObject({ metric: 'level', values: [0.3, 0.1], from: null });
    const two = 'time,temp_c,gauge_m\n2021-01-01T00:00:00Z,20,0.1\n2021-01-01T01:00:00Z,21,0.2';
    expect(parseCsvSeries(two, { column: 'gauge_m', metric: 'water_level' })).toMatchObject({ column: 'gauge_m', metric: 'water_level', values: [0.1, 0.2] });
    expect(metricOfColumn('water_level_m')).toEqual({ metric: 'water_level', factor: 1 });
  });

  it('refuses what it cannot replay, saying why', () => {
    expect(() => parseCsvSeries('time,station\n2021-01-01T00:00:00Z,1483')).toThrow(CsvSeriesError);
    expect(() => parseCsvSeries('time,station\n2021-01-01T00:00:00Z,1483')).toThrow(/no numeric value column/);
    expect(() => parseCsvSeries('time,pm25\n')).toThrow(/header row and at least one data row/);
    expect(() => parseCsvSeries('time,pm25\nx,1', { column: 'pm10' })).toThrow(/no column "pm10"/);
    expect(() => parseCsvSeries('time,pm25\nx,1', { metric: 'pm 2.5' })).toThrow(/not a metric name/);
  });

  it.skipIf(!existsSync(REAL) && process.env.CI !== 'true')('reads the recorded 北碚 station series (../shared/data/sensors)', () => {
    const s = parseCsvSeries(readFileSync(REAL, 'utf8'));
    expect(s.column).toBe('pm25_mg_m3');
    expect(s.metric).toBe('pm25');
    expect(s.rows).toBeGreaterThan(26_000);
    expect(s.values.length + s.skipped).toBe(s.rows);
    expect(s.values.every((v) => v >= 0 && v <= 5)).toBe(true); // the air-quality station's range, mg/m³
    expect(s.values[0]).toBe(0.0525333);
    expect(s.from).toBe('2020-12-31T17:00:00.000Z');
    expect(Date.parse(s.to!)).toBeGreaterThan(Date.parse(s.from!));
  });

  it('plays rows in order at the given rows per second and stops when told', async () => {
    const series = parseCsvSeries('time,pm25\n2021-01-01T00:00:00Z,0.01\n2021-01-01T01:00:00Z,0.02\n2021-01-01T02:00:00Z,0.03\n2021-01-01T03:00:00Z,0.04');
    let clock = 0;
    const sent: { at: number; v: Record<string, number> }[] = [];
    const progress: number[] = [];
    const ctl = new AbortController();
    const n = await playSeries(series, {
      rowsPerSecond: 4,
      signal: ctl.signal,
      now: () => clock,
      sleep: async (ms) => void (clock += ms),
      send: async (v) => void sent.push({ at: clock, v }),
      onProgress: (d) => progress.push(d),
    });
    expect(n).toBe(4);
    expect(sent).toEqual([0, 250, 500, 750].map((at, i) => ({ at, v: { pm25: (i + 1) / 100 } })));
    expect(progress).toEqual([0, 1, 2, 3, 4]);
    expect(replayOffsetMs(10, 0.5)).toBe(20_000);
    let calls = 0;
    const stopped = await playSeries(series, { rowsPerSecond: 1, signal: ctl.signal, now: () => clock, sleep: async (ms) => void (clock += ms), send: async () => (++calls === 2 ? ctl.abort() : undefined) });
    expect(stopped).toBe(2);
  });
});
