import type { Logger } from 'pino';
import { systemClock, type Clock } from './clock.ts';
import type { Settings } from './config.ts';
import { loadCityPack, type CityPack } from './city-pack.ts';
import { loadCalendarData, WorkingCalendar } from './calendar/working-calendar.ts';
import { openStore, type Store } from './store/store.ts';
import { OrgDirectory } from './org/org-directory.ts';
import { ConfigWatcher, readConfigFingerprint } from './store/config-watch.ts';
import { EventBus } from './events/event-bus.ts';
import { CaseService } from './cases/case-service.ts';
import { AuthService } from './auth/auth-service.ts';
import { UserAdministration } from './auth/user-administration.ts';
import { OrgAdministration } from './org/org-administration.ts';
import { Revocations, SessionRegistry } from './auth/session-registry.ts';
import { totpKeyOf } from './auth/totp-key.ts';
import { JurisdictionResolver } from './geo/resolver.ts';
import { loadJurisdictions } from './geo/jurisdiction-repository.ts';
import { BlobStore } from './cases/blob-store.ts';
import { RasterCatalog, rasterDir } from './raster/raster-catalog-store.ts';
import { TimerScheduler } from './timers/timer-scheduler.ts';
import { AssetIndex } from './assets/asset-index.ts';
import { loadAssets } from './assets/asset-repository.ts';
import { gridsWithin } from './assets/grids-within.ts';
import { PlanRegistry } from './plans/plan-registry.ts';
import type { MapLookup } from './plans/plan-engine.ts';
import { unitKindNames } from './org/unit-kinds.ts';
import { join } from 'node:path';
import type { DeviceCommandChannel } from './actions/device-commands.ts';
import { openMqttDeviceChannel } from './actions/mqtt/mqtt-device-channel.ts';
import { NotifierRegistry } from './actions/notify.ts';
import { createFileChannel } from './actions/notify/file-channel.ts';
import { createWebhookChannel } from './actions/notify/webhook-channel.ts';
import { PlanActionRunner } from './plans/plan-actions.ts';
import { CasePlanner } from './plans/case-planner.ts';
import { CityLoopError } from './errors.ts';
import { AppealIntake, type AppealClassifier } from './appeals/appeal-intake.ts';
import { Gazetteer } from './appeals/gazetteer.ts';
import { readFile } from 'node:fs/promises';
import { Sensing } from './sensing/sensing.ts';
import type { MuckRegistry } from './sensing/muck/muck-repository.ts';
import { buildRuleRuntime } from './sensing/rules-runtime.ts';
import { RuleRegistry, type RuleVersion } from './sensing/rules/rule-registry.ts';
import type { RuleRuntime } from './sensing/ingest/rule-runtime-port.ts';
import { openMqttSubscriber, type MqttSubscriber } from './sensing/ingest/mqtt-subscriber.ts';
import { OutboundClient } from './outbound/outbound-fetch.ts';
import { buildOutboundPolicy } from './outbound/outbound-policy.ts';
import type { Analyses } from './analyses/analyses.ts';
import type { CommittedAnalysis } from './analyses/analysis-model.ts';
import type { AnalysisTriggerListener } from './analyses/analysis-trigger-listener.ts';
import { composeAnalyses } from './platform-analyses.ts';
import { composeFloodImpact } from './platform-impact.ts';
import type { FloodImpact } from './analyses/impact/flood-impact.ts';
import type { Committed } from './cases/committed.ts';
import type { CommittedAlert } from './sensing/alerts/committed-alert.ts';

/** The bus as the platform holds it: cases, alerts and analysis runs (the others' ports see their part). */
export type CityBus = EventBus<Committed, CommittedAlert, CommittedAnalysis>;

/** The settings with the city pack's defaults filled in. */
export type PlatformSettings = Settings & { readonly capSender: string };

/** The composition root: every adapter is chosen here, once, from the settings. */
export interface Platform {
  readonly settings: PlatformSettings;
  /** The city this platform serves (CITY_PACK): categories, unit kinds, plans, rules, routing, calendar, demo. */
  readonly pack: CityPack;
  readonly store: Store;
  readonly clock: Clock;
  readonly calendar: WorkingCalendar;
  readonly org: OrgDirectory;
  readonly bus: CityBus;
  readonly cases: CaseService;
  readonly auth: AuthService;
  /** Users listed, changed, moved, their passwords reset (the administration of people). */
  readonly users: UserAdministration;
  /** Units and centers created, renamed, moved, disabled. */
  readonly orgAdmin: OrgAdministration;
  /** Where revoked credentials are announced (tokens, users, devices), after their commit. */
  readonly revocations: Revocations;
  /** The users' long-lived connections (live-feed streams), ended by revocations and expiry. */
  readonly sessions: SessionRegistry;
  readonly blobs: BlobStore;
  /** Rasters (DEMs, model results): records in the store, cells under DATA_DIR/rasters. */
  readonly rasters: RasterCatalog;
  readonly timers: TimerScheduler;
  readonly plans: PlanRegistry;
  /** Plans applied to cases: the dry runs, and the port cases run plans through. */
  readonly planner: CasePlanner;
  readonly actions: PlanActionRunner;
  readonly intake: AppealIntake;
  gazetteer(): Gazetteer;
  readonly notifier: NotifierRegistry;
  /** Every request the server sends to a URL it was given goes through this (settings OUTBOUND_*). */
  readonly outbound: OutboundClient;
  /** Devices, rules, telemetry, alerts, camera events, CAP warnings, vital signs. */
  readonly sensing: Sensing;
  readonly rules: RuleRegistry;
  /** The muck-truck chain (the same registry as sensing.muck). */
  readonly muck: MuckRegistry;
  /** Analysis runs as jobs (flood, dam break, lake, fill), and the runner of their queue. */
  readonly analyses: Analyses;
  /** Warnings that start analyses (the city pack's analysis-triggers.yaml). */
  readonly analysisTriggers: AnalysisTriggerListener;
  /** 灾害态势研判 and 避险转移: an analysis's impact, its evacuation case and board. */
  readonly impact: FloodImpact;
  resolver(): JurisdictionResolver;
  assets(): AssetIndex;
  /** The map as plans read it: assets and grids around a point. */
  map(): MapLookup;
  /** Re-reads jurisdictions, centers, units and categories after an import or a demo reset. */
  reload(): Promise<void>;
  /**
   * Reads again what another process changed (plans, rules, routing table, categories and units,
   * devices); `serve` starts it every CONFIG_WATCH_SECONDS.
   */
  readonly config: ConfigWatcher;
  /** Whether device commands can reach the MQTT broker now; null: no broker is configured. */
  deviceChannelConnected(): boolean | null;
  /** Finishes what a crash interrupted (see OpenPlatformOptions.deferRecovery); openPlatform runs it unless deferred. */
  recover(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenPlatformOptions {
  readonly clock?: Clock;
  readonly log?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Overrides settings.pgSchema-like isolation for tests. */
  readonly pgSchema?: string;
  /**
   * The city pack; default: the one settings.cityPack names. The settings' folder defaults
   * (PLANS_DIR, RULES_DIR) come from settings.cityPack, so a pack passed here should be that one.
   */
  readonly pack?: CityPack;
  /** Called when the store is empty and settings.demo is on (the CLI passes the pack's demo seed). */
  readonly seedWhenEmpty?: (p: Platform) => Promise<void>;
  /** The broker for device commands when settings name none (the embedded one `serve` starts). */
  readonly mqttUrl?: string;
  /** The appeal classifier; default: the model shipped in resources/models. */
  readonly classifier?: AppealClassifier | null;
  /** Credentials for `mqttUrl` (the embedded broker's platform login). */
  readonly mqttCredentials?: { readonly username: string; readonly password: string };
  /** Receive telemetry from the external broker of settings.mqttUrl (default: when one is set). */
  readonly subscribeTelemetry?: boolean;
  /**
   * Leave crash recovery (trusted alerts to verify, hence plans to apply and device commands to
   * send) to the caller's `platform.recover()`: `serve` runs it once the broker lets devices in.
   */
  readonly deferRecovery?: boolean;
}

export async function openPlatform(rawSettings: Settings, opts: OpenPlatformOptions = {}): Promise<Platform> {
  const clock = opts.clock ?? systemClock;
  const pack = opts.pack ?? (await loadCityPack(rawSettings.cityPack));
  const settings: PlatformSettings = { ...rawSettings, capSender: rawSettings.capSender ?? pack.capSender };
  const store = await openStore({
    databaseUrl: settings.databaseUrl,
    dataDir: settings.dataDir,
    sqliteSynchronous: settings.sqliteSynchronous,
    timeoutMs: settings.storeTimeoutMs,
    applicationName: settings.databaseApplicationName,
    log: opts.log,
    ...(opts.pgSchema ? { pgSchema: opts.pgSchema } : {}),
  });
  const calendar = new WorkingCalendar(loadCalendarData(settings.calendarFile ?? pack.calendarFile), pack.workingHours);
  const year = clock.now().getUTCFullYear();
  if (!calendar.covers(year)) opts.log?.warn(`the working calendar has no holidays for ${year}: deadlines skip weekends only (add the year to the calendar file)`);
  const org = await OrgDirectory.load(store.db);
  let jurisdictionRecords = await loadJurisdictions(store.db);
  let resolver = JurisdictionResolver.build(jurisdictionRecords);
  let assetRecords = await loadAssets(store.db);
  let assets = AssetIndex.build(assetRecords);
  let gazetteer = new Gazetteer(jurisdictionRecords, assetRecords);
  const map: MapLookup = {
    nearest: (type, lng, lat, m, filter) => assets.nearest(type, lng, lat, m, filter),
    within: (type, lng, lat, m, filter) => assets.within(type, lng, lat, m, filter),
    gridsWithin: (lng, lat, m) => gridsWithin(resolver, lng, lat, m),
    ancestorAt: (code, level) => {
      for (let r = resolver.get(code); r; r = r.parentCode ? resolver.get(r.parentCode) : undefined) if (r.level === level) return r.code;
      return null;
    },
    districtsWithin: (lng, lat, m) =>
      resolver
        .list('district')
        .filter((d) => resolver.distanceMeters(d.code, lng, lat) <= m)
        .map((d) => ({ code: d.code, name: d.name })),
  };
  const plans = new PlanRegistry({
    store,
    clock,
    parseOptions: () => ({
      knownUnitKinds: new Set([...unitKindNames(pack.unitKinds), ...org.units().map((u) => u.kind)]),
      knownCategories: new Set(org.categories().map((c) => c.code)),
    }),
  });
  // The plans folder is data a city edits: a changed file becomes the plan's next version.
  const syncPlans = async () => {
    await plans.reload();
    if (settings.plansDir === 'none' || org.categories().length === 0) return;
    const { refused } = await plans.loadFolder(settings.plansDir);
    for (const r of refused) opts.log?.error(`plan file ${r.file} was refused; the versions already stored stay in force: ${r.error}`);
  };
  const bus: CityBus = new EventBus();
  // Plans reach cases through the cases' port (cases never import plans).
  const planner = new CasePlanner({ registry: plans, map: () => map, org, clock, resolver: () => resolver });
  const cases = new CaseService({
    store,
    clock,
    calendar,
    resolver: () => resolver,
    org,
    bus,
    defaultTier: settings.defaultTier,
    numberPrefix: settings.caseNumberPrefix,
    plans: planner,
    map: () => map,
  });
  const revocations = new Revocations();
  const sessions = new SessionRegistry(clock, revocations);
  const auth = new AuthService({ store, clock, org, resolver: () => resolver, sessionTtlHours: settings.sessionTtlHours, revocations, totpKey: totpKeyOf(settings), demoPassword: settings.demo ? (pack.demo?.password ?? null) : null });
  const users = new UserAdministration({ store, clock, org, resolver: () => resolver, revocations });
  const orgAdmin = new OrgAdministration({ store, clock, org, knowsJurisdiction: (code) => resolver.get(code) !== undefined });
  const blobs = new BlobStore(settings.dataDir);
  const rasters = new RasterCatalog({ db: store.db, dir: rasterDir(settings.dataDir), clock });
  // Device commands: the broker the settings name, else the one the caller started; without one,
  // device steps are recorded as failed and raised to the operator.
  const brokerUrl = settings.mqttUrl ?? opts.mqttUrl;
  const brokerLogin = settings.mqttUrl
    ? { ...(settings.mqttUsername ? { username: settings.mqttUsername } : {}), ...(settings.mqttPassword ? { password: settings.mqttPassword } : {}) }
    : (opts.mqttCredentials ?? {});
  const devices: DeviceCommandChannel | null = brokerUrl ? await openMqttDeviceChannel({ url: brokerUrl, clock, ...brokerLogin }) : null;
  const outbound = new OutboundClient(
    buildOutboundPolicy({
      allowHosts: settings.outboundAllowHosts,
      allowHttp: settings.outboundAllowHttp,
      allowPrivate: settings.outboundAllowPrivate,
      timeoutMs: settings.outboundTimeoutMs,
      connectTimeoutMs: settings.outboundConnectTimeoutMs,
      maxBytes: settings.outboundMaxBytes,
    }),
  );
  const notifier = new NotifierRegistry([createFileChannel({ name: 'log', file: join(settings.dataDir, 'notifications.jsonl') })]);
  if (Object.keys(settings.notifyWebhooks).length > 0) {
    notifier.register(createWebhookChannel({ outbound, targets: settings.notifyWebhooks, ...(settings.notifyWebhookSecret ? { secret: settings.notifyWebhookSecret } : {}), clock }));
  }
  const actions = new PlanActionRunner({ cases, store, bus, devices: () => devices, notifier, clock, ...(opts.log ? { log: opts.log } : {}) });
  const classifier = opts.classifier !== undefined ? opts.classifier : await loadDefaultClassifier(pack.appealLabelCategories, opts.log);
  const intake = new AppealIntake({
    cases,
    org,
    store,
    clock,
    classifier: () => classifier,
    locatePlace: (name) => gazetteer.locate(name),
    unitKindName: (kind) => [...pack.unitKinds.city, ...pack.unitKinds.district, ...pack.unitKinds.street].find((k) => k.kind === kind)?.nameZh ?? null,
    threshold: settings.appealTriageThreshold ?? (classifier as { threshold?: number } | null)?.threshold ?? 0.56,
    planFor: (doc) => {
      try {
        const run = planner.previewFor(doc);
        return run.problems.length === 0 && run.tasks.length > 0 ? { planId: run.planId, name: run.name } : null;
      } catch (e) {
        if (e instanceof CityLoopError) return null; // no plan matches
        throw e;
      }
    },
  });
  // The routing table is data: the pack's file seeds the first version; later ones come by API.
  const syncRouting = async () => {
    await intake.reload();
    if (!intake.table && org.units().length > 0) {
      try {
        await intake.saveTable(await readFile(pack.routingTableFile, 'utf8'), 'file:routing-table.yaml');
      } catch (e) {
        opts.log?.error(`the city pack's routing table was refused: ${(e as Error).message}`);
      }
    }
  };
  const timers = new TimerScheduler(cases, settings.timerIntervalMs, opts.log);
  // Rules are data like plans: the folder seeds versions, the registry holds them, the runtime
  // (rebuilt on every change) is what the ingest pipeline evaluates.
  const rules = new RuleRegistry({ store, clock });
  let ruleRuntime: RuleRuntime = buildRuleRuntime([]);
  let ruleRuntimeOf: readonly RuleVersion[] = [];
  // A version saved through the API (src/sensing/rules/rule-routes.ts) replaces its entry in the
  // registry; the runtime follows at the next batch. Comparing the few entries is cheaper than
  // any notification, and no caller can forget it.
  const currentRuleRuntime = (): RuleRuntime => {
    const active = rules.active();
    if (active.length !== ruleRuntimeOf.length || active.some((v, i) => v !== ruleRuntimeOf[i])) {
      ruleRuntime = buildRuleRuntime(active);
      ruleRuntimeOf = active;
    }
    return ruleRuntime;
  };
  const syncRules = async () => {
    await rules.reload();
    if (settings.rulesDir !== 'none') {
      const { refused } = await rules.loadFolder(settings.rulesDir);
      for (const r of refused) opts.log?.error(`rule file ${r.file} was refused; the versions already stored stay in force: ${r.error}`);
    }
    ruleRuntimeOf = rules.active();
    ruleRuntime = buildRuleRuntime(ruleRuntimeOf);
  };
  const sensing = new Sensing({
    store,
    clock,
    bus,
    org,
    resolver: () => resolver,
    assets: () => assets,
    cases,
    rules: currentRuleRuntime,
    log: opts.log as never,
    blobs,
    outbound,
    capSender: settings.capSender,
    vitalSigns: pack.vitalSigns,
    capWarningCategories: pack.capWarningCategories,
    capExportCategories: pack.capExportCategories,
    cameraEventCategories: pack.cameraEventCategories,
    ingestMaxWaitMs: settings.ingestMaxWaitMs,
    limits: {
      telemetry: { maxDepth: settings.jsonMaxDepth, maxBytes: settings.telemetryMaxBytes },
      events: { maxDepth: settings.jsonMaxDepth, maxBytes: settings.jsonMaxBytes },
    },
    revocations,
  });
  const { analyses, analysisTriggers } = composeAnalyses({ store, clock, rasters, org, resolver: () => resolver, bus, concurrency: settings.analysisConcurrency, triggersFile: pack.analysisTriggersFile, log: opts.log });
  const impact = composeFloodImpact({ store, clock, analyses, resolver: () => resolver, assets: () => assets, cases });
  const config = new ConfigWatcher({
    read: () => readConfigFingerprint(store.db),
    reload: async (parts) => {
      // Units and categories are what plans, the routing table and rules are checked against: all follow them.
      const orgChanged = parts.includes('org');
      if (orgChanged) await org.reload(store.db);
      if (orgChanged || parts.includes('plans')) await plans.reload();
      if (orgChanged || parts.includes('routing')) await intake.reload();
      if (orgChanged || parts.includes('rules')) await rules.reload();
      if (parts.includes('devices')) await sensing.reload();
    },
    ...(store.othersCommitted ? { othersCommitted: () => store.othersCommitted!() } : {}),
    onReloaded: (parts) => opts.log?.info(`configuration changed by another process: read again ${parts.join(', ')}`),
    onError: (e) => opts.log?.warn(`configuration watch: ${(e as Error).message}`),
  });
  const platform: Platform = {
    settings,
    pack,
    store,
    clock,
    calendar,
    org,
    bus,
    cases,
    auth,
    users,
    orgAdmin,
    revocations,
    sessions,
    blobs,
    rasters,
    timers,
    plans,
    planner,
    actions,
    notifier,
    outbound,
    intake,
    sensing,
    rules,
    muck: sensing.muck,
    analyses,
    analysisTriggers,
    impact,
    gazetteer: () => gazetteer,
    resolver: () => resolver,
    assets: () => assets,
    map: () => map,
    config,
    deviceChannelConnected: () => (devices ? (devices.connected ?? true) : null),
    recover: () => sensing.recover(),
    async reload() {
      await org.reload(store.db);
      jurisdictionRecords = await loadJurisdictions(store.db);
      resolver = JurisdictionResolver.build(jurisdictionRecords);
      assetRecords = await loadAssets(store.db);
      assets = AssetIndex.build(assetRecords);
      gazetteer = new Gazetteer(jurisdictionRecords, assetRecords);
      await syncPlans();
      await syncRouting();
      await syncRules();
      await sensing.reload();
    },
    async close() {
      config.stop();
      await analyses.close();
      timers.stop();
      await telemetry?.close();
      await sensing.stop();
      actions.stop();
      await actions.idle();
      await devices?.close();
      await store.close();
    },
  };
  if (settings.demo && opts.seedWhenEmpty) {
    const any = await store.db.selectFrom('jurisdictions').select('code').limit(1).executeTakeFirst();
    if (!any) {
      await opts.seedWhenEmpty(platform);
      await platform.reload();
    }
  }
  await syncPlans();
  await syncRouting();
  await syncRules();
  await sensing.open();
  if (!opts.deferRecovery) await sensing.recover();
  // Runs a crash left under way are queued again (or failed), then the queue starts.
  await analyses.recover();
  analyses.kick();
  // Telemetry from an external broker; the embedded broker hands it over through its gate instead.
  let telemetry: MqttSubscriber | null = null;
  if (settings.mqttUrl && opts.subscribeTelemetry !== false) {
    telemetry = await openMqttSubscriber({ url: settings.mqttUrl, clientId: settings.mqttIngestClientId, ...brokerLogin, pipeline: sensing.pipeline, onDeviceEvent: (id, payload) => sensing.deviceEvent(id, payload), log: opts.log as never });
  }
  return platform;
}

/**
 * The classifier shipped in resources/models answering with the pack's category codes for its
 * labels (a label the pack does not map answers as itself), or null (with a warning) when it
 * cannot be read.
 */
async function loadDefaultClassifier(labelCategories: Readonly<Record<string, string>> | undefined, log?: Pick<Logger, 'warn'>): Promise<AppealClassifier | null> {
  try {
    // Imported by name at run time: the model is optional, the platform runs without it.
    const modulePath = './appeals/classifier/shipped-classifier.ts';
    const m = (await import(modulePath)) as { loadShippedClassifier(labelCategories?: Readonly<Record<string, string>>): AppealClassifier | Promise<AppealClassifier> };
    return await m.loadShippedClassifier(labelCategories);
  } catch (e) {
    log?.warn(`no appeal classifier: ${(e as Error).message}; appeals need a category`);
    return null;
  }
}
