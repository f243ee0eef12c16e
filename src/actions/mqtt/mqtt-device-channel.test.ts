import { createServer, type Server, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectAsync, type MqttClient } from 'mqtt';
import { ManualClock } from '../../clock.ts';
import type { DeviceCommand } from '../device-commands.ts';
import { connectSimulatedDevice, type SimulatedDevice } from '../simulated-device.ts';
import { ackTopic } from './device-protocol.ts';
import { startEmbeddedBroker } from './embedded-broker.ts';
import { openMqttDeviceChannel, type MqttDeviceChannel } from './mqtt-device-channel.ts';
import { testBrokers, uniqueDeviceId, type TestBroker } from './test-brokers.ts';

function command(deviceId: string, name = 'set_phase', params: Record<string, unknown> = { phase: 'red' }): DeviceCommand {
  return { commandId: randomUUID(), deviceId, name, params, caseId: 'case-1', issuedAt: '2026-01-05T01:00:00.000Z' };
}

/** Closed after each test, newest first, whatever the test's outcome. */
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

async function device(url: string, opts: Partial<Parameters<typeof connectSimulatedDevice>[0]> = {}): Promise<SimulatedDevice> {
  const d = await connectSimulatedDevice({ url, deviceId: uniqueDeviceId('signal'), ...opts });
  cleanups.push(() => d.close());
  return d;
}

async function channel(url: string, clock?: ManualClock): Promise<MqttDeviceChannel> {
  const c = await openMqttDeviceChannel({ url, connectTimeoutMs: 2_000, ...(clock ? { clock } : {}) });
  cleanups.push(() => c.close());
  return c;
}

async function rawClient(url: string): Promise<MqttClient> {
  const c = await connectAsync(url, { clientId: `raw-${randomUUID().slice(0, 8)}`, log: () => {} });
  cleanups.push(() => c.endAsync());
  return c;
}

for (const factory of testBrokers()) describe.skipIf(!factory.available)(`MQTT device channel over ${factory.name}`, () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await factory.start();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('confirms a command acknowledged on the first try', async () => {
    const clock = new ManualClock('2026-01-05T02:00:00Z');
    const ch = await channel(broker.url, clock);
    expect(ch.connected).toBe(true);
    const dev = await device(broker.url);
    const cmd = command(dev.deviceId);
    const out = await ch.send(cmd, { times: 3, everyMs: 1_000 });
    expect(out).toEqual({
      confirmed: true,
      attempts: 1,
      ack: { commandId: cmd.commandId, deviceId: dev.deviceId, ok: true, detail: null, at: '2026-01-05T02:00:00.000Z' },
    });
    expect(dev.state.phase).toBe('red');
    expect(dev.received).toEqual([{ commandId: cmd.commandId, name: 'set_phase', params: { phase: 'red' }, caseId: 'case-1', issuedAt: cmd.issuedAt }]);
    expect(ch.stats()).toMatchObject({ sent: 1, acked: 1, rejected: 0, timeouts: 0 });
  });

  it('resends with the same commandId until a device that failed the first N times acks', async () => {
    const ch = await channel(broker.url);
    const dev = await device(broker.url, { behaviour: { failFirst: 2 } });
    const cmd = command(dev.deviceId);
    const out = await ch.send(cmd, { times: 3, everyMs: 250 });
    expect(out.confirmed).toBe(true);
    expect(out.attempts).toBe(3);
    expect(dev.received.map((r) => r.commandId)).toEqual([cmd.commandId, cmd.commandId, cmd.commandId]);
    expect(dev.state.phase).toBe('red');
    expect(ch.stats()).toMatchObject({ sent: 3, acked: 1, timeouts: 0 });
  });

  it('gives up with timeout after times + 1 attempts when the device never answers', async () => {
    const ch = await channel(broker.url);
    const dev = await device(broker.url, { behaviour: 'silent' });
    const started = Date.now();
    const out = await ch.send(command(dev.deviceId), { times: 2, everyMs: 50 });
    expect(out).toEqual({ confirmed: false, attempts: 3, reason: 'timeout', ack: null });
    // Three waits of 50 ms each at the least: retries are spaced, never sent at once. (A timer
    // never fires early, so this cannot fail on a busy machine; how fast is not asserted.)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(dev.received).toHaveLength(3);
    expect(dev.state.phase).toBeUndefined();
    expect(ch.stats()).toMatchObject({ sent: 3, acked: 0, timeouts: 1 });
  });

  it('does not resend a command the device rejected', async () => {
    const ch = await channel(broker.url);
    const dev = await device(broker.url, { behaviour: 'reject' });
    const cmd = command(dev.deviceId);
    const out = await ch.send(cmd, { times: 3, everyMs: 300 });
    expect(out).toMatchObject({ confirmed: false, attempts: 1, reason: 'rejected', ack: { commandId: cmd.commandId, ok: false, detail: 'rejected by the simulated device' } });
    // Had it been resent, a second delivery would arrive within one interval.
    await new Promise((r) => setTimeout(r, 350));
    expect(dev.received).toHaveLength(1);
    expect(ch.stats()).toMatchObject({ sent: 1, rejected: 1 });
  });

  it('ignores and counts malformed acks, and acks from another device id', async () => {
    const ch = await channel(broker.url);
    const raw = await rawClient(broker.url);
    let deviceId = '';
    // The device stays silent; a raw client answers in its place, first with garbage.
    const dev = await device(broker.url, {
      behaviour: 'silent',
      onCommand: (c) => {
        if (dev.received.length > 1) return;
        const topic = ackTopic(deviceId);
        for (const junk of ['not json', '{"commandId":"' + c.commandId + '"}', '{"commandId":"' + c.commandId + '","ok":"yes"}']) raw.publish(topic, junk, { qos: 1 });
        raw.publish(ackTopic(uniqueDeviceId('other')), JSON.stringify({ commandId: c.commandId, ok: true }), { qos: 1 });
        raw.publish(topic, JSON.stringify({ commandId: c.commandId, ok: true, detail: 'done' }), { qos: 1 });
      },
    });
    deviceId = dev.deviceId;
    const out = await ch.send(command(deviceId), { times: 1, everyMs: 2_000 });
    expect(out).toMatchObject({ confirmed: true, attempts: 1, ack: { deviceId, ok: true, detail: 'done' } });
    const stats = ch.stats();
    // A shared external broker may carry other suites' traffic on the same topics.
    if (broker.kind === 'embedded') expect(stats).toMatchObject({ malformedAcks: 3, unmatchedAcks: 1 });
    else expect(stats.malformedAcks).toBeGreaterThanOrEqual(3);
  });

  it('refuses device ids that would reach other topics, before publishing anything', async () => {
    const ch = await channel(broker.url);
    for (const bad of ['a/b', 'signals/#', '#', '+', 'x+', '']) {
      await expect(ch.send(command(bad), { times: 0, everyMs: 50 }), bad).rejects.toThrow(/device id must be/);
    }
    await expect(ch.send({ ...command('s1'), commandId: '' }, { times: 0, everyMs: 50 })).rejects.toThrow(/command id/);
    await expect(ch.send(command('s1'), { times: -1, everyMs: 50 })).rejects.toThrow(/retry.times/);
    await expect(ch.send(command('s1'), { times: 1, everyMs: Number.NaN })).rejects.toThrow(/retry.everyMs/);
    expect(ch.stats().sent).toBe(0);
  });

  it('matches concurrent commands to their own devices', async () => {
    const ch = await channel(broker.url);
    const a = await device(broker.url);
    const b = await device(broker.url, { behaviour: 'reject' });
    const c = await device(broker.url);
    const [ra, rb, rc] = await Promise.all([
      ch.send(command(a.deviceId, 'set_phase', { phase: 'red' }), { times: 1, everyMs: 1_000 }),
      ch.send(command(b.deviceId), { times: 1, everyMs: 1_000 }),
      ch.send(command(c.deviceId, 'set_phase', { phase: 'yellow_flash' }), { times: 1, everyMs: 1_000 }),
    ]);
    expect([ra.confirmed, rb.confirmed, rc.confirmed]).toEqual([true, false, true]);
    expect([a.state.phase, c.state.phase]).toEqual(['red', 'yellow_flash']);
  });

  it('settles a waiting send as not_connected when the channel closes', async () => {
    const ch = await openMqttDeviceChannel({ url: broker.url, connectTimeoutMs: 2_000 });
    const dev = await device(broker.url, { behaviour: 'silent' });
    const pending = ch.send(command(dev.deviceId), { times: 5, everyMs: 10_000 });
    await new Promise((r) => setTimeout(r, 100));
    await ch.close();
    await expect(pending).resolves.toEqual({ confirmed: false, attempts: 1, reason: 'not_connected', ack: null });
    await expect(ch.send(command(dev.deviceId), { times: 0, everyMs: 50 })).resolves.toMatchObject({ reason: 'not_connected', attempts: 0 });
  });
});

describe('MQTT device channel without a broker', () => {
  it('reports not_connected within the connect timeout when the port refuses connections', async () => {
    const port = await freePort();
    const ch = await openMqttDeviceChannel({ url: `mqtt://127.0.0.1:${port}`, connectTimeoutMs: 300, reconnectPeriodMs: 100 });
    cleanups.push(() => ch.close());
    expect(ch.connected).toBe(false);
    const out = await ch.send(command('signal-1'), { times: 3, everyMs: 50 });
    expect(out).toEqual({ confirmed: false, attempts: 0, reason: 'not_connected', ack: null });
    expect(ch.stats()).toMatchObject({ sent: 0, notConnected: 1 });
  });

  it('does not hang on a server that accepts TCP but never answers MQTT', async () => {
    const sockets = new Set<Socket>();
    const mute: Server = createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
    });
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    cleanups.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => mute.close(r));
    });
    const port = (mute.address() as { port: number }).port;
    // Were it to hang, the test's own time limit would fail it.
    const ch = await openMqttDeviceChannel({ url: `mqtt://127.0.0.1:${port}`, connectTimeoutMs: 300 });
    cleanups.push(() => ch.close());
    const out = await ch.send(command('signal-1'), { times: 1, everyMs: 50 });
    expect(out).toMatchObject({ confirmed: false, reason: 'not_connected' });
  });

  it('reconnects by itself when the broker comes back', async () => {
    const first = await startEmbeddedBroker({ port: 0 });
    const port = first.port;
    cleanups.push(() => first.close());
    const ch = await openMqttDeviceChannel({ url: first.url, connectTimeoutMs: 2_000, reconnectPeriodMs: 50 });
    cleanups.push(() => ch.close());
    expect(ch.connected).toBe(true);
    await first.close();
    await waitFor(() => !ch.connected);
    const second = await startEmbeddedBroker({ port });
    cleanups.push(() => second.close());
    const dev = await connectSimulatedDevice({ url: second.url, deviceId: uniqueDeviceId('signal') });
    cleanups.push(() => dev.close());
    const out = await ch.send(command(dev.deviceId), { times: 1, everyMs: 500 });
    expect(out.confirmed).toBe(true);
  });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

async function waitFor(pred: () => boolean, ms = 2_000): Promise<void> {
  const until = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
