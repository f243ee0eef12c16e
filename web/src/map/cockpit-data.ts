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
  startMapWorkerEarly();
  // Whoever takes them handles failures; until then an early failure must not be "unhandled".
  early.focus.catch(() => undefined);
  early.cases.catch(() => undefined);
}

/** How long a worker started early waits to be taken by a map before it is stopped. */
const EARLY_WORKER_MS = 60_000;

/**
 * Starts MapLibre's worker with the app instead of when the map is made. MapLibre makes its worker
 * only after its own 280 kB script has arrived and run, and the worker then spends as long again
 * fetching and compiling its code before it asks for the first tile: on a slow machine the first
 * tiles went out a second after the map was ready for them. MapLibre makes it with
 * `new Worker(url, { type: 'module' })`; for that one call (same URL) it is handed the worker
 * started here, which is the same script, and the browser's own Worker is put back. Messages sent to
 * it meanwhile wait in its queue, as for any new worker; a worker not taken within a minute (no map
 * was made) is stopped.
 */
function startMapWorkerEarly(): void {
  const Native = globalThis.Worker;
  if (typeof Native !== 'function') return;
  const url = new URL(mapWorkerUrl, location.href).href;
  let waiting: Worker | null;
  try {
    waiting = new Native(url, { type: 'module' });
    performance.mark('cityloop:map-worker-started');
  } catch {
    return;
  }
  const restore = () => {
    if ((globalThis.Worker as unknown) === HandingOver) globalThis.Worker = Native;
  };
  function HandingOver(scriptUrl: string | URL, options?: WorkerOptions): Worker {
    const same = new URL(String(scriptUrl), location.href).href === url && options?.type === 'module';
    if (same && waiting) {
      const w = waiting;
      waiting = null;
      restore();
      performance.mark('cityloop:map-worker-handed-over');
      return w;
    }
    return new Native(scriptUrl, options);
  }
  HandingOver.prototype = Native.prototype;
  globalThis.Worker = HandingOver as unknown as typeof Worker;
  setTimeout(() => {
    restore();
    waiting?.terminate();
    waiting = null;
  }, EARLY_WORKER_MS);
}

/** The prefetched answers (once), or new requests. */
export function takeCockpitData(): { focus: Promise<MapFocus>; cases: Promise<CaseLayer> } {
  const e = early ?? { focus: api<MapFocus>('/api/v1/map/focus'), cases: fetchCaseLayer() };
  early = null;
  return e;
}
