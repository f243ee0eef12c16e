import type { Logger } from 'pino';
import { systemClock, type Clock } from './clock.ts';
import type { Settings } from './config.ts';
import { loadCalendarData, WorkingCalendar } from './calendar/working-calendar.ts';
import { openStore, type StoreAdapter } from './store/store.ts';
import { OrgDirectory } from './org/org-directory.ts';
import { EventBus } from './events/event-bus.ts';
import { CaseService } from './cases/case-service.ts';
import { AuthService } from './auth/auth-service.ts';
import { JurisdictionResolver } from './geo/resolver.ts';
import { loadJurisdictions } from './geo/jurisdiction-repository.ts';
import { BlobStore } from './cases/blob-store.ts';
import { TimerScheduler } from './timers/timer-scheduler.ts';

/** The composition root: every adapter is chosen here, once, from the settings. */
export interface Platform {
  readonly settings: Settings;
  readonly store: StoreAdapter;
  readonly clock: Clock;
  readonly calendar: WorkingCalendar;
  readonly org: OrgDirectory;
  readonly bus: EventBus;
  readonly cases: CaseService;
  readonly auth: AuthService;
  readonly blobs: BlobStore;
  readonly timers: TimerScheduler;
  resolver(): JurisdictionResolver;
  /** Re-reads jurisdictions, centers, units and categories after an import or a demo reset. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenPlatformOptions {
  readonly clock?: Clock;
  readonly log?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Overrides settings.pgSchema-like isolation for tests. */
  readonly pgSchema?: string;
  /** Called when the store is empty and settings.demo is on (the CLI passes the demo loader). */
  readonly seedWhenEmpty?: (p: Platform) => Promise<void>;
}

export async function openPlatform(settings: Settings, opts: OpenPlatformOptions = {}): Promise<Platform> {
  const clock = opts.clock ?? systemClock;
  const store = await openStore({
    databaseUrl: settings.databaseUrl,
    dataDir: settings.dataDir,
    sqliteSynchronous: settings.sqliteSynchronous,
    ...(opts.pgSchema ? { pgSchema: opts.pgSchema } : {}),
  });
  const calendar = new WorkingCalendar(loadCalendarData(settings.calendarFile));
  const year = clock.now().getUTCFullYear();
  if (!calendar.covers(year)) opts.log?.warn(`the working calendar has no holidays for ${year}: deadlines skip weekends only (add the year to the calendar file)`);
  const org = await OrgDirectory.load(store.db);
  let resolver = JurisdictionResolver.build(await loadJurisdictions(store.db));
  const bus = new EventBus();
  const cases = new CaseService({
    store,
    clock,
    calendar,
    resolver: () => resolver,
    org,
    bus,
    defaultTier: settings.defaultTier,
    numberPrefix: settings.caseNumberPrefix,
  });
  const auth = new AuthService({ db: store.db, clock, org, resolver: () => resolver, sessionTtlHours: settings.sessionTtlHours });
  const blobs = new BlobStore(settings.dataDir);
  const timers = new TimerScheduler(cases, settings.timerIntervalMs, opts.log);
  const platform: Platform = {
    settings,
    store,
    clock,
    calendar,
    org,
    bus,
    cases,
    auth,
    blobs,
    timers,
    resolver: () => resolver,
    async reload() {
      await org.reload(store.db);
      resolver = JurisdictionResolver.build(await loadJurisdictions(store.db));
    },
    async close() {
      timers.stop();
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
  return platform;
}
