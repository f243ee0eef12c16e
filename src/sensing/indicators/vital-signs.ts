/**
 * The city's vital signs (城市体征): six categories of indicators computed live from device and
 * case state, each with risk thresholds (as data: the city pack's `vitalSigns`) whose crossing raises an indicator alert. Pure:
 * the caller gathers devices, active alerts and open cases of one jurisdiction.
 *
 * An indicator is either the share of a kind of device that is in alarm (`deviceAlarmShare`),
 * or the number of open cases of some categories (`openCases`). Shares are percentages of the
 * devices that exist: a district with no gauges has no drainage-gauge figure (null), not 0 %.
 */
import type { IndicatorCategory } from '../devices/device-types.ts';
import { SEVERITIES, type Severity } from '../sensing-model.ts';

export type IndicatorLevel = 'normal' | Severity;

export interface IndicatorDefinition {
  readonly key: string;
  readonly category: IndicatorCategory;
  readonly name: { readonly zh: string; readonly en: string };
  readonly unit: '%' | '件';
  readonly measure: { readonly kind: 'deviceAlarmShare'; readonly deviceTypes: readonly string[] } | { readonly kind: 'openCases'; readonly categoryPrefixes: readonly string[] };
  /** Lower bound of each risk colour, rising (blue ≤ yellow ≤ orange ≤ red); omitted colours are skipped. */
  readonly thresholds: Partial<Record<Severity, number>>;
}

export const CATEGORY_NAMES: Record<IndicatorCategory, { zh: string; en: string }> = {
  water_supply: { zh: '供水', en: 'water supply' },
  drainage: { zh: '排水防涝', en: 'drainage and waterlogging' },
  gas: { zh: '燃气', en: 'gas' },
  transport: { zh: '交通', en: 'transport' },
  bridges_tunnels: { zh: '桥梁隧道', en: 'bridges and tunnels' },
  forest_fire: { zh: '森林防火', en: 'forest fire' },
};


export interface VitalSignInputs {
  /** Devices inside the jurisdiction: their type and whether an active alert is on them. */
  readonly devices: readonly { readonly type: string; readonly alerting: boolean }[];
  /** How many open cases inside the jurisdiction each category code has. */
  readonly openCasesByCategory: ReadonlyMap<string, number>;
}

export interface IndicatorValue {
  readonly key: string;
  readonly category: IndicatorCategory;
  readonly categoryName: { readonly zh: string; readonly en: string };
  readonly name: { readonly zh: string; readonly en: string };
  readonly value: number | null;
  readonly unit: string;
  readonly level: IndicatorLevel;
  readonly thresholds: Partial<Record<Severity, number>>;
  /** What the value was computed from: devices counted / in alarm, or cases counted. */
  readonly basis: { readonly total: number; readonly matching: number };
}

export function levelOf(value: number | null, thresholds: Partial<Record<Severity, number>>): IndicatorLevel {
  if (value === null) return 'normal';
  let level: IndicatorLevel = 'normal';
  for (const s of SEVERITIES) {
    const t = thresholds[s];
    if (t !== undefined && value >= t) level = s;
  }
  return level;
}

export function computeVitalSigns(input: VitalSignInputs, defs: readonly IndicatorDefinition[]): IndicatorValue[] {
  return defs.map((d) => {
    let value: number | null;
    let basis: { total: number; matching: number };
    if (d.measure.kind === 'deviceAlarmShare') {
      const types = d.measure.deviceTypes;
      const of = input.devices.filter((x) => types.includes(x.type));
      const alarming = of.filter((x) => x.alerting).length;
      value = of.length === 0 ? null : Math.round((alarming / of.length) * 1000) / 10;
      basis = { total: of.length, matching: alarming };
    } else {
      const prefixes = d.measure.categoryPrefixes;
      let n = 0;
      let total = 0;
      for (const [code, count] of input.openCasesByCategory) {
        total += count;
        if (prefixes.some((p) => code.startsWith(p))) n += count;
      }
      value = n;
      basis = { total, matching: n };
    }
    return { key: d.key, category: d.category, categoryName: CATEGORY_NAMES[d.category], name: d.name, value, unit: d.unit, level: levelOf(value, d.thresholds), thresholds: d.thresholds, basis };
  });
}
