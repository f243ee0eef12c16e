import { createServer, connect as tcpConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connectAsync } from 'mqtt';
import { startEmbeddedBroker } from './embedded-broker.ts';

describe('embedded MQTT broker', () => {
  it('picks a free port for port 0 and carries messages between clients', async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    try {
      expect(broker.port).toBeGreaterThan(0);
      expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
      const sub = await connectAsync(broker.url, { log: () => {} });
      const pub = await connectAsync(broker.url, { log: () => {} });
      await sub.subscribeAsync('cityloop/devices/+/acks', { qos: 1 });
      const got = new Promise<string>((resolve) => sub.on('message', (topic, payload) => resolve(`${topic} ${payload.toString()}`)));
      await pub.publishAsync('cityloop/devices/s1/acks', 'hello', { qos: 1 });
      expect(await got).toBe('cityloop/devices/s1/acks hello');
      await Promise.all([sub.endAsync(), pub.endAsync()]);
    } finally {
      await broker.close();
    }
  });

  it('says which setting to change when the port is taken', async () => {
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const { port } = squatter.address() as { port: number };
    try {
      await expect(startEmbeddedBroker({ port })).rejects.toThrow(`MQTT port ${port} is already in use: set MQTT_PORT`);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });

  it('refuses a port out of range', async () => {
    await expect(startEmbeddedBroker({ port: 70_000 })).rejects.toThrow(/got 70000/);
  });

  it('closes promptly with connected clients and half-open sockets, and only once', async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    const client = await connectAsync(broker.url, { reconnectPeriod: 0, log: () => {} });
    // A socket that never sends CONNECT: aedes does not know it, the TCP server does.
    const idle = tcpConnect(broker.port, '127.0.0.1');
    idle.on('error', () => {});
    await new Promise((r) => idle.once('connect', r));
    const clientClosed = new Promise<void>((r) => client.once('close', () => r()));
    // Closing twice at once settles both, and the client is let go (a hang fails by the test's time limit).
    await Promise.all([broker.close(), broker.close()]);
    await clientClosed;
    await client.endAsync(true);
    idle.destroy();
    // The port is free again.
    const again = await startEmbeddedBroker({ port: broker.port });
    await again.close();
  });
});
