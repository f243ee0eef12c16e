/**
 * One simulated device's MQTT connection: connected once (a refused login or an unreachable broker
 * is reported, not retried for ever), reconnected when it drops, stamps that never go back, and at
 * most WINDOW messages unacknowledged.
 */
import { randomBytes } from 'node:crypto';
import { connect, type MqttClient } from 'mqtt';

/** Unacknowledged messages a device may have at once. */
export const WINDOW = 32;
const CONNECT_TIMEOUT_MS = 5_000;
const RECONNECT_MS = 2_000;

// ───────────────────────────── connections ─────────────────────────────

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export type Connected = { ok: true; client: MqttClient } | { ok: false; refused: boolean; reason: string };

/** Connects once, without retrying: a refused login or an unreachable broker is reported, not retried for ever. */
export function connectDevice(url: string, id: string, secret: string): Promise<Connected> {
  return new Promise((resolve) => {
    let settled = false;
    const client = connect(url, {
      clientId: `sim-${id}-${randomBytes(3).toString('hex')}`,
      username: id,
      password: secret,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
      log: () => {},
    });
    const finish = (r: Connected) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.removeListener('connect', onConnect);
      client.removeListener('error', onError);
      client.removeListener('close', onClose);
      if (!r.ok) {
        client.on('error', () => {});
        client.end(true);
      }
      resolve(r);
    };
    const onConnect = () => {
      // Connected once: from now on it reconnects by itself (mqtt.js reads the period when it closes).
      client.options.reconnectPeriod = RECONNECT_MS;
      finish({ ok: true, client });
    };
    const onError = (e: Error & { code?: string | number }) => {
      if (e.code === 5 || e.code === 4 || /not authori[sz]ed|bad user ?name or password/i.test(e.message)) finish({ ok: false, refused: true, reason: 'the broker refused the login (unknown device or wrong secret)' });
      else finish({ ok: false, refused: false, reason: typeof e.code === 'string' ? `${e.code}` : e.message });
    };
    const onClose = () => finish({ ok: false, refused: false, reason: 'the connection closed before the broker answered' });
    const timer = setTimeout(() => finish({ ok: false, refused: false, reason: `no answer within ${CONNECT_TIMEOUT_MS / 1000} s` }), CONNECT_TIMEOUT_MS + 500);
    client.once('connect', onConnect);
    client.once('error', onError);
    client.once('close', onClose);
  });
}

export interface Stats {
  sent: number;
  acknowledged: number;
  failed: number;
  skipped: number;
}

/** One device's connection: its stamps never go back, and at most WINDOW messages are unacknowledged. */
export class DeviceLink {
  #inflight = 0;
  #lastTs = 0;
  #waiters: (() => void)[] = [];
  #closed = false;
  constructor(
    readonly id: string,
    readonly type: string,
    readonly client: MqttClient,
    readonly stats: Stats,
  ) {}

  get inflight(): number {
    return this.#inflight;
  }

  /** The time to stamp a message with now: the real time, at least 1 ms after the previous stamp. */
  #stamp(): Date {
    const ms = Math.max(Date.now(), this.#lastTs + 1);
    this.#lastTs = ms;
    return new Date(ms);
  }

  /**
   * Publishes a body built at the moment it goes out. `skipIfBusy`: a full window skips it (a
   * background reading; the next one comes soon); otherwise it waits for room.
   */
  async publish(kind: 'telemetry' | 'events', build: (at: Date) => unknown, skipIfBusy: boolean): Promise<boolean> {
    if (this.#closed) return false;
    if (this.#inflight >= WINDOW) {
      if (skipIfBusy) {
        this.stats.skipped++;
        return false;
      }
      while (this.#inflight >= WINDOW && !this.#closed) await new Promise<void>((r) => this.#waiters.push(r));
      if (this.#closed) return false;
    }
    const body = JSON.stringify(build(this.#stamp()));
    this.#inflight++;
    this.stats.sent++;
    this.client.publish(`cityloop/devices/${this.id}/${kind}`, body, { qos: 1 }, (err) => {
      if (this.#closed) return;
      this.#inflight--;
      if (err) this.stats.failed++;
      else this.stats.acknowledged++;
      this.#waiters.shift()?.();
    });
    return true;
  }

  /** Stops counting: what is still unacknowledged is counted failed. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.stats.failed += this.#inflight;
    this.#inflight = 0;
    for (const w of this.#waiters.splice(0)) w();
    this.client.end(true);
  }
}
