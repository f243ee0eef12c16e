/**
 * What the analysis page shows of a run and what it offers — pure: the summary's figures named in
 * the page's language (a figure without a name is left out, never shown by its key), and the steps
 * the caller may take, as the server says in `allowedActions` or, where it does not, by role.
 */
import { isRunning, type AnalysisState, type AnalysisView } from './analysis-types.ts';

/**
 * Summary figures the page names (src/analyses/analysis-summary.ts): key → [zh, en, unit zh, unit en,
 * digits, factor]. `cells` counts flooded cells, or for terrain processing the cells filled.
 */
export const SUMMARY_FIGURES: Record<string, readonly [zh: string, en: string, unitZh: string, unitEn: string, digits: number, factor?: number]> = {
  floodedAreaM2: ['淹没面积', 'Flooded area', '平方公里', 'km²', 3, 1e-6],
  volumeM3: ['水量', 'Water volume', '万立方米', '10⁴ m³', 2, 1e-4],
  maxDepthM: ['最大水深', 'Maximum depth', '米', 'm', 2],
  cells: ['淹没网格数', 'Flooded cells', '个', '', 0],
  simulatedSeconds: ['模拟时长', 'Simulated time', '分钟', 'min', 1, 1 / 60],
  wallSeconds: ['计算用时', 'Computing time', '秒', 's', 1],
  massBalanceErrorPct: ['水量平衡误差', 'Mass balance error', '%', '%', 4],
};
const FILL_FIGURES: typeof SUMMARY_FIGURES = { cells: ['填洼网格数', 'Cells filled', '个', '', 0], wallSeconds: SUMMARY_FIGURES.wallSeconds! };

export interface SummaryRow {
  readonly key: string;
  readonly name: string;
  readonly value: string;
}

/** The summary's figures the page has names for, in its language (terrain processing has its own few). */
export function summaryRows(summary: Record<string, unknown> | null | undefined, tr: (zh: string, en: string) => string, model?: string): SummaryRow[] {
  if (!summary) return [];
  const rows: SummaryRow[] = [];
  for (const [key, spec] of Object.entries(model === 'fill' ? FILL_FIGURES : SUMMARY_FIGURES)) {
    const v = summary[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const [zh, en, uzh, uen, digits, factor = 1] = spec;
    const text = (v * factor).toFixed(digits);
    rows.push({ key, name: tr(zh, en), value: `${text}${tr(uzh ? ` ${uzh}` : '', uen ? ` ${uen}` : '')}` });
  }
  return rows;
}

export type AnalysisStep = 'cancel' | 'rerun' | 'evacuate';

/** Roles that run models and so start an evacuation (src/analyses/analysis-policy.ts mayRunAnalyses). */
const STAFF: readonly string[] = ['admin', 'operator', 'supervisor'];

/**
 * Whether the caller may take a step on a run: by its state and the caller's roles (the analyses'
 * policy: administrators, supervisors and operators run models), unless the server named the steps
 * it allows (`allowed`, where an answer lists them) — the server refuses a wrong one anyway.
 */
export function mayTake(a: { readonly state: string; readonly model: string }, step: AnalysisStep, roles: readonly string[], allowed?: readonly string[] | null): boolean {
  if (allowed) return allowed.includes(step) || (step === 'evacuate' && allowed.includes('start_evacuation'));
  const staff = roles.some((r) => STAFF.includes(r));
  if (step === 'cancel') return staff && isRunning(a);
  if (step === 'rerun') return staff && !isRunning(a);
  return a.state === 'succeeded' && (a.model === 'flood' || a.model === 'dambreak' || a.model === 'lake') && roles.some((r) => STAFF.includes(r));
}

/** The names of a run's layers, depth first, with the arrival time (for isochrones) known by name. */
export const DEPTH_LAYERS: readonly string[] = ['maxDepth', 'depth', 'finalDepth'];
export const ARRIVAL_LAYER = 'arrivalTime';

/** The layer shown first: the deepest water, else the first layer the run has. */
export function firstLayer(a: Pick<AnalysisView, 'layers'>): string | null {
  const names = (a.layers ?? []).map((l) => l.name);
  return DEPTH_LAYERS.find((n) => names.includes(n)) ?? names[0] ?? null;
}


const STATES: readonly string[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] satisfies AnalysisState[];

/**
 * A live-feed message about a run (src/http/feed-items.ts analysisFeedItem: `data.analysis` with
 * its id, state and progress): what the page patches at once; null for any other message.
 */
export function analysisOfFeed(m: { readonly type: string; readonly data: Record<string, unknown> }): { id: string | null; progress?: number; state?: AnalysisState } | null {
  const a = m.data.analysis as { id?: unknown; progress?: unknown; state?: unknown } | undefined;
  if (!a && !/^Analysis/.test(m.type)) return null;
  const id = typeof a?.id === 'string' ? a.id : null;
  const progress = typeof a?.progress === 'number' && Number.isFinite(a.progress) ? a.progress : undefined;
  const state = typeof a?.state === 'string' && STATES.includes(a.state) ? (a.state as AnalysisState) : undefined;
  return { id, ...(progress !== undefined ? { progress } : {}), ...(state ? { state } : {}) };
}

/** Whether the caller's role stores terrain (src/http/routes/raster-policy.ts mayChangeRasters: administrators and operators). */
export function mayStoreRasters(roles: readonly string[]): boolean {
  return roles.includes('admin') || roles.includes('operator');
}
