/**
 * Warnings from other systems (CAP 1.2, 1.1 accepted), in and out, with I/O: a message is parsed
 * strictly (`parseCap`: no DTD, no entities), its areas become the districts of the city they
 * touch, and in one transaction it is kept (once: sender + identifier) and its alerts are raised,
 * superseded (Update) or withdrawn (Cancel). Feeds are polled with the built-in fetch.
 */
import type { StoreAdapter } from '../../store/store.ts';
import type { Clock } from '../../clock.ts';
import type { JurisdictionResolver } from '../../geo/resolver.ts';
import { CityLoopError } from '../../errors.ts';
import { AlertOutbox, type AlertService } from '../alerts/alert-service.ts';
import type { AlertDoc } from '../alerts/alert-model.ts';
import { parseCap } from './cap-message.ts';
import { capAreaTargets } from './cap-areas.ts';
import { capGeographyFromResolver } from './cap-geo.ts';
import { planCapAlerts, type CapAlertPlan } from './cap-warnings.ts';
import { alertToCap } from './cap-export.ts';
import { capFeedLinks } from './cap-feed.ts';

export interface CapImportResult {
  readonly sender: string;
  readonly identifier: string;
  readonly msgType: string;
  readonly duplicate: boolean;
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
}

const FEED_MAX_BYTES = 2 * 1024 * 1024;

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

  /** Imports one message. Refused messages throw CAP_REFUSED with every problem (and nothing is kept). */
  async import(input: Uint8Array | string, receivedBy: string): Promise<CapImportResult> {
    const parsed = parseCap(input);
    if (!parsed.ok) {
      const first = parsed.errors[0];
      throw new CityLoopError('CAP_REFUSED', { detail: first ? `${first.path}: ${first.message.en}` : 'not a CAP message' }, { problems: parsed.errors });
    }
    const m = parsed.message;
    const now = this.#d.clock.now().toISOString();
    const plan = planCapAlerts(m, capAreaTargets(m, this.#geography()), { now });
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
          summary: JSON.stringify({ drafts: plan.drafts.length, supersedes: plan.supersedes, cancels: plan.cancels, outside: plan.outside.length, unmapped: plan.unmapped.length, notes: plan.notes, event: m.infos[0]?.event ?? null }),
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
              evidence: { ...d.evidence, cap: { sender: m.sender, identifier: m.identifier, event: d.event, urgency: d.urgency, certainty: d.certainty, areaDesc: d.areaDesc, expires: d.expiresUtc, exercise: d.exercise, web: d.web }, area: d.geometry },
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
   * kept are skipped quickly) or a CAP document itself.
   */
  async poll(url: string): Promise<{ imported: number; duplicates: number; refused: { url: string; reason: string }[] }> {
    const body = await fetchLimited(url);
    const asCap = /<alert[\s>]/.test(body.subarray(0, 4096).toString('latin1'));
    const urls = asCap ? [url] : (() => {
      const feed = capFeedLinks(body, { baseUrl: url });
      if (!feed.ok) throw new CityLoopError('CAP_REFUSED', { detail: `${url}: not an Atom/RSS feed of CAP messages nor a CAP message` }, { problems: feed.errors });
      return feed.entries.map((e) => e.url);
    })();
    let imported = 0;
    let duplicates = 0;
    const refused: { url: string; reason: string }[] = [];
    for (const u of urls) {
      try {
        const r = await this.import(u === url && asCap ? body : await fetchLimited(u), `feed:${url}`);
        if (r.duplicate) duplicates += 1;
        else imported += 1;
      } catch (e) {
        refused.push({ url: u, reason: (e as Error).message });
      }
    }
    return { imported, duplicates, refused };
  }

  startPolling(urls: readonly string[], everySeconds: number): void {
    if (this.#poller || urls.length === 0) return;
    const run = async () => {
      for (const u of urls) {
        try {
          const r = await this.poll(u);
          for (const x of r.refused) this.#d.log?.warn({ url: x.url, reason: x.reason }, 'CAP message refused');
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
      { sender: opts.sender, senderName: 'CityLoop 城市运行和治理中心' },
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

async function fetchLimited(url: string): Promise<Buffer> {
  if (!/^https?:\/\//.test(url)) throw new Error(`${url} is not an http(s) URL`);
  const res = await fetch(url, { signal: AbortSignal.timeout(15_000), redirect: 'follow' });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const len = Number(res.headers.get('content-length') ?? 0);
  if (len > FEED_MAX_BYTES) throw new Error(`${url}: ${len} bytes is over ${FEED_MAX_BYTES}`);
  const buf = Buffer.from(await res.arrayBuffer());
  if (buf.byteLength > FEED_MAX_BYTES) throw new Error(`${url}: ${buf.byteLength} bytes is over ${FEED_MAX_BYTES}`);
  return buf;
}
