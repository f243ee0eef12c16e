/**
 * The jurisdiction tree of a city: city → district (区/县) → street (街道/镇/乡) → community
 * (社区/村) → grid (网格). Every case is placed in the lowest jurisdiction containing it.
 */
import type { AreaGeometry } from './geometry.ts';

export type JurisdictionLevel = 'city' | 'district' | 'street' | 'community' | 'grid';

/** From the top down; a record's parent is always at a shallower level. */
export const LEVELS: readonly JurisdictionLevel[] = ['city', 'district', 'street', 'community', 'grid'];

export interface JurisdictionRecord {
  code: string;
  parentCode: string | null;
  level: JurisdictionLevel;
  name: string;
  /** GCJ-02. The city may have none: its area is the union of its districts. */
  geometry: AreaGeometry | null;
  /** True when the polygon (or the whole record) was generated for the demo, not surveyed. */
  generated: boolean;
  properties: Record<string, unknown>;
}

export function levelIndex(level: JurisdictionLevel): number {
  return LEVELS.indexOf(level);
}

/** The level directly above, or null for the city. */
export function levelAbove(level: JurisdictionLevel): JurisdictionLevel | null {
  const i = LEVELS.indexOf(level);
  return i > 0 ? LEVELS[i - 1]! : null;
}

export function isJurisdictionLevel(value: unknown): value is JurisdictionLevel {
  return typeof value === 'string' && (LEVELS as readonly string[]).includes(value);
}
