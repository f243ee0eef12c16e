import { api, loadSession } from '../api.ts';
// Only the URL of MapLibre's worker (a string Vite puts here), not its code.
import mapWorkerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url';
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
  // MapLibre starts its worker only when the map is made, after its own code has arrived: fetched
  // now, the worker's script waits in the HTTP cache instead of queueing behind the page's requests.
  void fetch(mapWorkerUrl).then((r) => r.arrayBuffer()).catch(() => undefined);
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
