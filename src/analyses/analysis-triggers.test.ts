/** The city pack's trigger table read and matched against warnings (pure). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CityLoopError } from '../errors.ts';
import type { AreaGeometry } from '../geo/geometry.ts';
import { parseAnalysisTriggers, runForSignal, type TriggerSignal } from './analysis-triggers.ts';

const shipped = readFileSync(new URL('../../cities/chongqing/analysis/analysis-triggers.yaml', import.meta.url), 'utf8');
const area: AreaGeometry = { type: 'Polygon', coordinates: [[[106.56, 29.54], [106.58, 29.54], [106.58, 29.56], [106.56, 29.54]]] };
const signal = (over: Partial<TriggerSignal>): TriggerSignal => ({ id: 'A1', source: 'cap', severity: 'red', text: '重庆市气象台发布暴雨红色预警 暴雨', area, ownerCenterId: 'C-500103', ...over });

describe('analysis triggers', () => {
  const triggers = parseAnalysisTriggers(shipped);

  it("read Chongqing's table: a rainstorm warning starts a flood run with the rain of its colour", () => {
    expect(triggers.map((t) => t.id)).toEqual(['rainstorm-flood']);
    const red = runForSignal(triggers, signal({}), 'R1')!;
    expect(red.origin).toEqual({ key: 'cap:A1', ownerCenterId: 'C-500103' });
    expect(red.request).toMatchObject({ model: 'flood', rasterId: 'R1', inputs: { datum: 'gcj02', rainfall: [{ area, hyetograph: [{ t: 0, value: 34 }] }], durationS: 10_800, outputIntervalS: 900 } });
    expect((runForSignal(triggers, signal({ severity: 'blue', text: 'Rainstorm blue warning' }), 'R1')!.request.inputs as { rainfall: Array<{ hyetograph: unknown }> }).rainfall[0]!.hyetograph).toEqual([{ t: 0, value: 5 }]);
  });

  it('start nothing for another warning, another source, or a warning with no area or center', () => {
    expect(runForSignal(triggers, signal({ text: '大风蓝色预警' }), 'R1')).toBeNull();
    expect(runForSignal(triggers, signal({ source: 'rule' }), 'R1')).toBeNull();
    expect(runForSignal(triggers, signal({ area: null }), 'R1')).toBeNull();
    expect(runForSignal(triggers, signal({ ownerCenterId: null }), 'R1')).toBeNull();
  });

  it('refuse a bad table naming the entry', () => {
    const bad = shipped.replace('red: 34', 'red: -34');
    try {
      parseAnalysisTriggers(bad);
      throw new Error('not refused');
    } catch (e) {
      expect(e).toBeInstanceOf(CityLoopError);
      expect((e as CityLoopError).extra?.field).toBe('triggers[0].rainMmPerHour.red');
    }
    expect(() => parseAnalysisTriggers(shipped.replace('model: flood', 'model: tsunami'))).toThrow(/triggers\[0\]\.model/);
    expect(() => parseAnalysisTriggers('triggers: [')).toThrow(CityLoopError);
  });
});
