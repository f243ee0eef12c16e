import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WORKING_HOURS,
  WorkingCalendar,
  loadCalendarData,
  parseDuration,
  validateCalendarData,
  validateWorkingHours,
  type CalendarData,
} from './working-calendar.ts';

// China's official arrangements, as the shipped pack keeps them.
const data = loadCalendarData(fileURLToPath(new URL('../../cities/chongqing/calendar/cn-public-holidays.json', import.meta.url)));
const calendar = new WorkingCalendar(data, DEFAULT_WORKING_HOURS);
/** Local Chongqing time, so expectations read like the office clock. */
const cq = (local: string): Date => new Date(`${local}:00+08:00`);
const workingDays = (n: number): number => parseDuration(`${n}d`).minutes;

describe('shipped calendar data', () => {
  it('loads and covers 2025 and 2026', () => {
    expect(calendar.coveredYears).toEqual([2025, 2026]);
    expect(calendar.covers(2026)).toBe(true);
    expect(calendar.covers(2027)).toBe(false);
    expect(calendar.workingMinutesPerDay).toBe(420);
  });
});

describe('National Day 2026 (holiday 2026-10-01..10-07, make-up working Saturday 2026-10-10)', () => {
  it('knows the days off and the make-up Saturday', () => {
    expect(calendar.isWorkingDay('2026-09-30')).toBe(true); // Wednesday, last working day before the break
    for (let d = 1; d <= 7; d++) expect(calendar.isWorkingDay(`2026-10-0${d}`)).toBe(false);
    expect(calendar.isWorkingDay('2026-10-08')).toBe(true);
    expect(calendar.isWorkingDay('2026-10-10')).toBe(true); // Saturday, 调休上班
    expect(calendar.isWorkingDay('2026-10-11')).toBe(false); // ordinary Sunday
  });

  it('a 3-working-day task started on 2026-09-30 09:00 is due 2026-10-09 18:00, after the break', () => {
    expect(calendar.addDuration(cq('2026-09-30T09:00'), workingDays(3), 'working')).toEqual(cq('2026-10-09T18:00'));
  });

  it('the make-up Saturday counts: started 2026-09-30 14:00 with 3 working days, due Saturday 2026-10-10 12:00', () => {
    // 09-30 afternoon 240 min + 10-08 420 + 10-09 420 = 1080; the remaining 180 fall on Saturday morning.
    expect(calendar.addDuration(cq('2026-09-30T14:00'), workingDays(3), 'working')).toEqual(cq('2026-10-10T12:00'));
    expect(calendar.addDurationSpec(cq('2026-09-30T14:00'), '3d', 'working')).toEqual(cq('2026-10-10T12:00'));
  });

  it('skips the Sunday after the make-up Saturday', () => {
    expect(calendar.addDuration(cq('2026-09-30T09:00'), workingDays(5), 'working')).toEqual(cq('2026-10-12T18:00'));
  });

  it('counts only the two working days inside the break window', () => {
    expect(calendar.workingMinutesBetween(cq('2026-09-30T18:00'), cq('2026-10-10T09:00'))).toBe(840);
  });
});

describe('Spring Festival 2025 (holiday 2025-01-28..02-04, make-up 2025-01-26 Sun and 2025-02-08 Sat)', () => {
  it('knows the make-up Sunday and Saturday', () => {
    expect(calendar.isWorkingDay('2025-01-26')).toBe(true);
    expect(calendar.isWorkingDay('2025-01-28')).toBe(false);
    expect(calendar.isWorkingDay('2025-02-04')).toBe(false);
    expect(calendar.isWorkingDay('2025-02-08')).toBe(true);
  });

  it('one working day from Monday 2025-01-27 16:00 ends Wednesday 2025-02-05 16:00', () => {
    expect(calendar.addDuration(cq('2025-01-27T16:00'), workingDays(1), 'working')).toEqual(cq('2025-02-05T16:00'));
  });

  it('from Friday 2025-01-24 17:00, two hours end on the make-up Sunday 2025-01-26 10:00', () => {
    expect(calendar.addDuration(cq('2025-01-24T17:00'), 120, 'working')).toEqual(cq('2025-01-26T10:00'));
  });
});

describe('ordinary weeks', () => {
  it('skips the weekend', () => {
    expect(calendar.addDuration(cq('2025-03-07T17:00'), 120, 'working')).toEqual(cq('2025-03-10T10:00'));
    expect(calendar.isWorkingDay('2025-03-08')).toBe(false);
  });

  it('a start outside working time counts from the next working period', () => {
    expect(calendar.addDuration(cq('2025-03-05T12:30'), 30, 'working')).toEqual(cq('2025-03-05T14:30'));
    expect(calendar.addDuration(cq('2025-03-05T07:00'), 60, 'working')).toEqual(cq('2025-03-05T10:00'));
    expect(calendar.addDuration(cq('2025-03-05T20:00'), 60, 'working')).toEqual(cq('2025-03-06T10:00'));
    expect(calendar.addDuration(cq('2025-03-08T10:00'), 60, 'working')).toEqual(cq('2025-03-10T10:00'));
  });

  it('a deadline that uses up a period ends at its end, not at the next start', () => {
    expect(calendar.addDuration(cq('2025-03-05T11:00'), 60, 'working')).toEqual(cq('2025-03-05T12:00'));
    expect(calendar.addDuration(cq('2025-03-05T09:00'), 420, 'working')).toEqual(cq('2025-03-05T18:00'));
  });

  it('crosses the lunch break', () => {
    expect(calendar.addDuration(cq('2025-03-05T11:30'), 60, 'working')).toEqual(cq('2025-03-05T14:30'));
  });

  it('adding nothing changes nothing', () => {
    expect(calendar.addDuration(cq('2025-03-08T10:00'), 0, 'working')).toEqual(cq('2025-03-08T10:00'));
  });

  it('rejects negative minutes and invalid dates', () => {
    expect(() => calendar.addDuration(cq('2025-03-05T10:00'), -1, 'working')).toThrow(/minutes/);
    expect(() => calendar.addDuration(new Date('nope'), 1, 'working')).toThrow(/start/);
    expect(() => calendar.isWorkingDay('2025-3-5')).toThrow(/localDate/);
  });

  it('reports the local date in +08:00', () => {
    expect(calendar.localDateOf(new Date('2025-03-05T17:30:00Z'))).toBe('2025-03-06');
  });
});

describe('calendar basis', () => {
  it('is plain addition, holidays and nights included', () => {
    expect(calendar.addDuration(cq('2026-10-01T10:00'), 240, 'calendar')).toEqual(cq('2026-10-01T14:00'));
    expect(calendar.addDuration(cq('2026-10-01T23:55'), 10, 'calendar')).toEqual(cq('2026-10-02T00:05'));
    expect(calendar.addDurationSpec(cq('2026-10-01T10:00'), '1d', 'calendar')).toEqual(cq('2026-10-02T10:00'));
  });
});

describe('years the data does not cover', () => {
  it('fall back to Monday to Friday', () => {
    expect(calendar.covers(2030)).toBe(false);
    expect(calendar.isWorkingDay('2030-10-01')).toBe(true); // a Tuesday; no holiday data for 2030
    expect(calendar.isWorkingDay('2030-10-05')).toBe(false); // a Saturday
  });
});

describe('workingMinutesBetween', () => {
  it('is the inverse of addDuration', () => {
    // Seeded LCG so a failure can be replayed.
    let seed = 20260930;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const from = cq('2025-01-01T00:00').getTime();
    const span = cq('2026-11-30T00:00').getTime() - from;
    for (let i = 0; i < 500; i++) {
      const start = new Date(from + Math.floor(next() * span / 60_000) * 60_000);
      const minutes = Math.floor(next() * 60 * 420);
      const end = calendar.addDuration(start, minutes, 'working');
      expect(calendar.workingMinutesBetween(start, end)).toBe(minutes);
    }
  });

  it('is negative when the end comes first and zero across a weekend night', () => {
    expect(calendar.workingMinutesBetween(cq('2025-03-05T10:00'), cq('2025-03-05T09:00'))).toBe(-60);
    expect(calendar.workingMinutesBetween(cq('2025-03-07T18:00'), cq('2025-03-10T09:00'))).toBe(0);
  });

  it('handles 60-working-day deadlines, the same each time', () => {
    const first = calendar.addDuration(cq('2025-09-01T09:00'), workingDays(60), 'working');
    for (let i = 0; i < 200; i++) expect(calendar.addDuration(cq('2025-09-01T09:00'), workingDays(60), 'working')).toEqual(first);
  });
});

describe('parseDuration', () => {
  it("reads m, h and d; 'd' is a working day on the working basis and 24 h on the calendar basis", () => {
    expect(parseDuration('30m')).toEqual({ minutes: 30 });
    expect(parseDuration('2h')).toEqual({ minutes: 120 });
    expect(parseDuration('5d')).toEqual({ minutes: 5 * 420 });
    expect(parseDuration('5d', { basis: 'calendar' })).toEqual({ minutes: 5 * 1440 });
    expect(parseDuration('2d', { workingMinutesPerDay: 480 })).toEqual({ minutes: 960 });
    // The documents' one grammar: units combined in order, and seconds.
    expect(parseDuration('1d2h')).toEqual({ minutes: 420 + 120 });
    expect(parseDuration('1d2h', { basis: 'calendar' })).toEqual({ minutes: 1440 + 120 });
    expect(parseDuration('1h30m')).toEqual({ minutes: 90 });
    expect(parseDuration('90s')).toEqual({ minutes: 1.5 });
  });

  it.each(['', '5', '1.5h', '-2h', '2 h', '0m', '0d0h', '5w', '2H', '2h1d', '1h1h', ' 5d'])('rejects %j', (spec) => {
    expect(() => parseDuration(spec)).toThrow(/invalid duration/);
  });
});

describe('bad calendar data is rejected with the field named', () => {
  const good = (): CalendarData => JSON.parse(JSON.stringify(data)) as CalendarData;

  it('accepts the shipped data', () => {
    expect(() => validateCalendarData(good())).not.toThrow();
  });

  it('rejects a non-object and a missing source', () => {
    expect(() => validateCalendarData(null)).toThrow(/object/);
    const d = good() as Partial<CalendarData>;
    delete d.source;
    expect(() => validateCalendarData(d)).toThrow(/"source"/);
  });

  it('rejects a badly written date', () => {
    const d = good();
    d.years['2026']!.holidays['国庆节']![2] = '2026-10-3';
    expect(() => validateCalendarData(d)).toThrow(/years\.2026\.holidays\.国庆节\[2\].*YYYY-MM-DD/);
  });

  it('rejects a date that does not exist', () => {
    const d = good();
    d.years['2025']!.workdays.push('2025-02-30');
    expect(() => validateCalendarData(d)).toThrow(/years\.2025\.workdays\[5\]/);
  });

  it('rejects a date that is both a holiday and a working day', () => {
    const d = good();
    d.years['2026']!.workdays.push('2026-10-03');
    expect(() => validateCalendarData(d)).toThrow(/2026-10-03 is both a holiday .* and a working day/);
  });

  it('rejects a make-up working day that is not on a weekend', () => {
    const d = good();
    d.years['2026']!.workdays.push('2026-10-09');
    expect(() => validateCalendarData(d)).toThrow(/years\.2026\.workdays\[6\].*weekday/);
  });

  it('rejects a year key that is not a year and a bad calendar file', () => {
    const d = good() as unknown as { years: Record<string, unknown> };
    d.years['next'] = { holidays: {}, workdays: [] };
    expect(() => validateCalendarData(d)).toThrow(/years\.next/);
    const dir = mkdtempSync(join(tmpdir(), 'cityloop-calendar-'));
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    expect(() => loadCalendarData(join(dir, 'bad.json'))).toThrow(/not valid JSON/);
  });

  it('rejects bad working hours', () => {
    expect(() => validateWorkingHours({ timeZoneOffsetMinutes: 480, periods: [] })).toThrow(/periods/);
    expect(() => validateWorkingHours({ timeZoneOffsetMinutes: 480, periods: [['14:00', '12:00']] })).toThrow(/periods\[0\]/);
    expect(() =>
      validateWorkingHours({ timeZoneOffsetMinutes: 480, periods: [['09:00', '12:00'], ['11:00', '18:00']] }),
    ).toThrow(/periods\[1\].*overlaps/);
    expect(() => validateWorkingHours({ timeZoneOffsetMinutes: 480.5, periods: [['09:00', '12:00']] })).toThrow(
      /timeZoneOffsetMinutes/,
    );
    expect(() => new WorkingCalendar(data, { timeZoneOffsetMinutes: 480, periods: [['9:00', '12:00']] })).toThrow(
      /periods\[0\]\[0\]/,
    );
  });
});
