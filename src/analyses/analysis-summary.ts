/** The figures of a finished run, from its layers (pure, typed arrays). */
import type { AnalysisSummary } from './analysis-model.ts';
import type { ModelOutput } from './models/model-job.ts';

/** Depth below which a cell counts as dry in the summary: a film of water is no flood. */
export const WET_THRESHOLD_M = 0.01;

export function summarize(out: ModelOutput, cellAreaM2: number, wallSeconds: number): AnalysisSummary {
  let cells = 0;
  let volume = 0;
  let maxDepth = 0;
  const depth = out.depth;
  if (depth) {
    for (let i = 0; i < depth.length; i++) {
      const d = depth[i]!;
      if (!(d > WET_THRESHOLD_M)) continue; // NaN (outside) counts as dry
      cells++;
      volume += d;
      if (d > maxDepth) maxDepth = d;
    }
  }
  const round = (v: number, digits: number) => Number(v.toFixed(digits));
  return {
    cells: depth ? cells : (out.filledCells ?? 0),
    floodedAreaM2: round(cells * cellAreaM2, 1),
    volumeM3: round(out.volumeM3 ?? volume * cellAreaM2, 1),
    maxDepthM: round(maxDepth, 3),
    ...(out.massBalanceErrorPct !== undefined ? { massBalanceErrorPct: round(out.massBalanceErrorPct, 6) } : {}),
    ...(out.simulatedSeconds !== undefined ? { simulatedSeconds: round(out.simulatedSeconds, 3) } : {}),
    wallSeconds: round(wallSeconds, 3),
    wetThresholdM: WET_THRESHOLD_M,
  };
}
