/**
 * What an accepted CAP message asks of the alert service, decided without touching it: which
 * alerts to raise (one per district an area touches), which earlier ones an Update supersedes
 * and which a Cancel withdraws. Pure; `cap-areas.ts` says where, this says what.
 *
 * Decisions (docs/reference/cap.md):
 *  - One draft per touched district, not per <info>: an alert centre acts per district, and
 *    translations of one warning (en-CA / fr-CA, en / zh) must not raise it twice. Where several
 *    infos touch a district, the most severe wins; among equals a Chinese one (zh-CN first),
 *    then English, then the first in the message.
 *  - dedupKey `cap:<sender>:<identifier>:<district code>`, with ':' and '%' in the sender and
 *    identifier percent-encoded so the key splits back unambiguously (URLs and tag: URIs, common
 *    as CAP senders and identifiers, contain colons).
 *  - An Update or Cancel names earlier messages, not districts: `supersedes` and `cancels` are
 *    key prefixes (`cap:<sender>:<identifier>:`) that match every district alert the earlier
 *    message raised.
 *  - status Actual raises; Exercise raises drafts marked `exercise`; Test, System and Draft
 *    raise nothing (CAP: "all recipients disregard" / not actionable). Ack and Error raise
 *    nothing. An info that says AllClear raises nothing: it ends the alert it updates.
 */
import type { AreaGeometry, Ring } from '../../geo/geometry.ts';
import { METERS_PER_DEGREE } from '../../geo/geometry.ts';
import { severityRank, type Severity } from '../sensing-model.ts';
import type { CapAreaTarget, CapCircleGcj02 } from './cap-areas.ts';
import type { CapDistrict } from './cap-geo.ts';
import type { CapCategory, CapCertainty, CapInfo, CapMessage, CapMsgType, CapReference, CapResponseType, CapSeverity, CapStatus, CapUrgency, CapValuePair } from './cap-model.ts';

// ───────────────────────────── the tables ─────────────────────────────

/**
 * CAP severity → the early-warning colours. Extreme ("extraordinary threat to life or property")
 * is 红 I, Severe ("significant threat") 橙 II, Moderate 黄 III; Minor and Unknown are 蓝 IV,
 * the lowest colour, because an unknown severity must still be seen, not dropped.
 */
export const CAP_SEVERITY_COLOURS: Readonly<Record<CapSeverity, Severity>> = {
  Extreme: 'red',
  Severe: 'orange',
  Moderate: 'yellow',
  Minor: 'blue',
  Unknown: 'blue',
};

/** One rule of a city pack's `capWarningCategories`: which case category a warning suggests. */
export interface CaseCategoryRule {
  /** Matched against the event and headline. */
  readonly words?: RegExp;
  /** Or, when no rule's words match: any of these CAP categories. */
  readonly categories?: readonly CapCategory[];
  readonly categoryCode: string;
}

/**
 * The case category a verifier is offered for a CAP alert: the city pack's rules
 * (`CityPackManifest.capWarningCategories`), checked in order, words first (so a pack lists the
 * most specific first: a flash flood before a flood). Nothing matches, or the pack gives no
 * rules: null — the alert is still raised and kept, and the verifier chooses a category before
 * any case opens.
 */
export function suggestCaseCategory(info: Pick<CapInfo, 'event' | 'headline' | 'category'>, rules: readonly CaseCategoryRule[] = []): string | null {
  const text = `${info.event} ${info.headline ?? ''}`;
  for (const r of rules) if (r.words?.test(text)) return r.categoryCode;
  for (const r of rules) if (r.categories?.some((c) => info.category.includes(c))) return r.categoryCode;
  return null;
}

/** Lower is preferred: zh-CN, other Chinese, English, anything else. */
function languageRank(language: string): number {
  const l = language.toLowerCase();
  if (l === 'zh-cn' || l === 'zh-hans-cn' || l === 'zh-hans') return 0;
  if (l === 'zh' || l.startsWith('zh-')) return 1;
  if (l === 'en' || l.startsWith('en-')) return 2;
  return 3;
}

// ───────────────────────────── keys ─────────────────────────────

function keyPart(s: string): string {
  return s.replace(/%/g, '%25').replace(/:/g, '%3A');
}

/** The key prefix of every alert one CAP message raised: `cap:<sender>:<identifier>:`. */
export function capKeyPrefix(sender: string, identifier: string): string {
  return `cap:${keyPart(sender)}:${keyPart(identifier)}:`;
}

/** The dedup key of the alert one CAP message raises in one district. */
export function capDedupKey(sender: string, identifier: string, districtCode: string): string {
  return `${capKeyPrefix(sender, identifier)}${districtCode}`;
}

// ───────────────────────────── the plan ─────────────────────────────

/** A bilingual reason. */
export interface CapReason {
  readonly zh: string;
  readonly en: string;
}

/**
 * One alert to raise. The first fields line up with the alert service's draft (source 'cap', an
 * area warning: no point, placed by its district); the rest is the CAP content for people.
 */
export interface CapAlertDraft {
  readonly dedupKey: string;
  readonly source: 'cap';
  readonly severity: Severity;
  readonly title: string;
  readonly description: string | null;
  /** The suggested case category (null: the verifier chooses). */
  readonly categoryCode: string | null;
  /** An area warning has no point. */
  readonly location: null;
  readonly jurisdictionCode: string;
  /** When the message was sent (ISO UTC). */
  readonly at: string;
  readonly evidence: Readonly<Record<string, unknown>>;

  readonly district: CapDistrict;
  readonly infoIndex: number;
  readonly language: string;
  readonly event: string;
  readonly instruction: string | null;
  readonly senderName: string | null;
  readonly web: string | null;
  readonly capSeverity: CapSeverity;
  readonly urgency: CapUrgency;
  readonly certainty: CapCertainty;
  readonly capCategories: CapCategory[];
  readonly responseType: CapResponseType[];
  /** ISO UTC; effective defaults to the sending time, as CAP says. */
  readonly effectiveUtc: string;
  readonly onsetUtc: string | null;
  readonly expiresUtc: string | null;
  /** The descriptions of the areas that touch this district, joined with '；'. */
  readonly areaDesc: string;
  /** Those areas in GCJ-02 for the map: polygons as they are, circles as 48-sided polygons. */
  readonly geometry: AreaGeometry | null;
  readonly circles: CapCircleGcj02[];
  /** status Exercise: for the exercise's participants only. */
  readonly exercise: boolean;
  /** The message that raised it. */
  readonly message: CapReference;
}

export interface CapPlacedArea {
  readonly infoIndex: number;
  readonly areaIndex: number;
  readonly areaDesc: string;
  readonly geocode: CapValuePair[];
}

export interface CapAlertPlan {
  readonly msgType: CapMsgType;
  readonly status: CapStatus;
  /** Alerts to raise (Alert, Update). */
  readonly drafts: CapAlertDraft[];
  /** Update: key prefixes (see `capKeyPrefix`) of the alerts this message replaces; clear them. */
  readonly supersedes: string[];
  /** Cancel: key prefixes of the alerts this message withdraws. */
  readonly cancels: string[];
  /** Areas with only geocodes or a description: we cannot place them. */
  readonly unmapped: CapPlacedArea[];
  /** Areas drawn wholly outside the city. */
  readonly outside: CapPlacedArea[];
  /** Why something (or everything) was not raised, for the import log. */
  readonly notes: CapReason[];
}

export interface PlanCapOptions {
  /** When given, infos that expired before it raise nothing. ISO-8601. */
  readonly now?: string;
  /** The city's words/CAP categories → case category rules; none: no category is suggested. */
  readonly caseCategoryRules?: readonly CaseCategoryRule[];
}

const CIRCLE_SIDES = 48;

/** A circle as a closed polygon, planar with the cos-latitude scale (fine at city scale). */
function circleRing(c: CapCircleGcj02): Ring {
  const [x, y] = c.center;
  const ry = c.radiusMeters / METERS_PER_DEGREE;
  const rx = ry / Math.max(Math.cos((y * Math.PI) / 180), 1e-6);
  const ring: Ring = [];
  for (let k = 0; k < CIRCLE_SIDES; k++) {
    const a = (2 * Math.PI * k) / CIRCLE_SIDES;
    ring.push([x + rx * Math.cos(a), y + ry * Math.sin(a)]);
  }
  ring.push([...ring[0]!]);
  return ring;
}

function areaGeometry(areas: readonly CapAreaTarget[]): AreaGeometry | null {
  const polygons: Ring[][] = [];
  for (const a of areas) {
    for (const ring of a.polygonsGcj02) polygons.push([ring.map(([x, y]) => [x, y])]);
    for (const c of a.circlesGcj02) if (c.radiusMeters > 0) polygons.push([circleRing(c)]);
  }
  return polygons.length === 0 ? null : { type: 'MultiPolygon', coordinates: polygons };
}

const DISREGARDED: Partial<Record<CapStatus, CapReason>> = {
  Test: { zh: '状态为 Test（技术测试，所有接收方均应忽略），不生成预警', en: 'status Test (technical testing, all recipients disregard): nothing raised' },
  System: { zh: '状态为 System（告警网络内部消息），不生成预警', en: 'status System (internal to the alerting network): nothing raised' },
  Draft: { zh: '状态为 Draft（草稿，不可执行），不生成预警', en: 'status Draft (a draft, not actionable): nothing raised' },
};

/**
 * The plan for one accepted message, given where its areas fall (`capAreaTargets`). See the
 * module comment for the rules; `docs/reference/cap.md` for the semantics the service applies.
 */
export function planCapAlerts(message: CapMessage, targets: readonly CapAreaTarget[], opts: PlanCapOptions = {}): CapAlertPlan {
  const notes: CapReason[] = [];
  const unmapped: CapPlacedArea[] = [];
  const outside: CapPlacedArea[] = [];
  for (const t of targets) {
    const placed = { infoIndex: t.infoIndex, areaIndex: t.areaIndex, areaDesc: t.areaDesc, geocode: t.geocode };
    if (!t.mapped) unmapped.push(placed);
    else if (t.districts.length === 0) outside.push(placed);
  }
  const prefixes = message.references.map((r) => capKeyPrefix(r.sender, r.identifier));
  const base = { msgType: message.msgType, status: message.status, unmapped, outside, notes };
  const nothing = (why: CapReason): CapAlertPlan => ({ ...base, drafts: [], supersedes: [], cancels: [], notes: [...notes, why] });

  const disregard = DISREGARDED[message.status];
  if (disregard) return nothing(disregard);
  if (message.msgType === 'Ack' || message.msgType === 'Error') {
    return nothing({ zh: `${message.msgType} 消息只是对其他消息的回执，不生成预警`, en: `an ${message.msgType} message only answers other messages: nothing raised` });
  }
  if (message.msgType === 'Cancel') {
    return { ...base, drafts: [], supersedes: [], cancels: prefixes };
  }

  // Which infos may raise anything.
  const usable = new Set<number>();
  message.infos.forEach((info, i) => {
    if (info.responseType.includes('AllClear')) {
      notes.push({ zh: `第 ${i + 1} 条 info 为“解除”（AllClear），不生成预警`, en: `info ${i} says AllClear: nothing raised for it` });
    } else if (opts.now !== undefined && info.expiresUtc !== undefined && info.expiresUtc < new Date(opts.now).toISOString()) {
      notes.push({ zh: `第 ${i + 1} 条 info 已于 ${info.expiresUtc} 失效`, en: `info ${i} expired at ${info.expiresUtc}` });
    } else {
      usable.add(i);
    }
  });

  // For each district, the winning info and every area of that info touching it.
  const byDistrict = new Map<string, { district: CapDistrict; infoIndex: number; areas: CapAreaTarget[] }>();
  const better = (a: number, b: number): boolean => {
    const ia = message.infos[a]!, ib = message.infos[b]!;
    const sa = severityRank(CAP_SEVERITY_COLOURS[ia.severity]), sb = severityRank(CAP_SEVERITY_COLOURS[ib.severity]);
    if (sa !== sb) return sa > sb;
    const la = languageRank(ia.language), lb = languageRank(ib.language);
    return la !== lb ? la < lb : a < b;
  };
  for (const t of targets) {
    if (!usable.has(t.infoIndex)) continue;
    for (const d of t.districts) {
      const cur = byDistrict.get(d.code);
      if (!cur || better(t.infoIndex, cur.infoIndex)) byDistrict.set(d.code, { district: d, infoIndex: t.infoIndex, areas: [t] });
      else if (cur.infoIndex === t.infoIndex) cur.areas.push(t);
    }
  }

  const exercise = message.status === 'Exercise';
  const ref: CapReference = { sender: message.sender, identifier: message.identifier, sent: message.sent };
  const drafts: CapAlertDraft[] = [...byDistrict.values()]
    .sort((a, b) => (a.district.code < b.district.code ? -1 : 1))
    .map(({ district, infoIndex, areas }) => {
      const info = message.infos[infoIndex]!;
      const severity = CAP_SEVERITY_COLOURS[info.severity];
      const areaDesc = [...new Set(areas.map((a) => a.areaDesc))].join('；');
      const draft = {
        dedupKey: capDedupKey(message.sender, message.identifier, district.code),
        source: 'cap' as const,
        severity,
        title: info.headline ?? info.event,
        description: info.description ?? null,
        categoryCode: suggestCaseCategory(info, opts.caseCategoryRules),
        location: null,
        jurisdictionCode: district.code,
        at: message.sentUtc,
        district,
        infoIndex,
        language: info.language,
        event: info.event,
        instruction: info.instruction ?? null,
        senderName: info.senderName ?? null,
        web: info.web ?? null,
        capSeverity: info.severity,
        urgency: info.urgency,
        certainty: info.certainty,
        capCategories: info.category,
        responseType: info.responseType,
        effectiveUtc: info.effectiveUtc ?? message.sentUtc,
        onsetUtc: info.onsetUtc ?? null,
        expiresUtc: info.expiresUtc ?? null,
        areaDesc,
        geometry: areaGeometry(areas),
        circles: areas.flatMap((a) => a.circlesGcj02),
        exercise,
        message: ref,
      };
      const evidence = {
        cap: {
          ...ref,
          msgType: message.msgType,
          status: message.status,
          event: draft.event,
          language: draft.language,
          severity: draft.capSeverity,
          urgency: draft.urgency,
          certainty: draft.certainty,
          categories: draft.capCategories,
          responseType: draft.responseType,
          senderName: draft.senderName,
          instruction: draft.instruction,
          web: draft.web,
          areaDesc,
          effective: draft.effectiveUtc,
          onset: draft.onsetUtc,
          expires: draft.expiresUtc,
          signed: message.signed,
          exercise,
        },
        geometry: draft.geometry,
      };
      return { ...draft, evidence };
    });

  if (drafts.length === 0 && usable.size > 0) {
    notes.push(
      targets.some((t) => t.mapped && usable.has(t.infoIndex))
        ? { zh: '消息的区域不在本市范围内，不生成预警', en: "the message's areas lie outside the city: nothing raised" }
        : { zh: '消息的区域无法在地图上定位（只有地理编码或描述），不生成预警', en: "the message's areas cannot be placed on the map (geocodes or descriptions only): nothing raised" },
    );
  }
  return { ...base, drafts, supersedes: message.msgType === 'Update' ? prefixes : [], cancels: [] };
}
