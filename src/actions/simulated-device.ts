/**
 * A simulated field device (a traffic signal, or any device that takes commands) for tests and
 * demos. It is a real MQTT client speaking the device side of `mqtt/device-protocol.ts` over a
 * real broker, not a stub of the platform: the platform's channel cannot tell it from hardware.
 * Behaviours let a test play a device that refuses, never answers, or answers only after the
 * platform has resent a few times.
 */
import { randomUUID } from 'node:crypto';
import { connectAsync } from 'mqtt';
import { ackTopic, assertDeviceId, commandTopic, encodeAck, parseCommand } from './mqtt/device-protocol.ts';

export type SimulatedBehaviour =
  /** Carries every command out and acknowledges it. */
  | 'ack'
  /** Acknowledges every command with `ok: false`. */
  | 'reject'
  /** Receives but never answers. */
  | 'silent'
  /** Ignores the first N deliveries (resends included), then behaves as 'ack'. */
  | { readonly failFirst: number };

export interface SimulatedCommand {
  readonly commandId: string;
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly caseId: string | null;
  readonly issuedAt: string | null;
}

export interface SimulatedDevice {
  readonly deviceId: string;
  /** Every delivery in order, resends included, so a test can count attempts. */
  readonly received: SimulatedCommand[];
  /** What the device has carried out: `phase` after `set_phase`, otherwise the params by command name. */
  readonly state: Record<string, unknown>;
  close(): Promise<void>;
}

export interface SimulatedDeviceOptions {
  readonly url: string;
  readonly deviceId: string;
  readonly behaviour?: SimulatedBehaviour;
  readonly onCommand?: (c: SimulatedCommand) => void;
  readonly username?: string;
  readonly password?: string;
}

/** A simulator started without a reachable broker fails at once instead of retrying for ever. */
const NO_RETRY_ON_FIRST_CONNECT = false;

/** Resolves once subscribed, so a command sent right after cannot be missed. */
export async function connectSimulatedDevice(opts: SimulatedDeviceOptions): Promise<SimulatedDevice> {
  assertDeviceId(opts.deviceId);
  const behaviour = opts.behaviour ?? 'ack';
  if (typeof behaviour === 'object' && (!Number.isInteger(behaviour.failFirst) || behaviour.failFirst < 0)) {
    throw new RangeError(`failFirst must be a non-negative integer (got ${String(behaviour.failFirst)})`);
  }
  const client = await connectAsync(opts.url, {
    clientId: `sim-${opts.deviceId}-${randomUUID().slice(0, 8)}`,
    ...(opts.username !== undefined ? { username: opts.username } : {}),
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    clean: true,
    connectTimeout: 5_000,
    reconnectPeriod: 1_000,
    log: () => {},
  }, NO_RETRY_ON_FIRST_CONNECT);
  client.on('error', () => {});
  const received: SimulatedCommand[] = [];
  const state: Record<string, unknown> = {};
  // A real device must carry a command out once however often it arrives: resends reuse the
  // commandId, and QoS 1 may deliver twice. The simulator does the same.
  const done = new Set<string>();
  let ignored = 0;
  const replyTo = ackTopic(opts.deviceId);

  client.on('message', (topic, payload) => {
    const cmd = parseCommand(topic, payload);
    if (!cmd || cmd.deviceId !== opts.deviceId) return;
    const c: SimulatedCommand = { commandId: cmd.commandId, name: cmd.name, params: cmd.params, caseId: cmd.caseId, issuedAt: cmd.issuedAt };
    received.push(c);
    opts.onCommand?.(c);
    if (behaviour === 'silent') return;
    if (typeof behaviour === 'object' && ignored < behaviour.failFirst) {
      ignored++;
      return;
    }
    if (behaviour === 'reject') {
      client.publish(replyTo, encodeAck({ commandId: c.commandId, ok: false, detail: 'rejected by the simulated device' }), { qos: 1 });
      return;
    }
    if (!done.has(c.commandId)) {
      done.add(c.commandId);
      if (c.name === 'set_phase') state.phase = c.params.phase;
      else state[c.name] = c.params;
    }
    client.publish(replyTo, encodeAck({ commandId: c.commandId, ok: true }), { qos: 1 });
  });
  await client.subscribeAsync(commandTopic(opts.deviceId), { qos: 1 });

  return {
    deviceId: opts.deviceId,
    received,
    state,
    async close() {
      // Connected: a clean goodbye; cut off (a broker that went away): do not wait for one.
      await client.endAsync(!client.connected);
    },
  };
}
