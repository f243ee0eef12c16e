/**
 * The MQTT adapter of the device command port. One client per platform process: it publishes
 * commands and holds one subscription to every device's acks, matched to waiting sends by
 * commandId. See `device-protocol.ts` for the wire contract devices implement.
 */
import { randomUUID } from 'node:crypto';
import { connect, type MqttClient } from 'mqtt';
import { systemClock, type Clock } from '../../clock.ts';
import { assertRetryPolicy, type DeviceAck, type DeviceCommand, type DeviceCommandChannel, type RetryPolicy, type SendOutcome } from '../device-commands.ts';
import { ACK_TOPIC_FILTER, assertCommandId, assertDeviceId, commandTopic, encodeCommand, parseAck } from './device-protocol.ts';

export interface MqttDeviceChannelOptions {
  /** mqtt://host:port or mqtts://…; credentials belong in username/password, not in the URL. */
  readonly url: string;
  /** Default: random, so that two platform processes never take over each other's session. */
  readonly clientId?: string;
  readonly username?: string;
  readonly password?: string;
  /** How long to wait for the broker (CONNACK) before a send reports `not_connected`. Default 5 s. */
  readonly connectTimeoutMs?: number;
  /** Pause between reconnection attempts. Default 1 s. */
  readonly reconnectPeriodMs?: number;
  readonly clock?: Clock;
}

export interface DeviceChannelStats {
  /** Command messages published, resends included. */
  readonly sent: number;
  /** Commands confirmed by their device. */
  readonly acked: number;
  /** Commands the device refused (`ok: false`). */
  readonly rejected: number;
  /** Commands given up after every attempt went unanswered. */
  readonly timeouts: number;
  /** Commands given up because the broker could not be reached. */
  readonly notConnected: number;
  /** Messages on the ack topic that are not an ack (bad JSON, missing fields): ignored. */
  readonly malformedAcks: number;
  /** Well-formed acks for no waiting command (late, duplicate, or from another device id): ignored. */
  readonly unmatchedAcks: number;
}

export interface MqttDeviceChannel extends DeviceCommandChannel {
  /** Connected to the broker and subscribed to acks: a send now goes out at once. */
  readonly connected: boolean;
  stats(): DeviceChannelStats;
}

/**
 * Connects and subscribes to acks. Resolves after the first connection attempt either way: the
 * platform must start while the broker is down, and its sends then report `not_connected` until
 * the automatic reconnection succeeds.
 */
export async function openMqttDeviceChannel(opts: MqttDeviceChannelOptions): Promise<MqttDeviceChannel> {
  const connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
  if (!Number.isFinite(connectTimeoutMs) || connectTimeoutMs <= 0) {
    throw new RangeError(`connectTimeoutMs must be a positive number (got ${String(connectTimeoutMs)})`);
  }
  const client = connect(opts.url, {
    clientId: opts.clientId ?? `cityloop-${randomUUID().slice(0, 8)}`,
    ...(opts.username !== undefined ? { username: opts.username } : {}),
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    connectTimeout: connectTimeoutMs,
    reconnectPeriod: opts.reconnectPeriodMs ?? 1_000,
    clean: true,
    // The channel subscribes on every connect itself, so it knows when acks can be received.
    resubscribe: false,
    // mqtt.js's debug log prints the username and options; keep it silent whatever DEBUG says.
    log: () => {},
  });
  const channel = new MqttChannel(client, connectTimeoutMs, opts.clock ?? systemClock);
  await channel.firstAttempt();
  return channel;
}

/** 'closed': the channel closed or the broker could not be reached in time; reported as not_connected. */
type WaitResult = { readonly kind: 'ack'; readonly ack: DeviceAck } | { readonly kind: 'timeout' } | { readonly kind: 'closed' };

/** One waiting send: keeps an ack that arrives between attempts so the next wait returns it at once. */
class AckWaiter {
  readonly deviceId: string;
  #result: WaitResult | null = null;
  #wake: ((r: WaitResult) => void) | null = null;

  constructor(deviceId: string) {
    this.deviceId = deviceId;
  }

  get result(): WaitResult | null {
    return this.#result;
  }

  settle(r: WaitResult): void {
    if (this.#result) return;
    this.#result = r;
    this.#wake?.(r);
  }

  wait(ms: number): Promise<WaitResult> {
    if (this.#result) return Promise.resolve(this.#result);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = null;
        resolve({ kind: 'timeout' });
      }, ms);
      this.#wake = (r) => {
        clearTimeout(timer);
        this.#wake = null;
        resolve(r);
      };
    });
  }
}

class MqttChannel implements MqttDeviceChannel {
  readonly #client: MqttClient;
  readonly #connectTimeoutMs: number;
  readonly #clock: Clock;
  readonly #pending = new Map<string, AckWaiter>();
  readonly #readyWaiters = new Set<(ready: boolean) => void>();
  /** Bumped on every connect, so a SUBACK from an earlier connection cannot mark this one ready. */
  #generation = 0;
  #ready = false;
  #closed = false;
  #stats = { sent: 0, acked: 0, rejected: 0, timeouts: 0, notConnected: 0, malformedAcks: 0, unmatchedAcks: 0 };

  constructor(client: MqttClient, connectTimeoutMs: number, clock: Clock) {
    this.#client = client;
    this.#connectTimeoutMs = connectTimeoutMs;
    this.#clock = clock;
    client.on('connect', () => void this.#subscribe(++this.#generation));
    client.on('close', () => {
      this.#ready = false;
    });
    client.on('message', (topic, payload) => this.#onMessage(topic, payload));
    // Without a listener an 'error' event would throw and end the process. Connection errors need
    // no action here: reconnection is automatic and sends report not_connected meanwhile.
    client.on('error', () => {});
  }

  get connected(): boolean {
    return this.#ready;
  }

  stats(): DeviceChannelStats {
    return { ...this.#stats };
  }

  /** Waits until the first connection succeeded or failed (refused, closed), at most the connect timeout. */
  firstAttempt(): Promise<void> {
    if (this.#ready || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.#readyWaiters.delete(finish);
        this.#client.off('close', finish);
        resolve();
      };
      const timer = setTimeout(finish, this.#connectTimeoutMs);
      this.#readyWaiters.add(finish);
      this.#client.on('close', finish);
    });
  }

  async send(cmd: DeviceCommand, retry: RetryPolicy): Promise<SendOutcome> {
    assertDeviceId(cmd.deviceId);
    assertCommandId(cmd.commandId);
    if (typeof cmd.name !== 'string' || cmd.name.length === 0) throw new RangeError(`command name must be a non-empty string (got ${JSON.stringify(cmd.name)})`);
    assertRetryPolicy(retry);
    if (this.#pending.has(cmd.commandId)) {
      // Two sends of one commandId would share one ack and count attempts twice.
      throw new Error(`command ${cmd.commandId} is already being sent`);
    }
    if (this.#closed) return { confirmed: false, attempts: 0, reason: 'not_connected', ack: null };

    const topic = commandTopic(cmd.deviceId);
    const payload = encodeCommand(cmd);
    // Registered before the first publish: a fast device may answer before publish() returns.
    const waiter = new AckWaiter(cmd.deviceId);
    this.#pending.set(cmd.commandId, waiter);
    let attempts = 0;
    try {
      for (let i = 0; i <= retry.times; i++) {
        // An ack that came in just after the previous wait ended still counts, connected or not.
        const late = waiter.result;
        if (late) return this.#outcome(late, attempts);
        if (!(await this.#waitReady(this.#connectTimeoutMs))) return this.#outcome({ kind: 'closed' }, attempts);
        attempts++;
        this.#stats.sent++;
        // A failed publish is an attempt that got no answer: the next resend covers it.
        this.#client.publish(topic, payload, { qos: 1, retain: false }, () => {});
        const r = await waiter.wait(retry.everyMs);
        if (r.kind !== 'timeout') return this.#outcome(r, attempts);
      }
      return this.#outcome(waiter.result ?? { kind: 'timeout' }, attempts);
    } finally {
      this.#pending.delete(cmd.commandId);
    }
  }

  #outcome(r: WaitResult, attempts: number): SendOutcome {
    switch (r.kind) {
      case 'ack':
        if (r.ack.ok) {
          this.#stats.acked++;
          return { confirmed: true, attempts, ack: r.ack };
        }
        this.#stats.rejected++;
        return { confirmed: false, attempts, reason: 'rejected', ack: r.ack };
      case 'closed':
        this.#stats.notConnected++;
        return { confirmed: false, attempts, reason: 'not_connected', ack: null };
      case 'timeout':
        this.#stats.timeouts++;
        return { confirmed: false, attempts, reason: 'timeout', ack: null };
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#ready = false;
    this.#wakeReadyWaiters(false);
    for (const w of this.#pending.values()) w.settle({ kind: 'closed' });
    // force: do not wait for in-flight QoS 1 handshakes with a broker that may be gone.
    await this.#client.endAsync(true);
  }

  async #subscribe(generation: number): Promise<void> {
    try {
      const grants = await this.#client.subscribeAsync(ACK_TOPIC_FILTER, { qos: 1 });
      // 128 is the broker's refusal (an ACL, issue 4); without acks no send can be confirmed.
      if (grants.some((g) => g.qos === 128)) return;
    } catch {
      return; // the connection dropped before SUBACK; the next connect subscribes again
    }
    if (generation !== this.#generation || !this.#client.connected || this.#closed) return;
    this.#ready = true;
    this.#wakeReadyWaiters(true);
  }

  #waitReady(ms: number): Promise<boolean> {
    if (this.#ready) return Promise.resolve(true);
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ready: boolean): void => {
        clearTimeout(timer);
        this.#readyWaiters.delete(done);
        resolve(ready);
      };
      const timer = setTimeout(() => done(false), ms);
      this.#readyWaiters.add(done);
    });
  }

  #wakeReadyWaiters(ready: boolean): void {
    for (const w of [...this.#readyWaiters]) w(ready);
  }

  #onMessage(topic: string, payload: Buffer): void {
    const parsed = parseAck(topic, payload);
    if (!parsed.valid) {
      this.#stats.malformedAcks++;
      return;
    }
    const { ack } = parsed;
    const waiter = this.#pending.get(ack.commandId);
    // The device id must match too: one device must not be able to confirm another's command.
    if (!waiter || waiter.deviceId !== ack.deviceId) {
      this.#stats.unmatchedAcks++;
      return;
    }
    waiter.settle({ kind: 'ack', ack: { commandId: ack.commandId, deviceId: ack.deviceId, ok: ack.ok, detail: ack.detail, at: this.#clock.now().toISOString() } });
  }
}
