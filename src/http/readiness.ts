/**
 * Readiness: whether this process can do its work now, as a load balancer or an operator asks it.
 * Liveness (the process runs) needs no I/O and is not here. `judgeReadiness` is the pure decision
 * over what was observed; `ReadinessProbe` observes (a rolled-back write, the free space of
 * DATA_DIR, the broker connection, the ingest queue) and keeps the answer for a second, so that
 * many probes cost one observation.
 */
import { statfs } from 'node:fs/promises';
import type { Store } from '../store/store.ts';
import { describeStoreFault } from '../store/store-faults.ts';

export interface ReadinessObservation {
  /** The write probe: null when it succeeded, else what failed. */
  readonly storeProbeError: string | null;
  /** A full-or-unavailable fault of a real write that no later write has cleared. */
  readonly storeFault: { readonly kind: 'full' | 'unavailable'; readonly at: string; readonly detail: string } | null;
  /** null: no broker is configured (device commands are off by choice). */
  readonly brokerConnected: boolean | null;
  readonly ingestQueued: number;
  readonly ingestQueueBound: number;
  /** Free bytes in DATA_DIR, or the error of asking. */
  readonly diskFreeBytes: number | { readonly error: string };
  readonly diskMinFreeBytes: number;
}

export interface ReadinessCheck {
  readonly ok: boolean;
  readonly detail: string;
}

export interface Readiness {
  readonly ready: boolean;
  /** The names of the checks that failed. */
  readonly failing: readonly string[];
  readonly checks: { readonly store: ReadinessCheck; readonly broker: ReadinessCheck; readonly ingest: ReadinessCheck; readonly disk: ReadinessCheck };
  readonly checkedAt: string;
}

const MB = 1024 * 1024;

export function judgeReadiness(o: ReadinessObservation, checkedAt: string): Readiness {
  const store: ReadinessCheck =
    o.storeProbeError !== null
      ? { ok: false, detail: `the write probe failed: ${o.storeProbeError}` }
      : o.storeFault
        ? { ok: false, detail: `${o.storeFault.kind === 'full' ? 'full' : 'unavailable'} since ${o.storeFault.at}: ${o.storeFault.detail}` }
        : { ok: true, detail: 'takes writes' };
  const broker: ReadinessCheck =
    o.brokerConnected === null ? { ok: true, detail: 'no broker configured' } : o.brokerConnected ? { ok: true, detail: 'connected' } : { ok: false, detail: 'the platform is not connected to the MQTT broker' };
  const ingest: ReadinessCheck =
    o.ingestQueued < o.ingestQueueBound
      ? { ok: true, detail: `${o.ingestQueued} of ${o.ingestQueueBound} readings queued` }
      : { ok: false, detail: `the ingest queue is full (${o.ingestQueued} of ${o.ingestQueueBound} readings): senders are held back` };
  const disk: ReadinessCheck =
    typeof o.diskFreeBytes !== 'number'
      ? { ok: false, detail: `free space unknown: ${o.diskFreeBytes.error}` }
      : o.diskFreeBytes >= o.diskMinFreeBytes
        ? { ok: true, detail: `${Math.floor(o.diskFreeBytes / MB)} MB free` }
        : { ok: false, detail: `${Math.floor(o.diskFreeBytes / MB)} MB free, below the floor of ${Math.floor(o.diskMinFreeBytes / MB)} MB (READY_MIN_FREE_MB)` };
  const checks = { store, broker, ingest, disk };
  const failing = Object.entries(checks)
    .filter(([, c]) => !c.ok)
    .map(([name]) => name);
  return { ready: failing.length === 0, failing, checks, checkedAt };
}

export interface ReadinessSources {
  readonly store: Store;
  readonly dataDir: string;
  readonly minFreeBytes: number;
  readonly brokerConnected: () => boolean | null;
  readonly ingest: () => { queued: number; bound: number };
  /** The write probe's own bound (well below a load balancer's probe timeout). */
  readonly probeTimeoutMs?: number;
  /** How long an answer is reused. */
  readonly cacheMs?: number;
  readonly now?: () => number;
}

export class ReadinessProbe {
  readonly #s: ReadinessSources;
  #cached: { at: number; value: Readiness } | null = null;
  #inFlight: Promise<Readiness> | null = null;

  constructor(sources: ReadinessSources) {
    this.#s = sources;
  }

  /** The readiness of at most cacheMs ago; concurrent callers share one observation. */
  async check(): Promise<Readiness> {
    const now = (this.#s.now ?? Date.now)();
    if (this.#cached && now - this.#cached.at < (this.#s.cacheMs ?? 1000)) return this.#cached.value;
    this.#inFlight ??= this.#observe().finally(() => (this.#inFlight = null));
    return this.#inFlight;
  }

  async #observe(): Promise<Readiness> {
    const s = this.#s;
    const probeTimeoutMs = Math.min(s.probeTimeoutMs ?? 1000, s.store.timeoutMs);
    const [storeProbeError, diskFreeBytes] = await Promise.all([
      s.store.probeWrite(probeTimeoutMs).then(
        () => null,
        (e: unknown) => describeStoreFault(e),
      ),
      freeBytes(s.dataDir),
    ]);
    const q = s.ingest();
    const at = (s.now ?? Date.now)();
    const value = judgeReadiness(
      {
        storeProbeError,
        storeFault: s.store.faults.current(),
        brokerConnected: s.brokerConnected(),
        ingestQueued: q.queued,
        ingestQueueBound: q.bound,
        diskFreeBytes,
        diskMinFreeBytes: s.minFreeBytes,
      },
      new Date(at).toISOString(),
    );
    this.#cached = { at, value };
    return value;
  }
}

async function freeBytes(dir: string): Promise<number | { error: string }> {
  try {
    const st = await statfs(dir);
    // bavail: what an unprivileged writer may still use (the store runs as one).
    return st.bavail * st.bsize;
  } catch (e) {
    return { error: (e as Error).message };
  }
}
