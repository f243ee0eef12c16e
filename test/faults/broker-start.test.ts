/**
 * The embedded broker while the platform starts: it listens before the device registry is read.
 * A device's CONNECT then waits for the gate and is decided by it; past the hold it is answered
 * "server unavailable" (3), never "not authorised" (5), and the refusals reach the gate's counts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, connectAsync, type MqttClient } from 'mqtt';
import { startEmbeddedBroker, type BrokerGate, type EmbeddedBroker } from '../../src/actions/mqtt/embedded-broker.ts';

function gateFor(devices: Record<string, string>, counts: { refused: number; refusedStarting: number }): BrokerGate {
  return {
    authenticateDevice: (u, p) => (devices[u] === p ? { kind: 'device', deviceId: u } : null),
    authorizePublish: async () => {},
    authorizeSubscribe: () => true,
    onRefusedConnect: () => void (counts.refused += 1),
    onConnectsRefusedWhileStarting: (n) => void (counts.refusedStarting += n),
  };
}

describe('the embedded broker while the platform starts', () => {
  let broker: EmbeddedBroker | null = null;
  const clients: MqttClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.end(true);
    await broker?.close();
    broker = null;
  });

  it('holds a device that connects before the gate, and lets it in once the gate is set', async () => {
    broker = await startEmbeddedBroker({ port: 0, gated: true, connectHoldMs: 10_000 });
    const connecting = connectAsync(broker.url, { clientId: 'held-1', username: 'dev-1', password: 's1', reconnectPeriod: 0, log: () => {} });
    await new Promise((r) => setTimeout(r, 200));
    const counts = { refused: 0, refusedStarting: 0 };
    broker.setGate(gateFor({ 'dev-1': 's1' }, counts));
    const c = await connecting;
    clients.push(c);
    expect(c.connected).toBe(true);
    expect(counts).toEqual({ refused: 0, refusedStarting: 0 });
  });

  it('decides a held device with wrong credentials by the gate: not authorised (5), counted', async () => {
    broker = await startEmbeddedBroker({ port: 0, gated: true, connectHoldMs: 10_000 });
    const connecting = connectAsync(broker.url, { clientId: 'held-2', username: 'dev-1', password: 'wrong', reconnectPeriod: 0, log: () => {} });
    const counts = { refused: 0, refusedStarting: 0 };
    setTimeout(() => broker!.setGate(gateFor({ 'dev-1': 's1' }, counts)), 100);
    await expect(connecting).rejects.toMatchObject({ code: 5 });
    expect(counts.refused).toBe(1);
  });

  it('answers "server unavailable" (3) past the hold; the client tries again and gets in; the refusals are counted', async () => {
    broker = await startEmbeddedBroker({ port: 0, gated: true, connectHoldMs: 150 });
    const errors: number[] = [];
    // mqtt.js stops after any refused CONNACK unless told to retry; devices that follow MQTT's
    // meaning of 3 retry it.
    const c = connect(broker.url, { clientId: 'held-3', username: 'dev-1', password: 's1', reconnectPeriod: 100, reconnectOnConnackError: true, log: () => {} });
    clients.push(c);
    c.on('error', (e) => errors.push((e as Error & { code?: number }).code ?? -1));
    await new Promise<void>((resolve) => {
      const check = () => (errors.length > 0 ? resolve() : setTimeout(check, 20));
      check();
    });
    expect(errors[0]).toBe(3);
    expect(c.connected).toBe(false);
    const counts = { refused: 0, refusedStarting: 0 };
    broker.setGate(gateFor({ 'dev-1': 's1' }, counts));
    await new Promise<void>((resolve) => (c.connected ? resolve() : c.once('connect', () => resolve())));
    expect(errors.every((e) => e === 3)).toBe(true);
    expect(counts.refusedStarting).toBe(errors.length);
    expect(counts.refused).toBe(0);
  });

  it('lets the platform itself in at once, before any gate', async () => {
    broker = await startEmbeddedBroker({ port: 0, gated: true, connectHoldMs: 10_000 });
    const c = await connectAsync(broker.url, { clientId: 'platform', ...broker.platformCredentials, reconnectPeriod: 0, log: () => {} });
    clients.push(c);
    expect(c.connected).toBe(true);
  });
});
