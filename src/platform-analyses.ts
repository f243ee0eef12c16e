/**
 * The composition of analyses (a part of platform.ts kept apart for its size): the runner over the
 * raster catalogue, the raster CRS conversion and the org's jurisdictions, and the warnings that
 * start runs — sensing's alerts heard on the bus and handed to analyses as signals (analyses never
 * import sensing), matched against the city pack's analysis-triggers.yaml.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { Store } from './store/store.ts';
import type { OrgDirectory } from './org/org-directory.ts';
import type { JurisdictionResolver } from './geo/resolver.ts';
import type { AreaGeometry } from './geo/geometry.ts';
import type { EventBus } from './events/event-bus.ts';
import type { RasterCatalog } from './raster/raster-catalog-store.ts';
import { crsTransform } from './raster/raster-crs.ts';
import { Analyses } from './analyses/analyses.ts';
import type { CommittedAnalysis } from './analyses/analysis-model.ts';
import { parseAnalysisTriggers, type AnalysisTrigger } from './analyses/analysis-triggers.ts';
import { AnalysisTriggerListener } from './analyses/analysis-trigger-listener.ts';
import type { CommittedAlert } from './sensing/alerts/committed-alert.ts';

export function composeAnalyses(d: {
  store: Store;
  clock: Clock;
  rasters: RasterCatalog;
  org: OrgDirectory;
  resolver: () => JurisdictionResolver;
  bus: EventBus<unknown, CommittedAlert, CommittedAnalysis>;
  concurrency: number;
  triggersFile: string;
  log?: Pick<Logger, 'info' | 'warn' | 'error'> | undefined;
}): { analyses: Analyses; analysisTriggers: AnalysisTriggerListener } {
  const log = d.log ? { info: (m: string) => d.log!.info(m), warn: (m: string) => d.log!.warn(m), error: (m: string) => d.log!.error(m) } : undefined;
  const analyses = new Analyses({
    store: d.store,
    clock: d.clock,
    catalog: d.rasters,
    projection: (crs) => crsTransform(crs).fromWgs84,
    scope: () => ({
      within: (code, ancestor) => {
        const r = d.resolver();
        for (let c: string | null = code; c; c = r.get(c)?.parentCode ?? null) if (c === ancestor) return true;
        return false;
      },
      centerJurisdiction: (id) => d.org.center(id)?.jurisdictionCode ?? null,
      isCityCenter: (id) => d.org.center(id)?.tier === 'city',
      centerIds: () => d.org.centers().map((c) => c.id),
    }),
    publish: (c) => d.bus.publishAnalysis(c),
    concurrency: d.concurrency,
    ...(log ? { log } : {}),
  });
  const triggers = readAnalysisTriggers(d.triggersFile, log);
  const analysisTriggers = new AnalysisTriggerListener({ triggers: () => triggers, catalog: d.rasters, starter: analyses, ...(log ? { log } : {}) });
  // A warning starts its run once, when it is raised (an update or a repeat of it starts nothing new).
  d.bus.subscribeAlerts((c) => {
    if (!c.events.some((e) => e.type === 'AlertRaised')) return;
    const a = c.alert;
    const cap = a.evidence.cap as { event?: unknown } | undefined;
    const area = a.evidence.area as AreaGeometry | undefined;
    void analysisTriggers.onSignal({ id: a.id, source: a.source, severity: a.severity, text: `${a.title} ${typeof cap?.event === 'string' ? cap.event : ''}`.trim(), area: area ?? null, ownerCenterId: a.ownerCenterId });
  });
  return { analyses, analysisTriggers };
}

/** The pack's trigger table; a table that cannot be read starts nothing (and says why). */
function readAnalysisTriggers(file: string, log?: { error(m: string): void }): AnalysisTrigger[] {
  if (!existsSync(file)) return [];
  try {
    return parseAnalysisTriggers(readFileSync(file, 'utf8'));
  } catch (e) {
    log?.error(`the city pack's analysis triggers (${file}) were refused; no warning starts an analysis: ${(e as Error).message}`);
    return [];
  }
}
