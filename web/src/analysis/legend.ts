/**
 * What the legend, the isochrone labels and the time slider show, worked out from the server's
 * data — pure. The legend draws the server's own stops (the colours the image was painted with),
 * never a copy of the ramps, so the two cannot drift apart.
 */
import type { LegendStop, RasterLegend, StopColor } from './analysis-types.ts';

const hex2 = (n: number) => Math.max(0, Math.min(255, Math.round(n))).toString(16).padStart(2, '0');

/** A stop's colour as CSS: text as given, numbers as #rrggbb (with alpha when it is not opaque). */
export function cssColor(c: StopColor): string {
  if (typeof c === 'string') return c;
  const [r = 0, g = 0, b = 0, a] = c;
  return `#${hex2(r)}${hex2(g)}${hex2(b)}${a !== undefined && a < 255 ? hex2(a) : ''}`;
}

/** A value as the legend writes it: whole numbers for big ones, two decimals at most, no trailing zeros. */
export function formatStop(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return String(Number(v.toFixed(digits)));
}

export interface LegendRow {
  readonly color: string;
  readonly text: string;
}

/** The rows of a legend, lowest first: each stop's colour and its value (or the server's text). */
export function legendRows(legend: RasterLegend): LegendRow[] {
  return [...legend.stops]
    .filter((s: LegendStop) => Number.isFinite(s.value))
    .sort((a, b) => a.value - b.value)
    .map((s) => ({ color: cssColor(s.color), text: s.label ?? formatStop(s.value) }));
}

/** A CSS gradient through the stops, for the legend's bar (positions by value between the ends). */
export function legendGradient(legend: RasterLegend): string {
  const stops = [...legend.stops].filter((s) => Number.isFinite(s.value)).sort((a, b) => a.value - b.value);
  if (stops.length === 0) return 'transparent';
  if (stops.length === 1) return cssColor(stops[0]!.color);
  const lo = stops[0]!.value;
  const span = stops[stops.length - 1]!.value - lo || 1;
  return `linear-gradient(to right, ${stops.map((s) => `${cssColor(s.color)} ${Math.round(((s.value - lo) / span) * 100)}%`).join(', ')})`;
}

/** A time since the start of a run as the slider shows it: `1:05` (h:mm) after `+`. */
export function elapsedLabel(seconds: number): string {
  const m = Math.round(seconds / 60);
  return `+${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`;
}

/** The minutes an isochrone stands for, from the properties the server gives it. */
export function isochroneMinutes(props: Record<string, unknown> | null | undefined): number | null {
  if (!props) return null;
  for (const k of ['minutes', 'min', 'level', 'value']) {
    const v = props[k];
    if (typeof v === 'number' && Number.isFinite(v)) return k === 'value' && props.unit === 's' ? v / 60 : v;
  }
  if (typeof props.seconds === 'number') return props.seconds / 60;
  return null;
}

/** Isochrones with their label text set (`label`), in the page's language. */
export function labelIsochrones(fc: GeoJSON.FeatureCollection, lang: 'zh' | 'en'): GeoJSON.FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: fc.features.map((f) => {
      const m = isochroneMinutes(f.properties);
      const n = m === null ? '' : formatStop(m);
      return { ...f, properties: { ...(f.properties ?? {}), label: m === null ? '' : lang === 'zh' ? `${n} 分钟` : `${n} min` } };
    }),
  };
}
