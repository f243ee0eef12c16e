/**
 * A real server process, killed with SIGKILL under a device's load and started again on the same
 * data: the device (a real MQTT client, retrying as clients do) must be let in again and its
 * readings must be stored again within the restart — no lockout by "not authorised" while the
 * server starts. Bounded: every wait has an end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { connect, type MqttClient } from 'mqtt';
import { openStore } from '../../src/store/store.ts';
import { resetDemoCity } from '../../cities/chongqing/demo/demo-city.ts';
import { demoDeviceSecret } from '../../cities/chongqing/demo/demo-devices.ts';
import { until } from '../support/until.ts';
import { freePort } from '../support/free-port.ts';

const GAUGE = 'gauge-nankai-01';
const BIN = join(import.meta.dirname, '../../bin/cityloop.js');


describe('serve: kill -9 under a device\'s load, then a restart', () => {
  let dir: string;
  let httpPort: number;
  let mqttPort: number;
  let child: ChildProcess | null = null;
  let device: MqttClient | null = null;
  const output: string[] = [];

  const startServer = () => {
    const p = spawn(process.execPath, [BIN, 'serve'], {
      env: { ...process.env, DATA_DIR: dir, PORT: String(httpPort), HOST: '127.0.0.1', MQTT_PORT: String(mqttPort), DEMO: 'false', LOG_LEVEL: 'warn', CONFIG_WATCH_SECONDS: '0', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    p.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
    p.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    return p;
  };
  const storedReadings = (deviceId: string | null = GAUGE) => {
    const db = new BetterSqlite3(join(dir, 'cityloop.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const q = deviceId ? db.prepare('select count(*) as n from readings where device_id = ?').get(deviceId) : db.prepare('select count(*) as n from readings').get();
      return Number((q as { n: number }).n);
    } finally {
      db.close();
    }
  };
  /** Devices with a reading stored (received) after the given time. */
  const devicesHeardSince = (sinceIso: string) => {
    const db = new BetterSqlite3(join(dir, 'cityloop.sqlite'), { readonly: true, fileMustExist: true });
    try {
      return Number((db.prepare('select count(distinct device_id) as n from readings where received_at > ?').get(sinceIso) as { n: number }).n);
    } finally {
      db.close();
    }
  };
  const ready = () =>
    until(async () => {
      try {
        return (await fetch(`http://127.0.0.1:${httpPort}/livez`)).ok;
      } catch {
        return false;
      }
    }, 90_000, 200);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cityloop-kill9-'));
    const store = await openStore({ dataDir: dir });
    await resetDemoCity(store, { districts: ['500106'] });
    await store.close();
    httpPort = await freePort();
    mqttPort = await freePort();
  });

  afterAll(async () => {
    device?.end(true);
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets the device in again and stores its readings again after the restart', async () => {
    child = startServer();
    await ready();
    const refusals: number[] = [];
    let acked = 0;
    let seq = 0;
    // As a device's firmware does: reconnect every 200 ms, keep QoS 1 messages until PUBACK.
    device = connect(`mqtt://127.0.0.1:${mqttPort}`, { clientId: `kill9-${GAUGE}`, username: GAUGE, password: demoDeviceSecret(GAUGE), reconnectPeriod: 200, connectTimeout: 30_000, log: () => {} });
    device.on('error', (e) => refusals.push((e as Error & { code?: number }).code ?? -1));
    const timer = setInterval(() => {
      if (!device!.connected) return;
      const ts = new Date(Date.now() - 60_000 + seq++).toISOString();
      device!.publish(`cityloop/devices/${GAUGE}/telemetry`, JSON.stringify({ ts, values: { water_level: 0.2 } }), { qos: 1 }, (err) => {
        if (!err) acked += 1;
      });
    }, 50);
    try {
      await until(() => acked >= 10, 30_000);
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
      await until(() => !device!.connected, 10_000);
      const storedBefore = storedReadings();
      const ackedBefore = acked;
      expect(storedBefore).toBeGreaterThanOrEqual(10);

      // Restart: the broker listens first; the device's CONNECT is held until the platform is open.
      child = startServer();
      await until(() => acked >= ackedBefore + 10, 90_000, 100);
      expect(storedReadings()).toBeGreaterThanOrEqual(storedBefore + 10);
      // Never "not authorised" (5): that is the answer clients do not retry.
      expect(refusals.filter((c) => c === 5)).toEqual([]);

      const stats = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
      expect(stats.status, output.join('')).toBe(200);
    } finally {
      clearInterval(timer);
    }
  }, 180_000);

  it('resumes `cityloop simulate --devices 20` within the restart', async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
    }
    device?.end(true);
    device = null;
    child = startServer();
    await ready();
    const simOutput: string[] = [];
    const sim = spawn(process.execPath, [BIN, 'simulate', '--devices', '20', '--interval', '0.5', '--duration', '120s', '--url', `mqtt://127.0.0.1:${mqttPort}`, '--api', `http://127.0.0.1:${httpPort}`], {
      env: { ...process.env, DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    sim.stdout!.on('data', (d: Buffer) => simOutput.push(d.toString()));
    sim.stderr!.on('data', (d: Buffer) => simOutput.push(d.toString()));
    try {
      const started = new Date().toISOString();
      await until(() => devicesHeardSince(started) >= 20, 60_000, 250);
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
      const restartedAt = new Date().toISOString();
      child = startServer();
      // Every one of the 20 devices is heard again: none was locked out by the restart.
      await until(() => devicesHeardSince(restartedAt) >= 20, 90_000, 250).catch((e: unknown) => {
        throw new Error(`${(e as Error).message}: ${devicesHeardSince(restartedAt)} of 20 devices heard again\n${simOutput.join('').slice(-2000)}\n${output.join('').slice(-2000)}`);
      });
      expect(sim.exitCode).toBeNull(); // still streaming: it was never locked out
    } finally {
      sim.kill('SIGKILL');
    }
  }, 240_000);
});
