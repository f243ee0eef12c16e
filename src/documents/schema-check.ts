/**
 * The one schema-validation step of edited documents: a published JSON Schema (draft 2020-12)
 * checked by ajv, every error turned into one readable problem per bad field, in Chinese and
 * English. A document kind brings its schema, what its patterned fields mean (`fieldRules`, by
 * field name: several fields share a pattern but not a meaning) and, if it needs them, sentences
 * of its own for errors a generic one would explain badly (`explain`).
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { closestName } from '../closest-name.ts';
import { escapePointer, unescapePointer, valueAtPointer } from './json-pointer.ts';
import { problemAt, type Bilingual, type DocumentProblem } from './problem.ts';

export interface SchemaCheckOptions {
  /** What a field's pattern means, by the field's name (or that of the map whose keys are checked). */
  readonly fieldRules: Readonly<Record<string, Bilingual>>;
  /** A sentence of the document kind's own for an error, or null for the generic one. */
  readonly explain?: (error: ErrorObject, pointer: string) => Bilingual | null;
}

export interface SchemaCheck {
  /** Every problem of `data` against the schema; empty when it conforms. */
  check(data: unknown): DocumentProblem[];
}

/**
 * A checker for one schema, compiled on first use so that importing a kind's types costs nothing.
 * `verbose` gives each error its schema, so an unknown property can be answered with the allowed
 * ones; `strictRequired` is off because `if: { required: [x] }` tests name properties defined beside them.
 */
export function schemaCheck(schema: object, opts: SchemaCheckOptions): SchemaCheck {
  let validate: ValidateFunction | null = null;
  return {
    check(data) {
      validate ??= new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(schema);
      return validate(data) ? [] : explainSchemaErrors(validate.errors ?? [], data, opts);
    },
  };
}

function explainSchemaErrors(errors: readonly ErrorObject[], data: unknown, opts: SchemaCheckOptions): DocumentProblem[] {
  const out: DocumentProblem[] = [];
  const seen = new Set<string>();
  const add = (pointer: string, text: Bilingual): void => {
    const key = `${pointer}\u0000${text.en}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(problemAt(pointer, text));
    }
  };
  const ruleOf = (pointer: string, pattern: unknown): Bilingual => fieldRule(opts.fieldRules, pointer, pattern);
  for (const e of errors) {
    const path = e.instancePath;
    const got = describeData(valueAtPointer(data, path));
    const params = e.params as Record<string, unknown>;
    const propertyName = (e as ErrorObject & { propertyName?: string }).propertyName;
    if (propertyName !== undefined) {
      // An error inside `propertyNames`: the name itself is bad, so point at it.
      const rule = ruleOf(path, params.pattern);
      add(`${path}/${escapePointer(propertyName)}`, { en: `name ${JSON.stringify(propertyName)} ${rule.en}`, zh: `名称 ${JSON.stringify(propertyName)} ${rule.zh}` });
      continue;
    }
    const own = opts.explain?.(e, path) ?? null;
    if (own !== null) {
      add(path, own);
      continue;
    }
    switch (e.keyword) {
      case 'if':
      case 'propertyNames':
        break; // the errors of the branch or of the name say more
      case 'additionalProperties': {
        const name = String(params.additionalProperty);
        const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        const hint = closestName(name, allowed);
        add(`${path}/${escapePointer(name)}`, {
          en: `unknown property ${JSON.stringify(name)}${hint !== null ? ` (did you mean ${JSON.stringify(hint)}?)` : allowed.length > 0 ? `; allowed: ${allowed.join(', ')}` : ''}`,
          zh: `未知属性 ${JSON.stringify(name)}${hint !== null ? `（是否应为 ${JSON.stringify(hint)}？）` : allowed.length > 0 ? `；可用：${allowed.join('、')}` : ''}`,
        });
        break;
      }
      case 'required':
        add(`${path}/${escapePointer(String(params.missingProperty))}`, { en: 'is required', zh: '必填' });
        break;
      case 'type': {
        const types = String(params.type).split(',');
        if (types.includes('number') && types.includes('string')) {
          // A number or a $parameter (rules): the field's rule says which strings.
          const rule = ruleOf(path, undefined);
          add(path, { en: `${rule.en}, got ${got.en}`, zh: `${rule.zh}，实际为 ${got.zh}` });
        } else {
          add(path, { en: `must be ${types.map(article).join(' or ')}, got ${got.en}`, zh: `须为${types.map(typeZh).join('或')}，实际为 ${got.zh}` });
        }
        break;
      }
      case 'enum': {
        const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
        add(path, { en: `must be one of ${allowed.join(', ')}, got ${got.en}`, zh: `须为 ${allowed.join('、')} 之一，实际为 ${got.zh}` });
        break;
      }
      case 'pattern': {
        const rule = ruleOf(path, params.pattern);
        add(path, { en: `${rule.en}, got ${got.en}`, zh: `${rule.zh}，实际为 ${got.zh}` });
        break;
      }
      case 'minItems':
        add(path, { en: `must list at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`, zh: `至少须有 ${String(params.limit)} 项` });
        break;
      case 'maxItems':
        add(path, { en: `must list at most ${String(params.limit)} items`, zh: `最多 ${String(params.limit)} 项` });
        break;
      case 'minLength':
        add(path, { en: 'must not be empty', zh: '不能为空' });
        break;
      case 'maxLength':
        add(path, { en: `must be at most ${String(params.limit)} characters long`, zh: `最多 ${String(params.limit)} 个字符` });
        break;
      case 'minProperties':
        add(path, { en: `must have at least ${String(params.limit)} entr${params.limit === 1 ? 'y' : 'ies'}`, zh: `至少须有 ${String(params.limit)} 项` });
        break;
      case 'maxProperties':
        add(path, { en: `must have at most ${String(params.limit)} entries`, zh: `最多 ${String(params.limit)} 项` });
        break;
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum': {
        const [en, zh] = { minimum: ['at least', '不小于'], maximum: ['at most', '不大于'], exclusiveMinimum: ['greater than', '大于'], exclusiveMaximum: ['less than', '小于'] }[e.keyword];
        add(path, { en: `must be ${en} ${String(params.limit)}, got ${got.en}`, zh: `须${zh} ${String(params.limit)}，实际为 ${got.zh}` });
        break;
      }
      case 'uniqueItems':
        add(path, { en: `must not list the same value twice (items ${String(params.j)} and ${String(params.i)})`, zh: `不得重复列出同一值（第 ${String(params.j)} 项与第 ${String(params.i)} 项）` });
        break;
      default:
        add(path, { en: `${String(e.message)}, got ${got.en}`, zh: `不符合要求（${String(e.message)}），实际为 ${got.zh}` });
    }
  }
  return out;
}

const article = (type: string): string => (type === 'object' ? 'a map' : type === 'array' ? 'a list' : type === 'integer' ? 'a whole number' : type === 'null' ? 'null' : `a ${type}`);
const typeZh = (type: string): string =>
  ({ object: '映射', array: '列表', integer: '整数', number: '数字', string: '文本', boolean: '布尔值（true/false）', null: 'null' })[type] ?? type;

/** The rule of the field a pointer names: its last property name, skipping list positions. */
function fieldRule(rules: Readonly<Record<string, Bilingual>>, pointer: string, pattern: unknown): Bilingual {
  const field = pointer.split('/').reverse().find((s) => s !== '' && !/^\d+$/.test(s));
  const name = field === undefined ? '' : unescapePointer(field);
  if (Object.hasOwn(rules, name)) return rules[name]!;
  return pattern === undefined ? { en: 'is not in the expected form', zh: '格式不正确' } : { en: `must match ${String(pattern)}`, zh: `须符合 ${String(pattern)}` };
}

/** "string \"high\"", "a list", "nothing": the value a problem is about, for both languages. */
export function describeData(v: unknown): Bilingual {
  if (v === undefined) return { en: 'nothing', zh: '空' };
  if (v === null) return { en: 'null', zh: 'null' };
  if (Array.isArray(v)) return { en: 'a list', zh: '列表' };
  if (typeof v === 'object') return { en: 'a map', zh: '映射' };
  const text = JSON.stringify(v);
  const short = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return { en: `${typeof v} ${short}`, zh: `${typeZh(typeof v)} ${short}` };
}
