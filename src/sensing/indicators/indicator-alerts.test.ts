import { describe, expect, it } from 'vitest';
import { indicatorAlertStep, type IndicatorAlertSeen } from './indicator-alerts.ts';

const none: IndicatorAlertSeen = { active: null, dismissed: null };

describe('the vital-sign watch, one indicator of one district', () => {
  it.each([
    // level, value, what is seen, the step
    ['yellow', 1, none, 'raise'],
    ['yellow', 1, { active: { severity: 'yellow', value: 1 }, dismissed: null }, 'none'],
    ['yellow', 2, { active: { severity: 'yellow', value: 1 }, dismissed: null }, 'update'],
    ['orange', 3, { active: { severity: 'yellow', value: 2 }, dismissed: null }, 'update'],
    ['yellow', 2, { active: { severity: 'orange', value: 3 }, dismissed: null }, 'update'],
    ['yellow', 1, { active: null, dismissed: { severity: 'yellow' } }, 'none'],
    ['yellow', 2, { active: null, dismissed: { severity: 'orange' } }, 'none'],
    ['orange', 3, { active: null, dismissed: { severity: 'yellow' } }, 'raise'],
    ['orange', 3, { active: { severity: 'orange', value: 3 }, dismissed: { severity: 'yellow' } }, 'none'],
    ['normal', 0, none, 'none'],
    ['normal', 0, { active: { severity: 'yellow', value: 1 }, dismissed: null }, 'clear'],
    ['normal', 0, { active: null, dismissed: { severity: 'yellow' } }, 'settle'],
    ['normal', 0, { active: { severity: 'orange', value: 3 }, dismissed: { severity: 'yellow' } }, 'clear_and_settle'],
  ] as const)('%s %s with %j → %s', (level, value, seen, step) => {
    expect(indicatorAlertStep(level, value, seen)).toBe(step);
  });
});
