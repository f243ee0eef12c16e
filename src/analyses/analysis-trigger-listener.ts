/**
 * Hears warnings (as `TriggerSignal`s the composition root makes of sensing's alerts) and starts
 * the run the city pack's trigger table names, on the newest terrain of the warning's center.
 * A signal that matches nothing, or a center with no terrain stored, starts nothing (logged).
 */
import type { RasterCatalogPort } from '../raster/raster-catalog.ts';
import type { AnalysisRecord } from './analysis-model.ts';
import type { AnalysisStarter } from './analyses.ts';
import { runForSignal, type AnalysisTrigger, type TriggerSignal } from './analysis-triggers.ts';

export class AnalysisTriggerListener {
  constructor(
    private readonly deps: {
      readonly triggers: () => readonly AnalysisTrigger[];
      readonly catalog: Pick<RasterCatalogPort, 'list'>;
      readonly starter: AnalysisStarter;
      readonly log?: { info(m: string): void; warn(m: string): void };
    },
  ) {}

  /** The run the signal started (or had started before), or null. Never throws: a warning must not fail for its analysis. */
  async onSignal(s: TriggerSignal): Promise<AnalysisRecord | null> {
    try {
      const triggers = this.deps.triggers();
      if (triggers.length === 0 || !s.ownerCenterId || !s.area) return null;
      if (!runForSignal(triggers, s, '')) return null;
      const dems = (await this.deps.catalog.list({ kind: 'dem', ownerCenterIds: [s.ownerCenterId] })).filter((r) => !r.deletedAt);
      const newest = dems.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))[0];
      if (!newest) {
        this.deps.log?.info(`warning ${s.id} matches an analysis trigger, but center ${s.ownerCenterId} has no terrain (dem) stored: no run`);
        return null;
      }
      const run = runForSignal(triggers, s, newest.id)!;
      return await this.deps.starter.startFromTrigger(run.request, run.origin);
    } catch (e) {
      this.deps.log?.warn(`warning ${s.id}: the analysis it triggers was not started: ${(e as Error).message}`);
      return null;
    }
  }
}
