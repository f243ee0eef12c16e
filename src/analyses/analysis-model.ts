/**
 * What an analysis run is (山洪淹没分析, 水库溃坝分析, 静态淹没 …): a durable job with its inputs,
 * state, progress, result layers and version. The row in `analyses` is the run; each change of
 * its state is also an event of the `analysis:ID` stream (src/events/admin-events.ts).
 */

export const ANALYSIS_MODELS = ['fill', 'lake', 'flood', 'dambreak'] as const;
export type AnalysisModel = (typeof ANALYSIS_MODELS)[number];

export const ANALYSIS_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type AnalysisState = (typeof ANALYSIS_STATES)[number];

/** The states a run never leaves. */
export const FINISHED_STATES: readonly AnalysisState[] = ['succeeded', 'failed', 'cancelled'];

export function isFinished(state: AnalysisState): boolean {
  return FINISHED_STATES.includes(state);
}

/** Names of the models and states for Chinese pages (never a raw code there). */
export const MODEL_NAMES: Readonly<Record<AnalysisModel, { zh: string; en: string }>> = {
  fill: { zh: '地形水文预处理', en: 'terrain conditioning' },
  lake: { zh: '静态淹没（水位）', en: 'lake at a level' },
  flood: { zh: '山洪淹没分析', en: 'flash flood' },
  dambreak: { zh: '水库溃坝分析', en: 'dam break' },
};

export const STATE_NAMES: Readonly<Record<AnalysisState, { zh: string; en: string }>> = {
  queued: { zh: '排队中', en: 'queued' },
  running: { zh: '计算中', en: 'running' },
  succeeded: { zh: '已完成', en: 'succeeded' },
  failed: { zh: '失败', en: 'failed' },
  cancelled: { zh: '已取消', en: 'cancelled' },
};

/** A raster a run read, with the SHA-256 of its cells when the run was asked for. */
export interface InputRaster {
  readonly id: string;
  readonly sha256: string;
}

/** What a finished run measured (what a model does not measure is left out). */
export interface AnalysisSummary {
  /** cells with water deeper than the wet threshold (the maximum depth, for dynamic runs; for `fill`, the cells filling raised) */
  readonly cells: number;
  /** m² of those cells */
  readonly floodedAreaM2: number;
  /** m³ of water (in the domain at the end for dynamic runs, the lake's volume for `lake`) */
  readonly volumeM3: number;
  readonly maxDepthM: number;
  /** dynamic runs: the model's mass balance error in % */
  readonly massBalanceErrorPct?: number;
  readonly simulatedSeconds?: number;
  /** seconds the model ran on its thread */
  readonly wallSeconds: number;
  /** the threshold used for `cells`, m */
  readonly wetThresholdM: number;
}

/** A result layer as stored: the raster holding it and what it measures. */
export interface ResultLayer {
  readonly name: string;
  readonly rasterId: string;
  readonly unit: string;
  /** the colour ramp its image is drawn with */
  readonly ramp: 'terrain' | 'depth' | 'arrival' | 'velocity';
  /** snapshots: the model time of the layer, seconds */
  readonly t?: number;
}

export interface AnalysisRecord {
  readonly id: string;
  readonly name: string | null;
  readonly model: AnalysisModel;
  /** the first run of this family (a rerun keeps it) */
  readonly rootId: string;
  /** the run this one repeats, null for a first run */
  readonly parentId: string | null;
  readonly version: number;
  readonly state: AnalysisState;
  readonly progress: number;
  readonly progressMessage: string | null;
  /** the normalised inputs: exactly what the model ran with */
  readonly inputs: Record<string, unknown>;
  readonly rasterId: string;
  readonly rasterSha256: string;
  readonly inputRasters: readonly InputRaster[];
  readonly ownerCenterId: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly summary: AnalysisSummary | null;
  /** layers (maxDepth, arrivalTime …) then snapshots (`snapshot:0` …), in order */
  readonly results: readonly ResultLayer[] | null;
  readonly cancelRequestedAt: string | null;
  /** what started it, when not a person: `cap:<alert id>` */
  readonly triggerKey: string | null;
}

/** What the bus carries of a run: its committed events, or a progress note (no event: not logged). */
export interface CommittedAnalysis {
  /** the log's seq of the event, null for progress */
  readonly seq: number | null;
  readonly type: string;
  readonly analysis: AnalysisRecord;
}
