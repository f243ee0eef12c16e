/**
 * A device's MQTT session ends with its credentials: rotating its secret, deleting it or disabling
 * it closes its open connection at once (whoever makes the change: the API or the registry), and
 * the old secret is refused from then on. Real MQTT clients against the gated embedded broker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAsync, type MqttClient } from 'mqtt';
import { until } from '../support/until.ts';
import { openGatedTestPlatform, DIALECTS, type TestPlatform } from '../support/test-platform.ts';
import { ManualClock } from '../../src/clock.ts';
import { SYSTEM_PRINCIPAL } from '../../src/auth/principal.ts';

/** Changes made through the registry itself, as the CLI or a config reload would make them. */
const BY_ADMIN = { actor: SYSTEM_PRINCIPAL };
import type { EmbeddedBroker } from '../../src/actions/mqtt/embedded-broker.ts';

function connect(broker: EmbeddedBroker, id: string, secret: string): Promise<MqttClient> {
  return connectAsync(broker.url, { clientId: `t-${id}-${Math.random().toString(36).slice(2, 8)}`, username: id, password: secret, reconnectPeriod: 0, log: () => {} });
}

/** Resolves when the broker closed the client's connection. */
function closedByBroker(c: MqttClient): Promise<void> {
  return new Promise((resolve) => (c.connected ? c.once('close', () => resolve()) : resolve()));
}

describe.each(DIALECTS)('device sessions on %s', (dialect) => {
  let tp: TestPlatform;
  let broker: EmbeddedBroker;
  let admin: string;
  let gated: Awaited<ReturnType<typeof openGatedTestPlatform>>;
  const inject = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    tp.app.inject({ method, url, ...(payload !== undefined ? { payload: payload as never } : {}), headers: { authorization: `Bearer ${admin}` } });

  /** Registers a device over the API and connects it with its secret, subscribed to its commands. */
  const online = async (id: string): Promise<{ client: MqttClient; secret: string }> => {
    const res = await inject('POST', '/api/v1/devices', { id, type: 'gas_detector', name: `测试 ${id}`, lon: 106.55, lat: 29.56 });
    expect(res.statusCode, res.body).toBe(201);
    const secret = res.json().secret as string;
    const client = await connect(broker, id, secret);
    await client.subscribeAsync(`cityloop/devices/${id}/commands`, { qos: 1 });
    // The session works: a reading is acknowledged.
    await client.publishAsync(`cityloop/devices/${id}/telemetry`, JSON.stringify({ values: { gas: 3 } }), { qos: 1 });
    return { client, secret };
  };

  beforeAll(async () => {
    gated = await openGatedTestPlatform(dialect, new ManualClock(new Date()));
    ({ tp, broker } = gated);
    admin = await tp.signIn('admin');
  }, 120_000);
  afterAll(async () => {
    await gated?.close();
  });

  it('closes the old connection when the secret is rotated, refuses the old secret, takes the new one', async () => {
    const { client, secret } = await online('gas-rotate-01');
    const closed = closedByBroker(client);
    const res = await inject('POST', '/api/v1/devices/gas-rotate-01/secret', {});
    expect(res.statusCode).toBe(200);
    await closed;
    expect(client.connected).toBe(false);
    await expect(connect(broker, 'gas-rotate-01', secret)).rejects.toThrow(/Not authorized|not authori[sz]ed/i);
    const fresh = await connect(broker, 'gas-rotate-01', res.json().secret);
    await fresh.publishAsync('cityloop/devices/gas-rotate-01/telemetry', JSON.stringify({ values: { gas: 4 } }), { qos: 1 });
    await fresh.endAsync();
    await client.endAsync(true);
  });

  it('closes the connection of a deleted device: it receives no more commands and cannot log in again', async () => {
    const { client, secret } = await online('gas-delete-01');
    const closed = closedByBroker(client);
    const res = await inject('DELETE', '/api/v1/devices/gas-delete-01');
    expect(res.statusCode).toBeLessThan(300);
    await closed;
    // A command published for it now reaches nobody: the old connection is gone.
    let received = 0;
    client.on('message', () => received++);
    const platformClient = await connectAsync(broker.url, { ...broker.platformCredentials, reconnectPeriod: 0, log: () => {} });
    await platformClient.publishAsync('cityloop/devices/gas-delete-01/commands', '{"command":"close"}', { qos: 1 });
    await platformClient.endAsync();
    expect(client.connected).toBe(false);
    expect(received).toBe(0);
    await expect(connect(broker, 'gas-delete-01', secret)).rejects.toThrow();
    await client.endAsync(true);
  });

  it('closes the connection of a device disabled through the registry and refuses it until enabled again', async () => {
    const { client, secret } = await online('gas-disable-01');
    const closed = closedByBroker(client);
    await tp.platform.sensing.devices.setStatus('gas-disable-01', 'disabled', BY_ADMIN);
    await closed;
    await expect(connect(broker, 'gas-disable-01', secret)).rejects.toThrow();
    await tp.platform.sensing.devices.setStatus('gas-disable-01', 'active', BY_ADMIN);
    const again = await connect(broker, 'gas-disable-01', secret);
    expect(again.connected).toBe(true);
    await again.endAsync();
    await client.endAsync(true);
  });

  it('ends only the device concerned: another device stays connected', async () => {
    const a = await online('gas-keep-01');
    const b = await online('gas-keep-02');
    const closed = closedByBroker(b.client);
    await tp.platform.sensing.devices.rotateSecret('gas-keep-02', BY_ADMIN);
    await closed;
    await a.client.publishAsync('cityloop/devices/gas-keep-01/telemetry', JSON.stringify({ values: { gas: 5 } }), { qos: 1 });
    await until(() => a.client.connected);
    expect(a.client.connected).toBe(true);
    await a.client.endAsync();
    await b.client.endAsync(true);
  });
});
