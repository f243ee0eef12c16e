/**
 * Use case: likely duplicates of a new report (查重): open cases of the same category reported
 * within the last 72 hours and 250 m whose text is alike (character-bigram Dice ≥ 0.3), most
 * similar first, among the cases the caller may see.
 */
import { haversineMeters, toGcj02, type Crs } from '../geo/crs.ts';
import type { Principal } from '../auth/principal.ts';
import type { CaseDoc } from './case-model.ts';
import { canSeeCase } from './case-policy.ts';
import { openCasesNear } from './case-queries.ts';
import { textSimilarity } from './similar-text.ts';
import type { CaseWriter } from './case-writer.ts';

export interface DuplicateQuery {
  readonly categoryCode: string;
  readonly lng: number;
  readonly lat: number;
  readonly crs: Crs;
  readonly text: string;
}

export async function findDuplicates(
  w: CaseWriter,
  p: Principal,
  input: DuplicateQuery,
  opts: { withinMeters?: number; withinHours?: number; minSimilarity?: number } = {},
): Promise<{ case: CaseDoc; distanceMeters: number; similarity: number }[]> {
  const m = opts.withinMeters ?? 250;
  const since = new Date(w.d.clock.now().getTime() - (opts.withinHours ?? 72) * 3600_000).toISOString();
  const [x, y] = toGcj02(input.lng, input.lat, input.crs);
  const dLat = m / 111_320;
  const dLng = m / (111_320 * Math.cos((y * Math.PI) / 180));
  const near = await openCasesNear(w.d.store.db, { categoryCode: input.categoryCode, since, minLng: x - dLng, maxLng: x + dLng, minLat: y - dLat, maxLat: y + dLat });
  return near
    .filter((d) => canSeeCase(p, d))
    .map((d) => ({ case: d, distanceMeters: Math.round(haversineMeters([x, y], [d.location.lng, d.location.lat])), similarity: Math.round(textSimilarity(input.text, `${d.title} ${d.description}`) * 1000) / 1000 }))
    .filter((c) => c.distanceMeters <= m && c.similarity >= (opts.minSimilarity ?? 0.3))
    .sort((a, b) => b.similarity - a.similarity || a.distanceMeters - b.distanceMeters);
}
