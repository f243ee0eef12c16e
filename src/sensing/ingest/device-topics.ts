/**
 * The device side of the MQTT contract, and who may use which topic (pure).
 *
 *   device → platform   cityloop/devices/{id}/telemetry   readings (QoS 1: acknowledged once durable)
 *                       cityloop/devices/{id}/events      camera / video-AI events
 *                       cityloop/devices/{id}/acks        acknowledgements of commands
 *   platform → device   cityloop/devices/{id}/commands    the only topic a device may subscribe to
 */
import type { BrokerIdentity } from '../../actions/mqtt/embedded-broker.ts';
import { isDeviceId } from '../../actions/mqtt/device-protocol.ts';

export const TELEMETRY_TOPIC_FILTER = 'cityloop/devices/+/telemetry';
export const EVENTS_TOPIC_FILTER = 'cityloop/devices/+/events';
const DEVICE_TOPIC = /^cityloop\/devices\/([^/]+)\/(telemetry|events|acks|commands)$/;

export type DeviceTopicKind = 'telemetry' | 'events' | 'acks' | 'commands';

export function parseDeviceTopic(topic: string): { deviceId: string; kind: DeviceTopicKind } | null {
  const m = DEVICE_TOPIC.exec(topic);
  if (!m || !isDeviceId(m[1])) return null;
  return { deviceId: m[1], kind: m[2] as DeviceTopicKind };
}

/** A device publishes to its own telemetry, events and acks; nothing else. */
export function mayPublish(who: BrokerIdentity, topic: string): boolean {
  if (who.kind === 'platform') return true;
  const t = parseDeviceTopic(topic);
  return t !== null && t.deviceId === who.deviceId && t.kind !== 'commands';
}

/** A device reads its own commands; no wildcards, no one else's. */
export function maySubscribe(who: BrokerIdentity, topic: string): boolean {
  if (who.kind === 'platform') return true;
  return topic === `cityloop/devices/${who.deviceId}/commands`;
}
