/**
 * Telemetry from an external broker (Mosquitto, EMQX …) named by MQTT_URL. The platform holds a
 * persistent session (fixed client id, clean session off) subscribed at QoS 1 to every device's
 * telemetry and events, so messages published while it is down wait at the broker. mqtt.js hands
 * messages over one at a time and sends the PUBACK when `handleMessage` calls back: we call back
 * only after the pipeline made the message's effects durable, so a crash loses nothing the broker
 * thinks was delivered. One at a time also keeps each device's readings in order; the price is one
 * commit per message in flight, which bounds throughput (see docs/reference/sensing.md).
 *
 * Device credentials and topic rights are the external broker's to enforce (its password file and
 * ACL, or its HTTP auth hook); the platform still refuses readings of unknown or disabled devices
 * to the dead letters.
 */
import { connect, type IPublishPacket, type MqttClient } from 'mqtt';
import type { IngestPipeline } from './ingest-pipeline.ts';
import { EVENTS_TOPIC_FILTER, TELEMETRY_TOPIC_FILTER, parseDeviceTopic } from './device-topics.ts';

export interface MqttSubscriberOptions {
  readonly url: string;
  readonly clientId: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly pipeline: IngestPipeline;
  readonly onDeviceEvent?: ((deviceId: string, payload: Buffer) => Promise<void>) | undefined;
  readonly log?: { warn(o: unknown, msg?: string): void; error(o: unknown, msg?: string): void } | undefined;
}

export interface MqttSubscriber {
  readonly connected: boolean;
  close(): Promise<void>;
}

export async function openMqttSubscriber(o: MqttSubscriberOptions): Promise<MqttSubscriber> {
  const client: MqttClient = connect(o.url, {
    clientId: o.clientId,
    clean: false,
    ...(o.username !== undefined ? { username: o.username } : {}),
    ...(o.password !== undefined ? { password: o.password } : {}),
    reconnectPeriod: 1_000,
    connectTimeout: 5_000,
    resubscribe: true,
    log: () => {},
  });
  client.handleMessage = (packet: IPublishPacket, done: (err?: Error) => void) => {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const t = parseDeviceTopic(packet.topic);
    let work: Promise<unknown>;
    if (!t) work = o.pipeline.deadLetter({ source: 'mqtt', deviceId: null, topic: packet.topic.slice(0, 200), reason: 'not a device topic', payload: payload.toString('utf8').slice(0, 4096) });
    else if (t.kind === 'telemetry') work = o.pipeline.submit(t.deviceId, payload, 'mqtt', packet.topic);
    else if (t.kind === 'events' && o.onDeviceEvent) work = o.onDeviceEvent(t.deviceId, payload);
    else work = o.pipeline.deadLetter({ source: 'mqtt', deviceId: t.deviceId, topic: packet.topic, reason: `no handler for ${t.kind}`, payload: payload.toString('utf8').slice(0, 4096) });
    work.then(
      () => done(),
      (e: unknown) => {
        // Not durable: no PUBACK. Dropping the connection makes the broker redeliver the message.
        o.log?.error({ err: e, topic: packet.topic }, 'telemetry from the external broker could not be stored; reconnecting for redelivery');
        client.stream.destroy();
        done();
      },
    );
  };
  client.on('error', (err) => o.log?.warn({ err: err.message }, 'MQTT telemetry subscriber'));
  // The first subscription is awaited so that a caller knows telemetry flows; after a reconnect
  // without a session, mqtt.js subscribes again by itself (resubscribe).
  const connected = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), 5_000);
    client.once('connect', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
  if (connected) {
    try {
      await client.subscribeAsync([TELEMETRY_TOPIC_FILTER, EVENTS_TOPIC_FILTER], { qos: 1 });
    } catch (e) {
      o.log?.error({ err: e }, 'subscribing to device telemetry failed');
    }
  } else {
    o.log?.warn({ url: o.url.replace(/:\/\/[^@/]*@/, '://***@') }, 'external MQTT broker not reachable yet; telemetry will flow once it is');
    client.once('connect', () => void client.subscribeAsync([TELEMETRY_TOPIC_FILTER, EVENTS_TOPIC_FILTER], { qos: 1 }).catch(() => {}));
  }
  return {
    get connected() {
      return client.connected;
    },
    close: () => client.endAsync().then(() => undefined),
  };
}
