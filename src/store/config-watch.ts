/**
 * Keeps what this process holds in memory of the city's configuration in step with the store when
 * another process changes it: a second server on the same PostgreSQL, or the CLI (`cityloop plans
 * import`, `devices import`, …) beside a running server. Plans, rules, the routing table,
 * categories and units, and devices are read into memory at start and after this process's own
 * edits; without this, another process's edit reached this one only at its next restart.
 *
 * How: every few seconds a fingerprint of each part is read (a count and the newest change, a few
 * small aggregate queries) and compared with the last; a part that differs is read again. On SQLite
 * the fingerprints are read only when another connection has committed since the last look
 * (`PRAGMA data_version`), so a single server pays one pragma per tick.
 */
import { sql } from 'kysely';
import type { Tx } from './store.ts';

/** The parts of the configuration held in memory, each read again as a whole. */
export const CONFIG_PARTS = ['plans', 'rules', 'routing', 'org', 'devices'] as const;
export type ConfigPart = (typeof CONFIG_PARTS)[number];
export type ConfigFingerprint = Readonly<Record<ConfigPart, string>>;

/** The parts whose fingerprints differ (pure). */
export function changedParts(before: ConfigFingerprint, now: ConfigFingerprint): ConfigPart[] {
  return CONFIG_PARTS.filter((p) => before[p] !== now[p]);
}

/**
 * Reads the fingerprint of every part. Versions are rows (plans, rules, routing tables, category
 * lists), so a count and the newest time or number change with every save; `active` is summed for
 * the switches. Categories and units: their counts too (a demo or import writes them without a
 * version), and the newest event of a unit's or a center's stream (an administrator renamed, moved,
 * disabled one: the row count stays); devices are edited in place: their count and newest `updated_at`.
 */
export async function readConfigFingerprint(db: Tx): Promise<ConfigFingerprint> {
  const one = async (q: ReturnType<typeof sql<Record<string, unknown>>>): Promise<string> => {
    const r = await q.execute(db);
    return JSON.stringify(Object.values(r.rows[0] ?? {}).map((v) => (v === null || v === undefined ? null : String(v))));
  };
  const [plans, rules, routing, categoryVersions, categories, units, devices] = await Promise.all([
    one(sql`select count(*) as n, max(created_at) as t, sum(active) as a from plans`),
    one(sql`select count(*) as n, max(created_at) as t, sum(active) as a from rules`),
    one(sql`select count(*) as n, max(version) as v from routing_tables`),
    one(sql`select count(*) as n, max(version) as v from category_versions`),
    one(sql`select count(*) as n from categories`),
    one(sql`select count(*) as n, sum(disabled) as d, (select max(seq) from events where stream_type in ('unit', 'center')) as s from units`),
    one(sql`select count(*) as n, max(updated_at) as t from devices`),
  ]);
  return { plans, rules, routing, org: `${categoryVersions}${categories}${units}`, devices };
}

export interface ConfigWatcherDeps {
  readonly read: () => Promise<ConfigFingerprint>;
  /** Reads the named parts again. */
  readonly reload: (parts: readonly ConfigPart[]) => Promise<void>;
  /** SQLite: whether another connection committed since the last call; absent, every tick looks. */
  readonly othersCommitted?: () => boolean;
  readonly onReloaded?: (parts: readonly ConfigPart[]) => void;
  readonly onError?: (e: unknown) => void;
}

export class ConfigWatcher {
  readonly #d: ConfigWatcherDeps;
  #last: ConfigFingerprint | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #running: Promise<ConfigPart[]> | null = null;
  /** Another connection committed and the look that follows has not yet succeeded. */
  #othersWrote = false;

  constructor(deps: ConfigWatcherDeps) {
    this.#d = deps;
  }

  /** Takes the fingerprint as it is now, then looks again every `intervalMs`. */
  async start(intervalMs: number): Promise<void> {
    this.stop();
    this.#d.othersCommitted?.();
    this.#last = await this.#d.read();
    this.#timer = setInterval(() => void this.check().catch((e) => this.#d.onError?.(e)), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One look: the parts read again (none when nothing changed). One look at a time. */
  check(): Promise<ConfigPart[]> {
    this.#running ??= this.#look().finally(() => (this.#running = null));
    return this.#running;
  }

  async #look(): Promise<ConfigPart[]> {
    if (this.#d.othersCommitted?.()) this.#othersWrote = true;
    if (this.#last && this.#d.othersCommitted && !this.#othersWrote) return [];
    const now = await this.#d.read();
    const parts = this.#last ? changedParts(this.#last, now) : [];
    if (parts.length > 0) {
      // A reload that fails leaves the old fingerprint: the next look tries again.
      await this.#d.reload(parts);
      this.#d.onReloaded?.(parts);
    }
    this.#last = now;
    this.#othersWrote = false;
    return parts;
  }
}
