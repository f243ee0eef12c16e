/**
 * Kinds of unit (部门/单位: the urban-management bureau, the water company …) as the core knows
 * them: the shape, the kinds of each tier, which kinds handle a category, and the checks a city's
 * list must pass. The kinds themselves are a city pack's data (cities/<name>/).
 */
import type { Tier } from './tiers.ts';
import { expandCategoryCode, type CategoryDefinition } from './category-model.ts';

export interface UnitKind {
  /** Stable ASCII, e.g. 'urban-management'. The same line of work keeps the same kind at every tier. */
  kind: string;
  /** e.g. '城市管理局' */
  nameZh: string;
  nameEn: string;
  /** Codes from the category list; a parent code means all its leaves. */
  categoryCodes: string[];
}

/** A city's unit kinds, tier by tier. */
export type UnitKindsByTier = Readonly<Record<Tier, readonly UnitKind[]>>;

/** Every kind name of every tier: what plans may name as a task's unit. */
export function unitKindNames(kinds: UnitKindsByTier): Set<string> {
  return new Set([...kinds.city, ...kinds.district, ...kinds.street].map((k) => k.kind));
}

/**
 * The kinds at a tier that handle a category. For a leaf: every kind whose codes cover it. For a
 * parent: the kinds that cover all of its leaves, since a case known only to be "municipal" should
 * not go to the gas company just because it handles one leaf.
 */
export function unitKindsForCategory(categoryCode: string, tier: Tier, kinds: UnitKindsByTier, categories: readonly CategoryDefinition[]): UnitKind[] {
  const wanted = expandCategoryCode(categoryCode, categories);
  return kinds[tier].filter((k) => {
    const handled = new Set(k.categoryCodes.flatMap((code) => expandCategoryCode(code, categories)));
    return wanted.every((leaf) => handled.has(leaf));
  });
}

/**
 * Checks unit kinds against a category list: unique ASCII kinds, names, and category codes that
 * exist. Throws an Error naming the kind and the code.
 */
export function validateUnitKinds(kinds: readonly UnitKind[], categories: readonly CategoryDefinition[]): void {
  const codes = new Set(categories.map((c) => c.code));
  const seen = new Set<string>();
  kinds.forEach((k, i) => {
    if (!/^[a-z][a-z0-9-]*$/.test(k.kind)) throw new Error(`unit kinds[${i}]: kind must be lower-case ASCII words joined by '-', got ${JSON.stringify(k.kind)}`);
    if (seen.has(k.kind)) throw new Error(`unit kind ${k.kind}: listed twice`);
    seen.add(k.kind);
    if (k.nameZh.trim() === '' || k.nameEn.trim() === '') throw new Error(`unit kind ${k.kind}: nameZh and nameEn must be non-empty`);
    if (k.categoryCodes.length === 0) throw new Error(`unit kind ${k.kind}: handles no category`);
    for (const code of k.categoryCodes) {
      if (!codes.has(code)) throw new Error(`unit kind ${k.kind}: category ${code} does not exist`);
    }
  });
}
