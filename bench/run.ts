import { runGeoBench } from './geo.ts';
import { runCasesBench } from './cases.ts';
import { runPlansBench } from './plans.ts';
import { runAppealsBench } from './appeals.ts';
import { runIngestBench } from './ingest.ts';

/**
 * Runs the named benchmarks; the result is one JSON-able object of figures. `ui` (the cockpit in
 * headless Chromium over 100,000 cases) takes minutes and needs Chromium: it is not part of `all`;
 * nor is `models` (the flow models on 16 M-cell grids, Merewether and Malpasset: minutes, and the
 * shared benchmark data beside the project).
 */
export const BENCHMARKS = ['geo', 'cases', 'plans', 'appeals', 'ingest', 'models', 'impact', 'ui', 'all'] as const;
export type BenchName = (typeof BENCHMARKS)[number];

export async function runBench(name: BenchName, opts: { seconds: number; log: (m: string) => void }) {
  const out: Record<string, unknown> = {};
  if (name === 'ui') {
    const { runUiBench } = await import('./ui.ts');
    const r = await runUiBench({ seconds: Math.min(opts.seconds, 10), log: opts.log });
    return { firstMapMs: r.firstMapMs, panFps: r.panFps, firstScreenJsGzipBytes: r.firstScreenJsGzipBytes };
  }
  if (name === 'models') {
    const { runModelsBench } = await import('./models.ts');
    return runModelsBench({ log: opts.log });
  }
  if (name === 'impact') {
    // 灾害态势研判 over a 1000 × 1000 raster: not part of `all` (the demo geography takes a while to generate).
    const { runImpactBench } = await import('./impact.ts');
    return runImpactBench({ seconds: opts.seconds, log: opts.log });
  }
  if (name === 'geo' || name === 'all') {
    const g = await runGeoBench({ seconds: opts.seconds, onProgress: opts.log });
    if (name === 'geo') return g;
    out.geo = g;
  }
  if (name === 'cases' || name === 'all') {
    const c = await runCasesBench({ seconds: opts.seconds, log: opts.log });
    if (name === 'cases') return c;
    out.cases = c;
  }
  if (name === 'plans' || name === 'all') {
    const p = await runPlansBench({ seconds: opts.seconds, log: opts.log });
    if (name === 'plans') return p;
    out.plans = p;
  }
  if (name === 'appeals' || name === 'all') {
    const a = await runAppealsBench({ seconds: opts.seconds, log: opts.log });
    if (name === 'appeals') return a;
    out.appeals = a;
  }
  if (name === 'ingest' || name === 'all') {
    const i = await runIngestBench({ seconds: opts.seconds, log: opts.log });
    if (name === 'ingest') return i;
    out.ingest = i;
  }
  return out;
}
