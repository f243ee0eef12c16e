/**
 * What the vital-sign watch does with one indicator of one district each time it looks (pure).
 *
 * A vital sign is a standing state, not an occurrence: "在办供水爆管 1件" seen again a minute later
 * is the same state, not a second alarm. So:
 *  - the same level and value as the active alert: nothing (no count, no event, no write);
 *  - another value or level while an alert is active: that alert is updated (its value, title and
 *    colour) — one alert, never a second;
 *  - no active alert, but the operator dismissed one at this level or a worse one, and the sign has
 *    not been back to normal since: nothing — the operator already handles that state;
 *  - a worse level than the one dismissed, or none dismissed: a new alert is raised;
 *  - back to normal: the active alert is cleared, and a dismissal is settled (the next crossing is
 *    a new state and raises again).
 */
import { severityRank } from '../sensing-model.ts';
import type { Severity } from '../sensing-model.ts';
import type { IndicatorLevel } from './vital-signs.ts';

export interface IndicatorAlertSeen {
  /** The active alert of this indicator and district (raised, acknowledged or verified). */
  readonly active: { readonly severity: Severity; readonly value: number | null } | null;
  /** The worst dismissal not yet settled by a return to normal, if any. */
  readonly dismissed: { readonly severity: Severity } | null;
}

export type IndicatorAlertStep = 'none' | 'raise' | 'update' | 'clear' | 'settle' | 'clear_and_settle';

export function indicatorAlertStep(level: IndicatorLevel, value: number | null, seen: IndicatorAlertSeen): IndicatorAlertStep {
  if (level === 'normal') {
    if (seen.active && seen.dismissed) return 'clear_and_settle';
    if (seen.active) return 'clear';
    if (seen.dismissed) return 'settle';
    return 'none';
  }
  if (seen.active) return seen.active.severity === level && seen.active.value === value ? 'none' : 'update';
  if (seen.dismissed && severityRank(level) <= severityRank(seen.dismissed.severity)) return 'none';
  return 'raise';
}
