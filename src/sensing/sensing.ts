/**
 * Sensing (可感可传), composed: the device registry, the rules, the ingest pipeline, alerts, camera
 * events, CAP warnings and the vital signs, over one store. The platform holds one `Sensing`;
 * brokers and routes talk to it.
 */
import type { StoreAdapter } from '../store/store.ts';
import type { Clock } from '../clock.ts';
import type { CityBus } from './alerts/committed-alert.ts';
import type { OrgDirectory } from '../org/org-directory.ts';
import type { JurisdictionResolver } from '../geo/resolver.ts';
import type { AssetIndex } from '../assets/asset-index.ts';
import type { CaseService } from '../cases/case-service.ts';
import { TERMINAL_STATES } from '../cases/case-model.ts';
import type { BrokerGate } from '../actions/mqtt/embedded-broker.ts';
import { DeviceRegistry } from './devices/device-registry.ts';
import type { Revocations } from '../auth/session-registry.ts';
import { AlertService } from './alerts/alert-service.ts';
import { IngestPipeline } from './ingest/ingest-pipeline.ts';
import type { RuleRuntime } from './ingest/rule-runtime-port.ts';
import { inJurisdiction } from '../cases/case-queries.ts';
import { DEFAULT_JSON_LIMITS, parseGuardedJson, type JsonLimits } from '../guarded-json.ts';
import { createSensingGate } from './ingest/sensing-gate.ts';
import { computeVitalSigns, type IndicatorDefinition, type IndicatorValue } from './indicators/vital-signs.ts';
import { indicatorAlertStep } from './indicators/indicator-alerts.ts';
import { severityRank, type Severity } from './sensing-model.ts';
import { unsettledDismissals } from './alerts/alert-queries.ts';
import { deviceType } from './devices/device-types.ts';
import { MuckRegistry, hasCameraEvent, recordCameraEvent } from './muck/muck-repository.ts';
import { cameraEventId, parseCameraEvent } from './muck/camera-event.ts';
import { enrichCameraEvent, suggestAlert, type Enrichment } from './muck/muck-chain.ts';
import type { CameraEventCategories } from './muck/camera-event-types.ts';
import type { CaseCategoryRule } from './cap/cap-warnings.ts';
import type { CapCategoryMapping } from './cap/cap-export.ts';
import { AlertOutbox } from './alerts/alert-service.ts';
import type { AlertDoc } from './alerts/alert-model.ts';
import type { BlobStore } from '../cases/blob-store.ts';
import { CityLoopError } from '../errors.ts';
import { CapIntake } from './cap/cap-intake.ts';
import type { OutboundClient } from '../outbound/outbound-fetch.ts';

/** What became of one camera event. */
export interface CameraEventOutcome {
  readonly id: string;
  readonly duplicate: boolean;
  readonly enrichment: Enrichment | null;
  readonly alert: AlertDoc | null;
}

type Log = { info(o: unknown, msg?: string): void; warn(o: unknown, msg?: string): void; error(o: unknown, msg?: string): void };

export interface SensingDeps {
  readonly store: StoreAdapter;
  readonly clock: Clock;
  readonly bus: CityBus;
  readonly org: OrgDirectory;
  readonly resolver: () => JurisdictionResolver;
  readonly assets: () => AssetIndex;
  readonly cases: CaseService;
  readonly rules: () => RuleRuntime;
  readonly log?: Log | undefined;
  readonly keepReadings?: boolean | undefined;
  /** INGEST_MAX_WAIT_MS: HTTP telemetry's longest wait for room in the full ingest queue. */
  readonly ingestMaxWaitMs?: number | undefined;
  /** Where camera snapshots are kept (the attachments' blob store). */
  readonly blobs?: BlobStore | undefined;
  /** The one door for requests to URLs (CAP feeds). */
  readonly outbound: OutboundClient;
  /** The <sender> of our own CAP exports: such a message coming back is recognised, not raised. */
  readonly capSender: string;
  /** The city pack's CAP warning → case category rules; none: CAP alerts suggest no category. */
  readonly capWarningCategories?: readonly CaseCategoryRule[] | undefined;
  /** The city pack's case category → CAP category table for exports; none: every export says Other. */
  readonly capExportCategories?: CapCategoryMapping | undefined;
  /** The city pack's camera event type code → case category; none: camera alerts carry no category. */
  readonly cameraEventCategories?: CameraEventCategories | undefined;
  /** The city's vital signs and their thresholds (its pack's); none: no indicators. */
  readonly vitalSigns?: readonly IndicatorDefinition[] | undefined;
  /** JSON limits of MQTT payloads: telemetry (TELEMETRY_MAX_BYTES) and device events (JSON_MAX_BYTES), both JSON_MAX_DEPTH deep. */
  readonly limits?: { readonly telemetry: JsonLimits; readonly events: JsonLimits } | undefined;
  /** Where the end of a device's credentials is announced (the platform's one notifier). */
  readonly revocations?: Revocations | undefined;
}

export class Sensing {
  readonly devices: DeviceRegistry;
  readonly alerts: AlertService;
  readonly pipeline: IngestPipeline;
  /** The muck-truck chain (审挖运处评) that camera events are enriched with. */
  readonly muck: MuckRegistry;
  /** Warnings from other systems (CAP), in and out. */
  readonly cap: CapIntake;
  readonly #d: SensingDeps;
  #ticker: NodeJS.Timeout | null = null;
  #indicatorTicker: NodeJS.Timeout | null = null;
  #ticking = false;

  constructor(d: SensingDeps) {
    this.#d = d;
    this.devices = new DeviceRegistry(d.store, d.clock, { resolver: d.resolver, assets: d.assets, org: d.org }, d.revocations);
    this.alerts = new AlertService({
      store: d.store,
      clock: d.clock,
      bus: d.bus,
      org: d.org,
      resolver: d.resolver,
      cases: d.cases,
      log: d.log,
      deviceType: (id) => this.devices.get(id)?.type,
      deviceOwner: (id) => this.devices.get(id)?.unitId ?? null,
    });
    this.pipeline = new IngestPipeline({
      store: d.store,
      clock: d.clock,
      devices: this.devices,
      rules: d.rules,
      alerts: this.alerts,
      assetName: (id) => d.assets().get(id)?.name ?? null,
      log: d.log,
      keepReadings: d.keepReadings,
      httpMaxWaitMs: d.ingestMaxWaitMs,
      limits: d.limits?.telemetry,
    });
    this.muck = new MuckRegistry(d.store);
    this.cap = new CapIntake({
      store: d.store,
      clock: d.clock,
      resolver: d.resolver,
      alerts: this.alerts,
      log: d.log,
      outbound: d.outbound,
      ownSender: d.capSender,
      caseCategoryRules: d.capWarningCategories,
      capCategoryMapping: d.capExportCategories,
    });
  }

  /**
   * One video-AI event (MQTT `cityloop/devices/{camera}/events`, or the webhook): checked, kept
   * once (a redelivery is recognised by its stable id), enriched with the muck-truck chain (the
   * truck's permit, sites and route; off-route flagged) and, when it is worth it, raised as an
   * alert — the event row and the alert in one transaction.
   */
  async cameraEvent(body: unknown, opts: { cameraId?: string | undefined } = {}): Promise<CameraEventOutcome> {
    const parsed = parseCameraEvent(body, { now: this.#d.clock.now(), ...(opts.cameraId ? { cameraId: opts.cameraId } : {}) });
    if (!parsed.ok) throw new CityLoopError('VALIDATION_FAILED', { detail: `${parsed.field}: ${parsed.reason}` }, { field: parsed.field, reasonZh: parsed.reasonZh });
    const event = parsed.event;
    const camera = this.devices.get(event.cameraId);
    if (!camera) throw new CityLoopError('NOT_FOUND', { what: '摄像头/camera', id: event.cameraId });
    const id = cameraEventId(event);
    if (await hasCameraEvent(this.#d.store.db, id)) return { id, duplicate: true, enrichment: null, alert: null };
    let snapshotSha256: string | null = event.snapshot?.sha256 ?? null;
    if (event.snapshot?.data && this.#d.blobs) snapshotSha256 = (await this.#d.blobs.put(event.snapshot.data)).sha256;
    const enrichment = enrichCameraEvent(event, { lon: camera.lon, lat: camera.lat }, this.muck.lookup());
    const suggestion = suggestAlert(event, enrichment, { categories: this.#d.cameraEventCategories });
    const out = new AlertOutbox();
    const alert = await this.#d.store.transact(async (tx) => {
      let a: AlertDoc | null = null;
      if (suggestion) {
        a = await this.alerts.raiseInTx(
          tx,
          {
            dedupKey: suggestion.dedupKey,
            source: 'camera',
            severity: suggestion.severity,
            title: `${camera.name}：${suggestion.title.zh}`,
            description: suggestion.title.en,
            categoryCode: suggestion.category,
            deviceId: camera.id,
            assetId: camera.assetId,
            location: { lon: camera.lon, lat: camera.lat },
            ownerUnitId: camera.unitId,
            metric: 'confidence',
            value: event.confidence,
            readings: { confidence: event.confidence },
            evidence: { ...(suggestion.evidence as unknown as Record<string, unknown>), cameraEventId: id, ...(snapshotSha256 ? { snapshotSha256 } : {}) },
            at: event.at,
          },
          out,
        );
      }
      await recordCameraEvent(tx, event, enrichment, a?.id ?? null);
      return a;
    });
    await this.alerts.afterCommit(out);
    return { id, duplicate: false, enrichment, alert };
  }

  /** Loads devices and rule states. */
  async open(): Promise<void> {
    await this.devices.reload();
    await this.muck.reload();
    await this.pipeline.load();
  }

  /**
   * Finishes what a crash interrupted: trusted alerts not yet verified get verified now, which may
   * apply a plan and send its device commands. `serve` calls it once devices can log in again.
   */
  async recover(): Promise<void> {
    await this.alerts.recover();
  }

  async reload(): Promise<void> {
    await this.devices.reload();
    await this.muck.reload();
  }

  /** The embedded broker's gate: device credentials, topic rights, telemetry into the pipeline. */
  gate(): BrokerGate {
    return createSensingGate({ devices: this.devices, pipeline: this.pipeline, log: this.#d.log, onDeviceEvent: (id, payload) => this.deviceEvent(id, payload) });
  }

  /**
   * A device's event message over MQTT. A refused event is kept in the dead letters with the
   * reason (the publish is still acknowledged: resending it would not make it valid).
   */
  async deviceEvent(deviceId: string, payload: Buffer): Promise<void> {
    const text = payload.toString('utf8');
    const decoded = parseGuardedJson(payload, this.#d.limits?.events ?? DEFAULT_JSON_LIMITS);
    if (!decoded.ok) {
      const f = decoded.refusal;
      const reason = f.kind === 'too_deep' ? `JSON_TOO_DEEP: ${f.detail}` : f.kind === 'bad_text' ? `TEXT_FORBIDDEN_CHARACTER: ${f.detail}` : f.kind === 'too_large' ? `event of ${f.detail}` : `event is ${f.detail}`;
      await this.pipeline.deadLetter({ source: 'mqtt', deviceId, topic: `cityloop/devices/${deviceId}/events`, reason, payload: text.slice(0, 4096) });
      return;
    }
    const body = decoded.value;
    try {
      await this.cameraEvent(body, { cameraId: deviceId });
    } catch (e) {
      // A store failure is not the message's fault: no ack, the device resends.
      if (!(e instanceof CityLoopError)) throw e;
      const reason = e.message;
      await this.pipeline.deadLetter({ source: 'mqtt', deviceId, topic: `cityloop/devices/${deviceId}/events`, reason, payload: text.slice(0, 4096) });
    }
  }

  /** Starts the clock of the rules (durations, absences) and the vital-sign watch. */
  start(tickMs = 1_000, indicatorMs = 60_000, capFeeds: readonly string[] = [], capPollSeconds = 300): void {
    if (this.#ticker) return;
    this.cap.startPolling(capFeeds, capPollSeconds);
    // Alert effects another node wrote, or whose runner died, are taken over (they are outbox rows).
    this.alerts.effects.start(5_000);
    this.#ticker = setInterval(() => {
      if (this.#ticking) return;
      this.#ticking = true;
      this.pipeline
        .tick()
        .catch((e: unknown) => this.#d.log?.error({ err: e }, 'rule clock tick failed'))
        .finally(() => (this.#ticking = false));
    }, tickMs);
    this.#ticker.unref();
    this.#indicatorTicker = setInterval(() => void this.watchIndicators().catch((e: unknown) => this.#d.log?.error({ err: e }, 'vital-sign watch failed')), indicatorMs);
    this.#indicatorTicker.unref();
  }

  async stop(): Promise<void> {
    this.cap.stopPolling();
    this.alerts.effects.stop();
    if (this.#ticker) clearInterval(this.#ticker);
    if (this.#indicatorTicker) clearInterval(this.#indicatorTicker);
    this.#ticker = null;
    this.#indicatorTicker = null;
    await this.pipeline.close();
  }

  /** Readings of a device, oldest first; `latest` takes the newest `limit` before `to`. */
  async readings(deviceId: string, q: { from?: string | undefined; to?: string | undefined; limit?: number | undefined; latest?: boolean | undefined }): Promise<{ ts: string; values: Record<string, number> }[]> {
    let sel = this.#d.store.db.selectFrom('readings').select(['ts', 'payload']).where('device_id', '=', deviceId);
    if (q.from) sel = sel.where('ts', '>=', new Date(q.from).toISOString());
    if (q.to) sel = sel.where('ts', '<=', new Date(q.to).toISOString());
    const limit = q.limit ?? 1000;
    const rows = q.latest ? (await sel.orderBy('ts', 'desc').limit(limit).execute()).reverse() : await sel.orderBy('ts').limit(limit).execute();
    return rows.map((r) => ({ ts: r.ts, values: JSON.parse(r.payload) as Record<string, number> }));
  }

  async deadLetters(limit: number): Promise<{ total: number; items: unknown[] }> {
    const db = this.#d.store.db;
    const [rows, count] = await Promise.all([
      db.selectFrom('dead_letters').selectAll().orderBy('received_at', 'desc').orderBy('id', 'desc').limit(limit).execute(),
      db.selectFrom('dead_letters').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    ]);
    return {
      total: Number(count?.n ?? 0),
      items: rows.map((r) => ({ id: r.id, receivedAt: r.received_at, source: r.source, deviceId: r.device_id, topic: r.topic, reason: r.reason, payload: r.payload })),
    };
  }

  /** The six categories of vital signs of one jurisdiction (its chain contains the code). */
  async indicators(code: string): Promise<{ jurisdiction: { code: string; name: string }; computedAt: string; items: IndicatorValue[] }> {
    const resolver = this.#d.resolver();
    const j = resolver.get(code);
    const within = (c: string | null): boolean => {
      for (let x = c; x; x = resolver.get(x)?.parentCode ?? null) if (x === code) return true;
      return false;
    };
    const alerting = await this.alerts.activeByDevice();
    const devices = [...this.devices.all()].filter((d) => d.status === 'active' && within(d.jurisdictionCode)).map((d) => ({ type: d.type, alerting: alerting.has(d.id) }));
    // Counted by the database (an index-only scan), not read row by row: 100,000 open cases are one small answer.
    let q = this.#d.store.db
      .selectFrom('cases')
      .select((eb) => ['category_code', eb.fn.countAll<number>().as('n')])
      .where('state', 'not in', [...TERMINAL_STATES])
      .groupBy('category_code');
    // The one jurisdiction filter of cases (case-queries.ts); an unknown code counts the whole city, as before.
    if (j) q = q.where(inJurisdiction(resolver, code));
    const cases = await q.execute();
    return {
      jurisdiction: { code, name: j?.name ?? code },
      computedAt: this.#d.clock.now().toISOString(),
      items: computeVitalSigns({ devices, openCasesByCategory: new Map(cases.map((c) => [c.category_code, Number(c.n)])) }, this.#d.vitalSigns ?? []),
    };
  }

  /**
   * Raises, updates or clears an indicator alert per district whose vital sign crossed a risk
   * threshold: one alert per indicator and district, whose value and colour follow the sign; a state
   * seen again unchanged writes nothing, and a state the operator dismissed is not raised again
   * unless it gets worse or has been back to normal (`indicators/indicator-alerts.ts`).
   */
  async watchIndicators(): Promise<number> {
    let raised = 0;
    const at = this.#d.clock.now().toISOString();
    const active = new Map((await this.alerts.activeAlerts()).filter((a) => a.source === 'indicator').map((a) => [a.dedupKey, a]));
    const dismissed = new Map<string, Severity>();
    for (const d of await unsettledDismissals(this.#d.store.db, { source: 'indicator' })) {
      const was = dismissed.get(d.dedupKey);
      if (!was || severityRank(d.severity) > severityRank(was)) dismissed.set(d.dedupKey, d.severity);
    }
    for (const district of this.#d.resolver().list('district')) {
      const { items } = await this.indicators(district.code);
      for (const v of items) {
        const key = `indicator:${v.key}:${district.code}`;
        const a = active.get(key);
        const was = dismissed.get(key);
        const step = indicatorAlertStep(v.level, v.value, {
          active: a ? { severity: a.severity, value: a.readings[v.key] ?? a.peak?.value ?? null } : null,
          dismissed: was ? { severity: was } : null,
        });
        if (step === 'none') continue;
        if (step === 'clear' || step === 'clear_and_settle') await this.alerts.clear(key, '指标回落至正常 / back to normal');
        if (step === 'settle' || step === 'clear_and_settle') await this.alerts.settleDismissed(key, '指标回落至正常 / back to normal');
        if (step !== 'raise' && step !== 'update') continue;
        if (v.level === 'normal') continue;
        const def = (this.#d.vitalSigns ?? []).find((d) => d.key === v.key)!;
        await this.alerts.raise({
          dedupKey: key,
          source: 'indicator',
          standing: true,
          severity: v.level,
          title: `${district.name}${v.categoryName.zh}体征：${v.name.zh} ${v.value}${v.unit}`,
          description: `阈值 ${JSON.stringify(def.thresholds)}；依据 ${v.basis.matching}/${v.basis.total}`,
          jurisdictionCode: district.code,
          tier: 'district',
          metric: v.key,
          value: v.value,
          readings: { [v.key]: v.value ?? 0 },
          evidence: { indicator: v },
          at,
        });
        if (step === 'raise') raised += 1;
      }
    }
    return raised;
  }

  unitOf(deviceId: string, metric: string): string {
    const d = this.devices.get(deviceId);
    return (d && deviceType(d.type)?.metrics.find((m) => m.name === metric)?.unit) ?? '';
  }
}
