/**
 * The brokers the MQTT tests run against: always an in-process aedes broker on a free port, so the
 * suite needs nothing installed; also an external broker (Mosquitto in CI) when TEST_MQTT_URL is
 * set, because aedes and Mosquitto differ in details (delivery timing, limits) that devices meet.
 */
import { randomUUID } from 'node:crypto';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.ts';

export interface TestBroker {
  readonly kind: 'embedded' | 'external';
  readonly url: string;
  close(): Promise<void>;
}

export interface TestBrokerFactory {
  readonly name: string;
  /** false: listed so the run shows the suite as skipped rather than silently absent. */
  readonly available: boolean;
  start(): Promise<TestBroker>;
}

export function testBrokers(): TestBrokerFactory[] {
  const external = process.env.TEST_MQTT_URL;
  return [
    {
      name: 'embedded aedes',
      available: true,
      async start() {
        const b: EmbeddedBroker = await startEmbeddedBroker({ port: 0 });
        return { kind: 'embedded', url: b.url, close: () => b.close() };
      },
    },
    {
      name: external ? `TEST_MQTT_URL ${external.replace(/:\/\/[^@/]*@/, '://***@')}` : 'TEST_MQTT_URL (not set: skipped)',
      available: Boolean(external),
      async start() {
        if (!external) throw new Error('TEST_MQTT_URL is not set');
        return { kind: 'external', url: external, close: async () => {} };
      },
    },
  ];
}

/** Device ids unique per run: an external broker is shared with other runs and other suites. */
export function uniqueDeviceId(prefix = 'dev'): string {
  return `${prefix}-${randomUUID().slice(0, 12)}`;
}
