/**
 * The MQTT wire contract between CityLoop and devices, as pure functions (no client, no I/O) so
 * both sides — the platform's channel and the simulator — share one definition and it is tested
 * without a broker.
 *
 *   platform → device   cityloop/devices/{deviceId}/commands   QoS 1, not retained
 *                       {"commandId","name","params","caseId","issuedAt"}
 *   device → platform   cityloop/devices/{deviceId}/acks       QoS 1 recommended
 *                       {"commandId","ok","detail"?}
 *
 * Devices must treat a command they have already seen (same commandId) idempotently: carry it out
 * once, and acknowledge it again. The platform resends with the same commandId when an ack is
 * late or lost, and QoS 1 itself may deliver a message twice.
 *
 * Commands are not retained: a retained "set red" would be replayed to a device every time it
 * reconnects, long after the case that sent it has closed.
 */
import type { DeviceCommand } from '../device-commands.ts';
import { DEFAULT_JSON_LIMITS, parseGuardedJson } from '../../guarded-json.ts';

/** Letters, digits, `.`, `_`, `-`: no `/`, `+` or `#`, which would let an id reach other topics. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const COMMAND_ID_MAX = 128;
/** Acks are a few dozen bytes; anything far bigger is not an ack and is not worth parsing. */
const ACK_MAX_BYTES = 16 * 1024;
const DETAIL_MAX = 500;

export const ACK_TOPIC_FILTER = 'cityloop/devices/+/acks';
const ACK_TOPIC = /^cityloop\/devices\/([^/]+)\/acks$/;
const COMMAND_TOPIC = /^cityloop\/devices\/([^/]+)\/commands$/;

export function isDeviceId(id: unknown): id is string {
  return typeof id === 'string' && DEVICE_ID_PATTERN.test(id);
}

export function assertDeviceId(id: unknown): asserts id is string {
  if (!isDeviceId(id)) {
    throw new RangeError(`device id must be 1 to 64 letters, digits, '.', '_' or '-' (got ${JSON.stringify(id)})`);
  }
}

export function assertCommandId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0 || id.length > COMMAND_ID_MAX) {
    throw new RangeError(`command id must be a string of 1 to ${COMMAND_ID_MAX} characters (got ${JSON.stringify(id)})`);
  }
}

export function commandTopic(deviceId: string): string {
  assertDeviceId(deviceId);
  return `cityloop/devices/${deviceId}/commands`;
}

export function ackTopic(deviceId: string): string {
  assertDeviceId(deviceId);
  return `cityloop/devices/${deviceId}/acks`;
}

/** The device id is in the topic, not the payload: the topic is what the broker can authorise (issue 4). */
export function encodeCommand(cmd: DeviceCommand): string {
  return JSON.stringify({ commandId: cmd.commandId, name: cmd.name, params: cmd.params, caseId: cmd.caseId, issuedAt: cmd.issuedAt });
}

export interface WireAck {
  readonly deviceId: string;
  readonly commandId: string;
  readonly ok: boolean;
  readonly detail: string | null;
}

export type ParsedAck = { readonly valid: true; readonly ack: WireAck } | { readonly valid: false; readonly why: string };

/** Reads an ack from a topic and payload; never throws, since anything on the bus may be garbage. */
export function parseAck(topic: string, payload: Uint8Array): ParsedAck {
  const m = ACK_TOPIC.exec(topic);
  if (!m || !isDeviceId(m[1])) return { valid: false, why: 'not an ack topic of a valid device id' };
  if (payload.byteLength > ACK_MAX_BYTES) return { valid: false, why: `payload of ${payload.byteLength} bytes is over ${ACK_MAX_BYTES}` };
  const body = parseJsonObject(payload);
  if (!body) return { valid: false, why: 'payload is not a JSON object' };
  const { commandId, ok, detail } = body;
  if (typeof commandId !== 'string' || commandId.length === 0 || commandId.length > COMMAND_ID_MAX) {
    return { valid: false, why: 'commandId missing or not a string of 1 to 128 characters' };
  }
  if (typeof ok !== 'boolean') return { valid: false, why: 'ok missing or not a boolean' };
  if (detail !== undefined && detail !== null && typeof detail !== 'string') return { valid: false, why: 'detail is not a string' };
  return {
    valid: true,
    ack: { deviceId: m[1], commandId, ok, detail: typeof detail === 'string' ? detail.slice(0, DETAIL_MAX) : null },
  };
}

export function encodeAck(ack: { commandId: string; ok: boolean; detail?: string | null }): string {
  return JSON.stringify({ commandId: ack.commandId, ok: ack.ok, detail: ack.detail ?? null });
}

export interface WireCommand {
  readonly deviceId: string;
  readonly commandId: string;
  readonly name: string;
  readonly params: Record<string, unknown>;
  readonly caseId: string | null;
  readonly issuedAt: string | null;
}

/** The device side of `encodeCommand`; null for anything that is not a well-formed command. */
export function parseCommand(topic: string, payload: Uint8Array): WireCommand | null {
  const m = COMMAND_TOPIC.exec(topic);
  if (!m || !isDeviceId(m[1])) return null;
  const body = parseJsonObject(payload);
  if (!body) return null;
  const { commandId, name, params, caseId, issuedAt } = body;
  if (typeof commandId !== 'string' || commandId.length === 0 || typeof name !== 'string' || name.length === 0) return null;
  const p = params === undefined || params === null ? {} : params;
  if (typeof p !== 'object' || Array.isArray(p)) return null;
  return {
    deviceId: m[1],
    commandId,
    name,
    params: p as Record<string, unknown>,
    caseId: typeof caseId === 'string' ? caseId : null,
    issuedAt: typeof issuedAt === 'string' ? issuedAt : null,
  };
}

/** A device's message under the limits of any JSON from outside (`guarded-json.ts`); null when refused. */
function parseJsonObject(payload: Uint8Array): Record<string, unknown> | null {
  const r = parseGuardedJson(payload, DEFAULT_JSON_LIMITS);
  if (!r.ok) return null;
  const value = r.value;
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}
