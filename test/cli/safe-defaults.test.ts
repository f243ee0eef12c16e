/**
 * Safe defaults of the command line and the settings (issue 16 item 9): HOST is loopback while the
 * demo runs and the start-up note says so; `audit verify` names the store it checked and refuses
 * one that does not exist (creating nothing); `demo reset` wipes a store that holds anything only
 * when confirmed (`--yes`, or "yes" at a terminal), and refuses without a terminal to ask.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config.ts';
import { exposureNote } from '../../src/cli/commands/serve.ts';
import { openStore, StoreMissingError } from '../../src/store/store.ts';
import { PG_URL, TINY_PACK_DIR } from '../support/test-platform.ts';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'cityloop-safe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // stdin is not a terminal here (execFile pipes it): a question cannot be asked.
    const r = await exec(process.execPath, ['bin/cityloop.js', ...args], { env: { ...process.env, CITY_PACK: TINY_PACK_DIR, ...env }, timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('safe defaults', () => {
  it('listens on loopback by default while the demo runs, and says who can reach it', () => {
    expect(readSettings({ DEMO: 'true' }).host).toBe('127.0.0.1');
    expect(readSettings({}).host).toBe('127.0.0.1'); // DEMO defaults to true
    expect(readSettings({ DEMO: 'false' }).host).toBe('0.0.0.0');
    expect(readSettings({ DEMO: 'true', HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(exposureNote('127.0.0.1', true, false)).toMatch(/listening on 127\.0\.0\.1 only \(the default while the demo runs\)/);
    expect(exposureNote('0.0.0.0', true, true)).toMatch(/reachable from the network, but accounts with the published demo password sign in from this machine only/);
    expect(exposureNote('0.0.0.0', false, false)).toBe('listening on 0.0.0.0 (DEMO=false)');
  });

  it('audit verify refuses a store that does not exist, creating nothing, and names the one it checked', async () => {
    const missing = join(dir, 'nowhere');
    const r = await cli({ DATA_DIR: missing }, 'audit', 'verify');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`no CityLoop store at SQLite ${join(missing, 'cityloop.sqlite')}`);
    expect(r.stdout).not.toMatch(/chain intact/);
    expect(existsSync(join(missing, 'cityloop.sqlite'))).toBe(false);

    const store = join(dir, 'store');
    expect((await cli({ DATA_DIR: store }, 'demo', 'reset')).code).toBe(0); // an empty store: nothing to lose, no question
    const ok = await cli({ DATA_DIR: store }, 'audit', 'verify');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`store: SQLite`);
    expect(ok.stdout).toContain(join(store, 'cityloop.sqlite'));
    const json = JSON.parse((await cli({ DATA_DIR: store }, 'audit', 'verify', '--json')).stdout.trim().split('\n').at(-1)!);
    expect(json).toMatchObject({ ok: true });
    expect(json.store).toContain(join(store, 'cityloop.sqlite'));
  }, 180_000);

  it('demo reset of a store that holds anything needs --yes when there is no terminal to ask', async () => {
    const store = join(dir, 'store');
    const refused = await cli({ DATA_DIR: store }, 'demo', 'reset');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/demo reset wipes every case, event, user and device of SQLite .*cityloop\.sqlite: refused without --yes/);
    expect(refused.stdout).not.toMatch(/demo city rebuilt/);
    const done = await cli({ DATA_DIR: store }, 'demo', 'reset', '--yes');
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/demo city rebuilt/);
  }, 180_000);

  it.runIf(PG_URL)('refuses to open a PostgreSQL store without CityLoop\'s tables when it must exist', async () => {
    const schema = `t_missing_${process.pid}_${Date.now()}`;
    await expect(openStore({ databaseUrl: PG_URL, pgSchema: schema, mustExist: true })).rejects.toBeInstanceOf(StoreMissingError);
    const made = await openStore({ databaseUrl: PG_URL, pgSchema: schema });
    await made.close();
    const again = await openStore({ databaseUrl: PG_URL, pgSchema: schema, mustExist: true });
    await again.close();
  }, 120_000);
});
