/**
 * The shared vocabulary of sensing (可感可传): readings from devices, alert severities and what a
 * rule, a camera or another system hands to the alert service. Pure types; no I/O.
 */

/**
 * Alert levels as China's early-warning colours: 蓝 IV, 黄 III, 橙 II, 红 I (red is the most
 * severe). Kept in rising order so `SEVERITIES.indexOf` compares them.
 */
export const SEVERITIES = ['blue', 'yellow', 'orange', 'red'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SEVERITY_NAMES: Record<Severity, { zh: string; en: string }> = {
  blue: { zh: '蓝色预警', en: 'blue (IV)' },
  yellow: { zh: '黄色预警', en: 'yellow (III)' },
  orange: { zh: '橙色预警', en: 'orange (II)' },
  red: { zh: '红色预警', en: 'red (I)' },
};

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

/** One reading of one device: a time and named numeric values (`{"water_level": 0.62}`). */
export interface Reading {
  readonly deviceId: string;
  /** ISO-8601 UTC, as the device stamped it (or the time it arrived when it did not). */
  readonly ts: string;
  readonly values: Readonly<Record<string, number>>;
}
