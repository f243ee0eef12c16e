import type { Map as MlMap, GeoJSONSource } from 'maplibre-gl';
import { api } from '../api.ts';

export const LEVELS = ['district', 'street', 'community', 'grid'] as const;
export type BoundaryLevel = (typeof LEVELS)[number];

/** The zoom from which each level's boundaries are drawn (and fetched). */
export const MIN_ZOOM: Record<BoundaryLevel, number> = { district: 0, street: 10.5, community: 12.8, grid: 14.3 };

type Bbox = [number, number, number, number];
interface Loaded {
  readonly feature: GeoJSON.Feature;
  readonly bbox: Bbox;
}

function bboxOf(g: GeoJSON.Geometry | null): Bbox | null {
  if (!g || !('coordinates' in g)) return null;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const x = c[0] as number, y = c[1] as number;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    } else if (Array.isArray(c)) for (const x of c) walk(x);
  };
  walk(g.coordinates);
  return Number.isFinite(minX) ? [minX, minY, maxX, maxY] : null;
}

/**
 * Jurisdiction boundaries fetched level by level as the user zooms: the districts first, then the
 * children of whatever is in view once the zoom reaches the next level (62,000 grids are never
 * loaded at once). Children come from the public `GET /api/v1/jurisdictions?parent=…&geometry=true`.
 */
export class BoundaryLoader {
  readonly #map: MlMap;
  readonly #byLevel = new Map<BoundaryLevel, Map<string, Loaded>>(LEVELS.map((l) => [l, new Map()]));
  readonly #fetched = new Set<string>();
  readonly #inflight = new Set<string>();
  #dirty = new Set<BoundaryLevel>();
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  onLoaded: (() => void) | null = null;

  constructor(map: MlMap) {
    this.#map = map;
    map.on('moveend', () => void this.update());
  }

  /** Loads the district layer (the base map) and the children of the viewer's own jurisdiction. */
  async start(focusCode: string | null, focusLevel: string | null): Promise<void> {
    await this.#fetch('district', { level: 'district' }, 'level:district');
    if (focusCode && focusLevel && focusLevel !== 'city') {
      const i = LEVELS.indexOf(focusLevel as BoundaryLevel);
      const child = LEVELS[i + 1];
      if (child) await this.#fetch(child, { parent: focusCode }, `parent:${focusCode}`);
    }
  }

  featureCount(level: BoundaryLevel): number {
    return this.#byLevel.get(level)!.size;
  }

  /** Children of the features in view, for every level the zoom has reached; a few requests at a time. */
  async update(): Promise<void> {
    const z = this.#map.getZoom();
    const b = this.#map.getBounds();
    const view: Bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
    const wanted: { level: BoundaryLevel; parent: string }[] = [];
    for (let i = 1; i < LEVELS.length; i++) {
      const level = LEVELS[i]!;
      if (z < MIN_ZOOM[level] - 0.3) break;
      for (const [code, f] of this.#byLevel.get(LEVELS[i - 1]!)!) {
        if (this.#fetched.has(`parent:${code}`) || this.#inflight.has(`parent:${code}`)) continue;
        if (f.bbox[0] > view[2] || f.bbox[2] < view[0] || f.bbox[1] > view[3] || f.bbox[3] < view[1]) continue;
        wanted.push({ level, parent: code });
      }
    }
    const batch = wanted.slice(0, 24);
    for (let i = 0; i < batch.length; i += 4) {
      await Promise.all(batch.slice(i, i + 4).map((w) => this.#fetch(w.level, { parent: w.parent }, `parent:${w.parent}`)));
    }
    if (wanted.length > batch.length) void this.update();
  }

  async #fetch(level: BoundaryLevel, params: { level?: string; parent?: string }, key: string): Promise<void> {
    if (this.#fetched.has(key) || this.#inflight.has(key)) return;
    this.#inflight.add(key);
    try {
      const q = new URLSearchParams({ ...params, geometry: 'true', limit: '5000' });
      const fc = await api<GeoJSON.FeatureCollection>(`/api/v1/jurisdictions?${q}`);
      const target = this.#byLevel.get(level)!;
      for (const f of fc.features) {
        const bbox = bboxOf(f.geometry);
        const code = String(f.properties?.code ?? '');
        if (!bbox || !code) continue;
        // Label points: the bbox centre is good enough for the generated, roughly convex polygons.
        target.set(code, { feature: { ...f, id: undefined, properties: { ...f.properties, cx: (bbox[0] + bbox[2]) / 2, cy: (bbox[1] + bbox[3]) / 2 } }, bbox });
      }
      this.#fetched.add(key);
      this.#dirty.add(level);
      this.#scheduleFlush();
    } catch {
      // A failed layer is retried on the next move.
    } finally {
      this.#inflight.delete(key);
    }
  }

  #scheduleFlush() {
    if (this.#flushTimer) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = null;
      for (const level of this.#dirty) {
        const features = [...this.#byLevel.get(level)!.values()].map((l) => l.feature);
        (this.#map.getSource(`b-${level}`) as GeoJSONSource | undefined)?.setData({ type: 'FeatureCollection', features });
        const labels = features.map((f) => ({ type: 'Feature' as const, properties: { name: f.properties?.name, code: f.properties?.code }, geometry: { type: 'Point' as const, coordinates: [Number(f.properties?.cx), Number(f.properties?.cy)] } }));
        (this.#map.getSource(`b-${level}-labels`) as GeoJSONSource | undefined)?.setData({ type: 'FeatureCollection', features: labels });
      }
      this.#dirty.clear();
      this.onLoaded?.();
    }, 50);
  }
}
