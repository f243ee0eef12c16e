import { resolve } from 'node:path';
import type { Tier } from './cases/case-model.ts';
import { buildOutboundPolicy, checkOutboundUrl } from './outbound/outbound-policy.ts';
import { cityPackDir, cityPackFolders } from './city-pack.ts';
import { DEFAULT_MAX_RASTER_CELLS } from './raster/geotiff-reader.ts';

/**
 * Every setting, read once from the environment at start-up. docs/reference/settings.md and the
 * README's table list them; a test checks that each name here is documented.
 */
export interface Settings {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly demo: boolean;
  /** The city pack's folder (CITY_PACK: a name under cities/ or a path): categories, unit kinds, plans, rules, routing, calendar, demo. */
  readonly cityPack: string;
  readonly logLevel: string;
  readonly timerIntervalMs: number;
  /** How often `serve` looks for configuration changed by another process (0: never). */
  readonly configWatchSeconds: number;
  readonly sessionTtlHours: number;
  readonly defaultTier: Tier;
  readonly caseNumberPrefix: string;
  readonly calendarFile: string | undefined;
  readonly maxAttachmentBytes: number;
  readonly sqliteSynchronous: 'NORMAL' | 'FULL';
  /** Folder of plan YAML files loaded at start ('none' to skip); default: the city pack's plans/. */
  readonly plansDir: string;
  /** An external MQTT broker for device commands; unset: the embedded broker of `serve`. */
  readonly mqttUrl: string | undefined;
  /** Port of the embedded broker; null: do not start it. */
  readonly mqttPort: number | null;
  /** Logical recipient → URL for the webhook notification channel. */
  readonly notifyWebhooks: Record<string, string>;
  readonly notifyWebhookSecret: string | undefined;
  /** Appeals classified with less confidence go to the manual triage queue. */
  /** undefined: the shipped model's own threshold. */
  readonly appealTriageThreshold: number | undefined;
  /** Folder of alert rule YAML files loaded at start ('none' to skip); default: the city pack's rules/. */
  readonly rulesDir: string;
  /** Credentials of the platform at an external broker (MQTT_URL). */
  readonly mqttUsername: string | undefined;
  readonly mqttPassword: string | undefined;
  /** The persistent session the platform holds at an external broker for telemetry. */
  readonly mqttIngestClientId: string;
  /** How often the rules' clock runs (durations, absences). */
  readonly ruleTickMs: number;
  /** CAP feeds (Atom/RSS of CAP links, or a CAP document) polled for warnings. */
  readonly capFeedUrls: readonly string[];
  readonly capPollSeconds: number;
  /** The <sender> of the CAP messages CityLoop exports; unset: the city pack's. */
  readonly capSender: string | undefined;
  /**
   * Behind a reverse proxy that terminates TLS: believe its X-Forwarded-For / -Proto headers
   * (client addresses, and HSTS on requests that came in over HTTPS). Off: the socket's own.
   */
  readonly trustProxy: boolean;
  /**
   * Hosts the server may send requests to (CAP feeds, webhooks): names, `*.suffix`, IP
   * addresses, CIDR ranges, `*`. Unset: the hosts of CAP_FEED_URLS and NOTIFY_WEBHOOKS.
   */
  readonly outboundAllowHosts: readonly string[];
  /** Plain http besides https. */
  readonly outboundAllowHttp: boolean;
  /** Loopback, private, shared and unique-local addresses as targets. */
  readonly outboundAllowPrivate: boolean;
  /** The whole exchange of one outbound request, redirects included. */
  readonly outboundTimeoutMs: number;
  readonly outboundConnectTimeoutMs: number;
  /** Largest response body an outbound request reads. */
  readonly outboundMaxBytes: number;
  /** The bound of every store call (statement, connect, wait for a turn): past it, 503 STORE_UNAVAILABLE. */
  readonly storeTimeoutMs: number;
  /** PostgreSQL application_name of the platform's connections. */
  readonly databaseApplicationName: string;
  /** How long HTTP telemetry waits for room in the full ingest queue before 503 OVERLOADED. */
  readonly ingestMaxWaitMs: number;
  /** Analysis runs at a time, each on a worker thread (ANALYSIS_CONCURRENCY); 0 = this process runs none. */
  readonly analysisConcurrency: number;
  /** Free space in DATA_DIR below which /readyz answers 503 (MB). */
  readonly readyMinFreeMb: number;
  /** Deepest nesting of arrays/objects accepted in JSON from outside (HTTP bodies, MQTT payloads). */
  readonly jsonMaxDepth: number;
  /** Largest JSON body accepted over HTTP, in bytes. */
  readonly jsonMaxBytes: number;
  /** Largest telemetry message (MQTT payload or HTTP body), in bytes. */
  readonly telemetryMaxBytes: number;
  /** The address people and Open311 clients reach this server at (discovery names it); never taken from a request's Host. */
  readonly publicUrl: string;
  /**
   * How often an open live-feed stream asks the store whether its token still holds: catches a
   * sign-out or revocation made by another process (this process's end streams at once).
   */
  readonly sessionRecheckSeconds: number;
  /** 32 bytes (base64) sealing TOTP secrets in the store; unset: a key file in DATA_DIR. */
  readonly totpSecretKey: Buffer | undefined;
  /** The most cells of a raster (DEM) accepted by import or upload; an upload's body limit follows from it. */
  readonly rasterMaxCells: number;
}

export const SETTING_NAMES = [
  'PORT',
  'HOST',
  'DATABASE_URL',
  'DATA_DIR',
  'DEMO',
  'CITY_PACK',
  'LOG_LEVEL',
  'TIMER_INTERVAL_MS',
  'CONFIG_WATCH_SECONDS',
  'SESSION_TTL_HOURS',
  'DEFAULT_TIER',
  'CASE_NUMBER_PREFIX',
  'CALENDAR_FILE',
  'MAX_ATTACHMENT_BYTES',
  'SQLITE_SYNCHRONOUS',
  'PLANS_DIR',
  'MQTT_URL',
  'MQTT_PORT',
  'NOTIFY_WEBHOOKS',
  'NOTIFY_WEBHOOK_SECRET',
  'APPEAL_TRIAGE_THRESHOLD',
  'RULES_DIR',
  'MQTT_USERNAME',
  'MQTT_PASSWORD',
  'MQTT_INGEST_CLIENT_ID',
  'RULE_TICK_MS',
  'CAP_FEED_URLS',
  'CAP_POLL_SECONDS',
  'CAP_SENDER',
  'TRUST_PROXY',
  'OUTBOUND_ALLOW_HOSTS',
  'OUTBOUND_ALLOW_HTTP',
  'OUTBOUND_ALLOW_PRIVATE',
  'OUTBOUND_TIMEOUT_MS',
  'OUTBOUND_CONNECT_TIMEOUT_MS',
  'OUTBOUND_MAX_BYTES',
  'STORE_TIMEOUT_MS',
  'DATABASE_APPLICATION_NAME',
  'INGEST_MAX_WAIT_MS',
  'ANALYSIS_CONCURRENCY',
  'READY_MIN_FREE_MB',
  'JSON_MAX_DEPTH',
  'JSON_MAX_BYTES',
  'TELEMETRY_MAX_BYTES',
  'PUBLIC_URL',
  'SESSION_RECHECK_SECONDS',
  'TOTP_SECRET_KEY',
  'RASTER_MAX_CELLS',
] as const;

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`setting ${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new Error(`setting ${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function fraction(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error(`setting ${name} must be a number from 0 to 1, got "${raw}"`);
  return n;
}

function mqttUrlOf(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (!/^mqtts?:\/\//.test(raw)) throw new Error('setting MQTT_URL must start with mqtt:// or mqtts://');
  return raw;
}

function webhooksOf(raw: string | undefined): Record<string, string> {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('setting NOTIFY_WEBHOOKS must be a JSON object of recipient → http(s) URL');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('setting NOTIFY_WEBHOOKS must be a JSON object of recipient → http(s) URL');
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== 'string' || !/^https?:\/\//.test(v)) throw new Error(`setting NOTIFY_WEBHOOKS: the URL of ${k} must be http(s)`);
  }
  return parsed as Record<string, string>;
}

function clientIdOf(raw: string | undefined): string {
  const id = raw || 'cityloop-ingest';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new Error('setting MQTT_INGEST_CLIENT_ID must be 1 to 64 letters, digits, ".", "_" or "-"');
  return id;
}

function applicationNameOf(raw: string | undefined): string {
  const name = raw || 'cityloop';
  // PostgreSQL keeps 63 bytes of printable ASCII.
  if (!/^[A-Za-z0-9._-]{1,63}$/.test(name)) throw new Error('setting DATABASE_APPLICATION_NAME must be 1 to 63 letters, digits, ".", "_" or "-"');
  return name;
}

function capFeedsOf(raw: string | undefined): string[] {
  if (!raw) return [];
  const urls = raw.split(/[\s,]+/).filter(Boolean);
  for (const u of urls) if (!/^https?:\/\//.test(u)) throw new Error(`setting CAP_FEED_URLS: ${u} is not an http(s) URL`);
  return urls;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = (env[name] ?? '').toLowerCase();
  if (raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new Error(`setting ${name} must be true or false, got "${env[name]}"`);
}

/**
 * The outbound allow-list: as written, or, unset, the hosts of the URLs the administrator
 * configured; either way every configured URL must pass it (a typo fails at start, not at the
 * first flood).
 */
function outboundOf(env: NodeJS.ProcessEnv, configured: { setting: string; url: string }[]) {
  const given = env.OUTBOUND_ALLOW_HOSTS;
  const outbound = {
    allowHosts: given !== undefined && given.trim() !== '' ? given.split(/[\s,]+/).filter(Boolean) : [...new Set(configured.map((c) => new URL(c.url).hostname))],
    allowHttp: flag(env, 'OUTBOUND_ALLOW_HTTP', false),
    allowPrivate: flag(env, 'OUTBOUND_ALLOW_PRIVATE', false),
    timeoutMs: int(env, 'OUTBOUND_TIMEOUT_MS', 15_000, 100, 600_000),
    connectTimeoutMs: int(env, 'OUTBOUND_CONNECT_TIMEOUT_MS', 5_000, 100, 600_000),
    maxBytes: int(env, 'OUTBOUND_MAX_BYTES', 2 * 1024 * 1024, 1024, 64 * 1024 * 1024),
  };
  const policy = buildOutboundPolicy(outbound);
  for (const c of configured) {
    const r = checkOutboundUrl(policy, c.url);
    if (!r.ok) throw new Error(`setting ${c.setting}: ${r.refusal.en}`);
  }
  return outbound;
}

function publicUrlOf(raw: string | undefined, port: number): string {
  if (!raw) return `http://localhost:${port}`;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`setting PUBLIC_URL must be an http(s) URL, got "${raw}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`setting PUBLIC_URL must be an http(s) URL, got "${raw}"`);
  if (u.search || u.hash || u.username || u.password) throw new Error('setting PUBLIC_URL must be a plain base address (no query, fragment or credentials)');
  return u.href.replace(/\/+$/, '');
}

function keyOf(name: string, raw: string | undefined): Buffer | undefined {
  if (!raw) return undefined;
  const key = Buffer.from(raw, 'base64');
  if (key.length !== 32) throw new Error(`setting ${name} must be 32 bytes in base64 (openssl rand -base64 32)`);
  return key;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const demoRaw = (env.DEMO ?? 'true').toLowerCase();
  if (!['true', 'false', '1', '0', 'yes', 'no'].includes(demoRaw)) throw new Error(`setting DEMO must be true or false, got "${env.DEMO}"`);
  const prefix = env.CASE_NUMBER_PREFIX ?? 'CL';
  if (!/^[A-Z]{0,6}$/.test(prefix)) throw new Error(`setting CASE_NUMBER_PREFIX must be up to 6 capital letters, got "${prefix}"`);
  const pack = cityPackFolders(cityPackDir(env.CITY_PACK || 'chongqing'));
  const capFeedUrls = capFeedsOf(env.CAP_FEED_URLS);
  const notifyWebhooks = webhooksOf(env.NOTIFY_WEBHOOKS);
  const o = outboundOf(env, [
    ...capFeedUrls.map((url) => ({ setting: 'CAP_FEED_URLS', url })),
    // Webhook URLs often carry a token: a refusal names the recipient, never the URL.
    ...Object.entries(notifyWebhooks).map(([to, url]) => ({ setting: `NOTIFY_WEBHOOKS (${to})`, url })),
  ]);
  const outboundSettings = {
    outboundAllowHosts: o.allowHosts,
    outboundAllowHttp: o.allowHttp,
    outboundAllowPrivate: o.allowPrivate,
    outboundTimeoutMs: o.timeoutMs,
    outboundConnectTimeoutMs: o.connectTimeoutMs,
    outboundMaxBytes: o.maxBytes,
  };
  const demo = ['true', '1', 'yes'].includes(demoRaw);
  return {
    port: int(env, 'PORT', 8080, 0, 65535),
    // The demo's accounts share a published password: while it runs, only this machine by default.
    host: env.HOST || (demo ? '127.0.0.1' : '0.0.0.0'),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: resolve(env.DATA_DIR || 'data'),
    demo,
    cityPack: pack.dir,
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    timerIntervalMs: int(env, 'TIMER_INTERVAL_MS', 1000, 50, 3_600_000),
    configWatchSeconds: int(env, 'CONFIG_WATCH_SECONDS', 5, 0, 3600),
    sessionTtlHours: int(env, 'SESSION_TTL_HOURS', 12, 1, 24 * 90),
    defaultTier: oneOf(env, 'DEFAULT_TIER', ['city', 'district', 'street'], 'district'),
    caseNumberPrefix: prefix,
    calendarFile: env.CALENDAR_FILE || undefined,
    maxAttachmentBytes: int(env, 'MAX_ATTACHMENT_BYTES', 10 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    sqliteSynchronous: oneOf(env, 'SQLITE_SYNCHRONOUS', ['NORMAL', 'FULL'], 'NORMAL'),
    plansDir: env.PLANS_DIR === 'none' ? 'none' : resolve(env.PLANS_DIR || pack.plansDir),
    mqttUrl: mqttUrlOf(env.MQTT_URL),
    mqttPort: env.MQTT_PORT === 'off' ? null : int(env, 'MQTT_PORT', 1883, 0, 65535),
    notifyWebhooks,
    notifyWebhookSecret: env.NOTIFY_WEBHOOK_SECRET || undefined,
    appealTriageThreshold: env.APPEAL_TRIAGE_THRESHOLD ? fraction(env, 'APPEAL_TRIAGE_THRESHOLD', 0.56) : undefined,
    rulesDir: env.RULES_DIR === 'none' ? 'none' : resolve(env.RULES_DIR || pack.rulesDir),
    mqttUsername: env.MQTT_USERNAME || undefined,
    mqttPassword: env.MQTT_PASSWORD || undefined,
    mqttIngestClientId: clientIdOf(env.MQTT_INGEST_CLIENT_ID),
    ruleTickMs: int(env, 'RULE_TICK_MS', 1000, 50, 600_000),
    capFeedUrls,
    capPollSeconds: int(env, 'CAP_POLL_SECONDS', 300, 10, 86_400),
    capSender: env.CAP_SENDER || undefined,
    trustProxy: ['true', '1', 'yes'].includes((env.TRUST_PROXY ?? '').toLowerCase()),
    ...outboundSettings,
    storeTimeoutMs: int(env, 'STORE_TIMEOUT_MS', 10_000, 100, 600_000),
    databaseApplicationName: applicationNameOf(env.DATABASE_APPLICATION_NAME),
    ingestMaxWaitMs: int(env, 'INGEST_MAX_WAIT_MS', 2000, 0, 600_000),
    analysisConcurrency: int(env, 'ANALYSIS_CONCURRENCY', 1, 0, 16),
    readyMinFreeMb: int(env, 'READY_MIN_FREE_MB', 100, 0, 1_000_000),
    jsonMaxDepth: int(env, 'JSON_MAX_DEPTH', 64, 2, 1000),
    jsonMaxBytes: int(env, 'JSON_MAX_BYTES', 16 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    telemetryMaxBytes: int(env, 'TELEMETRY_MAX_BYTES', 256 * 1024, 256, 64 * 1024 * 1024),
    publicUrl: publicUrlOf(env.PUBLIC_URL, int(env, 'PORT', 8080, 0, 65535)),
    sessionRecheckSeconds: int(env, 'SESSION_RECHECK_SECONDS', 60, 1, 3600),
    totpSecretKey: keyOf('TOTP_SECRET_KEY', env.TOTP_SECRET_KEY),
    rasterMaxCells: int(env, 'RASTER_MAX_CELLS', DEFAULT_MAX_RASTER_CELLS, 1, 1_000_000_000),
  };
}
