import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { openTestPlatform, type TestPlatform } from '../../../test/support/test-platform.ts';
import { gcj02ToWgs84 } from '../../geo/crs.ts';
import { unitIdOf } from '../../../cities/chongqing/demo/demo-city.ts';
import { SYSTEM_PRINCIPAL } from '../../auth/principal.ts';
import { escapeXmlText, writeXmlDocument } from './xml-writer.ts';
import { splitFormat } from '../../http/routes/open311/open311-routes.ts';
import { formatW3c, parseForm, parseW3c, readSubmission, statusOf, titleFrom } from './open311-requests.ts';

// ── A minimal reader for the XML we write, so the tests check structure rather than substrings.
interface XmlNode {
  readonly name: string;
  readonly children: XmlNode[];
  text: string;
}

const FIVE: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function readXml(src: string): XmlNode {
  const decl = '<?xml version="1.0" encoding="utf-8"?>\n';
  if (!src.startsWith(decl)) throw new Error('no XML declaration');
  let i = decl.length;
  const skipSpace = () => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  const unescape = (t: string) =>
    t.replace(/&([^;]*);/g, (_, e: string) => {
      const c = FIVE[e];
      if (c === undefined) throw new Error(`entity &${e}; is not one of the five`);
      return c;
    });
  const element = (): XmlNode => {
    const m = /^<([A-Za-z_][A-Za-z0-9_.-]*)(\/?)>/.exec(src.slice(i));
    if (!m) throw new Error(`expected an element at ${i}: ${src.slice(i, i + 30)}`);
    i += m[0].length;
    const node: XmlNode = { name: m[1]!, children: [], text: '' };
    if (m[2] === '/') return node;
    for (;;) {
      if (src.startsWith(`</${node.name}>`, i)) {
        i += node.name.length + 3;
        return node;
      }
      if (src[i] === '<') {
        if (src[i + 1] === '/') throw new Error(`mismatched close at ${i}: ${src.slice(i, i + 30)}`);
        node.children.push(element());
        skipSpace();
        continue;
      }
      const end = src.indexOf('<', i);
      if (end < 0) throw new Error('unterminated element');
      const raw = src.slice(i, end);
      if (raw.includes('&') && /&(?!(amp|lt|gt|quot|apos);)/.test(raw)) throw new Error(`bare & or unknown entity in ${raw}`);
      node.text += unescape(raw);
      i = end;
    }
  };
  const root = element();
  skipSpace();
  if (i !== src.length) throw new Error('content after the document element');
  return root;
}

const kids = (n: XmlNode, name: string) => n.children.filter((c) => c.name === name);
const kid = (n: XmlNode, name: string): XmlNode => {
  const c = kids(n, name)[0];
  if (!c) throw new Error(`${n.name} has no ${name}`);
  return c;
};
const textOf = (n: XmlNode, name: string): string => kid(n, name).text;

function form(fields: Record<string, string | string[]>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) q.append(k, x);
  return q.toString();
}

// 解放碑 is at (106.577, 29.557) in GCJ-02; Open311 clients speak WGS-84.
const [JFB_LNG, JFB_LAT] = gcj02ToWgs84(106.577, 29.557);
const HERE = { lat: JFB_LAT.toFixed(7), long: JFB_LNG.toFixed(7) };
const SHANGHAI = { lat: '31.2304', long: '121.4737' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

/** The address the city publishes (PUBLIC_URL); discovery names its endpoint from it alone. */
const PUBLIC_URL = 'https://cityloop.example.gov.cn';

describe('Open311 GeoReport v2 at /open311/v2', () => {
  let t: TestPlatform;
  let apiKey: string;
  let citizenToken: string;
  let operatorToken: string;

  beforeAll(async () => {
    t = await openTestPlatform('sqlite', { settings: { publicUrl: PUBLIC_URL } });
    // A system account as a city would set one up for FixMyStreet: no password, role system.
    const userId = await t.platform.auth.createUser({ username: 'open311.gateway', displayName: 'Open311 网关', password: null, roles: ['system'] });
    apiKey = (await t.platform.auth.createApiToken(SYSTEM_PRINCIPAL, userId, 'open311 client', { scopes: ['open311'] })).token;
    citizenToken = await t.signIn('citizen.zhang');
    operatorToken = await t.signIn('yuzhong.operator');
  });
  afterAll(async () => t?.close());

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
  const post = (url: string, body: string, headers: Record<string, string> = FORM) => t.app.inject({ method: 'POST', url, payload: body, headers });
  const caseIdOf = async (number: string) => (await t.platform.store.db.selectFrom('cases').select('id').where('number', '=', number).executeTakeFirstOrThrow()).id;
  const api = async (method: 'POST' | 'GET', url: string, payload?: object) => {
    const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${operatorToken}` }, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  it('serves a JSON client: discovery, services, a definition, POST by form with api_key, the request by id and in filtered lists', async () => {
    const disc = await get('/open311/v2/discovery.json');
    expect(disc.statusCode).toBe(200);
    expect(disc.headers['content-type']).toBe('application/json; charset=utf-8');
    const d = disc.json();
    expect(d).toMatchObject({ changeset: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/), contact: expect.any(String), key_service: expect.stringContaining('api_key') });
    expect(d.endpoints).toEqual([{ specification: 'http://wiki.open311.org/GeoReport_v2', url: `${PUBLIC_URL}/open311/v2`, changeset: d.changeset, type: 'production', formats: ['text/xml', 'application/json'] }]);

    const services = (await get('/open311/v2/services.json')).json();
    expect(Array.isArray(services)).toBe(true);
    const lights = services.find((s: any) => s.service_code === 'municipal.lighting.out');
    expect(lights).toEqual({
      service_code: 'municipal.lighting.out',
      service_name: '路灯不亮',
      description: expect.stringContaining('办结时限 3 个工作日'),
      metadata: false,
      type: 'realtime',
      keywords: expect.stringContaining('Street light out'),
      group: '市政公用设施',
    });
    // Only leaves are services: a family is a group, never a service of its own.
    expect(services.some((s: any) => s.service_code === 'municipal')).toBe(false);
    expect(services.find((s: any) => s.service_code === 'appeal.transport.bus-frequency').metadata).toBe(true);

    const def = (await get('/open311/v2/services/municipal.lighting.out.json')).json();
    expect(def).toEqual({ service_code: 'municipal.lighting.out', attributes: [] });
    const bus = (await get('/open311/v2/services/appeal.transport.bus-frequency.json')).json();
    expect(bus.attributes).toEqual([
      { variable: true, code: 'bus_route', datatype: 'string', required: true, datatype_description: '线路名称或编号，例如：181 路', order: 1, description: '哪条公交线路？' },
    ]);

    const res = await post(
      '/open311/v2/requests.json',
      form({
        api_key: apiKey,
        jurisdiction_id: 'cq.gov.cn',
        service_code: 'municipal.lighting.out',
        ...HERE,
        address_string: '解放碑步行街 民族路口',
        description: '路灯不亮\n\n民族路口三盏路灯连续两晚不亮，行人看不清台阶。',
        media_url: 'https://img.example.org/p/123.jpg',
        account_id: 'fms-4711',
        device_id: 'tt222111',
        email: 'wang@example.org',
        first_name: '小明',
        last_name: '王',
        phone: '13800138000',
      }),
    );
    expect(res.statusCode, res.body).toBe(200);
    const created = res.json();
    expect(created).toEqual([{ service_request_id: expect.stringMatching(/^CL20260302\d{6}$/), service_notice: expect.stringContaining('已受理'), account_id: 'fms-4711' }]);
    const id = created[0].service_request_id as string;

    const one = await get(`/open311/v2/requests/${id}.json?api_key=${encodeURIComponent(apiKey)}`);
    expect(one.statusCode, one.body).toBe(200);
    const [r] = one.json();
    expect(r).toMatchObject({
      service_request_id: id,
      status: 'open',
      status_notes: '上报',
      service_name: '路灯不亮',
      service_code: 'municipal.lighting.out',
      agency_responsible: '渝中区城市运行和治理中心',
      requested_datetime: '2026-03-02T09:00:00+08:00',
      updated_datetime: '2026-03-02T09:00:00+08:00',
      expected_datetime: expect.stringMatching(/\+08:00$/),
      address: '解放碑步行街 民族路口',
      media_url: 'https://img.example.org/p/123.jpg',
    });
    expect(r.description).toContain('民族路口三盏路灯连续两晚不亮');
    // WGS-84 out, as it came in (stored as GCJ-02 in between).
    expect(Math.abs(r.lat - JFB_LAT)).toBeLessThan(2e-6);
    expect(Math.abs(r.long - JFB_LNG)).toBeLessThan(2e-6);

    // The case: a citizen report under the category, the reporter's contact kept by the platform.
    const doc = await t.platform.cases.get(SYSTEM_PRINCIPAL, await caseIdOf(id));
    expect(doc).toMatchObject({ source: 'citizen', categoryCode: 'municipal.lighting.out', title: '路灯不亮', reporter: { name: '王小明', phone: '13800138000', anonymous: false } });
    expect(doc.chain[1]!.code).toBe('500103');
    expect(doc.externalRef).toBe('open311:account_id=fms-4711&media_url=https%3A%2F%2Fimg.example.org%2Fp%2F123.jpg');

    const key = `api_key=${encodeURIComponent(apiKey)}`;
    const listed = (await get(`/open311/v2/requests.json?${key}&service_code=municipal.lighting.out,traffic.road-damage&status=open&start_date=2026-03-01T00:00:00%2B08:00&end_date=2026-03-03T00:00:00Z`)).json();
    expect(listed.map((x: any) => x.service_request_id)).toContain(id);
    // An unencoded '+' arrives as a space: still read as the offset.
    const plus = (await get(`/open311/v2/requests.json?${key}&start_date=2026-03-01T00:00:00+08:00`)).json();
    expect(plus.map((x: any) => x.service_request_id)).toContain(id);
    for (const q of ['status=closed', 'service_code=traffic.road-damage', 'start_date=2026-03-02T10:00:00%2B08:00', 'end_date=2026-03-01T00:00:00Z']) {
      const other = await get(`/open311/v2/requests.json?${key}&${q}`);
      expect(other.statusCode, q).toBe(200);
      expect(other.json().map((x: any) => x.service_request_id), q).not.toContain(id);
    }
    // The key can also be sent as a bearer token.
    const bearer = await get('/open311/v2/requests.json', { authorization: `Bearer ${apiKey}` });
    expect(bearer.json().map((x: any) => x.service_request_id)).toContain(id);
  });

  it('never echoes the Host header into discovery, whatever a client sends', async () => {
    for (const host of ['evil.example', 'evil.example:443', '127.0.0.1:1', 'a"b<c>', 'x'.repeat(300)]) {
      for (const format of ['json', 'xml']) {
        const r = await get(`/open311/v2/discovery.${format}`, { host, 'x-forwarded-host': 'evil.example' });
        expect(r.statusCode).toBe(200);
        expect(r.body).not.toContain('evil.example');
        expect(r.body).toContain(`${PUBLIC_URL}/open311/v2`);
      }
    }
  });

  it('serves an XML client over a real socket (fetch, form-encoded body): the same round trip', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/open311/v2`;

    const disc = await fetch(`${base}/discovery.xml`);
    expect(disc.status).toBe(200);
    expect(disc.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    const d = readXml(await disc.text());
    expect(d.name).toBe('discovery');
    const endpoint = kid(kid(d, 'endpoints'), 'endpoint');
    expect(textOf(endpoint, 'specification')).toBe('http://wiki.open311.org/GeoReport_v2');
    // Named from PUBLIC_URL, not from the socket's address or the Host header.
    expect(textOf(endpoint, 'url')).toBe(`${PUBLIC_URL}/open311/v2`);
    expect(kids(kid(endpoint, 'formats'), 'format').map((f) => f.text)).toEqual(['text/xml', 'application/json']);

    const services = readXml(await (await fetch(`${base}/services.xml`)).text());
    expect(services.name).toBe('services');
    const burst = kids(services, 'service').find((s) => textOf(s, 'service_code') === 'municipal.water.burst')!;
    expect(textOf(burst, 'service_name')).toBe('供水管道爆裂');
    expect(textOf(burst, 'metadata')).toBe('false');
    expect(textOf(burst, 'type')).toBe('realtime');
    expect(textOf(burst, 'group')).toBe('市政公用设施');

    const def = readXml(await (await fetch(`${base}/services/safety.road-waterlogging.xml`)).text());
    expect(def.name).toBe('service_definition');
    const attrs = kids(kid(def, 'attributes'), 'attribute');
    expect(attrs.map((a) => [textOf(a, 'code'), textOf(a, 'variable'), textOf(a, 'order')])).toEqual([
      ['call_emergency', 'false', '1'],
      ['casualties', 'true', '2'],
    ]);
    expect(kids(kid(attrs[1]!, 'values'), 'value').map((v) => textOf(v, 'key'))).toEqual(['none', 'injured', 'trapped', 'unknown']);

    // A form exactly as FixMyStreet's Open311 client sends one (LWP: application/x-www-form-urlencoded).
    const body = form({ api_key: apiKey, jurisdiction_id: 'cq', service_code: 'safety.road-waterlogging', ...HERE, description: 'title: 较场口下穿道积水\n\ndetail: 积水约 40 厘米，车辆熄火\n\nSubmitted via FixMyStreet', 'attribute[casualties]': 'none' });
    const created = await fetch(`${base}/requests.xml`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const createdText = await created.text();
    expect(created.status, createdText).toBe(200);
    const sr = readXml(createdText);
    expect(sr.name).toBe('service_requests');
    const id = textOf(kid(sr, 'request'), 'service_request_id');
    expect(id).toMatch(/^CL\d{14}$/);
    expect(kid(kid(sr, 'request'), 'account_id').text).toBe('');

    const doc = await t.platform.cases.get(SYSTEM_PRINCIPAL, await caseIdOf(id));
    expect(doc.title).toBe('较场口下穿道积水');
    expect(doc.description).toContain('【补充信息】\n人员伤亡：无人员伤亡');

    const one = readXml(await (await fetch(`${base}/requests/${id}.xml?api_key=${encodeURIComponent(apiKey)}`)).text());
    const r = kid(one, 'request');
    expect(kids(one, 'request')).toHaveLength(1);
    expect(textOf(r, 'service_request_id')).toBe(id);
    expect(textOf(r, 'status')).toBe('open');
    expect(textOf(r, 'service_code')).toBe('safety.road-waterlogging');
    expect(Math.abs(Number(textOf(r, 'lat')) - JFB_LAT)).toBeLessThan(2e-6);
    expect(kid(r, 'media_url').children).toHaveLength(0);

    const list = readXml(await (await fetch(`${base}/requests.xml?api_key=${encodeURIComponent(apiKey)}&service_request_id=${id},CL00000000000000&status=closed`)).text());
    // A list of ids overrides the other arguments (status=closed would exclude it); unknown ids are left out.
    expect(kids(list, 'request').map((x) => textOf(x, 'service_request_id'))).toEqual([id]);

    // The form parser refuses another charset in the spec's error shape.
    const gbk = await fetch(`${base}/requests.xml`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=gbk' }, body });
    expect(gbk.status).toBe(400);
    expect(readXml(await gbk.text()).name).toBe('errors');
  });

  it('answers every error in the specification’s shape and status, never problem+json', async () => {
    const base = { service_code: 'municipal.lighting.out', ...HERE, description: '路灯不亮' };
    const expectErrors = (res: { statusCode: number; body: string; headers: Record<string, unknown> }, status: number, contains: string) => {
      expect(res.statusCode, res.body).toBe(status);
      if (String(res.headers['content-type']).startsWith('application/json')) {
        const errs = JSON.parse(res.body);
        expect(Array.isArray(errs)).toBe(true);
        expect(errs[0]).toEqual({ code: status, description: expect.stringContaining(contains) });
      } else {
        expect(res.headers['content-type']).toBe('text/xml; charset=utf-8');
        const x = readXml(res.body);
        expect(x.name).toBe('errors');
        const e = kid(x, 'error');
        expect(textOf(e, 'code')).toBe(String(status));
        expect(textOf(e, 'description')).toContain(contains);
      }
    };

    expectErrors(await post('/open311/v2/requests.json', form(base)), 403, 'api_key');
    expectErrors(await post('/open311/v2/requests.xml', form(base)), 403, 'api_key');
    expectErrors(await post('/open311/v2/requests.json', form({ ...base, api_key: 'clt_not-a-key' })), 403, 'api_key');
    // A citizen's own token is not a system account's key.
    expectErrors(await post('/open311/v2/requests.json', form({ ...base, api_key: citizenToken })), 403, '系统账号');
    expectErrors(await post('/open311/v2/requests.json', form({ ...base, api_key: apiKey, service_code: 'no.such-service' })), 404, 'no.such-service');
    expectErrors(await post('/open311/v2/requests.xml', form({ ...base, api_key: apiKey, service_code: 'municipal' })), 404, 'municipal');
    expectErrors(await post('/open311/v2/requests.json', form({ ...base, api_key: apiKey, service_code: '' })), 400, 'service_code');
    expectErrors(await post('/open311/v2/requests.json', form({ ...base, ...SHANGHAI, api_key: apiKey })), 400, '不在本市服务范围内');
    expectErrors(await post('/open311/v2/requests.xml?lang=en', form({ ...base, ...SHANGHAI, api_key: apiKey })), 400, 'outside the area this city serves');
    const { lat: _lat, long: _long, ...noPoint } = base;
    expectErrors(await post('/open311/v2/requests.json', form({ ...noPoint, api_key: apiKey, address_string: '重庆市渝中区民族路 188 号' })), 400, 'lat 和 long');
    expectErrors(await post('/open311/v2/requests.json', form({ ...noPoint, api_key: apiKey })), 400, '缺少位置');
    expectErrors(await post('/open311/v2/requests.json', form({ ...base, api_key: apiKey, lat: 'north' })), 400, 'lat');
    // Every invalid field at once.
    const many = await post('/open311/v2/requests.json', form({ ...base, api_key: apiKey, lat: '95', media_url: 'javascript:alert(1)', phone: 'call me' }));
    expect(many.statusCode).toBe(400);
    expect(many.json()).toHaveLength(3);
    expectErrors(await post('/open311/v2/requests.json', form({ api_key: apiKey, service_code: 'appeal.transport.bus-frequency', ...HERE, description: '公交太慢' })), 400, 'bus_route');
    expectErrors(await post('/open311/v2/requests.json', '{"api_key": ', { 'content-type': 'application/json' }), 400, 'JSON');
    expectErrors(await post('/open311/v2/requests.json', '--x\r\n', { 'content-type': 'multipart/form-data; boundary=x' }), 400, 'application/x-www-form-urlencoded');

    expectErrors(await get('/open311/v2/services/no.such-service.json'), 404, 'no.such-service');
    expectErrors(await get('/open311/v2/services/no.such-service.xml'), 404, 'no.such-service');
    expectErrors(await get(`/open311/v2/requests/CL20990101000001.json?api_key=${encodeURIComponent(apiKey)}`), 404, 'CL20990101000001');
    expectErrors(await get(`/open311/v2/requests/CL20990101000001.xml?api_key=${encodeURIComponent(apiKey)}`), 404, 'CL20990101000001');
    expectErrors(await get('/open311/v2/tokens/00000000-0000-7000-8000-000000000000.json'), 404, '00000000-0000-7000-8000-000000000000');
    // Reading requests needs a key (see docs/reference/open311.md); a bad bearer token is a 403 too.
    expectErrors(await get('/open311/v2/requests.json'), 403, 'api_key');
    expectErrors(await get('/open311/v2/requests/CL20260302000001.xml'), 403, 'api_key');
    expectErrors(await get('/open311/v2/requests.json', { authorization: 'Bearer clt_wrong' }), 403, 'api_key');
    const key = `api_key=${encodeURIComponent(apiKey)}`;
    expectErrors(await get(`/open311/v2/requests.json?${key}&status=pending`), 400, 'status');
    expectErrors(await get(`/open311/v2/requests.json?${key}&start_date=2026-03-01`), 400, 'start_date');
    expectErrors(await get(`/open311/v2/requests.json?${key}&start_date=2025-01-01T00:00:00Z&end_date=2026-03-01T00:00:00Z`), 400, '90');
    // Unknown resources and formats under /open311 are Open311 404s as well.
    expectErrors(await get('/open311/v2/frobnicate.json'), 404, 'Open311');
    expectErrors(await get('/open311/v2/services.html'), 404, 'Open311');
    expectErrors(await get('/open311/v3/services.json'), 404, 'Open311');
    expectErrors(await post('/open311/v2/services.json', form(base)), 404, 'Open311');
  });

  it('accepts a JSON body too, with attributes as an object', async () => {
    const res = await post(
      '/open311/v2/requests.json',
      JSON.stringify({ api_key: apiKey, service_code: 'environment.exposed-garbage', lat: JFB_LAT, long: JFB_LNG, description: '路边堆放垃圾', attribute: { garbage_kind: ['household', 'bulky'] } }),
      { 'content-type': 'application/json' },
    );
    expect(res.statusCode, res.body).toBe(200);
    const doc = await t.platform.cases.get(SYSTEM_PRINCIPAL, await caseIdOf(res.json()[0].service_request_id));
    expect(doc.description).toBe('路边堆放垃圾\n\n【补充信息】\n垃圾种类：生活垃圾、大件家具');
    const bad = await post('/open311/v2/requests.json', form({ api_key: apiKey, service_code: 'environment.exposed-garbage', ...HERE, 'attribute[garbage_kind][]': ['household', 'glass'] }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json()[0].description).toContain('glass');
  });

  it('escapes XML: a description with <&>"\' comes back intact and well-formed; control characters are refused (the one text rule)', async () => {
    // Control characters follow the rule of every body (security.md, "Hostile input"): refused, in Open311's error shape.
    const refused = await post('/open311/v2/requests.xml', form({ api_key: apiKey, service_code: 'municipal.manhole.missing', ...HERE, description: '井盖缺失\u0001\u0008' }));
    expect(refused.statusCode, refused.body).toBe(400);
    expect(readXml(refused.body).name).toBe('errors');
    expect(refused.body).toContain('U+0001');
    const tricky = '井盖 <b>缺失</b> & "危险" \'快来\' ]]> &amp;';
    const res = await post('/open311/v2/requests.xml', form({ api_key: apiKey, service_code: 'municipal.manhole.missing', ...HERE, description: tricky }));
    expect(res.statusCode, res.body).toBe(200);
    const id = textOf(kid(readXml(res.body), 'request'), 'service_request_id');
    const xml = (await get(`/open311/v2/requests/${id}.xml?api_key=${encodeURIComponent(apiKey)}`)).body;
    expect(xml).toContain('井盖 &lt;b&gt;缺失&lt;/b&gt; &amp; &quot;危险&quot; &apos;快来&apos; ]]&gt; &amp;amp;');
    expect(xml).not.toMatch(/[\u0000-\u0008]/);
    expect(xml).not.toContain('&#');
    expect(xml.match(/&[^;\s]*;/g)!.every((e) => ['&amp;', '&lt;', '&gt;', '&quot;', '&apos;'].includes(e))).toBe(true);
    const r = kid(readXml(xml), 'request');
    expect(textOf(r, 'description')).toBe('井盖 <b>缺失</b> & "危险" \'快来\' ]]> &amp;');
  });

  it('never shows personal data in GET output; the platform keeps the contact for the center alone', async () => {
    const personal = { first_name: '秀英', last_name: '赵', phone: '13912340000', email: 'zhao.xiuying@example.org', account_id: 'acct-zhao', device_id: 'device-zhao-77' };
    const res = await post('/open311/v2/requests.json', form({ api_key: apiKey, service_code: 'traffic.road-damage', ...HERE, description: '路面有坑', ...personal }));
    expect(res.statusCode, res.body).toBe(200);
    const id = res.json()[0].service_request_id as string;
    const key = `api_key=${encodeURIComponent(apiKey)}`;
    for (const url of [`/open311/v2/requests/${id}.json?${key}`, `/open311/v2/requests/${id}.xml?${key}`, `/open311/v2/requests.json?${key}`, `/open311/v2/requests.xml?${key}`]) {
      const body = (await get(url)).body;
      expect(body, url).toContain(id);
      for (const v of ['赵秀英', '秀英', '13912340000', 'zhao.xiuying', 'acct-zhao', 'device-zhao-77', 'reporter']) expect(body, `${url} leaks ${v}`).not.toContain(v);
    }
    const [r] = (await get(`/open311/v2/requests/${id}.json?${key}`)).json();
    expect(Object.keys(r).sort()).toEqual(
      ['address', 'agency_responsible', 'description', 'expected_datetime', 'lat', 'long', 'media_url', 'requested_datetime', 'service_code', 'service_name', 'service_notice', 'service_request_id', 'status', 'status_notes', 'updated_datetime'].sort(),
    );
    // The center's staff see the contact; a unit's staff get it masked (the platform's rule).
    const caseId = await caseIdOf(id);
    expect((await api('GET', `/api/v1/cases/${caseId}`)).reporter).toMatchObject({ name: '赵秀英', phone: '13912340000' });
    // E-mail and device id are not kept at all.
    const row = await t.platform.store.db.selectFrom('events').select('payload').where('stream_id', '=', caseId).execute();
    for (const e of row) {
      expect(e.payload).not.toContain('zhao.xiuying');
      expect(e.payload).not.toContain('device-zhao-77');
    }
  });

  it('maps our states: a dispatched case names its lead unit; a declined one reads closed with the reason', async () => {
    const key = `api_key=${encodeURIComponent(apiKey)}`;
    const make = async (description: string) => {
      const res = await post('/open311/v2/requests.json', form({ api_key: apiKey, service_code: 'municipal.water.leak', ...HERE, description }));
      expect(res.statusCode, res.body).toBe(200);
      return res.json()[0].service_request_id as string;
    };
    const a = await make('水管漏水');
    const aId = await caseIdOf(a);
    await api('POST', `/api/v1/cases/${aId}/register`, { note: '属实' });
    await api('POST', `/api/v1/cases/${aId}/dispatch`, { tasks: [{ unitId: unitIdOf('500103', 'water-supply'), role: 'lead' }] });
    const [ra] = (await get(`/open311/v2/requests/${a}.json?${key}`)).json();
    expect(ra.status).toBe('open');
    expect(ra.status_notes).toBe('派遣');
    expect(ra.agency_responsible).toContain('供水');
    const registered = await t.platform.cases.get(SYSTEM_PRINCIPAL, aId);
    expect(ra.expected_datetime).toBe(formatW3c(registered.resolveDue!));

    const b = await make('重复反映');
    await api('POST', `/api/v1/cases/${await caseIdOf(b)}/decline`, { reason: '与已立案事项重复' });
    const [rb] = (await get(`/open311/v2/requests/${b}.json?${key}`)).json();
    expect(rb).toMatchObject({ status: 'closed', status_notes: '不予立案：与已立案事项重复', expected_datetime: null, service_notice: null });
    const closed = (await get(`/open311/v2/requests.json?${key}&status=closed`)).json().map((x: any) => x.service_request_id);
    expect(closed).toContain(b);
    expect(closed).not.toContain(a);
    const both = (await get(`/open311/v2/requests.json?${key}&status=open,closed`)).json().map((x: any) => x.service_request_id);
    expect(both).toEqual(expect.arrayContaining([a, b]));
  });

  it('shows a key only the cases its account may see', async () => {
    const all = (await get(`/open311/v2/requests.json?api_key=${encodeURIComponent(apiKey)}`)).json();
    expect(all.length).toBeGreaterThan(3);
    const one = all[0].service_request_id as string;
    // A district operator's token reads its district (every test case lies in 渝中区)…
    const district = (await get(`/open311/v2/requests.json?api_key=${encodeURIComponent(operatorToken)}`)).json();
    expect(district.map((x: any) => x.service_request_id).sort()).toEqual(all.map((x: any) => x.service_request_id).sort());
    // …and a citizen's token only what the citizen reported: none of these.
    const key = encodeURIComponent(citizenToken);
    const res = await get(`/open311/v2/requests.json?api_key=${key}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([]);
    expect((await get(`/open311/v2/requests/${one}.json?api_key=${key}`)).statusCode).toBe(404);
    // Lists newest first.
    expect(all.map((x: any) => x.requested_datetime)).toEqual([...all.map((x: any) => x.requested_datetime)].sort().reverse());
  });

  it('answers a token (a case id) with its service_request_id', async () => {
    const res = await post('/open311/v2/requests.json', form({ api_key: apiKey, service_code: 'greening.fallen-tree', ...HERE }));
    const id = res.json()[0].service_request_id as string;
    const caseId = await caseIdOf(id);
    expect((await get(`/open311/v2/tokens/${caseId}.json`)).json()).toEqual([{ service_request_id: id, token: caseId }]);
    const x = readXml((await get(`/open311/v2/tokens/${caseId}.xml`)).body);
    expect(textOf(kid(x, 'request'), 'service_request_id')).toBe(id);
    // Without a description the title is the service's name.
    expect((await t.platform.cases.get(SYSTEM_PRINCIPAL, caseId)).title).toBe('树木倒伏');
  });
});

describe('Open311 building blocks', () => {
  it('writes XML with the five escapes only, dropping what XML 1.0 forbids', () => {
    expect(escapeXmlText(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
    expect(escapeXmlText('x\u0000\u0007\u000B\u001F\u007F\u0085\uFFFE\uD800y\r\nz\tw')).toBe('xy\nz\tw');
    expect(escapeXmlText('😀 渝中')).toBe('😀 渝中');
    expect(writeXmlDocument('errors', [{ code: 400, description: '<x>' }], { errors: 'error' })).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<errors>\n  <error>\n    <code>400</code>\n    <description>&lt;x&gt;</description>\n  </error>\n</errors>\n',
    );
    expect(writeXmlDocument('r', { a: null, b: true, c: undefined, d: [] }, { d: 'e' })).toBe('<?xml version="1.0" encoding="utf-8"?>\n<r>\n  <a/>\n  <b>true</b>\n  <d/>\n</r>\n');
    expect(() => writeXmlDocument('bad name', {}, {})).toThrow();
    expect(() => writeXmlDocument('r', { list: [1] }, {})).toThrow(/item element/);
  });

  it('reads formats, dates, forms and titles', () => {
    expect(splitFormat('services.json')).toEqual({ name: 'services', format: 'json' });
    expect(splitFormat('municipal.water.burst.XML')).toEqual({ name: 'municipal.water.burst', format: 'xml' });
    expect(splitFormat('municipal.water.burst')).toEqual({ name: 'municipal.water.burst', format: 'xml' });
    expect(parseW3c('2026-03-01T00:00:00Z')?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(parseW3c('2026-03-01T08:00:00 08:00')?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(parseW3c('2026-03-01')).toBeNull();
    expect(parseW3c('2026-03-01T08:00:00')).toBeNull();
    expect(formatW3c('2026-03-01T16:30:00.123Z')).toBe('2026-03-02T00:30:00+08:00');
    const f = parseForm('a=1&a=2&attribute%5Bk%5D%5B%5D=x&attribute[k][]=y&d=%E6%B8%9D+%E4%B8%AD&__proto__=p');
    const s = readSubmission(f, 'zh');
    expect(s.fields.get('a')).toBe('1');
    expect(s.fields.get('d')).toBe('渝 中');
    expect(s.fields.get('__proto__')).toBe('p');
    expect(s.attributes.get('k')).toEqual(['x', 'y']);
    expect(() => readSubmission([1, 2], 'en')).toThrow(/form fields/);
    expect(titleFrom('\n  title: 路灯不亮 \n\ndetail: …', '默认')).toBe('路灯不亮');
    expect(titleFrom('', '默认')).toBe('默认');
    expect([...titleFrom('长'.repeat(80), '默认')]).toHaveLength(50);
    expect(['closed', 'evaluated', 'declined'].map((s) => statusOf(s as never))).toEqual(['closed', 'closed', 'closed']);
    // A duplicate merged into another case is finished here as everywhere (it once showed open).
    expect(statusOf('merged')).toBe('closed');
    expect(['reported', 'dispatched', 'reported_back', 'checked', 'parked', 'reopened'].map((s) => statusOf(s as never))).toEqual(Array(6).fill('open'));
  });
});
