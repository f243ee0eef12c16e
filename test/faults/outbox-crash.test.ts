/**
 * Durable effects (the outbox): a real server (`cityloop serve`, a child process) is killed with
 * SIGKILL after the commit that decided a plan's device commands and before it sent them — the
 * underpass gauge passed its limit, the trusted alert opened a case, the plan turned the signals
 * red in its transaction, and the process died. Started again, the server sends each command once:
 * each signal receives one command and turns red, and each outcome is recorded once in the case.
 * Also killed one step earlier, before the trusted alert was verified (its verification is an
 * outbox row too): started again, the server verifies it once. On SQLite and, when
 * TEST_DATABASE_URL is set, on PostgreSQL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config.ts';
import { openPlatform } from '../../src/platform.ts';
import { openStore } from '../../src/store/store.ts';
import { resetDemoCity } from '../../cities/chongqing/demo/demo-city.ts';
import { connectSimulatedDevice, type SimulatedDevice } from '../../src/actions/simulated-device.ts';
import { demoDeviceSecret } from '../../cities/chongqing/demo/demo-devices.ts';
import { DIALECTS, PG_URL, TEST_DISTRICTS, type Dialect } from '../support/test-platform.ts';
import { until } from '../support/until.ts';
import { freePort } from '../support/free-port.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GAUGE = 'gauge-nankai-01';
const SIGNALS = ['signal-nankai-n', 'signal-nankai-s'];


interface Served {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly output: () => string;
}

function serve(env: Record<string, string>): Served {
  const child = spawn(process.execPath, ['bin/cityloop.js', 'serve'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b) => (out += String(b)));
  child.stderr!.on('data', (b) => (out += String(b)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { child, exited, output: () => out };
}

async function healthy(port: number, served: Served): Promise<void> {
  await until(
    async () => {
      if (served.child.exitCode !== null || served.child.signalCode !== null) throw new Error(`the server ended before it was up:\n${served.output()}`);
      const r = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
      return r?.ok ? true : null;
    },
    90_000, 250,
  );
}

// Killed after the commit, before the runner took the steps (every dialect); after it took them and
// before sending (SQLite: the restarted runner waits out the dead one's hold); and after a device
// answered, before the outcome was recorded (SQLite): then the same command goes out again under
// the same id, and the device, which knows it, does not carry it out twice.
// The two later moments wait out a hold or a resend: they run in `npm run validate` (VALIDATE=1).
// And killed after the commit of the reading that raised the trusted alert, before the alert was
// verified (the verification is an outbox row too): the restarted server verifies it, once — one
// case, one plan, one command a signal.
const SCENARIOS: [Dialect, string][] = [
  ...DIALECTS.map((d): [Dialect, string] => [d, 'outbox:after-commit']),
  ...DIALECTS.map((d): [Dialect, string] => [d, 'alert-effects:after-commit']),
  ...(process.env.VALIDATE ? ([['sqlite', 'outbox:before-effect'], ['sqlite', 'outbox:before-record']] as [Dialect, string][]) : []),
];

describe.each(SCENARIOS)('plan steps survive a kill -9 on %s at %s', (dialect: Dialect, point: string) => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('sends each signal its command once after the restart, and records each outcome once', async () => {
    const t = Date.now();
    const phase = (name: string) => process.env.OUTBOX_TEST_TRACE && console.log(`${point} ${dialect} +${Date.now() - t} ms: ${name}`);
    const dataDir = mkdtempSync(join(tmpdir(), 'cityloop-outbox-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    let databaseUrl: string | undefined;
    if (dialect === 'postgres') {
      const name = `cl_outbox_${process.pid}_${Date.now()}`;
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      databaseUrl = PG_URL!.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
      cleanups.push(async () => {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      });
    }
    // The store, seeded with three districts (the underpass is in 沙坪坝) before any server runs.
    const settings = { ...readSettings({}), dataDir, databaseUrl, demo: false };
    const seeding = await openPlatform(settings, { classifier: null, subscribeTelemetry: false });
    await resetDemoCity(seeding.store, { districts: TEST_DISTRICTS });
    await seeding.close();

    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    const env: Record<string, string> = { DATA_DIR: dataDir, DEMO: 'false', HOST: '127.0.0.1', PORT: String(httpPort), MQTT_PORT: String(mqttPort), LOG_LEVEL: 'warn', CONFIG_WATCH_SECONDS: '0', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
    const first = serve({ ...env, CITYLOOP_FAILPOINTS: point });
    cleanups.push(() => first.child.kill('SIGKILL'));
    await healthy(httpPort, first);
    phase('first server up');

    // The signals listen while the first server runs, and again (new connections) once the second is up.
    const devices: SimulatedDevice[] = [];
    cleanups.push(async () => {
      for (const d of devices) await d.close();
    });
    const connectSignals = async () => {
      const out = await Promise.all(SIGNALS.map((id) => connectSimulatedDevice({ url: `mqtt://127.0.0.1:${mqttPort}`, deviceId: id, username: id, password: demoDeviceSecret(id) })));
      devices.push(...out);
      return out;
    };
    const before = await connectSignals();

    // The gauge passes its limit; the trusted alert opens a case whose plan decides the commands.
    const reading = (ts: number, level: number) =>
      fetch(`http://127.0.0.1:${httpPort}/api/v1/devices/${GAUGE}/telemetry`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-device-secret': demoDeviceSecret(GAUGE) },
        body: JSON.stringify({ ts: new Date(ts).toISOString(), values: { water_level: level } }),
      }).catch(() => null);
    const t0 = Date.now();
    expect((await reading(t0, 0.3))?.status).toBe(202);
    await reading(t0 + 1000, 0.62); // the process may die before it answers
    const died = await first.exited;
    phase('first server died');
    expect(died.signal, first.output()).toBe('SIGKILL');

    // Decided and committed, not recorded: the effects wait in the outbox.
    const store = await openStore({ databaseUrl, dataDir });
    cleanups.push(() => store.close());
    // The plan's effects (the alert's own — its verification — may be done or pending: it opened the case either way).
    const beforeVerification = point === 'alert-effects:after-commit';
    const pending = await store.db.selectFrom('outbox').selectAll().where('kind', 'in', ['device_command', 'notify']).execute();
    let caseId: string;
    if (beforeVerification) {
      // Died before the verification: no case, no plan step; the verification waits, untaken.
      expect(pending).toEqual([]);
      const verifications = await store.db.selectFrom('outbox').selectAll().where('kind', '=', 'alert_verify').execute();
      expect(verifications.map((r) => [r.status, Number(r.attempts)])).toEqual([['pending', 0]]);
      expect(await store.db.selectFrom('cases').select('id').execute()).toEqual([]);
      caseId = '';
    } else {
      expect(pending.map((r) => r.status)).toEqual(pending.map(() => 'pending'));
      // Taken by the dead runner (once) unless it died before taking them.
      expect(pending.every((r) => Number(r.attempts) === (point === 'outbox:after-commit' ? 0 : 1))).toBe(true);
      expect(pending.filter((r) => r.kind === 'device_command').length).toBe(SIGNALS.length);
      caseId = pending[0]!.stream_id;
    }
    const recorded = async () =>
      (await store.db.selectFrom('events').select(['payload']).where('stream_id', '=', caseId).where('type', '=', 'ActionRecorded').execute()).map((r) => JSON.parse(r.payload) as { kind: string; target: string; outcome: string; commandId: string | null });
    expect(await recorded()).toEqual([]);

    // Killed after a device answered and before its answer was recorded: that command was out.
    if (point === 'outbox:before-record') expect(before.some((d) => d.received.length > 0)).toBe(true);
    else expect(before.every((d) => d.received.length === 0)).toBe(true);
    for (const d of before) await d.close();

    // Started again: each signal gets its command once.
    const second = serve(env);
    cleanups.push(async () => {
      second.child.kill('SIGKILL');
      await second.exited;
    });
    // The signals knock at once: the broker holds their CONNECT until the platform is open, so
    // they listen before the runner sends anything.
    const afterP = until(async () => {
      try {
        return await connectSignals();
      } catch {
        return null;
      }
    }, 90_000, 100);
    await healthy(httpPort, second);
    phase('second server up');
    const after = await afterP;
    phase('signals connected again');
    if (beforeVerification) {
      // Verified after the restart: exactly one case, opened under the alert.
      const opened = await until(async () => {
        const rows = await store.db.selectFrom('cases').select('id').execute();
        return rows.length > 0 ? rows : null;
      }, 60_000, 250);
      expect(opened).toHaveLength(1);
      caseId = opened[0]!.id;
    }
    await until(async () => ((await recorded()).filter((r) => r.kind === 'device').length >= SIGNALS.length ? true : null), 60_000, 250);
    // A pass more of the runner finds nothing left to do.
    await until(async () => ((await store.db.selectFrom('outbox').select('status').where('status', '=', 'pending').execute()).length === 0 ? true : null), 30_000, 250);
    await new Promise((r) => setTimeout(r, 1_000));

    const outcomes = (await recorded()).filter((r) => r.kind === 'device');
    expect(outcomes.map((r) => r.target).sort()).toEqual([...SIGNALS].sort());
    expect(outcomes.every((r) => r.outcome === 'confirmed')).toBe(true);
    const commandRows = beforeVerification ? await store.db.selectFrom('outbox').selectAll().where('kind', '=', 'device_command').execute() : pending;
    const effectIds = new Set(commandRows.filter((r) => r.kind === 'device_command').map((r) => r.id));
    expect(effectIds.size).toBe(SIGNALS.length);
    expect(await store.db.selectFrom('cases').select('id').execute()).toHaveLength(1);
    expect(new Set(outcomes.map((r) => r.commandId))).toEqual(effectIds);
    for (const [i, d] of after.entries()) {
      // One command, whichever moment the first server died at: sent again, then under its own id.
      const ids = new Set([...before[i]!.received, ...d.received].map((c) => c.commandId));
      expect(ids.size, d.deviceId).toBe(1);
      expect(d.state.phase, d.deviceId).toBe('red');
    }
    expect((await store.db.selectFrom('outbox').select('attempts').where('kind', '=', 'device_command').execute()).every((r) => Number(r.attempts) === (point === 'outbox:after-commit' || beforeVerification ? 1 : 2))).toBe(true);
    if (beforeVerification) expect((await store.db.selectFrom('outbox').select(['status', 'attempts']).where('kind', '=', 'alert_verify').execute()).map((r) => [r.status, Number(r.attempts)])).toEqual([['done', 1]]);
  }, 240_000);
});
