import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/store.ts';
import { countJurisdictions, loadJurisdictions } from '../../src/geo/jurisdiction-repository.ts';
import { interiorPoint } from '../../src/geo/geometry.ts';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'cityloop-cli-'));
const env = { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'cli.sqlite')}`, DATA_DIR: dir };

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, ['bin/cityloop.js', ...args], { env, timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A small square (GCJ-02) around a centre point. */
function square(cx: number, cy: number, r: number): number[][][] {
  return [[[cx - r, cy - r], [cx + r, cy - r], [cx + r, cy + r], [cx - r, cy + r], [cx - r, cy - r]]];
}

describe('the cityloop CLI', () => {
  beforeAll(async () => {
    const r = await cli('demo', 'reset', '--districts', '500103,500108');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/demo city rebuilt/);
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Interior points of two generated streets of 渝中区: tiny squares there lie inside their parent. */
  let inside: [number, number][] = [];
  beforeAll(async () => {
    const store = await openStore({ databaseUrl: env.DATABASE_URL });
    try {
      const streets = (await loadJurisdictions(store.db)).filter((j) => j.level === 'street' && j.parentCode === '500103' && j.geometry);
      inside = streets.slice(0, 2).map((s) => interiorPoint(s.geometry!) as [number, number]);
    } finally {
      await store.close();
    }
  });

  it('shows help and says wrong usage with exit code 2', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    for (const c of ['serve', 'demo', 'import', 'audit', 'bench']) expect(help.stdout).toContain(c);
    expect((await cli('no-such-command')).code).toBe(2);
    expect((await cli('import', 'jurisdictions', 'x.geojson')).code).toBe(2); // --level missing
    expect((await cli('import', 'jurisdictions', 'x.geojson', '--level', 'planet')).code).toBe(2);
  });

  it('reports invalid features by index and reason and imports nothing', async () => {
    const file = join(dir, 'bad.geojson');
    const notClosed = square(106.57, 29.555, 0.002);
    notClosed[0]!.pop();
    writeFileSync(
      file,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: { code: 'T1', name: '测试社区一' }, geometry: { type: 'Polygon', coordinates: square(inside[0]![0], inside[0]![1], 0.0001) } },
          { type: 'Feature', properties: { code: 'T2', name: '未闭合' }, geometry: { type: 'Polygon', coordinates: notClosed } },
          { type: 'Feature', properties: { code: 'T3', name: '自相交' }, geometry: { type: 'Polygon', coordinates: [[[106.56, 29.55], [106.565, 29.555], [106.565, 29.55], [106.56, 29.555], [106.56, 29.55]]] } },
          { type: 'Feature', properties: { code: 'T4', name: '成都' }, geometry: { type: 'Polygon', coordinates: square(104.066, 30.572, 0.002) } },
        ],
      }),
    );
    const before = await countLevels();
    const r = await cli('import', 'jurisdictions', file, '--level', 'community');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/feature 1: .*not closed/i);
    expect(r.stderr).toMatch(/feature 2: .*self-intersect/i);
    expect(r.stderr).toMatch(/feature 3: .*(outside|parent)/i);
    expect(r.stderr).not.toMatch(/feature 0:/);
    expect(r.stderr).toContain('nothing was imported');
    expect(await countLevels()).toEqual(before);
  });

  it('imports a valid file in one go, and refuses a clash without --replace', async () => {
    const file = join(dir, 'good.geojson');
    writeFileSync(
      file,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: { code: 'G1', name: '测试社区甲' }, geometry: { type: 'Polygon', coordinates: square(inside[0]![0], inside[0]![1], 0.0001) } },
          { type: 'Feature', properties: { code: 'G2', name: '测试社区乙' }, geometry: { type: 'Polygon', coordinates: square(inside[1]![0], inside[1]![1], 0.0001) } },
        ],
      }),
    );
    const before = await countLevels();
    const dry = await cli('import', 'jurisdictions', file, '--level', 'community', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(await countLevels()).toEqual(before);
    const r = await cli('import', 'jurisdictions', file, '--level', 'community');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('imported 2 community');
    expect((await countLevels()).community).toBe((before.community ?? 0) + 2);
    const again = await cli('import', 'jurisdictions', file, '--level', 'community');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    // Replacing is destructive: without a terminal to ask, only with --yes.
    const unconfirmed = await cli('import', 'jurisdictions', file, '--level', 'community', '--replace');
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('refused without --yes');
    expect((await cli('import', 'jurisdictions', file, '--level', 'community', '--replace', '--yes')).code).toBe(0);
    expect((await countLevels()).community).toBe((before.community ?? 0) + 2);
  }, 180_000);

  it('checks plan files and names every problem', async () => {
    const good = await cli('plans', 'check', 'cities/chongqing/plans/water-main-burst.yaml');
    expect(good.code, good.stderr).toBe(0);
    const bad = join(dir, 'bad-plan.yaml');
    writeFileSync(bad, 'id: bad-plan\nname: 坏预案\ntrigger: { categories: [municipal.water.burst] }\nlevel: [{ tier: district }]\ntasks:\n  - key: a\n    role: lead\n    unit: { kind: no-such-unit, scope: district }\n    instructions: x\n    deadline: 1h\n    when: "facts.nothing >"\n');
    const r = await cli('plans', 'check', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/tasks/0/unit/kind');
    expect(r.stderr).toContain('/tasks/0/when');
  });

  it('imports an asset layer, refusing bad features by index', async () => {
    const file = join(dir, 'manholes.geojson');
    writeFileSync(
      file,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', id: 'mh-test-1', properties: { name: '测试井盖', owner_kind: 'urban-management' }, geometry: { type: 'Point', coordinates: inside[0] } },
          { type: 'Feature', id: 'mh-test-2', properties: { name: '成都井盖' }, geometry: { type: 'Point', coordinates: [104.066, 30.572] } },
        ],
      }),
    );
    const bad = await cli('import', 'assets', file, '--type', 'manhole');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/feature 1: /);
    const ok = JSON.parse(JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', id: 'mh-test-1', properties: { name: '测试井盖' }, geometry: { type: 'Point', coordinates: inside[0] } }] }));
    writeFileSync(file, JSON.stringify(ok));
    const r = await cli('import', 'assets', file, '--type', 'manhole');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('imported 1 manhole');
  });

  it('imports people per grid all or nothing, the demo\'s generated figures replaced by counted ones', async () => {
    const store = await openStore({ databaseUrl: env.DATABASE_URL });
    let grid: string;
    try {
      grid = (await loadJurisdictions(store.db)).find((j) => j.level === 'grid' && j.code.startsWith('500103'))!.code;
      // The demo city's own layer is generated, and stored as such.
      expect((await store.db.selectFrom('grid_population').select('source').where('grid_code', '=', grid).executeTakeFirstOrThrow()).source).toBe('generated');
    } finally {
      await store.close();
    }
    const file = join(dir, 'population.csv');
    writeFileSync(file, `grid_code,people\n${grid},1234\n999999999999999,5\n`);
    const bad = await cli('import', 'population', file);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('line 3: no grid has the code 999999999999999');
    writeFileSync(file, `grid_code,people\n${grid},1234\n`);
    const r = await cli('import', 'population', file, '--source', 'census');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('imported the population of 1 grid(s) (source: census), 1234 people');
    const after = await openStore({ databaseUrl: env.DATABASE_URL });
    try {
      expect(await after.db.selectFrom('grid_population').select(['people', 'source']).where('grid_code', '=', grid).executeTakeFirstOrThrow()).toEqual({ people: 1234, source: 'census' });
    } finally {
      await after.close();
    }
  }, 60_000);

  it('verifies an untouched audit trail with exit code 0', async () => {
    const r = await cli('audit', 'verify', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!).ok).toBe(true);
  });

  it('says clearly when the store cannot be opened', async () => {
    const r = await exec(process.execPath, ['bin/cityloop.js', 'audit', 'verify'], { env: { ...env, DATABASE_URL: 'mysql://nope' } }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('DATABASE_URL');
  });

  it('imports devices all or nothing and writes new secrets to a private file, never to the screen', async () => {
    const bad = join(dir, 'devices-bad.csv');
    writeFileSync(bad, 'id,type,name,lon,lat\ncli-g1,water_gauge,测试1,106.57,29.56\ncli g2,water_gauge,测试2,106.57,29.56\n');
    const r1 = await cli('devices', 'import', bad);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/row 2: id "cli g2" must be/);
    const good = join(dir, 'devices.csv');
    writeFileSync(good, 'id,type,name,lon,lat\ncli-g1,water_gauge,测试1,106.57,29.56\ncli-g2,water_gauge,测试2,106.571,29.561\n');
    const r2 = await cli('devices', 'import', good);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout).toMatch(/imported 2 new/);
    const secrets = JSON.parse(readFileSync(`${good}.secrets.json`, 'utf8')) as Record<string, string>;
    expect(Object.keys(secrets)).toEqual(['cli-g1', 'cli-g2']);
    expect(r2.stdout).not.toContain(secrets['cli-g1']!);
    expect(statSync(`${good}.secrets.json`).mode & 0o077).toBe(0);
  }, 60_000);

  it('refuses a device file with an unclosed quote, naming the line', async () => {
    const quote = join(dir, 'devices-quote.csv');
    writeFileSync(quote, 'id,type,name,lon,lat\ncli-q1,water_gauge,"测试1,106.57,29.56\n');
    const r = await cli('devices', 'import', quote);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${quote}: line 2: a quoted field is never closed`);
  }, 60_000);

  it('issues an API token with scopes and an expiry, recorded in the log as done by the CLI', async () => {
    const bad = await cli('token', 'create', '--user', 'yuzhong.operator', '--name', 'x', '--scopes', 'read,root');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('unknown scope root');
    const r = await cli('token', 'create', '--user', 'yuzhong.operator', '--name', '水位网关 gauge gateway', '--scopes', 'ingest,read', '--days', '30');
    expect(r.code, r.stderr).toBe(0);
    const token = r.stdout.trim();
    expect(token).toMatch(/^clt_/);
    const store = await openStore({ databaseUrl: env.DATABASE_URL });
    try {
      const row = await store.db.selectFrom('auth_tokens').selectAll().where('name', '=', '水位网关 gauge gateway').executeTakeFirstOrThrow();
      expect(JSON.parse(row.scopes!)).toEqual(['ingest', 'read']);
      expect(Date.parse(row.expires_at!) - Date.parse(row.created_at)).toBe(30 * 86_400_000);
      expect(row.token_hash).not.toBe(token);
      const ev = await store.db.selectFrom('events').select(['type', 'actor', 'payload']).where('stream_id', '=', `token:${row.id}`).executeTakeFirstOrThrow();
      expect(ev.type).toBe('ApiTokenIssued');
      expect(JSON.parse(ev.actor).id).toBe('cli');
      expect(ev.payload).not.toContain(token);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('imports a CAP file and refuses the entity attack with exit code 1', async () => {
    const attack = join(dir, 'xee.cap');
    writeFileSync(attack, '<?xml version="1.0"?>\n<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&xxe;</identifier></alert>\n');
    const r = await cli('cap', 'import', attack, 'test/fixtures/cap/cq-geocode-only.cap');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/xee\.cap: .*DOCTYPE/i);
    expect(r.stdout).toMatch(/cq-geocode-only\.cap: Alert/);
    expect(r.stdout + r.stderr).not.toContain('root:');
  }, 60_000);
});

async function countLevels(): Promise<Record<string, number>> {
  const store = await openStore({ databaseUrl: env.DATABASE_URL });
  try {
    return await countJurisdictions(store.db);
  } finally {
    await store.close();
  }
}
