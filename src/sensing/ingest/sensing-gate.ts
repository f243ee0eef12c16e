/**
 * The embedded broker's gate for devices: credentials from the device registry, topic rights from
 * `device-topics.ts`, and the ingest pipeline behind telemetry. A publish resolves (and its PUBACK
 * goes out) only after the pipeline made its effects durable, or its dead letter.
 */
import type { BrokerGate, BrokerIdentity } from '../../actions/mqtt/embedded-broker.ts';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import type { IngestPipeline } from './ingest-pipeline.ts';
import { mayPublish, maySubscribe, parseDeviceTopic } from './device-topics.ts';

export interface SensingGateDeps {
  readonly devices: DeviceRegistry;
  readonly pipeline: IngestPipeline;
  /** Camera and video-AI events; without a handler they go to the dead letters. */
  readonly onDeviceEvent?: ((deviceId: string, payload: Buffer) => Promise<void>) | undefined;
  readonly log?: { warn(o: unknown, msg?: string): void } | undefined;
}

export function createSensingGate(d: SensingGateDeps): BrokerGate {
  const stats = d.pipeline.stats;
  return {
    authenticateDevice(username, password) {
      return d.devices.authenticate(username, password) ? { kind: 'device', deviceId: username } : null;
    },
    onConnectsRefusedWhileStarting(count) {
      stats.refusedConnectsStarting += count;
      d.log?.warn({ count }, 'MQTT connects answered "server unavailable" while the platform was starting');
    },
    watchRevocations(endDevice) {
      return d.devices.revocations.subscribe((r) => {
        if (r.kind === 'device') endDevice(r.deviceId);
      });
    },
    onRefusedConnect(username) {
      stats.refusedConnects += 1;
      d.log?.warn({ username: username?.slice(0, 64) ?? null }, 'MQTT connect refused: unknown device or wrong secret');
    },
    async authorizePublish(who: BrokerIdentity, topic, payload) {
      // A device deleted or disabled since it connected is refused even before its connection
      // closes (the broker closes it as soon as the registry says so).
      if (who.kind === 'device') {
        const dev = d.devices.get(who.deviceId);
        if (!dev || dev.status !== 'active' || !dev.hasCredentials) throw new Error(`device ${who.deviceId} is no longer active`);
      }
      if (!mayPublish(who, topic)) {
        stats.refusedPublishes += 1;
        d.log?.warn({ device: who.kind === 'device' ? who.deviceId : 'platform', topic: topic.slice(0, 200) }, 'MQTT publish refused: not a topic of this device');
        throw new Error(`not allowed to publish to ${topic.slice(0, 200)}`);
      }
      const t = parseDeviceTopic(topic);
      if (!t) return;
      if (t.kind === 'telemetry') await d.pipeline.submit(t.deviceId, payload, 'mqtt', topic);
      else if (t.kind === 'events') {
        if (d.onDeviceEvent) await d.onDeviceEvent(t.deviceId, payload);
        else await d.pipeline.deadLetter({ source: 'mqtt', deviceId: t.deviceId, topic, reason: 'no handler for device events', payload: payload.toString('utf8').slice(0, 4096) });
      }
    },
    authorizeSubscribe(who, topic) {
      if (maySubscribe(who, topic)) return true;
      stats.refusedSubscribes += 1;
      d.log?.warn({ device: who.kind === 'device' ? who.deviceId : 'platform', topic: topic.slice(0, 200) }, 'MQTT subscription refused');
      return false;
    },
  };
}
