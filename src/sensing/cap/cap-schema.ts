/**
 * The CAP schema as data (the <sequence>s of CAP-v1.2.xsd: order and cardinality of each
 * element's children) and the `Checker` that matches an element against one and reads simple
 * values, collecting problems and warnings with their paths instead of throwing.
 */
import { childElements, directText, type XmlElement } from './cap-xml-tree.ts';
import { CAP_NAMESPACES, XMLDSIG_NAMESPACE, XSI_NAMESPACE, type CapProblem, type CapValuePair, type CapVersion } from './cap-model.ts';
import { parseCapDateTime, parseDecimal } from './cap-values.ts';

// ───────────────────────────── the schema, as data ─────────────────────────────

interface Field {
  readonly name: string;
  readonly min: 0 | 1;
  readonly many: boolean;
}
const one = (name: string): Field => ({ name, min: 1, many: false });
const opt = (name: string): Field => ({ name, min: 0, many: false });
const some = (name: string): Field => ({ name, min: 1, many: true });
const any = (name: string): Field => ({ name, min: 0, many: true });

// The <sequence>s of CAP-v1.2.xsd (1.1 differs only in resource/mimeType being optional).
export const ALERT_SEQUENCE: readonly Field[] = [
  one('identifier'), one('sender'), one('sent'), one('status'), one('msgType'), opt('source'), one('scope'),
  opt('restriction'), opt('addresses'), any('code'), opt('note'), opt('references'), opt('incidents'), any('info'),
];
export const INFO_SEQUENCE: readonly Field[] = [
  opt('language'), some('category'), one('event'), any('responseType'), one('urgency'), one('severity'), one('certainty'),
  opt('audience'), any('eventCode'), opt('effective'), opt('onset'), opt('expires'), opt('senderName'), opt('headline'),
  opt('description'), opt('instruction'), opt('web'), opt('contact'), any('parameter'), any('resource'), any('area'),
];
export const RESOURCE_12_SEQUENCE: readonly Field[] = [one('resourceDesc'), one('mimeType'), opt('size'), opt('uri'), opt('derefUri'), opt('digest')];
export const RESOURCE_11_SEQUENCE: readonly Field[] = [one('resourceDesc'), opt('mimeType'), opt('size'), opt('uri'), opt('derefUri'), opt('digest')];
export const AREA_SEQUENCE: readonly Field[] = [one('areaDesc'), any('polygon'), any('circle'), any('geocode'), opt('altitude'), opt('ceiling')];
export const PAIR_SEQUENCE: readonly Field[] = [one('valueName'), one('value')];

export type Groups = Map<string, { el: XmlElement; path: string }[]>;

/** Collects every problem of one message while its elements are matched and read; never throws. */
export class Checker {
  readonly errors: CapProblem[] = [];
  readonly warnings: CapProblem[] = [];

  constructor(
    readonly version: CapVersion,
    readonly ns: string,
  ) {}

  error(path: string, zh: string, en: string, el?: XmlElement): void {
    this.errors.push(el ? { path, message: { zh, en }, line: el.line, column: el.column } : { path, message: { zh, en } });
  }

  warn(path: string, zh: string, en: string): void {
    this.warnings.push({ path, message: { zh, en } });
  }

  /** CAP elements carry no attributes; xsi hints are tolerated (and never followed). */
  attributes(el: XmlElement, path: string): void {
    for (const a of el.attributes) {
      if (a.ns === XSI_NAMESPACE) this.warn(path, `忽略属性 ${a.name}（从不据此加载任何内容）`, `attribute ${a.name} ignored (nothing is ever loaded from it)`);
      else this.error(path, `CAP 元素不带属性，却出现了 ${a.name}`, `CAP elements take no attributes; found ${a.name}`, el);
    }
  }

  /**
   * Matches the element's children against a schema <sequence>: unknown elements, elements in
   * the wrong order, repeats of single elements and missing required ones are all reported.
   * `signatureAllowed`: the alert may end with elements of the XML-signature namespace.
   */
  sequence(el: XmlElement, path: string, fields: readonly Field[], signatureAllowed = false): { groups: Groups; signed: boolean } {
    this.attributes(el, path);
    const groups: Groups = new Map(fields.map((f) => [f.name, []]));
    let furthest = -1;
    let signed = false;
    let inSignature = false;
    for (const c of el.children) {
      if (c.kind === 'text') {
        if (c.text.trim() !== '') this.error(path, `<${el.local}> 中不得直接出现文本`, `<${el.local}> may not contain text directly`, el);
        continue;
      }
      if (c.ns === XMLDSIG_NAMESPACE && signatureAllowed) {
        inSignature = true;
        if (c.local === 'Signature') signed = true;
        continue;
      }
      const name = c.ns === this.ns ? c.local : `{${c.ns ?? ''}}${c.local}`;
      const k = c.ns === this.ns ? fields.findIndex((f) => f.name === c.local) : -1;
      const list = k >= 0 ? groups.get(fields[k]!.name)! : null;
      const childPath = `${path}/${c.local}${k >= 0 && fields[k]!.many ? `[${list!.length}]` : ''}`;
      if (k < 0) {
        if (c.ns !== this.ns && c.ns !== null && Object.values(CAP_NAMESPACES).includes(c.ns as never)) {
          this.error(childPath, `CAP ${this.version} 消息中不得混用其他版本的元素 <${c.local}>`, `element <${c.local}> from another CAP version in a CAP ${this.version} message`, c);
        } else {
          this.error(childPath, `<${el.local}> 中不允许元素 <${name}>`, `element <${name}> is not allowed in <${el.local}>`, c);
        }
        continue;
      }
      if (inSignature) this.error(childPath, `<${c.local}> 不得出现在签名之后`, `<${c.local}> may not follow the signature`, c);
      else if (k < furthest) {
        this.error(childPath, `<${c.local}> 位置错误：应在 <${fields[furthest]!.name}> 之前`, `<${c.local}> is out of order: it must come before <${fields[furthest]!.name}>`, c);
      }
      if (!fields[k]!.many && list!.length >= 1) this.error(childPath, `<${c.local}> 只能出现一次`, `<${c.local}> may appear only once`, c);
      furthest = Math.max(furthest, k);
      list!.push({ el: c, path: childPath });
    }
    for (const f of fields) {
      if (f.min === 1 && groups.get(f.name)!.length === 0) {
        this.error(`${path}/${f.name}`, `缺少必需的元素 <${f.name}>`, `required element <${f.name}> is missing`, el);
      }
    }
    return { groups, signed };
  }

  /** The text of a simple element (no child elements allowed). */
  text(item: { el: XmlElement; path: string }): string {
    this.attributes(item.el, item.path);
    if (childElements(item.el).length > 0) {
      this.error(item.path, `<${item.el.local}> 只能包含文本`, `<${item.el.local}> must contain text only`, item.el);
    }
    return directText(item.el);
  }

  /** The first (only) element of a group, as trimmed text; undefined when absent or empty. */
  optionalText(groups: Groups, name: string): string | undefined {
    const item = groups.get(name)?.[0];
    if (!item) return undefined;
    const t = this.text(item).trim();
    return t === '' ? undefined : t;
  }

  requiredText(groups: Groups, name: string): string {
    const item = groups.get(name)?.[0];
    if (!item) return '';
    const t = this.text(item).trim();
    if (t === '') this.error(item.path, `<${name}> 不得为空`, `<${name}> must not be empty`, item.el);
    return t;
  }

  /** An enumerated value: the schema's xs:string facets compare the text exactly. */
  enumerated<T extends string>(groups: Groups, name: string, allowed: readonly T[], index = 0): T | null {
    const item = groups.get(name)?.[index];
    if (!item) return null;
    const raw = this.text(item);
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    const hint = (allowed as readonly string[]).includes(raw.trim()) ? { zh: '（不得带首尾空白）', en: ' (no surrounding white space allowed)' } : { zh: '', en: '' };
    this.error(
      item.path,
      `<${name}> 的值“${raw}”无效${hint.zh}，应为 ${allowed.join('、')} 之一`,
      `<${name}> value "${raw}" is not valid${hint.en}; expected one of ${allowed.join(', ')}`,
      item.el,
    );
    return null;
  }

  time(item: { el: XmlElement; path: string } | undefined): { text: string; utc: string } | undefined {
    if (!item) return undefined;
    const text = this.text(item).trim();
    const t = parseCapDateTime(text, this.version);
    if (!t.ok) {
      this.error(item.path, t.why.zh, t.why.en, item.el);
      return undefined;
    }
    if (t.utcZero && text.endsWith('+00:00') && this.version === '1.2') {
      this.warn(item.path, 'CAP 1.2 规定 UTC 写作 -00:00（此处为 +00:00，按同一时刻接受）', 'CAP 1.2 writes UTC as -00:00 (found +00:00; accepted as the same instant)');
    }
    return { text, utc: t.utc };
  }

  pair(item: { el: XmlElement; path: string }): CapValuePair {
    const { groups } = this.sequence(item.el, item.path, PAIR_SEQUENCE);
    const valueName = groups.get('valueName')![0];
    const value = groups.get('value')![0];
    return { valueName: valueName ? this.text(valueName).trim() : '', value: value ? this.text(value).trim() : '' };
  }

  /**
   * Real feeds send optional elements empty (NWS: `<polygon></polygon>`, `<geocode>` without a
   * value, `<instruction/>`): an empty optional element says nothing, so it is skipped with a
   * warning rather than refusing the whole message. Required elements stay required.
   */
  ignoredIfEmpty(item: { el: XmlElement; path: string }): boolean {
    if (childElements(item.el).length > 0 || directText(item.el).trim() !== '') return false;
    this.warn(item.path, `空的 <${item.el.local}> 已忽略`, `empty <${item.el.local}> ignored`);
    return true;
  }

  /**
   * Value pairs (geocode, eventCode, parameter); an empty element is skipped. `dropEmptyValue`:
   * a geocode without a value names no place and is skipped too (a parameter's empty value may
   * mean something, "no resources allocated", and is kept).
   */
  pairs(items: readonly { el: XmlElement; path: string }[], dropEmptyValue = false): CapValuePair[] {
    const out: CapValuePair[] = [];
    for (const item of items) {
      if (this.ignoredIfEmpty(item)) continue;
      const p = this.pair(item);
      if (dropEmptyValue && p.value === '') {
        this.warn(item.path, `<${item.el.local}> ${p.valueName} 的值为空，已忽略`, `<${item.el.local}> ${p.valueName} has an empty value; ignored`);
        continue;
      }
      out.push(p);
    }
    return out;
  }

  decimal(item: { el: XmlElement; path: string } | undefined): number | undefined {
    if (!item) return undefined;
    const text = this.text(item);
    const n = parseDecimal(text);
    if (n === null) {
      // CAP 1.1 typed altitude and ceiling as strings; 1.2 as decimals.
      if (this.version === '1.1') this.warn(item.path, `“${text.trim()}”不是数字，已忽略`, `"${text.trim()}" is not a number; ignored`);
      else this.error(item.path, `<${item.el.local}> 的值“${text.trim()}”不是十进制数`, `<${item.el.local}> value "${text.trim()}" is not a decimal number`, item.el);
      return undefined;
    }
    return n;
  }
}
