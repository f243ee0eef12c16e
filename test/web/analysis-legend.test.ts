import { describe, expect, it } from 'vitest';
import { cssColor, elapsedLabel, formatStop, isochroneMinutes, labelIsochrones, legendGradient, legendRows } from '../../web/src/analysis/legend.ts';
import { analysisOfFeed, firstLayer, mayTake, summaryRows } from '../../web/src/analysis/analysis-view.ts';

const tr = (zh: string, en: string) => `${zh}|${en}`;
const zh = (a: string) => a;

describe('the legend from the server’s stops', () => {
  const legend = { unit: 'm', stops: [{ value: 2, color: [8, 48, 107] }, { value: 0, color: '#deebf7' }, { value: 0.5, color: [66, 146, 198, 128] }] };
  it('draws the stops lowest first in the colours the image was painted with', () => {
    expect(legendRows(legend)).toEqual([
      { color: '#deebf7', text: '0' },
      { color: '#4292c680', text: '0.5' },
      { color: '#08306b', text: '2' },
    ]);
    expect(legendGradient(legend)).toBe('linear-gradient(to right, #deebf7 0%, #4292c680 25%, #08306b 100%)');
    expect(legendGradient({ stops: [] })).toBe('transparent');
    expect(cssColor([300, -4, 15.4])).toBe('#ff000f');
  });
  it('writes values to the precision they deserve', () => {
    expect([formatStop(0.123), formatStop(12.345), formatStop(1234.5), formatStop(Number.NaN)]).toEqual(['0.12', '12.3', '1235', '—']);
    expect(legendRows({ stops: [{ value: 30, color: '#f00', label: '≥30' }] })[0]!.text).toBe('≥30');
  });
});

describe('isochrones and the slider', () => {
  it('labels each line with its minutes in the page’s language', () => {
    const fc: GeoJSON.FeatureCollection = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { minutes: 10 }, geometry: { type: 'LineString', coordinates: [[0, 0], [1, 1]] } },
        { type: 'Feature', properties: { value: 1800, unit: 's' }, geometry: { type: 'LineString', coordinates: [[0, 0], [1, 1]] } },
        { type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [[0, 0], [1, 1]] } },
      ],
    };
    expect(labelIsochrones(fc, 'zh').features.map((f) => f.properties!.label)).toEqual(['10 分钟', '30 分钟', '']);
    expect(labelIsochrones(fc, 'en').features.map((f) => f.properties!.label)).toEqual(['10 min', '30 min', '']);
    expect(isochroneMinutes({ seconds: 90 })).toBe(1.5);
  });
  it('shows a snapshot’s time since the start as h:mm', () => {
    expect([elapsedLabel(0), elapsedLabel(600), elapsedLabel(3900), elapsedLabel(29)]).toEqual(['+0:00', '+0:10', '+1:05', '+0:00']);
  });
});

describe('a run as the page shows it', () => {
  const run = (over: { state?: string; model?: string } = {}) => ({ model: 'flood', state: 'succeeded', ...over });
  it('names the summary’s figures and leaves out those it cannot name', () => {
    const rows = summaryRows({ floodedAreaM2: 1_250_000, volumeM3: 123_456, maxDepthM: 2.345, cells: 781, massBalanceErrorPct: 0.00123, wetThresholdM: 0.01, floodedCells: 'n/a' }, tr);
    expect(rows.map((r) => [r.name, r.value])).toEqual([
      ['淹没面积|Flooded area', '1.250 平方公里| km²'],
      ['水量|Water volume', '12.35 万立方米| 10⁴ m³'],
      ['最大水深|Maximum depth', '2.35 米| m'],
      ['淹没网格数|Flooded cells', '781 个|'],
      ['水量平衡误差|Mass balance error', '0.0012 %| %'],
    ]);
    expect(summaryRows({ cells: 12, floodedAreaM2: 0, wallSeconds: 0.25 }, tr, 'fill').map((r) => r.name)).toEqual(['填洼网格数|Cells filled', '计算用时|Computing time']);
    expect(summaryRows(null, zh)).toEqual([]);
  });
  it('offers cancel while it runs, rerun after, and the evacuation to operators of a finished flood', () => {
    expect(mayTake(run({ state: 'running' }), 'cancel', ['operator'])).toBe(true);
    expect(mayTake(run({ state: 'running' }), 'rerun', ['operator'])).toBe(false);
    expect(mayTake(run({}), 'cancel', ['operator'])).toBe(false);
    expect(mayTake(run({}), 'evacuate', ['operator'])).toBe(true);
    expect(mayTake(run({}), 'evacuate', ['unit_staff'])).toBe(false);
    expect(mayTake(run({ model: 'fill' }), 'evacuate', ['admin'])).toBe(false);
    expect(mayTake(run({ state: 'failed' }), 'evacuate', ['admin'])).toBe(false);
    expect(mayTake(run({}), 'cancel', ['citizen'])).toBe(false);
  });
  it('follows the steps the server allows where an answer names them', () => {
    expect(mayTake(run({}), 'evacuate', ['admin'], ['rerun'])).toBe(false);
    expect(mayTake(run({}), 'evacuate', ['unit_staff'], ['start_evacuation'])).toBe(true);
  });
  it('shows the deepest water first', () => {
    const layer = (name: string) => ({ name, unit: 'm', min: 0, max: 1, imageUrl: `/${name}.png`, corners: [[0, 1], [1, 1], [1, 0], [0, 0]] as const, legend: { stops: [] } });
    expect(firstLayer({ layers: [layer('arrivalTime'), layer('maxDepth')] })).toBe('maxDepth');
    expect(firstLayer({ layers: [layer('hand')] })).toBe('hand');
    expect(firstLayer({})).toBeNull();
  });
});

describe('a run on the live feed', () => {
  it('reads the run, its progress and its state from the feed item, and nothing from other items', () => {
    expect(analysisOfFeed({ type: 'AnalysisProgress', data: { type: 'AnalysisProgress', analysis: { id: 'a1', state: 'running', progress: 0.42 } } })).toEqual({ id: 'a1', progress: 0.42, state: 'running' });
    expect(analysisOfFeed({ type: 'AnalysisSucceeded', data: { analysis: { id: 'a1', state: 'exploded', progress: 'x' } } })).toEqual({ id: 'a1' });
    expect(analysisOfFeed({ type: 'CaseReported', data: { case: { id: 'c1' } } })).toBeNull();
  });
});
