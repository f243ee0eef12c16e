import type { CategoryDefinition } from '../../org/category-model.ts';
import type { Lang } from '../../errors.ts';
import type { Bilingual } from './open311-errors.ts';

/** GeoReport v2 attribute datatypes. */
export type AttributeDatatype = 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';

/**
 * An extra field a service asks for, as data: which categories, what it is, how it reads in a
 * case. The list is the city's (its pack's `open311Attributes`): answers are written into the case
 * description as "label：value" lines under 【补充信息】, so no new case fields are needed. A pack
 * without the list offers services with no attributes.
 */
export interface Open311AttributeDefinition {
  /** Category codes, or family prefixes ending in a dot ('safety.'). */
  readonly appliesTo: readonly string[];
  readonly code: string;
  readonly datatype: AttributeDatatype;
  /** false: information shown to the person reporting, no input. */
  readonly variable: boolean;
  readonly required: boolean;
  /** How the answer is labelled in the case description (read by the center's staff). */
  readonly label: string;
  readonly description: Bilingual;
  readonly datatypeDescription?: Bilingual;
  readonly values?: readonly { readonly key: string; readonly name: Bilingual }[];
}

function applies(def: Open311AttributeDefinition, code: string): boolean {
  return def.appliesTo.some((a) => (a.endsWith('.') ? code.startsWith(a) : code === a));
}

function attributesOf(code: string, attributes: readonly Open311AttributeDefinition[]): Open311AttributeDefinition[] {
  return attributes.filter((a) => applies(a, code));
}

/** The categories offered as services: the leaves of the tree (a case is filed under a leaf). */
export function leafCategories(categories: readonly CategoryDefinition[]): CategoryDefinition[] {
  const parents = new Set(categories.map((c) => c.parentCode).filter((p): p is string => p !== null));
  return categories.filter((c) => !parents.has(c.code)).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** '2h' → 2 小时, '5d' → 5 个工作日 on working time or 5 天 on the calendar. */
export function describeDuration(spec: string, basis: CategoryDefinition['basis'], lang: Lang): string {
  const m = /^(\d+)([mhd])$/.exec(spec);
  if (!m) return spec;
  const n = Number(m[1]);
  if (lang === 'zh') return m[2] === 'm' ? `${n} 分钟` : m[2] === 'h' ? `${n} 小时` : basis === 'working' ? `${n} 个工作日` : `${n} 天`;
  const unit = m[2] === 'm' ? 'minute' : m[2] === 'h' ? 'hour' : basis === 'working' ? 'working day' : 'day';
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** What a category promises: its response and resolution times. */
export function deadlineSentence(c: CategoryDefinition, lang: Lang): string {
  const r = describeDuration(c.respondWithin, c.basis, lang);
  const s = describeDuration(c.resolveWithin, c.basis, lang);
  return lang === 'zh' ? `响应时限 ${r}，办结时限 ${s}（自立案起算）` : `respond within ${r}, resolve within ${s} (from registration)`;
}

const noCommas = (s: string): string => s.replace(/[,，]/g, ' ').replace(/\s+/g, ' ').trim();

/** One entry of GET services. */
export function serviceOf(c: CategoryDefinition, parent: CategoryDefinition | undefined, lang: Lang, attributes: readonly Open311AttributeDefinition[]) {
  const words = [c.nameZh, c.nameEn, parent?.nameZh, parent?.nameEn].filter((w): w is string => typeof w === 'string' && w !== '').map(noCommas);
  return {
    service_code: c.code,
    service_name: c.nameZh,
    description: lang === 'zh' ? `${c.nameZh}（${c.nameEn}）：${deadlineSentence(c, lang)}` : `${c.nameEn}: ${deadlineSentence(c, lang)}`,
    metadata: attributesOf(c.code, attributes).length > 0,
    type: 'realtime',
    keywords: [...new Set(words)].join(', '),
    group: parent?.nameZh ?? null,
  };
}

/** GET services/{code}: the attributes of one service, ordered from 1. */
export function serviceDefinitionOf(c: CategoryDefinition, lang: Lang, attributes: readonly Open311AttributeDefinition[]) {
  return {
    service_code: c.code,
    attributes: attributesOf(c.code, attributes).map((a, i) => ({
      variable: a.variable,
      code: a.code,
      datatype: a.datatype,
      required: a.required,
      datatype_description: a.datatypeDescription ? a.datatypeDescription[lang] : null,
      order: i + 1,
      description: a.description[lang],
      ...(a.values ? { values: a.values.map((v) => ({ key: v.key, name: v.name[lang] })) } : {}),
    })),
  };
}

export const W3C_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads the submitted `attribute[code]` answers against a service's definition. Returns the lines
 * for the case description (Chinese labels: the center's staff read them) and what is wrong.
 * Attributes the service does not define are ignored, as clients may send their own.
 */
export function readAttributes(code: string, submitted: ReadonlyMap<string, readonly string[]>, lang: Lang, attributes: readonly Open311AttributeDefinition[]): { lines: string[]; problems: string[] } {
  const lines: string[] = [];
  const problems: string[] = [];
  const bad = (a: Open311AttributeDefinition, zh: string, en: string) => problems.push(lang === 'zh' ? `attribute[${a.code}]：${zh}` : `attribute[${a.code}]: ${en}`);
  for (const a of attributesOf(code, attributes)) {
    if (!a.variable) continue;
    const given = (submitted.get(a.code) ?? []).map((v) => v.trim()).filter((v) => v !== '');
    if (given.length === 0) {
      if (a.required) bad(a, `必填（${a.description.zh}）`, `is required (${a.description.en})`);
      continue;
    }
    const many = a.datatype === 'multivaluelist';
    if (!many && given.length > 1) {
      bad(a, '只能有一个值', 'takes one value');
      continue;
    }
    const first = given[0]!;
    switch (a.datatype) {
      case 'string':
        if (first.length > 200) bad(a, '不能超过 200 个字符', 'is longer than 200 characters');
        else lines.push(`${a.label}：${first.replace(/\s+/g, ' ')}`);
        break;
      case 'text':
        if (first.length > 2000) bad(a, '不能超过 2000 个字符', 'is longer than 2000 characters');
        else lines.push(`${a.label}：${first}`);
        break;
      case 'number':
        if (!/^[+-]?\d+(\.\d+)?$/.test(first)) bad(a, '须为数字', 'must be a number');
        else lines.push(`${a.label}：${first}`);
        break;
      case 'datetime':
        if (!W3C_DATETIME.test(first) || Number.isNaN(Date.parse(first))) bad(a, '须为带时区的 W3C 日期时间', 'must be a W3C datetime with a time zone');
        else lines.push(`${a.label}：${first}`);
        break;
      case 'singlevaluelist':
      case 'multivaluelist': {
        const options = (a.values ?? []).map((x) => x.key).join(', ');
        const names: string[] = [];
        let ok = true;
        for (const key of given) {
          const v = a.values?.find((x) => x.key === key);
          if (!v) {
            ok = false;
            bad(a, `没有选项“${key.slice(0, 50)}”（可选：${options}）`, `has no option "${key.slice(0, 50)}" (options: ${options})`);
          } else if (!names.includes(v.name.zh)) names.push(v.name.zh);
        }
        if (ok) lines.push(`${a.label}：${names.join('、')}`);
        break;
      }
    }
  }
  return { lines, problems };
}

