/** Dates as people type them (2026-12-08, 2026/12/8 8:00, 2026年12月8日) — pure, no DOM. */

/** Text → the native input's value, or null when it is no real date (2026-02-30 is none). */
export function readDate(text: string, withTime: boolean): string | null {
  const m = /^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:：](\d{2}))?\s*$/.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? null : Number(m[4]), m[5] === undefined ? null : Number(m[5])];
  if (h !== null && !withTime) return null;
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return null;
  if (h !== null && (h > 23 || mi! > 59)) return null;
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${y}-${pad(mo)}-${pad(d)}`;
  return withTime ? `${date}T${pad(h ?? 0)}:${pad(mi ?? 0)}` : date;
}
