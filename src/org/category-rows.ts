/** A category as the `categories` table holds it, and back: one mapping for every reader and writer. */
import type { CategoryDefinition } from './category-model.ts';
import type { CategoryTable } from '../store/schema.ts';

export function categoryFromRow(c: CategoryTable): CategoryDefinition {
  return {
    code: c.code,
    parentCode: c.parent_code,
    nameZh: c.name_zh,
    nameEn: c.name_en,
    respondWithin: c.respond_within,
    resolveWithin: c.resolve_within,
    basis: c.basis as CategoryDefinition['basis'],
    defaultPriority: c.default_priority as CategoryDefinition['defaultPriority'],
  };
}

export function categoryToRow(c: CategoryDefinition): CategoryTable {
  return {
    code: c.code,
    parent_code: c.parentCode,
    name_zh: c.nameZh,
    name_en: c.nameEn,
    respond_within: c.respondWithin,
    resolve_within: c.resolveWithin,
    basis: c.basis,
    default_priority: c.defaultPriority,
  };
}
