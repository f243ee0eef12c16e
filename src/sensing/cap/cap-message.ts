/**
 * Common Alerting Protocol (CAP) messages: `parseCap`, which reads a message with the strict XML
 * reader and validates it against the rules of OASIS CAP 1.2 (and 1.1, which is still what many
 * feeds send): the schema's element order and cardinality, its enumerations and
 * data types, and the rules the specification states in prose (no spaces or commas in an
 * identifier, an offset on every time, closed polygons of at least four points, restriction
 * with a Restricted scope, addresses with a Private one, references for an Update, Cancel, Ack or
 * Error). A refused message comes back with every problem found, each with a path such as
 * `/alert/info[0]/area[1]/polygon[0]` and a message in Chinese and English; nothing throws.
 *
 * One rule is ours, not CAP's: an Alert or Update must carry at least one <info>. CAP allows an
 * empty one, but it names no event, severity or area, so there is nothing to import.
 *
 * The message's types are in `cap-model.ts`, the grammar of single values in `cap-values.ts`, the
 * schema's sequences and the problem-collecting `Checker` in `cap-schema.ts`; this module reads
 * the alert, its infos, resources and areas with them. Reference: docs/reference/cap.md.
 */
import { readXml, type XmlReadOptions } from './cap-xml.ts';
import type { XmlElement } from './cap-xml-tree.ts';
import {
  CAP_1_0_NAMESPACE,
  CAP_1_1_RESPONSE_TYPES,
  CAP_CATEGORIES,
  CAP_CERTAINTIES,
  CAP_MSG_TYPES,
  CAP_NAMESPACES,
  CAP_RESPONSE_TYPES,
  CAP_SCOPES,
  CAP_SEVERITIES,
  CAP_STATUSES,
  CAP_URGENCIES,
  type CapArea,
  type CapCategory,
  type CapCertainty,
  type CapCircle,
  type CapInfo,
  type CapLonLat,
  type CapMessage,
  type CapParseResult,
  type CapProblem,
  type CapReference,
  type CapResource,
  type CapResponseType,
  type CapVersion,
} from './cap-model.ts';
import { absoluteUri, capIdentifierProblem, isCapInteger, isCapLanguage, parseCapCircle, parseCapDateTime, parseCapPolygon, splitCapList } from './cap-values.ts';
import { ALERT_SEQUENCE, AREA_SEQUENCE, Checker, INFO_SEQUENCE, RESOURCE_11_SEQUENCE, RESOURCE_12_SEQUENCE } from './cap-schema.ts';

// ───────────────────────────── reading the message ─────────────────────────────

function readInfo(c: Checker, item: { el: XmlElement; path: string }): CapInfo {
  const { groups } = c.sequence(item.el, item.path, INFO_SEQUENCE);
  const path = item.path;

  const languageItem = groups.get('language')![0];
  let language = 'en-US';
  if (languageItem) {
    const t = c.text(languageItem).trim();
    if (!isCapLanguage(t)) c.error(languageItem.path, `语言代码“${t}”无效（如 zh-CN）`, `language "${t}" is not a valid language tag (such as zh-CN)`, languageItem.el);
    else language = t;
  }
  const category = groups.get('category')!.map((_, i) => c.enumerated(groups, 'category', CAP_CATEGORIES, i)).filter((v): v is CapCategory => v !== null);
  const event = c.requiredText(groups, 'event');
  const allowedResponses = c.version === '1.1' ? CAP_1_1_RESPONSE_TYPES : CAP_RESPONSE_TYPES;
  const responseType = groups.get('responseType')!.map((_, i) => c.enumerated(groups, 'responseType', allowedResponses, i)).filter((v): v is CapResponseType => v !== null);
  const urgency = c.enumerated(groups, 'urgency', CAP_URGENCIES);
  const severity = c.enumerated(groups, 'severity', CAP_SEVERITIES);
  let certainty: CapCertainty | null;
  const certaintyItem = groups.get('certainty')![0];
  if (c.version === '1.1' && certaintyItem && c.text(certaintyItem) === 'Very Likely') {
    // CAP 1.0's "Very Likely", deprecated in 1.1, which says to read it as Likely.
    c.warn(certaintyItem.path, '已弃用的“Very Likely”按“Likely”处理', 'deprecated "Very Likely" read as "Likely"');
    certainty = 'Likely';
  } else {
    certainty = c.enumerated(groups, 'certainty', CAP_CERTAINTIES);
  }

  const effective = c.time(groups.get('effective')![0]);
  const onset = c.time(groups.get('onset')![0]);
  const expires = c.time(groups.get('expires')![0]);
  if (expires && effective && expires.utc < effective.utc) c.warn(`${path}/expires`, '失效时间早于生效时间', 'expires is earlier than effective');

  const webItem = groups.get('web')![0];
  let web: string | undefined;
  if (webItem) {
    const t = c.text(webItem).trim();
    if (t !== '' && !absoluteUri(t)) c.error(webItem.path, `<web> 应为完整的绝对 URI，而不是“${t}”`, `<web> must be a full absolute URI, not "${t}"`, webItem.el);
    else if (t !== '') web = t;
  }

  const resource = groups.get('resource')!.map((r): CapResource => {
    const { groups: g } = c.sequence(r.el, r.path, c.version === '1.1' ? RESOURCE_11_SEQUENCE : RESOURCE_12_SEQUENCE);
    const sizeItem = g.get('size')![0];
    let size: number | undefined;
    if (sizeItem) {
      const t = c.text(sizeItem).trim();
      if (!isCapInteger(t) || Number(t) < 0) c.error(sizeItem.path, `<size> 应为非负整数（字节），而不是“${t}”`, `<size> must be a non-negative integer (bytes), not "${t}"`, sizeItem.el);
      else size = Number(t);
    }
    return {
      resourceDesc: c.requiredText(g, 'resourceDesc'),
      mimeType: c.optionalText(g, 'mimeType'),
      size,
      uri: c.optionalText(g, 'uri'),
      derefUri: c.optionalText(g, 'derefUri'),
      digest: c.optionalText(g, 'digest'),
    };
  });

  const area = groups.get('area')!.map((a): CapArea => {
    const { groups: g } = c.sequence(a.el, a.path, AREA_SEQUENCE);
    const polygon: CapLonLat[][] = [];
    for (const p of g.get('polygon')!) {
      if (c.ignoredIfEmpty(p)) continue;
      const r = parseCapPolygon(c.text(p));
      if (r.ok) polygon.push(r.ring);
      else c.error(p.path, r.why.zh, r.why.en, p.el);
    }
    const circle: CapCircle[] = [];
    for (const p of g.get('circle')!) {
      if (c.ignoredIfEmpty(p)) continue;
      const r = parseCapCircle(c.text(p));
      if (!r.ok) c.error(p.path, r.why.zh, r.why.en, p.el);
      else {
        if (r.circle.radiusKm === 0) c.warn(p.path, '半径为 0 的圆只是一个点', 'a circle of radius 0 is a single point');
        circle.push(r.circle);
      }
    }
    const altitude = c.decimal(g.get('altitude')![0]);
    const ceiling = c.decimal(g.get('ceiling')![0]);
    if (g.get('ceiling')!.length > 0 && g.get('altitude')!.length === 0) {
      c.error(`${a.path}/ceiling`, '<ceiling> 只能与 <altitude> 一起使用', '<ceiling> may only be used together with <altitude>', a.el);
    }
    return {
      areaDesc: c.requiredText(g, 'areaDesc'),
      polygon,
      circle,
      geocode: c.pairs(g.get('geocode')!, true),
      altitude,
      ceiling,
    };
  });

  return {
    language,
    category,
    event,
    responseType,
    urgency: urgency ?? 'Unknown',
    severity: severity ?? 'Unknown',
    certainty: certainty ?? 'Unknown',
    audience: c.optionalText(groups, 'audience'),
    eventCode: c.pairs(groups.get('eventCode')!),
    effective: effective?.text,
    effectiveUtc: effective?.utc,
    onset: onset?.text,
    onsetUtc: onset?.utc,
    expires: expires?.text,
    expiresUtc: expires?.utc,
    senderName: c.optionalText(groups, 'senderName'),
    headline: c.optionalText(groups, 'headline'),
    description: c.optionalText(groups, 'description'),
    instruction: c.optionalText(groups, 'instruction'),
    web,
    contact: c.optionalText(groups, 'contact'),
    parameter: c.pairs(groups.get('parameter')!),
    resource,
    area,
  };
}

function parseReferences(c: Checker, item: { el: XmlElement; path: string }): CapReference[] {
  const text = c.text(item).trim();
  if (text === '') {
    c.error(item.path, '<references> 存在却为空：应列出至少一条“发送者,标识,发送时间”', '<references> is present but empty: it must list at least one "sender,identifier,sent"', item.el);
    return [];
  }
  const out: CapReference[] = [];
  for (const token of text.split(/\s+/)) {
    const parts = token.split(',');
    if (parts.length !== 3) {
      c.error(item.path, `引用“${token}”应为“发送者,标识,发送时间”`, `reference "${token}" should be "sender,identifier,sent"`, item.el);
      continue;
    }
    const [sender, identifier, sent] = parts as [string, string, string];
    const bad = capIdentifierProblem(sender) ?? capIdentifierProblem(identifier);
    const t = parseCapDateTime(sent, c.version);
    if (bad) c.error(item.path, `引用“${token}”：${bad.zh}`, `reference "${token}": ${bad.en}`, item.el);
    else if (!t.ok) c.error(item.path, `引用“${token}”：${t.why.zh}`, `reference "${token}": ${t.why.en}`, item.el);
    else out.push({ sender, identifier, sent });
  }
  return out;
}

/** The message as a whole: root, version, then the alert block. */
function readAlert(root: XmlElement, warnings: CapProblem[]): { message: CapMessage | null; errors: CapProblem[]; warnings: CapProblem[] } {
  const at = { line: root.line, column: root.column };
  if (root.local !== 'alert' || (root.ns !== CAP_NAMESPACES['1.2'] && root.ns !== CAP_NAMESPACES['1.1'])) {
    const ns = root.ns ?? '';
    const message =
      ns === CAP_1_0_NAMESPACE || /cap:1\.0$/.test(ns)
        ? { zh: '不支持 CAP 1.0（命名空间 ' + ns + '）：请发送 CAP 1.2 或 1.1', en: `CAP 1.0 (namespace ${ns}) is not supported: send CAP 1.2 or 1.1` }
        : root.local === 'alert'
          ? { zh: `<alert> 的命名空间“${ns}”不是 CAP 1.2 或 1.1 的命名空间`, en: `<alert> is in namespace "${ns}", not that of CAP 1.2 or 1.1` }
          : root.local === 'feed' || root.local === 'rss'
            ? { zh: `这是一个订阅源（<${root.local}>），不是 CAP 消息：请逐条读取其中链接的 CAP 消息`, en: `this is a feed (<${root.local}>), not a CAP message: read the CAP messages its entries link to` }
            : { zh: `根元素 <${root.name}> 不是 CAP 的 <alert>`, en: `the root element <${root.name}> is not a CAP <alert>` };
    return { message: null, errors: [{ path: '/', message, ...at }], warnings };
  }
  const version: CapVersion = root.ns === CAP_NAMESPACES['1.2'] ? '1.2' : '1.1';
  const c = new Checker(version, root.ns);
  c.warnings.push(...warnings);
  const path = '/alert';
  const { groups, signed } = c.sequence(root, path, ALERT_SEQUENCE, true);

  const identifier = c.requiredText(groups, 'identifier');
  const sender = c.requiredText(groups, 'sender');
  for (const name of ['identifier', 'sender'] as const) {
    const item = groups.get(name)![0];
    const value = name === 'identifier' ? identifier : sender;
    const bad = item && value !== '' ? capIdentifierProblem(value) : null;
    if (item && bad) c.error(item.path, `<${name}> ${bad.zh}`, `<${name}> ${bad.en}`, item.el);
  }
  const sent = c.time(groups.get('sent')![0]);
  const status = c.enumerated(groups, 'status', CAP_STATUSES);
  const msgType = c.enumerated(groups, 'msgType', CAP_MSG_TYPES);
  const scope = c.enumerated(groups, 'scope', CAP_SCOPES);
  const restriction = c.optionalText(groups, 'restriction');
  const addressesText = c.optionalText(groups, 'addresses');
  const addresses = addressesText === undefined ? undefined : splitCapList(addressesText);
  if (scope === 'Restricted' && restriction === undefined) {
    c.error(`${path}/restriction`, '范围为 Restricted 时必须填写 <restriction>', '<restriction> is required when <scope> is Restricted', root);
  }
  if (scope === 'Private' && (addresses === undefined || addresses.length === 0)) {
    c.error(`${path}/addresses`, '范围为 Private 时必须填写 <addresses>', '<addresses> is required when <scope> is Private', root);
  }
  const code = groups.get('code')!.map((x) => c.text(x).trim());
  const note = c.optionalText(groups, 'note');
  const referencesItem = groups.get('references')![0];
  const references = referencesItem ? parseReferences(c, referencesItem) : [];
  if (msgType !== null && msgType !== 'Alert' && !referencesItem) {
    // Update, Cancel, Ack and Error are defined by the messages they name in <references>.
    c.error(`${path}/references`, `类型为 ${msgType} 的消息必须在 <references> 中指明所针对的消息`, `a ${msgType} message must name the message(s) it refers to in <references>`, root);
  }
  if (msgType === 'Error' && note === undefined) c.warn(`${path}/note`, 'Error 消息应在 <note> 中说明原因', 'an Error message should explain itself in <note>');
  const incidentsText = c.optionalText(groups, 'incidents');
  const infos = groups.get('info')!.map((x) => readInfo(c, x));
  if ((msgType === 'Alert' || msgType === 'Update') && infos.length === 0) {
    c.error(
      `${path}/info`,
      `${msgType} 消息没有任何 <info>：没有事件、严重程度与区域，无可导入的内容（CAP 允许，本平台的导入规则不允许）`,
      `the ${msgType} message has no <info>: no event, severity or area, so nothing to import (CAP allows it; our import rule does not)`,
      root,
    );
  }
  if (sent && infos.some((i) => i.expiresUtc !== undefined && i.expiresUtc < sent.utc)) {
    c.warn(`${path}/info`, '有 <info> 在发送之前就已失效', 'an <info> expires before the message was sent');
  }
  if (signed) {
    c.warn(`${path}/Signature`, '消息带有 XML 签名，但签名未经验证：不能据此确认发送者身份', 'the message carries an XML signature, which is NOT verified: it does not authenticate the sender');
  }

  if (c.errors.length > 0 || status === null || msgType === null || scope === null || !sent) {
    return { message: null, errors: c.errors, warnings: c.warnings };
  }
  const message: CapMessage = {
    version,
    identifier,
    sender,
    sent: sent.text,
    sentUtc: sent.utc,
    status,
    msgType,
    source: c.optionalText(groups, 'source'),
    scope,
    restriction,
    addresses,
    code,
    note,
    references,
    incidents: incidentsText === undefined ? undefined : splitCapList(incidentsText),
    infos,
    signed,
  };
  return { message, errors: [], warnings: c.warnings };
}

function formatProblem(p: CapProblem): string {
  return `${p.path}: ${p.message.zh} / ${p.message.en}`;
}

/**
 * Reads and validates one CAP message. `input`: the raw bytes (so that the declared encoding is
 * honoured) or a decoded string. Warnings are "path: 中文 / English" lines about what was accepted
 * but deserves a look (an unverified signature, a stylesheet hint that was ignored, +00:00 …).
 */
export function parseCap(input: Uint8Array | string, options: XmlReadOptions = {}): CapParseResult {
  const xml = readXml(input, options);
  if (!xml.ok) {
    return { ok: false, errors: xml.errors.map((e) => ({ path: '/', message: e.message, line: e.line, column: e.column })) };
  }
  const pre: CapProblem[] = xml.document.ignoredStylesheets.map((s) => ({
    path: '/',
    message: { zh: `忽略样式表处理指令（${s}），从不加载`, en: `stylesheet processing instruction ignored (${s}), never loaded` },
  }));
  try {
    const { message, errors, warnings } = readAlert(xml.document.root, pre);
    if (!message) return { ok: false, errors };
    return { ok: true, message, warnings: warnings.map(formatProblem) };
  } catch (e) {
    // Defence in depth: a bug here must not let a hostile message crash the caller.
    return { ok: false, errors: [{ path: '/', message: { zh: `校验 CAP 消息时出错：${String(e)}`, en: `could not check the CAP message: ${String(e)}` } }] };
  }
}
