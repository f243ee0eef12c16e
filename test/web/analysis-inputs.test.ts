import { describe, expect, it } from 'vitest';
import { emptyForm, errorsByField, fieldOfError, formFields, numberOf, pathSegments, requestOf, seriesOf, type AnalysisForm } from '../../web/src/analysis/analysis-inputs.ts';

describe('the start form as a request', () => {
  it('sends a lake with its seed in the map datum and its level in metres', () => {
    const f: AnalysisForm = { ...emptyForm('lake'), rasterId: 'r1', name: ' 长江水位 ', lake: { seed: [106.58, 29.56], levelM: '182.5' } };
    expect(requestOf(f)).toEqual({ model: 'lake', rasterId: 'r1', name: '长江水位', inputs: { datum: 'gcj02', seed: { lng: 106.58, lat: 29.56 }, levelM: 182.5 } });
  });

  it('turns minutes into seconds and rows into series; a blank or a word is sent as null for the server to name', () => {
    expect(seriesOf([{ minutes: '0', value: '60' }, { minutes: '7.5', value: ' 12 ' }, { minutes: '', value: 'x' }])).toEqual([
      { t: 0, value: 60 },
      { t: 450, value: 12 },
      { t: null, value: null },
    ]);
    expect(numberOf('-3')).toBe(-3);
    expect(numberOf('1e400')).toBeNull();
  });

  it('closes the rain area and omits it when the rain falls on the whole terrain', () => {
    const base = emptyForm('flood');
    const ring = [[106.5, 29.5], [106.6, 29.5], [106.6, 29.6]] as const;
    const withArea = requestOf({ ...base, rasterId: 'r', flood: { ...base.flood, area: ring, inflows: [{ at: [106.55, 29.55], rows: [{ minutes: '0', value: '10' }, { minutes: '30', value: '25' }] }] } });
    const inputs = withArea.inputs as any;
    expect(inputs.rainfall[0].area).toEqual({ type: 'Polygon', coordinates: [[[106.5, 29.5], [106.6, 29.5], [106.6, 29.6], [106.5, 29.5]]] });
    expect(inputs.rainfall[0].hyetograph).toEqual([{ t: 0, value: 60 }, { t: 1800, value: 0 }]);
    expect(inputs.inflows).toEqual([{ at: { lng: 106.55, lat: 29.55 }, hydrograph: [{ t: 0, value: 10 }, { t: 1800, value: 25 }] }]);
    expect(inputs.durationS).toBe(3600);
    expect(inputs.outputIntervalS).toBe(600);
    expect((requestOf({ ...base, rasterId: 'r' }).inputs as any).rainfall[0]).not.toHaveProperty('area');
  });

  it('describes a dam: the crest by clicks, levels, and a gradual breach in seconds', () => {
    const base = emptyForm('dambreak');
    const r = requestOf({ ...base, rasterId: 'r', dam: { ...base.dam, crestLine: [[1, 2], [3, 4]], reservoirSide: [2, 5], crestLevelM: '210', reservoirLevelM: '208', breach: 'gradual', breachWidthM: '40', breachBottomM: '190', breachFormationMin: '20' } });
    expect(r.inputs).toEqual({
      datum: 'gcj02',
      dam: { crestLine: [[1, 2], [3, 4]], crestLevelM: 210, reservoirLevelM: 208, reservoirSide: { lng: 2, lat: 5 }, breach: { mode: 'gradual', centre: 0.5, finalWidthM: 40, finalBottomM: 190, formationS: 1200 } },
      durationS: 3600,
      outputIntervalS: 600,
    });
  });
});

describe("the server's errors beside the fields", () => {
  const flood = { ...emptyForm('flood'), flood: { ...emptyForm('flood').flood, hyetograph: [{ minutes: '0', value: '1' }, { minutes: '10', value: '2' }, { minutes: '20', value: '-5' }] } };
  const fields = formFields(flood);

  it('reads a schema pointer and a domain path alike', () => {
    expect(pathSegments('body/inputs/rainfall/0/hyetograph/2/value')).toEqual(['inputs', 'rainfall', '0', 'hyetograph', '2', 'value']);
    expect(pathSegments('inputs.rainfall[0].hyetograph[2].value')).toEqual(['inputs', 'rainfall', '0', 'hyetograph', '2', 'value']);
  });

  it('puts a negative rainfall on its row, and a path of no field above the form', () => {
    expect(fieldOfError('inputs.rainfall[0].hyetograph[2].value', fields)).toBe('inputs.rainfall.0.hyetograph.2');
    expect(fieldOfError('body/rasterId', fields)).toBe('rasterId');
    expect(fieldOfError('inputs.durationS', fields)).toBe('inputs.durationS');
    expect(fieldOfError('inputs.rainfall[0].hyetograph[7].value', fields)).toBe('inputs.rainfall.0.hyetograph');
    expect(fieldOfError('somethingElse', fields)).toBeNull();
    const grouped = errorsByField(
      [
        { path: 'inputs.rainfall[0].hyetograph[2].value', message: '雨强不能为负' },
        { path: 'inputs.dam.crestLine', message: 'x' },
        { path: 'elsewhere', message: '其他' },
      ],
      fields,
    );
    expect(grouped.get('inputs.rainfall.0.hyetograph.2')).toEqual(['雨强不能为负']);
    // A dam's field is not on a flood's form: it lands on the inputs as a whole.
    expect(grouped.get('inputs')).toEqual(['x']);
    expect(grouped.get('')).toEqual(['其他']);
  });

  it('knows the fields of each model', () => {
    expect(formFields({ ...emptyForm('dambreak') })).toContain('inputs.dam.crestLine');
    expect(formFields({ ...emptyForm('lake') })).toEqual(expect.arrayContaining(['inputs.seed', 'inputs.levelM', 'rasterId']));
    expect(formFields({ ...emptyForm('fill') })).not.toContain('inputs.seed');
  });
});
