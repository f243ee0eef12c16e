import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tier } from './cases/case-model.ts';

const SHIPPED_PLANS_DIR = fileURLToPath(new URL('../plans', import.meta.url));

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
  readonly logLevel: string;
  readonly timerIntervalMs: number;
  readonly sessionTtlHours: number;
  readonly defaultTier: Tier;
  readonly caseNumberPrefix: string;
  readonly calendarFile: string | undefined;
  readonly maxAttachmentBytes: number;
  readonly sqliteSynchronous: 'NORMAL' | 'FULL';
  /** Folder of plan YAML files loaded at start ('none' to skip). */
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
}

export const SETTING_NAMES = [
  'PORT',
  'HOST',
  'DATABASE_URL',
  'DATA_DIR',
  'DEMO',
  'LOG_LEVEL',
  'TIMER_INTERVAL_MS',
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

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const demoRaw = (env.DEMO ?? 'true').toLowerCase();
  if (!['true', 'false', '1', '0', 'yes', 'no'].includes(demoRaw)) throw new Error(`setting DEMO must be true or false, got "${env.DEMO}"`);
  const prefix = env.CASE_NUMBER_PREFIX ?? 'CL';
  if (!/^[A-Z]{0,6}$/.test(prefix)) throw new Error(`setting CASE_NUMBER_PREFIX must be up to 6 capital letters, got "${prefix}"`);
  return {
    port: int(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: resolve(env.DATA_DIR || 'data'),
    demo: ['true', '1', 'yes'].includes(demoRaw),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    timerIntervalMs: int(env, 'TIMER_INTERVAL_MS', 1000, 50, 3_600_000),
    sessionTtlHours: int(env, 'SESSION_TTL_HOURS', 12, 1, 24 * 90),
    defaultTier: oneOf(env, 'DEFAULT_TIER', ['city', 'district', 'street'], 'district'),
    caseNumberPrefix: prefix,
    calendarFile: env.CALENDAR_FILE || undefined,
    maxAttachmentBytes: int(env, 'MAX_ATTACHMENT_BYTES', 10 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    sqliteSynchronous: oneOf(env, 'SQLITE_SYNCHRONOUS', ['NORMAL', 'FULL'], 'NORMAL'),
    plansDir: env.PLANS_DIR === 'none' ? 'none' : resolve(env.PLANS_DIR || SHIPPED_PLANS_DIR),
    mqttUrl: mqttUrlOf(env.MQTT_URL),
    mqttPort: env.MQTT_PORT === 'off' ? null : int(env, 'MQTT_PORT', 1883, 0, 65535),
    notifyWebhooks: webhooksOf(env.NOTIFY_WEBHOOKS),
    notifyWebhookSecret: env.NOTIFY_WEBHOOK_SECRET || undefined,
    appealTriageThreshold: env.APPEAL_TRIAGE_THRESHOLD ? fraction(env, 'APPEAL_TRIAGE_THRESHOLD', 0.56) : undefined,
  };
}
