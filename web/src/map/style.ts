import type { StyleSpecification } from 'maplibre-gl';

/** Colours of the wall screen: dark ground, light lines; the case colours pass 3:1 against the ground. */
export const COLORS = {
  ground: '#0b1a2b',
  // Drawn opaque (no blending): #12304d at 85 % over the ground, mixed beforehand.
  district: '#112d48',
  districtLine: '#5aa9e6',
  streetLine: '#3b7bb0',
  communityLine: '#2c5c85',
  gridLine: '#23496b',
  focusLine: '#f5d76e',
  label: '#d8e6f3',
  labelHalo: '#0b1a2b',
  // case groups: new (to register), in hand, waiting for check, overdue, finished
  caseNew: '#f59e0b',
  caseWorking: '#38bdf8',
  caseChecking: '#a78bfa',
  caseOverdue: '#ef4444',
  caseDone: '#22c55e',
  cluster: '#1d70b8',
  selected: '#ffffff',
  plot: '#ff5c8a',
  deviceNormal: '#10b981',
  deviceAlerting: '#ef4444',
  deviceDisabled: '#64748b',
} as const;

export const SEVERITY_COLORS = { blue: '#3b82f6', yellow: '#facc15', orange: '#fb923c', red: '#ef4444' } as const;

/**
 * No tile server: the whole base map is our own GeoJSON, added as sources after load. Labels are
 * drawn from local fonts (no glyph server). The ground is the map container's CSS background (the
 * canvas is transparent where nothing is drawn): a background layer would fill every pixel once
 * more on every frame.
 */
export function baseStyle(): StyleSpecification {
  return { version: 8, sources: {}, layers: [] };
}
