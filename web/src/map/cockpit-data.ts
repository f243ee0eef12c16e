import { api, loadSession } from '../api.ts';
import type { CaseLayer, MapFocus } from '../types.ts';

/** The case layer of the viewer's jurisdiction as it now is: count and the versioned tile URL. */
export function fetchCaseLayer(): Promise<CaseLayer> {
  return api<CaseLayer>('/api/v1/map/cases/summary');
}

let early: { focus: Promise<MapFocus>; cases: Promise<CaseLayer> } | null = null;

/**
 * Asks for the cockpit's focus and case layer as soon as the app starts on /cockpit, while
 * MapLibre is still downloading: the server builds the case index meanwhile.
 */
export function prefetchCockpitData(): void {
  if (early || !loadSession()) return;
  early = { focus: api<MapFocus>('/api/v1/map/focus'), cases: fetchCaseLayer() };
  // Whoever takes them handles failures; until then an early failure must not be "unhandled".
  early.focus.catch(() => undefined);
  early.cases.catch(() => undefined);
}

/** The prefetched answers (once), or new requests. */
export function takeCockpitData(): { focus: Promise<MapFocus>; cases: Promise<CaseLayer> } {
  const e = early ?? { focus: api<MapFocus>('/api/v1/map/focus'), cases: fetchCaseLayer() };
  early = null;
  return e;
}
