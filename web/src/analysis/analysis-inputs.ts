/**
 * The start form of an analysis as data, and the request it becomes — pure, so the translation
 * between what a person types (minutes, mm/h, clicks on the map in GCJ-02) and what the server
 * takes (seconds, series of {t, value}, coordinates with their datum) is tested without a browser.
 * Nothing is judged here: the server checks the inputs and names the field it refuses, and
 * `fieldOfError` puts its message beside that field.
 */
import type { AnalysisModel, LngLat } from './analysis-types.ts';

/** One row of a series editor: a time in minutes from the start and a value (mm/h, m³/s). */
export interface SeriesRow {
  readonly minutes: string;
  readonly value: string;
}

export interface InflowForm {
  readonly at: LngLat;
  readonly rows: readonly SeriesRow[];
}

export interface AnalysisForm {
  readonly model: AnalysisModel;
  readonly rasterId: string;
  readonly name: string;
  readonly lake: { readonly seed: LngLat | null; readonly levelM: string };
  readonly flood: {
    /** the rain's area, a ring of clicks (not closed); null = rain over the whole raster */
    readonly area: readonly LngLat[] | null;
    readonly hyetograph: readonly SeriesRow[];
    readonly inflows: readonly InflowForm[];
    readonly durationMin: string;
    readonly outputMin: string;
  };
  readonly dam: {
    readonly crestLine: readonly LngLat[];
    readonly reservoirSide: LngLat | null;
    readonly crestLevelM: string;
    readonly reservoirLevelM: string;
    readonly breach: 'sudden' | 'gradual';
    /** along the crest, 0..1 */
    readonly breachCentre: string;
    readonly breachWidthM: string;
    readonly breachBottomM: string;
    readonly breachFormationMin: string;
    readonly durationMin: string;
    readonly outputMin: string;
  };
}

export function emptyForm(model: AnalysisModel = 'lake'): AnalysisForm {
  return {
    model,
    rasterId: '',
    name: '',
    lake: { seed: null, levelM: '' },
    flood: {
      area: null,
      hyetograph: [
        { minutes: '0', value: '60' },
        { minutes: '30', value: '0' },
      ],
      inflows: [],
      durationMin: '60',
      outputMin: '10',
    },
    dam: { crestLine: [], reservoirSide: null, crestLevelM: '', reservoirLevelM: '', breach: 'sudden', breachCentre: '0.5', breachWidthM: '', breachBottomM: '', breachFormationMin: '30', durationMin: '60', outputMin: '10' },
  };
}

/** A typed number; blank or not a number is sent as null, so the server names the field. */
export function numberOf(text: string): number | null {
  if (text.trim() === '') return null;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : null;
}

const minutesToSeconds = (text: string): number | null => {
  const n = numberOf(text);
  return n === null ? null : Math.round(n * 60);
};

/** Rows of the editor as the server's series: seconds since the start and a value. */
export function seriesOf(rows: readonly SeriesRow[]): { t: number | null; value: number | null }[] {
  return rows.map((r) => ({ t: minutesToSeconds(r.minutes), value: numberOf(r.value) }));
}

/** A place the server reads as an object (`lngLatAt`: seed, inflow, reservoir side)… */
const place = (p: LngLat) => ({ lng: p[0], lat: p[1] });
/** …and a vertex of a line or ring, as GeoJSON writes it. */
const point = (p: LngLat) => [p[0], p[1]];

/** The coordinates are the map's: GCJ-02, and said so (the server converts to the raster's CRS). */
export const MAP_DATUM = 'gcj02';

/** The body of POST /api/v1/analyses for the form's model. */
export function requestOf(f: AnalysisForm): { model: AnalysisModel; rasterId: string; name?: string; inputs: Record<string, unknown> } {
  const name = f.name.trim();
  const head = { model: f.model, rasterId: f.rasterId, ...(name ? { name } : {}) };
  switch (f.model) {
    case 'fill':
      return { ...head, inputs: {} };
    case 'lake':
      return { ...head, inputs: { datum: MAP_DATUM, seed: f.lake.seed ? place(f.lake.seed) : null, levelM: numberOf(f.lake.levelM) } };
    case 'flood': {
      const area = f.flood.area && f.flood.area.length > 0 ? { type: 'Polygon', coordinates: [[...f.flood.area.map(point), point(f.flood.area[0]!)]] } : undefined;
      return {
        ...head,
        inputs: {
          datum: MAP_DATUM,
          rainfall: [{ ...(area ? { area } : {}), hyetograph: seriesOf(f.flood.hyetograph) }],
          inflows: f.flood.inflows.map((i) => ({ at: place(i.at), hydrograph: seriesOf(i.rows) })),
          durationS: minutesToSeconds(f.flood.durationMin),
          outputIntervalS: minutesToSeconds(f.flood.outputMin),
        },
      };
    }
    case 'dambreak': {
      const d = f.dam;
      const breach =
        d.breach === 'sudden'
          ? { mode: 'sudden' }
          : { mode: 'gradual', centre: numberOf(d.breachCentre), finalWidthM: numberOf(d.breachWidthM), finalBottomM: numberOf(d.breachBottomM), formationS: minutesToSeconds(d.breachFormationMin) };
      return {
        ...head,
        inputs: {
          datum: MAP_DATUM,
          dam: { crestLine: d.crestLine.map(point), crestLevelM: numberOf(d.crestLevelM), reservoirLevelM: numberOf(d.reservoirLevelM), reservoirSide: d.reservoirSide ? place(d.reservoirSide) : null, breach },
          durationS: minutesToSeconds(d.durationMin),
          outputIntervalS: minutesToSeconds(d.outputMin),
        },
      };
    }
  }
}

/**
 * A field's path as segments, from either form the server uses: a JSON pointer of the schema check
 * (`body/inputs/rainfall/0/hyetograph/2/value`) or a domain error's path
 * (`inputs.rainfall[0].hyetograph[2].value`). The leading `body` is dropped.
 */
export function pathSegments(path: string): string[] {
  const segs = path
    .replace(/\[(\d+)\]/g, '.$1')
    .split(/[./]/)
    .filter((s) => s !== '');
  return segs[0] === 'body' ? segs.slice(1) : segs;
}

/**
 * The field of the form an error belongs to: the longest of `fields` (dotted segments, e.g.
 * `inputs.rainfall.0.hyetograph.2`) that begins the error's path; none = shown above the form.
 */
export function fieldOfError(path: string, fields: readonly string[]): string | null {
  const segs = pathSegments(path);
  let best: string | null = null;
  let bestLen = -1;
  for (const f of fields) {
    const fs = f.split('.');
    if (fs.length > segs.length || fs.length <= bestLen) continue;
    if (fs.every((s, i) => s === segs[i])) {
      best = f;
      bestLen = fs.length;
    }
  }
  return best;
}

/** The server's errors grouped by the form's fields; those of no field under ''. */
export function errorsByField(errors: readonly { path: string; message: string }[], fields: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of errors) {
    const f = fieldOfError(e.path, fields) ?? '';
    out.set(f, [...(out.get(f) ?? []), e.message]);
  }
  return out;
}

/** The fields of the form for a model, as `fieldOfError` matches them. */
export function formFields(f: AnalysisForm): string[] {
  const common = ['rasterId', 'name', 'model', 'inputs'];
  const rows = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}.${i}`);
  switch (f.model) {
    case 'fill':
      return common;
    case 'lake':
      return [...common, 'inputs.seed', 'inputs.levelM', 'inputs.datum'];
    case 'flood':
      return [
        ...common,
        'inputs.rainfall',
        'inputs.rainfall.0.area',
        'inputs.rainfall.0.hyetograph',
        ...rows('inputs.rainfall.0.hyetograph', f.flood.hyetograph.length),
        'inputs.inflows',
        ...f.flood.inflows.flatMap((inf, i) => [`inputs.inflows.${i}`, `inputs.inflows.${i}.hydrograph`, ...rows(`inputs.inflows.${i}.hydrograph`, inf.rows.length)]),
        'inputs.durationS',
        'inputs.outputIntervalS',
      ];
    case 'dambreak':
      return [
        ...common,
        'inputs.dam',
        'inputs.dam.crestLine',
        'inputs.dam.crestLevelM',
        'inputs.dam.reservoirLevelM',
        'inputs.dam.reservoirSide',
        'inputs.dam.breach',
        'inputs.dam.breach.mode',
        'inputs.dam.breach.centre',
        'inputs.dam.breach.finalWidthM',
        'inputs.dam.breach.finalBottomM',
        'inputs.dam.breach.formationS',
        'inputs.durationS',
        'inputs.outputIntervalS',
      ];
  }
}
