/**
 * Warnings from other systems (CAP 1.2, 1.1 accepted), in and out, with I/O: a message is parsed
 * strictly (`parseCap`: no DTD, no entities), its areas become the districts of the city they
 * touch, and in one transaction it is kept (once: sender + identifier) and its alerts are raised,
 * superseded (Update) or withdrawn (Cancel). Feeds are fetched through the outbound client
 * (`src/outbound/`): allow-listed hosts, public addresses only, limits on time and size.
 *
 * Our own exports coming back (a feed that echoes what we published) are recognised by their
 * sender (`CAP_SENDER`) and raise nothing: otherwise every export would loop into a second alert.
 * A URL's document that is refused is refused without saying what it was: the answer names
 * neither its content nor its problems (they are in the server log; POST the document itself to
 * see them).
 */
import type { StoreAdapter } from '../../store/store.ts';
import type { Clock } from '../../clock.ts';
import type { JurisdictionResolver } from '../../geo/resolver.ts';
import { CityLoopError, isCityLoopError } from '../../errors.ts';
import { AlertOutbox, type AlertService } from '../alerts/alert-service.ts';
import type { AlertDoc } from '../alerts/alert-model.ts';
import { parseCap } from './cap-message.ts';
import { capAreaTargets } from './cap-areas.ts';
import { capGeographyFromResolver } from './cap-geo.ts';
import { planCapAlerts, type CapAlertPlan, type CaseCategoryRule } from './cap-warnings.ts';
import { alertToCap, type CapCategoryMapping } from './cap-export.ts';
import { capFeedLinks } from './cap-feed.ts';
import type { OutboundClient } from '../../outbound/outbound-fetch.ts';
import type { CapMessage } from './cap-model.ts';

/**
 * What we know of a message's XML signature. We do not verify signatures (no trusted keys are
 * configured), so a signed message is `signed-unverified`; `verified` is reserved for when we do.
 */
export type CapSignatureStatus = 'unsigned' | 'signed-unverified' | 'verified';

export function capSignatureStatus(m: Pick<CapMessage, 'signed'>): CapSignatureStatus {
  return m.signed ? 'signed-unverified' : 'unsigned';
}

/** The alert id an identifier of our exports names (`cityloop.<alert id>[.suffix]`), or null. */
export function exportedAlertIdOf(identifier: string): string | null {
  const m = /^cityloop\.([^.]+)(?:\.|$)/.exec(identifier);
  return m ? m[1]! : null;
}

/**
 * Ours, recognised by sender and identifier: a message sent under our own sender, or whose
 * identifier is that of an export of one of our alerts (a relay that kept our identifier under its
 * own sender), or an answer (Update, Cancel, a re-broadcast) whose references all name messages of
 * ours in the same way. `knownAlertIds`: which of the alert ids named exist here. Pure.
 */
export function isOwnCapMessage(m: Pick<CapMessage, 'sender' | 'identifier' | 'references'>, ownSender: string, knownAlertIds: ReadonlySet<string> = new Set()): boolean {
  const ours = (sender: string, identifier: string) => {
    if (sender === ownSender) return true;
    const id = exportedAlertIdOf(identifier);
    return id !== null && knownAlertIds.has(id);
  };
  if (ours(m.sender, m.identifier)) return true;
  return m.references.length > 0 && m.references.every((r) => ours(r.sender, r.identifier));
}

export interface CapImportResult {
  readonly sender: string;
  readonly identifier: string;
  readonly msgType: string;
  readonly duplicate: boolean;
  /** Our own export (or an answer to ours only) came back: recognised, nothing kept or raised. */
  readonly ownMessage: boolean;
  readonly signature: CapSignatureStatus;
  readonly raised: { id: string; number: string; districtCode: string | null; severity: string }[];
  readonly ended: number;
  readonly outside: number;
  readonly unmapped: number;
  readonly notes: CapAlertPlan['notes'];
  readonly warnings: string[];
}

export interface CapIntakeDeps {
  readonly store: StoreAdapter;
  readonly clock: Clock;
  readonly resolver: () => JurisdictionResolver;
  readonly alerts: AlertService;
  readonly log?: { warn(o: unknown, msg?: string): void; error(o: unknown, msg?: string): void } | undefined;
  readonly outbound: OutboundClient;
  /** CAP_SENDER: the sender of our exports. */
  readonly ownSender: string;
  /** The city pack's warning → case category rules; none: CAP alerts suggest no category. */
  readonly caseCategoryRules?: readonly CaseCategoryRule[] | undefined;
  /** The city pack's case category → CAP category table for exports; none: Other. */
  readonly capCategoryMapping?: CapCategoryMapping | undefined;
}

export interface CapPollResult {
  readonly imported: number;
  readonly duplicates: number;
  /** Our own exports recognised in the feed. */
  readonly own: number;
  readonly refused: { url: string; reason: string }[];
}

export class CapIntake {
  readonly #d: CapIntakeDeps;
  #geo: { resolver: JurisdictionResolver; geo: ReturnType<typeof capGeographyFromResolver> } | null = null;
  #poller: NodeJS.Timeout | null = null;

  constructor(d: CapIntakeDeps) {
    this.#d = d;
  }

  #geography() {
    const r = this.#d.resolver();
    if (this.#geo?.resolver !== r) this.#geo = { resolver: r, geo: capGeographyFromResolver(r) };
    return this.#geo.geo;
  }

  /** Which alert ids named by the message's export-shaped identifiers exist in our store. */
  async #knownAlertIds(m: CapMessage): Promise<Set<string>> {
    const named = [m.identifier, ...m.references.map((r) => r.identifier)].map(exportedAlertIdOf).filter((id): id is string => id !== null);
    if (named.length === 0) return new Set();
    const rows = await this.#d.store.db.selectFrom('alerts').select('id').where('id', 'in', [...new Set(named)]).execute();
    return new Set(rows.map((r) => r.id));
  }

  /** Imports one message. Refused messages throw CAP_REFUSED with every problem (and nothing is kept). */
  async import(input: Uint8Array | string, receivedBy: string): Promise<CapImportResult> {
    const parsed = parseCap(input);
    if (!parsed.ok) {
      const first = parsed.errors[0];
      throw new CityLoopError('CAP_REFUSED', { detail: first ? `${first.path}: ${first.message.en}` : 'not a CAP message' }, { problems: parsed.errors });
    }
    const m = parsed.message;
    const signature = capSignatureStatus(m);
    if (isOwnCapMessage(m, this.#d.ownSender, await this.#knownAlertIds(m))) {
      return { sender: m.sender, identifier: m.identifier, msgType: m.msgType, duplicate: false, ownMessage: true, signature, raised: [], ended: 0, outside: 0, unmapped: 0, notes: [], warnings: parsed.warnings };
    }
    const now = this.#d.clock.now().toISOString();
    const plan = planCapAlerts(m, capAreaTargets(m, this.#geography()), { now, ...(this.#d.caseCategoryRules ? { caseCategoryRules: this.#d.caseCategoryRules } : {}) });
    const xml = typeof input === 'string' ? input : Buffer.from(input).toString(/encoding=["']iso-8859-1["']/i.test(Buffer.from(input.subarray(0, 100)).toString('latin1')) ? 'latin1' : 'utf8');
    const out = new AlertOutbox();
    const result = await this.#d.store.transact(async (tx) => {
      const seen = await tx.selectFrom('cap_messages').select('sender').where('sender', '=', m.sender).where('identifier', '=', m.identifier).executeTakeFirst();
      if (seen) return { raised: [] as AlertDoc[], ended: 0, duplicate: true };
      await tx
        .insertInto('cap_messages')
        .values({
          sender: m.sender,
          identifier: m.identifier,
          sent: m.sentUtc,
          msg_type: m.msgType,
          status: m.status,
          received_at: now,
          received_by: receivedBy,
          summary: JSON.stringify({ signature, drafts: plan.drafts.length, supersedes: plan.supersedes, cancels: plan.cancels, outside: plan.outside.length, unmapped: plan.unmapped.length, notes: plan.notes, event: m.infos[0]?.event ?? null }),
          xml: xml.slice(0, 1024 * 1024),
        })
        .execute();
      // Update: the new message's alerts replace the old ones. Cancel: the old ones are withdrawn.
      let ended = 0;
      for (const [prefixes, reason] of [
        [plan.supersedes, `被 CAP 更新消息 ${m.identifier} 取代 / superseded by CAP update ${m.identifier}`],
        [plan.cancels, `CAP 撤销消息 ${m.identifier} / cancelled by CAP message ${m.identifier}`],
      ] as const) {
        if (prefixes.length === 0) continue;
        const active = await tx.selectFrom('alerts').select('dedup_key').where('source', '=', 'cap').where('active_key', 'is not', null).execute();
        for (const r of active) {
          if (!prefixes.some((p) => r.dedup_key.startsWith(p))) continue;
          if (await this.#d.alerts.clearInTx(tx, r.dedup_key, now, {}, reason, out)) ended += 1;
        }
      }
      const raised: AlertDoc[] = [];
      for (const d of plan.drafts) {
        raised.push(
          await this.#d.alerts.raiseInTx(
            tx,
            {
              dedupKey: d.dedupKey,
              source: 'cap',
              severity: d.severity,
              title: d.title,
              description: [d.description, d.instruction ? `指引：${d.instruction}` : null].filter(Boolean).join('\n') || null,
              categoryCode: d.categoryCode,
              location: null,
              jurisdictionCode: d.jurisdictionCode,
              tier: 'district',
              at: d.at,
              evidence: { ...d.evidence, cap: { sender: m.sender, identifier: m.identifier, event: d.event, urgency: d.urgency, certainty: d.certainty, areaDesc: d.areaDesc, expires: d.expiresUtc, exercise: d.exercise, web: d.web, signature }, area: d.geometry },
            },
            out,
          ),
        );
      }
      return { raised, ended, duplicate: false };
    });
    await this.#d.alerts.afterCommit(out);
    return {
      sender: m.sender,
      identifier: m.identifier,
      msgType: m.msgType,
      duplicate: result.duplicate,
      ownMessage: false,
      signature,
      raised: result.raised.map((a) => ({ id: a.id, number: a.number, districtCode: a.districtCode, severity: a.severity })),
      ended: result.ended,
      outside: plan.outside.length,
      unmapped: plan.unmapped.length,
      notes: plan.notes,
      warnings: parsed.warnings,
    };
  }

  /**
   * Fetches a feed URL: an Atom/RSS list of CAP links (each fetched and imported; messages already
   * kept are skipped quickly) or a CAP document itself. A URL the outbound policy refuses is
   * OUTBOUND_REFUSED (422), one that cannot be read OUTBOUND_FAILED (502); a document that is
   * neither a feed nor a valid CAP message is CAP_REFUSED without a word of what it was.
   */
  async poll(url: string): Promise<CapPollResult> {
    const body = await this.#d.outbound.get(url);
    const asCap = /<alert[\s>]/.test(body.subarray(0, 4096).toString('latin1'));
    const urls = asCap ? [url] : (() => {
      const feed = capFeedLinks(body, { baseUrl: url });
      if (!feed.ok) {
        this.#d.log?.warn({ url, problems: feed.errors.map((e) => e.path) }, 'CAP feed refused');
        throw new CityLoopError('CAP_REFUSED', { detail: 'the document at the URL is neither an Atom/RSS feed of CAP messages nor a CAP message' });
      }
      return feed.entries.map((e) => e.url);
    })();
    let imported = 0;
    let duplicates = 0;
    let own = 0;
    const refused: { url: string; reason: string }[] = [];
    for (const u of urls) {
      try {
        const r = await this.import(u === url && asCap ? body : await this.#d.outbound.get(u), `feed:${url}`);
        if (r.ownMessage) own += 1;
        else if (r.duplicate) duplicates += 1;
        else imported += 1;
      } catch (e) {
        refused.push({ url: u, reason: this.#refusalOf(u, e) });
      }
    }
    return { imported, duplicates, own, refused };
  }

  /** Why a fetched message was not imported, without its content: the details go to the log. */
  #refusalOf(url: string, e: unknown): string {
    if (isCityLoopError(e) && e.code === 'CAP_REFUSED') {
      const problems = (e.extra?.problems as { path: string }[] | undefined) ?? [];
      this.#d.log?.warn({ url, problems: problems.map((p) => p.path) }, 'CAP message refused');
      return `not a valid CAP message (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}; import the document itself to see them)`;
    }
    if (isCityLoopError(e)) return e.message;
    this.#d.log?.error({ url, err: (e as Error)?.message }, 'CAP message could not be imported');
    return 'could not be imported (see the server log)';
  }

  startPolling(urls: readonly string[], everySeconds: number): void {
    if (this.#poller || urls.length === 0) return;
    const run = async () => {
      for (const u of urls) {
        try {
          const r = await this.poll(u);
          for (const x of r.refused) this.#d.log?.warn({ url: x.url, reason: x.reason }, 'CAP message not imported');
        } catch (e) {
          this.#d.log?.warn({ url: u, err: (e as Error).message }, 'CAP feed could not be read');
        }
      }
    };
    void run();
    this.#poller = setInterval(() => void run(), everySeconds * 1000);
    this.#poller.unref();
  }

  stopPolling(): void {
    if (this.#poller) clearInterval(this.#poller);
    this.#poller = null;
  }

  /** Any alert as a CAP 1.2 message (valid against CAP-v1.2.xsd). */
  exportAlert(a: AlertDoc, opts: { sender: string; web?: string | null }): string {
    const ring = polygonOf(a.evidence.area);
    return alertToCap(
      {
        id: a.id,
        number: a.number,
        title: a.title,
        description: a.description,
        severity: a.severity,
        status: a.status === 'cleared' ? 'cleared' : a.status === 'dismissed' ? 'dismissed' : 'active',
        verified: a.status === 'verified' || a.verified !== null,
        firstAt: a.firstAt,
        lastAt: a.lastAt,
        endedAt: a.clearedAt ?? a.dismissed?.at ?? null,
        dismissReason: a.dismissed?.reason ?? null,
        location: a.location,
        polygon: ring,
        areaDesc: a.chain.map((l) => l.name).slice(1).join('') || a.title,
        districtCode: a.districtCode,
        eventType: a.ruleId ?? a.source,
        categoryCode: a.categoryCode,
        readings: a.readings,
        web: opts.web ?? null,
      },
      { sender: opts.sender, senderName: 'CityLoop 城市运行和治理中心', ...(this.#d.capCategoryMapping ? { categoryMapping: this.#d.capCategoryMapping } : {}) },
    );
  }
}

function polygonOf(area: unknown): [number, number][] | null {
  const g = area as { type?: string; coordinates?: unknown } | null | undefined;
  if (!g || !Array.isArray(g.coordinates)) return null;
  if (g.type === 'Polygon') return ((g.coordinates as [number, number][][])[0] ?? null) as [number, number][] | null;
  if (g.type === 'MultiPolygon') return ((g.coordinates as [number, number][][][])[0]?.[0] ?? null) as [number, number][] | null;
  return null;
}
