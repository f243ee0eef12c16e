import { api, loadSession } from './api.ts';
import type { Attachment, CaseView } from './types.ts';

/**
 * 在线标绘 saved with the case: each save is one attachment (GeoJSON, `*.plot.geojson`), so it is
 * in the case's event log (AttachmentAdded: who, when) and reaches everyone watching the case
 * through the live feed. The newest one is the plot in force.
 */
export const PLOT_SUFFIX = '.plot.geojson';

export function latestPlot(c: Pick<CaseView, 'attachments'>): Attachment | null {
  const plots = c.attachments.filter((a) => a.fileName.endsWith(PLOT_SUFFIX));
  return plots[plots.length - 1] ?? null;
}

export async function loadPlot(caseId: string, a: Attachment | null): Promise<GeoJSON.FeatureCollection> {
  if (!a) return { type: 'FeatureCollection', features: [] };
  const s = loadSession();
  const res = await fetch(`/api/v1/cases/${caseId}/attachments/${a.id}`, { headers: s ? { authorization: `Bearer ${s.token}` } : {} });
  if (!res.ok) throw new Error(`plot ${a.id}: ${res.status}`);
  const fc = (await res.json()) as GeoJSON.FeatureCollection;
  return fc.type === 'FeatureCollection' && Array.isArray(fc.features) ? fc : { type: 'FeatureCollection', features: [] };
}

export async function savePlot(caseId: string, fc: GeoJSON.FeatureCollection): Promise<void> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const data = new Blob([JSON.stringify(fc)], { type: 'application/octet-stream' });
  await api(`/api/v1/cases/${caseId}/attachments?fileName=${encodeURIComponent(`plot-${stamp}${PLOT_SUFFIX}`)}`, { raw: { data, type: 'application/octet-stream' } });
}
