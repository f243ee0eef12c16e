/**
 * Matter categories (事项分类) as the core knows them: the shape of one category, the checks a
 * city's list must pass, and the expansion of a family code to its leaves. The lists themselves
 * are a city pack's data (cities/<name>/), or the store's once an administrator edits them.
 */
import { CityLoopError } from '../errors.ts';
import { parseDuration, type DurationBasis } from '../calendar/working-calendar.ts';

export type CategoryPriority = 'low' | 'normal' | 'high' | 'urgent';

export interface CategoryDefinition {
  /** Stable ASCII code, dot-separated; a child's code starts with its parent's. Never renamed: cases keep it. */
  code: string;
  parentCode: string | null;
  nameZh: string;
  nameEn: string;
  /** Time to first response (accept or return), e.g. '10m', '2h'. */
  respondWithin: string;
  /** Time to resolution, e.g. '4h', '5d'. */
  resolveWithin: string;
  basis: DurationBasis;
  defaultPriority: CategoryPriority;
}

const CODE_PATTERN = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$/;
const BASES: readonly string[] = ['working', 'calendar'];
const PRIORITIES: readonly string[] = ['low', 'normal', 'high', 'urgent'];

/**
 * Checks a category list loaded from a city's data: well-formed unique codes, parents that exist
 * (and no cycles), names, basis, priority, parseable deadlines with response no later than
 * resolution. Throws an Error naming the entry and field; returns the list typed.
 */
export function validateCategories(list: unknown): readonly CategoryDefinition[] {
  if (!Array.isArray(list)) throw new Error('categories must be an array');
  const byCode = new Map<string, CategoryDefinition>();
  list.forEach((item: unknown, i) => {
    const at = `categories[${i}]`;
    if (typeof item !== 'object' || item === null) throw new Error(`${at} must be an object`);
    const c = item as Record<string, unknown>;
    if (typeof c.code !== 'string' || !CODE_PATTERN.test(c.code)) {
      throw new Error(`${at}.code must be lower-case ASCII segments joined by dots, got ${JSON.stringify(c.code)}`);
    }
    const where = `category ${c.code} (${at})`;
    if (byCode.has(c.code)) throw new Error(`${where}: code is used twice`);
    if (c.parentCode !== null && typeof c.parentCode !== 'string') throw new Error(`${where}: parentCode must be a code or null`);
    for (const field of ['nameZh', 'nameEn'] as const) {
      if (typeof c[field] !== 'string' || (c[field] as string).trim() === '') throw new Error(`${where}: ${field} must be a non-empty string`);
    }
    if (typeof c.basis !== 'string' || !BASES.includes(c.basis)) throw new Error(`${where}: basis must be 'working' or 'calendar', got ${JSON.stringify(c.basis)}`);
    if (typeof c.defaultPriority !== 'string' || !PRIORITIES.includes(c.defaultPriority)) {
      throw new Error(`${where}: defaultPriority must be one of ${PRIORITIES.join(', ')}, got ${JSON.stringify(c.defaultPriority)}`);
    }
    const basis = c.basis as DurationBasis;
    const minutes: Record<string, number> = {};
    for (const field of ['respondWithin', 'resolveWithin'] as const) {
      try {
        minutes[field] = parseDuration(c[field] as string, { basis }).minutes;
      } catch (e) {
        throw new Error(`${where}: ${field}: ${(e as Error).message}`);
      }
    }
    if (minutes.respondWithin! > minutes.resolveWithin!) {
      throw new Error(`${where}: respondWithin (${String(c.respondWithin)}) is longer than resolveWithin (${String(c.resolveWithin)})`);
    }
    byCode.set(c.code, c as unknown as CategoryDefinition);
  });
  for (const c of byCode.values()) {
    const seen = new Set<string>([c.code]);
    for (let p = c.parentCode; p !== null; p = byCode.get(p)!.parentCode) {
      if (!byCode.has(p)) throw new Error(`category ${c.code}: parent ${p} does not exist`);
      if (seen.has(p)) throw new Error(`category ${c.code}: parent chain loops through ${p}`);
      seen.add(p);
    }
  }
  return list as CategoryDefinition[];
}

/**
 * The leaf codes a code stands for: itself when it is a leaf, every leaf below it when it is a
 * parent (so routing data may name a whole family). Unknown codes are the caller's error.
 */
export function expandCategoryCode(code: string, categories: readonly CategoryDefinition[]): string[] {
  const children = indexChildren(categories);
  if (!children.has(code)) throw new CityLoopError('UNKNOWN_CATEGORY', { code });
  const leaves: string[] = [];
  const visit = (at: string): void => {
    const below = children.get(at) ?? [];
    if (below.length === 0) leaves.push(at);
    else below.forEach(visit);
  };
  visit(code);
  return leaves;
}

/** Category lists are long-lived and read-only, so their child index is built once per list. */
const childIndexes = new WeakMap<readonly CategoryDefinition[], ReadonlyMap<string, readonly string[]>>();

function indexChildren(categories: readonly CategoryDefinition[]): ReadonlyMap<string, readonly string[]> {
  let index = childIndexes.get(categories);
  if (index === undefined) {
    const children = new Map<string, string[]>(categories.map((c) => [c.code, []]));
    for (const c of categories) if (c.parentCode !== null) children.get(c.parentCode)?.push(c.code);
    index = children;
    childIndexes.set(categories, index);
  }
  return index;
}
