import { describe, expect, it } from 'vitest';
import { computeVitalSigns } from '../../src/sensing/indicators/vital-signs.ts';
import { VITAL_SIGNS } from './vital-signs.ts';

describe('vital signs', () => {
  const byKey = (items: ReturnType<typeof computeVitalSigns>) => new Map(items.map((i) => [i.key, i]));

  it('counts open cases by category prefix, with their colour from the thresholds', () => {
    const v = byKey(
      computeVitalSigns({
        devices: [],
        openCasesByCategory: new Map([
          ['municipal.water.burst', 2],
          ['municipal.water.leak', 1],
          ['traffic.signal-fault', 4],
          ['emergency.traffic-accident', 1],
          ['environment.exposed-garbage', 40],
        ]),
      }, VITAL_SIGNS),
    );
    expect(v.get('water.open-bursts')).toMatchObject({ value: 3, level: 'orange', basis: { total: 48, matching: 3 } });
    expect(v.get('transport.open-cases')).toMatchObject({ value: 5, level: 'yellow' });
    expect(v.get('gas.open-leaks')).toMatchObject({ value: 0, level: 'normal' });
    expect(v.size).toBe(VITAL_SIGNS.length);
  });

  it('gives the share of a type of device in alarm, and no value where there is no such device', () => {
    const devices = [
      ...Array.from({ length: 9 }, () => ({ type: 'water_pressure', alerting: false })),
      { type: 'water_pressure', alerting: true },
    ];
    const v = byKey(computeVitalSigns({ devices, openCasesByCategory: new Map() }, VITAL_SIGNS));
    expect(v.get('water.pressure-alarm-share')).toMatchObject({ value: 10, level: 'orange', basis: { total: 10, matching: 1 } });
    expect(v.get('gas.detector-alarm-share')).toMatchObject({ value: null, level: 'normal' });
  });
});
