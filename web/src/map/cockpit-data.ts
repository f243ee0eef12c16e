import { api, ApiError, loadSession } from '../api.ts';
import { currentLang } from '../i18n.tsx';
import { decodeMapColumns } from './columns.ts';
import type { MapFocus, MapPoints } from '../types.ts';

/** Every open case of the viewer's jurisdiction, packed (the browser ungzips it). */
export async function fetchMapPoints(): Promise<MapPoints> {
  const s = loadSession();
  const res = await fetch('/api/v1/map/cases?format=bin', { headers: { 'accept-language': currentLang(), ...(s ? { authorization: `Bearer ${s.token}` } : {}) } });
  if (!res.ok) {
    const p = (await res.json().catch(() => ({}))) as { code?: string; detail?: string };
    throw new ApiError(res.status, p.code ?? `HTTP_${res.status}`, p.detail ?? res.statusText);
  }
  return decodeMapColumns(await res.arrayBuffer());
}

let early: { focus: Promise<MapFocus>; points: Promise<MapPoints> } | null = null;

/**
 * Asks for the cockpit's focus and case columns as soon as the app starts on /cockpit, while
 * MapLibre is still downloading: the server's answer and the map's scripts arrive together.
 */
export function prefetchCockpitData(): void {
  if (early || !loadSession()) return;
  early = { focus: api<MapFocus>('/api/v1/map/focus'), points: fetchMapPoints() };
  // Whoever takes them handles failures; until then an early failure must not be "unhandled".
  early.focus.catch(() => undefined);
  early.points.catch(() => undefined);
}

/** The prefetched answers (once), or new requests. */
export function takeCockpitData(): { focus: Promise<MapFocus>; points: Promise<MapPoints> } {
  const e = early ?? { focus: api<MapFocus>('/api/v1/map/focus'), points: fetchMapPoints() };
  early = null;
  return e;
}
