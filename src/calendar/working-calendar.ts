/**
 * The working calendar that deadlines are counted in: which days are working days (public
 * holidays and make-up working days are data, not code) and which hours of a working day count.
 *
 * All arithmetic is done on a fixed UTC offset rather than through `Intl` time zones: China has
 * had no daylight saving time since 1991, and a fixed offset keeps the core pure and fast.
 *
 * Why not a library: holiday packages (chinese-days and the like) ship their own table, updated
 * when the package is, and answer by whole days; a deadline needs office hours over the calendar
 * file the city itself keeps, and that arithmetic is this file.
 */
import { readFileSync } from 'node:fs';
import { readDurationParts } from '../documents/duration.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_PATTERN = /^(\d{2}):(\d{2})$/;

export type DurationBasis = 'working' | 'calendar';

/** One year of the official arrangement (one State Council notice). */
export interface CalendarYear {
  /** Days off by holiday name (放假), weekend days inside the break included. YYYY-MM-DD. */
  holidays: Record<string, string[]>;
  /** Weekend days that are working days (调休上班). YYYY-MM-DD. */
  workdays: string[];
}

/** The shape of a city pack's calendar file (e.g. `cities/<name>/calendar/*.json`). */
export interface CalendarData {
  /** Where the dates come from; kept because a deadline dispute ends with "says who?". */
  source: string;
  note?: string;
  /** Keyed by the four-digit year of the notice. */
  years: Record<string, CalendarYear>;
}

export interface WorkingHours {
  /** Minutes east of UTC: +480 for China, which has no daylight saving time. */
  timeZoneOffsetMinutes: number;
  /** Local working periods of a working day, 'HH:MM' pairs in ascending order; '24:00' may end one. */
  periods: [string, string][];
}

/**
 * 09:00–12:00 and 14:00–18:00 at +08:00: usual office hours of government departments in
 * south-west China (a long lunch break, 7 working hours a day). A city pack with other hours
 * gives its own (CityPackManifest.workingHours).
 */
export const DEFAULT_WORKING_HOURS: Readonly<WorkingHours> = Object.freeze<WorkingHours>({
  timeZoneOffsetMinutes: 480,
  periods: [
    ['09:00', '12:00'],
    ['14:00', '18:00'],
  ],
});

const DEFAULT_WORKING_MINUTES_PER_DAY = DEFAULT_WORKING_HOURS.periods.reduce(
  (sum, [s, e]) => sum + (parseTimeOfDay(e, 'end') - parseTimeOfDay(s, 'start')) / MINUTE_MS,
  0,
);

/** Reads and checks a calendar file (CALENDAR_FILE, or the city pack's calendar/). */
export function loadCalendarData(path: string): CalendarData {
  const where = path;
  const text = readFileSync(where, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`calendar file ${String(where)} is not valid JSON: ${(e as Error).message}`);
  }
  return validateCalendarData(parsed);
}

/** Checks untrusted data against the calendar shape; the Error names the first bad field. */
export function validateCalendarData(x: unknown): CalendarData {
  if (!isRecord(x)) throw new Error('calendar data must be an object');
  if (typeof x.source !== 'string' || x.source.trim() === '') {
    throw new Error('calendar data: "source" must be a non-empty string');
  }
  if (x.note !== undefined && typeof x.note !== 'string') {
    throw new Error('calendar data: "note" must be a string when present');
  }
  if (!isRecord(x.years)) throw new Error('calendar data: "years" must be an object keyed by year');

  // Checked across all years, because a break may straddle New Year (2017's 元旦 began 2016-12-31).
  const holidayField = new Map<string, string>();
  const workdayField = new Map<string, string>();
  for (const [year, entry] of Object.entries(x.years)) {
    const at = `years.${year}`;
    if (!/^\d{4}$/.test(year)) throw new Error(`calendar data: "${at}" must be a four-digit year`);
    if (!isRecord(entry)) throw new Error(`calendar data: "${at}" must be an object`);
    if (!isRecord(entry.holidays)) throw new Error(`calendar data: "${at}.holidays" must be an object`);
    for (const [name, dates] of Object.entries(entry.holidays)) {
      const field = `${at}.holidays.${name}`;
      if (name.trim() === '') throw new Error(`calendar data: "${at}.holidays" has an empty holiday name`);
      if (!Array.isArray(dates)) throw new Error(`calendar data: "${field}" must be an array of dates`);
      dates.forEach((d: unknown, i) => {
        const date = assertDateString(d, `calendar data: "${field}[${i}]"`);
        holidayField.set(date, `${field}[${i}]`);
      });
    }
    if (!Array.isArray(entry.workdays)) throw new Error(`calendar data: "${at}.workdays" must be an array of dates`);
    entry.workdays.forEach((d: unknown, i) => {
      const field = `${at}.workdays[${i}]`;
      const date = assertDateString(d, `calendar data: "${field}"`);
      const weekday = weekdayOf(dayNumberOf(date));
      if (weekday !== 0 && weekday !== 6) {
        // A listed weekday would change nothing; it almost always means a typo in the date.
        throw new Error(`calendar data: "${field}" (${date}) is a weekday; make-up working days fall on weekends`);
      }
      workdayField.set(date, field);
    });
  }
  for (const [date, field] of workdayField) {
    const clash = holidayField.get(date);
    if (clash !== undefined) {
      throw new Error(`calendar data: ${date} is both a holiday ("${clash}") and a working day ("${field}")`);
    }
  }
  return x as unknown as CalendarData;
}

/** Checks working hours; the Error names the bad field. */
export function validateWorkingHours(x: unknown): WorkingHours {
  if (!isRecord(x)) throw new Error('working hours must be an object');
  const offset = x.timeZoneOffsetMinutes;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < -720 || offset > 840) {
    throw new Error(`working hours: "timeZoneOffsetMinutes" must be a whole number from -720 to 840, got ${String(offset)}`);
  }
  if (!Array.isArray(x.periods) || x.periods.length === 0) {
    throw new Error('working hours: "periods" must be a non-empty array of [start, end] pairs');
  }
  let previousEnd = 0;
  x.periods.forEach((p: unknown, i) => {
    const field = `periods[${i}]`;
    if (!Array.isArray(p) || p.length !== 2) throw new Error(`working hours: "${field}" must be a [start, end] pair`);
    const start = parseTimeOfDay(p[0], `${field}[0]`);
    const end = parseTimeOfDay(p[1], `${field}[1]`);
    if (end <= start) throw new Error(`working hours: "${field}" ends (${String(p[1])}) before it starts (${String(p[0])})`);
    if (start < previousEnd) throw new Error(`working hours: "${field}" overlaps or precedes the period before it`);
    previousEnd = end;
  });
  return x as unknown as WorkingHours;
}

export interface ParseDurationOptions {
  /** Default 'working'. */
  basis?: DurationBasis;
  /** Length of one working day in minutes; default that of DEFAULT_WORKING_HOURS (420). */
  workingMinutesPerDay?: number;
}

/**
 * Reads a deadline such as '30m', '2h', '5d' or '1d4h' into minutes, in the documents' one duration
 * grammar (src/documents/duration.ts). 's', 'm' and 'h' are always 1 s, 60 s and 60 min. 'd'
 * depends on the basis: on the calendar basis it is 24 hours; on the working basis it is one
 * working day, i.e. workingMinutesPerDay minutes (420 with the default hours), so '5d' counted from
 * 10:30 ends at 10:30 five working days later — the way 《办理时限》 rules are read in practice.
 * Anything else, and a zero, fails at load time.
 */
export function parseDuration(spec: string, options: ParseDurationOptions = {}): { minutes: number } {
  const parts = readDurationParts(spec);
  const minutesOfDay = (options.basis ?? 'working') === 'calendar' ? 24 * 60 : options.workingMinutesPerDay ?? DEFAULT_WORKING_MINUTES_PER_DAY;
  const minutes = parts === null ? 0 : parts.days * minutesOfDay + parts.hours * 60 + parts.minutes + parts.seconds / 60;
  if (parts === null || minutes <= 0) {
    throw new Error(`invalid duration ${JSON.stringify(spec)}: expected a duration longer than zero such as '90s', '30m', '1h30m' or '5d' (units d, h, m, s, each at most once, in that order)`);
  }
  return { minutes };
}

/**
 * Working days and working minutes for one calendar and one set of working hours.
 * Years the data does not cover fall back to plain Monday–Friday; `covers(year)` lets the caller
 * warn that deadlines there ignore holidays.
 */
export class WorkingCalendar {
  readonly coveredYears: readonly number[];
  readonly workingMinutesPerDay: number;
  readonly #holidays: ReadonlySet<number>;
  readonly #workdays: ReadonlySet<number>;
  readonly #offsetMs: number;
  /** Working periods as [start, end) milliseconds into the local day. */
  readonly #periods: readonly (readonly [number, number])[];

  constructor(data: CalendarData, hours: WorkingHours = DEFAULT_WORKING_HOURS) {
    validateCalendarData(data);
    validateWorkingHours(hours);
    const holidays = new Set<number>();
    const workdays = new Set<number>();
    for (const year of Object.values(data.years)) {
      for (const dates of Object.values(year.holidays)) for (const d of dates) holidays.add(dayNumberOf(d));
      for (const d of year.workdays) workdays.add(dayNumberOf(d));
    }
    this.#holidays = holidays;
    this.#workdays = workdays;
    this.coveredYears = Object.freeze(Object.keys(data.years).map(Number).sort((a, b) => a - b));
    this.#offsetMs = hours.timeZoneOffsetMinutes * MINUTE_MS;
    this.#periods = hours.periods.map(([s, e]) => [parseTimeOfDay(s, 'start'), parseTimeOfDay(e, 'end')] as const);
    this.workingMinutesPerDay = this.#periods.reduce((sum, [s, e]) => sum + (e - s), 0) / MINUTE_MS;
  }

  /** Whether the calendar data lists this year's holidays (outside it, only weekends are skipped). */
  covers(year: number): boolean {
    return this.coveredYears.includes(year);
  }

  /** Mon–Fri unless a holiday; Sat/Sun only when listed as a make-up working day. */
  isWorkingDay(localDate: string): boolean {
    return this.#isWorkingDayNumber(dayNumberOf(assertDateString(localDate, 'localDate')));
  }

  /** The local calendar date (YYYY-MM-DD) of an instant, in this calendar's offset. */
  localDateOf(instant: Date): string {
    const day = Math.floor((instantMs(instant, 'instant') + this.#offsetMs) / DAY_MS);
    return new Date(day * DAY_MS).toISOString().slice(0, 10);
  }

  /**
   * The instant `minutes` after `start`. On the calendar basis this is plain addition. On the
   * working basis only minutes inside working periods of working days count, and a start outside
   * working time begins counting at the next working period; a deadline that uses up a period
   * exactly ends at that period's end (18:00), not at the start of the next one.
   */
  addDuration(start: Date, minutes: number, basis: DurationBasis): Date {
    const startMs = instantMs(start, 'start');
    if (!Number.isFinite(minutes) || minutes < 0) {
      throw new RangeError(`minutes must be a finite number >= 0, got ${minutes}`);
    }
    let remaining = Math.round(minutes * MINUTE_MS);
    if (basis === 'calendar' || remaining === 0) return new Date(startMs + remaining);
    if (basis !== 'working') throw new RangeError(`basis must be 'working' or 'calendar', got ${String(basis)}`);

    // One step per local day, not per minute: a 60-working-day deadline is ~90 iterations.
    // It terminates because every period has positive length and the holiday lists are finite.
    const local = startMs + this.#offsetMs;
    let day = Math.floor(local / DAY_MS);
    let from = local - day * DAY_MS;
    for (;;) {
      if (this.#isWorkingDayNumber(day)) {
        for (const [s, e] of this.#periods) {
          if (from >= e) continue;
          const begin = Math.max(from, s);
          const available = e - begin;
          if (remaining <= available) return new Date(day * DAY_MS + begin + remaining - this.#offsetMs);
          remaining -= available;
        }
      }
      day += 1;
      from = 0;
    }
  }

  /** `addDuration` with a spec such as '5d', 'd' read in this calendar's working day length. */
  addDurationSpec(start: Date, spec: string, basis: DurationBasis): Date {
    const { minutes } = parseDuration(spec, { basis, workingMinutesPerDay: this.workingMinutesPerDay });
    return this.addDuration(start, minutes, basis);
  }

  /** Working minutes from a to b (negative when b is before a); the inverse of addDuration. */
  workingMinutesBetween(a: Date, b: Date): number {
    const aMs = instantMs(a, 'a');
    const bMs = instantMs(b, 'b');
    if (bMs < aMs) return -this.workingMinutesBetween(b, a);
    const from = aMs + this.#offsetMs;
    const to = bMs + this.#offsetMs;
    let total = 0;
    for (let day = Math.floor(from / DAY_MS); day * DAY_MS < to; day++) {
      if (!this.#isWorkingDayNumber(day)) continue;
      const base = day * DAY_MS;
      for (const [s, e] of this.#periods) {
        const overlap = Math.min(to, base + e) - Math.max(from, base + s);
        if (overlap > 0) total += overlap;
      }
    }
    return total / MINUTE_MS;
  }

  #isWorkingDayNumber(day: number): boolean {
    if (this.#holidays.has(day)) return false;
    if (this.#workdays.has(day)) return true;
    const weekday = weekdayOf(day);
    return weekday >= 1 && weekday <= 5;
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A real calendar date in YYYY-MM-DD (rejects 2025-02-30 as well as 2025-2-3). */
function assertDateString(x: unknown, what: string): string {
  const match = typeof x === 'string' ? DATE_PATTERN.exec(x) : null;
  if (match !== null) {
    const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const probe = new Date(Date.UTC(y, m - 1, d));
    if (probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d) return x as string;
  }
  throw new Error(`${what} must be a date in YYYY-MM-DD form, got ${JSON.stringify(x)}`);
}

/** Days since 1970-01-01 of a validated YYYY-MM-DD date. */
function dayNumberOf(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}

/** 0 = Sunday … 6 = Saturday; day 0 (1970-01-01) was a Thursday. */
function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** Milliseconds into the day of 'HH:MM' ('24:00' allowed as an end). */
function parseTimeOfDay(x: unknown, field: string): number {
  const match = typeof x === 'string' ? TIME_PATTERN.exec(x) : null;
  const h = Number(match?.[1]);
  const m = Number(match?.[2]);
  if (match === null || h > 24 || m > 59 || (h === 24 && m !== 0)) {
    throw new Error(`working hours: "${field}" must be a time 'HH:MM' from 00:00 to 24:00, got ${JSON.stringify(x)}`);
  }
  return (h * 60 + m) * MINUTE_MS;
}

function instantMs(x: Date, name: string): number {
  const ms = x instanceof Date ? x.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new RangeError(`${name} must be a valid Date`);
  return ms;
}
