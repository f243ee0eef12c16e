/**
 * Each model's inputs: read and normalised from what a caller sent (every default written out, so
 * the stored inputs repeat the run exactly), then placed on the raster (cells, the grid's CRS).
 * Pure; a refusal names the field by its path under `inputs`.
 */
import type { AreaGeometry } from '../../geo/geometry.ts';
import type { AnalysisModel } from '../analysis-model.ts';
import type { DamBreakInput } from '../../hydro/model-contracts.ts';
import { areaAt, arrayAt, choiceAt, DATUMS, lngLatAt, numberAt, objectAt, onlyKeys, optionalNumberAt, positionAt, refuse, seriesAt, type Datum, type LngLat } from '../input-reader.ts';
import type { GridPlacer, PlacedJob } from './model-job.ts';

/** A day and a half of model time, and at most this many snapshots, keep a run to minutes. */
export const MAX_DURATION_S = 129_600;
export const MAX_SNAPSHOTS = 96;
/**
 * The most values (cells × layers, snapshots included) a dynamic run may give back: its layers are
 * held in memory until saved, 4 bytes each, so 400 M values are 1.6 GB.
 */
export const MAX_RESULT_VALUES = 400_000_000;

/** Manning's n of open ground when the caller names none (short grass, urban paved ~0.015–0.05). */
export const DEFAULT_MANNING = 0.035;

export interface FillInputs {
  readonly datum: Datum;
  /** cells draining into a cell for it to count as a stream (for HAND) */
  readonly streamThresholdCells: number;
}
export interface LakeInputs {
  readonly datum: Datum;
  readonly seed: LngLat;
  readonly levelM: number;
}
export interface FloodInputs {
  readonly datum: Datum;
  readonly rainfall: ReadonlyArray<{ readonly area: AreaGeometry | null; readonly hyetograph: ReadonlyArray<{ t: number; value: number }> }>;
  readonly inflows: ReadonlyArray<{ readonly at: LngLat; readonly radiusM: number; readonly hydrograph: ReadonlyArray<{ t: number; value: number }> }>;
  readonly manning: number;
  readonly roughness: ReadonlyArray<{ readonly area: AreaGeometry; readonly n: number }>;
  readonly buildings: { readonly areas: readonly AreaGeometry[]; readonly raiseM: number | null } | null;
  readonly boundary: 'open' | 'closed';
  readonly durationS: number;
  readonly outputIntervalS: number;
  readonly arrivalThresholdM: number;
}
export interface DamBreakInputs {
  readonly datum: Datum;
  readonly dam: {
    readonly crestLine: ReadonlyArray<[number, number]>;
    readonly crestLevelM: number;
    readonly reservoirLevelM: number;
    readonly reservoirSide: LngLat;
    readonly breach: DamBreakInput['breach'];
  };
  readonly manning: number;
  readonly boundary: 'open' | 'closed';
  readonly durationS: number;
  readonly outputIntervalS: number;
  readonly arrivalThresholdM: number;
}

export type ModelInputs = FillInputs | LakeInputs | FloodInputs | DamBreakInputs;

const F = 'inputs';

function datumOf(o: Record<string, unknown>): Datum {
  return choiceAt(o.datum, `${F}.datum`, DATUMS, 'gcj02');
}

function timing(o: Record<string, unknown>): { durationS: number; outputIntervalS: number; arrivalThresholdM: number; boundary: 'open' | 'closed' } {
  const durationS = numberAt(o.durationS, `${F}.durationS`, { above: 0, max: MAX_DURATION_S });
  const outputIntervalS = optionalNumberAt(o.outputIntervalS, `${F}.outputIntervalS`, Math.max(durationS / 12, 1), { min: 0 });
  if (outputIntervalS > 0 && durationS / outputIntervalS > MAX_SNAPSHOTS) refuse(`${F}.outputIntervalS`, `gives more than ${MAX_SNAPSHOTS} snapshots over ${durationS} s`, `在 ${durationS} 秒内会产生超过 ${MAX_SNAPSHOTS} 个快照`);
  return {
    durationS,
    outputIntervalS,
    arrivalThresholdM: optionalNumberAt(o.arrivalThresholdM, `${F}.arrivalThresholdM`, 0.05, { above: 0, max: 10 }),
    boundary: choiceAt(o.boundary, `${F}.boundary`, ['open', 'closed'] as const, 'open'),
  };
}

export function normalizeInputs(model: AnalysisModel, raw: unknown): ModelInputs {
  const o = raw === undefined ? {} : objectAt(raw, F);
  switch (model) {
    case 'fill':
      onlyKeys(o, F, ['datum', 'streamThresholdCells']);
      return { datum: datumOf(o), streamThresholdCells: optionalNumberAt(o.streamThresholdCells, `${F}.streamThresholdCells`, 100, { min: 1, integer: true }) };
    case 'lake':
      onlyKeys(o, F, ['datum', 'seed', 'levelM']);
      return { datum: datumOf(o), seed: lngLatAt(o.seed, `${F}.seed`), levelM: numberAt(o.levelM, `${F}.levelM`, { min: -500, max: 9000 }) };
    case 'flood':
      return normalizeFlood(o);
    case 'dambreak':
      return normalizeDamBreak(o);
  }
}

function normalizeFlood(o: Record<string, unknown>): FloodInputs {
  onlyKeys(o, F, ['datum', 'rainfall', 'inflows', 'manning', 'roughness', 'buildings', 'boundary', 'durationS', 'outputIntervalS', 'arrivalThresholdM']);
  const rainfall = (o.rainfall === undefined ? [] : arrayAt(o.rainfall, `${F}.rainfall`, { max: 50 })).map((r, i) => {
    const f = `${F}.rainfall[${i}]`;
    const ro = objectAt(r, f);
    onlyKeys(ro, f, ['area', 'hyetograph']);
    // mm/h: 200 mm/h is beyond any recorded hourly rain in China (the record is near 200).
    return { area: ro.area === undefined || ro.area === null ? null : areaAt(ro.area, `${f}.area`), hyetograph: seriesAt(ro.hyetograph, `${f}.hyetograph`, { min: 0, max: 500 }) };
  });
  const inflows = (o.inflows === undefined ? [] : arrayAt(o.inflows, `${F}.inflows`, { max: 50 })).map((r, i) => {
    const f = `${F}.inflows[${i}]`;
    const io = objectAt(r, f);
    onlyKeys(io, f, ['at', 'radiusM', 'hydrograph']);
    return { at: lngLatAt(io.at, `${f}.at`), radiusM: optionalNumberAt(io.radiusM, `${f}.radiusM`, 0, { min: 0, max: 10_000 }), hydrograph: seriesAt(io.hydrograph, `${f}.hydrograph`, { min: 0, max: 100_000 }) };
  });
  if (rainfall.length === 0 && inflows.length === 0) refuse(`${F}.rainfall`, 'a flood needs rainfall or inflows', '需要降雨或入流');
  const roughness = (o.roughness === undefined ? [] : arrayAt(o.roughness, `${F}.roughness`, { max: 200 })).map((r, i) => {
    const f = `${F}.roughness[${i}]`;
    const ro = objectAt(r, f);
    onlyKeys(ro, f, ['area', 'n']);
    return { area: areaAt(ro.area, `${f}.area`), n: numberAt(ro.n, `${f}.n`, { above: 0, max: 1 }) };
  });
  let buildings: FloodInputs['buildings'] = null;
  if (o.buildings !== undefined && o.buildings !== null) {
    const f = `${F}.buildings`;
    const bo = objectAt(o.buildings, f);
    onlyKeys(bo, f, ['areas', 'raiseM']);
    buildings = { areas: arrayAt(bo.areas, `${f}.areas`, { max: 100_000 }).map((a, i) => areaAt(a, `${f}.areas[${i}]`)), raiseM: bo.raiseM === undefined || bo.raiseM === null ? null : numberAt(bo.raiseM, `${f}.raiseM`, { above: 0, max: 500 }) };
  }
  return { datum: datumOf(o), rainfall, inflows, manning: optionalNumberAt(o.manning, `${F}.manning`, DEFAULT_MANNING, { above: 0, max: 1 }), roughness, buildings, ...timing(o) };
}

function normalizeDamBreak(o: Record<string, unknown>): DamBreakInputs {
  onlyKeys(o, F, ['datum', 'dam', 'manning', 'boundary', 'durationS', 'outputIntervalS', 'arrivalThresholdM']);
  const f = `${F}.dam`;
  const d = objectAt(o.dam, f);
  onlyKeys(d, f, ['crestLine', 'crestLevelM', 'reservoirLevelM', 'reservoirSide', 'breach']);
  const crestLine = arrayAt(d.crestLine, `${f}.crestLine`, { min: 2, max: 1000 }).map((p, i) => positionAt(p, `${f}.crestLine[${i}]`));
  const crestLevelM = numberAt(d.crestLevelM, `${f}.crestLevelM`, { min: -500, max: 9000 });
  const reservoirLevelM = numberAt(d.reservoirLevelM, `${f}.reservoirLevelM`, { min: -500, max: 9000 });
  if (reservoirLevelM > crestLevelM) refuse(`${f}.reservoirLevelM`, `is above the crest (${crestLevelM} m)`, `高于坝顶（${crestLevelM} 米）`);
  const bo = d.breach === undefined ? { mode: 'sudden' } : objectAt(d.breach, `${f}.breach`);
  const mode = choiceAt(bo.mode, `${f}.breach.mode`, ['sudden', 'gradual'] as const);
  let breach: DamBreakInputs['dam']['breach'] = { mode: 'sudden' };
  if (mode === 'gradual') {
    onlyKeys(bo, `${f}.breach`, ['mode', 'centre', 'finalWidthM', 'finalBottomM', 'formationS']);
    const finalBottomM = numberAt(bo.finalBottomM, `${f}.breach.finalBottomM`, { min: -500, max: 9000 });
    if (finalBottomM >= crestLevelM) refuse(`${f}.breach.finalBottomM`, `must be below the crest (${crestLevelM} m)`, `应低于坝顶（${crestLevelM} 米）`);
    breach = {
      mode,
      centre: optionalNumberAt(bo.centre, `${f}.breach.centre`, 0.5, { min: 0, max: 1 }),
      finalWidthM: numberAt(bo.finalWidthM, `${f}.breach.finalWidthM`, { above: 0, max: 100_000 }),
      finalBottomM,
      formationS: numberAt(bo.formationS, `${f}.breach.formationS`, { min: 0, max: MAX_DURATION_S }),
    };
  } else onlyKeys(bo, `${f}.breach`, ['mode']);
  return {
    datum: datumOf(o),
    dam: { crestLine, crestLevelM, reservoirLevelM, reservoirSide: lngLatAt(d.reservoirSide, `${f}.reservoirSide`), breach },
    manning: optionalNumberAt(o.manning, `${F}.manning`, DEFAULT_MANNING, { above: 0, max: 1 }),
    ...timing(o),
  };
}

/** A dynamic run's layers must fit in memory: fewer snapshots (a longer interval) on a large raster. */
function checkResultSize(i: { durationS: number; outputIntervalS: number }, cells: number): void {
  const snapshots = i.outputIntervalS > 0 ? Math.floor(i.durationS / i.outputIntervalS) + 1 : 0;
  const values = (4 + snapshots) * cells;
  if (values > MAX_RESULT_VALUES) {
    const most = Math.max(0, Math.floor(MAX_RESULT_VALUES / cells) - 5);
    refuse(`${F}.outputIntervalS`, `${snapshots} snapshots of ${cells} cells would not fit in memory: at most ${most} on this raster`, `${snapshots} 个快照（每个 ${cells} 个格网）超出内存上限：此栅格最多 ${most} 个`);
  }
}

/** The inputs on the raster: every point a cell (refused outside it), every area in the grid's CRS. */
export function placeInputs(model: AnalysisModel, inputs: ModelInputs, placer: GridPlacer): PlacedJob {
  if (model === 'flood' || model === 'dambreak') checkResultSize(inputs as FloodInputs | DamBreakInputs, placer.grid.width * placer.grid.height);
  switch (model) {
    case 'fill':
      return { model, streamThresholdCells: (inputs as FillInputs).streamThresholdCells };
    case 'lake': {
      const i = inputs as LakeInputs;
      return { model, seed: placer.cell(i.seed, `${F}.seed`), levelM: i.levelM };
    }
    case 'flood': {
      const i = inputs as FloodInputs;
      return {
        model,
        rainfall: i.rainfall.map((r) => ({ polygons: r.area ? placer.polygons(r.area) : null, hyetograph: r.hyetograph })),
        inflows: i.inflows.map((r, k) => ({ ...placer.cell(r.at, `${F}.inflows[${k}].at`), radiusM: r.radiusM, hydrograph: r.hydrograph })),
        manning: i.manning,
        roughness: i.roughness.map((r) => ({ polygons: placer.polygons(r.area), n: r.n })),
        buildings: i.buildings ? { polygons: i.buildings.areas.flatMap((a) => placer.polygons(a)), raiseM: i.buildings.raiseM } : null,
        boundary: i.boundary,
        durationS: i.durationS,
        outputIntervalS: i.outputIntervalS,
        arrivalThresholdM: i.arrivalThresholdM,
      };
    }
    case 'dambreak': {
      const i = inputs as DamBreakInputs;
      const crestLine = i.dam.crestLine.map(([lng, lat]) => placer.position({ lng, lat }));
      const { width, height } = placer.grid;
      // The whole line on the raster: a dam half off the map would hold back nothing there.
      if (crestLine.some((p) => p.col < -0.5 || p.row < -0.5 || p.col > width - 0.5 || p.row > height - 0.5)) refuse(`${F}.dam.crestLine`, 'the crest line leaves the raster', '坝顶线超出栅格范围');
      return {
        model,
        crestLine,
        crestLevelM: i.dam.crestLevelM,
        reservoirLevelM: i.dam.reservoirLevelM,
        reservoirSide: placer.cell(i.dam.reservoirSide, `${F}.dam.reservoirSide`),
        breach: i.dam.breach,
        manning: i.manning,
        boundary: i.boundary,
        durationS: i.durationS,
        outputIntervalS: i.outputIntervalS,
        arrivalThresholdM: i.arrivalThresholdM,
      };
    }
  }
}
