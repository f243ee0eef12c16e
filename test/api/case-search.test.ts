import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inflateRawSync } from 'node:zlib';
import { DIALECTS, openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { expectProblem, testHttp } from '../support/http.ts';
import { interiorPoint } from '../../src/geo/geometry.ts';

/** The entries of a zip (local headers walked; deflated or stored), to read an exported XLSX back. */
function unzip(buf: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (buf.readUInt32LE(i) === 0x04034b50) {
    const method = buf.readUInt16LE(i + 8);
    const size = buf.readUInt32LE(i + 18);
    const nameLen = buf.readUInt16LE(i + 26);
    const extra = buf.readUInt16LE(i + 28);
    const name = buf.subarray(i + 30, i + 30 + nameLen).toString('utf8');
    const data = buf.subarray(i + 30 + nameLen + extra, i + 30 + nameLen + extra + size);
    out.set(name, (method === 8 ? inflateRawSync(data) : data).toString('utf8'));
    i += 30 + nameLen + extra + size;
  }
  return out;
}

describe.each(DIALECTS)('case list, search, saved views and export (%s)', (dialect) => {
  let t: TestPlatform;
  const tokens: Record<string, string> = {};
  const { call } = testHttp(() => t.app, (u) => tokens[u]);
  /** An answer's bytes as sent (the export is binary). */
  const raw = async (user: string, url: string) => {
    const res = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens[user]}` } });
    return { status: res.statusCode, headers: res.headers, rawPayload: res.rawPayload };
  };
  const made: Record<string, { id: string; number: string }> = {};

  const ids = (r: { body: { items: { id: string }[] } }) => r.body.items.map((x) => x.id);

  beforeAll(async () => {
    t = await openTestPlatform(dialect);
    for (const u of ['admin', 'yuzhong.operator', 'nanan.operator', 'yuzhong.water', 'citizen.zhang']) tokens[u] = await t.signIn(u);
    const r = t.platform.resolver();
    const yuzhong = interiorPoint(r.get('500103')!.geometry!);
    const nanan = interiorPoint(r.get('500108')!.geometry!);
    const report = async (key: string, who: string, at: [number, number], body: Record<string, unknown>) => {
      const res = await call(who, 'POST', '/api/v1/cases', { crs: 'gcj02', lng: at[0], lat: at[1], ...body });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      made[key] = { id: res.body.id, number: res.body.number };
      t.clock.advance(60_000);
    };
    await report('manhole', 'yuzhong.operator', yuzhong, { categoryCode: 'municipal.manhole.missing', title: '下水道井盖不见了', address: '解放碑步行街八一路口', description: '已经有人差点掉下去', priority: 'urgent' });
    await report('burst', 'yuzhong.operator', [yuzhong[0] + 0.0001, yuzhong[1]], { categoryCode: 'municipal.water.burst', title: '供水管道爆管 DN200', address: '较场口十八梯', priority: 'high' });
    await report('litter', 'yuzhong.operator', [yuzhong[0] + 0.0002, yuzhong[1]], { categoryCode: 'environment.riverbank-litter', title: '江边垃圾', address: '朝天门码头', source: 'inspection' });
    await report('nanan', 'nanan.operator', nanan, { categoryCode: 'municipal.manhole.missing', title: '南滨路井盖缺失', address: '南滨路' });
  });
  afterAll(async () => t?.close());

  it('finds by words of the title, address and reporter text, in Chinese of 1, 2 and more characters, and by number', async () => {
    const q = async (text: string) => ids(await call('yuzhong.operator', 'GET', `/api/v1/cases?q=${encodeURIComponent(text)}`));
    expect(await q('井盖不见')).toEqual([made.manhole!.id]);
    expect(await q('解放碑')).toEqual([made.manhole!.id]);
    expect(await q('掉下去')).toEqual([made.manhole!.id]);
    // 1–2 characters: one bigram, one character.
    expect(await q('井盖')).toEqual([made.manhole!.id]);
    expect(await q('梯')).toEqual([made.burst!.id]);
    // A phrase is contiguous: 井…去 in the same case but not next to each other is not 井去.
    expect(await q('井去')).toEqual([]);
    // Latin words by prefix, any case; several parts all match.
    expect(await q('dn2')).toEqual([made.burst!.id]);
    expect(await q('爆管 十八梯')).toEqual([made.burst!.id]);
    expect(await q('爆管 朝天门')).toEqual([]);
    // The number, whole or its tail.
    expect(await q(made.litter!.number)).toEqual([made.litter!.id]);
    expect(await q(made.litter!.number.slice(-6).toLowerCase())).toEqual([made.litter!.id]);
  });

  it('indexes a case in the transaction that reports it: found the moment the report is answered', async () => {
    const r = t.platform.resolver();
    const at = interiorPoint(r.get('500103')!.geometry!);
    const res = await call('yuzhong.operator', 'POST', '/api/v1/cases', { crs: 'gcj02', lng: at[0] + 0.0003, lat: at[1], categoryCode: 'municipal.lighting.out', title: '路灯不亮', address: '临江门' });
    expect(ids(await call('yuzhong.operator', 'GET', `/api/v1/cases?q=${encodeURIComponent('临江门')}`))).toEqual([res.body.id]);
    made.lamp = { id: res.body.id, number: res.body.number };
  });

  it('never shows another district\'s case: not by search, not by number, not by its district as a filter', async () => {
    expect(ids(await call('yuzhong.operator', 'GET', `/api/v1/cases?q=${encodeURIComponent('井盖')}`))).not.toContain(made.nanan!.id);
    expect(ids(await call('yuzhong.operator', 'GET', `/api/v1/cases?q=${made.nanan!.number}`))).toEqual([]);
    expect(ids(await call('yuzhong.operator', 'GET', '/api/v1/cases?jurisdiction=500108'))).toEqual([]);
    expectProblem(await call('yuzhong.operator', 'GET', `/api/v1/cases/${made.nanan!.number}`), 403, 'FORBIDDEN_JURISDICTION');
    // The other district's operator finds it; the admin finds both.
    expect(ids(await call('nanan.operator', 'GET', `/api/v1/cases?q=${encodeURIComponent('井盖')}`))).toEqual([made.nanan!.id]);
    expect(new Set(ids(await call('admin', 'GET', `/api/v1/cases?q=${encodeURIComponent('井盖')}`)))).toEqual(new Set([made.manhole!.id, made.nanan!.id]));
    // A citizen sees only their own reports; a unit only the cases it has tasks on.
    expect(ids(await call('citizen.zhang', 'GET', `/api/v1/cases?q=${encodeURIComponent('井盖')}`))).toEqual([]);
    expect(ids(await call('yuzhong.water', 'GET', '/api/v1/cases'))).toEqual([]);
  });

  it('opens a case by its number as by its id', async () => {
    const byNumber = await call('yuzhong.operator', 'GET', `/api/v1/cases/${made.manhole!.number}`);
    expect(byNumber.status).toBe(200);
    expect(byNumber.body.id).toBe(made.manhole!.id);
    const events = await call('yuzhong.operator', 'GET', `/api/v1/cases/${made.manhole!.number}/events`);
    expect(events.body.items[0].type).toBe('CaseReported');
  });

  it('filters by category family, street, tier, source, overdue, time and a box on the map', async () => {
    const get = async (qs: string) => new Set(ids(await call('admin', 'GET', `/api/v1/cases?${qs}`)));
    expect(await get('category=municipal.manhole')).toEqual(new Set([made.manhole!.id, made.nanan!.id]));
    expect(await get('category=municipal.manh')).toEqual(new Set());
    expect(await get('category=municipal.water.burst')).toEqual(new Set([made.burst!.id]));
    // Every case here was reported by a center's staff (source as the report said or the role implies).
    const sources = await Promise.all(Object.values(made).map(async (m) => (await call('admin', 'GET', `/api/v1/cases/${m.id}`)).body.source));
    for (const s of new Set(sources)) expect((await get(`source=${s}`)).size).toBe(sources.filter((x) => x === s).length);
    expect(await get('source=hotline')).toEqual(new Set());
    expect(await get('overdue=true')).toEqual(new Set());
    const doc = (await call('admin', 'GET', `/api/v1/cases/${made.manhole!.id}`)).body;
    const street = doc.chain.find((l: { level: string }) => l.level === 'street').code;
    expect(await get(`street=${street}&category=municipal`)).toContain(made.manhole!.id);
    expect(await get(`street=${street}`)).not.toContain(made.nanan!.id);
    expect(await get(`tier=${doc.tier}&q=${encodeURIComponent('井盖不见')}`)).toEqual(new Set([made.manhole!.id]));
    const from = encodeURIComponent(doc.reportedAt ?? doc.createdAt);
    expect((await get(`from=${from}&jurisdiction=500103`)).size).toBe(4);
    expect(await get(`to=${from}`)).toEqual(new Set());
    const { lng, lat } = doc.location;
    expect(await get(`bbox=${lng - 0.00005},${lat - 0.00005},${lng + 0.00005},${lat + 0.00005}`)).toEqual(new Set([made.manhole!.id]));
  });

  it('sorts by priority, deadline and number both ways, and pages with a cursor that holds on ties', async () => {
    const order = async (qs: string) => ids(await call('yuzhong.operator', 'GET', `/api/v1/cases?${qs}`));
    const byPriority = await order('sort=priority&order=desc');
    expect(byPriority.slice(0, 2)).toEqual([made.manhole!.id, made.burst!.id]);
    const byNumber = await order('sort=number&order=asc');
    expect(byNumber).toEqual([made.manhole!.id, made.burst!.id, made.litter!.id, made.lamp!.id]);
    expect(await order('sort=number&order=desc')).toEqual([...byNumber].reverse());
    for (const sort of ['reportedAt', 'deadline', 'priority', 'number']) {
      for (const dir of ['asc', 'desc']) {
        // One a page: the pages together are the whole list, each case once, in the list's order.
        const whole = await order(`sort=${sort}&order=${dir}`);
        const paged: string[] = [];
        let cursor: string | null = null;
        do {
          const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await call('yuzhong.operator', 'GET', `/api/v1/cases?sort=${sort}&order=${dir}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
          paged.push(...ids(res));
          cursor = res.body.nextCursor;
        } while (cursor);
        expect(paged, `${sort} ${dir}`).toEqual(whole);
        expect(new Set(paged).size).toBe(4);
      }
    }
    // A cursor belongs to its sort: used with another, it is refused rather than skipping cases.
    const first = await call('yuzhong.operator', 'GET', '/api/v1/cases?sort=priority&limit=1');
    expectProblem(await call('yuzhong.operator', 'GET', `/api/v1/cases?sort=number&cursor=${first.body.nextCursor}`), 400, 'VALIDATION_FAILED');
  });

  it('refuses bad parameters with problem+json', async () => {
    for (const qs of ['state=nonsense', 'sort=title', 'order=up', 'tier=planet', 'source=pigeon', 'overdue=perhaps', 'from=yesterday', 'limit=0', 'limit=201', 'bbox=1,2,3', 'bbox=3,2,1,4', 'cursor=notacursor', `q=${'x'.repeat(101)}`, 'q=%20%20', 'category=a%20b', 'colour=red', 'from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z']) {
      const res = await call('yuzhong.operator', 'GET', `/api/v1/cases?${qs}`);
      expect(res.status, qs).toBe(400);
      expect(res.headers['content-type'], qs).toContain('application/problem+json');
    }
  });

  it('saves views for their owner only, and logs each change', async () => {
    const saved = await call('yuzhong.operator', 'POST', '/api/v1/case-views', { name: '紧急井盖', query: { category: 'municipal.manhole', sort: 'priority', order: 'desc', q: '井盖' } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expectProblem(await call('yuzhong.operator', 'POST', '/api/v1/case-views', { name: '紧急井盖', query: {} }), 409, 'ALREADY_EXISTS');
    expect((await call('yuzhong.operator', 'POST', '/api/v1/case-views', { name: 'x', query: { sort: 'colour' } })).status).toBe(400);
    expect((await call('yuzhong.operator', 'GET', '/api/v1/case-views')).body.items.map((v: { name: string }) => v.name)).toEqual(['紧急井盖']);
    expect((await call('nanan.operator', 'GET', '/api/v1/case-views')).body.items).toEqual([]);
    expectProblem(await call('nanan.operator', 'DELETE', `/api/v1/case-views/${saved.body.id}`), 404, 'NOT_FOUND');
    expect((await call('yuzhong.operator', 'DELETE', `/api/v1/case-views/${saved.body.id}`)).status).toBe(204);
    expect((await call('yuzhong.operator', 'GET', '/api/v1/case-views')).body.items).toEqual([]);
    const log = await call('admin', 'GET', `/api/v1/audit/changes?kind=view&id=${saved.body.id}`);
    expect(log.status, JSON.stringify(log.body)).toBe(200);
    expect(log.body.items.map((e: { type: string }) => e.type).sort()).toEqual(['CaseViewDeleted', 'CaseViewSaved']);
  });

  it('exports the filter as CSV with a BOM and as a real XLSX, columns in the caller\'s language, inside the caller\'s ground', async () => {
    const csv = await raw('yuzhong.operator', '/api/v1/cases/export?format=csv&category=municipal.manhole&sort=number');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const bytes = csv.rawPayload;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trim().split('\r\n');
    expect(lines[0]).toContain('编号,标题,类别,状态');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(made.manhole!.number);
    expect(lines[1]).toContain('井盖缺失');
    expect(lines[1]).not.toContain('municipal.');
    const en = await raw('yuzhong.operator', '/api/v1/cases/export?format=csv&lang=en');
    expect(en.rawPayload.subarray(3).toString('utf8')).toMatch(/^Number,Title,Category,State/);
    const xlsx = await raw('yuzhong.operator', '/api/v1/cases/export?format=xlsx&sort=number&order=asc');
    expect(xlsx.status).toBe(200);
    const files = unzip(xlsx.rawPayload);
    expect([...files.keys()]).toContain('xl/workbook.xml');
    const sheet = files.get('xl/worksheets/sheet1.xml')!;
    expect(sheet).toContain('编号');
    expect(sheet).toContain(made.litter!.number);
    expect(sheet).not.toContain(made.nanan!.number);
    expectProblem(await call('citizen.zhang', 'GET', '/api/v1/cases/export?format=csv'), 403, 'FORBIDDEN_ROLE');
    expect((await call('yuzhong.operator', 'GET', '/api/v1/cases/export?format=pdf')).status).toBe(400);
  });
});
