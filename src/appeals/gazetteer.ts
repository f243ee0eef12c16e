import type { AssetRecord } from '../assets/asset.ts';
import { representativePoint } from '../assets/asset-geometry.ts';
import { interiorPoint } from '../geo/geometry.ts';
import type { JurisdictionRecord } from '../geo/jurisdiction.ts';

/**
 * Place names → a point (GCJ-02): landmarks of the asset map (hospitals, squares, schools …) and
 * the names of districts, streets and communities. A caller says "解放碑附近的广场": the longest
 * known name inside what they said wins, landmarks before areas, smaller areas before larger.
 */
export class Gazetteer {
  readonly #entries: { name: string; lng: number; lat: number; rank: number }[];

  constructor(jurisdictions: readonly JurisdictionRecord[], assets: readonly AssetRecord[]) {
    const rankOf: Record<string, number> = { community: 2, street: 3, district: 4 };
    const entries: { name: string; lng: number; lat: number; rank: number }[] = [];
    for (const a of assets) {
      if (!a.name || a.name.length < 2 || !['place', 'water_point', 'underpass', 'tunnel', 'bridge'].includes(a.type)) continue;
      const [lng, lat] = representativePoint(a.geometry);
      entries.push({ name: a.name, lng, lat, rank: 1 });
    }
    for (const j of jurisdictions) {
      const rank = rankOf[j.level];
      if (rank === undefined || !j.geometry || j.name.length < 2) continue;
      const [lng, lat] = interiorPoint(j.geometry);
      entries.push({ name: j.name, lng, lat, rank });
      // 解放碑街道 is also said as 解放碑; 石苑社区 as 石苑.
      const short = j.name.replace(/(街道|社区|村|镇|乡|区|县)$/, '');
      if (short.length >= 2 && short !== j.name) entries.push({ name: short, lng, lat, rank: rank + 0.5 });
    }
    // Longest names first, then by rank: the first contained name is the best.
    this.#entries = entries.sort((a, b) => b.name.length - a.name.length || a.rank - b.rank);
  }

  get size(): number {
    return this.#entries.length;
  }

  locate(text: string): { name: string; lng: number; lat: number } | null {
    const t = text.normalize('NFKC');
    for (const e of this.#entries) if (t.includes(e.name)) return { name: e.name, lng: e.lng, lat: e.lat };
    return null;
  }
}
