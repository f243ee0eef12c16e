import { describe, expect, it } from 'vitest';
import { shiftStart } from './handover-queries.ts';

describe('the start of a shift on the city clock (08:00 and 20:00, +08:00)', () => {
  it.each([
    // now (UTC), shifts back, the start (UTC)
    ['2026-03-02T01:00:00Z', 0, '2026-03-02T00:00:00.000Z'], // 09:00 → today 08:00
    ['2026-03-02T00:00:00Z', 0, '2026-03-02T00:00:00.000Z'], // 08:00 sharp starts the day shift
    ['2026-03-01T23:59:00Z', 0, '2026-03-01T12:00:00.000Z'], // 07:59 → the night shift from yesterday 20:00
    ['2026-03-02T13:30:00Z', 0, '2026-03-02T12:00:00.000Z'], // 21:30 → 20:00
    ['2026-03-02T17:00:00Z', 0, '2026-03-02T12:00:00.000Z'], // 01:00 the next day, city time → 20:00 the evening before
    ['2026-03-02T01:00:00Z', 1, '2026-03-01T12:00:00.000Z'], // the shift before
    ['2026-03-02T01:00:00Z', 2, '2026-03-01T00:00:00.000Z'],
  ] as const)('%s, %d back → %s', (now, back, start) => {
    expect(shiftStart(new Date(now), back).toISOString()).toBe(start);
  });

  it('takes other shift hours', () => {
    expect(shiftStart(new Date('2026-03-02T01:00:00Z'), 0, [0, 8, 16]).toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(shiftStart(new Date('2026-03-01T23:00:00Z'), 0, [0, 8, 16]).toISOString()).toBe('2026-03-01T16:00:00.000Z');
  });
});
