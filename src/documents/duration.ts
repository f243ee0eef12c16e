/**
 * The one duration grammar of a city's documents — plans, rules, the category list — and of the
 * working calendar: days, hours, minutes and seconds, each at most once, in that order, each a
 * whole number of at most six digits: `90s`, `10m`, `1h30m`, `2d`, `1d12h`. It is the union of
 * what plans (`10m`, `2d`, `30s` for a retry) and rules (`1h30m`) accepted before they shared it.
 *
 * A day is 24 hours, except where the calendar applies: a category's deadline on the working basis
 * counts `d` as one working day (see `calendar/working-calendar.ts`, `parseDuration`).
 * Reference: docs/reference/documents.md#durations.
 */
import type { Bilingual } from './problem.ts';

/** The grammar as a regular expression's source without anchors, for JSON Schemas to embed. */
export const DURATION_SYNTAX = '(?=[0-9])([0-9]{1,6}d)?([0-9]{1,6}h)?([0-9]{1,6}m)?([0-9]{1,6}s)?';
/** The grammar anchored, as a JSON Schema `pattern`. */
export const DURATION_PATTERN = `^${DURATION_SYNTAX}$`;
const GRAMMAR = new RegExp(`^(?:([0-9]{1,6})d)?(?:([0-9]{1,6})h)?(?:([0-9]{1,6})m)?(?:([0-9]{1,6})s)?$`);

export interface DurationParts {
  readonly days: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
}

/** What a duration field wants, for a problem's message. */
export const DURATION_RULE: Bilingual = {
  en: "must be a duration such as '90s', '10m', '1h30m' or '2d' (units d, h, m, s, each at most once, in that order)",
  zh: "须为时长，如 '90s'、'10m'、'1h30m'、'2d'（单位 d、h、m、s 各至多一次，依次书写）",
};

const MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;

/** The parts of a duration as written, or null when the text is not one. '0m' reads (as zero). */
export function readDurationParts(text: unknown): DurationParts | null {
  if (typeof text !== 'string' || text === '') return null;
  const m = GRAMMAR.exec(text);
  if (m === null) return null;
  return { days: Number(m[1] ?? 0), hours: Number(m[2] ?? 0), minutes: Number(m[3] ?? 0), seconds: Number(m[4] ?? 0) };
}

/** '1h30m' → 5 400 000, a day counted as 24 h; null when not a duration. */
export function durationMs(text: unknown): number | null {
  const p = readDurationParts(text);
  return p === null ? null : p.days * MS.d + p.hours * MS.h + p.minutes * MS.m + p.seconds * MS.s;
}

/**
 * What is wrong with a duration, or null when it is one longer than zero: the garbage and the
 * zero refused with one sentence everywhere.
 */
export function durationProblem(text: unknown): Bilingual | null {
  const ms = durationMs(text);
  if (ms === null) return { en: `${DURATION_RULE.en}, got ${JSON.stringify(text) ?? 'nothing'}`, zh: `${DURATION_RULE.zh}，实际为 ${JSON.stringify(text) ?? '空'}` };
  if (ms <= 0) return { en: 'must be longer than zero', zh: '须大于零' };
  return null;
}

/** 5 400 000 → '1h30m'; 1500 → '1.5s'; under a second in ms. Reads back with durationMs when whole seconds. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms);
  let out = '';
  for (const unit of ['d', 'h', 'm'] as const) {
    const n = Math.floor(rest / MS[unit]);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * MS[unit];
  }
  if (rest > 0 || out === '') out += `${Number((rest / 1000).toFixed(3))}s`;
  return out;
}
